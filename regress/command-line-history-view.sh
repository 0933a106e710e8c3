#!/bin/sh

# show-audit -H, the command history: one line per command line, "TIME
# DURATION CLIENT USER [(COMMAND)] PANE STATUS CWD SOURCE: TEXT", in the
# order they started, selected by -t, -g, -a, -b and -f like records,
# formatted by -F with the record's fields and #{audit_text},
# #{audit_text_source}, #{audit_dir}, #{audit_dir_source},
# #{audit_shell_status}, #{audit_duration}, #{audit_end},
# #{audit_end_source}, and as JSON Lines with -J (the record's keys, then
# text, text_source, dir, dir_source, end_time, duration, end_source,
# shell_status). The same with no server (-d), where the command the kernel
# never saw end has ended as the server closed its pane; -l counts the
# command lines of each pane; -H with -l is refused.
#
# Session main: %0, bash with the shipped marks, runs echo alpha and
# sh -c 'exit 4', typed by send-keys; session other: %1, bash without
# marks, runs echo gamma.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

user=$(id -un)
mkdir -p "$TMP/a" "$TMP/b" || fail "mkdir failed"
bash_rcs

audit_conf
run_pid $T new -d -s main -x 80 -y 24 -c "$TMP/a" \
    "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
    bash --rcfile $TMP/rc-marks -i" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
$T new -d -s other -x 80 -y 24 -c "$TMP/b" \
    "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
    bash --rcfile $TMP/rc -i" || fail "new-session failed"
wait_prompt %0 '$ '
wait_prompt %1 '$ '
run_pid $T send-keys -t %0 'echo alpha' Enter || fail "send-keys failed"
p1=$LAST_PID
wait_for "command line 1" commands_logged 1
wait_prompt %0 '$ '
t1=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
run_pid $T send-keys -t %0 "sh -c 'exit 4'" Enter || fail "send-keys failed"
p2=$LAST_PID
wait_for "command line 2" commands_logged 2
wait_prompt %0 '$ '
run_pid $T send-keys -t %1 'echo gamma' Enter || fail "send-keys failed"
p3=$LAST_PID
wait_for "command line 3" commands_logged 3
wait_prompt %1 '$ '

norm() {
	sed -E 's/^[^ ]+ ([0-9]+\.[0-9]{3}s|-) /TIME \1 /' |
	    sed -E 's/^TIME [0-9]+\.[0-9]{3}s /TIME D /'
}
all="\
TIME D client-$p1 $user (send-keys) %0 0 $TMP/a shell: echo alpha
TIME D client-$p2 $user (send-keys) %0 4 $TMP/a shell: sh -c 'exit 4'
TIME - client-$p3 $user (send-keys) %1 - $TMP/b screen: echo gamma"
assert_eq "-H" "$all" "$($T show-audit -H | norm)"
assert_eq "-H -t %1" "$(echo "$all" | tail -1)" \
    "$($T show-audit -H -t %1 | norm)"
assert_eq "-H -t main" "$(echo "$all" | head -2)" \
    "$($T show-audit -H -t main | norm)"
assert_eq "-H -g exit" "$(echo "$all" | sed -n 2p)" \
    "$($T show-audit -H -g exit | norm)"
assert_eq "-H -a" "$(echo "$all" | tail -2)" \
    "$($T show-audit -H -a "$t1" | norm)"
assert_eq "-H -b" "$(echo "$all" | head -1)" \
    "$($T show-audit -H -b "$t1" | norm)"
assert_eq "-H -f" "$(echo "$all" | tail -1)" \
    "$($T show-audit -H -f '#{==:#{audit_text_source},screen}' | norm)"
assert_eq "-H -F" "\
1 echo alpha|shell|$TMP/a|kernel|0|shell
2 sh -c 'exit 4'|shell|$TMP/a|kernel|4|shell
3 echo gamma|screen|$TMP/b|kernel||" \
    "$($T show-audit -H -F '#{audit_command_id} #{audit_text}|#{audit_text_source}|#{audit_dir}|#{audit_dir_source}|#{audit_shell_status}|#{audit_end_source}')"
$T show-audit -H -F '#{audit_duration} #{audit_end} #{audit_time}' \
    -t %0 >"$TMP/F"
$T show-audit -H -J >"$TMP/H.json" || fail "show-audit -H -J failed"

python3 - "$TMP/H.json" "$TMP/F" "$TMP" <<'EOF' || fail "see above"
import re, sys
from capture import *
recs = load(sys.argv[1])
tmp = sys.argv[3]
check("-J: %d lines" % len(recs), len(recs) == 3)
for r in recs:
    keys = list(r)
    want = ["text", "text_source", "dir", "dir_source"]
    if r["command_id"] != 3:
        want += ["end_time", "duration", "end_source", "shell_status"]
    check("-J keys %r end with %r" % (keys, want), keys[-len(want):] == want)
    check("-J type %r" % r["type"], r["type"] == "command-line")
a, e, g = recs
check("-J alpha %r" % a, a["text"] == "echo alpha" and
    a["text_source"] == "shell" and a["dir"] == tmp + "/a" and
    a["dir_source"] == "kernel" and a["end_source"] == "shell" and
    a["shell_status"] == 0 and a["cause"]["command"] == "send-keys")
check("-J exit 4 %r" % e, e["shell_status"] == 4)
check("-J gamma %r" % g, g["text_source"] == "screen" and
    "end_time" not in g and "shell_status" not in g)
for l, r in zip(open(sys.argv[2]), recs):
    d, end, t = l.split()
    check("-F duration %r end %r" % (d, end), re.fullmatch(r"\d+\.\d{3}", d)
        and end == r["end_time"] and t == r["time"] and
        float(d) == r["duration"])
done("command-line-history-view")
EOF

# The server's exit closes echo gamma, which the kernel never saw end.
$T kill-server
assert_eq "-H -d" "$(echo "$all" | sed '$s/^TIME - /TIME D /')" \
    "$("$TMUX_BIN" show-audit -H -d "$LOG" | norm)"
assert_eq "-H -d, how gamma ended" "closed" \
    "$("$TMUX_BIN" show-audit -H -d "$LOG" -t %1 -F '#{audit_end_source}')"
"$TMUX_BIN" show-audit -l -d "$LOG" | grep '^  pane' |
    sed -E 's/^  (pane %[0-9]+) .*, ([0-9]+ commands),.*/\1 \2/' >"$TMP/l"
assert_eq "-l" "\
pane %0 2 commands
pane %1 1 commands" "$(cat "$TMP/l")"
"$TMUX_BIN" show-audit -H -l -d "$LOG" >/dev/null 2>"$TMP/err" &&
    fail "-H -l did not fail"
assert_eq "-H -l" "-H cannot be used with -e, -l, -R, -T or -W" \
    "$(cat "$TMP/err")"
exit 0
