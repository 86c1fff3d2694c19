"""What the benchmark runners (run-all, run-cluster) share: running a measurement with its
output kept, reading its RESULT line, medians and ratios for the report, and building the gocql
peer."""

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_result(text):
    for line in reversed(text.splitlines()):
        if line.startswith("RESULT "):
            fields = {}
            for item in line[len("RESULT "):].split():
                k, _, v = item.partition("=")
                try:
                    fields[k] = float(v)
                except ValueError:
                    fields[k] = v
            return fields
    return None


class Runner:
    def __init__(self, out):
        self.out = out
        self.raw = out / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def run(self, name, argv, timeout=600, env=None, preexec=None):
        """Runs argv (preexec: called in the child before it starts, e.g. to pin it to a CPU),
        keeps its output in raw/NAME.txt, returns the RESULT fields (or None)."""
        self.count += 1
        shown = shown_command(argv)
        print(f"  {name}: {shown}", file=sys.stderr)
        try:
            p = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, env=env,
                               preexec_fn=preexec)
            text = p.stdout + p.stderr
        except subprocess.TimeoutExpired:
            text, p = "timed out", None
        (self.raw / f"{self.count:03d}-{name}.txt").write_text(shown + "\n\n" + text)
        if p is None or p.returncode != 0:
            print(f"    failed: {text.strip().splitlines()[-1] if text.strip() else 'no output'}", file=sys.stderr)
            return None
        return parse_result(p.stdout)


def shown_command(argv):
    """The command line as logged: the value after a password option is never written out."""
    words = [str(a) for a in argv]
    return " ".join("***" if i > 0 and words[i - 1] in ("--password", "-password") else w
                    for i, w in enumerate(words))


def with_option_value(argv, names, value):
    """A copy of argv where the value after each option spelled as one of `names` is `value`.
    An option that is absent is added at the end, so the run never keeps its old value silently."""
    words = list(argv)
    found = False
    for i in range(len(words) - 1):
        if str(words[i]) in names:
            words[i + 1] = value
            found = True
    if not found:
        words += [names[0], value]
    return words


def median_of(results, key):
    values = [r[key] for r in results if r and key in r]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    return "n/a" if v is None else f"{v:.{digits}f}"


def ratio(a, b, digits=2):
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.{digits}f}"


def build_gocql(exe, build, log):
    """Builds peers/gocql_bench into `exe`; returns it, or None (the reason in `log`) when Go or
    gocql is missing. GOPATH mode, offline: gocql comes from Debian's golang-github-gocql-gocql-dev."""
    if not shutil.which("go"):
        Path(log).write_text("go is not installed\n")
        return None
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off")
    env.setdefault("GOCACHE", str(Path(build).resolve() / "go-cache"))
    b = subprocess.run(["go", "build", "-o", str(exe), "."], cwd=HERE / "peers" / "gocql_bench", env=env,
                       capture_output=True, text=True)
    if b.returncode != 0:
        Path(log).write_text(b.stdout + b.stderr)
        return None
    return Path(exe)
