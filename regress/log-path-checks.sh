#!/bin/sh

# Where the log goes and how it is protected: a missing log directory is
# made with mode 0700 (missing parents too) and files with 0600 whatever the
# umask; a relative audit-log-path is refused by set-option; a log
# directory writable by its group or others is refused, at run time by
# set-option and at startup as a config error, the log stays off and
# nothing is written into it; the default directory is
# $XDG_STATE_HOME/tmux/audit, or ~/.local/state/tmux/audit when
# XDG_STATE_HOME is unset or not absolute.

. "$(dirname "$0")/lib.sh"

umask 000

# Start a server on $LABEL with $CONF and leave its pid in $server_pid.
start() {
	$T new -d -s main || fail "$1: new-session failed"
	server_pid=$($T display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $server_pid"
}

stop() {
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$server_pid"
}

mode() {
	stat -c %a "$1"
}

# The one log file in directory $1, after waiting for it.
one_file() {
	wait_for "a log file in $1" has_file "$1"
	set -- "$1"/*
	[ $# -eq 1 ] || fail "$# files in $(dirname "$1")"
	echo "$1"
}

has_file() {
	for f in "$1"/*.tmux-audit; do
		[ -f "$f" ] && return 0
	done
	return 1
}

# Directory $1 exists and is empty (or does not exist, if $2 is "none").
assert_empty() {
	if [ "${2:-}" = none ] && [ ! -e "$1" ]; then
		return 0
	fi
	assert_eq "files in $1" "" "$(ls -A "$1" 2>&1)"
}

# A missing directory and its missing parents: made 0700, the file 0600.
mode_before=$(mode "$TMP")
LOG=$TMP/a/b/c
audit_conf
start "missing directory"
file=$(one_file "$LOG")
for d in "$TMP/a" "$TMP/a/b" "$TMP/a/b/c"; do
	assert_eq "mode of $d" 700 "$(mode "$d")"
done
assert_eq "mode of the log file" 600 "$(mode "$file")"
assert_eq "mode of $TMP" "$mode_before" "$(mode "$TMP")"

# A relative path: refused, with audit-log on and off.
out=$($T set -s audit-log-path relative/x 2>&1) &&
    fail "a relative audit-log-path was accepted (audit-log on)"
assert_eq "relative path, audit-log on" \
    "audit-log-path relative/x: not an absolute path" "$out"

# Directories writable by group or others: refused while the log is on.
mkdir "$TMP/gw" "$TMP/ow"
chmod 0770 "$TMP/gw"
chmod 0777 "$TMP/ow"
out=$($T set -s audit-log-path "$TMP/gw" 2>&1) &&
    fail "a group-writable directory was accepted"
assert_eq "group-writable directory" \
    "audit log $TMP/gw: writable by its group (mode 0770)" "$out"
out=$($T set -s audit-log-path "$TMP/ow" 2>&1) &&
    fail "a world-writable directory was accepted"
assert_eq "world-writable directory" \
    "audit log $TMP/ow: writable by others (mode 0777)" "$out"
assert_eq "audit-log-path after refusals" "$LOG" \
    "$($T show -sv audit-log-path)"
assert_empty "$TMP/gw"
assert_empty "$TMP/ow"
assert_eq "log files after refusals" "$file" "$(echo "$LOG"/*)"

$T set -s audit-log off || fail "set audit-log off failed"
out=$($T set -s audit-log-path relative/x 2>&1) &&
    fail "a relative audit-log-path was accepted (audit-log off)"
assert_eq "relative path, audit-log off" \
    "audit-log-path relative/x: not an absolute path" "$out"

# With the log off the path is not checked, but turning the log on is
# refused and leaves it off.
$T set -s audit-log-path "$TMP/gw" || fail "set audit-log-path failed"
out=$($T set -s audit-log on 2>&1) &&
    fail "audit-log on was accepted with a group-writable directory"
assert_eq "audit-log on, group-writable directory" \
    "audit log $TMP/gw: writable by its group (mode 0770)" "$out"
assert_eq "audit-log after the refusal" off "$($T show -sv audit-log)"
assert_empty "$TMP/gw"
stop

# The default directory, under $HOME (made from nothing, $HOME too).
rm -rf "$HOME"
echo "set -s audit-log on" >"$CONF"
start "default path"
assert_eq "default audit-log-path" '$XDG_STATE_HOME/tmux/audit' \
    "$($T show -sv audit-log-path)"
file=$(one_file "$HOME/.local/state/tmux/audit")
for d in "$HOME" "$HOME/.local" "$HOME/.local/state" \
    "$HOME/.local/state/tmux" "$HOME/.local/state/tmux/audit"; do
	assert_eq "mode of $d" 700 "$(mode "$d")"
done
assert_eq "mode of the log file" 600 "$(mode "$file")"
stop
rm -rf "$HOME"

# The default directory under XDG_STATE_HOME.
XDG_STATE_HOME=$TMP/xdg start "XDG_STATE_HOME"
file=$(one_file "$TMP/xdg/tmux/audit")
assert_eq "mode of the XDG directory" 700 "$(mode "$TMP/xdg/tmux/audit")"
stop
assert_empty "$HOME" none

# A relative XDG_STATE_HOME is ignored, as the XDG spec says.
XDG_STATE_HOME=relative start "relative XDG_STATE_HOME"
file=$(one_file "$HOME/.local/state/tmux/audit")
stop
[ -e "$TMP/relative" ] && fail "a relative XDG_STATE_HOME was used"

# A directory writable by group or others named in the config: a config
# error, shown to a control client as %config-error, and the log stays off.
# While the config loads a later line may still change the path, so the
# directory is checked when the log opens, with the final path, after the
# whole config has been read: the error names no file and line, and a path
# the config replaced is not checked. Nothing is written anywhere, the
# default directory included.
rm -rf "$HOME"
mkdir "$HOME"
config_error() {
	$T -C new -d -s main </dev/null >"$TMP/control" 2>&1 ||
	    fail "$1: control-mode new-session failed"
	server_pid=$($T display -p '#{pid}')
	SERVER_PIDS="$SERVER_PIDS $server_pid"
	assert_eq "$1: config error" "%config-error $2" \
	    "$(grep '^%config-error' "$TMP/control")"
	assert_eq "$1: audit-log after the config error" off \
	    "$($T show -sv audit-log)"
	stop
	assert_empty "$TMP/gw"
	assert_empty "$TMP/ow"
	assert_eq "$1: files in $HOME" "" "$(find "$HOME" ! -type d)"
}
printf 'set -s audit-log-path %s\nset -s audit-log on\n' "$TMP/gw" >"$CONF"
config_error "path, then on" \
    "audit log $TMP/gw: writable by its group (mode 0770)"
printf 'set -s audit-log on\nset -s audit-log-path %s\n' "$TMP/ow" >"$CONF"
config_error "on, then path" \
    "audit log $TMP/ow: writable by others (mode 0777)"
printf 'set -s audit-log-path %s\nset -s audit-log on\n' "$TMP/gw" >"$CONF"
printf 'set -s audit-log-path %s\n' "$TMP/ow" >>"$CONF"
config_error "path replaced" \
    "audit log $TMP/ow: writable by others (mode 0777)"
exit 0
