#!/bin/sh

# Property 5: stripping signatures or seals, and forging one, fail
# verification; they never pass silently. On a real log of two segments
# (typed input, pane output, several seals): every seal removed from every
# file ("unsigned: no seals" for each); only the signature field taken out
# of one seal ("stripped seal"); every seal but the first removed from the
# last segment (the records after it are an unsealed tail); a record
# appended after a segment's closing seal; a seal turned into another record
# type (the next seal no longer verifies); an output record turned into a
# seal (a seal with no signature). show-audit -V exits 1 and names each,
# exactly; untouched segments still verify, but a segment after one whose
# closing seal could not be verified is "unlinked": nothing ties its keys
# to the run key any more.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

make_log 2
cp -a "$LOG" "$TMP/orig"

tamper "every seal removed" '
for x in s:
    t.rewrite(x, [r for r in x.records if r.type != t.SEAL])
t.expect(True, ["%s: unsigned: no seals" % x.path for x in s], [])'

tamper "the signature field of one seal removed" '
seal = s[1].seals()[2]
t.rewrite(s[1], [r.without(t.F_SIGNATURE) if r is seal else r
    for r in s[1].records])
t.expect(True, ["%s: stripped seal: the seal at offset %d has no signature"
    % (s[1].path, seal.offset)], [t.intact(s[0])])'

tamper "every seal but the first removed from the last segment" '
first = s[1].seals()[0]
t.rewrite(s[1], [r for r in s[1].records if r.type != t.SEAL or r is first])
x = t.Segment(s[1].path)
assert len(x.seals()) == 1
t.expect(True, [t.unsealed_tail(x)], [t.intact(s[0])])'

tamper "a record appended after the closing seal" '
extra = s[0].records[-2]
t.rewrite(s[0], s[0].records + [extra])
t.expect(True, ["%s: modified: record after the closing seal at offset %d" %
    (s[0].path, s[0].size)], [t.intact(s[1])])'

# A seal retyped as log-stop (5) is an ordinary record to the verifier: the
# next seal is then checked against the key before it and fails.
tamper "a seal turned into another record" '
sl = s[0].seals()
t.flip(s[0].path, sl[2].offset + 5, 7 ^ 5)
t.expect(True, [t.bad_seal(s[0], sl[3].offset, sl[3].seq),
    t.unlinked(s[1], s[0])], [])'

tamper "an output record turned into a seal" '
e = t.sealed_epoch(s[1], min_records=1, types=(t.OUTPUT,))
r = s[1].records[e[0]]
t.flip(s[1].path, r.offset + 5, t.OUTPUT ^ t.SEAL)
t.expect(True, ["%s: stripped seal: the seal at offset %d has no signature"
    % (s[1].path, r.offset)], [t.intact(s[0])])'
exit 0
