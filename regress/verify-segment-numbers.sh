#!/bin/sh

# Segment numbers past 999999 (FORMAT.md section 1): the number in a file
# name is zero-padded to six digits and has seven from segment 1000000 on,
# and files are read in name order but a run's segments in number order.
# A real log of two segments, sealed again (tamper.py's reseal) as
# segments 999999 and 1000000 of its run, under those names: show-audit
# -V takes the names as right, says segments 1-999998 are missing (so
# 999999 is unlinked, and 1000000 after it), and prints 999999 first;
# show-audit -d reads 999999 before 1000000, though "_1000000" sorts
# first by name. Segment 999999 named with seven digits ("_0999999") is
# "out of order or foreign segment".

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

need_cryptography

make_log 2
cp -a "$LOG" "$TMP/orig"

R='
import os
def link(f):
    f = [x for x in f if x[0] != t.F_FIRST]
    return f + [(t.F_PREV_CHAIN, os.urandom(32)),
        (t.F_PREV_SEAL, os.urandom(64))]
sk, run_pk = t.new_key()
c, sig, sk, pk = t.reseal(s[0], sk, run_pk, number=999999, edit=link)
t.reseal(s[1], sk, pk, prev=(c, sig), run_key=run_pk, number=1000000)
def rename(x, old, new):
    path = x.path.replace(old, new)
    os.rename(x.path, path)
    return t.Segment(path)
'

tamper "segments 999999 and 1000000" "$R"'
a = rename(s[0], "_000001.", "_999999.")
b = rename(s[1], "_000002.", "_1000000.")
t.expect(True, ["%s: missing segment: segments 1-999998 of this run are "
    "not here" % a.path, t.unlinked(a, number=999998),
    t.unlinked(b, a, why="not linked")], [])'
"$TMUX_BIN" show-audit -J -d "$TMP/case" | python3 -c '
import json, sys
print(" ".join(str(r["segment"]) for r in map(json.loads, sys.stdin)
    if r["type"] == "segment"))' >"$TMP/order" || fail "show-audit -d failed"
assert_eq "show-audit -d, the segments in order" "999999 1000000" \
    "$(cat "$TMP/order")"

tamper "segment 999999 named with seven digits" "$R"'
a = rename(s[0], "_000001.", "_0999999.")
b = rename(s[1], "_000002.", "_1000000.")
t.expect(True, ["%s: missing segment: segments 1-999998 of this run are "
    "not here" % a.path, "%s: out of order or foreign segment: the file "
    "holds segment 999999 of pid %d" % (a.path, a.pid),
    t.unlinked(b, a, why="not linked")], [])'
exit 0
