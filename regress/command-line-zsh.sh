#!/bin/sh

# Each command line run in zsh is recorded as zsh ran it, not as it was
# typed, from the screen alone (no shell integration) and, with the shipped
# integration (etc/shell/tmux-audit.zsh), cut at its OSC 133 marks with its
# exit status. As command-line-bash.sh, in zsh: echo abc; Up; ec<Tab>hoo hi
# (zsh completes ec to echo, no space: echotc and echoti are builtins too,
# so it runs "echohoo hi", and the log says so, with status 127 from the
# marks); cat hel<Tab> (zsh adds a space, which the screen's text leaves
# out); line editing; a backslash continuation; a line that wraps (zsh moves
# to the next row itself, and the row it erases there unwraps the one above:
# the line is still read whole); a pasted line; status 3; sleep 1.
#
# Without integration the screen gets every line right but for the
# continuation (two lines) and knows no exit status; with it the
# continuation is one command and every line has its status and its end.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

user=$(id -un)
script_files zsh
mkdir -p "$TMP/rc" "$TMP/rc-marks"
cat >"$TMP/rc/.zshrc" <<EOF
PS1='\$ '
bindkey -e
EOF
cp "$TMP/rc/.zshrc" "$TMP/rc-marks/.zshrc"
echo ". $TOP/etc/shell/tmux-audit.zsh" >>"$TMP/rc-marks/.zshrc"

# Run the scripted session (type_script, lib-capture.sh) in a zsh reading
# rc directory $1, "b" being its command line $2.
session() {
	shell_server "$1" "env -i PATH=$TMP/bin HOME=$TMP/home TERM=$TERM \
	    ZDOTDIR=$TMP/$1 zsh -i"
	c="$PTY_TTY $user %0"
	type_script "$1" "$2" '> ' ec 'echohoo hi'
}

session rc 7
w="$TMP/work"
assert_eq "-H without integration" "\
TIME - $c - $w screen: echo abc
TIME - $c - $w screen: echo abc
TIME ? $c - $w screen: echohoo hi
TIME ? $c - $w screen: cat hello.txt
TIME - $c - $w screen: echo one two
TIME - $c - $w screen: echo a \\\\
TIME - $c - $w screen: b
TIME - $c - $w screen: $LONG
TIME - client-$PASTE_PID $user (paste-buffer) %0 - $w screen: echo pasted
TIME ? $c - $w screen: sh -c 'exit 3'
TIME D $c - $w screen: sleep 1" "$(cat "$TMP/rc.H")"

session rc-marks 6
assert_eq "-H with the integration" "\
TIME D $c 0 $w shell: echo abc
TIME D $c 0 $w shell: echo abc
TIME D $c 127 $w shell: echohoo hi
TIME D $c 0 $w shell: cat hello.txt
TIME D $c 0 $w shell: echo one two
TIME D $c 0 $w shell: echo a \\\\\\nb
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
check_script(sys.argv[1], int(sys.argv[2]), "> ", lambda rc: ["zsh", "-i"])
done("command-line-zsh")
EOF
exit 0
