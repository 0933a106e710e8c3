#!/bin/sh

# How a pane's process ended is logged as pane-exited with its pane and pid:
# "status" 3 for sh -c 'exit 3' in a pane kept by remain-on-exit and in one
# that is not (the pane may be gone before the child is reaped); "signal"
# 15 and "name" TERM for a process killed with SIGTERM; and status 7 for a
# process that outlived its pane (kill-pane while it ignores SIGHUP) and
# exited after the pane was destroyed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf

# The pid of the pane in window $1 of session main.
pane_pid() {
	$T display -p -t "main:$1" '#{pane_pid}' || fail "no pane in $1"
}

# The pane-exited records, one a line, in order. A signal's "name" is left
# out here and checked on its own.
exits() {
	log_json
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "pane-exited":
        print(" ".join("%s=%s" % (k, v) for k, v in r.items()
            if k not in ("seq", "time", "type", "name")))
' "$TMP/log.json"
}

start_logged -s main -x 80 -y 24 cat

# Status 3, remain-on-exit on: the pane stays, dead, until killed.
# The option is set in the same command list, before the child can be
# reaped.
$T new-window -d -n remain "sh -c 'exit 3'" \; \
    set -w -t main:remain remain-on-exit on ||
    fail "new-window remain failed"
pid1=$(pane_pid remain)
wait_for "pane-exited of %1" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%1'"
dead() {
	[ "$($T display -p -t main:remain '#{pane_dead} #{pane_dead_status}')" \
	    = "1 3" ]
}
wait_for "the remain pane to be dead with status 3" dead

# Status 3, no remain-on-exit: the pane and window go.
$T new-window -d -n plain -P -F '#{pane_pid}' "sh -c 'exit 3'" \
    >"$TMP/pid" || fail "new-window plain failed"
pid2=$(cat "$TMP/pid")
wait_for "pane-exited of %2" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%2'"

# SIGTERM. With more than one argument the command is run directly, so
# the pane's pid is sleep's.
$T new-window -d -n term sleep 100 || fail "new-window term failed"
pid3=$(pane_pid term)
kill -TERM "$pid3" || fail "kill -TERM $pid3 failed"
wait_for "pane-exited of %3" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%3'"

# A child that outlives its pane: kill-pane hangs up its terminal, which
# it ignores; it exits with 7 a little later, when the pane is long gone.
$T new-window -d -n hup "trap '' HUP; sleep 1; exit 7" ||
    fail "new-window hup failed"
pid4=$(pane_pid hup)
$T kill-pane -t main:hup || fail "kill-pane failed"
kill -0 "$pid4" 2>/dev/null ||
    fail "the hup pane's process did not outlive its pane"
assert_eq "windows after kill-pane" "0 1" \
    "$($T list-windows -t main -F '#{window_index}' | tr '\n' ' ' |
    sed 's/ $//')"
wait_for "pane-exited of %4" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%4'"

assert_eq "pane-exited records" "\
pane=%1 pid=$pid1 status=3
pane=%2 pid=$pid2 status=3
pane=%3 pid=$pid3 signal=15
pane=%4 pid=$pid4 status=7" "$(exits)"

# If the signal has a "name", it is the signal's name, not its number
# again.
log_has "r['type'] == 'pane-exited' and r.get('name', 'TERM') != 'TERM'" &&
    fail "pane-exited has name=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "name" in r and r["type"] == "pane-exited":
        print(r["name"])' "$TMP/log.json"), not TERM"
exit 0
