#!/bin/sh

# Property 2: a truncated file, a torn last record and records after the
# last seal are each reported as such, never as intact. On a real log of
# three segments (typed input, pane output, several seals), cut with
# truncate(2) at offsets computed from the file: inside the last record of
# the last segment, inside that record's length field, inside the last
# record of the middle segment ("torn last record at offset O", with the
# counts of what was read before it); at a record boundary that leaves
# records after the last seal ("unsealed tail: N records (seq A-B)"); the
# middle segment cut just after a seal that is not its closing one
# ("truncated: no closing seal, but segment 3 follows"); the last segment
# cut inside its segment record, and to its header alone. The other
# segments still verify, and show-audit -V exits non-zero.
#
# The last segment cut just after a seal that is not its closing one looks
# exactly like the log of a server still running: it verifies, but is not
# called closed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

make_log 3
cp -a "$LOG" "$TMP/orig"

tamper "untouched" '
t.expect(False, [], [t.intact(x) for x in s])'

tamper "the last segment torn inside its last record" '
last = s[2].records[-1]
t.truncate(s[2].path, last.offset + len(last.raw) // 2)
t.expect(True, [t.damaged(s[2], "torn last record at offset %d" %
    last.offset, len(s[2].records) - 1)], [t.intact(x) for x in s[:2]])'

tamper "the last segment torn inside a length field" '
r = s[2].records[-4]
t.truncate(s[2].path, r.offset + 2)
t.expect(True, [t.damaged(s[2], "torn last record at offset %d" % r.offset,
    len(s[2].records) - 4)], [t.intact(x) for x in s[:2]])'

tamper "the middle segment torn" '
r = s[1].records[-2]
t.truncate(s[1].path, r.offset + 30)
t.expect(True, [t.damaged(s[1], "torn last record at offset %d" % r.offset,
    len(s[1].records) - 2)], [t.intact(s[0]), t.intact(s[2])])'

tamper "records after the last seal" '
seal = s[2].seals()[-2]
i = s[2].records.index(seal)
assert len(s[2].records) - i > 3
t.truncate(s[2].path, s[2].records[-2].offset)
x = t.Segment(s[2].path)
t.expect(True, [t.unsealed_tail(x)], [t.intact(y) for y in s[:2]])'

tamper "the middle segment cut after a seal" '
seal = s[1].seals()[-2]
t.truncate(s[1].path, seal.offset + len(seal.raw))
t.expect(True, ["%s: truncated: no closing seal, but segment 3 follows" %
    s[1].path], [t.intact(s[0]), t.intact(s[2])])'

tamper "the last segment cut inside its segment record" '
t.truncate(s[2].path, 8 + 10)
t.expect(True, ["%s: torn last record at offset 8; 0 records, 0 seals, "
    "sealed through seq 0, unanchored (no host key)" % s[2].path],
    [t.intact(x) for x in s[:2]])'

tamper "the last segment cut to its header" '
t.truncate(s[2].path, 8)
t.expect(True, ["%s: empty: no records; 0 records, 0 seals, sealed through "
    "seq 0, unanchored (no host key)" % s[2].path],
    [t.intact(x) for x in s[:2]])'

tamper "the last segment cut after a seal" '
seal = s[2].seals()[-2]
t.truncate(s[2].path, seal.offset + len(seal.raw))
x = t.Segment(s[2].path)
line = t.intact(x)
assert ", closed" not in line
t.expect(False, [], [t.intact(y) for y in s[:2]] + [line])'
exit 0
