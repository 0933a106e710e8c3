# regress/tamper.py: read, change and write tmux-audit segment files, for
# the tamper tests (lib-tamper.sh puts this directory on PYTHONPATH). Not
# a test. It knows only the framing of audit/FORMAT.md: an 8-byte header,
# then records, each a u32 big-endian length L and L bytes (u16 type, u64
# seq, u64 time, then fields: u16 tag, u32 length, value).

import base64
import glob
import hashlib
import os
import struct

HEADER = 8
SEGMENT, SEAL, INPUT, OUTPUT = 1, 7, 48, 49

# Field tags (audit/audit-int.h).
F_PID = 0x1001
F_SEGMENT = 0x1006
F_START_TIME = 0x100a
F_FORMAT = 0x1008
F_PANE = 0x100c
F_SEAL_INDEX = 0x101c
F_FINAL = 0x101d
F_FIRST = 0x101e
F_RECORDS = 0x101f
F_HOST = 0x3002
F_RUN = 0x4001
F_DATA = 0x4002
F_CHAIN = 0x4003
F_DIGESTS = 0x4004
F_NEXT_KEY = 0x4005
F_SIGNATURE = 0x4006
F_SIGN_KEY = 0x4007
F_PREV_CHAIN = 0x4008
F_PREV_SEAL = 0x4009
F_HOST_KEY = 0x400a
F_CERT = 0x400b
F_RUN_KEY = 0x400c

class Record:
    """One record: where it was, its whole frame and what is in it."""

    def __init__(self, offset, raw):
        self.offset = offset
        self.raw = bytes(raw)
        self.type, self.seq, self.time = struct.unpack(">HQQ", raw[4:22])
        self.fields = []            # (tag, offset of value in raw, length)
        p = 22
        while p < len(raw):
            tag, n = struct.unpack(">HI", raw[p:p + 6])
            self.fields.append((tag, p + 6, n))
            p += 6 + n

    def field(self, tag):
        """The value of the first field with this tag, or None."""
        for t, p, n in self.fields:
            if t == tag:
                return self.raw[p:p + n]
        return None

    def uint(self, tag):
        v = self.field(tag)
        return None if v is None else int.from_bytes(v, "big")

    def value_offset(self, tag):
        """Offset in the file of the value of field tag."""
        for t, p, n in self.fields:
            if t == tag:
                return self.offset + p
        raise KeyError("no field %04x in the record at %d" %
                       (tag, self.offset))

    def without(self, tag):
        """The frame with every field tag removed, length fixed."""
        body = self.raw[4:22]
        for t, p, n in self.fields:
            if t != tag:
                body += self.raw[p - 6:p + n]
        return struct.pack(">I", len(body)) + body

    def is_final(self):
        return self.type == SEAL and self.uint(F_FINAL) == 1

    def __repr__(self):
        return "<record type %d seq %d at %d, %d bytes>" % (
            self.type, self.seq, self.offset, len(self.raw))


class Segment:
    """A whole segment file, parsed. Fails on anything but good framing."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            data = f.read()
        if data[:7] != b"TMUXAUD" or len(data) < HEADER:
            raise ValueError("%s: not a tmux audit log" % path)
        self.header = data[:HEADER]
        self.records = []
        off = HEADER
        while off < len(data):
            n, = struct.unpack(">I", data[off:off + 4])
            if off + 4 + n > len(data):
                raise ValueError("%s: torn record at %d" % (path, off))
            self.records.append(Record(off, data[off:off + 4 + n]))
            off += 4 + n
        self.size = off

    @property
    def number(self):
        return self.records[0].uint(F_SEGMENT)

    @property
    def pid(self):
        return self.records[0].uint(F_PID)

    @property
    def run(self):
        return self.records[0].field(F_RUN)

    def seals(self):
        return [r for r in self.records if r.type == SEAL]

    def events(self):
        """Every record but the segment record."""
        return self.records[1:]


def segments(directory):
    """The segment files of a directory in name order, parsed."""
    return [Segment(p) for p in
            sorted(glob.glob(os.path.join(directory, "*.tmux-audit")))]


def write(path, header, records):
    """Write a segment from a header and record frames (bytes or Record)."""
    if os.path.exists(path):
        os.chmod(path, 0o600)
    with open(path, "wb") as f:
        f.write(header)
        for r in records:
            f.write(r.raw if isinstance(r, Record) else r)


def flip(path, offset, mask=0x01):
    """Flip bits of the byte at offset, in place."""
    os.chmod(path, 0o600)
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ mask]))


def truncate(path, size):
    os.chmod(path, 0o600)
    os.truncate(path, size)


def cut_unsealed(seg):
    """
    Cuts the closed segment seg so that records follow its last seal:
    before its closing record (the end record before the closing seal),
    or, where a periodic seal came just before that record (timing: a
    slow server seals between the last output and the end), before the
    closing seal only. Returns the segment as cut.
    """
    recs = seg.records
    assert recs[-1].is_final(), "%s is not closed" % seg.path
    cut = recs[-2] if recs[-3].type != SEAL else recs[-1]
    truncate(seg.path, cut.offset)
    return Segment(seg.path)


def intact(seg, anchored="unanchored (no host key)"):
    """
    The verifier's line for an untouched segment: "intact" when it is
    anchored (-k), "consistent" when nothing anchors it.
    """
    seals = seg.seals()
    return "%s: %s: %d records, %d seals, sealed through seq %d%s, %s" % (
        seg.path, "intact" if anchored.startswith("anchored") else
        "consistent", len(seg.events()), len(seals), seals[-1].seq,
        ", closed" if seals[-1].is_final() else "", anchored)


def counts(recs, anchored):
    """The counts after a tail verdict, over records recs (segment record
    included): records, seals, the last seal's seq if any, the anchor."""
    seals = [r for r in recs if r.type == SEAL]
    sealed = ", sealed through seq %d" % seals[-1].seq if seals else ""
    return "%d records, %d seals%s, %s" % (max(len(recs) - 1, 0), len(seals),
                                           sealed, anchored)


def damaged(seg, why, records, anchored="unanchored (no host key)"):
    """
    The verifier's line for a segment with only a damaged tail: why, then
    the counts over the first records (segment record included) of seg.
    """
    return "%s: %s; %s" % (seg.path, why,
                           counts(seg.records[:records], anchored))


def unlinked(seg, prev=None, number=None, why=None):
    """
    The verifier's line for segment seg, whose link back to the run key
    cannot be made: segment number is not here, or segment prev (a
    Segment) has no verified closing seal (why None) or is not linked
    (why "not linked").
    """
    if prev is None:
        return "%s: unlinked: segment %d is not here" % (seg.path, number)
    if why is None:
        why = "has no verified closing seal"
    else:
        why = "is not linked to the run key"
    return "%s: unlinked: segment %d (%s) %s" % (seg.path, prev.number,
                                                prev.path, why)


def unsealed_tail(seg, anchored="unanchored (no host key)"):
    """The verifier's line for a segment whose last records are unsealed."""
    last = max(i for i, r in enumerate(seg.records) if r.type == SEAL)
    tail = seg.records[last + 1:]
    why = "unsealed tail: %d records (seq %d-%d) after the last seal" % (
        len(tail), tail[0].seq, tail[-1].seq)
    return damaged(seg, why, len(seg.records), anchored)


def sealed_epoch(seg, min_records=4, types=None):
    """
    Indexes (into seg.records) of the records of a sealed epoch: the
    records between two seals, the later one not the segment's first.
    Returns the first epoch with at least min_records records (of the
    given types, if any), as a list of indexes.
    """
    start = None
    for i, r in enumerate(seg.records):
        if r.type != SEAL:
            continue
        if start is not None:
            idx = [j for j in range(start + 1, i)
                   if types is None or seg.records[j].type in types]
            if len(idx) >= min_records:
                return idx
        start = i
    raise ValueError("%s: no sealed epoch of %d records" %
                     (seg.path, min_records))


def bad_record(seg, r):
    """The verifier's line for a segment whose first bad record is r."""
    return "%s: modified: first bad record seq %d at offset %d" % (
        seg.path, r.seq, r.offset)


def bad_seal(seg, offset, seq):
    """The verifier's line for a seal whose signature does not verify."""
    return "%s: modified: bad signature on the seal at offset %d (seq %d)" % (
        seg.path, offset, seq)


def rewrite(seg, records):
    write(seg.path, seg.header, records)


def expect(bad, err, out):
    """
    Write what show-audit -V must do for lib-tamper.sh's tamper: exit 1 if
    bad, else 0 if every line of out says intact (anchored with -k) and 2
    if not (consistent, but nothing anchors it), and print exactly the
    lines err on stderr and out on stdout.
    """
    base = os.environ["TAMPER_EXPECT"]
    if bad:
        rc = 1
    elif all(": intact: " in line for line in out):
        rc = 0
    else:
        rc = 2
    with open(base + ".rc", "w") as f:
        f.write("%d\n" % rc)
    for name, lines in (("err", err), ("out", out)):
        with open(base + "." + name, "w") as f:
            f.write("".join(line + "\n" for line in lines))



def key_id(pk):
    """The eight-byte id of a public key (audit-seal.c, audit_key_id)."""
    return hashlib.blake2b(b"tmux-audit key id v1\0" + pk,
                           digest_size=32).digest()[:8]


def fingerprint(pk):
    """A public key's fingerprint: its id as four groups of hex."""
    h = key_id(pk).hex()
    return " ".join(h[i:i + 4] for i in range(0, 16, 4))


def key_text(pk):
    """The one-line text form of a public key: base64 of Ed, id, key."""
    return base64.b64encode(b"Ed" + key_id(pk) + pk).decode()


def read_public(path):
    """The public key of a .pub file, checked against its own id."""
    with open(path) as f:
        lines = f.read().splitlines()
    raw = base64.b64decode(lines[1], validate=True)
    if len(lines) != 2 or raw[:2] != b"Ed" or len(raw) != 42 or \
       raw[2:10] != key_id(raw[10:]):
        raise ValueError("%s: not a public key file" % path)
    return raw[10:]


# Forgery: what someone who can write the files, but has none of the
# erased secret keys, can do. Needs the cryptography package.

KEY_FIELDS = (F_FIRST, F_RUN_KEY, F_SIGN_KEY, F_PREV_CHAIN, F_PREV_SEAL,
              F_HOST_KEY, F_CERT)


def hash_start(header):
    return hashlib.blake2b(b"tmux-audit start v1\0" + header,
                           digest_size=32).digest()


def hash_record(chain, frame):
    return hashlib.blake2b(b"tmux-audit record v1\0" + chain + frame,
                           digest_size=32).digest()


def frame(rtype, seq, time, fields):
    """A record from its type, seq, time and (tag, bytes) fields."""
    body = struct.pack(">HQQ", rtype, seq, time)
    for tag, v in fields:
        body += struct.pack(">HI", tag, len(v)) + v
    return struct.pack(">I", len(body)) + body


def u64(v):
    return v.to_bytes(8, "big")


def new_key():
    """A fresh Ed25519 key: (private key, 32-byte public key)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives import serialization
    sk = ed25519.Ed25519PrivateKey.generate()
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return sk, pk


def reseal(seg, sk, pk, prev=None, run_key=None, host=None, keep=False,
           after=0, edit=None, index=0, number=None):
    """
    Rewrite a segment as the writer would, with the records it has now
    (changed as they may be), sealing with the key sk (public key pk) and
    a fresh key after each seal. The segment record gets run_key (default:
    pk), sign_key pk, prev_chain and prev_seal from prev (the (chain,
    signature) the previous segment closed with; default: as they were),
    and the host key and certificate given as host, a pair of bytes, or
    kept as they were if keep. With after N, the segment record and the
    first N seals are kept as they are, and only the later seals are made
    again (with sk first). edit, if given, is called with the list of the
    new segment record's (tag, bytes) fields and returns the list to
    write; index is added to every seal's seal_index; number, if given,
    is the segment number of the record and the seals. Returns the chain
    and signature of the closing seal and the key pair it named next, for
    the next segment.
    """
    old = seg.records[0]
    fields = [(t, old.raw[p:p + n]) for t, p, n in old.fields
              if t not in KEY_FIELDS]
    if old.field(F_FIRST) is not None:
        fields.append((F_FIRST, u64(1)))
    fields += [(F_RUN_KEY, run_key or pk), (F_SIGN_KEY, pk)]
    if old.field(F_PREV_CHAIN) is not None:
        c, s = prev or (old.field(F_PREV_CHAIN), old.field(F_PREV_SEAL))
        fields += [(F_PREV_CHAIN, c), (F_PREV_SEAL, s)]
    if keep and old.field(F_HOST_KEY) is not None:
        host = (old.field(F_HOST_KEY), old.field(F_CERT))
    if host is not None:
        fields += [(F_HOST_KEY, host[0]), (F_CERT, host[1])]
    if number is not None:
        fields = [(t, u64(number) if t == F_SEGMENT else v)
                  for t, v in fields]
    if edit is not None:
        fields = edit(fields)
    if after > 0:
        out = [old.raw]
    else:
        out = [frame(SEGMENT, old.seq, old.time, fields)]

    chain = hash_record(hash_start(seg.header), out[0])
    digests = [chain[:8]]
    sig = None
    seals = 0
    for r in seg.records[1:]:
        if r.type == SEAL and seals < after:
            seals += 1
            out.append(r.raw)
            chain = hash_record(chain, r.raw)
            digests = [chain[:8]]
            continue
        if r.type != SEAL:
            out.append(r.raw)
            chain = hash_record(chain, r.raw)
            digests.append(chain[:8])
            continue
        next_sk, next_pk = new_key()
        f = [(F_SEAL_INDEX, u64(r.uint(F_SEAL_INDEX) + index)),
             (F_RUN, r.field(F_RUN)),
             (F_SEGMENT, r.field(F_SEGMENT) if number is None else
              u64(number)), (F_RECORDS, u64(len(digests)))]
        if r.is_final():
            f.append((F_FINAL, u64(1)))
        f += [(F_CHAIN, chain), (F_DIGESTS, b"".join(digests)),
              (F_NEXT_KEY, next_pk), (F_SIGNATURE, bytes(64))]
        fr = frame(SEAL, r.seq, r.time, f)
        sig = sk.sign(b"tmux-audit seal v1\0" + fr[:-70])
        fr = fr[:-64] + sig
        out.append(fr)
        chain = hash_record(chain, fr)
        digests = [chain[:8]]
        sk, pk = next_sk, next_pk
    rewrite(seg, out)
    return chain, sig, sk, pk


def change_data(seg, r, old, new):
    """Replace bytes old by new (same length) in the data of record r."""
    assert len(old) == len(new)
    i = seg.records.index(r)
    data = r.field(F_DATA)
    assert old in data, (old, data)
    p = r.value_offset(F_DATA) - r.offset
    raw = r.raw[:p] + data.replace(old, new, 1) + r.raw[p + len(data):]
    seg.records[i] = Record(r.offset, raw)
    return seg.records[i]
