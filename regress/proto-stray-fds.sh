#!/bin/sh

# File descriptors a client passes to the server are not left open in it:
# those of a MSG_IDENTIFY_STDIN or STDOUT sent again replace the earlier
# ones (identify-repeated-messages.patch), and those attached to messages
# that take none are closed (proc-unclaimed-fd.patch). 3.5a kept each one
# open for good, so any client could use up the server's descriptors. The
# server's count of descriptors open on /dev/null (which tmux-proto.py
# passes) is back where it was after each client; the audit log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

# The descriptors the server has open on /dev/null: its own standard ones,
# and any a client passed (tmux-proto.py passes /dev/null). Sockets and the
# log come and go with clients and segments, so they are not counted.
fds() {
	for f in /proc/"$SERVER"/fd/*; do
		[ "$(readlink "$f")" = /dev/null ] && echo "$f"
	done | wc -l
}
fds_back() {
	gone "$SERVER" && fail "the server died"
	[ "$(fds)" -eq "$BEFORE" ]
}

# Twenty of each before identifying, then the usual pair.
BEFORE=$(fds)
{
	i=0
	while [ $i -lt 20 ]; do
		echo "send MSG_IDENTIFY_STDIN fd"
		echo "send MSG_IDENTIFY_STDOUT fd"
		i=$((i + 1))
	done
	echo "identify"
	echo "command has-session -t main"
	echo "wait"
} >"$TMP/repeated"
proto "repeated MSG_IDENTIFY_STDIN and STDOUT" <"$TMP/repeated"
assert_eq "the answer after repeated STDIN and STDOUT" "exit 0" "$OUT"
wait_for "descriptors back to $BEFORE after repeated MSG_IDENTIFY_STDIN and STDOUT" fds_back
proto_check_up "repeated MSG_IDENTIFY_STDIN and STDOUT"

# Forty descriptors on messages that take none.
{
	echo "identify"
	i=0
	while [ $i -lt 20 ]; do
		echo "send MSG_WAKEUP fd"
		echo "send MSG_UNLOCK fd"
		i=$((i + 1))
	done
	echo "command has-session -t main"
	echo "wait"
} >"$TMP/attached"
proto "descriptors on MSG_WAKEUP and MSG_UNLOCK" <"$TMP/attached"
assert_eq "the answer after descriptors on MSG_WAKEUP" "exit 0" "$OUT"
wait_for "descriptors back to $BEFORE after descriptors on MSG_WAKEUP and MSG_UNLOCK" fds_back
proto_check_up "descriptors on MSG_WAKEUP and MSG_UNLOCK"

# One on a message that gets the client dropped.
proto "a descriptor on a bad message" <<EOT
identify
send MSG_SHELL 00 fd
wait
EOT
assert_eq "the answer to a descriptor on a bad message" "closed" "$OUT"
wait_for "descriptors back to $BEFORE after a descriptor on a bad message" fds_back
proto_check_up "a descriptor on a bad message"

proto_end
exit 0
