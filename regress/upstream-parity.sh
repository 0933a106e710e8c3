#!/bin/sh

# With the audit log off, and with it on, the fork answers ordinary tmux
# commands exactly as upstream tmux 3.5a does: the same commands, run the
# same way on the same socket against pristine upstream ($PRISTINE_BIN), the
# fork with the audit log off and the fork with it on give byte-identical
# output, error messages and exit statuses. The only differences allowed
# are the fork's own: its server options in show-options -s (audit-log*,
# with audit-log and audit-log-path as set and the other audit-log-*
# options it has, and server-access-owner-only) and show-audit in
# list-commands.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

[ -x "$PRISTINE_BIN" ] || skip "no pristine tmux at $PRISTINE_BIN"
# Window names from automatic-rename (and pane_current_command) depend on
# how soon the pane has run its command: names are fixed.
audit_conf "set -g automatic-rename off"
echo "set -g automatic-rename off" >"$TMP/plain.conf"

# Print a command, its output and error output, and its exit status.
step() {
	echo "\$ $*"
	"$@" 2>&1
	echo "[exit $?]"
}

# The tmux under test: binary $bin, config $conf, always the same socket.
tm() {
	"$bin" -L parity -f "$conf" "$@"
}

tm_version() {
	"$bin" -V
}

captured() {
	[ "$(tm capture-pane -p -t s2:0 | grep -c '^hello world$')" = 2 ]
}

ls_format='#{session_name} #{session_id} #{session_windows}'
ls_format="$ls_format #{session_width}x#{session_height} #{session_attached}"
lw_format='#{session_name}:#{window_index} #{window_id} #{window_name}'
lw_format="$lw_format #{window_width}x#{window_height} #{window_layout}"
lw_format="$lw_format #{window_panes} #{window_active}"
lp_format='#{pane_id} #{session_name}:#{window_index}.#{pane_index}'
lp_format="$lp_format #{pane_width}x#{pane_height} #{pane_left},#{pane_top}"
lp_format="$lp_format #{pane_active} #{pane_start_command} #{pane_dead}"
dm_format='#{version} #{session_name} #{window_name} #{pane_id} #{pane_index}'
dm_format="$dm_format #{window_zoomed_flag} #{?pane_active,active,inactive}"
dm_format="$dm_format #{=3:window_name} #{l:#{x}} #{e|+:1,2} #{socket_path}"

# Run the same commands with binary $1 and config $2; print what they say.
transcript() {
	bin=$1
	conf=$2
	step tm new-session -d -s s1 -x 100 -y 30 cat
	step tm new-window -d -t s1 -n w2 cat
	step tm split-window -d -t s1:w2 -h cat
	step tm split-window -d -t s1:w2.0 -v -l 5 cat
	step tm new-session -d -s s3 -x 50 -y 10 cat
	step tm list-sessions -F "$ls_format"
	step tm list-windows -a -F "$lw_format"
	step tm list-panes -a -F "$lp_format"
	step tm display-message -p -t s1:w2.1 "$dm_format"
	step tm set-option -g status-left 'L #S'
	step tm set-option -w -t s1:w2 automatic-rename off
	step tm set-option -t s1 base-index 3
	step tm show-options -g status-left
	step tm show-options -w -t s1:w2
	step tm show-options -t s1
	step tm set-option -g no-such-option x
	step tm show-options -g no-such-option
	step tm rename-session -t s1 s2
	step tm list-sessions -F '#{session_name}'
	step tm set-buffer -b b1 'buffer one'
	step tm set-buffer 'second buffer'
	step tm show-buffer -b b1
	step tm list-buffers -F '#{buffer_name} #{buffer_size} #{buffer_sample}'
	step tm send-keys -t s2:0 'hello world' Enter
	wait_for "the echo of send-keys" captured
	step tm capture-pane -p -t s2:0
	step tm kill-window -t s2:w2
	step tm list-windows -t s2 -F '#{window_index} #{window_name}'
	step tm has-session -t s2
	step tm has-session -t nosuch
	step tm select-window -t nosuch:9
	step tm kill-session -t s3
	step tm list-sessions -F '#{session_name} #{session_windows}'
	step tm list-keys
	step tm list-keys -T copy-mode-vi
	step tm show-options -g
	step tm show-options -gw
	step tm show-options -s
	step tm show-hooks -g
	step tm list-commands
	step tm_version
	pid=$(tm display -p '#{pid}')
	step tm kill-server
	wait_for "the $bin server to exit" gone "$pid"
}

# Split a transcript into what upstream must match ($1.common) and the
# lines that are the fork's own, with the command they came from ($1.own):
# its server options (audit-log*, server-access-owner-only) and show-audit.
split() {
	awk -v own="$1.own" '
	/^\$ / { cmd = $0 }
	(cmd ~ /show-options -s$/ &&
	    /^(audit-log|server-access-owner-only )/) ||
	    (cmd ~ /list-commands$/ && /^show-audit /) {
		print cmd ": " $0 >own
		next
	}
	{ print }' "$1" >"$1.common"
	[ -f "$1.own" ] || : >"$1.own"
}

transcript "$PRISTINE_BIN" "$TMP/plain.conf" >"$TMP/pristine"
transcript "$TMUX_BIN" "$TMP/plain.conf" >"$TMP/off"
transcript "$TMUX_BIN" "$CONF" >"$TMP/on"
for t in pristine off on; do
	split "$TMP/$t"
done

# The transcript has what it should: a failing command failed, the capture
# worked.
grep -qx 'invalid option: no-such-option' "$TMP/pristine.common" ||
    fail "no error in the pristine transcript"
grep -qx 'hello world' "$TMP/pristine.common" ||
    fail "no capture in the pristine transcript"

assert_eq "fork, audit-log off, vs upstream" \
    "$(cat "$TMP/pristine.common")" "$(cat "$TMP/off.common")"
assert_eq "fork, audit-log on, vs upstream" \
    "$(cat "$TMP/pristine.common")" "$(cat "$TMP/on.common")"

assert_eq "upstream's own lines" "" "$(cat "$TMP/pristine.own")"
# The fork's own lines: the audit-log options (exactly, where the two runs
# differ), its other server options, and show-audit.
assert_eq "the fork's own lines, audit-log off vs on" "\
-\$ tm show-options -s: audit-log off
+\$ tm show-options -s: audit-log on
-\$ tm show-options -s: audit-log-path \"\\\$XDG_STATE_HOME/tmux/audit\"
+\$ tm show-options -s: audit-log-path $LOG" \
    "$(diff "$TMP/off.own" "$TMP/on.own" | sed -n 's/^\([<>]\) /\1/p' |
    sed 's/^</-/; s/^>/+/')"
for t in off on; do
	grep -q '^\$ tm list-commands: show-audit ' "$TMP/$t.own" ||
	    fail "no show-audit in list-commands, audit-log $t"
	for o in audit-log-input audit-log-output audit-log-redact; do
		grep -qx "\\$ tm show-options -s: $o on" "$TMP/$t.own" ||
		    fail "no $o on in show-options -s, audit-log $t"
	done
done

# The audit-log on run did write a log, and logged these commands.
log_has 'r["type"] == "command" and r["command"] == "kill-window -t s2:w2"' ||
    fail "the audit-log on run did not log its commands"
exit 0
