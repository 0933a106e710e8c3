# regress/lib.sh: shared helpers for the tmux-audit tests. Not a test.
#
# A test starts with
#
#	. "$(dirname "$0")/lib.sh"
#
# and then has:
#
#	$TMP		a private directory (mktemp -d), removed at exit;
#			the test runs with it as the current directory and
#			as TMUX_TMPDIR, so every socket lives inside it;
#			HOME is $TMP/home
#	$T		"$TMUX_BIN -L $LABEL -f $CONF": the tmux under test,
#			on its own socket and config
#	$LABEL, $SOCK	the socket label and path
#	$CONF, $LOG	the config file (audit_conf writes it) and the log
#			directory it names
#
# Every server started on $LABEL or by attach_pty is killed at exit. The
# helpers print what went wrong and exit 1 on failure; skip exits 77.

set -u

REGRESS=$(cd "$(dirname "$0")" && pwd -P)
TOP=$(dirname "$REGRESS")
TMUX_BIN=${TMUX_BIN:-$TOP/tmux/tmux}
PRISTINE_BIN=${PRISTINE_BIN:-$TOP/tmux-pristine/tmux}
TEST=$(basename "$0" .sh)

# Bounded waits: WAIT_TRIES polls WAIT_SLEEP seconds apart (10 s).
WAIT_TRIES=${WAIT_TRIES:-200}
WAIT_SLEEP=0.05

fail() {
	echo "FAIL: $TEST: $*" >&2
	exit 1
}

skip() {
	echo "$*"
	exit 77
}

[ -x "$TMUX_BIN" ] || fail "no tmux at $TMUX_BIN (run ./build.sh)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

# A fixed, small environment: nothing from the caller's tmux, terminal or
# login may leak into what the server records.
unset TMUX TMUX_PANE SSH_CONNECTION SSH_CLIENT SSH_TTY SUDO_USER SUDO_UID \
    SUDO_GID SUDO_COMMAND DISPLAY USER LOGNAME XDG_STATE_HOME
export LC_ALL=C.UTF-8 TERM=xterm-256color

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tmux-audit-regress.XXXXXXXX") ||
    fail "mktemp -d failed"
TMP=$(cd "$TMP" && pwd -P)
export TMUX_TMPDIR=$TMP
cd "$TMP" || fail "cd $TMP"
# A home of our own: a server whose log falls back to the default path must
# not write into the real one.
export HOME=$TMP/home
mkdir "$HOME"

LABEL=audit-$TEST-$$
OUTER=outer-$TEST-$$
SOCK=$TMP/tmux-$(id -u)/$LABEL
CONF=$TMP/tmux.conf
LOG=$TMP/log
T="$TMUX_BIN -L $LABEL -f $CONF"
: >"$CONF"

# Kill every server whose socket is in $TMP, then remove $TMP.
cleanup() {
	trap - EXIT INT TERM HUP
	for s in "$TMP"/tmux-*/*; do
		[ -S "$s" ] || continue
		timeout 5 "$TMUX_BIN" -S "$s" kill-server >/dev/null 2>&1
	done
	# A server that did not go: only if the pid is still a tmux of ours.
	for p in ${SERVER_PIDS:-}; do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = \
		    "$(readlink -f "$TMUX_BIN")" ] && kill -9 "$p" 2>/dev/null
	done
	chmod -R u+rwx "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP

# Write $CONF with the audit log on and in $LOG, plus any lines given.
audit_conf() {
	{
		echo "set -s audit-log on"
		echo "set -s audit-log-path $LOG"
		for line in "$@"; do
			echo "$line"
		done
	} >"$CONF"
}

# Poll until a command succeeds; fail after about ten seconds.
#	wait_for "what we wait for" command [args...]
wait_for() {
	_wait_what=$1
	shift
	_wait_i=0
	while ! "$@"; do
		_wait_i=$((_wait_i + 1))
		[ $_wait_i -ge "$WAIT_TRIES" ] &&
		    fail "timed out waiting for $_wait_what"
		sleep $WAIT_SLEEP
	done
	return 0
}

# Has process $1 exited? A zombie counts: a daemon's parent (init) may be
# slow to reap it.
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	[ -r "/proc/$1/stat" ] || return 1
	case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" in
	Z*|X*|'')	return 0 ;;
	esac
	return 1
}

# Fail unless the expected text ($2) and the actual text ($3) are exactly
# equal; show a diff if not.
assert_eq() {
	printf '%s\n' "$2" >"$TMP/expected"
	printf '%s\n' "$3" >"$TMP/actual"
	if ! cmp -s "$TMP/expected" "$TMP/actual"; then
		echo "$1: expected (-) and actual (+) differ:" >&2
		diff -u "$TMP/expected" "$TMP/actual" | tail -n +3 >&2
		fail "$1"
	fi
}

# Run a command in the background and wait for it, leaving its pid in
# $LAST_PID: the pid the server sees for a tmux client.
run_pid() {
	"$@" &
	LAST_PID=$!
	wait $LAST_PID
}

# The log as JSON Lines in $TMP/log.json, read with no server.
log_json() {
	"$TMUX_BIN" show-audit -J -d "${1:-$LOG}" >"$TMP/log.json"
}

# Does the log (read now, with no server) have a record that matches the
# Python expression $1 on the record r?
log_has() {
	"$TMUX_BIN" show-audit -J -d "$LOG" 2>/dev/null | python3 -c '
import json, sys
ok = False
for line in sys.stdin:
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[1]):
        ok = True
sys.exit(0 if ok else 1)' "$1"
}

# The record types of the foundation: server and log lifecycle, clients,
# sessions. Tests of these compare only these, so records added for other
# things (commands, pane input and output, options, ...) do not disturb them.
BASIC_TYPES="segment server-start server-stop log-start log-stop
client-connect client-attached client-session-changed client-detached
client-disconnect access-denied session-created session-closed"

# Print the records of $TMP/log.json whose type is one of $1 (default: all)
# one a line for an exact comparison: type, then every field as key=value in
# the order written. Only what varies from run to run is normalised: seq
# and time are left out and the run id is printed as RUN and start_time as
# START (audit_check_meta checks all of them). Strings that are not plain
# words are printed as JSON strings, and so are objects.
audit_norm() {
	python3 -c '
import json, re, sys
plain = re.compile(r"^[A-Za-z0-9_./:,@%$+-]+$")
types = sys.argv[2].split()
def show(v):
    if isinstance(v, str) and plain.match(v):
        return v
    return json.dumps(v, separators=(",", ":"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    if types and r["type"] not in types:
        continue
    out = [r.pop("type")]
    del r["seq"], r["time"]
    for k, v in r.items():
        if k == "run":
            v = "RUN"
        elif k == "start_time":
            v = "START"
        out.append("%s=%s" % (k, show(v)))
    print(" ".join(out))
' "$TMP/log.json" "${1:-}"
}

# Check what audit_norm leaves out, for one server run in $TMP/log.json
# that started after time $1 and ended before $2 (seconds since the epoch):
# the run id is 32 hex digits; start_time is the server-start time or just
# before it; every time is inside the window; event times never go
# backwards; the segment record carries the seq of the record after it and
# the event seqs count up from 0 with no gap.
audit_check_meta() {
	python3 -c '
import json, re, sys
from datetime import datetime, timezone
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
recs = [json.loads(l) for l in open(sys.argv[1])]
def us(s):
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond
def bad(msg):
    sys.exit("audit_check_meta: " + msg)
if not recs or recs[0]["type"] != "segment":
    bad("first record is not a segment record")
seg = recs[0]
if not re.fullmatch(r"[0-9a-f]{32}", seg["run"]):
    bad("run id %r is not 32 hex digits" % seg["run"])
events = [r for r in recs if r["type"] != "segment"]
for i, r in enumerate(recs):
    if r["type"] == "segment":
        if i + 1 < len(recs) and r["seq"] != recs[i + 1]["seq"]:
            bad("segment seq %d, next record seq %d" %
                (r["seq"], recs[i + 1]["seq"]))
for i, r in enumerate(events):
    if r["seq"] != i:
        bad("event %d has seq %d" % (i, r["seq"]))
last = 0
for r in recs:
    t = us(r["time"])
    if not (t0 * 1e6 - 1e6 <= t <= t1 * 1e6 + 1e6):
        bad("seq %d time %s outside the test" % (r["seq"], r["time"]))
    if r["type"] != "segment":
        if t < last:
            bad("seq %d time %s goes backwards" % (r["seq"], r["time"]))
        last = t
    if "start_time" in r:
        start = events[0]
        if r["start_time"] > us(start["time"]) or \
           r["start_time"] < t0 * 1e6 - 1e6:
            bad("seq %d start_time %d is not the server start (%s)" %
                (r["seq"], r["start_time"], start["time"]))
' "$TMP/log.json" "$1" "$2"
}

# The loginuid and audit_session fields the log gives a client started from
# this shell (both are inherited, and absent when unset), each with a
# leading space.
login_fields() {
	for _f in loginuid:loginuid sessionid:audit_session; do
		_v=$(cat "/proc/$$/${_f%%:*}" 2>/dev/null) || continue
		[ -n "$_v" ] && [ "$_v" != 4294967295 ] &&
		    printf ' %s=%s' "${_f#*:}" "$_v"
	done
	return 0
}

# The time now, in seconds since the epoch.
now() {
	date +%s.%N
}

# Attach a real client to session $1 of the server on $LABEL, through a pty:
# an outer tmux (socket $OUTER, no audit, no config) runs it in its only
# pane. The pane's process is the client itself (exec), so PTY_PID is the
# client's pid and PTY_TTY its tty. Waits until the pane runs the client;
# the caller waits for the attach (in the log, or with list-clients).
attach_pty() {
	"$TMUX_BIN" -L "$OUTER" -f /dev/null new -d -x 80 -y 24 \
	    "exec env -u TMUX TMUX_TMPDIR=$TMP TERM=$TERM LC_ALL=$LC_ALL \
	    $TMUX_BIN -L $LABEL attach -t $1" || fail "outer tmux failed"
	PTY_PID=$("$TMUX_BIN" -L "$OUTER" display -p '#{pane_pid}')
	PTY_TTY=$("$TMUX_BIN" -L "$OUTER" display -p '#{pane_tty}')
	[ -n "$PTY_PID" ] && [ -n "$PTY_TTY" ] ||
	    fail "no pane pid or tty in the outer tmux"
	wait_for "the client in the outer pane to be $TMUX_BIN" pty_is_tmux
}

pty_is_tmux() {
	[ "$(readlink "/proc/$PTY_PID/exe" 2>/dev/null)" = \
	    "$(readlink -f "$TMUX_BIN")" ]
}

# Detach the client in the outer pane with its prefix key, C-b d, and wait
# for it to exit.
detach_pty() {
	"$TMUX_BIN" -L "$OUTER" send-keys C-b d ||
	    fail "send-keys to the outer tmux failed"
	wait_for "the pty client to exit" gone "$PTY_PID"
}

# The pid of the server on $LABEL, from its server-start record.
server_pid() {
	"$TMUX_BIN" show-audit -J -d "$LOG" 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "server-start":
        print(r["pid"])
        break'
}
