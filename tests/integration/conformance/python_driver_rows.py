#!/usr/bin/env python3
"""Print every row of the given tables of conformance_ks, read with the DataStax Python driver.

The second oracle of tests/integration/type_conformance_test.cpp. Usage:

    python_driver_rows.py TABLE [TABLE...]

Settings come from the CQLWIRE_TESTBED_* variables (the plaintext port and the test role).
Output: one JSON object {table: [row, ...]} where each row maps column names to the value in
the form Cassandra's SELECT JSON gives it, so that the test can compare it with
`cqlwire --format json` value by value. The normalisations, each because the driver hands back
a Python object rather than text:

  numbers (int, float, Decimal) -> the string "\\u001fnum:" + the number's text (str(), repr());
                                   the test compares them as numbers of the column's type, as it
                                   does for cqlwire's and the server's JSON
  NaN, Infinity, -Infinity      -> null, as SELECT JSON prints them
  uuid, timeuuid                -> str (lower case)
  inet                          -> Java's InetAddress text: IPv6 as eight hex groups without
                                   compression, an IPv4-mapped IPv6 address as the IPv4 address
  blob                          -> "0x" + lower-case hex
  date                          -> ISO (proleptic Gregorian) "yyyy-mm-dd", '+' beyond year 9999
  time                          -> "hh:mm:ss.nnnnnnnnn"
  timestamp                     -> read as the raw millisecond count (the driver's datetime cannot
                                   hold the 64-bit extremes), printed "yyyy-MM-dd HH:mm:ss.SSSZ"
                                   in the proleptic Gregorian calendar, year of the era, '+' beyond
                                   9999
  duration                      -> the CQL duration text: 1y2mo3d4h5m6s7ms8us9ns, '-' first when
                                   negative, "" for zero
  list, tuple, vector, set      -> array (sets in the driver's order)
  map                           -> object; a key that is not text becomes the JSON text of its
                                   normalised form
  UDT                           -> object by field name
A value of a type this script does not know stops it (exit 1) rather than being guessed at.
"""

import ipaddress
import json
import math
import os
import struct
import sys
import uuid
from collections.abc import Mapping, Set
from decimal import Decimal

import cassandra.cqltypes
import cassandra.protocol
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.policies import DCAwareRoundRobinPolicy
from cassandra.util import Date, Duration, OrderedMap, SortedSet, Time

NUMBER = "\x1fnum:"


class RawMilliseconds(int):
    """A timestamp as the driver received it: milliseconds since the epoch."""


# The pure-Python protocol handler (set in main) honours this; the compiled one would build a
# datetime.
cassandra.cqltypes.DateType.deserialize = staticmethod(
    lambda byts, protocol_version: RawMilliseconds(struct.unpack(">q", byts)[0]))
# The driver re-serializes map keys (to index its maps), so it must take them back too.
_serialize_timestamp = cassandra.cqltypes.DateType.serialize
cassandra.cqltypes.DateType.serialize = staticmethod(
    lambda v, protocol_version: struct.pack(">q", int(v)) if isinstance(v, RawMilliseconds)
    else _serialize_timestamp(v, protocol_version))


def civil_from_days(days):
    # Proleptic Gregorian year, month, day of a day count from 1970-01-01.
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def iso_date(days):
    y, m, d = civil_from_days(days)
    sign = "+" if y > 9999 else ("-" if y < 0 else "")
    return f"{sign}{abs(y):04d}-{m:02d}-{d:02d}"


def json_timestamp(ms):
    days, ms_of_day = divmod(ms, 86400000)
    y, m, d = civil_from_days(days)
    year_of_era = y if y > 0 else 1 - y
    sign = "+" if year_of_era > 9999 else ""
    h, rest = divmod(ms_of_day, 3600000)
    mi, rest = divmod(rest, 60000)
    s, milli = divmod(rest, 1000)
    return f"{sign}{year_of_era:04d}-{m:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}.{milli:03d}Z"


def java_inet(text):
    a = ipaddress.ip_address(text)
    if a.version == 6:
        if a.ipv4_mapped is not None:
            return str(a.ipv4_mapped)
        return ":".join(f"{g:x}" for g in struct.unpack(">8H", a.packed))
    return str(a)


def duration_text(d):
    months, days, nanos = d.months, d.days, d.nanoseconds
    negative = months < 0 or days < 0 or nanos < 0
    months, days, nanos = abs(months), abs(days), abs(nanos)
    out = "-" if negative else ""
    for amount, unit in ((months // 12, "y"), (months % 12, "mo"), (days, "d")):
        if amount:
            out += f"{amount}{unit}"
    for size, unit in ((3600 * 10**9, "h"), (60 * 10**9, "m"), (10**9, "s"), (10**6, "ms"), (10**3, "us"),
                       (1, "ns")):
        amount, nanos = divmod(nanos, size)
        if amount:
            out += f"{amount}{unit}"
    return out


def json_key(value, cql_type):
    # SELECT JSON writes a key that is not a JSON string as the text of its JSON form.
    rendered = json_value(value, cql_type)
    if isinstance(rendered, str):
        return rendered[len(NUMBER):] if rendered.startswith(NUMBER) else rendered
    return json.dumps(rendered, ensure_ascii=False)


def json_value(value, cql_type):
    # The driver gives an inet as a plain str, so the column's type decides.
    # A vector type names its element type `subtype` and leaves `subtypes` empty.
    sub = getattr(cql_type, "subtypes", ()) or (getattr(cql_type, "subtype", None),)
    if value is None:
        return None
    if issubclass(cql_type, cassandra.cqltypes.InetAddressType):
        return java_inet(str(value))
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, RawMilliseconds):
        return json_timestamp(int(value))
    if isinstance(value, int):
        return NUMBER + str(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else NUMBER + repr(value)
    if isinstance(value, Decimal):
        return NUMBER + str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Date):
        return iso_date(value.days_from_epoch)
    if isinstance(value, Time):
        ns = value.nanosecond_time
        return f"{ns // 3600000000000:02d}:{ns // 60000000000 % 60:02d}:{ns // 1000000000 % 60:02d}.{ns % 1000000000:09d}"
    if isinstance(value, Duration):
        return duration_text(value)
    if isinstance(value, (Mapping, OrderedMap)):
        return {json_key(k, sub[0]): json_value(v, sub[1]) for k, v in value.items()}
    if isinstance(value, (Set, SortedSet)):
        return [json_value(v, sub[0]) for v in value]
    if issubclass(cql_type, cassandra.cqltypes.UserType):  # the driver builds a named tuple
        return {f: json_value(getattr(value, f, None), t) for f, t in zip(cql_type.fieldnames, sub)}
    if issubclass(cql_type, cassandra.cqltypes.TupleType):
        return [json_value(v, t) for v, t in zip(value, sub)]
    if isinstance(value, (list, tuple)):
        return [json_value(v, sub[0]) for v in value]
    raise TypeError(f"no SELECT JSON rendering implemented for {type(value).__name__}")


def main(tables):
    env = os.environ
    cluster = Cluster(
        contact_points=[env["CQLWIRE_TESTBED_HOST"]],
        port=int(env["CQLWIRE_TESTBED_PLAIN_PORT"]),
        auth_provider=PlainTextAuthProvider(username=env["CQLWIRE_TESTBED_USER"],
                                            password=env["CQLWIRE_TESTBED_PASSWORD"]),
        protocol_version=4,
        connect_timeout=20,
        execution_profiles={EXEC_PROFILE_DEFAULT: ExecutionProfile(
            load_balancing_policy=DCAwareRoundRobinPolicy(local_dc="datacenter1"), request_timeout=60)},
    )
    out = {}
    try:
        session = cluster.connect()
        session.client_protocol_handler = cassandra.protocol._ProtocolHandler
        for table in tables:
            result = session.execute(f"SELECT * FROM conformance_ks.{table}")
            names = result.column_names or []
            types = result.column_types or []
            out[table] = [{n: json_value(v, t) for n, t, v in zip(names, types, row)} for row in result]
    except Exception as exc:  # the driver raises many unrelated types; all mean "failed"
        print(f"python_driver_rows: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        cluster.shutdown()
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
