#!/bin/sh

# The segments of one run agree with each other (FORMAT.md section 11.10,
# the series), even in a log sealed again by someone with keys of their
# own. On a real log of three segments, sealed again as the writer would
# (tamper.py's reseal, fresh keys, each segment linked to the one before):
# untouched, it is consistent (exit 2); segment 3 with another start_time
# is "foreign segment: start time differs from" segment 1; seal indexes
# that do not go on from segment 2 into segment 3 (all of segment 3's one
# more) make segment 3 "out of order or foreign segment: does not follow"
# segment 2; seal indexes that do not start at 0 in segment 1 make it
# "modified: the first seal at offset O has index 1, not 0", and the
# segments after it unlinked.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

need_cryptography

make_log 3
cp -a "$LOG" "$TMP/orig"

# reseal(edits, indexes) seals the copy again, segment i's record changed
# by edits[i] and its seal indexes moved on by indexes[i].
R='
def reseal(edits=(None, None, None), indexes=(0, 0, 0)):
    sk, run_pk = t.new_key()
    prev = None
    for x, edit, index in zip(s, edits, indexes):
        c, sig, sk, pk = t.reseal(x, sk, run_pk if prev is None else pk,
            prev=prev, run_key=run_pk, edit=edit, index=index)
        prev = (c, sig)
'

tamper "sealed again, untouched" "$R"'
reseal()
t.expect(False, [], [t.intact(x) for x in s])'

tamper "segment 3 with another start time" "$R"'
def later(f):
    return [(k, t.u64(int.from_bytes(v, "big") + 1000000)
        if k == t.F_START_TIME else v) for k, v in f]
reseal(edits=(None, None, later))
t.expect(True, ["%s: foreign segment: start time differs from %s" %
    (s[2].path, s[0].path)], [t.intact(x) for x in s[:2]])'

tamper "seal indexes of segment 3 that do not go on" "$R"'
reseal(indexes=(0, 0, 1))
t.expect(True, ["%s: out of order or foreign segment: does not follow %s" %
    (s[2].path, s[1].path)], [t.intact(x) for x in s[:2]])'

tamper "seal indexes of segment 1 from 1" "$R"'
reseal(indexes=(1, 1, 1))
seal = s[0].seals()[0]
t.expect(True, ["%s: modified: the first seal at offset %d has index 1, "
    "not 0" % (s[0].path, seal.offset), t.unlinked(s[1], s[0]),
    t.unlinked(s[2], s[1], why="not linked")], [])'
exit 0
