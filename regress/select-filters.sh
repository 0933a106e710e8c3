#!/bin/sh

# show-audit selection: -Y, -U, -C, -g, -a and -b, alone, together and with
# -J, each gives exactly the records it should. The log is made here, by
# one server run (socket $TMP/pub/sock, so another user can reach it), one
# client for each command: root's new-session, display-message (the server
# pid), server-access -aw for a user made for the test (tmuxauditsel,
# removed at the end if the test made it), set-option @one; then that
# user's set-option @two and display-message; then root's set-option
# @three and kill-server. Without root there is no second user: the same
# commands run as the test's own user, and server-access is left out.
#
# - -Y command -F '#{audit_command}' is exactly the commands run, in order;
#   -Y client-connect gives one record per client, in order; a list
#   (client-connect,client-disconnect, and ",command,,input" with empty
#   items) gives exactly the records of those types; an unknown type fails
#   with "unknown event type: bogus" and prints nothing; every type at once
#   (all 32 names) gives every record, as no -Y does;
# - -U USER gives exactly the records whose user (or, if they have none,
#   whose cause's user) is USER; for the second user: client-connect,
#   option-changed, command, client-disconnect, client-connect, command,
#   client-disconnect; -U no-such-user gives nothing;
# - -C client-PID gives exactly the records of that client (its own, or
#   caused by it): client-connect, option-changed, command,
#   client-disconnect;
# - -g @two gives the one command record whose command contains "@two";
#   -g set-option every set-option command;
# - -a and -b with RFC 3339 times taken from the log include their bounds:
#   -a T is every record at or after T, -b T every record at or before T
#   (both hold the record at T), -a T -b T exactly the records at T; the
#   same time written with an offset (+02:00, -05:30) selects the same, a
#   time of whole seconds (no fraction) is the start of that second, and a
#   date (YYYY-mm-dd) is its midnight; -a 1h gives everything, -b 1h
#   nothing (and succeeds); a bad time fails with "bad time: yesterday (use
#   RFC 3339 or 2h, 30m, 1d)";
# - combined: -U USER -Y command -g @two is the one record; -C with -a
#   after its connect and -Y; and with -J each selection prints exactly the
#   -J lines of the full log that it selects.

. "$(dirname "$0")/lib.sh"

audit_conf
PUB=$TMP/pub
mkdir "$PUB" || fail "mkdir failed"
S="$TMUX_BIN -S $PUB/sock -f $CONF"
me=$(id -un)

OTHER=
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null 2>&1 &&
    command -v setpriv >/dev/null 2>&1; then
	OTHER=tmuxauditsel
	if ! id "$OTHER" >/dev/null 2>&1; then
		useradd -M -d /nonexistent -s /bin/sh "$OTHER" ||
		    fail "useradd failed"
		trap 'rc=$?; userdel "$OTHER" 2>/dev/null; cleanup; exit $rc' \
		    EXIT
	fi
	chmod 711 "$TMP" "$PUB" || fail "chmod failed"
	OTMUX=$(user_tmux "$OTHER") || fail "no tmux $OTHER can run"
fi
# Run a client as the other user (or as ourselves without root); setpriv
# execs it, so LAST_PID is the client's pid. A sanitizer build still gets
# run.sh's options.
as_other() {
	if [ -n "$OTHER" ]; then
		setpriv --reuid="$OTHER" --regid="$OTHER" --init-groups \
		    env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 \
		    ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
		    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
		    TERM=xterm-256color "$OTMUX" -S "$PUB/sock" "$@" &
	else
		"$TMUX_BIN" -S "$PUB/sock" "$@" &
	fi
	LAST_PID=$!
	wait $LAST_PID
}

# Every client, as "client-PID USER", in $TMP/clients.
client() {
	echo "client-$LAST_PID $1" >>"$TMP/clients"
}
run_pid $S new -d -s main -x 80 -y 24 "exec sleep 600" ||
    fail "new-session failed"
client "$me"
run_pid $S display -p '#{pid}' >"$TMP/pid" || fail "display failed"
client "$me"
SERVER_PIDS=$(cat "$TMP/pid")
if [ -n "$OTHER" ]; then
	chmod 666 "$PUB/sock" || fail "chmod failed"
	run_pid $S server-access -aw "$OTHER" || fail "server-access failed"
	client "$me"
fi
run_pid $S set -g @one 1 || fail "set @one failed"
one=client-$LAST_PID
client "$me"
as_other set -g @two 2 || fail "set @two failed"
two=client-$LAST_PID
client "${OTHER:-$me}"
as_other display -p hello >/dev/null || fail "display failed"
client "${OTHER:-$me}"
run_pid $S set -g @three 3 || fail "set @three failed"
client "$me"
run_pid $S kill-server || fail "kill-server failed"
client "$me"
wait_for "the server to exit" gone "$SERVER_PIDS"
log_json

sa() {
	"$TMUX_BIN" show-audit -d "$LOG" "$@"
}

access=
[ -n "$OTHER" ] && access="
server-access -aw $OTHER"
assert_eq "-Y command" "\
set-option -s audit-log on
set-option -s audit-log-path $LOG
new-session -d -s main -x 80 -y 24 \"exec sleep 600\"
display-message -p \"#{pid}\"$access
set-option -g @one 1
set-option -g @two 2
display-message -p hello
set-option -g @three 3
kill-server" "$(sa -Y command -F '#{audit_command}')"

ou=${OTHER:-$me}
assert_eq "-Y client-connect" "$(cat "$TMP/clients")" \
    "$(sa -Y client-connect -F '#{audit_client} #{audit_user}')"

sa -Y command,bogus >"$TMP/out" 2>"$TMP/err" && fail "-Y bogus succeeded"
assert_eq "-Y command,bogus" "unknown event type: bogus" \
    "$(cat "$TMP/out" "$TMP/err")"
sa -a yesterday >"$TMP/out" 2>"$TMP/err" && fail "-a yesterday succeeded"
assert_eq "-a yesterday" \
    "bad time: yesterday (use RFC 3339 or 2h, 30m, 1d)" \
    "$(cat "$TMP/out" "$TMP/err")"
sa -b 1h >"$TMP/out" 2>"$TMP/err" || fail "-b 1h failed: $(cat "$TMP/err")"
assert_eq "-b 1h" "" "$(cat "$TMP/out" "$TMP/err")"

assert_eq "-U $ou -Y command -g @two" "set-option -g @two 2" \
    "$(sa -U "$ou" -Y command -g @two -F '#{audit_command}')"
# A command of a user who is not the owner is logged (and sealed) before
# it runs too, as command-start.
start_two=
[ -n "$OTHER" ] && start_two="command-start set-option -g @two 2
"
assert_eq "-g @two" "${start_two}command set-option -g @two 2" \
    "$(sa -g @two -F '#{audit_type} #{audit_command}')"
assert_eq "-C $one" "\
client-connect
option-changed
command
client-disconnect" "$(sa -C "$one" -F '#{audit_type}')"
if [ -n "$OTHER" ]; then
	assert_eq "-U $OTHER" "\
client-connect
command-start
option-changed
command
client-disconnect
client-connect
command-start
command
client-disconnect" "$(sa -U "$OTHER" -F '#{audit_type}')"
fi
assert_eq "-U no-such-user" "" "$(sa -U no-such-user)"

# Each selection against the full log: the -J lines it should print.
sa -J >"$TMP/all.json" || fail "show-audit -J failed"
python3 - "$TMP" "$TMUX_BIN" "$LOG" "$me" "$ou" "$one" "$two" \
    "${OTHER:+1}" <<'EOF' ||
import json, subprocess, sys
from datetime import datetime, timedelta, timezone

tmp, tmux, log, me, ou, one, two, other = sys.argv[1:]
guest = 1 if other else 0
lines = open(tmp + "/all.json", encoding="utf-8").read().splitlines()
recs = [json.loads(l) for l in lines]
errors = []

def us(s):
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond

def user(r):
    return r["user"] if "user" in r else r.get("cause", {}).get("user")

def client(r):
    return r["client"] if "client" in r else r.get("cause", {}).get("client")

def run(args, json_=True):
    p = subprocess.run([tmux, "show-audit", "-d", log] +
        (["-J"] if json_ else []) + args, capture_output=True)
    if p.returncode != 0 or p.stderr:
        errors.append("%r: exit %d: %r" % (args, p.returncode, p.stderr))
    return p.stdout.decode().splitlines()

def expect(args, pick, want_n=None):
    want = [l for l, r in zip(lines, recs) if pick(r)]
    got = run(args)
    if got != want:
        errors.append("%r: %d records, not %d: first extra %r, first "
            "missing %r" % (args, len(got), len(want),
            next((l for l in got if l not in want), None),
            next((l for l in want if l not in got), None)))
    if want_n is not None and len(want) != want_n:
        errors.append("%r: the log has %d records, not %d" % (args,
            len(want), want_n))

types = ["segment", "server-start", "server-stop", "log-start", "log-stop",
    "server-socket", "seal", "gap", "unclean-end", "policy",
    "client-connect", "client-attached", "client-session-changed",
    "client-detached", "client-disconnect", "access-denied",
    "session-created", "session-closed", "session-renamed",
    "window-created", "window-closed", "pane-created", "pane-exited",
    "pane-resized", "input", "output", "command", "paste-buffer-changed",
    "copy", "pipe-pane", "option-changed", "access-changed",
    "command-start"]
ty = lambda *ts: lambda r: r["type"] in ts

expect(["-Y", "client-connect,client-disconnect"],
    ty("client-connect", "client-disconnect"))
expect(["-Y", ",command,,input"], ty("command", "input"))
expect(["-Y", ",".join(types)], lambda r: True)
expect(["-U", me], lambda r: user(r) == me)
expect(["-U", ou], lambda r: user(r) == ou)
expect(["-C", one], lambda r: client(r) == one, 4)
expect(["-C", two], lambda r: client(r) == two, 4 + guest)
expect(["-g", "set-option"], lambda r: r["type"] in ("command",
    "command-start") and "set-option" in r["command"], 5 + guest)
expect(["-a", "1h"], lambda r: True)
expect(["-b", "1h"], lambda r: False, 0)

# Times: the record of set-option @two, and one in the middle of the run.
at = [r for r in recs if r["type"] == "command" and
    r.get("command") == "set-option -g @two 2"][0]
mid = recs[len(recs) // 2]
for r in (at, mid):
    t, T = r["time"], us(r["time"])
    expect(["-a", t], lambda x: us(x["time"]) >= T)
    expect(["-b", t], lambda x: us(x["time"]) <= T)
    expect(["-a", t, "-b", t], lambda x: us(x["time"]) == T)
    d = datetime.fromtimestamp(T // 1000000, timezone.utc)
    frac = ".%06d" % (T % 1000000)
    for off in (timedelta(hours=2), -timedelta(hours=5, minutes=30)):
        local = (d + off).strftime("%Y-%m-%dT%H:%M:%S") + frac
        sign = "+" if off >= timedelta(0) else "-"
        m = abs(off) // timedelta(minutes=1)
        local += "%s%02d:%02d" % (sign, m // 60, m % 60)
        expect(["-a", local], lambda x: us(x["time"]) >= T)
        expect(["-b", local], lambda x: us(x["time"]) <= T)
    whole = d.strftime("%Y-%m-%dT%H:%M:%SZ")
    S = T - T % 1000000
    expect(["-a", whole], lambda x: us(x["time"]) >= S)
    expect(["-b", whole], lambda x: us(x["time"]) <= S)
midnight = T - T % 86400000000
expect(["-a", d.strftime("%Y-%m-%d")], lambda x: us(x["time"]) >=
    midnight)

# Together, and the text and format forms select the same.
T = us(at["time"])
expect(["-U", ou, "-Y", "command", "-g", "@two"],
    lambda r: r is at, 1)
expect(["-U", ou, "-Y", "command-start", "-g", "@two"],
    lambda r: r["type"] == "command-start" and user(r) == ou and
    "@two" in r["command"], guest)
expect(["-C", two, "-a", at["time"], "-Y", "command,client-disconnect"],
    lambda r: client(r) == two and us(r["time"]) >= T and
    r["type"] in ("command", "client-disconnect"), 2)
expect(["-U", ou, "-b", at["time"]], lambda r: user(r) == ou and
    us(r["time"]) <= T)
text = run(["-U", ou, "-Y", "command,option-changed"], False)
seqs = [l.split()[1] for l in text]
want = [str(r["seq"]) for r in recs if user(r) == ou and
    r["type"] in ("command", "option-changed")]
if seqs != want:
    errors.append("text form of -U -Y: seqs %r, not %r" % (seqs, want))

for e in errors:
    print("select-filters: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
    fail "see above"
exit 0
