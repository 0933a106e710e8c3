#!/bin/sh

# A pane's recording replays to the same screen. Two panes of 80x24 run
# bash with a coloured prompt and the same keys: a printf with colours and
# CJK (wide) characters; vim -u NONE -n (no swap file) on a file of 300
# lines with CJK in them, two pages forward with C-f, one more, :q; less on
# the same file, two pages with space, q; and a line of one narrow and 60
# wide characters, which wraps with a wide character straddling the last
# column. Pane A (%0) is resized to 100x30 with resize-window while vim
# shows its second page (vim redraws); pane B (%1) keeps 80x24. A third
# pane, N (%2, 80x24), runs a nested tmux (the pristine one, on a server of
# its own, with no clock in its status line) whose session prints
# "nested", then "later" and "last" a second apart. At the end the screens
# are taken with capture-pane -e -p (text, colours and attributes), with
# the cursor position and the pane size, and the server is killed.
#
# Each replay runs in a fresh pane of a viewer server with no audit log
# (the pristine upstream tmux), and its screen, cursor and size must be
# exactly the live pane's:
#
# - show-audit -d LOG -R -t %0 -x 1000 -m 0, run directly (so with no
#   "[press enter]"), in a pane created at 120x40: the replay resizes the
#   window to the recorded 80x24 before the first output and to 100x30 at
#   the resize (it runs resize-window, as it is inside tmux), so the pane
#   ends at 100x30;
# - show-audit -d LOG -R -t %1 -x 1000 -m 0 in an 80x24 pane: vim asked
#   the terminal for the cursor position, so the viewer answers into the
#   pane's input while the replay runs; the answers must not end up on the
#   screen (the replay turns echo off, and must not turn it back on before
#   they are in and discarded, as asciinema cat does);
# - show-audit -d LOG -R -t %2 -x 10 in an 80x24 pane: the nested tmux
#   asked the terminal what it is (DA, XTVERSION...), so the viewer
#   answers into the pane's input, and its answer "\033P>|tmux 3.5a\033\\"
#   holds a space and a dot; these are not the replay's keys (space
#   pauses, . steps), and the replay must run to its end (within the 10 s
#   the test waits for every replay) and show the live screen;
# - show-audit -e asciicast -t %0: the file's header says width 80, height
#   24, and it has exactly one "r" event, "100x30", with output before and
#   after it; asciinema cat accepts the whole file (exit status 0 and
#   nothing on stderr, in a pane of its own, as it needs a terminal).
#   asciinema cat ignores "r" events, so the viewer honours it itself: the
#   file is cut at the "r" event into two files with the same header (the
#   second with the new size), asciinema cat plays the first in an 80x24
#   pane, resize-window makes the pane 100x30 and asciinema cat plays the
#   second;
# - show-audit -e scriptreplay -t %1 -O PREFIX then scriptreplay -t
#   PREFIX.timing -O PREFIX.data -d 1000 in an 80x24 pane: the timing
#   format has no size changes, so this is pane B, which was never resized.
#   scriptreplay leaves the terminal's echo on, so the pane turns it off
#   first (stty -echo) for the viewer's answers; and scriptreplay writes a
#   newline of its own at the end, so the cursor is expected at the start
#   of the line below the live one.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

for p in bash vim less asciinema scriptreplay; do
	command -v $p >/dev/null 2>&1 || skip "$p is not installed"
done

# asciinema makes its config directory on first use; two copies starting
# at once race to create it. Give it one, with an install id, beforehand.
mkdir -p "$HOME/.config/asciinema"
[ -e "$HOME/.config/asciinema/install-id" ] ||
    echo 00000000-0000-4000-8000-000000000000 \
    >"$HOME/.config/asciinema/install-id"
[ -x "$PRISTINE_BIN" ] || skip "no pristine tmux at $PRISTINE_BIN"

audit_conf
V="$PRISTINE_BIN -L view-$TEST-$$ -f /dev/null"
PROMPT='\[\e[1;32m\]audit\[\e[0m\]:\[\e[1;34m\]~/w\[\e[0m\]\$ '
SIGN='$'			# bash's \$
[ "$(id -u)" -eq 0 ] && SIGN='#'
seq -f 'line %g 行' 1 300 >"$TMP/f.txt" || fail "seq failed"

for s in a b; do
	$T new -d -s $s -x 80 -y 24 -e "PS1=$PROMPT" -e HISTFILE=/dev/null \
	    bash --norc --noprofile || fail "new-session $s failed"
done
printf '%s\n' "set -g status-right ''" "set -g status-interval 0" \
    >"$TMP/inner.conf"
$T new -d -s n -x 80 -y 24 "env -u TMUX $PRISTINE_BIN -L inner-$TEST-$$ \
    -f '$TMP/inner.conf' new -s inner 'echo nested; sleep 1; echo later;
    sleep 1; echo last; exec sleep 600'" || fail "new-session n failed"
SERVER_PIDS=$($T display -p '#{pid}')
A=$($T display -p -t a: '#{pane_id}')
B=$($T display -p -t b: '#{pane_id}')
N=$($T display -p -t n: '#{pane_id}')
[ "$A $B $N" = "%0 %1 %2" ] || fail "panes are $A $B $N, not %0 %1 %2"

# Does pane $1 show the text $2? Does it run $2?
shows() {
	$T capture-pane -p -t "$1" | grep -qF -- "$2"
}
runs() {
	[ "$($T display -p -t "$1" '#{pane_current_command}')" = "$2" ]
}
runs_at() {
	[ "$($T display -p -t "$1" '#{pane_width}x#{pane_height}')" = "$2" ]
}
# Send keys to both panes; wait for both to show a text, or run a program.
keys() {
	for _p in $A $B; do
		$T send-keys -t $_p "$@" || fail "send-keys $* failed"
	done
}
both_show() {
	for _p in $A $B; do
		wait_for "$_p to show $1" shows $_p "$1"
	done
}
both_run() {
	for _p in $A $B; do
		wait_for "$_p to run $1" runs $_p "$1"
	done
}

both_show 'audit:~/w'
keys -l 'printf "\033[31mred\033[0m 漢字テスト 中文字符 \033[1;44mblue\033[0m\n"'
keys Enter
both_show '漢字テスト 中文字符 blue'

keys -l 'vim -u NONE -N -n f.txt'
keys Enter
both_show '"f.txt" 300L'
both_run vim
keys C-f
both_show 'line 40 行'
keys C-f
both_show 'line 60 行'
$T resize-window -t a: -x 100 -y 30 || fail "resize-window failed"
wait_for "%0 to be 100x30" runs_at %0 100x30
wait_for "vim to redraw at 100x30" shows %0 'line 66 行'
keys C-f
both_show 'line 80 行'
keys -l ':q'
keys Enter
both_run bash

keys -l 'less f.txt'
keys Enter
both_run less
both_show 'line 20 行'
keys Space
both_show 'line 30 行'
keys Space
both_show 'line 60 行'
keys q
both_run bash

keys -l "printf 'x%s\\n' \"\$(printf '漢%.0s' \$(seq 60))\"; echo all-done"
keys Enter
for p in $A $B; do
	wait_for "$p to finish" sh -c "$T capture-pane -p -t $p |
	    grep -qx all-done"
	wait_prompt $p "audit:~/w$SIGN "
done

screen() {
	$1 capture-pane -e -p -t "$2" || fail "capture-pane -t $2 failed"
	$1 display -p -t "$2" \
	    'cursor #{cursor_x},#{cursor_y} size #{pane_width}x#{pane_height}'
}
wait_for "the nested tmux to show last" shows $N last
screen "$T" $A >"$TMP/live-a"
screen "$T" $B >"$TMP/live-b"
screen "$T" $N >"$TMP/live-n"
assert_eq "the size of %0" "cursor 0,0 size 100x30" \
    "$(tail -n 1 "$TMP/live-a" | sed 's/[0-9]*,[0-9]*/0,0/')"
assert_eq "the size of %1" "cursor 0,0 size 80x24" \
    "$(tail -n 1 "$TMP/live-b" | sed 's/[0-9]*,[0-9]*/0,0/')"
grep -q '漢漢' "$TMP/live-a" || fail "no wide characters on %0"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"

# The exports.
"$TMUX_BIN" show-audit -d "$LOG" -e asciicast -t %0 >"$TMP/a.cast" \
    2>"$TMP/err" || fail "show-audit -e asciicast failed: $(cat "$TMP/err")"
assert_eq "stderr of show-audit -e asciicast" "" "$(cat "$TMP/err")"
"$TMUX_BIN" show-audit -d "$LOG" -e scriptreplay -t %1 -O "$TMP/b" \
    >"$TMP/out" 2>&1 || fail "show-audit -e scriptreplay failed: \
$(cat "$TMP/out")"
assert_eq "output of show-audit -e scriptreplay" "" "$(cat "$TMP/out")"

# The header and the resize event; cut the file at the resize.
python3 - "$TMP" <<'EOF' || fail "see above"
import json, sys
from capture import *

tmp = sys.argv[1]
lines = open(tmp + "/a.cast", encoding="utf-8").read().split("\n")
check("a.cast does not end with a newline", lines[-1] == "")
lines = lines[:-1]
hdr = json.loads(lines[0])
check("header %r" % hdr, (hdr["version"], hdr["width"], hdr["height"]) ==
    (2, 80, 24))
events = [json.loads(l) for l in lines[1:]]
r = [i for i, e in enumerate(events) if e[1] == "r"]
check("r events: %r" % [events[i] for i in r],
    [events[i][2] for i in r] == ["100x30"])
check("event types %r" % sorted(set(e[1] for e in events)),
    set(e[1] for e in events) == {"o", "r"})
if len(r) == 1:
    check("the resize is the first or the last event",
        0 < r[0] < len(events) - 1)
    parts = [(lines[1:r[0] + 1], 80, 24), (lines[r[0] + 2:], 100, 30)]
    for n, (part, w, h) in enumerate(parts):
        with open("%s/a%d.cast" % (tmp, n), "w", encoding="utf-8") as f:
            f.write(json.dumps(dict(hdr, width=w, height=h)) + "\n")
            f.write("".join(l + "\n" for l in part))
done("a.cast")
EOF

# The replays, each in its own pane of the viewer.
$V new -d -s r -x 120 -y 40 "$TMUX_BIN show-audit -d '$LOG' -R -t %0 \
    -x 1000 -m 0; echo \$? >'$TMP/r.rc'; exec sleep 600" ||
    fail "viewer failed"
$V new -d -s q -x 80 -y 24 "$TMUX_BIN show-audit -d '$LOG' -R -t %1 \
    -x 1000 -m 0; echo \$? >'$TMP/q.rc'; exec sleep 600" ||
    fail "viewer failed"
$V new -d -s n -x 80 -y 24 "$TMUX_BIN show-audit -d '$LOG' -R -t %2 \
    -x 10; echo \$? >'$TMP/n.rc'; exec sleep 600" || fail "viewer failed"
$V new -d -s c -x 80 -y 24 "exec 2>'$TMP/c.err';
    asciinema cat '$TMP/a0.cast' && sleep 0.3 &&
    $PRISTINE_BIN resize-window -x 100 -y 30 && sleep 0.3 &&
    asciinema cat '$TMP/a1.cast'; echo \$? >'$TMP/c.rc'; exec sleep 600" ||
    fail "viewer failed"
$V new -d -s f -x 80 -y 24 "asciinema cat '$TMP/a.cast' >/dev/null \
    2>'$TMP/f.err'; echo \$? >'$TMP/f.rc'; exec sleep 600" ||
    fail "viewer failed"
$V new -d -s s -x 80 -y 24 "cd '$TMP' && stty -echo &&
    scriptreplay -t b.timing -O b.data -d 1000; echo \$? >'$TMP/s.rc';
    exec sleep 600" || fail "viewer failed"
# Wait for all to finish (10 s), then check each.
i=0
while [ $i -lt 100 ]; do
	for s in r q n c f s; do
		[ -s "$TMP/$s.rc" ] || break
	done
	[ -s "$TMP/$s.rc" ] && break
	sleep 0.1
	i=$((i + 1))
done
bad=
for s in r q n c f s; do
	if [ ! -s "$TMP/$s.rc" ]; then
		echo "the $s replay did not finish: it shows" >&2
		$V capture-pane -p -t $s: | sed -e '/^$/d' -e 's/^/    /' >&2
		bad="$bad $s"
	elif [ "$(cat "$TMP/$s.rc")" != 0 ]; then
		echo "the $s replay exited $(cat "$TMP/$s.rc")" >&2
		bad="$bad $s"
	fi
done
assert_eq "stderr of asciinema cat a.cast" "" "$(cat "$TMP/f.err")"
assert_eq "stderr of asciinema cat a0.cast, a1.cast" "" "$(cat "$TMP/c.err")"

# What each replay should show: the live pane; for scriptreplay, with the
# cursor at the start of the next line.
cp "$TMP/live-a" "$TMP/want-r"
cp "$TMP/live-b" "$TMP/want-q"
cp "$TMP/live-n" "$TMP/want-n"
cp "$TMP/live-a" "$TMP/want-c"
awk '/^cursor / { split($2, c, ","); $2 = "0," c[2] + 1 } { print }' \
    "$TMP/live-b" >"$TMP/want-s"

# The viewer may still be reading what a replay wrote: give it a moment to
# get there, then compare, and show every replay that differs.
same() {
	screen "$V" "$1:" >"$TMP/replay-$1"
	cmp -s "$TMP/want-$1" "$TMP/replay-$1"
}
for s in r q n c s; do
	case " $bad " in
	*" $s "*)	continue ;;
	esac
	i=0
	while ! same $s && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! same $s; then
		echo "the $s replay: expected (-) and actual (+) differ:" >&2
		diff -u "$TMP/want-$s" "$TMP/replay-$s" | tail -n +3 >&2
		bad="$bad $s"
	fi
done
[ -z "$bad" ] ||
    fail "replays that did not finish or differ from the live pane:$bad"
exit 0
