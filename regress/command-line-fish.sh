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
script_files fish
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

# Run the scripted session (type_script, lib-capture.sh) in a fish with
# home $1, "b" being its command line $2: no ec<Tab>, and no continuation
# prompt to wait for.
session() {
	shell_server "$1" "env -i PATH=$TMP/bin:/usr/bin:/bin HOME=$TMP/$1 \
	    TERM=$TERM fish -i"
	c="$PTY_TTY $user %0"
	type_script "$1" "$2" '' '' ''
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
TIME - $c - $w screen: $LONG
TIME - client-$PASTE_PID $user (paste-buffer) %0 - $w screen: echo pasted
TIME ? $c - $w screen: sh -c 'exit 3'
TIME D $c - $w screen: sleep 1" "$(cat "$TMP/rc.H")"

session rc-marks 5
assert_eq "-H with the integration" "\
TIME D $c 0 $w shell: echo abc
TIME D $c 0 $w shell: echo abc
TIME D $c 0 $w shell: cat hello.txt
TIME D $c 0 $w shell: echo one two
TIME D $c 0 $w screen: echo a \\\\\\nb
TIME D $c 0 $w shell: $LONG
TIME D client-$PASTE_PID $user (paste-buffer) %0 0 $w shell: echo pasted
TIME D $c 3 $w shell: sh -c 'exit 3'
TIME D $c 0 $w shell: sleep 1" "$(cat "$TMP/rc-marks.H")"

# What the sources said: the screen's text and prompt, the shell's text
# and directory (with the integration), the kernel's process (bash) and
# directory; how each ended.
python3 - "$TMP" "$(id -u)" <<'EOF' || fail "see above"
import sys
from capture import *
check_script(sys.argv[1], int(sys.argv[2]), None, lambda rc: ["fish", "-i"])
done("command-line-fish")
EOF
exit 0
