"""Tests of core_layout: a stand-in "node" (a process with several threads) is pinned away from
the client's CPU for the layout's life and has every thread's affinity back afterwards; a client
started with pin_client runs on the client's CPU only.

    python3 -m unittest discover -s tools/bench -p '*_test.py'
"""

import os
import subprocess
import sys
import unittest

from core_layout import NODE_MARK, CoreLayout, threads_of

# A process with four threads besides its main one, all sleeping; MARK is in its command line.
MARK = "stand-in node of core_layout_test"
NODE = (f"# {MARK}\n"
        "import threading, time\n"
        "for _ in range(4): threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")
SHOW_AFFINITY = "import os; print(','.join(str(c) for c in sorted(os.sched_getaffinity(0))))"


def affinities(pid):
    return {tid: os.sched_getaffinity(tid) for tid in threads_of(pid)}


class CoreLayoutTest(unittest.TestCase):
    def setUp(self):
        self.node = subprocess.Popen([sys.executable, "-c", NODE], stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.node.stdout.close)
        self.addCleanup(self.node.wait)
        self.addCleanup(self.node.kill)
        self.assertEqual(self.node.stdout.readline().strip(), "ready")
        self.before = affinities(self.node.pid)
        self.assertEqual(len(self.before), 5)

    def client_cpus(self, layout):
        out = subprocess.run([sys.executable, "-c", SHOW_AFFINITY], capture_output=True, text=True,
                             preexec_fn=layout.pin_client, check=True).stdout.strip()
        return {int(c) for c in out.split(",")}

    def test_nodes_leave_the_client_cpu_and_get_their_affinity_back(self):
        cpus = sorted(os.sched_getaffinity(0))
        with CoreLayout([self.node.pid], MARK) as layout:
            if len(cpus) < 2:
                self.assertIsNone(layout.client_cpu)
                self.assertIn("1 CPU", layout.describe())
                return
            self.assertEqual(layout.client_cpu, cpus[-1])
            for tid, now in affinities(self.node.pid).items():
                self.assertEqual(now, set(cpus[:-1]), f"thread {tid}")
            self.assertEqual(self.client_cpus(layout), {cpus[-1]})
            self.assertIn(f"client on CPU {cpus[-1]} alone", layout.describe())
        self.assertEqual(affinities(self.node.pid), self.before)

    def test_an_exception_inside_the_layout_still_restores(self):
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("needs 2 CPUs")  # the first test covers the one-CPU case
        with self.assertRaises(KeyboardInterrupt):
            with CoreLayout([self.node.pid], MARK):
                raise KeyboardInterrupt
        self.assertEqual(affinities(self.node.pid), self.before)

    def test_unknown_ended_or_other_processes_are_not_pinned(self):
        ended = subprocess.Popen([sys.executable, "-c", "pass"])
        ended.wait()
        # The stand-in under the real nodes' mark: a pid that is not a Cassandra node's now.
        for pids, mark in (([], MARK), ([ended.pid], MARK), ([self.node.pid], NODE_MARK)):
            with CoreLayout(pids, mark) as layout:
                self.assertIsNone(layout.client_cpu)
                self.assertIn("share the CPUs", layout.describe())
                self.assertEqual(self.client_cpus(layout), os.sched_getaffinity(0))
        self.assertEqual(affinities(self.node.pid), self.before)


if __name__ == "__main__":
    unittest.main()
