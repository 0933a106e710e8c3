#!/bin/sh

# Titles, paths and window names that the application in a pane chooses
# have "#(" broken up as "_(": the default prefix-, binding puts the window
# name into rename-window's argument, which is expanded as a format, so in
# 3.5a pressing Enter at that prompt ran whatever command the pane had put
# there. Window names set by commands (new-window -n) are escaped like
# every other window name (3.5a passed control characters on to every
# terminal that shows them) (upstream-sanitize-names-titles.patch).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf "set -g allow-rename on"
cat >"$TMP/names.sh" <<EOT
printf '\\033]2;#(touch $TMP/from-title)\\033\\\\'
printf '\\033]7;file://host/#(touch $TMP/from-path)\\033\\\\'
printf '\\033k#(touch $TMP/from-name)\\033\\\\'
printf 'named\\n'
exec cat
EOT
start_main "sh $TMP/names.sh"
wait_for "the pane to print named" sh -c \
    "$T capture-pane -p -t main | grep -q named"

assert_eq "the pane's title, path and window name" \
    "_(touch $TMP/from-title)
file://host/_(touch $TMP/from-path)
_(touch $TMP/from-name)" \
    "$($T display -p -t main '#{pane_title}
#{pane_path}
#{window_name}')"

# The rename prompt, as a user would: prefix-, then Enter.
attach_pty main
type_keys C-b ,
wait_for "the rename prompt" outer_screen_has '(rename-window)'
type_keys Enter
wait_for "the rename prompt to close" sh -c \
    "! \"$TMUX_BIN\" -L $OUTER capture-pane -p | grep -q '(rename-window)'"
detach_pty
assert_eq "the window name after the prompt" "_(touch $TMP/from-name)" \
    "$($T display -p -t main '#{window_name}')"
for f in from-title from-path from-name; do
	[ -e "$TMP/$f" ] && fail "a command from the pane ran: $f"
done

# A window name from a command, with ESC and a tab in it.
$T new-window -d -t main: -n "$(printf 'a\033]0;x\007\tb')" ||
    fail "new-window -n failed"
assert_eq "the name given by new-window -n" 'a\033]0;x\a\tb' \
    "$($T display -p -t main:1 '#{window_name}')"

end_main
exit 0
