#!/bin/sh

# Property 4, the anchor: a run's first key is certified by the host audit
# key (audit-log-key, made by show-audit -G), and show-audit -V -k PUBKEY
# accepts only runs certified by that key. Whoever rewrites a whole log
# and seals it again with keys of their own (here: the log of another
# server run put in its place, certified by another host key or by none)
# gets a log that verifies on its own just as the genuine one does
# ("consistent ..., unanchored", exit 2) but fails with -k ("wrong key
# ...", exit 1); the genuine log verifies "intact ..., anchored" with -k
# (exit 0), given as the .pub file or as its base64 line (one with a "/"
# in it). A verdict other than intact says "anchored" only for a file
# whose run key was checked and found certified, and "not anchored" for
# one of a run that is not certified. Also: -G
# writes FILE (0600) and FILE.pub (0644) with the fingerprint in the
# comment; -K prints each run's key and who certified it; -k refuses what
# is not a key.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

# Host keys: a real one and another. The real one has a "/" in its text
# form (most keys do), for -k LINE below.
i=0
while :; do
	"$TMUX_BIN" show-audit -G "$TMP/host" || fail "show-audit -G failed"
	case "$(tail -n 1 "$TMP/host.pub")" in
	*/*)	break ;;
	esac
	i=$((i + 1))
	[ $i -lt 100 ] || fail "no key with a / in 100 tries"
	rm -f "$TMP/host" "$TMP/host.pub"
done
"$TMUX_BIN" show-audit -G "$TMP/other" || fail "show-audit -G failed"
assert_eq "mode of the secret key" 600 "$(stat -c %a "$TMP/host")"
assert_eq "mode of the public key" 644 "$(stat -c %a "$TMP/host.pub")"
FP=$(python3 -c 'import sys, tamper as t
print(t.fingerprint(t.read_public(sys.argv[1])))' "$TMP/host.pub") ||
    fail "bad public key file"
assert_eq "comment of the public key" \
    "untrusted comment: tmux-audit host public key $FP ($(hostname))" \
    "$(head -n 1 "$TMP/host.pub")"
out=$("$TMUX_BIN" show-audit -G "$TMP/host" 2>&1) &&
    fail "show-audit -G over an existing key exited 0"
assert_eq "show-audit -G over an existing key" "$TMP/host: File exists" "$out"
export FP

# The genuine run A, certified by the host key; B, certified by the other
# key; C, with no host key.
LOG=$TMP/logB
make_log 1 "set -s audit-log-key $TMP/other"
LOG=$TMP/logC
make_log 2
LOG=$TMP/log
make_log 2 "set -s audit-log-key $TMP/host"
cp -a "$LOG" "$TMP/orig"
B=$TMP/logB
C=$TMP/logC
export B C

tamper "the genuine log, no -k" '
import os
a = "unanchored (certified by host key %s, not checked: use -k)" % \
    os.environ["FP"]
t.expect(False, [], [t.intact(x, a) for x in s])'

tamper "the genuine log, -k FILE.pub" '
import os
a = "anchored (host key %s)" % os.environ["FP"]
t.expect(False, [], [t.intact(x, a) for x in s])' -k "$TMP/host.pub"

# The log replaced by one sealed with other keys.
for other in B C; do
	ORIG=$TMP/log$other
	tamper "log $other in its place, no -k" '
import os
x = t.segments(d)
h = x[0].records[0].field(t.F_HOST_KEY)
a = "unanchored (no host key)" if h is None else \
    "unanchored (certified by host key %s, not checked: use -k)" % \
    t.fingerprint(h)
t.expect(False, [], [t.intact(y, a) for y in x])'
	tamper "log $other in its place, -k" '
import os
t.expect(True, ["%s: wrong key: the run is not certified by host key %s" %
    (y.path, os.environ["FP"]) for y in t.segments(d)], [])' \
	    -k "$TMP/host.pub"
done
ORIG=$TMP/orig

# "anchored" only where it was checked. A segment with an unsealed tail
# is reported as such, with -k: in the genuine run, "anchored"; in run C,
# not certified, "not anchored", like the first segment's "wrong key".
tamper "the genuine log, an unsealed tail, -k" '
import os
x = t.cut_unsealed(s[1])
a = "anchored (host key %s)" % os.environ["FP"]
t.expect(True, [t.unsealed_tail(x, a)], [t.intact(s[0], a)])' \
    -k "$TMP/host.pub"
ORIG=$TMP/logC
tamper "log C, an unsealed tail, -k" '
import os
x = t.cut_unsealed(s[1])
t.expect(True, ["%s: wrong key: the run is not certified by host key %s" %
    (s[0].path, os.environ["FP"]), t.unsealed_tail(x, "not anchored (not "
    "certified by host key %s)" % os.environ["FP"])], [])' -k "$TMP/host.pub"
ORIG=$TMP/orig

# Run C's first segment put beside the genuine ones: alone it verifies, but
# it is not certified.
tamper "a run without a host key added, -k" '
import os, shutil
c = t.segments(os.environ["C"])[0]
shutil.copy(c.path, d)
c = t.Segment(os.path.join(d, os.path.basename(c.path)))
a = "anchored (host key %s)" % os.environ["FP"]
t.expect(True, ["%s: wrong key: the run is not certified by host key %s" %
    (c.path, os.environ["FP"])], [t.intact(x, a) for x in s])' \
    -k "$TMP/host.pub"

# -K: each run's first key, its fingerprint, and who certified it.
"$TMUX_BIN" show-audit -K -d "$LOG" >"$TMP/keys" 2>&1 ||
    fail "show-audit -K failed: $(cat "$TMP/keys")"
"$TMUX_BIN" show-audit -K -d "$C" >>"$TMP/keys" 2>&1 ||
    fail "show-audit -K failed: $(cat "$TMP/keys")"
python3 -c '
import os, sys, tamper as t
for d, host in ((sys.argv[1], "certified by host key " + os.environ["FP"]),
                (os.environ["C"], "not certified")):
    r = t.segments(d)[0].records[0]
    k = r.field(t.F_RUN_KEY)
    print("run %s key %s (%s), %s" % (r.field(t.F_RUN).hex(), t.key_text(k),
        t.fingerprint(k), host))' "$LOG" >"$TMP/keys.expected" ||
    fail "python3 failed"
assert_eq "show-audit -K" "$(cat "$TMP/keys.expected")" "$(cat "$TMP/keys")"

# Not keys.
verify "$LOG" -k "not-a-key"
[ "$VRC" -ne 0 ] || fail "-k not-a-key exited 0"
assert_eq "-k not-a-key" "public key not-a-key: not a tmux-audit Ed25519 key" \
    "$(cat "$TMP/v.err")"

# The key given as its base64 line, one with a "/" in it (base64 has "/"
# and "+"): a key, not a path.
case "$(tail -n 1 "$TMP/host.pub")" in
*/*)	;;
*)	fail "the host key line has no /" ;;
esac
tamper "the genuine log, -k LINE" '
import os
a = "anchored (host key %s)" % os.environ["FP"]
t.expect(False, [], [t.intact(x, a) for x in s])' \
    -k "$(tail -n 1 "$TMP/host.pub")"
bad=$(python3 -c 'import base64, sys
raw = bytearray(base64.b64decode(open(sys.argv[1]).read().split()[-1]))
raw[20] ^= 1
print(base64.b64encode(bytes(raw)).decode())' "$TMP/host.pub")
verify "$LOG" -k "$bad"
[ "$VRC" -ne 0 ] || fail "-k with a changed key exited 0"
assert_eq "-k with a changed key" \
    "public key $bad: key id does not match the key" "$(cat "$TMP/v.err")"
exit 0
