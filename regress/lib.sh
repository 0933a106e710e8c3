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
#	$SERVER		the pid of the server start_main or start_logged
#			started ($START: the time just before, for
#			audit_check_meta)
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
	# A server that did not go: only if the pid is still a tmux of ours,
	# $TMUX_BIN or the copy another user runs (user_tmux).
	for p in ${SERVER_PIDS:-}; do
		case "$(readlink "/proc/$p/exe" 2>/dev/null)" in
		"$(readlink -f "$TMUX_BIN")"|"$TMP"/bin-*/tmux)
			kill -9 "$p" 2>/dev/null ;;
		esac
	done
	chmod -R u+rwx "$TMP" 2>/dev/null
	# Seeds for the fuzz targets (./build.sh fuzz), when asked for.
	[ -n "${REGRESS_SEEDS:-}" ] && python3 "$REGRESS/fuzz/seeds.py" \
	    "$TMP" "$REGRESS_SEEDS" "$REGRESS_SEEDS-collector" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 1' INT TERM HUP

# Is $TMUX_BIN built with AddressSanitizer (./build.sh asan)? Its memory
# use and speed are not those of the release.
sanitized() {
	ldd "$TMUX_BIN" 2>/dev/null | grep -q 'libasan\|libubsan'
}

# Print the path of a copy of $TMUX_BIN that user $1 can run. The checkout
# may sit under a directory other users cannot enter (a clone under /root,
# or in any mode 0700 directory, as mktemp -d makes), so a test that runs
# tmux as another user runs this copy instead: it is made once, in a
# directory of $TMP that only root can list ($TMP is made mode 0711 so the
# user can reach it), and removed with $TMP.
#	GTMUX=$(user_tmux "$GUEST") || fail "..."
user_tmux() {
	_ut=$TMP/bin-$1
	if [ ! -x "$_ut/tmux" ]; then
		chmod 0711 "$TMP" && mkdir -m 0711 "$_ut" &&
		    cp "$TMUX_BIN" "$_ut/tmux" && chmod 0755 "$_ut/tmux" ||
		    return 1
	fi
	echo "$_ut/tmux"
}

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
# START (audit_check_meta checks all of them). The tamper evidence is left
# out too, as it is all keys, hashes and signatures: seal records, and the
# key and link fields of segment records (SEAL_FIELDS; audit_check_seals
# checks them, and that the log verifies). Strings that are not plain words
# are printed as JSON strings, and so are objects.
SEAL_FIELDS="run_key_base64 sign_key_base64 prev_chain_base64
prev_seal_base64 host_key_base64 cert_base64"
audit_norm() {
	python3 -c '
import json, re, sys
plain = re.compile(r"^[A-Za-z0-9_./:,@%$+-]+$")
types = sys.argv[2].split()
seal_fields = sys.argv[3].split()
def show(v):
    if isinstance(v, str) and plain.match(v):
        return v
    return json.dumps(v, separators=(",", ":"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "seal" or (types and r["type"] not in types):
        continue
    if r["type"] == "segment":
        for k in seal_fields:
            r.pop(k, None)
    out = [r.pop("type")]
    del r["seq"], r["time"]
    for k, v in r.items():
        if k == "run":
            v = "RUN"
        elif k == "start_time":
            v = "START"
        out.append("%s=%s" % (k, show(v)))
    print(" ".join(out))
' "$TMP/log.json" "${1:-}" "$SEAL_FIELDS"
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

# Check the tamper evidence of a log of one server run, closed by the
# server, with no host key: $TMP/log.json (read from directory $1, default
# $LOG) has, in every segment record, after start_time, exactly first=1
# (segment 1 only), run_key and sign_key (32 bytes; the run key is the
# same in every segment and signs segment 1), then in later segments
# prev_chain (32 bytes) and prev_seal (the signature of the previous
# segment's closing seal), and sign_key is the key that seal named next.
# Seals have exactly seal_index (0, 1, 2, ... through the run), run,
# segment, records (how many records since the last seal, or since the
# segment began, the segment record included), final (only on the last
# record of each segment, which is a seal), chain (32 bytes, its first 8
# the last digest), digests (8 bytes per record), next_key (32) and
# signature (64). And show-audit -V -d says each file is consistent (there
# is no host key) and closed, with these counts, and exits 2.
audit_check_seals() {
	_dir=${1:-$LOG}
	"$TMUX_BIN" show-audit -V -d "$_dir" >"$TMP/verify.out" \
	    2>"$TMP/verify.err"
	[ $? -eq 2 ] || fail "show-audit -V -d $_dir failed: \
$(cat "$TMP/verify.err")"
	assert_eq "stderr of show-audit -V -d $_dir" "" \
	    "$(cat "$TMP/verify.err")"
	python3 -c '
import base64, glob, json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
files = sorted(glob.glob(os.path.join(sys.argv[2], "*.tmux-audit")))
def bad(msg):
    sys.exit("audit_check_seals: " + msg)
def raw(r, k, n):
    if k + "_base64" not in r:
        bad("seq %d %s has no %s" % (r["seq"], r["type"], k))
    v = base64.b64decode(r[k + "_base64"], validate=True)
    if n is not None and len(v) != n:
        bad("seq %d %s: %s has %d bytes" % (r["seq"], r["type"], k, len(v)))
    return v
segs = []
for r in recs:
    if r["type"] == "segment":
        segs.append([])
    if not segs:
        bad("the log does not begin with a segment record")
    segs[-1].append(r)
if len(segs) != len(files):
    bad("%d segment records, %d files" % (len(segs), len(files)))
index = 0
prev = None
lines = []
for n, (seg, path) in enumerate(zip(segs, files), 1):
    s = seg[0]
    keys = list(s)[list(s).index("start_time") + 1:]
    want = ["run_key_base64", "sign_key_base64"]
    if n == 1:
        want = ["first"] + want
    else:
        want += ["prev_chain_base64", "prev_seal_base64"]
    if keys != want:
        bad("segment %d has fields %r, not %r" % (n, keys, want))
    if s["segment"] != n or (n == 1 and s["first"] != 1):
        bad("segment record %d says segment %d" % (n, s["segment"]))
    if not path.endswith("_%d_%06d.tmux-audit" % (s["pid"], n)):
        bad("segment %d is in %s" % (n, path))
    run_key, sign_key = raw(s, "run_key", 32), raw(s, "sign_key", 32)
    if n == 1:
        first = s
        if sign_key != run_key:
            bad("segment 1 is not signed by the run key")
    else:
        if run_key != raw(first, "run_key", 32) or s["run"] != first["run"]:
            bad("segment %d has another run or run key" % n)
        raw(s, "prev_chain", 32)
        if sign_key != raw(prev, "next_key", 32):
            bad("segment %d sign_key is not the next key of seal %d" %
                (n, prev["seal_index"]))
        if raw(s, "prev_seal", 64) != raw(prev, "signature", 64):
            bad("segment %d prev_seal is not seal %d" %
                (n, prev["seal_index"]))
    count = 0
    for i, r in enumerate(seg):
        count += 1
        if r["type"] != "seal":
            continue
        keys = [k for k in r if k not in ("seq", "time", "type")]
        last = i == len(seg) - 1
        want = ["seal_index", "run", "segment", "records"] + \
            (["final"] if last else []) + ["chain_base64", "digests_base64",
            "next_key_base64", "signature_base64"]
        if keys != want:
            bad("seal seq %d has fields %r, not %r" % (r["seq"], keys, want))
        if r["seal_index"] != index:
            bad("seal seq %d has index %d, not %d" %
                (r["seq"], r["seal_index"], index))
        if r["run"] != s["run"] or r["segment"] != n:
            bad("seal seq %d names run %s segment %d" %
                (r["seq"], r["run"], r["segment"]))
        if last and r["final"] != 1:
            bad("seal seq %d: final=%d" % (r["seq"], r["final"]))
        if r["records"] != count - 1:
            bad("seal seq %d covers %d records, not %d" %
                (r["seq"], r["records"], count - 1))
        digests = raw(r, "digests", 8 * r["records"])
        if raw(r, "chain", 32)[:8] != digests[-8:]:
            bad("seal seq %d: chain is not its last digest" % r["seq"])
        raw(r, "next_key", 32)
        raw(r, "signature", 64)
        index += 1
        count = 1
        prev = r
    if seg[-1]["type"] != "seal":
        bad("segment %d does not end with a seal" % n)
    lines.append("%s: consistent: %d records, %d seals, sealed through "
        "seq %d, closed, unanchored (no host key)" % (path, len(seg) - 1,
        sum(r["type"] == "seal" for r in seg), seg[-1]["seq"]))
with open(sys.argv[3], "w") as f:
    f.write("".join(l + "\n" for l in lines))
' "$TMP/log.json" "$_dir" "$TMP/verify.expected" ||
	    fail "bad seals or segment keys in $_dir"
	assert_eq "show-audit -V -d $_dir" "$(cat "$TMP/verify.expected")" \
	    "$(cat "$TMP/verify.out")"
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

# The fork's version, AUDIT_VERSION in audit/audit.h.
audit_version() {
	sed -n 's/^#define AUDIT_VERSION "\(.*\)"$/\1/p' "$TOP/audit/audit.h"
}

# The fields of the server-start record of the server with pid $1, run by
# this user on this host, as audit_norm prints them (the segment record
# has them too, before its own).
server_fields() {
	printf 'pid=%s uid=%s user=%s host=%s tmux_version=3.5a' \
	    "$1" "$(id -u)" "$(id -un)" "$(hostname)"
	printf ' audit_version=%s socket=%s start_time=START\n' \
	    "$(audit_version)" "$SOCK"
}

# The fields that name a client of this user in the log, as audit_norm
# prints them: client_id $1, name $2 (client-PID, or its tty), pid $3.
client_fields() {
	printf 'client_id=%s client=%s uid=%s gid=%s pid=%s user=%s\n' \
	    "$1" "$2" "$(id -u)" "$(id -g)" "$3" "$(id -un)"
}

# The time now, in seconds since the epoch.
now() {
	date +%s.%N
}

# Attach a real client to session $1 of the server on $LABEL, through a pty:
# an outer tmux (socket $OUTER, no audit, no config) runs it in its only
# pane. The pane's process is the client itself (exec), so PTY_PID is the
# client's pid and PTY_TTY its tty. Waits until the client is attached:
# until the server has put its terminal in raw mode. Keys typed before
# that meet canonical mode, where C-c, C-d or Enter are the line
# discipline's. (Asking the server with list-clients would add a client to
# the log the tests compare.)
attach_pty() {
	"$TMUX_BIN" -L "$OUTER" -f /dev/null new -d -x 80 -y 24 \
	    "exec env -u TMUX TMUX_TMPDIR=$TMP TERM=$TERM LC_ALL=$LC_ALL \
	    $TMUX_BIN -L $LABEL attach -t $1" || fail "outer tmux failed"
	PTY_PID=$("$TMUX_BIN" -L "$OUTER" display -p '#{pane_pid}')
	PTY_TTY=$("$TMUX_BIN" -L "$OUTER" display -p '#{pane_tty}')
	[ -n "$PTY_PID" ] && [ -n "$PTY_TTY" ] ||
	    fail "no pane pid or tty in the outer tmux"
	wait_for "the client in the outer pane to be $TMUX_BIN" pty_is_tmux
	wait_for "the client in the outer pane to attach" pty_attached
}

pty_attached() {
	stty -a -F "$PTY_TTY" 2>/dev/null | tr ' ' '\n' | grep -qx -- -icanon
}

pty_is_tmux() {
	[ "$(readlink "/proc/$PTY_PID/exe" 2>/dev/null)" = \
	    "$(readlink -f "$TMUX_BIN")" ]
}

# Does the screen of the outer tmux's pane (the client attached there)
# have a line matching the basic regular expression $1?
outer_screen_has() {
	"$TMUX_BIN" -L "$OUTER" capture-pane -p | grep -q -- "$1"
}

# Wait until the client in the outer pane shows its command prompt (a ":"
# opening its status line, the last). Keys typed before the prompt opens
# are queued behind the command that opens it and go to the pane instead
# (as in upstream), so a test types the command only after this.
wait_outer_prompt() {
	wait_for "the command prompt" sh -c \
	    "\"$TMUX_BIN\" -L \"$OUTER\" capture-pane -p | tail -n 1 |
	    grep -q '^:'"
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

# Start a server on $LABEL with $CONF and one session, main, 80 by 24, its
# pane running command $1 if given (else the default shell). $SERVER is
# the server's pid (asked of it with display-message, a client of its own)
# and $START the time just before it started.
start_main() {
	START=$(now)
	$T new -d -s main -x 80 -y 24 "$@" || fail "new-session failed"
	SERVER=$($T display -p '#{pid}') || fail "display #{pid} failed"
	[ -n "$SERVER" ] || fail "no server pid"
	SERVER_PIDS="${SERVER_PIDS:-} $SERVER"
}

# The end of a test whose server start_main started: it must still be
# running; then kill-server, wait for it to exit, and check the whole log,
# read into $TMP/log.json: its times and seqs (audit_check_meta, since
# $START) and its seals (audit_check_seals).
end_main() {
	gone "$SERVER" && fail "the server died"
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$SERVER"
	log_json
	audit_check_meta "$START" "$(now)" ||
	    fail "bad times or seqs in the log"
	audit_check_seals
}

# Start a server on $LABEL with $CONF by "new -d ARGS", and no other client,
# so that the log holds only that client's records, and wait for its
# server-start record. $NEW_PID is the pid of the new-session client and
# $SERVER the server's, read from the log; $START the time just before.
start_logged() {
	START=$(now)
	run_pid $T new -d "$@" || fail "new-session failed"
	NEW_PID=$LAST_PID
	wait_for "server-start" log_has 'r["type"] == "server-start"'
	SERVER=$(server_pid)
	SERVER_PIDS="${SERVER_PIDS:-} $SERVER"
}
