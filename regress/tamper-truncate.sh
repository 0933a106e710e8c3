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
# cut inside its segment record, and to its header alone (counts without
# "sealed through": nothing was sealed); the middle segment cut inside its
# segment record (it is in no run, so segment 2 is missing); part of a
# record appended after the closing seal ("modified": the server writes
# nothing there, so it is not a crash). The other segments still verify,
# but one after a segment with no verified closing seal is "unlinked", and
# show-audit -V exits 1.
#
# The last segment cut just after a seal that is not its closing one looks
# exactly like the log of a server still running: it verifies (consistent:
# exit 2, as there is no host key), but is not called closed.

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
    len(s[1].records) - 2), t.unlinked(s[2], s[1])], [t.intact(s[0])])'

tamper "records after the last seal" '
x = t.cut_unsealed(s[2])
t.expect(True, [t.unsealed_tail(x)], [t.intact(y) for y in s[:2]])'

tamper "the middle segment cut after a seal" '
seal = s[1].seals()[-2]
t.truncate(s[1].path, seal.offset + len(seal.raw))
t.expect(True, ["%s: truncated: no closing seal, but segment 3 follows" %
    s[1].path, t.unlinked(s[2], s[1])], [t.intact(s[0])])'

tamper "the last segment cut inside its segment record" '
t.truncate(s[2].path, 8 + 10)
t.expect(True, ["%s: torn last record at offset 8; 0 records, 0 seals, "
    "unanchored (no host key)" % s[2].path], [t.intact(x) for x in s[:2]])'

# A file with no segment record is in no run: the series goes on without
# it.
tamper "the middle segment cut inside its segment record" '
t.truncate(s[1].path, 8 + 100)
t.expect(True, ["%s: missing segment: between segment 1 (%s) and segment 3"
    % (s[2].path, s[0].path), "%s: torn last record at offset 8; 0 records, "
    "0 seals, unanchored (no host key)" % s[1].path,
    t.unlinked(s[2], number=2)], [t.intact(s[0])])'

tamper "the last segment cut to its header" '
t.truncate(s[2].path, 8)
t.expect(True, ["%s: empty: no records; 0 records, 0 seals, unanchored (no "
    "host key)" % s[2].path], [t.intact(x) for x in s[:2]])'

# Nothing is written after a closing seal, so bytes there, even too few
# for a record, are not a crash but a change.
tamper "part of a record after the closing seal" '
with open(s[2].path, "ab") as f:
    f.write(s[2].records[1].raw[:10])
t.expect(True, ["%s: modified: record after the closing seal at offset %d" %
    (s[2].path, s[2].size)], [t.intact(x) for x in s[:2]])'

tamper "the last segment cut after a seal" '
seal = s[2].seals()[-2]
t.truncate(s[2].path, seal.offset + len(seal.raw))
x = t.Segment(s[2].path)
line = t.intact(x)
assert ", closed" not in line
t.expect(False, [], [t.intact(y) for y in s[:2]] + [line])'
exit 0
