#!/bin/sh

# A client that sends anything but identify messages before
# MSG_IDENTIFY_DONE is dropped (identify-first.patch): a MSG_RESIZE then
# made 3.5a dereference a terminal that was never set up, and a command
# then was queued and run once the client had identified. The server stays
# up, runs nothing for the client, and its audit log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

while read -r what step; do
	proto "$what" <<EOT
$step
identify
command new-window -d -t main:
wait
EOT
	assert_eq "the answer to $what" "closed" "$OUT"
	proto_check_up "$what"
	assert_eq "windows after $what" "0" \
	    "$($T list-windows -t main -F '#{window_index}')"
done <<'EOT'
MSG_RESIZE-first send MSG_RESIZE
MSG_COMMAND-first command new-window -d -t main:
MSG_WAKEUP-first send MSG_WAKEUP
MSG_UNLOCK-first send MSG_UNLOCK
MSG_SHELL-first send MSG_SHELL
MSG_EXITING-first send MSG_EXITING
MSG_READ_DONE-first send MSG_READ_DONE 0100000000000000
EOT

proto_end
exit 0
