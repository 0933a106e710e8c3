# regress/lib-proto.sh: helpers for the tests that break the client
# protocol with tmux-proto.py. Not a test. After lib.sh:
#
#	. "$REGRESS/lib-proto.sh"
#
#	proto_start [CONF-LINE...]
#			start a server on $LABEL with the audit log on (and
#			the lines given) and one session, main (start_main in
#			lib.sh); $SERVER is its pid
#	proto WHAT	run tmux-proto.py against $SOCK with the script on
#			standard input; what it printed is left in $OUT. WHAT
#			names the step in failure messages
#	proto_check_up WHAT
#			fail unless the same server is still running and a
#			normal client still gets an answer from it: the
#			sessions in $SESSIONS (main), one a line
#	proto_dropped [before]
#			for each case on standard input, one a line, a name
#			and then a step of tmux-proto.py's script: send the
#			step on a new connection after identifying (or before
#			it) and wait; the server must drop the client
#			("closed") and stay up (proto_check_up)
#	proto_end	stop the server and check its log (end_main in
#			lib.sh)

PROTO_PY=$REGRESS/tmux-proto.py

proto_start() {
	audit_conf "$@"
	start_main
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

proto_dropped() {
	while read -r _what _step; do
		if [ "${1:-}" = before ]; then
			proto "$_what" <<EOT
$_step
identify
wait
EOT
		else
			proto "$_what" <<EOT
identify
$_step
wait
EOT
		fi
		assert_eq "the answer to $_what" "closed" "$OUT"
		proto_check_up "$_what"
	done
}

proto_end() {
	end_main
}
