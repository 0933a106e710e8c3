#!/bin/sh

# Each command line run in bash is recorded as bash ran it, not as it was
# typed, from the screen alone (no shell integration) and, with the shipped
# integration (etc/shell/tmux-audit.bash), cut at its OSC 133 marks with
# its exit status. A real client (a pty) types: echo abc; Up (history
# recall); ec<Tab>hoo hi (completed to echo hoo hi); cat hel<Tab> (a file
# name); "cho one two three", C-a, "e", C-e, six Lefts and C-k (line
# editing: echo one two); echo a \ and b (a backslash continuation); a line
# of 120 characters that wraps; a line pasted with paste-buffer; a command
# failing with status 3; sleep 1. show-audit -H must show, one line each,
# TIME DURATION CLIENT USER %0 STATUS CWD SOURCE: TEXT exactly.
#
# Without integration the screen gets every line right but for the
# continuation, which is two lines (echo a \ and b, the "> " prompt cut),
# and knows no exit status; the kernel ends sleep 1 (the foreground came
# back to bash) but not builtins. With it the continuation is one command,
# every line has its status (3 for the failure) and its end, and the text
# comes from the shell's marks, the same as the screen's.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

user=$(id -un)
script_files bash
bash_rcs

# Run the scripted session (type_script, lib-capture.sh) in a bash reading
# rc file $1, "b" being its command line $2.
session() {
	shell_server "$1" "env -i PATH=$TMP/bin HOME=$TMP/home TERM=$TERM \
	    bash --rcfile $TMP/$1 -i"
	c="$PTY_TTY $user %0"
	type_script "$1" "$2" '> ' ec ''
}

session rc 7
w="$TMP/work"
assert_eq "-H without integration" "\
TIME - $c - $w screen: echo abc
TIME - $c - $w screen: echo abc
TIME - $c - $w screen: echo hoo hi
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
TIME D $c 0 $w shell: echo hoo hi
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
tmp = sys.argv[1]
check_script(tmp, int(sys.argv[2]), "> ",
    lambda rc: ["bash", "--rcfile", "%s/%s" % (tmp, rc), "-i"])
done("command-line-bash")
EOF
exit 0
