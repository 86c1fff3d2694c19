#!/usr/bin/env python3
"""Print the rows of one CQL statement as JSON, read with the DataStax Python driver.

This is the reference side of cqlwire's differential test, and one of the clients that
tools/compare-clients times. It connects the way the Azure article on client certificates
connects its Python client: an ssl.SSLContext with CERT_REQUIRED that trusts the server's CA
(certfile = server-ca.crt) and presents the self-signed rootCa.crt/rootCa.key, plus a password
login. Every setting defaults to the CQLWIRE_TESTBED_* variables of the testbed's env file.

Output: one JSON array of row objects (columns in result order), with every value rendered the
way Cassandra's own SELECT JSON renders it, so that it can be compared with
`cqlwire --format json` value by value:
  uuid/timeuuid, inet   -> string ("5c8d...", "127.0.0.1")
  blob                  -> "0x" followed by lower-case hex
  set                   -> array, sorted
  list, tuple           -> array
  map                   -> object; keys that are not text become the text of their JSON form
  null                  -> null
A value of a type this script does not know how to render stops it (exit 1) rather than being
guessed at. Exit 0 on success, 1 when the connection or the statement failed.
"""

import argparse
import ipaddress
import json
import os
import ssl
import sys
import uuid
from collections.abc import Mapping, Set

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.policies import DCAwareRoundRobinPolicy
from cassandra.query import tuple_factory
from cassandra.util import OrderedMap, SortedSet


def env(name, default=None):
    return os.environ.get("CQLWIRE_TESTBED_" + name, default)


def parse_args(argv):
    pki = env("PKI", "")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default=env("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(env("PORT", "19042")))
    p.add_argument("--user", default=env("USER"))
    p.add_argument("--password", default=env("PASSWORD"))
    p.add_argument("--ca", default=os.path.join(pki, "server-ca.crt") if pki else None)
    p.add_argument("--cert", default=os.path.join(pki, "rootCa.crt") if pki else None)
    p.add_argument("--key", default=os.path.join(pki, "rootCa.key") if pki else None)
    p.add_argument("--server-name", default=None,
                   help="name the server certificate must match (default: --host, which an "
                        "IP SAN matches when it is an address)")
    p.add_argument("statement", nargs="?", default="SELECT * FROM system.local")
    args = p.parse_args(argv)
    missing = [n for n in ("user", "password", "ca", "cert", "key") if getattr(args, n) is None]
    if missing:
        p.error("missing --" + ", --".join(missing) +
                " (source the testbed's env file, or run through tools/run-integration)")
    return args


def article_ssl_context(args):
    # The article's setup: verify the server against its CA, require a valid certificate, and
    # present the client certificate and key. Host name checking stays on (the default of
    # PROTOCOL_TLS_CLIENT), so a wrong name fails here as it does in cqlwire.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=args.ca)
    ctx.load_cert_chain(certfile=args.cert, keyfile=args.key)
    return ctx


def json_key(value):
    # SELECT JSON writes every map key as a JSON string: text as itself, anything else as the
    # text of its JSON rendering (a uuid key as the bare uuid, an int key as "7").
    rendered = json_value(value)
    return rendered if isinstance(rendered, str) else json.dumps(rendered)


def json_value(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    # The driver's own containers are not registered with collections.abc, hence both checks.
    if isinstance(value, (Mapping, OrderedMap)):
        return {json_key(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (Set, SortedSet)):
        return [json_value(v) for v in sorted(value)]
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    raise TypeError(f"no SELECT JSON rendering implemented for {type(value).__name__}")


def main(argv):
    args = parse_args(argv)
    cluster = Cluster(
        contact_points=[args.host],
        port=args.port,
        auth_provider=PlainTextAuthProvider(username=args.user, password=args.password),
        ssl_context=article_ssl_context(args),
        ssl_options={"server_hostname": args.server_name or args.host},
        protocol_version=4,
        connect_timeout=10,
        execution_profiles={EXEC_PROFILE_DEFAULT: ExecutionProfile(
            load_balancing_policy=DCAwareRoundRobinPolicy(local_dc="datacenter1"),
            row_factory=tuple_factory)},
    )
    try:
        session = cluster.connect()
        result = session.execute(args.statement)
        names = result.column_names or []
        rows = [{name: json_value(v) for name, v in zip(names, row)} for row in result]
    except Exception as exc:  # the driver raises many unrelated types; all mean "failed"
        print(f"python_driver_system_local: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        cluster.shutdown()
    json.dump(rows, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
