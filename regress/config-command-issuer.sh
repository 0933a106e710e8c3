#!/bin/sh

# Commands from configuration files are logged with issuer "config", the
# file they came from and their line in it: the main config (two commands
# on one line share it; comments and blank lines count), a file it sources,
# and a file sourced later by a client (whose commands also carry that
# client). A failing command has result "error" and tmux's error message,
# and the line tmux itself reports the error at; the command after it in
# the same group never runs and is not logged.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

uid=$(id -u)
gid=$(id -g)
user=$(id -un)

cat >"$CONF" <<EOF
set -s audit-log on
set -s audit-log-path $LOG
# a comment

set -g status-left 'L' ; set -g base-index 1
set -g no-such-option 1
set -g history-limit 500
source-file $TMP/sourced.conf
set -g status-left 'A' ; set -g status-interval nope ; set -g base-index 5
EOF
cat >"$TMP/sourced.conf" <<EOF
# sourced

set -g status-right 'R'
EOF
cat >"$TMP/later.conf" <<EOF
set -g status-justify centre

set -g bogus-option x
EOF

run_pid $T new -d -s main -x 80 -y 24 cat 2>"$TMP/err" ||
    fail "new-session failed"
new_pid=$LAST_PID
assert_eq "new-session errors" "" "$(cat "$TMP/err")"
wait_for "server-start" log_has 'r["type"] == "server-start"'
SERVER_PIDS=$(server_pid)

run_pid $T source-file "$TMP/later.conf" >"$TMP/out" 2>"$TMP/err" &&
    fail "source-file of a file with an error succeeded"
src_pid=$LAST_PID
# source-file prints the config's errors so far, with tmux's own lines.
assert_eq "config errors" "\
$CONF:6: invalid option: no-such-option
$CONF:9: value is invalid: nope" "$(cat "$TMP/out")"
assert_eq "source-file error" "invalid option: bogus-option" "$(cat "$TMP/err")"
wait_for "the later.conf commands" log_has \
    'r["type"] == "command" and r.get("line") == 3'

log_json
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] != "command":
        continue
    out = []
    for k in ["issuer", "client", "pid", "uid", "gid", "user", "file",
            "line", "key", "command", "result", "error"]:
        if k in r:
            out.append("%s=%s" % (k, r[k]))
    extra = sorted(set(r) - set(["seq", "time", "type", "client_id", "issuer",
        "client", "pid", "uid", "gid", "user", "file", "line", "key",
        "command", "result", "error"]))
    if extra:
        out.append("EXTRA=%s" % ",".join(extra))
    print(" | ".join(out))
' "$TMP/log.json" >"$TMP/commands" || fail "cannot read the log"

# One line a record; "| " separates fields.
new="client=client-$new_pid | pid=$new_pid | uid=$uid | gid=$gid | user=$user"
src="client=client-$src_pid | pid=$src_pid | uid=$uid | gid=$gid | user=$user"
c="issuer=config | file=$CONF"
s="issuer=config | file=$TMP/sourced.conf"
l="issuer=config | $src | file=$TMP/later.conf"
set="command=set-option"
ok="result=ok"
assert_eq "command records" "\
$c | line=1 | $set -s audit-log on | $ok
$c | line=2 | $set -s audit-log-path $LOG | $ok
$c | line=5 | $set -g status-left L | $ok
$c | line=5 | $set -g base-index 1 | $ok
$c | line=6 | $set -g no-such-option 1 | result=error | \
error=invalid option: no-such-option
$c | line=7 | $set -g history-limit 500 | $ok
$c | line=8 | command=source-file $TMP/sourced.conf | result=wait
$s | line=3 | $set -g status-right R | $ok
$c | line=9 | $set -g status-left A | $ok
$c | line=9 | $set -g status-interval nope | result=error | \
error=value is invalid: nope
issuer=client | $new | command=new-session -d -s main -x 80 -y 24 cat | $ok
issuer=client | $src | command=source-file $TMP/later.conf | result=wait
$l | line=1 | $set -g status-justify centre | $ok
$l | line=3 | $set -g bogus-option x | result=error | \
error=invalid option: bogus-option" \
    "$(cat "$TMP/commands")"

# What the config did is what tmux did: the failing command's group
# stopped there.
assert_eq "options set by the config" "status-left A
base-index 1
history-limit 500
status-right R
status-justify centre" "$($T show -g status-left \; show -g base-index \; \
    show -g history-limit \; show -g status-right \; show -g status-justify)"
exit 0
