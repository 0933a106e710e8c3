#!/bin/sh

# audit-log-commands (on by default) turns command capture off and on: with
# it off a line run in bash adds no command-line, command-end, process or
# mark-refused record (its input and output are still logged); turned on
# with set-option (logged as an option-changed record, as its setting in
# the configuration is), the next line is recorded, and show-audit -H lists
# only that one.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

assert_eq "the default" "on" \
    "$($TMUX_BIN -L "$LABEL-default" -f /dev/null start \; \
    show -sv audit-log-commands \; kill-server)"

audit_conf "set -s audit-log-commands off"
cat >"$TMP/rc" <<EOF
PS1='\$ '
. $TOP/etc/shell/tmux-audit.bash
EOF
run_pid $T new -d -s main -x 80 -y 24 \
    "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
    bash --rcfile $TMP/rc -i" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
attach_pty main
wait_prompt %0 '$ '
type_text 'echo off-line'
type_keys Enter
wait_pane "the output of echo" output %0 'b"off-line\r\n"'
wait_prompt %0 '$ '
sleep 0.3
assert_eq "records with audit-log-commands off" "" \
    "$($T show-audit -Y command-line,command-end,process,mark-refused)"
assert_eq "-H with audit-log-commands off" "" "$($T show-audit -H)"

$T set -s audit-log-commands on || fail "set-option failed"
type_line 1 %0 '$ ' '=echo on-line' Enter
assert_eq "-H after audit-log-commands on" "echo on-line" \
    "$($T show-audit -H -F '#{audit_text}')"
assert_eq "the option's changes" "off
on" \
    "$($T show-audit -Y option-changed -F '#{audit_new_value}' \
    -f '#{==:#{audit_name},audit-log-commands}')"
exit 0
