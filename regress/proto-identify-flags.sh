#!/bin/sh

# The flags a client sends while identifying can ask for what a client may
# ask for, but cannot set the bits in which the server records the
# client's state (identify-client-flags.patch): a client claiming
# CLIENT_TERMINAL without a terminal is still treated as one without (its
# MSG_RESIZE is ignored rather than crashing the server), and one claiming
# CLIENT_ATTACHED is still told to exit when its command is done (3.5a
# left it waiting for good). The server stays up and its log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

TERMINAL=0x1		# CLIENT_TERMINAL
ATTACHED=0x80		# CLIENT_ATTACHED
IDENTIFIED=0x40000	# CLIENT_IDENTIFIED

proto_start

proto "flags CLIENT_TERMINAL, then MSG_RESIZE" <<EOT
identify flags=$TERMINAL
send MSG_RESIZE
command display-message -p -t main "#{session_name}"
wait
EOT
assert_eq "the answer to flags CLIENT_TERMINAL" 'stream 1: "main\n"
exit 0' "$OUT"
proto_check_up "flags CLIENT_TERMINAL, then MSG_RESIZE"

for flag in ATTACHED IDENTIFIED; do
	eval value=\$$flag
	proto "flags CLIENT_$flag" <<EOT
identify flags=$value
command display-message -p -t main "#{session_name}"
wait
EOT
	assert_eq "the answer to flags CLIENT_$flag" 'stream 1: "main\n"
exit 0' "$OUT"
	proto_check_up "flags CLIENT_$flag"
done

proto_end
exit 0
