#!/usr/bin/env python3
"""Run CQL statements against the testbed node with the DataStax Python driver.

The testbed uses this to create its test role, and its smoke check uses it to prove that the
node accepts a mutual-TLS login. It exists because the testbed must be usable before cqlwire
itself can talk to a server; it is an admin helper, not a reference client.

Every connection setting defaults to the CQLWIRE_TESTBED_* variables that `testbed env` prints,
so after `source build/testbed/env` a bare

    $CQLWIRE_TESTBED_PYTHON tools/testbed/cql_admin.py "SELECT release_version FROM system.local"

logs in as the test role over TLS: on a password node (testbed --auth password) with the
Azure-style rootCa client certificate and the role's password; on a certificate-login node
(--auth mtls or mtls-fallback) with the certificate whose SPIFFE ID is mapped to the test role,
and no password (--login certificate).

Statements come from the arguments, or one per line from stdin when the only argument is "-".
Rows are printed one per line as `column=value` pairs separated by tabs. The exit status is 0
when every statement succeeded, 1 when the connection or a statement failed, 2 on bad usage.
"""

import argparse
import os
import re
import ssl
import sys
import time

from cassandra import AuthenticationFailed, ConsistencyLevel
from cassandra.auth import AuthProvider, Authenticator, PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable
from cassandra.policies import WhiteListRoundRobinPolicy


def env(name, default=None):
    return os.environ.get("CQLWIRE_TESTBED_" + name, default)


class CertificateLoginAuthProvider(AuthProvider):
    """Answers the server's AUTHENTICATE with an empty token, as a client logging in with its
    certificate does: MutualTlsAuthenticator takes the identity from the TLS session and has no
    use for a name or password."""

    def new_authenticator(self, host):
        return EmptyTokenAuthenticator()


class EmptyTokenAuthenticator(Authenticator):
    def initial_response(self):
        return b""


def parse_args(argv):
    pki = env("PKI", "")
    # A certificate-login node's env file names the certificate mapped to the test role.
    certificate_node = env("AUTH", "password") in ("mtls", "mtls-fallback")
    default_cert = env("IDENTITY_CERT") if certificate_node else None
    default_key = env("IDENTITY_KEY") if certificate_node else None
    if pki and default_cert is None:
        default_cert, default_key = os.path.join(pki, "rootCa.crt"), os.path.join(pki, "rootCa.key")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default=env("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(env("PORT", "19042")))
    p.add_argument("--login", choices=("password", "certificate"),
                   help="password: send --user/--password (PasswordAuthenticator); certificate: "
                        "send an empty token, the client certificate's identity is the login "
                        "(MutualTlsAuthenticator). Default: certificate over TLS to a node whose "
                        "CQLWIRE_TESTBED_AUTH is mtls or mtls-fallback, else password")
    p.add_argument("--user", default=env("USER"))
    p.add_argument("--password", default=env("PASSWORD"))
    p.add_argument("--ca", default=os.path.join(pki, "server-ca.crt") if pki else None,
                   help="CA file the server certificate must chain to")
    p.add_argument("--cert", default=default_cert, help="client certificate (PEM)")
    p.add_argument("--key", default=default_key, help="client private key (PEM)")
    p.add_argument("--no-client-cert", action="store_true",
                   help="offer no client certificate (the node must refuse this)")
    p.add_argument("--server-name", default=env("SERVER_NAME", "localhost"),
                   help="name the server certificate must match (default: CQLWIRE_TESTBED_SERVER_NAME, "
                        "else localhost)")
    p.add_argument("--consistency", choices=sorted(ConsistencyLevel.name_to_value), default="LOCAL_ONE",
                   help="consistency level of the statements (default: LOCAL_ONE, the driver's own)")
    p.add_argument("--plaintext", action="store_true",
                   help="no TLS at all (for the plaintext port)")
    p.add_argument("--retry-seconds", type=float, default=0.0,
                   help="keep retrying a failed connection/login this long; the default "
                        "superuser only exists a moment after the node reports ready")
    p.add_argument("--quiet", action="store_true", help="do not print result rows")
    p.add_argument("statements", nargs="+", metavar="STATEMENT")
    args = p.parse_args(argv)
    if args.login is None:
        args.login = "certificate" if certificate_node and not args.plaintext else "password"
    if args.login == "password" and (args.user is None or args.password is None):
        p.error("--user and --password are required (or CQLWIRE_TESTBED_USER/_PASSWORD)")
    if not args.plaintext:
        if args.ca is None:
            p.error("--ca is required for TLS (or CQLWIRE_TESTBED_PKI)")
        if not args.no_client_cert and (args.cert is None or args.key is None):
            p.error("--cert and --key are required unless --no-client-cert")
    if args.statements == ["-"]:
        args.statements = [line.strip() for line in sys.stdin if line.strip()]
    return args


def tls_context(args):
    # PROTOCOL_TLS_CLIENT turns on certificate and host name verification: we want the same
    # strictness the C++ client defaults to, so a broken PKI fails here too.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=args.ca)
    if not args.no_client_cert:
        ctx.load_cert_chain(certfile=args.cert, keyfile=args.key)
    return ctx


def connect(args):
    kwargs = dict(
        contact_points=[args.host],
        port=args.port,
        auth_provider=(CertificateLoginAuthProvider() if args.login == "certificate" else
                       PlainTextAuthProvider(username=args.user, password=args.password)),
        # --host alone runs the statements, whatever peers it has: a check of one node of a
        # cluster must not be answered by another.
        execution_profiles={EXEC_PROFILE_DEFAULT: ExecutionProfile(
            load_balancing_policy=WhiteListRoundRobinPolicy([args.host]),
            consistency_level=ConsistencyLevel.name_to_value[args.consistency])},
        protocol_version=4,
        connect_timeout=10,
    )
    if not args.plaintext:
        kwargs["ssl_context"] = tls_context(args)
        # The driver would check the contact point's address; we check the name we were given
        # (localhost by default, or e.g. node1.cassandra.test against the wildcard SAN).
        kwargs["ssl_options"] = {"server_hostname": args.server_name}
    cluster = Cluster(**kwargs)
    try:
        return cluster, cluster.connect()
    except Exception:
        cluster.shutdown()
        raise


def connect_with_retry(args):
    deadline = time.monotonic() + args.retry_seconds
    while True:
        try:
            return connect(args)
        except (NoHostAvailable, AuthenticationFailed):
            if time.monotonic() >= deadline:
                raise
        time.sleep(1.0)


def redacted(statement):
    """The statement with its role passwords blanked out, fit for an error message."""
    return re.sub(r"(PASSWORD\s*=\s*)'(?:[^']|'')*'", r"\1'***'", statement, flags=re.IGNORECASE)


def main(argv):
    args = parse_args(argv)
    try:
        cluster, session = connect_with_retry(args)
    except Exception as exc:  # the driver raises several unrelated types here
        print(f"cql_admin: cannot connect to {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        for statement in args.statements:
            try:
                rows = session.execute(statement)
            except Exception as exc:
                print(f"cql_admin: failed: {redacted(statement)}\n  {exc}", file=sys.stderr)
                return 1
            if args.quiet:
                continue
            for row in rows:
                print("\t".join(f"{k}={v}" for k, v in row._asdict().items()))
        return 0
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
