#!/bin/sh

# The witness over TCP (audit-log-syslog-target tcp:HOST:PORT, octet
# counting as RFC 6587 says) never makes the server wait, and never breaks
# a frame. The receiver here is a Python listener that can be told to stop
# reading, or to leave connections waiting in a full accept queue.
#
# 1. A receiver that stops reading (its receive buffer 4 KiB): 3000
#    commands from a control client, one message each, fill the socket and
#    the server's queue (1024 messages), each about 2 KiB. The server still answers a command
#    from another client meanwhile (within 10 seconds; it would hang if it
#    waited on the socket). Once the receiver reads again, everything that
#    came is a sequence of whole frames, "LEN SP MSG" with LEN the octets
#    of MSG, each MSG an RFC 5424 message for a record of the log, none
#    twice; and the number of records of the log that did not come is
#    exactly the sum of the syslog_lost counts that did.
#
# 2. A receiver whose accept queue is full (listen backlog 0 and one
#    connection already waiting): the server's connect cannot complete, and
#    the server still answers commands. When the receiver accepts, the
#    messages queued meanwhile (200 commands) all come, none lost.
#
# 3. A bad target is refused by set-option with an error naming it.
#
# 4. A log that cannot be started is said in syslog (below).

. "$(dirname "$0")/lib.sh"

RECV_PID=
trap 'rc=$?; [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null; cleanup;
    exit $rc' EXIT

cat >"$TMP/recv.py" <<'PYEOF'
import os, selectors, socket, sys, time

mode, d = sys.argv[1], sys.argv[2]
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind(("127.0.0.1", 0))
l.listen(0 if mode == "full" else 8)
filler = None
if mode == "full":
    filler = socket.create_connection(l.getsockname())
with open(d + "/port.tmp", "w") as f:
    f.write("%d\n" % l.getsockname()[1])
os.rename(d + "/port.tmp", d + "/port")
sel = selectors.DefaultSelector()
conns = {}
going = False
while not os.path.exists(d + "/stop"):
    if not going:
        if os.path.exists(d + "/go"):
            going = True
            l.setblocking(False)
            sel.register(l, selectors.EVENT_READ)
        elif mode == "stall":
            # Accept, but do not read.
            l.settimeout(0.05)
            try:
                c, _ = l.accept()
                c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                conns[c] = open(d + "/conn%d.raw" % len(conns), "wb")
            except socket.timeout:
                pass
            continue
        else:
            time.sleep(0.05)
            continue
        for c in conns:
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ)
    for key, _ in sel.select(0.05):
        s = key.fileobj
        if s is l:
            try:
                c, _ = l.accept()
            except BlockingIOError:
                continue
            c.setblocking(False)
            conns[c] = open(d + "/conn%d.raw" % len(conns), "wb")
            sel.register(c, selectors.EVENT_READ)
            continue
        data = s.recv(65536)
        if not data:
            sel.unregister(s)
            continue
        conns[s].write(data)
        conns[s].flush()
PYEOF

# Start the receiver in mode $1, its files in $TMP/$1.
start_receiver() {
	mkdir "$TMP/$1" || fail "mkdir failed"
	python3 "$TMP/recv.py" "$1" "$TMP/$1" &
	RECV_PID=$!
	wait_for "the receiver to listen" test -f "$TMP/$1/port"
	PORT=$(cat "$TMP/$1/port")
}

# Stop the receiver.
stop_receiver() {
	touch "$TMP/$1/stop"
	wait "$RECV_PID"
	RECV_PID=
}

# Is the message for the log's last record (its closing seal) in any
# connection's data of directory $1?
last_message() {
	n=$("$TMUX_BIN" show-audit -J -d "$LOG" 2>/dev/null | tail -n 1 |
	    sed 's/^{"seq":\([0-9]*\),.*/\1/')
	[ -n "$n" ] || return 1
	cat "$1"/conn*.raw 2>/dev/null |
	    grep -aq " seal \[tmuxaudit@32473 run=\"[0-9a-f]*\" seq=\"$n\" "
}

# Start a server with the witness on tcp:127.0.0.1:$PORT.
start_server() {
	audit_conf "set -s audit-log-syslog on" \
	    "set -s audit-log-syslog-target tcp:127.0.0.1:$PORT"
	start_main "exec sleep 300"
}

# $1 commands from one control client, each with an argument of 900
# octets, so that each message is about 2 KiB (the kernel takes megabytes on
# a loopback connection before it stops taking more).
commands() {
	pad=$(printf '%0900d' 0)
	i=0
	while [ $i -lt "$1" ]; do
		echo "display-message -p c$i-$pad"
		i=$((i + 1))
	done >"$TMP/cmds"
	$T -C attach -t main <"$TMP/cmds" >/dev/null 2>&1 ||
	    fail "control client failed"
}

# The server answers a command from another client, in time.
answers() {
	out=$(timeout 10 $T display-message -p "still here $1") ||
	    fail "$1: the server did not answer within 10 seconds"
	assert_eq "$1: display-message" "still here $1" "$out"
}

# Check the frames of directory $1 against the log; $2 is "any" if
# messages may have been lost, "none" if not.
check_frames() {
	"$TMUX_BIN" show-audit -J -d "$LOG" >"$TMP/log.json" ||
	    fail "show-audit -J failed"
	python3 - "$1" "$2" "$TMP/log.json" <<'PYEOF' || fail "see above"
import glob, json, re, sys
d, lost_ok, logf = sys.argv[1:4]
recs = [json.loads(l) for l in open(logf)]
bulk = ("input", "output", "pane-resized", "segment")
want = {r["seq"]: r["type"] for r in recs if r["type"] not in bulk}
bad = []
seen = {}
lost = 0
frames = 0
for path in sorted(glob.glob(d + "/conn*.raw")):
    data = open(path, "rb").read()
    p = 0
    while p < len(data):
        m = re.compile(rb"([1-9][0-9]*) ").match(data, p)
        if m is None:
            bad.append("%s at %d: no frame length: %r" %
                (path, p, data[p:p + 40]))
            break
        n = int(m.group(1))
        msg = data[m.end():m.end() + n]
        if len(msg) != n:
            bad.append("%s at %d: frame of %d octets cut at %d" %
                (path, p, n, len(msg)))
            break
        p = m.end() + n
        frames += 1
        mm = re.match(rb'<(8[46])>1 \S+ \S+ tmux-audit \d+ (\S+) '
            rb'\[tmuxaudit@32473 run="[0-9a-f]{32}" seq="(\d+)"(.*?)\]'
            rb'\[tmuxindex@32473 [^]]*\] ', msg, re.S)
        if mm is None:
            bad.append("not an audit message: %r" % msg[:120])
            continue
        seq = int(mm.group(3))
        typ = mm.group(2).decode()
        if want.get(seq) != typ:
            bad.append("seq %d: message %s, log %s" % (seq, typ,
                want.get(seq)))
        seen[seq] = seen.get(seq, 0) + 1
        if seen[seq] == 2:
            bad.append("seq %d came twice" % seq)
        lm = re.search(rb' syslog_lost="(\d+)"$', mm.group(4))
        if lm is not None:
            lost += int(lm.group(1))
missing = [s for s in want if s not in seen]
if len(missing) != lost:
    bad.append("%d records did not come, syslog_lost says %d" %
        (len(missing), lost))
if lost_ok == "none" and lost != 0:
    bad.append("%d lost, expected none" % lost)
if lost_ok == "any" and lost == 0:
    bad.append("none lost: the receiver did not stall the server")
if frames < len(want) - lost or frames < 200:
    bad.append("only %d frames" % frames)
for b in bad:
    print("syslog-tcp: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PYEOF
}

# Has the receiver (directory $1) had the message of a command run after
# those queued before? Each try runs one more.
drained() {
	MARK=$((${MARK:-0} + 1))
	$T display-message -p "mark$MARK" >/dev/null ||
	    fail "display-message failed"
	cat "$1"/conn*.raw 2>/dev/null | grep -aq 'display-message -p mark'
}

# The server exits; wait for its closing seal and stop the receiver.
finish() {
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$SERVER"
	wait_for "the closing seal" last_message "$TMP/$1"
	stop_receiver "$1"
}

# 1. The receiver stops reading.
start_receiver stall
start_server
commands 3000
answers "while stalled"
touch "$TMP/stall/go"
wait_for "the queue to go out" drained "$TMP/stall"
finish stall
[ -f "$TMP/stall/conn1.raw" ] && fail "the server connected more than once"
check_frames "$TMP/stall" any

# 2. The connection cannot be made until the receiver accepts: the server
# tries again when its SYN is sent again (1, 3, 7, 15 s after the first).
rm -rf "$LOG"
rm -f "$SOCK"
start_receiver full
start_server
commands 200
answers "while connecting"
touch "$TMP/full/go"
WAIT_TRIES=600 wait_for "the queue to go out" drained "$TMP/full"
finish full
check_frames "$TMP/full" none

# 4 (before 3, which needs a server of its own). A log that cannot be
# started (its path is a file) is also said in syslog, whose witness would
# otherwise wait for seals that never come: a gap message "audit log
# cannot be started: CAUSE (audit-log is off)", CAUSE being what set-option
# says of the same path.
rm -f "$SOCK"
start_receiver nolog
touch "$TMP/nolog/go"
: >"$TMP/notadir"
{
	echo "set -s audit-log-syslog on"
	echo "set -s audit-log-syslog-target tcp:127.0.0.1:$PORT"
	echo "set -s audit-log-path $TMP/notadir"
	echo "set -s audit-log on"
} >"$CONF"
$T new -d -s main "exec sleep 300" || fail "new-session failed"
SERVER_PIDS="${SERVER_PIDS:-} $($T display -p '#{pid}')"
assert_eq "audit-log after a failed start" "off" "$($T show -sv audit-log)"
why=$($T set -s audit-log on 2>&1) && fail "set audit-log on worked"
incident() {
	cat "$TMP/nolog"/conn*.raw 2>/dev/null | grep -aqF -- \
	    "] audit log cannot be started: $why (audit-log is off)"
}
wait_for "the incident message" incident
cat "$TMP/nolog"/conn*.raw | grep -aq \
    "<84>1 [^ ]* [^ ]* tmux-audit [0-9]* gap \\[.*\\] audit log cannot be started" ||
    fail "the incident is not a gap message"
$T kill-server 2>/dev/null
stop_receiver nolog

# 3. Bad targets.
audit_conf
$T new -d -s main "exec sleep 300" || fail "new-session failed"
SERVER_PIDS="${SERVER_PIDS:-} $($T display -p '#{pid}')"
for t in "tcp:127.0.0.1" "tcp::514" "udp:host:0" "udp:host:65536" \
    "tcp:host:x" "tcp:::1:514" "tcp:[]:514" "unix:dev/log" "tls:host:6514"; do
	case $t in
	tcp:127.0.0.1)	why="no host and port" ;;
	tcp::514)	why="no host and port" ;;
	udp:host:0|udp:host:65536|tcp:host:x)
			why="bad port" ;;
	tcp:::1:514)	why="an IPv6 address must be in brackets" ;;
	tcp:\[\]:514)	why="bad address in brackets" ;;
	unix:dev/log)	why="not an absolute path" ;;
	*)		why="not empty, unix:PATH, udp:HOST:PORT or tcp:HOST:PORT" ;;
	esac
	out=$($T set -s audit-log-syslog-target "$t" 2>&1) &&
	    fail "set-option took $t"
	assert_eq "target $t" "audit-log-syslog-target $t: $why" "$out"
done
out=$($T set -s audit-log-syslog-target "tcp:[::1]:6514" 2>&1) ||
    fail "set-option refused tcp:[::1]:6514: $out"
exit 0
