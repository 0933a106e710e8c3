#!/bin/sh

# Property 7 from the first moment: with audit-log-fail closed ("holds
# every pane until it can be written") and a log directory on a tmpfs
# that is already full when the server starts, nothing a pane prints
# reaches its screen unlogged: a pane that prints a line is held (the
# line is not on its screen after 1.5 s). Once the filler file is removed
# the log is written by itself, the pane goes on and its line is on the
# screen and in the log, and after kill-server the log verifies as consistent.
#
# Needs root (mount).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-storage.sh"

storage_tmpfs 256k
mkdir -m 700 "$LOG" || fail "mkdir $LOG"
audit_conf "set -s audit-log-fail closed"
dd if=/dev/zero of="$FS/filler" bs=4096 2>/dev/null
[ "$(df --output=avail "$FS" | tail -n 1)" -eq 0 ] ||
    fail "the tmpfs is not full"

cat >"$TMP/pane.sh" <<EOF
while [ ! -e '$TMP/go' ]; do sleep 0.05; done
echo "MARKER-\$((40 + 2))"
exec sleep 60
EOF
$T new -d -s main -x 80 -y 24 "sh '$TMP/pane.sh'" >"$TMP/new.out" 2>&1
SERVER_PIDS=$($T display -p '#{pid}' 2>/dev/null)
[ -n "$SERVER_PIDS" ] || fail "no server: $(cat "$TMP/new.out")"
: >"$TMP/go"
sleep 1.5
$T capture-pane -p -t %0 >"$TMP/screen" || fail "capture-pane failed"
grep -q MARKER-42 "$TMP/screen" &&
    fail "the pane printed although the log cannot be written"

rm -f "$FS/filler"
screen_has_marker() {
	$T capture-pane -p -t %0 | grep -qx MARKER-42
}
wait_for "the pane to go on" screen_has_marker
wait_pane "the line in the log" output %0 "b'MARKER-42\\r\\n'"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
log_json
audit_check_seals
exit 0
