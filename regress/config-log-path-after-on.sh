#!/bin/sh

# A config that turns the log on and only then sets audit-log-path (the
# order most people write) logs to that path, from server-start, whatever
# the state of the default directory: while the config loads, the path it
# is still going to set is the one that counts. The default directory is
# neither required to be usable nor created.

. "$(dirname "$0")/lib.sh"

audit_conf
default=$HOME/.local/state/tmux/audit

check() {
	how=$1

	$T -C new -d -s main </dev/null >"$TMP/control" 2>&1 ||
	    fail "$how: control-mode new-session failed"
	server_pid=$($T display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $server_pid"
	assert_eq "$how: config errors" "" \
	    "$(grep '^%config-error' "$TMP/control")"
	assert_eq "$how: audit-log" on "$($T show -sv audit-log)"
	$T kill-server
	wait_for "$how: the server to exit" gone "$server_pid"

	log_json 2>"$TMP/err" || fail "$how: no log in $LOG: $(cat "$TMP/err")"
	python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
first = [(r["type"], r["seq"]) for r in recs[:2]]
if first != [("segment", 0), ("server-start", 0)]:
    sys.exit("the log starts with %r" % first)
' "$TMP/log.json" || fail "$how: the log does not begin at server-start"
	rm -rf "$LOG"
}

# An unsafe default directory.
mkdir -p "$default"
chmod 0770 "$default"
check "group-writable default directory"
assert_eq "files in $default" "" "$(ls -A "$default")"

# No default directory: it is not made.
rm -rf "$HOME/.local"
check "no default directory"
[ -e "$HOME/.local" ] && fail "$HOME/.local was created"
exit 0
