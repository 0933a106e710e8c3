#!/bin/sh

# show-audit -V streams: its memory does not grow with the size of the log.
# Two real logs, of about 5 MB and 50 MB of pane output (cat of a file of
# printable text, seal interval 1 second), each verify (consistent), and the
# maximum resident set size of show-audit -V -d (from /usr/bin/time -v)
# is under 30 MB for both and within 4 MB of each other.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

[ -x /usr/bin/time ] ||
    skip "no /usr/bin/time (GNU time; Debian package time)"
sanitized && skip "a sanitizer build: its memory use is not the release's"

# A log in directory $2 of $1 MB of output through pane %0; its size in
# bytes and show-audit -V's maximum RSS in kilobytes are left in $size and
# $rss.
measure() {
	python3 -c '
import random, sys
r = random.Random(int(sys.argv[2]))
lines = ["".join(chr(32 + r.randrange(95)) for _ in range(79)) + "\n"
    for _ in range(64)]
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2]) * 1024 * 1024 // 80):
        f.write(lines[i % 64])
' "$TMP/text" "$1" || fail "cannot make the text"
	LOG=$2
	start_server
	$T send-keys -t %0 \
	    "cat '$TMP/text'; $TMUX_BIN -L $LABEL wait-for -S done" Enter ||
	    fail "send-keys failed"
	timeout 50 $T wait-for done || fail "cat of $1 MB did not finish"
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$RUN_PID"
	size=$(cat "$LOG"/*.tmux-audit | wc -c)
	[ "$size" -ge $(($1 * 1024 * 1024)) ] ||
	    fail "a log of $size bytes for $1 MB of output"

	/usr/bin/time -v -o "$TMP/time" "$TMUX_BIN" show-audit -V -d "$LOG" \
	    >"$TMP/v.out" 2>"$TMP/v.err"
	[ $? -eq 2 ] ||
	    fail "show-audit -V of $1 MB failed: $(cat "$TMP/v.err")"
	python3 -c '
import sys, tamper as t
with open(sys.argv[2], "w") as f:
    for x in t.segments(sys.argv[1]):
        f.write(t.intact(x) + "\n")' "$LOG" "$TMP/v.expected" ||
	    fail "python3 failed"
	assert_eq "show-audit -V of $1 MB" "$(cat "$TMP/v.expected")" \
	    "$(cat "$TMP/v.out")"
	rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' \
	    "$TMP/time")
	[ -n "$rss" ] || fail "no maximum RSS from /usr/bin/time"
	echo "$1 MB of output: a log of $size bytes, show-audit -V RSS $rss KB"
}

measure 5 "$TMP/log5"
size5=$size
rss5=$rss
measure 50 "$TMP/log50"
[ "$size" -ge $((size5 * 9)) ] ||
    fail "the large log ($size bytes) is not 9 times the small ($size5)"
[ "$rss5" -lt 30720 ] || fail "show-audit -V of 5 MB used $rss5 KB"
[ "$rss" -lt 30720 ] || fail "show-audit -V of 50 MB used $rss KB"
[ "$rss" -le $((rss5 + 4096)) ] ||
    fail "show-audit -V used $rss5 KB for 5 MB but $rss KB for 50 MB"
exit 0
