#!/bin/sh

# Property 4, forward security, with real forgeries: whoever can rewrite the
# files and holds keys of their own, but not the secret keys the server
# erased after each seal, cannot change what was sealed without
# show-audit -V noticing; with the host key as anchor (-k) not even by
# sealing the whole log again. Python (the cryptography package) changes
# the output of a typed command and then, as the writer would, recomputes
# the hash chain, digests and seals and signs them with fresh Ed25519 keys:
#
# - every segment sealed again under a new run key: the log verifies on its
#   own just as the genuine one does ("consistent ..., unanchored (no host
#   key)", exit 2), and fails with -k ("wrong key");
# - taking over at time T (keys from then on): the seals before T kept,
#   the changed record's seal and the later ones signed again: "bad
#   signature" on the first seal signed again, with or without -k, and the
#   segment after it is "unlinked" (its keys were signed again too);
# - segment 2 alone sealed again, its links kept: it no longer follows
#   segment 1 ("out of order or foreign segment: does not follow");
# - every segment sealed again, keeping the genuine host key and
#   certificate, which do not certify the new run key: "wrong key" with -k,
#   and without -k an error about the certificate, not "no host key".

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

need_cryptography

"$TMUX_BIN" show-audit -G "$TMP/host" || fail "show-audit -G failed"
FP=$(python3 -c 'import sys, tamper as t
print(t.fingerprint(t.read_public(sys.argv[1])))' "$TMP/host.pub") ||
    fail "bad public key file"
export FP
make_log 2 "set -s audit-log-key $TMP/host"
cp -a "$LOG" "$TMP/orig"

# The change every forgery makes: TAMPER-1-b-42 printed as TAMPER-1-b-43.
CHANGE='
r = [r for r in s[0].records if r.type == t.OUTPUT and
    b"TAMPER-1-b-42" in r.field(t.F_DATA)][0]
r = t.change_data(s[0], r, b"TAMPER-1-b-42", b"TAMPER-1-b-43")
'
UNCHECKED='unanchored (certified by host key %s, not checked: use -k)'
export UNCHECKED

tamper "untouched" '
import os
t.expect(False, [], [t.intact(x, os.environ["UNCHECKED"] % os.environ["FP"])
    for x in s])'

RESEAL_ALL='
sk, run_pk = t.new_key()
c, sig, sk, pk = t.reseal(s[0], sk, run_pk)
t.reseal(s[1], sk, pk, prev=(c, sig), run_key=run_pk)
'
tamper "sealed again under a new run key" "$CHANGE$RESEAL_ALL"'
x = t.segments(d)
assert b"TAMPER-1-b-43" in b"".join(r.raw for r in x[0].records)
t.expect(False, [], [t.intact(y) for y in x])'
tamper "sealed again under a new run key, -k" "$CHANGE$RESEAL_ALL"'
import os
t.expect(True, ["%s: wrong key: the run is not certified by host key %s" %
    (y.path, os.environ["FP"]) for y in s], [])' -k "$TMP/host.pub"

# Taken over at T, after the seal that covers the changed record: that
# seal and every later one are signed again, from the first after T on
# with a key that could be the one the server held at T.
TAKEOVER='
i = s[0].records.index(r)
after = len([x for x in s[0].records[:i] if x.type == t.SEAL])
seal = [x for x in s[0].records[i:] if x.type == t.SEAL][0]
sk, pk = t.new_key()
t.reseal(s[0], sk, pk, after=after)
bad = t.bad_seal(s[0], seal.offset, seal.seq)
'
tamper "taken over at T" "$CHANGE$TAKEOVER"'
t.expect(True, [bad, t.unlinked(s[1], s[0])], [])'
tamper "taken over at T, -k" "$CHANGE$TAKEOVER"'
t.expect(True, [bad, t.unlinked(s[1], s[0])], [])' -k "$TMP/host.pub"

tamper "segment 2 sealed again" '
import os
r = [r for r in s[1].records if r.type == t.OUTPUT and
    b"TAMPER-2-a-42" in r.field(t.F_DATA)][0]
t.change_data(s[1], r, b"TAMPER-2-a-42", b"TAMPER-2-a-43")
sk, pk = t.new_key()
t.reseal(s[1], sk, pk, run_key=s[0].records[0].field(t.F_RUN_KEY),
    keep=True)
t.expect(True, ["%s: out of order or foreign segment: does not follow %s" %
    (s[1].path, s[0].path)], [t.intact(s[0], os.environ["UNCHECKED"] %
    os.environ["FP"])])'

# The genuine certificate kept: it certifies the genuine run key, not the
# new one.
RESEAL_KEEP='
sk, run_pk = t.new_key()
c, sig, sk, pk = t.reseal(s[0], sk, run_pk, keep=True)
t.reseal(s[1], sk, pk, prev=(c, sig), run_key=run_pk, keep=True)
'
tamper "sealed again, certificate kept, -k" "$CHANGE$RESEAL_KEEP"'
import os
t.expect(True, ["%s: wrong key: the run is not certified by host key %s" %
    (y.path, os.environ["FP"]) for y in s], [])' -k "$TMP/host.pub"

# Without -k nothing is anchored, but a certificate that does not verify
# is a forgery: it must not pass, and not as "no host key".
d=$(fresh case) || fail "no copy"
python3 -c "import sys, tamper as t
s = t.segments(sys.argv[1])
$CHANGE$RESEAL_KEEP" "$d" || fail "python3 failed"
verify "$d"
[ "$VRC" -eq 1 ] || fail "a run key with a bad certificate verified: \
$(cat "$TMP/v.out")"
assert_eq "a run key with a bad certificate: stdout" "" "$(cat "$TMP/v.out")"
python3 -c '
import sys, tamper as t
err = open(sys.argv[2]).read().splitlines()
for x in t.segments(sys.argv[1]):
    if not any(l.startswith(x.path + ": ") and "certif" in l for l in err):
        sys.exit("no error about the certificate of %s in %r" % (x.path, err))
' "$d" "$TMP/v.err" || fail "a run key with a bad certificate"
exit 0
