#!/bin/sh

# Central collection of the syslog messages with rsyslog, as the README
# shows it, end to end on loopback. Two real rsyslogd run the
# configuration files of etc/rsyslog/ as they are, but for the socket,
# the target, the ports and the directory: one is the audited host's
# (tmux-audit-forward-tcp.conf and tmux-audit-forward-relp.conf, each on a
# socket of its own), the other the central log server
# (tmux-audit-central.conf, taking TCP and RELP). Two tmux servers, in UTS
# namespaces named web-1 and web-2, send their messages to the host's
# rsyslogd, web-1 to the socket forwarded over TCP and web-2 to the one
# forwarded over RELP; each log rotates into several segments. Then:
#
# - the central directory holds exactly web-1.log and web-2.log, each line
#   of each a message from that host only;
# - every record of each log that has a syslog message (all but input,
#   output, pane-resized and segment records) has exactly one line in its
#   host's file, the record's type its message ID, with both
#   structured-data elements (tmuxaudit@32473 with the record's run and
#   seq, and tmuxindex@32473);
# - show-audit -V -d LOG -w HOST.log says exactly what -V -d LOG says and
#   exits 2 (no host key) for both; with the last segment of web-1's log
#   removed, -w says for each seal of that segment exactly "witness: seal
#   N of run R (segment S, seq Q) is not in the log: a segment was removed
#   or truncated" and exits 1.
#
# The README shows each of the three files exactly, as a code block.
#
# Without the rsyslog-relp package only the TCP path is tested.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
PYTHONPATH=$TMP:$REGRESS
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || skip "rsyslogd is not installed"
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
unshare -u true 2>/dev/null || skip "cannot make a UTS namespace"
RELP=no
for d in /usr/lib/*/rsyslog /usr/lib/rsyslog; do
	[ -f "$d/imrelp.so" ] && [ -f "$d/omrelp.so" ] && RELP=yes
done
ETC=$TOP/etc/rsyslog
for f in tmux-audit-forward-relp.conf tmux-audit-forward-tcp.conf \
    tmux-audit-central.conf; do
	python3 -c '
import sys
text = open(sys.argv[1]).read()
block = "".join("    " + l if l.strip() else "\n"
    for l in text.splitlines(True))
sys.exit(0 if block in open(sys.argv[2]).read() else 1)' "$ETC/$f" \
	    "$TOP/README.md" || fail "README.md does not show $f as it is"
done
# The rsyslogd are started in pipelines (subshells): their pid files, not
# a variable, say which to stop.
trap 'rc=$?; for f in "$TMP"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" \
    2>/dev/null; done; cleanup; exit $rc' EXIT

# Free TCP ports on 127.0.0.1.
ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
set -- $ports
TCP_PORT=$1
RELP_PORT=$2

# A configuration file of etc/rsyslog, for this test's own paths and ports.
conf() {
	sed -e "s,/run/tmux-audit.sock,$TMP/${2:-none}.sock," \
	    -e "s,logs.example.org,127.0.0.1," \
	    -e "s,port=\"514\",port=\"$TCP_PORT\"," \
	    -e "s,port=\"2514\",port=\"$RELP_PORT\"," \
	    -e "s,/var/log/tmux-audit/,$TMP/central/," "$ETC/$1"
}

# Start rsyslogd $1 with the configuration on stdin after a preamble.
start_rsyslogd() {
	mkdir "$TMP/$1.work" || fail "mkdir failed"
	{
		echo "global(workDirectory=\"$TMP/$1.work\" maxMessageSize=\"64k\")"
		cat
	} >"$TMP/$1.conf"
	"$RSYSLOGD" -n -f "$TMP/$1.conf" -i "$TMP/$1.pid" \
	    >"$TMP/$1.out" 2>&1 &
}

mkdir "$TMP/central" || fail "mkdir failed"
if [ $RELP = yes ]; then
	conf tmux-audit-central.conf
else
	conf tmux-audit-central.conf | sed -e '/imrelp/d'
fi | start_rsyslogd central
listening() {
	python3 -c '
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
	    "$1" 2>/dev/null
}
wait_for "the central rsyslogd to listen" listening "$TCP_PORT"
{
	echo 'module(load="imuxsock" SysSock.Use="off")'
	conf tmux-audit-forward-tcp.conf tcp
	[ $RELP = yes ] && conf tmux-audit-forward-relp.conf relp
} | start_rsyslogd host
wait_for "the host's rsyslogd" test -S "$TMP/tcp.sock"
FORWARDS="web-1:tcp"
if [ $RELP = yes ]; then
	wait_for "the host's RELP socket" test -S "$TMP/relp.sock"
	FORWARDS="$FORWARDS web-2:relp"
fi

# A server on host $1 whose messages go to socket $2; its log in
# $TMP/$1.log, rotated.
run_host() {
	printf '%s\n' "set -s audit-log on" "set -s audit-log-path $TMP/$1.log" \
	    "set -s audit-log-max-size 6000" "set -s audit-log-syslog on" \
	    "set -s audit-log-syslog-target unix:$TMP/$2.sock" >"$TMP/$1.conf"
	_t="$TMUX_BIN -L $LABEL-$1 -f $TMP/$1.conf"
	unshare -u sh -c 'hostname "$0" && exec "$@"' "$1" $_t new -d -s main \
	    -x 80 -y 24 "seq -f '$1 line %04g' 1 2000; exec sleep 60" ||
	    fail "the server of $1 failed"
	_pid=$($_t display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $_pid"
	LOG=$TMP/$1.log wait_pane "$1's output" output %0 \
	    "b'$1 line 2000\\r\\n'"
	$_t kill-server || fail "kill-server on $1 failed"
	wait_for "$1's server to exit" gone "$_pid"
}

# Has the central file of host $1 the message of its log's last record?
arrived() {
	_n=$("$TMUX_BIN" show-audit -J -d "$TMP/$1.log" | tail -n 1 |
	    sed 's/^{"seq":\([0-9]*\),.*/\1/')
	grep -q " seal \[tmuxaudit@32473 run=\"[0-9a-f]*\" seq=\"$_n\" " \
	    "$TMP/central/$1.log" 2>/dev/null
}

for f in $FORWARDS; do
	run_host "${f%%:*}" "${f#*:}"
done
for f in $FORWARDS; do
	WAIT_TRIES=400 wait_for "${f%%:*}'s messages at the centre" \
	    arrived "${f%%:*}"
done

want=$(for f in $FORWARDS; do echo "${f%%:*}.log"; done)
assert_eq "the central directory" "$want" "$(ls "$TMP/central")"
for f in $FORWARDS; do
	h=${f%%:*}
	set -- "$TMP/$h.log"/*.tmux-audit
	[ $# -ge 2 ] || fail "the log of $h has only $# segment"
	"$TMUX_BIN" show-audit -J -d "$TMP/$h.log" >"$TMP/$h.json" ||
	    fail "show-audit -J failed"
	python3 - "$h" "$TMP/$h.json" "$TMP/central/$h.log" <<'EOF' ||
import json, re, sys
from capture import check, done
host, recs, path = sys.argv[1:4]
recs = [json.loads(l) for l in open(recs)]
bulk = ("input", "output", "pane-resized", "segment")
want = {r["seq"]: r["type"] for r in recs if r["type"] not in bulk}
run = recs[0]["run"]
seen = {}
for line in open(path, encoding="utf-8"):
    m = re.match(r'<8[46]>1 \S+ (\S+) tmux-audit \d+ (\S+) '
        r'\[tmuxaudit@32473 run="([0-9a-f]+)" seq="(\d+)".*?(?<!\\)\]'
        r'\[tmuxindex@32473 event="[a-z]+" ', line)
    if not check("%s: not a message of the server: %r" % (path, line),
            m is not None):
        continue
    check("%s: a message from %s" % (path, m.group(1)), m.group(1) == host)
    check("%s: run %s" % (path, m.group(3)), m.group(3) == run)
    seq = int(m.group(4))
    check("%s: seq %d is %s, not %s" % (path, seq, want.get(seq),
        m.group(2)), want.get(seq) == m.group(2))
    seen[seq] = seen.get(seq, 0) + 1
missing = sorted(set(want) - set(seen))
check("%s: no message for seq %r" % (path, missing), not missing)
twice = sorted(s for s in seen if seen[s] > 1)
check("%s: seq %r more than once" % (path, twice), not twice)
done("syslog-central")
EOF
	    fail "see above"

	"$TMUX_BIN" show-audit -V -d "$TMP/$h.log" >"$TMP/v.want" 2>&1
	[ $? -eq 2 ] || fail "show-audit -V -d on $h's log did not exit 2"
	"$TMUX_BIN" show-audit -V -d "$TMP/$h.log" -w "$TMP/central/$h.log" \
	    >"$TMP/v.out" 2>"$TMP/v.err"
	[ $? -eq 2 ] || fail "show-audit -V -w on $h did not exit 2: \
$(cat "$TMP/v.err")"
	assert_eq "show-audit -V -w on $h: stdout" "$(cat "$TMP/v.want")" \
	    "$(cat "$TMP/v.out")"
	assert_eq "show-audit -V -w on $h: stderr" "" "$(cat "$TMP/v.err")"
done

# The last segment of web-1's log removed: the central file knows.
cp -a "$TMP/web-1.log" "$TMP/cut" || fail "cp failed"
last=$(ls "$TMP/cut"/*.tmux-audit | tail -n 1)
python3 -c '
import sys, tamper as t
s = t.Segment(sys.argv[1])
for r in s.seals():
    print("witness: seal %d of run %s (segment %d, seq %d) is not in the "
        "log: a segment was removed or truncated" % (r.uint(0x101c),
        s.run.hex(), s.number, r.seq))' "$last" >"$TMP/gone" ||
    fail "python3 failed"
rm "$last"
"$TMUX_BIN" show-audit -V -d "$TMP/cut" -w "$TMP/central/web-1.log" \
    >"$TMP/v.out" 2>"$TMP/v.err"
[ $? -eq 1 ] || fail "show-audit -V -w on the cut log did not exit 1"
assert_eq "show-audit -V -w on the cut log" "$(cat "$TMP/gone")" \
    "$(cat "$TMP/v.err")"
exit 0
