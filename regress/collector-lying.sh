#!/bin/sh

# A server that lies to the collector is refused, and the others go on.
# A real tmux-auditd runs as root; a real server of user 1 streams output
# into it all along; user 2 runs a lying server (collector.py, its own
# implementation of the protocol) that tries, one connection each:
#
# - to say it is another process (a pid not its own);
# - to send a message of a type that does not exist, a header of 4 GB,
#   records before any segment, and half a message and then nothing (the
#   collector runs with -t 2: two seconds to finish a message);
# - to store user 1's segment, byte for byte, as its own;
# - to store a segment of its own that was changed after it was sealed:
#   the records up to the first seal are taken, the epoch with a changed
#   byte is refused and not stored; connecting again, it cannot send the
#   stored records again to overwrite them (the collector expects the
#   next seq);
# - to store a segment numbered past 2^32 (it is stored whole, under its
#   whole number).
#
# Each refusal is named, to it and in the collector's log. What user 2 got
# stored verifies as exactly the good part, an unsealed tail after it
# if any; user 1's log, which went on meanwhile, is intact, with every
# record of its output loop.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-tamper.sh"
need_cryptography
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
U2=tmuxauditc2
make_user "$U1"
UID1=$USER_UID
make_user "$U2"
UID2=$USER_UID

# The lying server's code, where user 2 can run it.
cp "$REGRESS/collector.py" "$REGRESS/tamper.py" "$PUB/" ||
    fail "cp failed"
chmod 0644 "$PUB"/*.py
liar() {
	as_user "$U2" env PYTHONPATH="$PUB" python3 "$PUB/collector.py" \
	    "$CSOCK" "$@"
}
refused() {
	collector_has "refused server pid $1 uid $UID2: $2" ||
	    fail "no refusal in the collector's log: $2"
}

collector_start -t 2
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-seal-interval 1"
user_server "$U1" -x 80 -y 24 \
    'i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo "line-$i"; sleep 0.02; done; sleep 600'
SERVER1=$USER_PID
S1=$U

# A template for the forgery: a real log of user 2's own, in files.
mkdir -m 0700 "$TMP/u2log" && chown "$U2" "$TMP/u2log" || fail "mkdir"
cat >"$TMP/u2.conf" <<EOF
set -s audit-log on
set -s audit-log-path $TMP/u2log
set -s audit-log-seal-interval 1
EOF
chmod 0644 "$TMP/u2.conf"
mkdir -m 0700 "$TMP/u2sock" && chown "$U2" "$TMP/u2sock" || fail "mkdir"
U2T="as_user $U2 $USER_BIN -S $TMP/u2sock/sock"
$U2T -f "$TMP/u2.conf" new -d -x 80 -y 24 \
    'for i in 1 2 3 4 5 6; do echo "u2-$i"; sleep 0.6; done; sleep 600' ||
    fail "user 2's server failed"
wait_for "two seals in user 2's log" sh -c \
    "[ \$($TMUX_BIN show-audit -d $TMP/u2log -Y seal 2>/dev/null | wc -l) -ge 3 ]"
$U2T kill-server
TEMPLATE=$(ls "$TMP"/u2log/*_000001.tmux-audit)
mkdir -m 0700 "$TMP/u2work" && chown "$U2" "$TMP/u2work" && chown "$U2" \
    "$TEMPLATE" || fail "chown"

# Run a case; the liar's pid in $LP, the collector's answers in $OUT.
case_of() {
	liar "$@" >"$TMP/liar.out" 2>"$TMP/liar.err" ||
	    fail "collector.py $1 failed: $(cat "$TMP/liar.err")"
	LP=$(sed -n 's/^PID //p' "$TMP/liar.out")
	OUT=$(grep -v '^PID ' "$TMP/liar.out")
}

# 1. Another pid.
case_of impostor
assert_eq "impostor" "ERROR hello claims pid $((LP + 1))
EOF" "$OUT"
refused "$LP" "hello claims pid $((LP + 1))"

# 2. Garbage.
case_of garbage
assert_eq "garbage" "WELCOME 0 0 0
ERROR unknown message type 99
EOF" "$OUT"
refused "$LP" "unknown message type 99"
case_of oversized
assert_eq "oversized" "WELCOME 0 0 0
ERROR message of 4294967295 bytes is too large
EOF" "$OUT"
refused "$LP" "message of 4294967295 bytes is too large"
case_of early
assert_eq "early" "WELCOME 0 0 0
ERROR records before a segment
EOF" "$OUT"
refused "$LP" "records before a segment"
case_of stall
assert_eq "stall" "WELCOME 0 0 0
ERROR a message was not finished in 2 seconds
EOF" "$OUT"
refused "$LP" "a message was not finished in 2 seconds"

# 3. User 1's segment as user 2's.
D1=$(user_dir "$U1")
SEG1=$(ls "$D1"/*_000001.tmux-audit)
cp "$SEG1" "$TMP/u2work/theirs" && chown "$U2" "$TMP/u2work/theirs" ||
    fail "cp failed"
case_of replay "$TMP/u2work/theirs"
WHY="segment record claims another uid, pid or user than the connection's"
assert_eq "replay" "WELCOME 0 0 0
ERROR $WHY
EOF" "$OUT"
refused "$LP" "$WHY"

# 4. A forged epoch, then a rewind.
case_of forge "$TEMPLATE" "$TMP/u2work/forged"
set -- $(echo "$OUT" | sed -n 's/^CHANGED //p')
CHANGED=$1
AT=$2
set -- $(echo "$OUT" | sed -n 's/^SEALS //p')
FIRST=$1
SECOND=$2
NEXT=$((FIRST + 1))
FIRSTREC=$(python3 -c "
import sys; sys.path.insert(0, '$REGRESS'); import tamper as t
print(t.Segment('$TMP/u2work/forged').events()[0].seq)")
assert_eq "forge" "WELCOME 0 0 0
ACK 1 $FIRSTREC 0
ACK 1 $NEXT 0
CHANGED $CHANGED $AT
SEALS $FIRST $SECOND
ERROR record seq $SECOND does not chain: modified: first bad record seq \
$CHANGED at offset $AT
EOF
WELCOME 1 $NEXT 0
ERROR record seq $FIRSTREC, not $NEXT
EOF" "$OUT"
refused "$LP" "record seq $FIRSTREC, not $NEXT"

# What user 2 got stored: the forged segment up to its first seal, no more.
D2=$(user_dir "$U2")
F2=$(ls "$D2"/*.tmux-audit)
EXPECT=$(python3 -c "
import sys; sys.path.insert(0, '$REGRESS'); import tamper as t
s = t.Segment('$TMP/u2work/forged')
end = [r for r in s.records if r.seq == $FIRST and r.type == t.SEAL][0]
sys.stdout.buffer.write(open(s.path, 'rb').read()[:end.offset + len(end.raw)])
" | sha256sum)
assert_eq "what user 2 got stored" "$EXPECT" "$(sha256sum <"$F2")"

# 5. A segment numbered past 2^32, the first of its run the collector sees
# (so any number is taken): stored whole, in a file named by its whole
# number (not by the low 32 bits: a name that would make it another
# segment, out of order).
case_of numbered "$TEMPLATE" "$TMP/u2work/numbered" 4294967297
set -- $(python3 -c "
import sys; sys.path.insert(0, '$REGRESS'); import tamper as t
s = t.Segment('$TMP/u2work/numbered')
print(s.events()[0].seq, s.records[-1].seq + 1, len(s.seals()))")
[ "$3" -ge 2 ] || fail "numbered: only $3 seals"
assert_eq "numbered: first answers" "WELCOME 0 0 0
ACK 4294967297 $1 0" "$(echo "$OUT" | head -n 2)"
assert_eq "numbered: last answer" "ACK 4294967297 $2 1" \
    "$(echo "$OUT" | tail -n 1)"
assert_eq "numbered: refusals" "" \
    "$(echo "$OUT" | sed 1d | grep -v "^ACK 4294967297 ")"
F5=$(ls "$D2" | grep "_${LP}_[0-9]*\\.tmux-audit\$")
assert_eq "numbered: the file's name" "${LP}_4294967297.tmux-audit" \
    "$(echo "$F5" | sed 's/.*_\([0-9]*_[0-9]*\.tmux-audit\)$/\1/')"
assert_eq "numbered: what was stored" \
    "$(sha256sum <"$TMP/u2work/numbered")" "$(sha256sum <"$D2/$F5")"
# The verifier finds its name right, and only the segments before missing.
mkdir "$TMP/numbered" && cp "$D2/$F5" "$TMP/numbered/" || fail "cp failed"
"$TMUX_BIN" show-audit -V -d "$TMP/numbered" >"$TMP/vn" 2>&1 &&
    fail "show-audit -V of the numbered segment exited 0"
assert_eq "numbered: verified" "$TMP/numbered/$F5: missing segment: segments \
1-4294967296 of this run are not here
$TMP/numbered/$F5: unlinked: segment 4294967296 is not here" "$(cat "$TMP/vn")"

# User 1's log is whole: every line of the loop, then intact.
wait_for "user 1's loop to end" sh -c \
    "$S1 capture-pane -p | grep -q '^line-400\$'"
$S1 kill-server
wait_for "user 1's segment to be complete" \
    collector_has "server pid $SERVER1 uid $UID1 ($U1): segment 1 complete"
log_json "$D1"
python3 - "$TMP/log.json" <<'EOF' || fail "user 1's output"
import json, sys
out = "".join(json.loads(l).get("data", "") for l in open(sys.argv[1])
    if json.loads(l)["type"] == "output")
want = "".join("line-%d\r\n" % i for i in range(1, 401))
sys.exit(0 if want in out else "the output of the loop is not all there")
EOF
"$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D1" >"$TMP/v1" 2>&1 ||
    fail "user 1's log does not verify: $(cat "$TMP/v1")"
grep -q ': intact: .*, closed, .*, collected (collector key ' "$TMP/v1" ||
    fail "user 1's log: $(cat "$TMP/v1")"
exit 0
