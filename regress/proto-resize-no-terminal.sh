#!/bin/sh

# MSG_RESIZE from a client that identified without a terminal is ignored
# (client-resize-no-terminal.patch): 3.5a asked the terminal that was never
# set up for its size and dereferenced NULL. The client's next command
# runs as usual, the server stays up and its audit log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

proto "MSG_RESIZE without a terminal" <<EOT
identify
send MSG_RESIZE
send MSG_RESIZE
command display-message -p -t main "#{session_name} #{window_width}x#{window_height}"
wait
EOT
assert_eq "the answer after MSG_RESIZE without a terminal" \
    'stream 1: "main 80x24\n"
exit 0' "$OUT"
proto_check_up "MSG_RESIZE without a terminal"

proto_end
exit 0
