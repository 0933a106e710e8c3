#!/bin/sh

# What a pane prints cannot crash the server or run commands, through two
# paths 3.5a left open (fixed upstream after 3.7c):
#
# - A last line marked as wrapping (printed past the right edge on the
#   bottom row, below a scroll region) and a regular expression search in
#   copy mode: 3.5a went on to the line after the last one and crashed
#   (upstream-copy-search-wrapped-end.patch).
# - #{q:} did not quote a newline or a tab, so a directory name with a
#   newline in it, given to run-shell as #{q:pane_current_path}, ran the
#   rest of the name as a second command (upstream-quote-shell-newline.patch).

. "$(dirname "$0")/lib.sh"

audit_conf
long=$(printf '%084d' 0 | tr 0 y)
start_main "printf 'top\\n\\033[1;3r\\033[24;1H%s' $long; exec cat"
wait_for "the long line" sh -c "$T capture-pane -p -t main | grep -q yyyy"
$T copy-mode -t main || fail "copy-mode failed"
$T send -t main -X history-top || fail "history-top failed"
for dir in search-forward search-backward; do
	$T send -t main -X $dir 'z.' || fail "$dir failed"
	assert_eq "in copy mode after $dir" 1 \
	    "$($T display -p -t main '#{pane_in_mode}')"
done
$T send -t main -X search-forward 'y.y' || fail "search-forward failed"
assert_eq "the row where y.y was found" 23 \
    "$($T display -p -t main '#{copy_cursor_y}')"
$T send -t main -X cancel

dir="$TMP/$(printf 'd\ntouch\tmade')"
mkdir "$dir" || fail "mkdir failed"
$T new-window -d -t main: -c "$dir" "exec cat" || fail "new-window failed"
wait_for "the window's directory" sh -c \
    "[ \"\$($T display -p -t main:1 '#{pane_current_path}')\" = '$dir' ]"
$T run-shell -c "$TMP" -t main:1 \
    "printf '[%s]\\n' #{q:pane_current_path} >$TMP/out" ||
    fail "run-shell failed"
[ -e "$TMP/made" ] && fail "the directory's name ran a command"
assert_eq "the quoted name, one word" "[$TMP/dtouch	made]" "$(cat "$TMP/out")"

end_main
exit 0
