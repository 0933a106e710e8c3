#!/bin/sh

# A log directory is used only if a file can actually be made in it and no
# one else can swap it. set -s audit-log-path refuses, with the log on and
# audit-log-fail open: /proc/self (owned by us, mode 0555: it passes a
# check of owner and mode, but nothing can be created there), a directory
# under a parent others may write to (mode 0777, not sticky), and, as
# root, one under a parent owned by another user. A directory under a
# sticky parent (mode 1777, like /tmp) is fine. After each refusal the
# path is unchanged and the log goes on in its directory. A config naming
# /proc/self gets the same reason as a config error and the log stays off.

. "$(dirname "$0")/lib.sh"

audit_conf "set -s audit-log-fail open"
$T new -d -s main || fail "new-session failed"
server=$($T display -p '#{pid}')
SERVER_PIDS=$server

refused() {
	out=$($T set -s audit-log-path "$1" 2>&1) &&
	    fail "audit-log-path $1 was accepted"
	case "$out" in
	$2)	;;
	*)	fail "audit-log-path $1: $out" ;;
	esac
	assert_eq "audit-log-path after $1" "$LOG" \
	    "$($T show -sv audit-log-path)"
}
refused /proc/self "audit log /proc/self: cannot create a file: *"
mkdir -m 0777 "$TMP/open"
chmod 0777 "$TMP/open"
refused "$TMP/open/log" \
    "audit log $TMP/open/log: parent $TMP/open is writable by others (mode 0777)"
[ -e "$TMP/open/log" ] && fail "$TMP/open/log was made under an unsafe parent"
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 0755 "$TMP/theirs"
	chown 65534 "$TMP/theirs"
	refused "$TMP/theirs/log" \
	    "audit log $TMP/theirs/log: parent $TMP/theirs is owned by uid 65534"
fi
mkdir "$TMP/sticky"
chmod 1777 "$TMP/sticky"
$T set -s audit-log-path "$TMP/sticky/log" ||
    fail "a directory under a sticky parent was refused"
$T set -g @after 1 || fail "set @after failed"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"
assert_eq "the first log stopped for the path change only" \
    "log-stop audit-log-path changed" \
    "$("$TMUX_BIN" show-audit -d "$LOG" -Y log-stop \
    -F '#{audit_type} #{audit_reason}')"
assert_eq "the log in the sticky parent" "set-option -g @after 1" \
    "$("$TMUX_BIN" show-audit -d "$TMP/sticky/log" -g @after -Y command \
    -F '#{audit_command}')"

# In the config: a config error, and no log.
printf '%s\n' "set -s audit-log on" "set -s audit-log-path /proc/self" \
    >"$CONF"
$T -C new -d -s main </dev/null >"$TMP/control" 2>&1 ||
    fail "control-mode new-session failed"
server=$($T display -p '#{pid}')
SERVER_PIDS="$SERVER_PIDS $server"
err=$(sed -n 's/^%config-error //p' "$TMP/control" | tr -d '\r')
case "$err" in
"audit log /proc/self: cannot create a file: "*)	;;
*)	fail "config error: $err" ;;
esac
assert_eq "audit-log after the config" off "$($T show -sv audit-log)"
$T kill-server
exit 0
