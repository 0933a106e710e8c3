#!/bin/sh

# With audit-log off (the default, and set off explicitly) a server that
# runs a session, has a client attach and detach and is killed writes
# nothing: neither the audit-log-path directory nor the default directory
# is created, and show-audit in the server says the log is off.

. "$(dirname "$0")/lib.sh"

check() {
	how=$1

	run_pid $T new -d -s main -x 80 -y 24 || fail "$how: new-session failed"
	server_pid=$($T display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $server_pid"
	[ "$($T show -sv audit-log)" = off ] ||
	    fail "$how: audit-log is not off"
	[ "$($T show -sv audit-log-path)" = "$TMP/auditdir" ] ||
	    fail "$how: audit-log-path is not $TMP/auditdir"

	attach_pty main
	detach_pty

	out=$($T show-audit 2>&1) && fail "$how: show-audit succeeded"
	assert_eq "$how: show-audit" \
	    "audit log: not written by this server (audit-log is off)" "$out"

	$T kill-server || fail "$how: kill-server failed"
	wait_for "$how: the server to exit" gone "$server_pid"

	[ -e "$TMP/auditdir" ] && fail "$how: $TMP/auditdir was created"
	[ -e "$HOME/.local" ] && fail "$how: $HOME/.local was created"
	found=$(find "$TMP" -name '*.tmux-audit')
	assert_eq "$how: audit files" "" "$found"
}

echo "set -s audit-log-path $TMP/auditdir" >"$CONF"
check "audit-log off by default"

printf 'set -s audit-log-path %s\nset -s audit-log off\n' "$TMP/auditdir" \
    >"$CONF"
check "audit-log set off"
exit 0
