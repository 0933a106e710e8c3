#!/bin/sh

# What a guest does is sealed and witnessed before it takes effect. A root
# server with audit-log on, its seals going to a real rsyslogd, a seal
# interval of an hour (so no timer seal helps) and a read-write guest:
#
# - the guest attaching through a pty: its client-attached record is on
#   disk and followed at once by a seal as soon as it is attached; and
#   when it types a line, the input record with its Enter is followed at
#   once by a seal, before the shell in the pane reads it;
# - the guest then runs run-shell 'kill -9 #{pid}': the server dies at
#   once. The guest's command-start record was sealed before the command
#   ran, so cutting the newest file back to its last seal (as the guest,
#   now root, would) keeps it: show-audit names the guest and the command.
#   Cutting the file back further, to the seal before the command, is
#   caught by show-audit -V -w with the syslog file: the seal that covered
#   the command is named as missing.
# - a command of the owner is not sealed on its own: the owner's typing
#   costs nothing.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-syslog.sh"

need_users
GUEST=tmuxauditrw
make_user "$GUEST"
GUID=$USER_UID
trap 'rc=$?; stop_rsyslogd; pub_cleanup; cleanup; exit $rc' EXIT
start_rsyslogd

audit_conf "set -s audit-log-syslog on" \
    "set -s audit-log-syslog-target unix:$SYSLOG_SOCK" \
    "set -s audit-log-seal-interval 3600"
pub_server -d -s main -x 80 -y 24
$S server-access -w "$GUEST" || fail "server-access -w failed"

# The types of the records after the last one matching the Python
# expression $1, as read from the files now.
after() {
	log_json
	python3 - "$TMP/log.json" "$1" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
i = max(i for i, r in enumerate(recs) if eval(sys.argv[2]))
print(" ".join(r["type"] for r in recs[i + 1:]))
EOF
}

# 1. Attaching.
attach_as "$GUEST" "$OUTER" -t main
assert_eq "the record after the guest's attach" "seal" \
    "$(after "r['type'] == 'client-attached' and r.get('uid') == $GUID" |
    cut -d' ' -f1)"

# A line the guest types: sealed when Enter reaches the pane, before the
# shell can read it.
"$TMUX_BIN" -L "$OUTER" send-keys "true guest-line" ||
    fail "send-keys failed"
"$TMUX_BIN" -L "$OUTER" send-keys Enter || fail "send-keys failed"
wait_for "the guest's Enter" log_has \
    'r["type"] == "input" and r.get("data") == "\r" and r["cause"].get("uid") == '$GUID
assert_eq "the record after the guest's Enter" "seal" \
    "$(after "r['type'] == 'input' and r.get('data') == '\\r' and r['cause'].get('uid') == $GUID" |
    cut -d' ' -f1)"

# 2. An owner's command adds no seal of its own.
$S set -g @owner 1 || fail "set @owner failed"
sleep 0.2
n=$(after "r['type'] == 'command' and r.get('command') == 'set-option -g @owner 1'" |
    tr ' ' '\n' | grep -c '^seal$')
assert_eq "seals after the owner's command" 0 "$n"

# 3. The guest kills the server.
as_user "$GUEST" "$USER_BIN" -S "$PUB/sock" run-shell 'kill -9 #{pid}' \
    >/dev/null 2>&1
wait_for "the server to die" gone "$PUB_PID"
sleep 0.5

last=$(ls "$LOG"/*.tmux-audit | tail -1)
# The end of each seal record in a segment file, in order.
seal_ends() {
	python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = 8
while off + 4 <= len(data):
    n = struct.unpack(">I", data[off:off + 4])[0] + 4
    if off + n > len(data):
        break
    if struct.unpack(">H", data[off + 4:off + 6])[0] == 7:
        print(off + n)
    off += n
EOF
}
ends=$(seal_ends "$last")
cut=$(echo "$ends" | tail -1)
truncate -s "$cut" "$last" || fail "truncate failed"
assert_eq "the guest's command, after the cut to the last seal" \
    "$GUEST run-shell \"kill -9 #{pid}\"" \
    "$("$TMUX_BIN" show-audit -d "$LOG" -Y command-start \
    -F '#{audit_user} #{audit_command}' | tail -1)"

# The seal that covered the command went to syslog: cut that one away too.
wait_for "the witness of the last seal" syslog_has "seal_index"
prev=$(echo "$ends" | tail -2 | head -1)
truncate -s "$prev" "$last" || fail "truncate failed"
"$TMUX_BIN" show-audit -d "$LOG" -Y command-start \
    -F '#{audit_command}' >"$TMP/cmds"
grep -q kill "$TMP/cmds" && fail "the cut did not remove the command"
"$TMUX_BIN" show-audit -V -d "$LOG" -w "$SYSLOG_FILE" >"$TMP/v.out" \
    2>"$TMP/v.err" && fail "show-audit -V -w passed a cut log"
log_json
python3 - "$TMP/log.json" "$TMP/v.err" "$SYSLOG_FILE" <<'EOF' ||
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
seals = [r for r in recs if r["type"] == "seal"]
gone = seals[-1]["seal_index"] + 1
errs = [l.rstrip("\n") for l in open(sys.argv[2])]
want = "witness: seal %d of run %s (segment " % (gone, seals[-1]["run"])
hits = [l for l in errs if l.startswith(want) and
    l.endswith("is not in the log: a segment was removed or truncated")]
if not hits:
    sys.exit("no witness error for seal %d in %r" % (gone, errs))
EOF
    fail "the witness did not name the missing seal"
exit 0
