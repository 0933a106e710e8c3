#!/bin/sh

# A server whose config turns the audit log on logs from its very start:
# the config is only read after the first client has identified, so what
# happened before (server-start, that client's client-connect) must be held
# and written once the config is known, with seq 0 for server-start and no
# log-start record. Tried with the audit lines in the config itself (after
# other commands, audit-log before audit-log-path) and in a file it
# sources.

. "$(dirname "$0")/lib.sh"

user=$(id -un)
host=$(hostname)

check() {
	how=$1

	t0=$(now)
	run_pid $T new -d -s cfg || fail "$how: new-session failed"
	new_pid=$LAST_PID
	wait_for "$how: server-start" log_has 'r["type"] == "server-start"'
	server_pid=$(server_pid)
	SERVER_PIDS="${SERVER_PIDS:-} $server_pid"
	kill -TERM "$server_pid"
	wait_for "$how: the server to exit" gone "$server_pid"
	t1=$(now)

	set -- "$LOG"/*
	[ $# -eq 1 ] || fail "$how: $# files in the log directory"
	name=$(basename "$1")
	pattern="^${host}_${user}_[0-9]{8}T[0-9]{6}Z_${server_pid}_000001"
	echo "$name" | grep -Eq "$pattern\\.tmux-audit\$" ||
	    fail "$how: bad file name $name"

	log_json
	audit_check_meta "$t0" "$t1" || fail "$how: bad times, seqs or run id"
	audit_check_seals

	srv=$(server_fields "$server_pid")
	new=$(client_fields 0 "client-$new_pid" "$new_pid")
	login=$(login_fields)
	assert_eq "$how" "\
segment format=1 run=RUN segment=1 $srv first=1
server-start $srv
client-connect $new$login term=$TERM cwd=$TMP client_flags=focused,UTF-8
session-created session=cfg session_id=\$0 cwd=$TMP
client-disconnect $new reason=exit
session-closed session=cfg session_id=\$0
server-stop pid=$server_pid" "$(audit_norm "$BASIC_TYPES")"

	# Nothing comes before server-start, and the log did not start late.
	python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
first = [(r["type"], r["seq"]) for r in recs[:2]]
if first != [("segment", 0), ("server-start", 0)]:
    sys.exit("the log starts with %r" % first)
if any(r["type"] == "log-start" for r in recs):
    sys.exit("the log has a log-start record")
' "$TMP/log.json" || fail "$how: the log does not begin at server-start"
	rm -rf "$LOG"
}

cat >"$CONF" <<EOF
set -g status off
set -g history-limit 100
set -s audit-log on
set -s audit-log-path $LOG
EOF
check "audit lines in the config"

cat >"$TMP/audit.conf" <<EOF
set -s audit-log-path $LOG
set -s audit-log on
EOF
cat >"$CONF" <<EOF
set -g status off
source-file $TMP/audit.conf
EOF
check "audit lines in a sourced file"
exit 0
