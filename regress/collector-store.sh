#!/bin/sh

# A user's log kept by the collector, where the user cannot touch it. A
# real tmux-auditd runs as root; a second user's server, configured with
# audit-log-collector, runs a command in its pane and exits:
#
# - the collector has the run under store/USER/, one segment and its
#   counter-seal file, root's, mode 0440, immutable (where the file system
#   has the flag; append-only while open); the server wrote no file of its
#   own under audit-log-path;
# - the log has the command and its output, and verifies with the
#   collector's key: "intact ... collected (collector key FP)", exit 0
#   (with -c, or with -k, which takes the collector's key as -c);
# - the user can neither read, change, cut, rename nor remove it, nor
#   write into the directory; root cannot change it by accident either
#   (immutable);
# - while a segment is open it is append-only: cutting it fails even for
#   root;
# - show-audit -V -c with another collector's key says so and fails;
# - show-audit -V in a server that sends to the collector (root's) finds
#   its own log intact and collected: it waits for the seal to be stored.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"

# Can this file system hold the append-only and immutable flags?
touch "$TMP/flagtest"
if chattr +a "$TMP/flagtest" 2>/dev/null; then
	FLAGS=yes
	chattr -a "$TMP/flagtest"
else
	FLAGS=no
fi

collector_start
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-seal-interval 3600"
user_server "$U1" -x 80 -y 24
D=$(user_dir "$U1")
wait_for "the user's directory" test -d "$D"
SEG=$(ls "$D"/*_000001.tmux-audit)
[ -f "$SEG" ] || fail "no segment in $D"
wait_for "the server's hello in the collector's log" \
    collector_has "server pid $USER_PID uid $USER_UID ($U1) connected: segment 0, next seq 0"

# Open: append-only, not yet read-only.
assert_eq "mode while open" "640 root" "$(stat -c '%a %U' "$SEG")"
if [ $FLAGS = yes ]; then
	assert_eq "flags while open" "-----a--------e-------" \
	    "$(lsattr "$SEG" | cut -d' ' -f1)"
	truncate -s 100 "$SEG" 2>/dev/null &&
	    fail "root cut an open segment"
else
	collector_has "cannot make files append-only" ||
	    fail "no warning about the missing append-only flag"
fi

$U send-keys 'echo collected-$((6*7))' Enter
wait_for "the command's output" sh -c \
    "$U capture-pane -p | grep -q '^collected-42\$'"
$U kill-server
wait_for "the segment to be complete" \
    collector_has "server pid $USER_PID uid $USER_UID ($U1): segment 1 complete"
wait_for "the server to go" gone "$USER_PID"

# What is stored, and that nothing was written in the user's own place.
assert_eq "files stored" "$(basename "$SEG")
$(basename "$SEG")-cseal" "$(ls "$D")"
assert_eq "modes" "440 root
440 root" "$(stat -c '%a %U' "$SEG" "$SEG-cseal")"
assert_eq "directory" "750 root" "$(stat -c '%a %U' "$D")"
if [ $FLAGS = yes ]; then
	assert_eq "flags when complete" "----i---------e-------
----i---------e-------" "$(lsattr "$SEG" "$SEG-cseal" | cut -d' ' -f1)"
fi
[ -e "$HOME/.local" ] && fail "the server wrote under its own home"

# The log: the command and its output, verified with the collector's key.
log_json "$D"
grep -q '"type":"output".*collected-42' "$TMP/log.json" ||
    fail "no output record with the command's output"
assert_eq "the input" 'echo collected-$((6*7))\r' "$(python3 -c '
import json, sys
print(repr("".join(json.loads(l).get("data", "") for l in open(sys.argv[1])
    if json.loads(l)["type"] == "input"))[1:-1])' "$TMP/log.json")"
FP=$(sed -n 's/.*public key \(.*\) (.*/\1/p' "$CKEY.pub")
OUT=$("$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" 2>&1)
RC=$?
N=$(($(wc -l <"$TMP/log.json") - 1))	# not the segment record
S=$(grep -c '"type":"seal"' "$TMP/log.json")
LAST=$(tail -1 "$TMP/log.json" | sed 's/.*"seq":\([0-9]*\).*/\1/')
assert_eq "verification" "$SEG: intact: $N records, $S seals, sealed \
through seq $LAST, closed, unanchored (no host key), collected (collector \
key $FP)
0" "$OUT
$RC"

# -k with the collector's key means the same.
assert_eq "verification with -k" "$OUT" \
    "$("$TMUX_BIN" show-audit -V -k "$CKEY.pub" -d "$D" 2>&1)"

# The user can do nothing to it.
for what in "cat $SEG" "rm -f $SEG" "truncate -s 0 $SEG" \
    "mv $SEG $D/x" "touch $D/new" "sh -c 'echo x >>$SEG'" "ls $D"; do
	as_user "$U1" sh -c "$what" 2>/dev/null &&
	    fail "user $U1 could: $what"
done
# Nor root, by accident, where the flag holds.
if [ $FLAGS = yes ]; then
	sh -c "echo x >>$SEG" 2>/dev/null && fail "root appended"
	rm -f "$SEG" 2>/dev/null
	[ -f "$SEG" ] || fail "root removed an immutable segment"
fi
cmp -s "$SEG" "$TMP/log.json" 2>/dev/null
OUT2=$("$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" 2>&1)
assert_eq "verification after the attempts" "$OUT" "$OUT2"

# Another collector's key: the counter-seals are not its.
"$AUDITD_BIN" -f -d "$TMP/other" -k "$TMP/otherkey" -s "$TMP/othersock" &
OTHER=$!
wait_for "the other collector" test -S "$TMP/othersock"
kill "$OTHER"
wait "$OTHER"
OFP=$(sed -n 's/.*public key \(.*\) (.*/\1/p' "$TMP/otherkey.pub")
OUT=$("$TMUX_BIN" show-audit -V -c "$TMP/otherkey.pub" -d "$D" 2>&1)
RC=$?
assert_eq "verification with another key" "$SEG: problem: $N records, $S \
seals, sealed through seq $LAST, closed, unanchored (no host key), not \
collected (counter-sealed by another collector, key $FP)
1" "$OUT
$RC"
[ "$FP" != "$OFP" ] || fail "two collectors made the same key"

# show-audit -V in a server that sends to the collector (root's, who may
# read there): it seals and waits for the collector to store the seal, so
# the verification covers everything up to the command.
$T new -d -x 80 -y 24 || fail "root's server failed"
RSEG=$(ls "$CSTORE"/root/*.tmux-audit)
OUT=$($T show-audit -V -c "$CKEY.pub" 2>&1)
RC=$?
case "$OUT" in
"$RSEG: intact: "*" records, "*" seals, sealed through seq "*", unanchored (no host key), collected (collector key $FP)")
	;;
*)	fail "show-audit -V in the server: $OUT" ;;
esac
assert_eq "show-audit -V in the server: exit status" 0 "$RC"
$T kill-server
exit 0
