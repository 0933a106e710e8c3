#!/bin/sh

# The shell's marks refine what the screen shows, and no mark can take a
# command line away or be taken for more than it is:
#
# 1. Bad marks are refused, recorded as mark-refused records (mark, its
#    size, reason) and change nothing: D with a status that is not 0 to
#    255, an unknown letter, an empty mark, OSC 7 that is not a file URL or
#    has a bad escape, and a mark of 5000 bytes ("too long", no size; only
#    its first 64 bytes are kept). At most eight are recorded per line
#    submitted: ten printed by one command give eight records, and the next
#    command may have eight more. (A line is written once its echo has
#    been read, at the end of the chunk of output that holds it, so marks
#    in that chunk come before it in the log.) Marks with options (A;cl=m, D;2;aid=1)
#    are taken. OSC 7 is decoded (%20 is a space) as the shell's cwd.
# 2. A prompt with A and B marks but no C (a shell claiming prompts it
#    never says it runs): each line is still recorded, cut at B, with
#    started "unconfirmed", when the next prompt comes.
# 3. With the shipped integration, two lines pasted at once (one submit:
#    the screen reads only the first): the second comes with its own C
#    mark and is recorded from the marks, with the paste as its cause.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

mkdir -p "$TMP/work" || fail "mkdir failed"
big=$(python3 -c 'print("x" * 5000)')
cat >"$TMP/bad.sh" <<EOF
printf '\\033]133;D;abc\\007'
printf '\\033]133;D;256\\007'
printf '\\033]133;Z\\007'
printf '\\033]133;AB\\007'
printf '\\033]133;\\007'
printf '\\033]7;http://h/x\\007'
printf '\\033]7;file://h/a%%zz\\007'
printf '\\033]133;A;$big\\007'
printf '\\033]133;D;-1\\007'
printf '\\033]7;file://hostonly\\007'
printf '\\033]133;A;cl=m\\007\\033]133;B\\007\\033]133;D;2;aid=1\\007'
printf '\\033]7;file://h/tmp/a%%20b\\007'
EOF
bash_rcs
cat >"$TMP/rc-ab" <<'EOF'
PS1='\[\e]133;A\a\]$ \[\e]133;B\a\]'
EOF

# A server of its own whose pane runs a bash reading rc file $1.
session() {
	shell_server "$1" "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
	    bash --rcfile $TMP/$1 -i"
}

# 1. Bad marks, from bash with no integration.
session rc
type_line 1 %0 '$ ' "=sh $TMP/bad.sh" Enter
type_line 2 %0 '$ ' "=sh $TMP/bad.sh" Enter
type_line 3 %0 '$ ' '=true' Enter
$T show-audit -J -Y mark-refused,command-line >"$TMP/1.json" ||
    fail "show-audit failed"
python3 - "$TMP/1.json" "$big" <<'EOF' || fail "see above"
import sys
from capture import *
recs = load(sys.argv[1])
big = sys.argv[2]
got = [(r["type"], r.get("mark", r.get("text", r.get("screen_text"))),
    r.get("size"), r.get("reason")) for r in recs]
bad = [("mark-refused", "133;D;abc", 5, "bad exit status"),
    ("mark-refused", "133;D;256", 5, "bad exit status"),
    ("mark-refused", "133;Z", 1, "unknown mark"),
    ("mark-refused", "133;AB", 2, "unknown mark"),
    ("mark-refused", "133;", 0, "unknown mark"),
    ("mark-refused", "7;http://h/x", 10, "not a file URL"),
    ("mark-refused", "7;file://h/a%zz", 13, "bad escape"),
    ("mark-refused", "133;A;" + big[:62], None, "too long")]
got = [(t, m.replace(sys.argv[1].rsplit("/", 1)[0], "/tmp") if m else m,
    s, w) for t, m, s, w in got]
marks = [x for x in got if x[0] == "mark-refused"]
check("refused\n  %r\nnot\n  %r" % (marks, bad + bad), marks == bad + bad)
lines = [x[1] for x in got if x[0] == "command-line"]
check("command lines %r" % lines,
    lines == ["sh /tmp/bad.sh", "sh /tmp/bad.sh", "true"])
cl = [r for r in recs if r["type"] == "command-line"]
check("shell_cwd %r" % [r.get("shell_cwd") for r in cl],
    [r.get("shell_cwd") for r in cl] == [None, "/tmp/a b", "/tmp/a b"])
check("a mark ended a command: %r" % cl, all("shell_text" not in r and
    r["started"] == "echo" for r in cl))
done("command-line-marks 1")
EOF
assert_eq "command-end records of the shell" "" \
    "$($T show-audit -Y command-end -f '#{!=:#{audit_source},kernel}')"
$T kill-server

# 2. A and B but no C: recorded all the same, when the next prompt comes.
session rc-ab
type_line 1 %0 '$ ' '=echo one' Enter
type_line 2 %0 '$ ' '=echo two' Enter
$T show-audit -H -F '#{audit_started} #{audit_text_source}: #{audit_text}' \
    >"$TMP/2.H" || fail "show-audit -H failed"
assert_eq "A and B without C" "\
unconfirmed shell: echo one
unconfirmed shell: echo two" "$(cat "$TMP/2.H")"
$T kill-server

# 3. Two lines pasted at once, with the integration.
session rc-marks
$T set-buffer 'echo p1
echo p2
' || fail "set-buffer failed"
run_pid $T paste-buffer -t %0 || fail "paste-buffer failed"
paste_pid=$LAST_PID
wait_for "command line 2" commands_logged 2
wait_prompt %0 '$ '
$T show-audit -H -F '#{audit_cause_kind} #{audit_cause_command} #{audit_client} #{audit_started} #{audit_text_source}: #{audit_text}|#{audit_screen_text}' \
    >"$TMP/3.H" || fail "show-audit -H failed"
assert_eq "two lines pasted" "\
command paste-buffer client-$paste_pid mark shell: echo p1|echo p1
command paste-buffer client-$paste_pid mark shell: echo p2|" "$(cat "$TMP/3.H")"
exit 0
