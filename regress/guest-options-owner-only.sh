#!/bin/sh

# Only the owner (and root) may change the audit options, on every path
# a read-write guest can take itself: customize mode driven by the guest's
# keys through a pty (Right, Down, Enter toggles audit-log), the command
# prompt (C-b :, whose command is issued by the key that opened it), a key
# the guest bound, a hook the guest set and then fired, source-file, and
# set-option -F. Each time audit-log stays on, the log keeps going, and the
# attempt is in the log with the guest's identity: customize mode as an
# option-changed record with result "refused" (its old_value the value
# kept, new_value the one tried), the others as the set-option command that
# failed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"

need_users
GUEST=tmuxauditrw2
make_user "$GUEST"
GUID=$USER_UID

audit_conf
pub_server -d -s main -x 80 -y 24
$S server-access -w "$GUEST" || fail "server-access -w failed"
attach_as "$GUEST" "$OUTER" -t main
keys() {
	"$TMUX_BIN" -L "$OUTER" send-keys "$@" || fail "send-keys $* failed"
}
g() {
	as_user "$GUEST" "$USER_BIN" -S "$PUB/sock" "$@" 2>&1
}
still_on() {
	assert_eq "audit-log after $1" on "$($S show -sv audit-log)"
}
owner_only="audit-log: only the server owner can change it"

# Customize mode, with the guest's keys.
$S customize-mode -t main:0.0 || fail "customize-mode failed"
keys Right Down Enter
wait_for "the refusal" log_has \
    'r["type"] == "option-changed" and r.get("result") == "refused"'
still_on "customize mode"
keys q

# The command prompt.
keys C-b :
wait_outer_prompt
keys "set -s audit-log off" Enter
wait_for "the prompt's command" log_has \
    'r["type"] == "command" and r["command"] == "set-option -s audit-log off" and r.get("key") == ":"'
still_on "the command prompt"

# A key the guest bound, then pressed.
g bind -n F5 set -s audit-log off || fail "bind failed"
keys F5
wait_for "the key's command" log_has \
    'r["type"] == "command" and r.get("key") == "F5" and r["command"] == "set-option -s audit-log off"'
still_on "a key binding"

# A hook the guest set, then fired.
g set-hook -g after-list-windows "set -s audit-log off" ||
    fail "set-hook failed"
g list-windows >/dev/null
wait_for "the hook's command" log_has \
    'r["type"] == "command" and r["issuer"] == "hook"'
still_on "a hook"
$S set-hook -gu after-list-windows || fail "set-hook -u failed"

# source-file and set-option -F.
echo "set -s audit-log off" >"$PUB/off.conf"
chmod 644 "$PUB/off.conf"
out=$(g source-file "$PUB/off.conf")
assert_eq "source-file" "$owner_only" "$out"
still_on "source-file"
out=$(g set -sF audit-log '#{?1,off,off}')
assert_eq "set-option -F" "$owner_only" "$out"
still_on "set-option -F"

$S kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$PUB_PID"
log_json
got=$(python3 - "$TMP/log.json" "$GUID" <<'EOF'
import json, sys
guid = int(sys.argv[2])
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "option-changed" and r["name"] == "audit-log" and \
        r["cause"].get("uid") == guid:
        c = r["cause"]
        print("option-changed", c["kind"], c.get("uid"), r["old_value"],
              r["new_value"], r.get("result", "-"), r.get("error", "-"))
    elif r["type"] == "command" and r.get("uid") == guid and \
        r["command"].startswith("set-option"):
        print("command", r["issuer"], r.get("key", "-"), r["command"],
              r["result"], r.get("error", "-"))
    elif r["type"] in ("log-stop", "log-start"):
        print(r["type"])
EOF
) || fail "reading the log failed"
assert_eq "the log" "\
option-changed key $GUID on off refused $owner_only
command key : set-option -s audit-log off error $owner_only
command key F5 set-option -s audit-log off error $owner_only
command hook - set-option -s audit-log off error $owner_only
command config - set-option -s audit-log off error $owner_only
command client - set-option -Fs audit-log \"#{?1,off,off}\" error $owner_only" \
    "$got"
exit 0
