#!/bin/sh

# A server started detached, a real client attached through a pty and then
# detached with its prefix key, and kill-server: the log holds exactly the
# expected events, in order, with the kernel's view of each client (uid,
# gid, pid) and the pty client's tty and TERM.

. "$(dirname "$0")/lib.sh"

audit_conf
start_logged -s main -x 80 -y 24

attach_pty main
wait_for "client-attached" log_has "r['type'] == 'client-attached'"
detach_pty
wait_for "client-disconnect of the pty client" \
    log_has "r['type'] == 'client-disconnect' and r['pid'] == $PTY_PID"

run_pid $T kill-server || fail "kill-server failed"
kill_pid=$LAST_PID
wait_for "the server to exit" gone "$SERVER"
t1=$(now)

log_json
audit_check_meta "$START" "$t1" || fail "bad times, seqs or run id"
audit_check_seals

srv=$(server_fields "$SERVER")
new=$(client_fields 0 "client-$NEW_PID" "$NEW_PID")
pty=$(client_fields 1 "$PTY_TTY" "$PTY_PID")
kill=$(client_fields 2 "client-$kill_pid" "$kill_pid")
flags="client_flags=focused,UTF-8"
login=$(login_fields)

assert_eq "events" "\
segment format=1 run=RUN segment=1 $srv first=1
server-start $srv
client-connect $new$login term=$TERM cwd=$TMP $flags
session-created session=main session_id=\$0 cwd=$TMP
client-disconnect $new reason=exit
client-connect $pty$login tty=$PTY_TTY term=$TERM cwd=$TMP $flags
client-attached $pty session=main session_id=\$0
client-detached $pty session=main session_id=\$0 reason=detach
client-disconnect $pty reason=detached
client-connect $kill$login term=$TERM cwd=$TMP $flags
session-closed session=main session_id=\$0
client-disconnect $kill reason=server-exit
server-stop pid=$SERVER" "$(audit_norm "$BASIC_TYPES")"

# The pty client is who the kernel says: the outer pane's process, this
# user, on the outer pane's tty.
[ "$PTY_PID" != "$$" ] && [ "$PTY_PID" -gt 0 ] || fail "bad pty pid $PTY_PID"
case "$PTY_TTY" in
/dev/pts/*|/dev/tty*) ;;
*)	fail "bad pty tty $PTY_TTY" ;;
esac
exit 0
