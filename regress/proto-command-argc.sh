#!/bin/sh

# A MSG_COMMAND whose argument count does not match the strings after it
# is answered with "command too long" and the client is told to exit; the
# server frees nothing twice (upstream-command-argv-double-free.patch),
# does not try to allocate for a negative or huge count
# (upstream-command-argc-limit.patch), stays up for everyone else, and its
# audit log still verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

for argc in "3 ls" "2 list-sessions" "1" "-1 ls" "100000000 ls" \
    "2147483647"; do
	set -- $argc
	n=$1
	shift
	proto "argc=$n with $# strings" <<EOT
identify
command argc=$n $*
wait
EOT
	assert_eq "the answer to argc=$n with $# strings" \
	    'stream 2: "command too long\n"
exit 1' "$OUT"
	proto_check_up "argc=$n with $# strings"
done

# A well-formed command from the same kind of client still works.
proto "a good command" <<EOT
identify
command display-message -p -t main "#{session_name} #{window_index}"
wait
EOT
assert_eq "the answer to a good command" 'stream 1: "main 0\n"
exit 0' "$OUT"

proto_end
exit 0
