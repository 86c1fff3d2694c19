"""python_bench — the Python driver as a peer for cqlwire's benchmarks against a real node or
cluster: DEPTH requests in flight (execute_async, each completion issuing the next), mutual TLS
and a password. Prints a "RESULT key=value" line: requests/s and the process's CPU per request.

Single node (beside cqlwire_bench, tools/bench/run-all): one connection, one statement.

    python python_bench.py --host H --port P --ca F --cert F --key F --server-name N \
        --user U --depth D --duration S --query CQL      (password in CQLWIRE_BENCH_PASSWORD)

Cluster (beside cqlwire_cluster_bench, tools/bench/run-cluster): --hosts starts discovery from
the listed nodes, with cqlwire_cluster_bench's workload: the table KEYSPACE.kv made by
`cqlwire_cluster_bench --setup`, a prepared INSERT of a fixed blob and a prepared SELECT by key,
request n using key (n * 7919) mod KEYS, even requests inserting and odd ones selecting when
mixed; TokenAwarePolicy(DCAwareRoundRobinPolicy()) with --token-aware. Each node's certificate
is checked against its address unless --server-name is given.

    python python_bench.py --hosts H1,H2,H3 --port P --ca F --cert F --key F --user U \
        --workload mixed --token-aware --depth D --duration S
"""

import argparse
import itertools
import os
import resource
import ssl
import struct
import sys
import threading
import time

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
from cassandra.policies import DCAwareRoundRobinPolicy, RoundRobinPolicy, TokenAwarePolicy, WhiteListRoundRobinPolicy


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def make_ssl_context(a):
    if not a.ca:
        return None
    ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ssl_context.load_verify_locations(a.ca)
    ssl_context.load_cert_chain(a.cert, a.key)
    ssl_context.check_hostname = True
    return ssl_context


def keep_in_flight(depth, warmup, duration, issue):
    """Runs `issue(on_done)` DEPTH times, each on_done(ok, extra) issuing the next, for warmup +
    duration seconds; returns (done, errors, seconds, cpu, extras seen while measuring)."""
    state = {"measuring": False, "stop": False, "done": 0, "errors": 0, "in_flight": depth}
    extras = []
    lock = threading.Lock()
    finished = threading.Event()

    def on_done(ok, extra=None):
        with lock:
            if state["measuring"]:
                state["done" if ok else "errors"] += 1
                if extra is not None:
                    extras.append(extra)
            if state["stop"]:
                state["in_flight"] -= 1
                if state["in_flight"] == 0:
                    finished.set()
                return
        issue(on_done)

    for _ in range(depth):
        issue(on_done)
    time.sleep(warmup)
    with lock:
        state["measuring"] = True
    t0, c0 = time.monotonic(), cpu_seconds()
    time.sleep(duration)
    with lock:
        state["measuring"] = False
        state["stop"] = True
        seconds, cpu = time.monotonic() - t0, cpu_seconds() - c0
        done, errors = state["done"], state["errors"]
    finished.wait(30)
    return done, errors, seconds, cpu, extras


def run_cluster(a):
    ssl_context = make_ssl_context(a)
    child = DCAwareRoundRobinPolicy()
    policy = TokenAwarePolicy(child) if a.token_aware else RoundRobinPolicy()
    profile = ExecutionProfile(load_balancing_policy=policy, request_timeout=20)
    ssl_options = {"server_hostname": a.server_name} if ssl_context and a.server_name else None
    cluster = Cluster(a.hosts.split(","), port=a.port, protocol_version=4, ssl_context=ssl_context,
                      ssl_options=ssl_options,
                      auth_provider=PlainTextAuthProvider(a.user, a.password) if a.user else None,
                      execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    session = cluster.connect()
    insert = session.prepare(f"INSERT INTO {a.keyspace}.kv (k, v) VALUES (?, ?)")
    select = session.prepare(f"SELECT v FROM {a.keyspace}.kv WHERE k = ?")
    insert.is_idempotent = select.is_idempotent = True
    value = bytes((i * 31 + 7) & 0xFF for i in range(a.value_bytes))
    # The replicas of each key, found before the measurement: the served node is checked
    # against them on completion.
    replicas = [frozenset(cluster.metadata.get_replicas(a.keyspace, struct.pack(">i", k))) for k in range(a.keys)]
    counter = itertools.count()
    inserts = a.workload == "insert"
    mixed = a.workload == "mixed"
    first_error = []

    def issue(on_done):
        n = next(counter)
        k = (n * 7919) % a.keys
        if inserts or (mixed and n % 2 == 0):
            future = session.execute_async(insert, (k, value))
        else:
            future = session.execute_async(select, (k,))

        def on_rows(rows):
            for _ in rows or ():  # None for an INSERT
                pass
            host = future.coordinator_host
            on_done(True, (host, host in replicas[k]))

        def on_error(exc):
            if not first_error:
                first_error.append(str(exc))
            on_done(False)

        future.add_callbacks(on_rows, on_error)

    done, errors, seconds, cpu, extras = keep_in_flight(a.depth, a.warmup, a.duration, issue)
    cluster.shutdown()
    hits = sum(1 for _, hit in extras if hit)
    served = {}
    for host, _ in extras:
        name = str(host.endpoint.address) if host is not None else "other"
        served[name] = served.get(name, 0) + 1
    n = max(done, 1)
    print(f"python driver cluster: {a.workload}, depth {a.depth}, token-aware {a.token_aware}: {done} requests in "
          f"{seconds:.2f} s, {done / seconds:.0f} requests/s, client CPU {cpu / n * 1e6:.1f} us/request, "
          f"errors {errors}; replica served {100 * hits / n:.1f} %")
    if first_error:
        print(f"first error: {first_error[0]}")
    print(f"RESULT kind=cluster client=python workload={a.workload} depth={a.depth} token_aware={int(a.token_aware)} "
          f"requests={done} seconds={seconds:.3f} req_per_s={done / seconds:.1f} cpu_us_per_req={cpu / n * 1e6:.3f} "
          f"errors={errors} token_aware_hits={hits} "
          f"served={','.join(f'{h}:{c}' for h, c in sorted(served.items())) or 'none'}")
    return 0


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
    p.add_argument("--hosts", help="comma-separated contact points: the cluster workload instead of --query")
    p.add_argument("--workload", choices=("insert", "select", "mixed"), default="mixed")
    p.add_argument("--token-aware", action="store_true")
    p.add_argument("--keyspace", default="bench")
    p.add_argument("--keys", type=int, default=10000)
    p.add_argument("--value-bytes", type=int, default=100)
    a = p.parse_args()
    if a.hosts:
        return run_cluster(a)

    ssl_context = make_ssl_context(a)
    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([a.host]), request_timeout=20)
    cluster = Cluster([a.host], port=a.port, protocol_version=4, ssl_context=ssl_context,
                      ssl_options={"server_hostname": a.server_name} if ssl_context else None,
                      auth_provider=PlainTextAuthProvider(a.user, a.password) if a.user else None,
                      execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    session = cluster.connect()
    statement = a.query

    def issue(on_done):
        def on_rows(rows):
            for _ in rows:
                pass
            on_done(True)

        session.execute_async(statement).add_callbacks(on_rows, lambda exc: on_done(False))

    done, errors, seconds, cpu, _ = keep_in_flight(a.depth, a.warmup, a.duration, issue)
    cluster.shutdown()
    n = max(done, 1)
    print(f"python driver: {done} requests in {seconds:.2f} s, {done / seconds:.0f} requests/s, "
          f"client CPU {cpu / n * 1e6:.1f} us/request, errors {errors}")
    print(f"RESULT kind=peer client=python depth={a.depth} requests={done} seconds={seconds:.3f} "
          f"rps={done / seconds:.1f} cpu_us={cpu / n * 1e6:.3f} errors={errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
