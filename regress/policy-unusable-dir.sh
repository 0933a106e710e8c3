#!/bin/sh

# When the system policy requires the log (it sets audit-log on), a server
# whose log cannot start does not run: it is not a way to dodge the
# policy. With a policy of just "set -s audit-log on", a server started
# with XDG_STATE_HOME=/proc, with HOME=/proc (and no XDG_STATE_HOME), or
# with a -f config naming /proc/self as the log directory, sends its first
# client away with the reason and "(required by the audit policy
# /etc/tmux-audit.conf)", exits, and writes no log file. A server that did
# start refuses, at run time, "set -s audit-log-path /proc/self" (a
# directory where no file can be made) and keeps logging to its
# directory. With the policy naming the directory too, audit-log-path is
# locked with the rest.

. "$(dirname "$0")/lib-policy.sh"
. "$(dirname "$0")/lib.sh"

policy_setup
write_policy 0644 "set -s audit-log on"
required="(required by the audit policy $POLICY)"
P="$TMUX_BIN -L $LABEL"

# Start a server that must refuse; $1 names the case, the rest is the
# environment and the config. Its output and status are checked by the
# caller from $out and $rc.
refused() {
	_what=$1
	shift
	out=$(env "$@" new -d -s main 2>&1)
	rc=$?
	[ $rc -ne 0 ] || fail "$_what: the server started (exit 0): $out"
	wait_for "$_what: no server" sh -c "! $P has-session 2>/dev/null"
}

: >"$CONF"
refused "XDG_STATE_HOME=/proc" XDG_STATE_HOME=/proc $P -f "$CONF"
assert_eq "XDG_STATE_HOME=/proc" \
    "audit log /proc/tmux: No such file or directory $required" "$out"
refused "HOME=/proc" HOME=/proc $P -f "$CONF"
assert_eq "HOME=/proc" \
    "audit log /proc/.local: No such file or directory $required" "$out"
echo "set -s audit-log-path /proc/self" >"$CONF"
refused "-f with /proc/self" $P -f "$CONF"
case "$out" in
"audit log /proc/self: cannot create a file: "*" $required")
	;;
*)
	fail "-f with /proc/self: $out"
	;;
esac
[ -e "$HOME/.local" ] && fail "a log was written under $HOME"

# A server that runs: /proc/self refused at run time.
: >"$CONF"
$P -f "$CONF" new -d -s main || fail "new-session failed"
server=$($P display -p '#{pid}')
SERVER_PIDS=$server
out=$($P set -s audit-log-path /proc/self 2>&1) &&
    fail "audit-log-path /proc/self was accepted"
case "$out" in
"audit log /proc/self: cannot create a file: "*)
	;;
*)
	fail "set audit-log-path /proc/self: $out"
	;;
esac
assert_eq "audit-log-path" '$XDG_STATE_HOME/tmux/audit' \
    "$($P show -sv audit-log-path)"
assert_eq "audit-log" on "$($P show -sv audit-log)"
$P set -g @after 1 || fail "set @after failed"
$P kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"
LOG=$HOME/.local/state/tmux/audit
assert_eq "the log after the refusal" "set-option -g @after 1" \
    "$("$TMUX_BIN" show-audit -d "$LOG" -g @after -Y command \
    -F '#{audit_command}')"

# The policy names the directory: the path is locked too.
write_policy 0644 "set -s audit-log on" "set -s audit-log-path $TMP/plog"
$P -f "$CONF" new -d -s main || fail "new-session failed"
server=$($P display -p '#{pid}')
SERVER_PIDS=$server
out=$($P set -s audit-log-path "$TMP/other" 2>&1) &&
    fail "a locked audit-log-path was changed"
assert_eq "locked audit-log-path" \
    "audit-log-path is locked by the audit policy $POLICY" "$out"
$P kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"
exit 0
