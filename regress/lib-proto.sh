# regress/lib-proto.sh: helpers for the tests that break the client
# protocol with tmux-proto.py. Not a test. After lib.sh:
#
#	. "$REGRESS/lib-proto.sh"
#
#	proto_start [CONF-LINE...]
#			start a server on $LABEL with the audit log on (and
#			the lines given) and one session, main; $SERVER is its
#			pid
#	proto WHAT	run tmux-proto.py against $SOCK with the script on
#			standard input; what it printed is left in $OUT. WHAT
#			names the step in failure messages
#	proto_check_up WHAT
#			fail unless the same server is still running and a
#			normal client still gets an answer from it: the
#			sessions in $SESSIONS (main), one a line
#	proto_end	stop the server and check that its log verifies
#			(audit_check_seals)

PROTO_PY=$REGRESS/tmux-proto.py

proto_start() {
	audit_conf "$@"
	START=$(now)
	$T new -d -s main -x 80 -y 24 || fail "new-session failed"
	SERVER=$($T display -p '#{pid}') || fail "display #{pid} failed"
	[ -n "$SERVER" ] || fail "no server pid"
	SERVER_PIDS="${SERVER_PIDS:-} $SERVER"
}

proto() {
	OUT=$(timeout 30 python3 "$PROTO_PY" "$SOCK") ||
	    fail "$1: tmux-proto.py failed"
}

proto_check_up() {
	gone "$SERVER" && fail "$1: the server died"
	$T has-session -t main 2>/dev/null ||
	    fail "$1: has-session fails after it"
	assert_eq "$1: sessions a normal client lists after it" \
	    "${SESSIONS:-main}" "$($T list-sessions -F '#{session_name}')"
	assert_eq "$1: the server's pid after it" "$SERVER" \
	    "$($T display -p '#{pid}')"
}

proto_end() {
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$SERVER"
	log_json
	audit_check_meta "$START" "$(now)" || fail "bad times or seqs in the log"
	audit_check_seals
}
