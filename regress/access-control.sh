#!/bin/sh

# Access with a real second user (root only: useradd): a read-only user
# cannot run commands through control mode (run-shell creates no file),
# cannot make itself writable with switch-client -r, a read-write user
# cannot grant access to a third user, change the audit options or read
# the log; refusals, denials and every ACL change are logged with the right
# identities; server-access-owner-only keeps other users out; a server with
# audit-log on refuses to run when others can write to its socket's
# directory.

. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "not root: no second user for access tests"
command -v useradd >/dev/null 2>&1 || skip "useradd is not installed"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"

GUEST=tmuxauditguest
made_user=0
if ! id "$GUEST" >/dev/null 2>&1; then
	useradd -M -s /bin/sh "$GUEST" || fail "useradd failed"
	made_user=1
fi
trap 'cleanup; [ $made_user -eq 1 ] && userdel "$GUEST" 2>/dev/null' EXIT
GUID=$(id -u "$GUEST")
GGID=$(id -g "$GUEST")
GTMUX=$(user_tmux "$GUEST") || fail "no tmux the guest can run"

# The socket in a directory the guest can reach and nobody else can write.
chmod 0711 "$TMP"
PUB=$TMP/pub
mkdir -m 0755 "$PUB"
S="$TMUX_BIN -S $PUB/sock"
audit_conf
$S -f "$CONF" new -d -s main || fail "new-session failed"
chmod 0777 "$PUB/sock"

as_guest() {
	setpriv --reuid="$GUID" --regid="$GGID" --init-groups \
	    env HOME=/ TMUX_TMPDIR=/nonexistent "$@"
}

# 1. Read-only through control mode: nothing runs.
$S server-access -r "$GUEST" || fail "server-access -r failed"
out=$(printf 'run-shell "touch %s/pwned"\nswitch-client -r\nrun-shell "touch %s/pwned"\nnew-window\n' \
    "$PUB" "$PUB" | as_guest "$GTMUX" -S "$PUB/sock" -C attach -t main |
    grep -v '^%' | sed 's/\r$//')
assert_eq "control-mode refusals" "client is read-only
client is read-only: -r is not allowed
client is read-only
client is read-only" "$out"
[ -e "$PUB/pwned" ] && fail "run-shell ran for a read-only client"
assert_eq "windows after the refusals" 1 "$($S list-windows | wc -l)"

# 2. Read-write guest: cannot grant, cannot change audit options or read.
$S server-access -w "$GUEST" || fail "server-access -w failed"
err=$(as_guest "$GTMUX" -S "$PUB/sock" server-access -a nobody 2>&1)
assert_eq "guest granting access" "only the server owner can change access" \
    "$err"
assert_eq "ACL after the attempt" "$GUEST (W)" "$($S server-access -l | sort)"
err=$(as_guest "$GTMUX" -S "$PUB/sock" set -s audit-log off 2>&1)
assert_eq "guest turning the log off" \
    "audit-log: only the server owner can change it" "$err"
assert_eq "audit-log after the attempt" "on" "$($S show -sv audit-log)"
err=$(as_guest "$GTMUX" -S "$PUB/sock" show-audit 2>&1)
assert_eq "guest reading the log" \
    "audit log: only the server owner may read it" "$err"

# 3. Denied: the guest is removed, then connects.
$S server-access -d "$GUEST" || fail "server-access -d failed"
err=$(as_guest "$GTMUX" -S "$PUB/sock" list-sessions 2>&1)
assert_eq "denied guest" "access not allowed" "$err"

# 4. Owner only: no grants, and allowed users are sent away.
$S server-access -a "$GUEST" || fail "server-access -a failed"
$S set -s server-access-owner-only on || fail "owner-only failed"
err=$(as_guest "$GTMUX" -S "$PUB/sock" list-sessions 2>&1)
assert_eq "guest on an owner-only server" "server-access-owner-only is on" \
    "$err"
err=$($S server-access -a nobody 2>&1)
assert_eq "granting on an owner-only server" \
    "server-access-owner-only is on: no access for other users" "$err"

$S kill-server
wait_for "the log to be closed" python3 -c "
import os, sys
d = '$LOG'
sys.exit(0 if all(os.stat(os.path.join(d, f)).st_mode & 0o777 == 0o400
    for f in os.listdir(d)) else 1)"

# The log: refusals, denials and ACL changes with who did them.
$TMUX_BIN show-audit -J -d "$LOG" >"$TMP/log.json" ||
    fail "show-audit -d failed"
got=$(python3 - "$TMP/log.json" "$GUEST" "$GUID" "$GGID" <<'EOF'
import json, sys
path, guest, guid, ggid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for line in open(path):
    r = json.loads(line)
    t = r['type']
    if t == 'command' and r.get('uid') == guid:
        assert r['user'] == guest and r['gid'] == ggid, r
        print('command', r['issuer'], r['result'], r['command'],
              r.get('error', '-'))
    elif t == 'access-changed' and r.get('cause', {}).get('kind') == 'command':
        c = r['cause']
        print('access-changed', r['action'], r['target_user'],
              r['target_uid'] == guid or r['target_user'], c['user'],
              c['command'])
    elif t == 'access-denied':
        assert r['uid'] == guid and r['gid'] == ggid, r
        assert isinstance(r['pid'], int) and r['pid'] > 1, r
        print('access-denied', r['user'], r['reason'])
EOF
) || fail "reading the log failed"
assert_eq "access records" "access-changed allow $GUEST True root server-access
access-changed deny-write $GUEST True root server-access
command control ok attach-session -t main -
command control refused run-shell \"touch $PUB/pwned\" client is read-only
command control refused switch-client -r client is read-only: -r is not allowed
command control refused run-shell \"touch $PUB/pwned\" client is read-only
command control refused new-window client is read-only
access-changed allow-write $GUEST True root server-access
command client error server-access -a nobody only the server owner can change access
command client error set-option -s audit-log off audit-log: only the server owner can change it
command client error show-audit audit log: only the server owner may read it
access-changed deny $GUEST True root server-access
access-denied $GUEST access not allowed
access-changed allow $GUEST True root server-access
access-denied $GUEST server-access-owner-only is on" "$got"

# 5. A socket directory others can write to: the server refuses to run.
mkdir -m 0777 "$TMP/open"
chmod 0777 "$TMP/open"
err=$($TMUX_BIN -S "$TMP/open/sock" -f "$CONF" new -d -s x 2>&1)
assert_eq "server in a writable socket directory" \
    "audit log: socket directory $TMP/open is writable by others (mode 0777)" \
    "$err"
wait_for "the refusing server to exit" sh -c \
    "! $TMUX_BIN -S $TMP/open/sock has-session 2>/dev/null"
exit 0
