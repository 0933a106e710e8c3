#!/bin/sh

# A client that sends a malformed message, or identify messages after it
# has identified, is dropped: the server closes its connection and carries
# on for everyone else, where 3.5a exited with fatalx
# (upstream-bad-client-messages.patch). Each message is tried on a new
# connection; the audit log still verifies at the end.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

# What is sent after identifying, one case a line: a name, then the step.
proto_dropped <<'EOT'
MSG_RESIZE-with-data send MSG_RESIZE 00
MSG_EXITING-with-data send MSG_EXITING 0000
MSG_WAKEUP-with-data send MSG_WAKEUP 00
MSG_UNLOCK-with-data send MSG_UNLOCK 00
MSG_SHELL-with-data send MSG_SHELL 00
MSG_COMMAND-too-short send MSG_COMMAND 0100
MSG_COMMAND-unterminated send MSG_COMMAND 010000006c73
MSG_IDENTIFY_FLAGS-after-DONE send MSG_IDENTIFY_FLAGS 00000000
MSG_IDENTIFY_DONE-twice send MSG_IDENTIFY_DONE
EOT

# Malformed identify messages, sent before MSG_IDENTIFY_DONE.
proto_dropped before <<'EOT'
MSG_IDENTIFY_FLAGS-short send MSG_IDENTIFY_FLAGS 00
MSG_IDENTIFY_LONGFLAGS-short send MSG_IDENTIFY_LONGFLAGS 00000000
MSG_IDENTIFY_FEATURES-long send MSG_IDENTIFY_FEATURES 0000000000
MSG_IDENTIFY_CLIENTPID-short send MSG_IDENTIFY_CLIENTPID 01
MSG_IDENTIFY_TERM-empty send MSG_IDENTIFY_TERM
MSG_IDENTIFY_TERM-unterminated send MSG_IDENTIFY_TERM 78
MSG_IDENTIFY_TTYNAME-unterminated send MSG_IDENTIFY_TTYNAME 2f
MSG_IDENTIFY_CWD-unterminated send MSG_IDENTIFY_CWD 2f
MSG_IDENTIFY_ENVIRON-unterminated send MSG_IDENTIFY_ENVIRON 413d31
MSG_IDENTIFY_TERMINFO-unterminated send MSG_IDENTIFY_TERMINFO 6b
MSG_IDENTIFY_STDIN-with-data send MSG_IDENTIFY_STDIN 00 fd
MSG_IDENTIFY_STDOUT-with-data send MSG_IDENTIFY_STDOUT 00 fd
EOT

proto_end
exit 0
