#!/bin/sh

# A client that answers the server's file requests with a message of the
# wrong size (MSG_WRITE_READY, MSG_READ, MSG_READ_DONE) is dropped, and the
# server carries on, where 3.5a exited with fatalx
# (upstream-bad-file-messages.patch). Well-formed ones for streams that do
# not exist are ignored, as before. The audit log still verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

proto_dropped <<'EOT'
MSG_WRITE_READY-short send MSG_WRITE_READY 01000000
MSG_WRITE_READY-long send MSG_WRITE_READY 010000000000000000
MSG_READ-short send MSG_READ 0100
MSG_READ_DONE-short send MSG_READ_DONE 01000000
MSG_READ_DONE-long send MSG_READ_DONE 010000000000000000
EOT

# Well-formed, for a stream nobody opened: ignored, and the client can go
# on to run a command.
proto "messages for stream 7" <<EOT
identify
send MSG_WRITE_READY 0700000000000000
send MSG_READ 07000000414243
send MSG_READ_DONE 0700000000000000
command display-message -p -t main "#{session_name}"
wait
EOT
assert_eq "the answer after messages for stream 7" 'stream 1: "main\n"
exit 0' "$OUT"
proto_check_up "messages for stream 7"

proto_end
exit 0
