# regress/lib-collector.sh: a real tmux-auditd, run as root, and servers of
# other users that send it their logs. Not a test. Source it after lib.sh
# and lib-users.sh; it skips unless other users can be made (need_users),
# and at exit kills the collector and every server:
#
#	. "$REGRESS/lib-collector.sh"
#	collector_start [ARGS]	start tmux-auditd in the foreground on
#				$CSOCK, storing in $CSTORE with key $CKEY
#				($CKEY.pub the public half), its output in
#				$CLOG; its pid in $CPID. Killed at exit
#	collector_stop [SIG]	stop it (SIGTERM, or SIG) and wait for it
#	user_server NAME ARGS	start an audited server of user NAME on the
#				socket $TMP/u-NAME/sock with $CONF (which
#				should set audit-log-collector $CSOCK),
#				running "new -d ARGS"; its pid in $USER_PID.
#				$U runs NAME's client on it
#	user_control		attach a control client (as the user, input
#				an open fifo) to the last user_server, so its
#				messages can be read; its name in $UCTL
#	user_messages		that server's messages, without their times
#	user_dir NAME		the collector's directory of NAME's logs
#	collector_has TEXT	does $CLOG have a line with TEXT (fixed)?
#	check_flood N		$TMP/log.json (log_json) has the lines 1 to N
#				of seq's output exactly once, in order, and
#				its sequence numbers no gap and no repeat
#	check_collected SEG	show-audit -V -c of SEG's directory says SEG
#				is intact, closed and collected, exit 0
#	finish_flood NAME N SEG	wait for the flood of NAME's last
#				user_server to print flood-done, stop it,
#				wait for its segment 1 to be complete, then
#				check_flood N and check_collected SEG
#
# The collector's files belong to root; the users' servers run $USER_BIN
# (lib-users.sh).

need_users
AUDITD_BIN=${AUDITD_BIN:-$(dirname "$TMUX_BIN")/tmux-auditd}
[ -x "$AUDITD_BIN" ] || fail "no tmux-auditd at $AUDITD_BIN (run ./build.sh)"

CDIR=$TMP/collector
CSOCK=$CDIR/sock
CSTORE=$CDIR/store
CKEY=$CDIR/key
CLOG=$CDIR/auditd.log
CPID=
mkdir -m 0755 "$CDIR" || fail "mkdir $CDIR failed"
trap 'rc=$?; collector_cleanup; pub_cleanup; cleanup; exit $rc' EXIT

collector_start() {
	rm -f "$CSOCK"
	"$AUDITD_BIN" -f -v -d "$CSTORE" -k "$CKEY" -s "$CSOCK" "$@" \
	    >>"$CLOG" 2>&1 &
	CPID=$!
	wait_for "tmux-auditd to listen" test -S "$CSOCK"
}

collector_stop() {
	[ -n "$CPID" ] || return 0
	kill "-${1:-TERM}" "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=
}

user_server() {
	_name=$1
	shift
	_d=$TMP/u-$_name
	if [ ! -d "$_d" ]; then
		mkdir -m 0700 "$_d" && chown "$_name" "$_d" ||
		    fail "mkdir $_d failed"
	fi
	chmod 0644 "$CONF"
	U="setpriv --reuid=$_name --regid=$(id -g "$_name") --init-groups \
env -i PATH=/usr/bin:/bin HOME=/ TMUX_TMPDIR=/nonexistent LC_ALL=$LC_ALL \
TERM=$TERM $USER_BIN -S $_d/sock"
	$U -f "$CONF" new -d "$@" || fail "new-session as $_name failed"
	USER_PID=$($U display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $USER_PID"
}

user_control() {
	_f=$TMP/u-$_name/ctl
	mkfifo "$_f" && chown "$_name" "$_f" || fail "mkfifo failed"
	$U -C attach -f no-output <>"$_f" >/dev/null 2>&1 &
	wait_for "the control client" sh -c "$U lsc -F \
'#{?client_control_mode,#{client_name},}' | grep -q ."
	UCTL=$($U lsc -F '#{?client_control_mode,#{client_name},}' | grep .)
}

user_messages() {
	$U show-messages -t "$UCTL" | sed -n 's/^[0-9][0-9]:[0-9][0-9]: //p'
}

user_dir() {
	echo "$CSTORE/$1"
}

collector_has() {
	grep -qF -- "$1" "$CLOG"
}

collector_cleanup() {
	collector_stop KILL
	# The stored files are immutable: let cleanup remove them.
	chattr -R -ia "$CSTORE" 2>/dev/null
}

check_flood() {
	python3 - "$TMP/log.json" "$1" <<'EOF' || fail "the stored log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
out = "".join(r.get("data", "") for r in recs if r["type"] == "output")
want = "".join("%d\r\n" % i for i in range(1, int(sys.argv[2]) + 1))
if out.count(want) != 1:
    sys.exit("the numbered lines are not there exactly once")
seqs = [r["seq"] for r in recs if r["type"] != "segment"]
if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
    sys.exit("the sequence numbers have a gap or a repeat")
EOF
}

check_collected() {
	_out=$("$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$(dirname "$1")" \
	    2>&1) || fail "the log does not verify: $_out"
	case "$_out" in
	"$1: intact: "*", closed, unanchored (no host key), collected (collector key "*")")
		;;
	*)	fail "verification: $_out" ;;
	esac
}

finish_flood() {
	wait_for "the flood to end" sh -c \
	    "$U capture-pane -p | grep -q '^flood-done\$'"
	$U kill-server
	wait_for "the segment to be complete" collector_has \
	    "server pid $USER_PID uid $USER_UID ($1): segment 1 complete"
	log_json "$(user_dir "$1")"
	check_flood "$2"
	check_collected "$3"
}
