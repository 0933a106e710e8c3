#!/bin/sh

# Property 1: nothing in the sealed part of a segment can be changed,
# inserted, deleted or reordered without show-audit -V naming the first bad
# record, by its seq and byte offset, and exiting 1; the other segment
# still verifies on its own, but when the first segment is the damaged one,
# the second is "unlinked": its keys reach the run key only through the
# first's closing seal, which was not verified. On a real log of two
# segments with typed input,
# pane output and several seals, each case a fresh copy changed by Python
# (regress/tamper.py), the expected lines computed from the file: one bit
# of a record's data, of a record's time, of the segment record; a record
# deleted, the last record before a seal deleted, two records swapped, a
# record duplicated, a forged output record inserted, a record moved over a
# seal into the epoch before; one bit of a seal's signature and of its
# digests; a seal deleted; a record length made impossible (also in a
# directory with spaces in its name). The untouched log verifies
# consistent (there is no host key).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

make_log 2
cp -a "$LOG" "$TMP/orig"

tamper "untouched" '
t.expect(False, [], [t.intact(x) for x in s])'

tamper "one bit of an input record's data" '
e = t.sealed_epoch(s[0], types=(t.INPUT,))
r = s[0].records[e[1]]
t.flip(s[0].path, r.value_offset(t.F_DATA))
t.expect(True, [t.bad_record(s[0], r), t.unlinked(s[1], s[0])], [])'

tamper "one bit of an output record's data, last segment" '
e = t.sealed_epoch(s[1], min_records=1, types=(t.OUTPUT,))
r = s[1].records[e[-1]]
t.flip(s[1].path, r.value_offset(t.F_DATA) + len(r.field(t.F_DATA)) - 1, 0x20)
t.expect(True, [t.bad_record(s[1], r)], [t.intact(s[0])])'

tamper "one bit of a record's time" '
e = t.sealed_epoch(s[0])
r = s[0].records[e[2]]
t.flip(s[0].path, r.offset + 21)
t.expect(True, [t.bad_record(s[0], r), t.unlinked(s[1], s[0])], [])'

tamper "one bit of the host in segment 2's segment record" '
r = s[1].records[0]
t.flip(s[1].path, r.value_offset(t.F_HOST))
t.expect(True, [t.bad_record(s[1], r)], [t.intact(s[0])])'

# A record deleted: the first bad record is the one that now stands where
# it stood.
tamper "a record deleted" '
e = t.sealed_epoch(s[0])
recs = list(s[0].records)
gone, nxt = recs[e[1]], recs[e[2]]
del recs[e[1]]
t.rewrite(s[0], recs)
t.expect(True, ["%s: modified: first bad record seq %d at offset %d" %
    (s[0].path, nxt.seq, gone.offset), t.unlinked(s[1], s[0])], [])'

# The last record before a seal deleted: every record the seal lists is
# there and good, but not all of them.
tamper "the last record before a seal deleted" '
e = t.sealed_epoch(s[1])
recs = list(s[1].records)
gone, seal = recs[e[-1]], recs[e[-1] + 1]
assert seal.type == t.SEAL
del recs[e[-1]]
t.rewrite(s[1], recs)
t.expect(True, ["%s: modified: records missing before the seal at offset %d"
    % (s[1].path, seal.offset - len(gone.raw))], [t.intact(s[0])])'

tamper "two records swapped" '
e = t.sealed_epoch(s[0])
recs = list(s[0].records)
a, b = recs[e[1]], recs[e[3]]
recs[e[1]], recs[e[3]] = b, a
t.rewrite(s[0], recs)
t.expect(True, ["%s: modified: first bad record seq %d at offset %d" %
    (s[0].path, b.seq, a.offset), t.unlinked(s[1], s[0])], [])'

tamper "a record duplicated" '
e = t.sealed_epoch(s[0])
recs = list(s[0].records)
r = recs[e[1]]
recs.insert(e[1] + 1, r)
t.rewrite(s[0], recs)
t.expect(True, ["%s: modified: first bad record seq %d at offset %d" %
    (s[0].path, r.seq, r.offset + len(r.raw)), t.unlinked(s[1], s[0])], [])'

# A forged output record, a copy of a real one with other data, put in
# front of the real one.
tamper "a forged output record inserted" '
e = t.sealed_epoch(s[1], min_records=1, types=(t.OUTPUT,))
real = s[1].records[e[0]]
i = real.value_offset(t.F_DATA) - real.offset
forged = bytearray(real.raw)
forged[i] ^= 0x01
recs = list(s[1].records)
recs.insert(e[0], bytes(forged))
t.rewrite(s[1], recs)
t.expect(True, ["%s: modified: first bad record seq %d at offset %d" %
    (s[1].path, real.seq, real.offset)], [t.intact(s[0])])'

# The first record after a seal moved in front of that seal: the seal now
# covers one record more than it lists; that record is the first bad one.
tamper "a record moved over a seal" '
e = t.sealed_epoch(s[0])
recs = list(s[0].records)
seal = recs[e[0] - 1]
assert seal.type == t.SEAL and recs.index(seal) == e[0] - 1
moved = recs.pop(e[0])
recs.insert(e[0] - 1, moved)
t.expect(True, ["%s: modified: first bad record seq %d at offset %d" %
    (s[0].path, moved.seq, seal.offset), t.unlinked(s[1], s[0])], [])
t.rewrite(s[0], recs)'

tamper "one bit of a seal's signature" '
seal = s[0].seals()[2]
t.flip(s[0].path, seal.value_offset(t.F_SIGNATURE) + 17)
t.expect(True, [t.bad_seal(s[0], seal.offset, seal.seq),
    t.unlinked(s[1], s[0])], [])'

tamper "one bit of a seal's digests" '
seal = s[1].seals()[1]
t.flip(s[1].path, seal.value_offset(t.F_DIGESTS) + 9)
t.expect(True, [t.bad_seal(s[1], seal.offset, seal.seq)], [t.intact(s[0])])'

# A seal deleted: the next seal is not signed by the key the seal before
# named.
tamper "a seal deleted" '
sl = s[0].seals()
gone, nxt = sl[2], sl[3]
t.rewrite(s[0], [r for r in s[0].records if r is not gone])
t.expect(True, [t.bad_seal(s[0], nxt.offset - len(gone.raw), nxt.seq),
    t.unlinked(s[1], s[0])], [])'

tamper "a record length made impossible" '
e = t.sealed_epoch(s[0])
r = s[0].records[e[1]]
with open(s[0].path, "r+b") as f:
    f.seek(r.offset)
    f.write((5).to_bytes(4, "big"))
t.expect(True, ["%s: modified: offset %d: bad record length 5" %
    (s[0].path, r.offset), t.unlinked(s[1], s[0])], [])'

# The same in a directory whose name has spaces: the path is printed once,
# whole.
CASE="a log dir"
tamper "a record length made impossible, spaces in the path" '
e = t.sealed_epoch(s[0])
r = s[0].records[e[1]]
with open(s[0].path, "r+b") as f:
    f.seek(r.offset)
    f.write((5).to_bytes(4, "big"))
t.expect(True, ["%s: modified: offset %d: bad record length 5" %
    (s[0].path, r.offset), t.unlinked(s[1], s[0])], [])'
exit 0
