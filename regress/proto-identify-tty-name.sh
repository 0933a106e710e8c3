#!/bin/sh

# A client whose terminal name (MSG_IDENTIFY_TTYNAME) has a character no
# device path has is dropped (identify-tty-name.patch): that name becomes
# the client's name, which choose-client puts in detach-client -t '%%', a
# command parsed again when the owner presses Enter there, so 3.5a let any
# client that can connect (a read-only guest) name itself
# "x'<newline>run-shell '...' #" and have that run as the owner. A device
# path is accepted as before. Each refused client's client-disconnect
# record says why (reason protocol-error, error naming the message).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

proto_start

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
	echo 00
}
name_step() {
	echo "identify -TTYNAME -DONE"
	echo "send MSG_IDENTIFY_TTYNAME $(hex "$1")"
	echo "send MSG_IDENTIFY_DONE"
	echo 'command list-sessions -F "#{session_name}"'
	echo "wait"
}

for name in "x'
run-shell 'touch $TMP/ran' #" "/dev/pts/1'" '/dev/pts/1;' '/dev/pts/ 1' \
    "$(printf '/dev/pts/\0331')"; do
	proto "terminal name $name" <<EOT
$(name_step "$name")
EOT
	assert_eq "the answer to terminal name $name" "closed" "$OUT"
	proto_check_up "terminal name $name"
done
[ -e "$TMP/ran" ] && fail "a command in a terminal name ran"

for name in /dev/pts/7 /dev/ttyS0 /dev/ttyUSB0 /dev/tty.usb-1_2:3+x; do
	proto "terminal name $name" <<EOT
$(name_step "$name")
EOT
	assert_eq "the answer to terminal name $name" 'stream 1: "main\n"
exit 0' "$OUT"
done

proto_end
# Each refusal is in the log, with why.
assert_eq "the refused clients' client-disconnect records" "\
5 protocol-error bad MSG_IDENTIFY_TTYNAME name" "$(python3 -c '
import json, sys
n, why = 0, set()
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "client-disconnect" and r["reason"] == "protocol-error":
        n += 1
        why.add(r["reason"] + " " + r["error"])
print(n, *sorted(why))' "$TMP/log.json")"
exit 0
