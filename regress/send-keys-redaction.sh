#!/bin/sh

# Text sent with send-keys into a pane whose terminal has echo off (a
# password prompt) is redacted in the command's own record too, not only in
# its input records: the command record reads "send-keys -t %0 <redacted>"
# with redacted=1, for the owner and, in its command-start record before
# the command runs, for a read-write guest. The password is nowhere: not in
# the files, not in show-audit (text, -J, -T), not in an asciicast export
# and not in the syslog lines a real rsyslogd wrote. send-keys into a pane
# with echo on is logged in full.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-syslog.sh"

need_users
GUEST=tmuxauditrw3
make_user "$GUEST"
GUID=$USER_UID
trap 'rc=$?; stop_rsyslogd; pub_cleanup; cleanup; exit $rc' EXIT
start_rsyslogd

pw=S3cr3tPw-owner
gpw=S3cr3tPw-guest
cat >"$TMP/pw.py" <<'EOF'
import getpass
a = getpass.getpass("Password: ")
print("got", len(a))
b = getpass.getpass("Again: ")
print("again", len(b))
EOF
chmod 644 "$TMP/pw.py"
audit_conf "set -g remain-on-exit on" "set -s audit-log-syslog on" \
    "set -s audit-log-syslog-target unix:$SYSLOG_SOCK"
pub_server -d -s main -x 80 -y 24 "python3 '$TMP/pw.py'"
$S new-window -d -t main:1 || fail "new-window failed"
$S server-access -w "$GUEST" || fail "server-access -w failed"

prompt() {
	$S capture-pane -p -t main:0 2>/dev/null | grep -qF "$1"
}
wait_for "the first prompt" prompt "Password:"
$S send-keys -t main:0 "$pw" Enter || fail "send-keys failed"
wait_for "the second prompt" prompt "Again:"
as_user "$GUEST" "$USER_BIN" -S "$PUB/sock" send-keys -t main:0 "$gpw" Enter ||
    fail "the guest's send-keys failed"
wait_for "the second answer" prompt "again ${#gpw}"
$S send-keys -t main:1 "echo visible" Enter || fail "send-keys failed"

$S kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$PUB_PID"

grep -rqaF -e "$pw" -e "$gpw" "$LOG" && fail "a password is in the log files"
"$TMUX_BIN" show-audit -d "$LOG" >"$TMP/text" || fail "show-audit failed"
"$TMUX_BIN" show-audit -J -d "$LOG" >"$TMP/log.json" ||
    fail "show-audit -J failed"
"$TMUX_BIN" show-audit -T -d "$LOG" >"$TMP/keys" ||
    fail "show-audit -T failed"
"$TMUX_BIN" show-audit -e asciicast -I -t %0 -d "$LOG" >"$TMP/cast" ||
    fail "show-audit -e asciicast failed"
for f in text log.json keys cast; do
	grep -qF -e "$pw" -e "$gpw" "$TMP/$f" && fail "a password is in $f"
done
wait_for "the last command in syslog" syslog_has "echo visible"
grep -qF -e "$pw" -e "$gpw" "$SYSLOG_FILE" && fail "a password is in syslog"

got=$(python3 - "$TMP/log.json" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] in ("command", "command-start") and \
        r["command"].startswith("send-keys"):
        print(r["type"], r.get("user"), r["command"], r.get("redacted", 0))
EOF
)
assert_eq "send-keys records" "\
command root send-keys -t main:0 <redacted> 1
command-start $GUEST send-keys -t main:0 <redacted> 1
command $GUEST send-keys -t main:0 <redacted> 1
command root send-keys -t main:1 \"echo visible\" Enter 0" "$got"
assert_eq "send-keys lines in syslog" 3 \
    "$(grep -c 'send-keys -t main:0 <redacted>' "$SYSLOG_FILE")"
exit 0
