#!/bin/sh

# show-audit -V's exit status says how far verification went. A log whose
# keys nothing anchors verifies just like one rewritten and sealed again
# with fresh keys, so it must not look like success: without -k, a log with
# nothing wrong is "consistent" and show-audit exits 2; with -k, it is
# "intact ..., anchored" and exits 0; any problem exits 1. A server run
# whose run key is certified by a host key: in the server, show-audit -V
# exits 2 (consistent, "certified by host key F, not checked: use -k"),
# -V -k HOST.pub exits 0 (intact, anchored), -V -k OTHER.pub exits 1
# (wrong key); the same with -d and no server, and with -w and a witness
# file that has the log's last seal but no -k: still 2 (a witness anchors
# nothing); a directory with no log files exits 1.

. "$(dirname "$0")/lib.sh"

"$TMUX_BIN" show-audit -G "$TMP/host" || fail "show-audit -G failed"
"$TMUX_BIN" show-audit -G "$TMP/other" || fail "show-audit -G failed"
fingerprint() {
	sed -n 's/^untrusted comment: .* public key \(.*\) (.*)$/\1/p' "$1"
}
FP=$(fingerprint "$TMP/host.pub")
OFP=$(fingerprint "$TMP/other.pub")
[ -n "$FP" ] && [ -n "$OFP" ] || fail "no fingerprints"
audit_conf "set -s audit-log-key $TMP/host"
$T new -d -s main || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')

# show-audit ARGS: stdout, stderr and the exit status in $out, $err, $rc,
# paths shortened to their file names.
sa() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(sed 's,^.*/,,' "$TMP/out")
	err=$(sed 's,^.*/,,' "$TMP/err")
}
# The file name, the counts and the closing of the log's one file, as
# show-audit -V prints them.
counts() {
	"$TMUX_BIN" show-audit -V -d "$LOG" 2>/dev/null |
	    sed -n 's|^.*/\([^/]*\): consistent: \(.*\), unanchored.*|\1: \2|p'
}
# The server logs on (show-audit's own command record), so in the server
# the counts are only checked for their form: the line of the log's one
# file with verdict $1 and the anchor $2 (a regular expression), the file
# not closed; $3 says which.
name=$(ls "$LOG")
running() {
	printf '%s\n' "$out" | grep -Eqx "$name: $1: [0-9]+ records, [0-9]+ \
seals, sealed through seq [0-9]+, $2" || fail "$3: $out"
}

sa $T show-audit -V
assert_eq "in the server: exit status" 2 "$rc"
assert_eq "in the server: stderr" "" "$err"
running consistent "unanchored \(certified by host key $FP, not checked: \
use -k\)" "in the server"

sa $T show-audit -V -k "$TMP/host.pub"
assert_eq "in the server, -k: exit status" 0 "$rc"
assert_eq "in the server, -k: stderr" "" "$err"
running intact "anchored \(host key $FP\)" "in the server, -k"

sa $T show-audit -V -k "$TMP/other.pub"
assert_eq "in the server, -k other: exit status" 1 "$rc"
assert_eq "in the server, -k other: stdout" "" "$out"
assert_eq "in the server, -k other" \
    "$name: wrong key: the run is not certified by host key $OFP" "$err"

$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
c=$(counts)
what=${c#*: }
case "$what" in
*", closed")	;;
*)	fail "the log is not closed: $c" ;;
esac

sa "$TMUX_BIN" show-audit -V -d "$LOG"
assert_eq "-d: exit status" 2 "$rc"
assert_eq "-d" "$name: consistent: $what, unanchored (certified by host key \
$FP, not checked: use -k)" "$out$err"

sa "$TMUX_BIN" show-audit -V -d "$LOG" -k "$TMP/host.pub"
assert_eq "-d -k: exit status" 0 "$rc"
assert_eq "-d -k" "$name: intact: $what, anchored (host key $FP)" "$out$err"

sa "$TMUX_BIN" show-audit -V -d "$LOG" -k "$TMP/other.pub"
assert_eq "-d -k other: exit status" 1 "$rc"
assert_eq "-d -k other" \
    "$name: wrong key: the run is not certified by host key $OFP" "$out$err"

# The log's last seal as the server sends it to syslog.
"$TMUX_BIN" show-audit -J -d "$LOG" | python3 -c '
import base64, json, sys
seg = seal = None
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "segment":
        seg = r
    elif r["type"] == "seal":
        seal = r
chain = base64.b64decode(seal["chain_base64"]).hex()
print("<86>1 %s %s tmux-audit %d seal [tmuxaudit@32473 run=\"%s\" seq=\"%d\" "
    "seal_index=\"%d\" segment=\"%d\" chain=\"%s\"] %d seal" % (seal["time"],
    seg["host"], seg["pid"], seg["run"], seal["seq"], seal["seal_index"],
    seal["segment"], chain, seal["seq"]))' >"$TMP/witness" ||
    fail "cannot make the witness file"
sa "$TMUX_BIN" show-audit -V -d "$LOG" -w "$TMP/witness"
assert_eq "-d -w: exit status" 2 "$rc"
assert_eq "-d -w" "$name: consistent: $what, unanchored (certified by host \
key $FP, not checked: use -k)" "$out$err"
sa "$TMUX_BIN" show-audit -V -d "$LOG" -w "$TMP/witness" -k "$TMP/host.pub"
assert_eq "-d -w -k: exit status" 0 "$rc"

mkdir "$TMP/none" || fail "mkdir failed"
sa "$TMUX_BIN" show-audit -V -d "$TMP/none"
assert_eq "no files: exit status" 1 "$rc"
assert_eq "no files" "none: no audit log files" "$out$err"
exit 0
