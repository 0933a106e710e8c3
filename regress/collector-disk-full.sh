#!/bin/sh

# The collector's disk fills in the middle of a flood. A real tmux-auditd
# runs as root, storing on a tmpfs of 1 MB; a second user's server, with
# audit-log-fail closed, prints 600000 numbered lines (four times what fits):
#
# - the collector cannot store a message: it says so in its log, naming
#   the file and the error, and refuses the server with that reason (a
#   record left torn by the short write is cut off when the server comes
#   back);
# - the server holds its panes, refuses to attach clients, naming the
#   collector's reason, and tries again (every second, then less often),
#   each time refused again while the disk is full;
# - once there is room (the tmpfs grown to 16 MB), the server's next try
#   goes on where the collector's file ends: at the end every line is
#   stored exactly once, the sequence numbers have no gap, and the log
#   verifies with the collector's key.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"
FS=$CDIR/fs
mkdir "$FS" || fail "mkdir $FS"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$FS" || skip "cannot mount a tmpfs"
CSTORE=$FS/store
trap 'rc=$?; collector_cleanup; pub_cleanup; umount -l "$FS"; cleanup;
    exit $rc' EXIT

collector_start
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-fail closed" \
    "set -s audit-log-seal-interval 1"
LINES=600000
user_server "$U1" -x 80 -y 24 "sleep 1; seq 1 $LINES; echo flood-done; sleep 600"
D=$(user_dir "$U1")

full() {
	grep -q "refused server pid $USER_PID uid $USER_UID: collector cannot store $D/.*: No space left on device" "$CLOG"
}
wait_for "the collector to find its disk full" full
SEG=$(ls "$D"/*_000001.tmux-audit)
# The server knows why: no client may attach, and is told the collector's
# reason.
OUT=$($U -C attach </dev/null 2>&1 | sed -n 's/^audit log/audit log/p')
case "$OUT" in
"audit log cannot be written: not attaching until it can (collector $CSOCK: refused: collector cannot store $SEG: No space left on device)")
	;;
*)	fail "attach while the disk is full: $OUT" ;;
esac
# Refused again at each try while it lasts; the pane is held meanwhile.
refused_again() {
	[ "$(grep -c "refused server pid $USER_PID uid $USER_UID: collector cannot store" "$CLOG")" -ge 2 ]
}
wait_for "the server to try again" refused_again
$U capture-pane -p | grep -q '^flood-done$' &&
    fail "the flood ended while the log could not be stored"

mount -o remount,size=16m "$FS" || fail "cannot grow the tmpfs"
finish_flood "$U1" "$LINES" "$SEG"
exit 0
