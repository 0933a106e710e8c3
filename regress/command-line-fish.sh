#!/bin/sh

# Each command line run in fish is recorded as fish ran it, not as it was
# typed, from the screen alone (no shell integration) and, with the shipped
# integration (etc/shell/tmux-audit.fish), cut at its OSC 133 marks with
# its exit status. As command-line-bash.sh, in fish (skipped if fish is not
# installed): echo abc; Up; cat hel<Tab>; line editing; a backslash
# continuation (fish has no continuation prompt: it indents the next row as
# part of the same line, so the integration's B mark is on the first row
# only and the text of the whole command comes from the screen); a line
# that wraps; a pasted line; status 3; sleep 1.
#
# Without integration the screen gets every line right but for the
# continuation (two lines) and knows no exit status; with it the
# continuation is one command and every line has its status and its end.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

command -v fish >/dev/null 2>&1 || skip "fish is not installed"

user=$(id -un)
mkdir -p "$TMP/bin" "$TMP/work" || fail "mkdir failed"
for c in fish cat sh sleep; do
	ln -s "$(command -v $c)" "$TMP/bin/$c" || fail "no $c"
done
echo hi >"$TMP/work/hello.txt"
mkdir -p "$TMP/rc/.config/fish" "$TMP/rc-marks/.config/fish"
cat >"$TMP/rc/.config/fish/config.fish" <<'EOF'
set -g fish_greeting
function fish_prompt
    printf '$ '
end
EOF
cp "$TMP/rc/.config/fish/config.fish" "$TMP/rc-marks/.config/fish"
echo "source $TOP/etc/shell/tmux-audit.fish" \
    >>"$TMP/rc-marks/.config/fish/config.fish"
long=$(python3 -c 'print("echo " + "x" * 115)')

# Run the scripted session in a fish with home $1; the -H output
# goes to $TMP/$1.H, with TIME and DURATION (or -) normalised.
session() {
	audit_conf
	rm -rf "$LOG"
	# Servers of its own: the last ones may not have gone yet.
	LABEL=audit-$TEST-$$-$1
	T="$TMUX_BIN -L $LABEL -f $CONF"
	OUTER=outer-$TEST-$$-$1
	run_pid $T new -d -s main -x 80 -y 24 -c "$TMP/work" \
	    "env -i PATH=$TMP/bin:/usr/bin:/bin HOME=$TMP/$1 TERM=$TERM \
	    fish -i" || fail "new-session failed"
	SERVER_PIDS="${SERVER_PIDS:-} $($T display -p '#{pid}')"
	attach_pty main
	c="$PTY_TTY $user %0"
	wait_prompt %0 '$ '
	type_line 1 %0 '$ ' '=echo abc' Enter
	type_line 2 %0 '$ ' Up Enter
	type_line 3 %0 '$ ' '=cat hel' Tab Enter
	type_line 4 %0 '$ ' '=cho one two three' C-a '=e' C-e \
	    Left Left Left Left Left Left C-k Enter
	type_text 'echo a \'
	y0=$($T display -p -t %0 '#{cursor_y}')
	type_keys Enter
	wait_for "the continuation row" sh -c \
	    "[ \$($T display -p -t %0 '#{cursor_y}') -gt $y0 ] &&
	    [ \$($T display -p -t %0 '#{cursor_x}') -gt 0 ]"
	type_line "$2" %0 '$ ' '=b' Enter
	n=$(($2 + 1))
	type_line $n %0 '$ ' "=$long" Enter
	$T set-buffer 'echo pasted
' || fail "set-buffer failed"
	run_pid $T paste-buffer -t %0 || fail "paste-buffer failed"
	paste_pid=$LAST_PID
	n=$((n + 1))
	wait_for "command line $n" commands_logged $n
	wait_prompt %0 '$ '
	n=$((n + 1))
	type_line $n %0 '$ ' "=sh -c 'exit 3'" Enter
	n=$((n + 1))
	type_line $n %0 '$ ' '=sleep 1' Enter
	# The kernel's end of sleep comes with the next foreground check.
	sleep 0.5
	# Whether the kernel saw cat and sh run (for a foreground check to
	# fall while they ran) depends on the machine: their duration is "?".
	$T show-audit -H | sed -E 's/^[^ ]+ ([0-9]+\.[0-9]{3}s|-) /TIME \1 /' |
	    sed -E 's/^TIME [0-9]+\.[0-9]{3}s /TIME D /' |
	    sed -E "/screen: (cat hello.txt|sh -c 'exit 3')\$/s/^TIME [^ ]+ /TIME ? /" \
	    >"$TMP/$1.H" || fail "show-audit -H failed"
	$T show-audit -H -J >"$TMP/$1.json" || fail "show-audit -H -J failed"
	$T show-audit -H -F '#{audit_text}|#{audit_duration}' \
	    -f '#{m:sleep*,#{audit_text}}' >"$TMP/$1.sleep"
	$T kill-server
	"$TMUX_BIN" -L "$OUTER" kill-server 2>/dev/null
}

session rc 6
w="$TMP/work"
assert_eq "-H without integration" "\
TIME - $c - $w screen: echo abc
TIME - $c - $w screen: echo abc
TIME ? $c - $w screen: cat hello.txt
TIME - $c - $w screen: echo one two
TIME - $c - $w screen: echo a \\\\
TIME - $c - $w screen: b
TIME - $c - $w screen: $long
TIME - client-$paste_pid $user (paste-buffer) %0 - $w screen: echo pasted
TIME ? $c - $w screen: sh -c 'exit 3'
TIME D $c - $w screen: sleep 1" "$(cat "$TMP/rc.H")"

session rc-marks 5
assert_eq "-H with the integration" "\
TIME D $c 0 $w shell: echo abc
TIME D $c 0 $w shell: echo abc
TIME D $c 0 $w shell: cat hello.txt
TIME D $c 0 $w shell: echo one two
TIME D $c 0 $w screen: echo a \\\\\\nb
TIME D $c 0 $w shell: $long
TIME D client-$paste_pid $user (paste-buffer) %0 0 $w shell: echo pasted
TIME D $c 3 $w shell: sh -c 'exit 3'
TIME D $c 0 $w shell: sleep 1" "$(cat "$TMP/rc-marks.H")"

# What the sources said: the screen's text and prompt, the shell's text
# and directory (with the integration), the kernel's process (bash) and
# directory; how each ended.
python3 - "$TMP" "$w" "$(id -u)" <<'EOF' || fail "see above"
import sys
from capture import *
tmp, work, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
for rc, marks in (("rc", False), ("rc-marks", True)):
    for r in load("%s/%s.json" % (tmp, rc)):
        t = r["text"]
        check("%s %r: started %r" % (rc, t, r["started"]),
            r["started"] == ("mark" if marks else "echo"))
        # fish indents the continuation row: its "prompt" is blanks.
        p = r.get("screen_prompt", "")
        check("%s %r: screen_prompt %r" % (rc, t, p),
            p == "$ " if t != "b" else p.strip() == "" and p != "")
        check("%s %r: screen_text %r" % (rc, t, r.get("screen_text")),
            r.get("screen_text") == t)
        multi = t == "echo a \\\nb"
        check("%s %r: shell fields %r" % (rc, t, r.get("shell_cwd")),
            marks == ("shell_cwd" in r) and
            (marks and not multi) == ("shell_text" in r) and
            r.get("shell_cwd", work) == work)
        check("%s %r: kernel %r" % (rc, t, r.get("kernel_argv")),
            r.get("kernel_argv") == ["fish", "-i"] and
            r.get("kernel_cwd") == work and
            r.get("kernel_uid") == uid and r.get("kernel_pid") > 1)
        if marks:
            check("%s %r: end %r" % (rc, t, r.get("end_source")),
                r.get("end_source") == "shell")
        elif t == "sleep 1":
            check("%s %r: end %r" % (rc, t, r.get("end_source")),
                r.get("end_source") == "kernel")
    s = open("%s/%s.sleep" % (tmp, rc)).read().split("|")
    check("%s: sleep 1 lasted %r" % (rc, s),
        s[0] == "sleep 1" and 0.9 < float(s[1]) < 5)
done("command-line-fish")
EOF
exit 0
