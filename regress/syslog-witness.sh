#!/bin/sh

# The external witness. A real rsyslogd, on a private config, takes the
# server's messages on a unix socket of its own (imuxsock, SysSock.Use off)
# and on UDP at 127.0.0.1 (imudp, a free port), and writes each to a file
# with the RSYSLOG_SyslogProtocol23Format template.
#
# With audit-log-syslog on and audit-log-syslog-target "unix:PATH": every
# record of the log that is not bulk data (not input, output, pane-resized
# or segment records) comes out exactly once, the server-start and what
# else happens while the configuration loads included, as "<86>1 TIME
# HOST tmux-audit PID TYPE [tmuxaudit@32473 run=... seq=... ...]
# [tmuxindex@32473 event=... owner=... ...] TEXT" (<84> for a gap), but
# for messages that could not be sent at once
# (a unix datagram socket holds only so many), which are counted and the
# count sent with the next (syslog_lost=N, the last parameter):
# facility authpriv, severity info; the message text is
# the record's line in show-audit (without its time); and the structured
# data of every seal, of session-created, of client-attached and of the
# commands is exactly the record's fields (ids as numbers, keys and chains
# in hex; no digests or signature). The second element of every message
# holds exactly the keys a SIEM indexes by (FORMAT.md section 16): event
# (the record type's kind), owner (the server's user), user and uid (the
# client's, else the cause's), client and client_key, session and
# session_key, pane_key, popup_key, command, command_line (a command
# line's shell_text, else screen_text), command_key (its command_id), and
# outcome (from a command-end's shell_status, else from result), each only
# if the record has what it comes from; keys are "RUN:ID".
#
# Then show-audit -V -d LOG -w FILE: on the untouched log (four segments
# or more, by rotation) it exits 2 (no host key: consistent) and says what
# -V says. With a segment in the middle removed, besides the missing
# segment and the segments after it unlinked, it says exactly
# "witness: seal N of run R (segment S, seq Q) is not in the log: a
# segment was removed or truncated" for each seal of that segment (that
# the witness has: all of them, unless a message was lost). With
# the last segment removed, or cut just after its first seal, show-audit
# -V alone cannot tell (the rest verifies, exit 2), but -w names each seal
# that is gone and exits 1.
#
# A line planted in the witness file by another program is not counted
# unless it is exactly a seal's message as the server sends it (below).
#
# The same messages over "udp:127.0.0.1:PORT", and over
# "tcp:localhost:PORT" (imtcp, octet-counted frames; a host name, which
# the server looks up without waiting), and -w with each file passes on
# that log.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-syslog.sh"

PYTHONPATH=$TMP:$REGRESS
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

trap 'rc=$?; stop_rsyslogd; cleanup; exit $rc' EXIT

PORT=$(python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
TPORT=$(python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
# Besides the unix socket ($SYSLOG_SOCK, to $SYSLOG_FILE): UDP and TCP on
# 127.0.0.1, and a socket of its own for planted lines.
start_rsyslogd "$(cat <<EOF
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="$PORT" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="$TPORT" ruleset="tcp")
input(type="imuxsock" Socket="$TMP/plant.sock" RateLimit.Interval="0"
    UseSpecialParser="off" ParseHostname="on" ruleset="plant")
$(syslog_ruleset udp "$TMP/udp.log")
$(syslog_ruleset tcp "$TMP/tcp.log")
$(syslog_ruleset plant "$TMP/plant.log")
EOF
)"

# The syslog messages of the log in $1 (read from $LOG) are all in file
# $2; then check them.
check_messages() {
	log_json
	"$TMUX_BIN" show-audit -d "$LOG" >"$TMP/log.text" ||
	    fail "show-audit -d failed"
	python3 - "$TMP/log.json" "$TMP/log.text" "$1" <<'EOF'
import base64, re, sys
from capture import *

recs = load(sys.argv[1])
text = [l.rstrip("\n") for l in open(sys.argv[2])]
assert len(text) == len(recs), "text and JSON differ"

def parse(line):
    m = re.match(r"<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) ", line)
    if not m:
        return None
    pri, ts, host, app, procid, msgid = m.groups()
    p = m.end()
    if line[p] != "[":
        return None
    elements = []
    while line[p] == "[":
        q = line.index(" ", p)
        sdid = line[p + 1:q]
        params = []
        p = q
        while line[p] == " ":
            m = re.compile(r' ([^= \]"]+)="').match(line, p)
            name = m.group(1)
            p = m.end()
            v = ""
            while line[p] != '"':
                if line[p] == "\\":
                    p += 1
                v += line[p]
                p += 1
            params.append((name, v))
            p += 1
        assert line[p] == "]", line[p:]
        elements.append((sdid, params))
        p += 1
    assert line[p] == " ", line[p:]
    return dict(pri=int(pri), host=host, app=app, procid=procid,
        msgid=msgid, sdid=elements[0][0], params=elements[0][1],
        elements=elements, msg=line[p + 1:])

msgs = []
for line in open(sys.argv[3], encoding="utf-8", errors="replace"):
    m = parse(line.rstrip("\n"))
    check("not an RFC 5424 message with structured data: %r" % line,
        m is not None)
    if m is not None:
        msgs.append(m)

def hexof(r, k):
    return base64.b64decode(r[k + "_base64"]).hex()

def num(v):
    return str(v).lstrip("$%@")

seg = next(r for r in recs if r["type"] == "segment")
bulk = ("input", "output", "pane-resized", "segment")
EVENTS = dict(
    [(t, "server") for t in ("server-start", "server-stop", "server-socket",
        "log-start", "log-stop", "policy")] +
    [(t, "integrity") for t in ("seal", "gap", "unclean-end")] +
    [(t, "client") for t in ("client-connect", "client-attached",
        "client-session-changed", "client-detached", "client-disconnect")] +
    [(t, "access") for t in ("access-denied", "access-changed")] +
    [(t, "session") for t in ("session-created", "session-closed",
        "session-renamed")] +
    [(t, "pane") for t in ("window-created", "window-closed",
        "pane-created", "pane-exited", "popup-opened", "popup-closed")] +
    [(t, "command") for t in ("command", "command-start")] +
    [(t, "data") for t in ("paste-buffer-changed", "copy", "pipe-pane")] +
    [("option-changed", "option")] +
    [(t, "shell") for t in ("command-line", "command-end")] +
    [("process", "process")])

def index(r):
    """The tmuxindex@32473 parameters of record r, as the server makes
    them from its fields."""
    run = seg["run"]
    c = r.get("cause", {})
    p = [("event", EVENTS.get(r["type"], "other")), ("owner", seg["user"])]
    who = r if "uid" in r and r["type"] != "server-socket" else c
    p += [(k, str(who[k])) for k in ("user", "uid") if k in who]
    who = r if "client_id" in r else c
    if "client" in who:
        p.append(("client", who["client"]))
    if "client_id" in who:
        p.append(("client_key", "%s:%s" % (run, who["client_id"])))
    if "session" in r:
        p.append(("session", r["session"]))
    for k, f in (("session_key", "session_id"), ("pane_key", "pane"),
            ("popup_key", "popup")):
        if f in r:
            p.append((k, "%s:%s" % (run, num(r[f]))))
    if "command" in r:
        p.append(("command", r["command"][:1024]))
    for f in ("shell_text", "screen_text"):
        if f in r:
            p.append(("command_line", r[f][:1024]))
            break
    if "command_id" in r:
        p.append(("command_key", "%s:%s" % (run, r["command_id"])))
    if "shell_status" in r:
        p.append(("outcome", "success" if r["shell_status"] == 0 else
            "failure"))
    elif "result" in r:
        p.append(("outcome", {"error": "failure", "refused": "refused"}
            .get(r["result"], "success")))
    return p
want = {}
for r, t in zip(recs, text):
    if r["type"] not in bulk:
        want[r["seq"]] = (r, t.split(" ", 1)[1])
seen = {}
lost = 0
for m in msgs:
    if m["params"] and m["params"][-1][0] == "syslog_lost":
        lost = max(lost, int(m["params"][-1][1]))
        m["params"] = m["params"][:-1]
    p = dict(m["params"])
    seq = int(p.get("seq", -1))
    seen[seq] = seen.get(seq, 0) + 1
    if seq not in want:
        check("a message for seq %d, which is not in the log: %r" %
            (seq, m), False)
        continue
    r, line = want[seq]
    what = "seq %d (%s)" % (seq, r["type"])
    check("%s: PRI <%d>" % (what, m["pri"]),
        m["pri"] == (84 if r["type"] == "gap" else 86))
    check("%s: app %s, procid %s, host %s" % (what, m["app"], m["procid"],
        m["host"]), (m["app"], m["procid"], m["host"]) ==
        ("tmux-audit", str(seg["pid"]), seg["host"]))
    check("%s: msgid %s" % (what, m["msgid"]), m["msgid"] == r["type"])
    check("%s: SD-ID %s" % (what, m["sdid"]), m["sdid"] == "tmuxaudit@32473")
    check("%s: index\n  %r\nnot\n  %r" % (what, m["elements"][1:],
        [("tmuxindex@32473", index(r))]), m["elements"][1:] ==
        [("tmuxindex@32473", index(r))])
    check("%s: first params %r" % (what, m["params"][:2]),
        m["params"][:2] == [("run", seg["run"]), ("seq", str(seq))])
    check("%s: text\n  %r\nnot\n  %r" % (what, m["msg"], line[:1024]),
        m["msg"] == line[:1024])
    fields = None
    if r["type"] == "seal":
        fields = [("seal_index", str(r["seal_index"])),
            ("segment", str(r["segment"])), ("records", str(r["records"]))]
        if "final" in r:
            fields.append(("final", str(r["final"])))
        fields += [("chain", hexof(r, "chain")),
            ("next_key", hexof(r, "next_key"))]
    elif r["type"] == "session-created":
        fields = [("session", r["session"]),
            ("session_id", num(r["session_id"])), ("cwd", r["cwd"])]
    elif r["type"] in ("client-attached", "command") and "client" in r:
        fields = []
        if r["type"] == "command":
            fields.append(("issuer", r["issuer"]))
        fields += [(k, num(r[k])) for k in ("client_id", "client", "uid",
            "gid", "pid", "user")]
        if r["type"] == "command":
            fields += [("command", r["command"]), ("result", r["result"])]
            if "error" in r:
                fields.append(("error", r["error"]))
        else:
            fields += [("session", r["session"]),
                ("session_id", num(r["session_id"]))]
    if fields is not None:
        check("%s: structured data\n  %r\nnot\n  %r" % (what,
            m["params"][2:], fields), m["params"][2:] == fields)
missing = []
for seq, (r, line) in sorted(want.items()):
    check("seq %d (%s) is in syslog %d times" % (seq, r["type"],
        seen.get(seq, 0)), seen.get(seq, 0) <= 1)
    if seq not in seen:
        missing.append("seq %d (%s)" % (seq, r["type"]))
check("%d records are not in syslog, %d messages were reported lost "
    "(syslog_lost): %s" % (len(missing), lost, ", ".join(missing)),
    len(missing) == lost)
types = [want[s][0]["type"] for s in want]
for t in ("server-start", "session-created", "client-attached", "command",
        "seal"):
    check("no %s record in the log" % t, t in types)
done("syslog-witness: " + sys.argv[3])
EOF
}

# Does file $1 have the message of the log's last record (its closing
# seal)?
last_message() {
	n=$("$TMUX_BIN" show-audit -J -d "$LOG" | tail -n 1 |
	    sed 's/^{"seq":\([0-9]*\),.*/\1/')
	grep -q " seal \[tmuxaudit@32473 run=\"[0-9a-f]*\" seq=\"$n\" " "$1" \
	    2>/dev/null
}

# A server logging to $LOG, its witness messages to $1; a control client
# attaches, a pane prints enough for several segments, then its bash (with
# the shipped OSC 133 marks) runs a command line that fails with status 3.
run_server() {
	audit_conf "set -s audit-log-syslog on" \
	    "set -s audit-log-syslog-target $1" \
	    "set -s audit-log-max-size 6000"
	printf '%s\n' "PS1='\$ '" ". $TOP/etc/shell/tmux-audit.bash" \
	    >"$TMP/bashrc"
	start_main "seq -f 'line %04g' 1 3000;
	    exec bash --rcfile $TMP/bashrc -i"
	$T -C attach -t main </dev/null >/dev/null 2>&1 ||
	    fail "control client failed"
	wait_pane "the last line" output %0 "b'line 3000\\r\\n'"
	wait_prompt %0 '$ '
	$T send-keys -t %0 "sh -c 'exit 3'" Enter || fail "send-keys failed"
	wait_for "the command's end" sh -c \
	    "$T show-audit -J -Y command-end | grep -q '\"shell_status\":3'"
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$SERVER"
	wait_for "the closing seal in $2" last_message "$2"
}

# show-audit -V -d $1 -w $2 must exit 1 if $3 is "bad", else 2 (there is
# no host key: the log is consistent, not anchored), and print exactly
# what the Python code $4 (with t, the tamper module, and d, the
# directory) puts in err and out.
witness() {
	"$TMUX_BIN" show-audit -V -d "$1" -w "$2" >"$TMP/v.out" 2>"$TMP/v.err"
	vrc=$?
	if [ "$3" = bad ]; then
		[ $vrc -eq 1 ] || fail "$5: show-audit -V -w exited $vrc"
	else
		[ $vrc -eq 2 ] || fail "$5: show-audit -V -w exited $vrc"
	fi
	python3 - "$1" "$2" "$TMP/v.want" <<EOF || fail "$5: python3 failed"
import re, sys, tamper as t
d, wfile = sys.argv[1], sys.argv[2]
def seals(path):
    """The seals in segment file path: (index, run, segment, seq)."""
    s = t.Segment(path)
    return [(r.uint(0x101c), s.run.hex(), s.number, r.seq)
        for r in s.seals()]
seen = set()
for line in open(wfile):
    if " tmux-audit " in line and " seal [" in line:
        f = dict(re.findall(r' ([a-z_]+)="([^"]*)"', line))
        seen.add((f["run"], int(f["seal_index"])))
def gone(ss):
    """The witness's lines for seals ss, those it has (not lost)."""
    return ["witness: seal %d of run %s (segment %d, seq %d) is not in "
        "the log: a segment was removed or truncated" % x for x in ss
        if (x[1], x[0]) in seen]
err, out = [], []
$4
with open(sys.argv[3] + ".err", "w") as f:
    f.write("".join(l + "\n" for l in err))
with open(sys.argv[3] + ".out", "w") as f:
    f.write("".join(l + "\n" for l in out))
EOF
	assert_eq "$5: stderr" "$(cat "$TMP/v.want.err")" "$(cat "$TMP/v.err")"
	assert_eq "$5: stdout" "$(cat "$TMP/v.want.out")" "$(cat "$TMP/v.out")"
}

# Over the unix socket.
run_server "unix:$SYSLOG_SOCK" "$SYSLOG_FILE"
check_messages "$SYSLOG_FILE" || fail "see above"
set -- "$LOG"/*.tmux-audit
[ $# -ge 4 ] || fail "only $# segments"
cp -a "$LOG" "$TMP/orig"
W=$SYSLOG_FILE

witness "$LOG" "$W" good '
out = [t.intact(s) for s in t.segments(d)]' "untouched"

fresh() {
	rm -rf "$TMP/case"
	cp -a "$TMP/orig" "$TMP/case"
	chmod -R u+w "$TMP/case"
}

fresh
files=$(ls "$TMP/case"/*.tmux-audit)
mid=$(echo "$files" | sed -n 2p)
cp "$mid" "$TMP/mid"
rm "$mid"
witness "$TMP/case" "$W" bad "
s = t.segments(d)
out = [t.intact(s[0])]
err = ['%s: missing segment: between segment 1 (%s) and segment 3' %
    (s[1].path, s[0].path)] + gone(seals('$TMP/mid')) + \
    [t.unlinked(s[1], number=2)] + [t.unlinked(x, p, why='not linked')
    for p, x in zip(s[1:], s[2:])]" "middle segment removed"

fresh
last=$(ls "$TMP/case"/*.tmux-audit | tail -n 1)
cp "$last" "$TMP/last"
rm "$last"
"$TMUX_BIN" show-audit -V -d "$TMP/case" >/dev/null 2>&1
[ $? -eq 2 ] || fail "show-audit -V without -w found the last segment missing"
witness "$TMP/case" "$W" bad "
out = [t.intact(x) for x in t.segments(d)]
err = gone(seals('$TMP/last'))" "last segment removed"

fresh
python3 -c '
import sys, tamper as t
s = t.Segment(sys.argv[1])
first = s.seals()[0]
assert len(s.seals()) >= 2
t.truncate(s.path, first.offset + len(first.raw))' "$last" ||
    fail "cannot cut the last segment"
"$TMUX_BIN" show-audit -V -d "$TMP/case" >/dev/null 2>&1
[ $? -eq 2 ] || fail "show-audit -V without -w found the last segment cut"
witness "$TMP/case" "$W" bad "
out = [t.intact(x) for x in t.segments(d)]
err = gone(seals('$TMP/last')[1:])" "last segment cut after its first seal"

# Lines planted with logger(1), as any local user can, written by the same
# rsyslogd the same way (another socket, so they can be added to a copy of
# the witness file). For the first seal of the log (seal 0, segment 1) but
# with a chain of zeros: in the free form any program can write ("run=R
# seal_index=0 ..." from a "tmux-audit" tag), which -w used to count; in
# the server's own RFC 5424 form but from facility user; in that form,
# authpriv, but another PID. None of these is the server's, and the
# untouched log verifies as before. In that form, authpriv, with the
# server's PID: it is taken as a seal, and the log fails ("differs"): all
# a planted line can do is make a good log fail.
plant() {
	logger -u "$TMP/plant.sock" "$@" || fail "logger failed"
}
planted() {
	[ "$(cat "$TMP/plant.log" 2>/dev/null | wc -l)" -eq "$1" ]
}
python3 -c '
import sys, tamper as t
s = t.segments(sys.argv[1])[0]
seal = s.seals()[0]
print(s.run.hex(), s.pid, seal.seq, seal.uint(0x101c))' "$TMP/orig" \
    >"$TMP/seal0" || fail "python3 failed"
read -r run pid seq0 index0 <"$TMP/seal0"
[ "$index0" = 0 ] || fail "the first seal has index $index0"
zeros=0000000000000000000000000000000000000000000000000000000000000000
set -- --sd-id tmuxaudit@32473 --sd-param "run=\"$run\"" \
    --sd-param "seq=\"$seq0\"" --sd-param 'seal_index="0"' \
    --sd-param 'segment="1"' --sd-param "chain=\"$zeros\""
plant -t tmux-audit -p authpriv.info \
    "run=$run seal_index=0 segment=1 seq=$seq0 chain=$zeros planted"
plant --rfc5424=notq -p user.info -t tmux-audit --msgid seal --id="$pid" \
    "$@" "$seq0 seal"
plant --rfc5424=notq -p authpriv.info -t tmux-audit --msgid seal \
    --id=$((pid + 1)) "$@" "$seq0 seal"
wait_for "the planted lines" planted 3
cat "$W" "$TMP/plant.log" >"$TMP/planted.log"
witness "$TMP/orig" "$TMP/planted.log" good '
out = [t.intact(s) for s in t.segments(d)]' "planted lines not the server's"

plant --rfc5424=notq -p authpriv.info -t tmux-audit --msgid seal --id="$pid" \
    "$@" "$seq0 seal"
wait_for "the planted line" planted 4
tail -n 1 "$TMP/plant.log" | cat "$W" - >"$TMP/planted.log"
witness "$TMP/orig" "$TMP/planted.log" bad "
out = [t.intact(s) for s in t.segments(d)]
err = ['witness: seal 0 of run $run (segment 1, seq $seq0) differs from '
    'the log\'s']" "a planted line in the server's form"

# Over UDP and over TCP: a fresh server and log each, all messages there,
# and -w with that file passes.
again() {
	rm -rf "$LOG"
	$T kill-server 2>/dev/null
	rm -f "$SOCK"
	run_server "$1" "$2"
	check_messages "$2" || fail "see above"
	witness "$LOG" "$2" good '
out = [t.intact(s) for s in t.segments(d)]' "$3, untouched"
}
again "udp:127.0.0.1:$PORT" "$TMP/udp.log" udp
again "tcp:localhost:$TPORT" "$TMP/tcp.log" tcp
exit 0
