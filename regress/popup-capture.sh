#!/bin/sh

# Popups are logged like panes. A real client attached through a pty; a
# popup opened on it (display-popup -E -d /tmp -w 60 -h 12) runs a shell
# with no line editor. The log has:
#
# - popup-opened: popup 1, session main $0, cause the display-popup command
#   from the command-line client, the pty client as the client it is shown
#   on (client_id, tty, uid, user), cwd /tmp, the command, width 58 and
#   height 10 (the popup less its border);
# - input records of popup 1 (and session main $0), each caused by a key
#   from the pty client, whose data is exactly what was typed, except the
#   password typed to "read -rs", which is a record with redacted 1 and no
#   data (and is nowhere in the log);
# - output records of popup 1 holding the shell's output byte for byte;
# - pane-resized for popup 1, 48x8, when the client shrinks to 50x10;
# - popup-closed for popup 1 with action exited and status 3 after
#   "exit 3";
# - for a second popup running sleep, closed with display-popup -C:
#   popup-opened for popup 2 and popup-closed with action closed, caused by
#   that command;
# - for a third popup made into a pane from its menu (mouse on, a right
#   click outside it, then h, "To Horizontal Pane"): popup-closed with
#   action to-pane, the new pane and the key's cause, then a pane-created
#   record for that pane with its pid; show-audit -t on that pane shows the
#   popup-closed record and no other popup record.
#
# show-audit -t main shows the popups' records; -t %0 shows none of them.
# show-audit -l lists both popups under session main. show-audit -P 1
# shows exactly the records of popup 1, and exports it (asciicast:
# 58x10, titled "tmux popup 1", its output exactly; scriptreplay the
# same); -P with -t, and -P 0, are refused with an error naming why.
# show-audit -T shows what was typed into popup 1, line by line, the eight
# redacted keys (the password and its Enter) as one "<redacted 8 bytes>".

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf "set -g status off"
uid=$(id -u)
user=$(id -un)

start_logged -s main -x 80 -y 24 "exec sleep 300"
attach_pty main
wait_for "client-attached" log_has "r['type'] == 'client-attached'"

# Does popup $1 have the output (Python bytes literal) $2?
popup_has() {
	"$TMUX_BIN" show-audit -J -d "$LOG" >"$TMP/poll.json" 2>/dev/null
	python3 -c '
import ast, sys
from capture import load, data
want = ast.literal_eval(sys.argv[3])
got = b"".join(data(r) for r in load(sys.argv[1])
    if r["type"] == "output" and r.get("popup") == int(sys.argv[2]))
sys.exit(0 if want in got else 1)' "$TMP/poll.json" "$1" "$2" 2>/dev/null
}

CMD="env PS1='P\$ ' bash --norc --noprofile --noediting"
$T display-popup -E -c "$PTY_TTY" -d /tmp -w 60 -h 12 "$CMD" &
POPUP_JOB=$!
wait_for "the popup's prompt" popup_has 1 'b"P$ "'

type_text 'echo in-popup'
type_keys Enter
wait_for "the popup's output" popup_has 1 'b"in-popup\r\nP$ "'
type_text 'read -rs pw; echo got-${#pw}'
type_keys Enter
# The popup's terminal: the shell's, a child of our server.
PTTY=$(python3 - "$SERVER_PIDS" <<'PYEOF'
import os, sys
server = int(sys.argv[1])
def ppid(p):
    with open("/proc/%d/stat" % p) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    p = int(p)
    try:
        with open("/proc/%d/cmdline" % p, "rb") as f:
            if b"--noediting" not in f.read():
                continue
        q = p
        while q > 1 and q != server:
            q = ppid(q)
        if q == server:
            print(os.readlink("/proc/%d/fd/0" % p))
    except OSError:
        pass
PYEOF
)
[ -n "$PTTY" ] || fail "no shell of the popup found"
wait_for "read -s to turn echo off" tty_reads_secret "$PTTY"
type_text 'hunter2'
type_keys Enter
wait_for "the read to end" popup_has 1 'b"got-7\r\nP$ "'

"$TMUX_BIN" -L "$OUTER" resize-window -x 50 -y 10 ||
    fail "resize-window failed"
wait_for "the popup's resize" log_has \
    'r["type"] == "pane-resized" and r.get("popup") == 1'

type_text 'exit 3'
type_keys Enter
wait_for "popup-closed" log_has \
    'r["type"] == "popup-closed" and r.get("popup") == 1'
wait "$POPUP_JOB"

$T display-popup -c "$PTY_TTY" -w 30 -h 5 "exec sleep 300" &
wait_for "the second popup" log_has \
    'r["type"] == "popup-opened" and r.get("popup") == 2'
run_pid $T display-popup -C -c "$PTY_TTY" || fail "display-popup -C failed"
CLOSER=$LAST_PID
wait_for "the second popup-closed" log_has \
    'r["type"] == "popup-closed" and r.get("popup") == 2'

# A third popup made into a pane from its menu (a right click outside it,
# then h: "To Horizontal Pane").
$T set -g mouse on || fail "set mouse failed"
$T display-popup -c "$PTY_TTY" -w 30 -h 5 "exec sleep 300" &
wait_for "the third popup" log_has \
    'r["type"] == "popup-opened" and r.get("popup") == 3'
sleep 0.3
# A right-button press (SGR mouse) at the top left, with no release: a
# release would land on the menu and close it.
type_text "$(printf '\033[<2;1;1M')"
sleep 0.3
type_text h
wait_for "the third popup-closed" log_has \
    'r["type"] == "popup-closed" and r.get("popup") == 3'

$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"
$T show-audit -J -t main >"$TMP/main.json" || fail "show-audit -t main failed"
$T show-audit -J -t %0 >"$TMP/pane.json" || fail "show-audit -t %0 failed"
moved=$($T show-audit -J -Y popup-closed -P 3 | sed -n 's/.*"pane":"\(%[0-9]*\)".*/\1/p')
[ -n "$moved" ] || fail "no pane in popup 3's popup-closed"
$T show-audit -J -t "$moved" >"$TMP/moved.json" ||
    fail "show-audit -t $moved failed"
$T show-audit -l >"$TMP/index.txt" || fail "show-audit -l failed"
$T show-audit -J -P 1 >"$TMP/p1.json" || fail "show-audit -P 1 failed"
$T show-audit -e asciicast -P 1 -O "$TMP/p1.cast" ||
    fail "show-audit -e asciicast -P 1 failed"
$T show-audit -e scriptreplay -P 1 -O "$TMP/p1" ||
    fail "show-audit -e scriptreplay -P 1 failed"
out=$($T show-audit -P 1 -t main 2>&1) && fail "-P with -t worked"
assert_eq "-P with -t" "-P and -t cannot be used together" "$out"
out=$($T show-audit -P 0 2>&1) && fail "-P 0 worked"
assert_eq "-P 0" "bad popup: 0 (a number from 1)" "$out"
$T show-audit -T | sed 's/^[^ ]* //' >"$TMP/keys.txt" ||
    fail "show-audit -T failed"
assert_eq "show-audit -T" "$PTY_TTY $(id -un) popup 1: echo in-popup<Enter>
$PTY_TTY $(id -un) popup 1: read -rs pw; echo got-\${#pw}<Enter>
$PTY_TTY $(id -un) popup 1: <redacted 8 bytes>exit 3<Enter>" \
    "$(cat "$TMP/keys.txt")"

python3 - "$TMP/log.json" "$TMP/main.json" "$TMP/pane.json" "$PTY_TTY" \
    "$PTY_PID" "$uid" "$user" "$POPUP_JOB" "$CLOSER" "$CMD" "$TMP/index.txt" \
    "$TMP/p1.json" "$TMP/p1.cast" "$TMP/p1" "$TMP/moved.json" \
    <<'PYEOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
main, pane = load(sys.argv[2]), load(sys.argv[3])
tty, pid, uid, user = sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), \
    sys.argv[7]
opener, closer, cmd = int(sys.argv[8]), int(sys.argv[9]), sys.argv[10]

def client_of(p):
    c = [r for r in recs if r["type"] == "client-connect" and
        r.get("pid") == p]
    check("%d client-connect records for pid %d" % (len(c), p), len(c) == 1)
    return c[0] if c else {}

pty = client_of(pid)
op = client_of(opener)
cl = client_of(closer)

def strip(r):
    return {k: v for k, v in r.items() if k not in ("seq", "time")}

opened = [strip(r) for r in recs if r["type"] == "popup-opened"]
want1 = {"type": "popup-opened", "popup": 1, "session": "main",
    "session_id": "$0",
    "cause": {"kind": "command", "command": "display-popup",
        "client": op.get("client"), "client_id": op.get("client_id"),
        "uid": uid, "user": user},
    "client_id": pty.get("client_id"), "client": tty, "uid": uid,
    "gid": pty.get("gid"), "pid": pid, "user": user, "cwd": "/tmp",
    "command": cmd, "width": 58, "height": 10}
check("popup 1 opened:\n  %r\nnot\n  %r" % (opened[:1], want1),
    opened[:1] == [want1])
check("%d popup-opened records" % len(opened), len(opened) == 3)
if len(opened) == 2:
    check("popup 2: %r" % opened[1], opened[1].get("popup") == 2 and
        opened[1].get("command") == "exec sleep 300" and
        (opened[1].get("width"), opened[1].get("height")) == (28, 3))

ins = [r for r in recs if r["type"] == "input" and "popup" in r]
key = {"kind": "key", "client": tty, "client_id": pty.get("client_id"),
    "uid": uid, "user": user}
for r in ins:
    check("seq %d: input to %r" % (r["seq"], (r.get("popup"),
        r.get("session"), r.get("session_id"), "pane" in r)),
        (r.get("popup"), r.get("session"), r.get("session_id"),
        "pane" in r) == (1, "main", "$0", False))
    check("seq %d: cause %r" % (r["seq"], r.get("cause")),
        r.get("cause") == key)
typed = b"".join(data(r) for r in ins)
want = b"echo in-popup\rread -rs pw; echo got-${#pw}\rexit 3\r"
check("popup input\n  %r\nnot\n  %r" % (typed, want), typed == want)
red = [r for r in ins if r.get("redacted") == 1]
check("redacted input records: %r" % red, sum(r["size"] for r in red) == 8
    and all("data" not in r and "data_base64" not in r for r in red))
everything = open(sys.argv[1], "rb").read()
check("the password is in the log", b"hunter2" not in everything)

out = b"".join(data(r) for r in recs if r["type"] == "output" and
    r.get("popup") == 1)
for w in (b"P$ echo in-popup\r\nin-popup\r\nP$ ",
        b"P$ read -rs pw; echo got-${#pw}\r\n", b"\r\ngot-7\r\nP$ exit 3\r\n"):
    check("popup output has %r" % w, w in out)

rs = [strip(r) for r in recs if r["type"] == "pane-resized" and
    "popup" in r]
check("popup resizes %r" % rs, rs[:1] == [{"type": "pane-resized",
    "popup": 1, "width": 48, "height": 8}])

closed = [strip(r) for r in recs if r["type"] == "popup-closed" and
    r["popup"] in (1, 2)]
want = [{"type": "popup-closed", "popup": 1, "action": "exited",
    "status": 3},
    {"type": "popup-closed", "popup": 2, "cause": {"kind": "command",
    "command": "display-popup", "client": cl.get("client"),
    "client_id": cl.get("client_id"), "uid": uid, "user": user},
    "action": "closed"}]
check("popup-closed\n  %r\nnot\n  %r" % (closed, want), closed == want)

seqs = lambda l: [r["seq"] for r in l if "popup" in r]
check("show-audit -t main lacks popup records",
    seqs(main) == seqs(recs))
check("show-audit -t %%0 has popup records: %r" % seqs(pane),
    seqs(pane) == [])
moved = load(sys.argv[15])
check("show-audit -t PANE (the popup's pane) lacks its popup-closed",
    [r["seq"] for r in moved if "popup" in r] ==
    [r["seq"] for r in recs if r["type"] == "popup-closed" and
        r["popup"] == 3])
# The index lists the popups under session main, with their sizes,
# commands, bytes in and out, command lines run and when they opened and
# closed.
idx = [l.rstrip("\n") for l in open(sys.argv[11])]
def span(n, n_cmd):
    o = [r for r in recs if r["type"] == "popup-opened" and
        r["popup"] == n][0]
    c = [r for r in recs if r["type"] == "popup-closed" and
        r["popup"] == n][0]
    ins = sum(r["size"] for r in recs if r["type"] == "input" and
        r.get("popup") == n)
    outs = sum(len(data(r)) for r in recs if r["type"] == "output" and
        r.get("popup") == n)
    return "  popup %d %dx%d %s: in %d bytes, out %d bytes, %d commands, " \
        "%s to %s" % (n, o["width"], o["height"], o["command"], ins, outs,
        n_cmd, o["time"], c["time"])
# Popup 1 ran three command lines (the password is not one).
want = [span(1, 3), span(2, 0), span(3, 0)]
got = [l for l in idx if l.startswith("  popup ")]
check("index popups\n  %r\nnot\n  %r" % (got, want), got == want)
main_at = [i for i, l in enumerate(idx) if l.startswith("session $0 main:")]
check("index: popups not under session main", main_at and all(
    idx.index(l) > main_at[0] for l in got))
# The third popup, made into a pane: popup-closed with action to-pane,
# the pane and the key's cause, then a pane-created for that pane.
cl3 = [r for r in recs if r["type"] == "popup-closed" and
    r.get("popup") == 3]
check("popup 3 closed %r" % cl3, len(cl3) == 1 and
    cl3[0].get("action") == "to-pane" and cl3[0].get("cause") == key and
    cl3[0].get("pane", "").startswith("%"))
if len(cl3) == 1:
    pc = [r for r in recs if r["type"] == "pane-created" and
        r.get("pane") == cl3[0].get("pane")]
    check("pane-created for the popup's pane %r" % pc, len(pc) == 1 and
        pc[0]["seq"] > cl3[0]["seq"] and pc[0].get("pid", 0) > 0)

# -P 1: exactly the records of popup 1; exported, its output and size.
p1 = load(sys.argv[12])
check("-P 1 records", [r["seq"] for r in p1] == [r["seq"] for r in recs
    if r.get("popup") == 1])
import json
cast = [json.loads(l) for l in open(sys.argv[13])]
check("asciicast header %r" % cast[0], (cast[0]["width"], cast[0]["height"],
    cast[0]["title"]) == (58, 10, "tmux popup 1"))
got = "".join(e[2] for e in cast[1:] if e[1] == "o").encode()
check("asciicast output is not the popup's", got == out)
sdata = open(sys.argv[14] + ".data", "rb").read()
head = sdata.split(b"\n", 1)[0]
check("scriptreplay header %r" % head, b'[COMMAND="tmux popup 1" '
    b'COLUMNS="58" LINES="10"]' in head)
check("scriptreplay data is not the popup's output",
    sdata.split(b"\n", 1)[1].startswith(out) and
    sdata.endswith(b"\nScript done on tmux popup 1\n"))
done("popup-capture")
PYEOF
exit 0
