#!/bin/sh

# What show-audit -V requires of a segment record (FORMAT.md section 11.10,
# step 2) holds even for a log sealed again by someone with keys of their
# own, who can make every seal fit whatever the record says. On a real log
# of two segments, sealed again as the writer would (tamper.py's reseal,
# fresh keys, segment 2 linked to segment 1), with the segment record of
# one segment changed so: segment 1 without first, first 2 instead of 1,
# segment 1 with links to a segment before it; segment 2 with first,
# without prev_seal, without both links; a host key without a
# certificate, a certificate without a host key, a host key of 31 bytes, a
# certificate of 65 bytes; segment number 0. Each is "modified: no valid
# segment record at offset 8": such a segment is in no run, so the other
# segment, if it is segment 2, is after a missing segment 1 and unlinked.
# Segment 1 sealed under a key that is not the run key is "modified: first
# segment not signed by the run key". Sealed again untouched, the log is
# consistent (exit 2): nothing anchors it.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

need_cryptography

make_log 2
cp -a "$LOG" "$TMP/orig"

# reseal(edit1, edit2) seals the copy again, the segment records changed by
# the functions edit1 and edit2 of their fields; without(tags) and
# plus(fields) make such functions. first_bad() and second_bad() expect
# segment 1 or 2 to have no valid segment record.
R='
import os
def reseal(edit1=None, edit2=None, run_key=None):
    sk, run_pk = t.new_key()
    c, sig, sk, pk = t.reseal(s[0], sk, run_pk, edit=edit1,
        run_key=run_key)
    t.reseal(s[1], sk, pk, prev=(c, sig), run_key=run_key or run_pk,
        edit=edit2)
def without(*tags):
    return lambda f: [x for x in f if x[0] not in tags]
def plus(*more):
    return lambda f: f + list(more)
def first_bad():
    t.expect(True, ["%s: missing segment: segments 1-1 of this run are "
        "not here" % s[1].path, "%s: modified: no valid segment record at "
        "offset 8" % s[0].path, t.unlinked(s[1], number=1)], [])
def second_bad():
    t.expect(True, ["%s: modified: no valid segment record at offset 8" %
        s[1].path], [t.intact(s[0])])
'

tamper "sealed again, untouched" "$R"'
reseal()
t.expect(False, [], [t.intact(x) for x in s])'

tamper "segment 1 without first" "$R"'
reseal(edit1=without(t.F_FIRST))
first_bad()'

tamper "segment 1 with first 2" "$R"'
reseal(edit1=lambda f: [(k, t.u64(2) if k == t.F_FIRST else v)
    for k, v in f])
first_bad()'

tamper "segment 1 with links" "$R"'
reseal(edit1=plus((t.F_PREV_CHAIN, bytes(32)), (t.F_PREV_SEAL, bytes(64))))
first_bad()'

tamper "segment 0" "$R"'
reseal(edit1=lambda f: [(k, t.u64(0) if k == t.F_SEGMENT else v)
    for k, v in f if k != t.F_FIRST])
first_bad()'

tamper "segment 2 with first" "$R"'
reseal(edit2=plus((t.F_FIRST, t.u64(1))))
second_bad()'

tamper "segment 2 without prev_seal" "$R"'
reseal(edit2=without(t.F_PREV_SEAL))
second_bad()'

tamper "segment 2 without its links" "$R"'
reseal(edit2=without(t.F_PREV_CHAIN, t.F_PREV_SEAL))
second_bad()'

tamper "a host key without a certificate" "$R"'
reseal(edit1=plus((t.F_HOST_KEY, os.urandom(32))))
first_bad()'

tamper "a certificate without a host key" "$R"'
reseal(edit1=plus((t.F_CERT, os.urandom(64))))
first_bad()'

tamper "a host key of 31 bytes" "$R"'
reseal(edit1=plus((t.F_HOST_KEY, os.urandom(31)), (t.F_CERT,
    os.urandom(64))))
first_bad()'

tamper "a certificate of 65 bytes" "$R"'
reseal(edit1=plus((t.F_HOST_KEY, os.urandom(32)), (t.F_CERT,
    os.urandom(65))))
first_bad()'

# The seals fit, but the first is not signed by the run key: no segment
# of the run is tied to it.
tamper "segment 1 not signed by the run key" "$R"'
reseal(run_key=t.new_key()[1])
t.expect(True, ["%s: modified: first segment not signed by the run key" %
    s[0].path, t.unlinked(s[1], s[0])], [])'
exit 0
