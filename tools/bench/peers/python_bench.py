"""python_bench — the Python driver as a peer for cqlwire_bench against a real node: one
connection, DEPTH requests in flight (execute_async, each completion issuing the next), mutual
TLS and a password. Prints the same "RESULT key=value" line as cqlwire_bench.

    python python_bench.py --host H --port P --ca F --cert F --key F --server-name N \
        --user U --depth D --duration S --query CQL      (password in CQLWIRE_BENCH_PASSWORD)
"""

import argparse
import os
import resource
import ssl
import sys
import threading
import time

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cassandra.policies import WhiteListRoundRobinPolicy


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9042)
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--server-name", default="localhost")
    p.add_argument("--user")
    p.add_argument("--password", default=os.environ.get("CQLWIRE_BENCH_PASSWORD"),
                   help="default: $CQLWIRE_BENCH_PASSWORD (out of sight of ps)")
    p.add_argument("--depth", type=int, default=1)
    p.add_argument("--duration", type=float, default=3)
    p.add_argument("--warmup", type=float, default=1)
    p.add_argument("--query", default="SELECT * FROM system.local")
    a = p.parse_args()

    ssl_context = None
    if a.ca:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ssl_context.load_verify_locations(a.ca)
        ssl_context.load_cert_chain(a.cert, a.key)
        ssl_context.check_hostname = True
    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([a.host]), request_timeout=20)
    cluster = Cluster([a.host], port=a.port, protocol_version=4, ssl_context=ssl_context,
                      ssl_options={"server_hostname": a.server_name} if ssl_context else None,
                      auth_provider=PlainTextAuthProvider(a.user, a.password) if a.user else None,
                      execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    session = cluster.connect()
    statement = a.query

    state = {"measuring": False, "stop": False, "done": 0, "errors": 0, "in_flight": 0}
    lock = threading.Lock()
    finished = threading.Event()

    def issue():
        future = session.execute_async(statement)
        future.add_callbacks(on_rows, on_error)

    def settle(ok):
        with lock:
            if state["measuring"]:
                state["done" if ok else "errors"] += 1
            if state["stop"]:
                state["in_flight"] -= 1
                if state["in_flight"] == 0:
                    finished.set()
                return
        issue()

    def on_rows(rows):
        for _ in rows:
            pass
        settle(True)

    def on_error(exc):
        settle(False)

    state["in_flight"] = a.depth
    for _ in range(a.depth):
        issue()
    time.sleep(a.warmup)
    with lock:
        state["measuring"] = True
    t0, c0 = time.monotonic(), cpu_seconds()
    time.sleep(a.duration)
    with lock:
        state["measuring"] = False
        state["stop"] = True
        seconds, cpu = time.monotonic() - t0, cpu_seconds() - c0
        done, errors = state["done"], state["errors"]
    finished.wait(30)
    cluster.shutdown()
    n = max(done, 1)
    print(f"python driver: {done} requests in {seconds:.2f} s, {done / seconds:.0f} requests/s, "
          f"client CPU {cpu / n * 1e6:.1f} us/request, errors {errors}")
    print(f"RESULT kind=peer client=python depth={a.depth} requests={done} seconds={seconds:.3f} "
          f"rps={done / seconds:.1f} cpu_us={cpu / n * 1e6:.3f} errors={errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
