#!/bin/sh

# A client that finishes identifying without sending its terminal's name
# (MSG_IDENTIFY_TTYNAME) or type (MSG_IDENTIFY_TERM) is treated as a client
# without a terminal: its commands run and the server stays up
# (identify-missing-tty.patch; 3.5a dereferenced NULL at
# MSG_IDENTIFY_DONE). It is logged as such, and the log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

for omit in -TTYNAME -TERM "-TTYNAME -TERM"; do
	proto "identify $omit, then ls" <<EOT
identify $omit
command list-sessions -F "#{session_name} #{session_windows}"
wait
EOT
	assert_eq "the answer to identify $omit, then ls" \
	    'stream 1: "main 1\n"
exit 0' "$OUT"
	proto_check_up "identify $omit, then ls"
done

# How the last one was logged: no tty, type unknown.
proto "identify without both, again" <<EOT
pid
identify -TTYNAME -TERM
command has-session -t main
wait
EOT
pid=$(echo "$OUT" | sed -n 's/^pid //p')
assert_eq "the answer to identify without both" "pid $pid
exit 0" "$OUT"
proto_check_up "identify without both, again"

proto_end
assert_eq "how that client was logged" \
    "client-connect client=client-$pid term=unknown cwd=/ client_flags=focused" \
    "$(audit_norm client-connect | grep " pid=$pid " |
    sed 's/ client_id=[0-9]* / /; s/ uid=.* user=[^ ]* / /')"
exit 0
