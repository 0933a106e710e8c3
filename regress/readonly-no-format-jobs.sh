#!/bin/sh

# A read-only guest (server-access -r) of a server run by root runs no
# shell command through the commands it is allowed: list-clients -F and -f
# expand their formats without #() jobs (the job text becomes empty),
# attach-session -c (which would also set the session's directory) and
# detach-client -E (which would make a client run a command) are refused.
# Each attempt is tried from control mode, with the owner attached through
# a pty; no file the jobs would make exists, the session's directory is
# unchanged, the owner stays attached, and the log has each command with
# its result as the guest's.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"

need_users
GUEST=tmuxauditro
make_user "$GUEST"
GUID=$USER_UID

audit_conf
pub_server -d -s main -x 80 -y 24 -c /
$S server-access -r "$GUEST" || fail "server-access -r failed"
attach_as root "$OUTER" -t main
owner=$($S lsc -F '#{client_name}')

printf '%s\n' \
    "list-clients -F '#(id -u >$PUB/F1)x#{client_name}'" \
    "list-clients -f '#(touch $PUB/F2)1' -F 'f #{client_name}'" \
    "attach-session -c '#(touch $PUB/F3)/tmp'" \
    "detach-client -t $owner -E 'touch $PUB/F4'" \
    "detach-client -E 'touch $PUB/F5'" |
    as_user "$GUEST" "$USER_BIN" -S "$PUB/sock" -C attach -t main \
    >"$TMP/control" 2>&1
# The guest's own control client is named client-PID.
out=$(grep -v '^%' "$TMP/control" | sed -e 's/\r$//' \
    -e 's/client-[0-9][0-9]*$/client-GUEST/')
assert_eq "control-mode output" "\
x$owner
xclient-GUEST
f $owner
f client-GUEST
client is read-only: -c is not allowed
client is read-only: -E is not allowed
client is read-only: -E is not allowed" "$out"

sleep 1
for f in F1 F2 F3 F4 F5; do
	[ -e "$PUB/$f" ] && fail "a job ran for the read-only client ($f)"
done
assert_eq "session directory" "/" "$($S display -p -t main '#{session_path}')"
assert_eq "the owner is still attached" "$owner" "$($S lsc -F '#{client_name}')"

$S kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$PUB_PID"
log_json
got=$(commands_of "$GUID" issuer result command error) ||
    fail "reading the log failed"
assert_eq "the guest's commands in the log" "\
control ok attach-session -t main -
control ok list-clients -F \"#(id -u >$PUB/F1)x#{client_name}\" -
control ok list-clients -F \"f #{client_name}\" -f \"#(touch $PUB/F2)1\" -
control refused attach-session -c \"#(touch $PUB/F3)/tmp\" client is read-only: -c is not allowed
control refused detach-client -E \"touch $PUB/F4\" -t $owner client is read-only: -E is not allowed
control refused detach-client -E \"touch $PUB/F5\" client is read-only: -E is not allowed" \
    "$got"
exit 0
