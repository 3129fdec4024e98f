"""Key encodings shared with the proxy (dev.fulcrum.learned.hash.KeyEncoding must agree bit for bit).

A key becomes one number, in an order-preserving way, so that a model can learn its distribution:

- ``number``: the key is a number already (the DLB paper's double keys).
- ``address``: an IPv4 address is its 32-bit value; an IPv6 address is its first 52 bits divided
  by 2**20, so both families share the range [0, 2**32).
- ``host``: a host name (TLS SNI), lower-cased, its first 10 characters read as digits of radix 39
  over the alphabet end < '-' < '.' < '0'..'9' < 'a'..'z' (other characters count as the nearest
  symbol below them). 39**10 < 2**53, so the value is exact in a double and the order of names is
  the order of their 10-character prefixes.
"""
import csv
import ipaddress
import json
import math

ENCODINGS = ("number", "address", "host")
HOST_ALPHABET = "-.0123456789abcdefghijklmnopqrstuvwxyz"
HOST_RADIX = len(HOST_ALPHABET) + 1  # 39: digit 0 is "end of name"
HOST_CHARS = 10


def host_digit(ch):
    ch = ch.lower()
    index = HOST_ALPHABET.find(ch)
    if index >= 0:
        return index + 1
    # A character outside the alphabet counts as the nearest symbol below it (order kept, ties allowed).
    below = [i for i, symbol in enumerate(HOST_ALPHABET) if symbol < ch]
    return (below[-1] + 1) if below else 1


def encode(value, encoding):
    """The number a raw key encodes to (a float)."""
    if encoding == "number":
        return float(value)
    if encoding == "address":
        address = ipaddress.ip_address(str(value).strip())
        if address.version == 4:
            return float(int(address))
        return float(int(address) >> 76) / float(1 << 20)
    if encoding == "host":
        name = str(value).strip()
        total = 0
        for i in range(HOST_CHARS):
            total = total * HOST_RADIX + (host_digit(name[i]) if i < len(name) else 0)
        return float(total)
    raise ValueError("encoding: %s (expected one of %s)" % (encoding, ", ".join(ENCODINGS)))


KEY_FIELDS = ("key", "clientAddress", "client", "sni")


def read_keys(path, encoding):
    """(encoded keys, counts) from Fulcrum's CSV (header row with a key column, optional count) or NDJSON."""
    keys, counts = [], []
    with open(path, newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        if first.lstrip().startswith("{"):
            rows = (json.loads(line) for line in handle if line.strip())
            source = "NDJSON"
        else:
            rows = csv.DictReader(handle)
            source = "CSV"
        for number, row in enumerate(rows, start=1):
            field = next((f for f in KEY_FIELDS if f in row), None)
            if field is None:
                raise ValueError("%s: row %d: no key field (expected one of %s in the %s)"
                                 % (path, number, ", ".join(KEY_FIELDS), source))
            try:
                key = encode(row[field], encoding)
                count = float(row.get("count", 1) or 1)
            except ValueError as e:
                raise ValueError("%s: row %d: %s: %r (%s)" % (path, number, field, row[field], e))
            if not math.isfinite(key) or count <= 0:
                raise ValueError("%s: row %d: %r, count %r (expected: a finite key, count > 0)"
                                 % (path, number, row[field], count))
            keys.append(key)
            counts.append(count)
    if len(keys) < 2:
        raise ValueError("%s: %d keys (expected: at least 2)" % (path, len(keys)))
    return keys, counts
