#!/bin/sh

# The system policy: /etc/tmux-audit.conf, root-owned and 0644, turns the
# log on, names its directory and sets audit-log-fail closed. A server
# started with -f /dev/null audits into that directory with those
# settings, and a policy record says which options are locked. Then
# "set -s audit-log off", "set -u -s audit-log" and source-file of a file
# that turns it off each fail with exactly "audit-log is locked by the
# audit policy /etc/tmux-audit.conf" and are logged as command records
# with result=error and that error (after the policy's own commands,
# logged as config commands from the policy file); toggling audit-log in
# customize mode (Enter on it, through an attached client) is undone at
# once with the same message; audit-log stays on throughout (every
# option-changed record for it after the policy says "on"), the log is
# never stopped and verifies as consistent. A server on another socket
# whose own config turns the log off gets the config error "FILE:1:
# audit-log is locked by ..." and audits all the same. A policy file that
# is writable by its group (0664) or owned by another user is ignored,
# with the config error
# "audit policy /etc/tmux-audit.conf ignored: writable by others (mode
# 0664)" or "... ignored: owned by uid 65534, not root", and the log stays
# off.
#
# Needs root. The policy is for every tmux on the host, so the test runs
# in a mount namespace of its own with an overlay on /etc, where other
# servers cannot see the file (if that cannot be had, it writes the real
# file). Either way the policy file is removed at exit, whatever happens,
# and if one exists already the test does not run.

. "$(dirname "$0")/lib-policy.sh"
. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

policy_setup

LOG=$TMP/policy-log
locked="audit-log is locked by the audit policy $POLICY"
audit_policy() {
	write_policy "$1" "set -s audit-log on" "set -s audit-log-path $LOG" \
	    "set -s audit-log-fail closed"
}
audit_policy 0644

P="$TMUX_BIN -L $LABEL -f /dev/null"
$P new -d -s main -x 80 -y 24 || fail "new-session failed"
server=$($P display -p '#{pid}')
SERVER_PIDS=$server
assert_eq "options set by the policy" "on
$LOG
closed" "$($P show -sv audit-log; $P show -sv audit-log-path;
    $P show -sv audit-log-fail)"
wait_for "server-start" log_has 'r["type"] == "server-start"'

# Each way of turning the log off fails.
try() {
	out=$("$@" 2>&1) && fail "$* was allowed"
	assert_eq "$*" "$locked" "$out"
	assert_eq "audit-log after $*" on "$($P show -sv audit-log)"
}
try $P set -s audit-log off
try $P set -u -s audit-log
echo "set -s audit-log off" >"$TMP/off.conf"
try $P source-file "$TMP/off.conf"

# Customize mode, with a client attached (keys reach a mode only through
# one): expand the server options, go down to the first (audit-log) and
# press Enter, which toggles a flag.
OUTER_BIN=$PRISTINE_BIN
[ -x "$OUTER_BIN" ] || OUTER_BIN=$TMUX_BIN
"$OUTER_BIN" -L "$OUTER" -f /dev/null new -d -x 80 -y 24 \
    "exec env -u TMUX TMUX_TMPDIR=$TMP TERM=$TERM LC_ALL=$LC_ALL \
    $TMUX_BIN -L $LABEL attach -t main" || fail "outer tmux failed"
attached() {
	client=$($P lsc -F '#{client_name}') && [ -n "$client" ]
}
wait_for "the client to attach" attached
$P customize-mode -t %0 || fail "customize-mode failed"
$P send-keys -t %0 Right Down Enter || fail "send-keys failed"
has_locked_message() {
	$P show-messages -t "$client" |
	    sed -n 's/^[0-9][0-9]:[0-9][0-9]: //p' | grep -Fqx -- "$locked"
}
wait_for "the locked message" has_locked_message
assert_eq "audit-log after customize mode" on "$($P show -sv audit-log)"

$P kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"
log_json
audit_check_seals
python3 - "$TMP/log.json" "$TMP/off.conf" "$locked" "$LOG" <<'EOF' ||
import sys
from capture import *

recs = load(sys.argv[1])
pol = [(r.get("path"), r.get("action"), r.get("name")) for r in recs
    if r["type"] == "policy"]
want = [("/etc/tmux-audit.conf", "locked",
    ["audit-log", "audit-log-path", "audit-log-fail"])]
check("policy records %r, not %r" % (pol, want), pol == want)
cmds = [(r["issuer"], r.get("file"), r["command"], r["result"],
    r.get("error")) for r in recs if r["type"] == "command" and
    r["command"].startswith("set-option")]
pf = "/etc/tmux-audit.conf"
want = [("config", pf, "set-option -s audit-log on", "ok", None),
    ("config", pf, "set-option -s audit-log-path " + sys.argv[4], "ok", None),
    ("config", pf, "set-option -s audit-log-fail closed", "ok", None),
    ("client", None, "set-option -s audit-log off", "error", sys.argv[3]),
    ("client", None, "set-option -su audit-log", "error", sys.argv[3]),
    ("config", sys.argv[2], "set-option -s audit-log off", "error",
    sys.argv[3])]
check("set-option records:\n  %r\nnot\n  %r" % (cmds, want), cmds == want)
after = recs[next(i for i, r in enumerate(recs) if r["type"] == "policy"):]
changes = [(r.get("old_value"), r.get("new_value"), r.get("result"),
    r.get("error"), r["cause"]["kind"]) for r in after
    if r["type"] == "option-changed" and r["name"] == "audit-log"]
want = [("on", "off", "refused", sys.argv[3], "command")]
check("audit-log changes after the policy:\n  %r\nnot\n  %r" %
    (changes, want), changes == want)
types = [r["type"] for r in recs]
check("the log was stopped", "log-stop" not in types)
check("the server did not stop", types[-2:] == ["server-stop", "seal"])
done("system-policy")
EOF
    fail "see above"

# Another server, whose own config turns the log off.
echo "set -s audit-log off" >"$TMP/user.conf"
U="$TMUX_BIN -L $LABEL-user -f $TMP/user.conf"
$U -C new -d -s main </dev/null >"$TMP/control" 2>&1 ||
    fail "new-session with the user config failed"
user_server=$($U display -p '#{pid}')
SERVER_PIDS="$SERVER_PIDS $user_server"
assert_eq "config error of the user config" \
    "%config-error $TMP/user.conf:1: $locked" \
    "$(grep '^%config-error' "$TMP/control")"
assert_eq "audit-log with the user config" on "$($U show -sv audit-log)"
# Records reach the file within AUDIT_FLUSH_MS (50 ms) of being made.
wait_for "the server with the user config in the log" \
    log_has "r['type'] == 'server-start' and r['pid'] == $user_server"
$U kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$user_server"

# Policies that are ignored.
ignored() {
	before=$(ls "$LOG")
	$P -C new -d -s main </dev/null >"$TMP/control" 2>&1 ||
	    fail "$1: new-session failed"
	s=$($P display -p '#{pid}')
	SERVER_PIDS="$SERVER_PIDS $s"
	assert_eq "$1: config error" \
	    "%config-error audit policy $POLICY ignored: $2" \
	    "$(grep '^%config-error' "$TMP/control")"
	assert_eq "$1: audit-log" off "$($P show -sv audit-log)"
	assert_eq "$1: audit-log-fail" open "$($P show -sv audit-log-fail)"
	$P kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$s"
	assert_eq "$1: files in $LOG" "$before" "$(ls "$LOG")"
}
audit_policy 0664
ignored "a group-writable policy" "writable by others (mode 0664)"
audit_policy 0644
chown 65534 "$POLICY" || fail "chown failed"
ignored "a policy owned by uid 65534" "owned by uid 65534, not root"
exit 0
