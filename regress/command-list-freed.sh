#!/bin/sh

# Commands made at run time are freed once they have run, whichever way
# they came: the command prompt (typed through a real client), if-shell
# and run-shell -C with a string, and display-panes choosing a pane. Each
# still runs (the options it sets are there); on the sanitizer build
# (./build.sh asan), where run.sh fails a test on any report, LeakSanitizer
# names the command lists of 3.5a as leaked when the server exits.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf
start_main
attach_pty main

type_keys C-b :
wait_outer_prompt
type_text "set -g @prompt typed"
type_keys Enter
# The keys reach the server through the outer tmux, later: display-panes
# must not take them.
wait_for "the prompt's option" sh -c "[ \"\$($T show -gv @prompt 2>/dev/null)\" = typed ]"
$T if-shell true "set -g @if yes" || fail "if-shell failed"
$T if-shell -F 1 "set -g @ifF yes" || fail "if-shell -F failed"
$T run-shell -C "set -g @run yes" || fail "run-shell -C failed"
$T display-panes -b -d 0 -t "$PTY_TTY" "set -g @panes %%" ||
    fail "display-panes failed"
type_keys 0
wait_for "display-panes' option" sh -c "[ -n \"\$($T show -gv @panes 2>/dev/null)\" ]"
assert_eq "options set" "typed yes yes yes %0" \
    "$($T show -gv @prompt) $($T show -gv @if) $($T show -gv @ifF) $($T show -gv @run) $($T show -gv @panes)"
detach_pty
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"
exit 0
