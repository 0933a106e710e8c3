#!/bin/sh

# What a client's terminal sends back is parsed by the server, and whoever
# controls an attached client's terminal (a read-only guest too) chooses
# it. A clipboard reply (OSC 52, after refresh-client -l) is decoded into a
# buffer big enough for it, padding or not
# (upstream-tty-keys-clipboard-size.patch): 3.5a exited on a reply of two
# characters, and wrote past its buffer (inside glibc's b64_pton, out of
# AddressSanitizer's sight) on one of six. A padded reply makes a buffer as
# before; unpadded ones are refused. An empty colour reply (OSC 11) is
# ignored (upstream-tty-keys-empty-colour.patch): 3.5a indexed four
# gigabytes past its buffer and died. The replies come from real clients on
# a pty, typed into them by an outer tmux. The server stays up and its log
# verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf
start_main cat

# Each reply comes from a new client: tmux stops asking a client's terminal
# for its clipboard after a reply it could not decode. The client is then
# detached with its prefix key; input is read in order, so by the time it
# has gone the reply has been handled.
reply() {
	attach_pty main
	if [ -n "${2:-}" ]; then
		client=$($T list-clients -F '#{client_name}')
		$T refresh-client -t "$client" -l ||
		    fail "refresh-client -l failed"
	fi
	type_text "$(printf "$1")"
	# Not detach_pty: if the server died, the client and the outer tmux
	# have gone already.
	"$TMUX_BIN" -L "$OUTER" send-keys C-b d 2>/dev/null
	wait_for "the pty client to exit" gone "$PTY_PID"
	gone "$SERVER" && fail "the server died after $(printf %s "$1" |
	    sed 's/\\033/ESC/')"
	wait_for "the client to go" sh -c "! $T list-clients | grep -q ."
}

reply '\033]52;c;QUJDRA==\007' clipboard	# "ABCD"
assert_eq "the buffer from a padded reply" "ABCD" "$($T show-buffer)"
# Unpadded replies are refused by b64_pton, after it has decoded what fits
# in the buffer it is given.
reply '\033]52;c;QQ\007' clipboard		# "A"
reply '\033]52;c;QUJDRA\007' clipboard	# "ABCD"
assert_eq "buffers after unpadded replies" "ABCD" "$($T list-buffers -F \
    '#{buffer_sample}')"
# An empty background colour reply.
reply '\033]11;\007'

gone "$SERVER" && fail "the server died"
assert_eq "the server's pid" "$SERVER" "$($T display -p '#{pid}')"
end_main
exit 0
