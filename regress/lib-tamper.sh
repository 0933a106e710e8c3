# regress/lib-tamper.sh: helpers for the tests of show-audit -V, the
# verifier. Not a test. Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$REGRESS/lib-tamper.sh"
#
# It adds:
#
#	need_cryptography	skip unless python3 has the cryptography
#				package, which tamper.py needs to sign (its
#				reseal and the like)
#	make_log N [LINE...]	a real log in $LOG: one server run (config
#				lines LINE added), N segments (the log is
#				turned off and on between them), each with
#				typed commands and their output (input and
#				output records) and several seals; the server
#				is killed with kill-server, so every segment
#				is closed. $RUN_PID is the server's pid.
#	start_server [LINE...]	start a server on $LABEL logging to $LOG,
#				seal interval 1 second; $RUN_PID is its pid
#	type_and_seal I W	type a command in pane %0 that prints
#				TAMPER-I-W-42, wait until its output is in
#				the log, then seal (show-audit -V in the
#				server, which must find the log consistent:
#				exit 2, as there is no -k)
#	verify DIR [ARG...]	tmux show-audit -V -d DIR ARG...: stdout in
#				$TMP/v.out, stderr in $TMP/v.err, the exit
#				status in $VRC
#	fresh NAME		a copy of the untouched log ($ORIG, default
#				$TMP/orig) in $TMP/NAME, echoed
#	tamper WHAT CODE [ARG...]
#				one case: in a fresh copy ($TMP/case, or
#				$TMP/$CASE if CASE is set) run
#				the Python CODE, which has t (the tamper
#				module), d (the copy's path) and s (its
#				segments, parsed before any change); CODE
#				changes the files and calls t.expect(bad,
#				err, out) with what show-audit -V -d d ARG...
#				must do: exit 1 if bad, else 0 if out is
#				all intact (anchored, -k) and 2 if it is
#				consistent (unanchored); print exactly the
#				lines err on stderr and out on stdout. Then
#				run it and check.
#
# The Python module regress/tamper.py parses and rewrites segment files
# and computes the verifier's exact lines from them.

PYTHONPATH=$REGRESS
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE

need_cryptography() {
	python3 -c '
from cryptography.hazmat.primitives.asymmetric import ed25519' \
	    2>/dev/null || skip "python3 has no cryptography package"
}

start_server() {
	audit_conf "set -s audit-log-seal-interval 1" "$@"
	$T new -d -s main -x 80 -y 24 || fail "new-session failed"
	RUN_PID=$($T display -p '#{pid}')
	[ -n "$RUN_PID" ] || fail "no server pid"
	SERVER_PIDS="${SERVER_PIDS:-} $RUN_PID"
}

type_and_seal() {
	# The shell prints TAMPER-I-W-42; the echoed command line does not
	# hold that text, so the wait is for the command's own output.
	$T send-keys -t %0 "echo TAMPER-$1-$2-\$((40 + 2))" Enter ||
	    fail "send-keys failed"
	wait_for "the output of command $1-$2 in the log" log_has \
	    "r['type'] == 'output' and 'TAMPER-$1-$2-42' in r.get('data', '')"
	$T show-audit -V >"$TMP/live" 2>&1
	[ $? -eq 2 ] && ! grep -qv ': consistent: ' "$TMP/live" ||
	    fail "show-audit -V in the server failed: $(cat "$TMP/live")"
}

make_log() {
	_n=$1
	shift
	start_server "$@"
	_i=1
	while [ "$_i" -le "$_n" ]; do
		for _w in a b c; do
			type_and_seal "$_i" "$_w"
		done
		if [ "$_i" -lt "$_n" ]; then
			$T set -s audit-log off || fail "audit-log off failed"
			$T set -s audit-log on || fail "audit-log on failed"
		fi
		_i=$((_i + 1))
	done
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$RUN_PID"
	set -- "$LOG"/*.tmux-audit
	[ $# -eq "$_n" ] || fail "$# segment files, not $_n"
}

verify() {
	_dir=$1
	shift
	"$TMUX_BIN" show-audit -V -d "$_dir" "$@" >"$TMP/v.out" 2>"$TMP/v.err"
	VRC=$?
}

fresh() {
	rm -rf "${TMP:?}/$1"
	cp -a "${ORIG:-$TMP/orig}" "$TMP/$1" || fail "cp failed"
	chmod -R u+w "$TMP/$1"
	echo "$TMP/$1"
}

TAMPER_EXPECT=$TMP/expect
export TAMPER_EXPECT

tamper() {
	_what=$1
	_code=$2
	shift 2
	_d=$(fresh "${CASE:-case}") || fail "$_what: no copy"
	rm -f "$TAMPER_EXPECT".*
	python3 -c "import sys, tamper as t
d = sys.argv[1]
s = t.segments(d)
$_code" "$_d" || fail "$_what: python3 failed"
	[ -f "$TAMPER_EXPECT.rc" ] || fail "$_what: no t.expect"
	verify "$_d" "$@"
	[ "$VRC" -eq "$(cat "$TAMPER_EXPECT.rc")" ] ||
	    fail "$_what: show-audit -V exited $VRC, not" \
	    "$(cat "$TAMPER_EXPECT.rc"): $(cat "$TMP/v.err")"
	assert_eq "$_what: stderr" "$(cat "$TAMPER_EXPECT.err")" \
	    "$(cat "$TMP/v.err")"
	assert_eq "$_what: stdout" "$(cat "$TAMPER_EXPECT.out")" \
	    "$(cat "$TMP/v.out")"
}
