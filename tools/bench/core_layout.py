"""Where a benchmark's processes run: the client on a CPU of its own, the Cassandra nodes on the
others, so that the client's CPU per request counts the client's work rather than the cost of
being preempted by the nodes it is waiting for (on a small machine the nodes' JVMs and the client
otherwise share every core, and each request's wake-ups switch between them).

Affinity is set on every thread of each node's JVM (threads a node starts later inherit it from
the thread that starts them) and restored, thread by thread, when the layout is undone."""

import os

# What a testbed node's command line holds: a process id from a stale env file that now belongs
# to another program is left alone.
NODE_MARK = "org.apache.cassandra.service.CassandraDaemon"


def command_line(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def threads_of(pid):
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []


class CoreLayout:
    """`with CoreLayout(node_pids) as layout:` pins the nodes away from `layout.client_cpu`;
    `layout.pin_client()` (a subprocess preexec function) moves a client onto it. On a machine
    with one CPU nothing is moved and `layout.reason` says why."""

    def __init__(self, node_pids, node_mark=NODE_MARK):
        self.node_pids = [int(p) for p in node_pids if p]
        self.node_mark = node_mark
        self.saved = {}  # thread id -> its affinity before
        self.original = {}  # node pid -> its main thread's affinity before
        self.client_cpu = None
        self.node_cpus = None
        self.reason = ""
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            self.reason = f"this process may run on {len(cpus)} CPU only: the client shares it with the nodes"
        elif not self.node_pids:
            self.reason = "the nodes' process ids are not known (CQLWIRE_TESTBED_PID_K): nothing pinned"
        else:
            self.client_cpu = cpus[-1]
            self.node_cpus = set(cpus[:-1])

    def __enter__(self):
        if self.client_cpu is None:
            return self
        for pid in self.node_pids:
            if self.node_mark not in command_line(pid):
                continue  # ended, or another program's now
            try:
                self.original[pid] = os.sched_getaffinity(pid)
            except OSError:
                pass  # not running: nothing of it to pin
        # Twice: a thread started while the first pass ran may have copied the old affinity.
        for _ in range(2):
            for pid in self.original:
                for tid in threads_of(pid):
                    try:
                        before = os.sched_getaffinity(tid)
                        os.sched_setaffinity(tid, self.node_cpus)
                    except OSError:
                        continue  # the thread ended meanwhile
                    self.saved.setdefault(tid, before)
        if not self.saved:
            self.reason = "no thread of the nodes could be pinned: the client shares the CPUs with them"
            self.client_cpu = None
        return self

    def __exit__(self, *exc):
        self.undo()
        return False

    def undo(self):
        for tid, before in self.saved.items():
            try:
                os.sched_setaffinity(tid, before)
            except OSError:
                pass  # the thread ended
        # Threads a node started during the run inherited the pinned set: they get the node's own.
        for pid, original in self.original.items():
            for tid in threads_of(pid):
                if tid not in self.saved:
                    try:
                        os.sched_setaffinity(tid, original)
                    except OSError:
                        pass
        self.saved = {}
        self.original = {}

    def pin_client(self):
        if self.client_cpu is not None:
            os.sched_setaffinity(0, {self.client_cpu})

    def describe(self):
        if self.client_cpu is None:
            return f"client and nodes share the CPUs ({self.reason})" if self.reason else \
                "client and nodes share the CPUs"
        cpus = ",".join(str(c) for c in sorted(self.node_cpus))
        pinned = "the nodes' JVMs" if len(self.original) == len(self.node_pids) else \
            f"{len(self.original)} of the {len(self.node_pids)} nodes' JVMs (the others are not running)"
        return f"client on CPU {self.client_cpu} alone, {pinned} on CPU {cpus}"
