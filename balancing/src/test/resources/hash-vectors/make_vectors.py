#!/usr/bin/env python3
"""Golden vectors for dev.fulcrum.balancing.hash, from CPython itself and from independent
pure-Python implementations (no third-party packages).

    python3 make_vectors.py          # rewrites vectors.tsv and float-bulk.tsv next to this script

The Java tests read the committed .tsv files; they never run Python. Regenerate only when a key is
added, and check the diff: existing lines must not change.

Row format (tab-separated; lines starting with # are comments):

    float  <IEEE-754 bits, 16 hex digits>  name=value ...
    int    <signed decimal, fits a Java long> name=value ...
    bytes  <hex of the bytes, '-' when empty> name=value ...

Every hash value is printed as a signed 64-bit decimal (a Java long). Names:

    repr      Python's repr(x) of the float (CPython's shortest round-trip text)
    python    CPython's hash(x); absent for NaN (CPython >= 3.10 hashes a NaN by object identity)
              for bytes: hash(b) with PYTHONHASHSEED=0 (SipHash-1-3, zero key; this script
              re-runs itself with that seed and checks hash() against its own SipHash-1-3)
    bkdr      BKDR (seed 131, 64-bit wrap-around) over: repr(x) for a float, str(x) for an int,
              the bytes themselves for bytes (each byte unsigned, 0..255)
    murmur3   MurmurHash3_x64_128 with seed 0, first 64-bit half (h1); for a float the 8
              little-endian bytes of its bits, for an int its 8 little-endian two's complement bytes
    xxhash64  XXH64 with seed 0, same byte forms as murmur3
"""

import os
import random
import struct
import subprocess
import sys

M64 = (1 << 64) - 1

if os.environ.get("PYTHONHASHSEED") != "0":
    # hash(bytes) is only reproducible with randomization off; re-run under the fixed seed.
    env = dict(os.environ, PYTHONHASHSEED="0")
    sys.exit(subprocess.call([sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env))

assert sys.hash_info.width == 64 and sys.hash_info.modulus == (1 << 61) - 1, sys.hash_info
assert sys.hash_info.algorithm == "siphash13", sys.hash_info  # CPython >= 3.11
assert sys.float_repr_style == "short", sys.float_repr_style


def signed(u):
    u &= M64
    return u - (1 << 64) if u >= 1 << 63 else u


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


# --- BKDR (Arash Partow's General Hash Functions library, seed 131), on 64 bits -------------------

def bkdr(data):
    h = 0
    for b in data:
        h = (h * 131 + b) & M64
    return h


# --- MurmurHash3_x64_128 (Austin Appleby, smhasher) --------------------------------------------

def fmix64(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & M64
    return k ^ (k >> 33)


def murmur3_x64_128(data, seed=0):
    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = seed
    n = len(data)
    nblocks = n // 16
    for i in range(nblocks):
        k1 = int.from_bytes(data[16 * i:16 * i + 8], "little")
        k2 = int.from_bytes(data[16 * i + 8:16 * i + 16], "little")
        k1 = (rotl((k1 * c1) & M64, 31) * c2) & M64
        h1 ^= k1
        h1 = (((rotl(h1, 27) + h2) & M64) * 5 + 0x52DCE729) & M64
        k2 = (rotl((k2 * c2) & M64, 33) * c1) & M64
        h2 ^= k2
        h2 = (((rotl(h2, 31) + h1) & M64) * 5 + 0x38495AB5) & M64
    tail = data[16 * nblocks:]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        h2 ^= (rotl((k2 * c2) & M64, 33) * c1) & M64
    if len(tail) > 0:
        k1 = int.from_bytes(tail[:8], "little")
        h1 ^= (rotl((k1 * c1) & M64, 31) * c2) & M64
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & M64
    h2 = (h2 + h1) & M64
    h1, h2 = fmix64(h1), fmix64(h2)
    h1 = (h1 + h2) & M64
    h2 = (h2 + h1) & M64
    return h1, h2


def check_murmur3():
    # smhasher's VerificationTest: hash keys {}, {0}, {0,1}, ... with seed 256 - length, hash the
    # concatenated digests with seed 0; the first 4 bytes must read 0x6384BA69 for x64_128.
    digests = b""
    for i in range(256):
        h1, h2 = murmur3_x64_128(bytes(range(i)), 256 - i)
        digests += h1.to_bytes(8, "little") + h2.to_bytes(8, "little")
    h1, _ = murmur3_x64_128(digests, 0)
    assert h1 & 0xFFFFFFFF == 0x6384BA69, hex(h1)


# --- XXH64 (Yann Collet) ----------------------------------------------------------------------

P1, P2, P3, P4, P5 = (11400714785074694791, 14029467366897019727, 1609587929392839161,
                      9650029242287828579, 2870177450012600261)


def xxh64_round(acc, lane):
    return (rotl((acc + lane * P2) & M64, 31) * P1) & M64


def xxh64(data, seed=0):
    n, p = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M64, (seed + P2) & M64, seed, (seed - P1) & M64]
        while p + 32 <= n:
            for j in range(4):
                v[j] = xxh64_round(v[j], int.from_bytes(data[p + 8 * j:p + 8 * j + 8], "little"))
            p += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M64
        for lane in v:
            h = ((h ^ xxh64_round(0, lane)) * P1 + P4) & M64
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while p + 8 <= n:
        h ^= xxh64_round(0, int.from_bytes(data[p:p + 8], "little"))
        h = (rotl(h, 27) * P1 + P4) & M64
        p += 8
    if p + 4 <= n:
        h ^= (int.from_bytes(data[p:p + 4], "little") * P1) & M64
        h = (rotl(h, 23) * P2 + P3) & M64
        p += 4
    while p < n:
        h ^= (data[p] * P5) & M64
        h = (rotl(h, 11) * P1) & M64
        p += 1
    h ^= h >> 33
    h = (h * P2) & M64
    h ^= h >> 29
    h = (h * P3) & M64
    return h ^ (h >> 32)


def check_xxh64():
    # xxhsum's sanity buffer and the values its self-test expects.
    buffer, gen = bytearray(), 2654435761
    for _ in range(222):
        buffer.append(gen >> 56)
        gen = (gen * 11400714785074694797) & M64
    prime = 2654435761
    assert xxh64(b"", 0) == 0xEF46DB3751D8E999
    assert xxh64(bytes(buffer[:1]), 0) == 0xE934A84ADB052768
    assert xxh64(bytes(buffer[:1]), prime) == 0x5014607643A9B4C3
    assert xxh64(bytes(buffer[:14]), 0) == 0x8282DCC4994E35C8
    assert xxh64(bytes(buffer[:14]), prime) == 0xC3BD6BF63DEB6DF0
    assert xxh64(bytes(buffer), 0) == 0xB641AE8CB691C174
    assert xxh64(bytes(buffer), prime) == 0x20CB8AB7AE10C14A


# --- SipHash-c-d (Aumasson and Bernstein) -------------------------------------------------------

def siphash(k0, k1, data, c_rounds, d_rounds):
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261,
         k1 ^ 0x7465646279746573]

    def sip_round():
        v[0] = (v[0] + v[1]) & M64; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64; v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64; v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)

    def absorb(m):
        v[3] ^= m
        for _ in range(c_rounds):
            sip_round()
        v[0] ^= m

    n = len(data)
    for p in range(0, n - n % 8, 8):
        absorb(int.from_bytes(data[p:p + 8], "little"))
    absorb(((n & 0xFF) << 56) | int.from_bytes(data[n - n % 8:], "little"))
    v[2] ^= 0xFF
    for _ in range(d_rounds):
        sip_round()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def check_siphash():
    # The example of the SipHash paper (appendix A): key 00..0f, message 00..0e.
    key = bytes(range(16))
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    assert siphash(k0, k1, bytes(range(15)), 2, 4) == 0xA129CA6149BE45E5


def python_bytes_hash(data):
    # CPython's _Py_HashBytes: 0 for empty input, else the SipHash-1-3 of the bytes; -1 -> -2.
    if not data:
        return 0
    h = signed(siphash(0, 0, data, 1, 3))
    return -2 if h == -1 else h


# --- rows ----------------------------------------------------------------------------------------

def float_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def float_row(x, with_byte_hashes):
    fields = {"repr": repr(x)}
    if x == x:
        fields["python"] = hash(x)
    fields["bkdr"] = signed(bkdr(repr(x).encode("utf-8")))
    if with_byte_hashes:
        le = struct.pack("<d", x)
        fields["murmur3"] = signed(murmur3_x64_128(le)[0])
        fields["xxhash64"] = signed(xxh64(le))
    return "float\t%016x\t%s" % (float_bits(x), "\t".join("%s=%s" % kv for kv in fields.items()))


def int_row(i):
    le = struct.pack("<q", i)
    fields = {"python": hash(i), "bkdr": signed(bkdr(str(i).encode("ascii"))),
              "murmur3": signed(murmur3_x64_128(le)[0]), "xxhash64": signed(xxh64(le))}
    return "int\t%d\t%s" % (i, "\t".join("%s=%s" % kv for kv in fields.items()))


def bytes_row(data):
    python = hash(data)
    assert python == python_bytes_hash(data), data  # CPython agrees with the SipHash-1-3 above
    fields = {"python": python, "bkdr": signed(bkdr(data)),
              "murmur3": signed(murmur3_x64_128(data)[0]), "xxhash64": signed(xxh64(data))}
    return "bytes\t%s\t%s" % (data.hex() or "-", "\t".join("%s=%s" % kv for kv in fields.items()))


FLOATS = [
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 3.141592653589793,
    2.718281828459045, 100.0, 123.456, 123456.789, -123456.789, 1.5e-7, 1e-4, 1.2e-4, 1e-5,
    1e15, 1e16, 1e17, 1e22, 1e23, 2e23, 1e100, 1e300, 1e-300, 9999999999999998.0,
    12345678901234567.0, 2.0 ** 52, 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 60, 2.0 ** 61, 2.0 ** 62,
    2.0 ** 63, 2.0 ** 64, -(2.0 ** 61), 2.82879384806159e17, 4.35, 0.0001, 5e-324, 1e-323,
    2.225073858507201e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
    -1.7976931348623157e308, float("inf"), float("-inf"), float("nan"),
]

INTS = [
    0, 1, -1, 2, -2, 42, -42, 123456789, 2 ** 31 - 1, -2 ** 31, 2 ** 32, 10 ** 18, -10 ** 18,
    2 ** 53 + 1, 2 ** 61 - 2, 2 ** 61 - 1, 2 ** 61, 2 ** 61 + 1, -(2 ** 61 - 1), -(2 ** 61),
    2 ** 62, 2 ** 63 - 1, -2 ** 63, -2 ** 63 + 1,
]

BYTES = ([bytes(range(n)) for n in range(0, 34)]
         + [b"a", b"abc", b"hello", b"backend-1", b"backend-2", b"10.0.0.7:8080",
            b"The quick brown fox jumps over the lazy dog", "caf\u00e9".encode("utf-8"),
            bytes(range(128, 256))])


def bulk_floats():
    rng = random.Random(20240521)
    values = []
    for k in range(-1074, 1024):  # powers of two: the shortest repr's lopsided rounding interval
        values.append(2.0 ** k)
    for _ in range(500):  # any bit pattern, NaN and infinities excluded
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if x == x and abs(x) != float("inf"):
            values.append(x)
    for _ in range(250):  # keys as data sets hold them: short decimals and integers
        values.append(rng.randint(-10 ** 9, 10 ** 9) / 10 ** rng.randint(0, 12))
        values.append(float(rng.randint(-2 ** 60, 2 ** 60) >> rng.randint(0, 60)))
    return values


def main():
    check_murmur3()
    check_xxh64()
    check_siphash()
    here = os.path.dirname(os.path.abspath(__file__))
    header = ["# Generated by make_vectors.py with CPython %s (%s); do not edit." % (
        sys.version.split()[0], sys.hash_info.algorithm), "# See make_vectors.py for the format."]
    with open(os.path.join(here, "vectors.tsv"), "w", newline="\n") as out:
        lines = header + [float_row(x, True) for x in FLOATS] + [int_row(i) for i in INTS] \
            + [bytes_row(b) for b in BYTES]
        out.write("\n".join(lines) + "\n")
    with open(os.path.join(here, "float-bulk.tsv"), "w", newline="\n") as out:
        lines = header + [float_row(x, False) for x in bulk_floats()]
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
