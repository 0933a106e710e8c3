#!/usr/bin/env python3
#
# Recompute the test vectors of audit/FORMAT.md ("Hash chain and seals",
# "Test vectors") from vector.tmux-audit and host.pub, and verify the file
# as an independent reader would: from the specification alone, with the
# Python standard library only (hashlib for BLAKE2b and SHA-512; Ed25519
# verification is written out below after RFC 8032, section 5.1.7). No
# tmux-audit or libsodium code is used.
#
# Usage: python3 compute.py [-k HOST.PUB] [SEGMENT ...]
# (defaults: host.pub and vector.tmux-audit next to this script). Several
# segments are taken as consecutive segments of one run and their links
# are checked too. Exits 0 if every segment is intact and the run key is
# certified by the host key.

import base64
import hashlib
import os
import struct
import sys

D_START = b"tmux-audit start v1\0"
D_RECORD = b"tmux-audit record v1\0"
D_SEAL = b"tmux-audit seal v1\0"
D_RUNKEY = b"tmux-audit run key v1\0"
D_KEYID = b"tmux-audit key id v1\0"

T_SEGMENT, T_SEAL = 1, 7
F_PID, F_SEGMENT, F_START_TIME = 0x1001, 0x1006, 0x100a
F_SEAL_INDEX, F_FINAL, F_FIRST, F_RECORDS = 0x101c, 0x101d, 0x101e, 0x101f
F_RUN, F_CHAIN, F_DIGESTS, F_NEXT_KEY = 0x4001, 0x4003, 0x4004, 0x4005
F_SIGNATURE, F_SIGN_KEY = 0x4006, 0x4007
F_PREV_CHAIN, F_PREV_SEAL = 0x4008, 0x4009
F_HOST_KEY, F_CERT, F_RUN_KEY = 0x400a, 0x400b, 0x400c


def b2b(*parts):
    """BLAKE2b with a 32-byte output, no key, over the concatenation."""
    h = hashlib.blake2b(digest_size=32)
    for p in parts:
        h.update(p)
    return h.digest()


# Ed25519 verification (RFC 8032, 5.1.7), cofactorless, as libsodium does.
P = 2 ** 255 - 19
Q = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    A = (a[1] - a[0]) * (b[1] - b[0]) % P
    B = (a[1] + a[0]) * (b[1] + b[0]) % P
    C = 2 * a[3] * b[3] * D % P
    E = 2 * a[2] * b[2] % P
    e, f, g, h = B - A, E - C, E + C, B + A
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, pt):
    r = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            r = _add(r, pt)
        pt = _add(pt, pt)
        s >>= 1
    return r


def _x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _point(s):
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _eq(a, b):
    return ((a[0] * b[2] - b[0] * a[2]) % P == 0 and
            (a[1] * b[2] - b[1] * a[2]) % P == 0)


_GY = 4 * pow(5, P - 2, P) % P
_G = (_x(_GY, 0), _GY, 1, _x(_GY, 0) * _GY % P)


def ed25519_verify(pk, msg, sig):
    if len(pk) != 32 or len(sig) != 64:
        return False
    a, r = _point(pk), _point(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pk + msg).digest(),
                       "little") % Q
    return _eq(_mul(s, _G), _add(r, _mul(h, a)))


def key_id(pk):
    return b2b(D_KEYID, pk)[:8]


def fingerprint(pk):
    h = key_id(pk).hex()
    return " ".join(h[i:i + 4] for i in range(0, 16, 4))


def read_public_key(path):
    """The first line that is not an untrusted comment: base64 of "Ed",
    the 8-byte key id and the 32-byte key."""
    with open(path) as f:
        for line in f:
            if line.startswith("untrusted comment:"):
                continue
            raw = base64.b64decode(line.strip(), validate=True)
            break
        else:
            raise ValueError("%s: no key" % path)
    if len(raw) != 42 or raw[:2] != b"Ed" or raw[2:10] != key_id(raw[10:]):
        raise ValueError("%s: not a tmux-audit Ed25519 public key" % path)
    return raw[10:]


class Torn(ValueError):
    pass


def frames(data):
    """Yield (offset, frame, type, seq, time, fields) for each record."""
    off = 8
    while off < len(data):
        if len(data) - off < 4:
            raise Torn("offset %d: torn last record" % off)
        n, = struct.unpack(">I", data[off:off + 4])
        if n < 18 or n > 16 * 1024 * 1024:
            raise ValueError("offset %d: bad record length" % off)
        if len(data) - off < 4 + n:
            raise Torn("offset %d: torn last record" % off)
        frame = data[off:off + 4 + n]
        rtype, seq, time = struct.unpack(">HQQ", frame[4:22])
        fields, p = [], 22
        while p < len(frame):
            tag, flen = struct.unpack(">HI", frame[p:p + 6])
            fields.append((tag, p, frame[p + 6:p + 6 + flen]))
            p += 6 + flen
        if p != len(frame):
            raise ValueError("offset %d: field overruns record" % off)
        yield off, frame, rtype, seq, time, fields
        off += 4 + n


def field(fields, tag):
    for t, _, v in fields:
        if t == tag:
            return v
    return None


def uint(fields, tag):
    v = field(fields, tag)
    return None if v is None else int.from_bytes(v, "big")


def valid_segment_record(fields):
    """Section 11.10, step 2: what a segment record must carry, each
    field at its size, and agree with itself."""
    def size(tag):
        v = field(fields, tag)
        return None if v is None else len(v)
    number = uint(fields, F_SEGMENT)
    if (size(F_RUN) != 16 or size(F_RUN_KEY) != 32 or
            size(F_SIGN_KEY) != 32 or None in (number,
            uint(fields, F_PID), uint(fields, F_START_TIME)) or
            number == 0):
        return False
    first = uint(fields, F_FIRST)
    if (first is not None) != (number == 1) or first not in (None, 1):
        return False
    link = (size(F_PREV_CHAIN), size(F_PREV_SEAL))
    if link != ((None, None) if number == 1 else (32, 64)):
        return False
    return (size(F_HOST_KEY), size(F_CERT)) in ((None, None), (32, 64))


def check_segment(path, host, prev):
    """Verify one segment on its own and against the segment before it
    (prev: what check_segment returned for it, or None). Prints the
    vectors; returns a dict describing the segment, with "ok"."""
    with open(path, "rb") as f:
        data = f.read()
    ok = True
    header = data[:8]
    if header[:7] != b"TMUXAUD" or header[7] != 1:
        raise SystemExit("%s: not a version 1 tmux-audit file" % path)
    chain = b2b(D_START, header)
    print("%s" % path)
    print("header            %s" % header.hex())
    print("c_start           %s" % chain.hex())

    seg = {}
    key = None
    epoch = []          # (seq, digest) since the last seal
    nrec = nseal = 0
    final = False
    sealed = None
    first_index = last_index = None
    records = frames(data)
    while True:
        try:
            off, frame, rtype, seq, time, fields = next(records)
        except StopIteration:
            break
        except ValueError as e:
            # After the closing seal nothing may follow, not even part of
            # a record; before it a record cut short is a torn last one.
            if final:
                print("record after the closing seal: %s" % e)
            else:
                print(e)
            ok = False
            break
        if nrec == 0:
            if rtype != T_SEGMENT or not valid_segment_record(fields):
                raise SystemExit("no valid segment record at offset 8")
            print("segment record    valid")
            run = field(fields, F_RUN)
            run_key = field(fields, F_RUN_KEY)
            key = field(fields, F_SIGN_KEY)
            first = uint(fields, F_FIRST) == 1
            number = uint(fields, F_SEGMENT)
            if first and (number != 1 or key != run_key):
                print("segment 1 is not FIRST or its SIGN_KEY is not RUN_KEY")
                ok = False
            start_time = uint(fields, F_START_TIME)
            if prev is not None:
                # The previous segment of the run, closed by a final seal.
                good = (not first and prev["final"] and
                        run == prev["run"] and number == prev["number"] + 1
                        and field(fields, F_PREV_CHAIN) == prev["chain"]
                        and field(fields, F_PREV_SEAL) == prev["sig"]
                        and key == prev["next_key"] and
                        run_key == prev["run_key"] and
                        start_time == prev["start_time"])
                print("link              segment %d follows segment %d: %s"
                      % (number, prev["number"], "good" if good else "BAD"))
                ok = ok and good
            msg = D_RUNKEY + run + struct.pack(">Q", start_time) + run_key
            good = (field(fields, F_HOST_KEY) == host and
                    ed25519_verify(host, msg, field(fields, F_CERT)))
            print("run key           %s (fingerprint %s)" %
                  (run_key.hex(), fingerprint(run_key)))
            print("run key text      %s" % base64.b64encode(
                b"Ed" + key_id(run_key) + run_key).decode())
            print("host key          %s (fingerprint %s)" %
                  (host.hex(), fingerprint(host)))
            print("certificate       %d-byte message, %s" %
                  (len(msg), "verifies" if good else "DOES NOT VERIFY"))
            ok = ok and good
        elif final:
            print("record after the closing seal at offset %d" % off)
            ok = False
        if rtype == T_SEAL and nrec != 0:
            nseal += 1
            tag, p, sig = fields[-1]
            if tag != F_SIGNATURE or len(sig) != 64 or p + 70 != len(frame):
                raise SystemExit("stripped seal at offset %d" % off)
            signed = D_SEAL + frame[:p]
            good = ed25519_verify(key, signed, sig)
            digests = field(fields, F_DIGESTS)
            want = b"".join(d for _, d in epoch)
            index = uint(fields, F_SEAL_INDEX)
            good = (good and digests == want and
                    uint(fields, F_RECORDS) == len(epoch) and
                    field(fields, F_CHAIN) == chain and
                    field(fields, F_RUN) == run and
                    uint(fields, F_SEGMENT) == number and
                    (index == last_index + 1 if last_index is not None
                     else index == 0 if number == 1 else True))
            if first_index is None:
                first_index = index
            last_index = index
            sealed = seq
            if nseal == 1:
                print("first seal        offset %d, seq %d, %d-byte record"
                      % (off, seq, len(frame)))
                print("  signed message  %d bytes (%d domain + %d record)"
                      % (len(signed), len(D_SEAL), p))
                print("  signature       %s" % sig.hex())
                print("  signing key     %s" % key.hex())
            print("seal %d            index %d, %d records%s, %s" %
                  (nseal, uint(fields, F_SEAL_INDEX), len(epoch),
                   ", closing" if uint(fields, F_FINAL) == 1 else "",
                   "good" if good else "BAD"))
            ok = ok and good
            key = field(fields, F_NEXT_KEY)
            final = uint(fields, F_FINAL) == 1
            seg["sig"] = sig
            epoch = []
        chain = b2b(D_RECORD, chain, frame)
        epoch.append((seq, chain[:8]))
        if nrec < 2:
            print("record %d          offset %d, %d bytes, type %d, seq %d"
                  % (nrec + 1, off, len(frame), rtype, seq))
            print("  c_%d             %s" % (nrec + 1, chain.hex()))
            print("  digest          %s" % chain[:8].hex())
        nrec += 1
    if nseal == 0:
        print("unsigned: no seals")
        ok = False
    if len(epoch) > 1:
        print("unsealed tail: %d records" % (len(epoch) - 1))
        ok = False
    if prev is not None and first_index != prev["last_index"] + 1:
        print("seal indexes do not go on from segment %d" % prev["number"])
        ok = False
    # Counted as show-audit -V counts: the records after the segment
    # record; the seq of the last good seal.
    print("%s: %d records, %d seals%s%s" %
          ("intact" if ok else "NOT INTACT", nrec - 1, nseal,
           ", sealed through seq %d" % sealed if sealed is not None else "",
           ", closed" if final else ""))
    seg.update(ok=ok, run=run, number=number, final=final, chain=chain,
               next_key=key, run_key=run_key, start_time=start_time,
               last_index=last_index)
    return seg


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    pub = os.path.join(here, "host.pub")
    if args[:1] == ["-k"]:
        pub, args = args[1], args[2:]
    if not args:
        args = [os.path.join(here, "vector.tmux-audit")]
    host = read_public_key(pub)
    ok, prev = True, None
    for path in args:
        prev = check_segment(path, host, prev)
        ok = ok and prev["ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
