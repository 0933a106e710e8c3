# regress/lib-users.sh: a server other users can reach, and clients run as
# those users. Not a test. Source it after lib.sh:
#
#	. "$REGRESS/lib-users.sh"
#	need_users			skip unless root with useradd and setpriv
#	make_user NAME			the user NAME, made (and removed at exit)
#					if missing; its uid in $USER_UID
#	pub_server ARGS...		start a server on $PUB/sock (a directory
#					others can reach and not write) with
#					$CONF, run "new ARGS", and let everyone
#					connect to the socket; $S runs the owner's
#					client on it
#	as_user NAME CMD...		run CMD as NAME, with a minimal environment
#	attach_as NAME OUTER [ARGS]	attach a real client as NAME (or "root")
#					to the pub server through a pty: the only
#					pane of an outer tmux on socket OUTER;
#					ARGS go to attach-session. Waits for it
#					to attach and leaves its pid in $PTY_PID
#	commands_of UID FIELD...	the command records of $TMP/log.json
#					(log_json) run by uid UID, one a line:
#					their FIELDs, "-" for one absent
#
# Other users cannot be trusted to reach the checkout (it may sit under a
# private directory): they run $USER_BIN, a copy of tmux they can reach
# (user_tmux in lib.sh).

need_users() {
	[ "$(id -u)" -eq 0 ] || skip "not root: no other users for this test"
	command -v useradd >/dev/null 2>&1 || skip "useradd is not installed"
	command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"
	USER_BIN=$(user_tmux guests) || fail "cannot copy tmux for other users"
	PUB=$TMP/pub
	mkdir -m 0755 "$PUB" || fail "mkdir $PUB failed"
	MADE_USERS=
	trap 'rc=$?; pub_cleanup; cleanup; exit $rc' EXIT
}

make_user() {
	if ! id "$1" >/dev/null 2>&1; then
		useradd -M -d /nonexistent -s /bin/sh "$1" ||
		    fail "useradd $1 failed"
		MADE_USERS="$MADE_USERS $1"
	fi
	USER_UID=$(id -u "$1")
}

pub_cleanup() {
	if [ -S "$PUB/sock" ]; then
		timeout 5 "$TMUX_BIN" -S "$PUB/sock" kill-server \
		    >/dev/null 2>&1
	fi
	for _u in $MADE_USERS; do
		userdel "$_u" 2>/dev/null
	done
}

pub_server() {
	S="$TMUX_BIN -S $PUB/sock"
	$S -f "$CONF" new "$@" || fail "new-session on $PUB/sock failed"
	chmod 0777 "$PUB/sock" || fail "chmod $PUB/sock failed"
	PUB_PID=$($S display -p '#{pid}')
	SERVER_PIDS="${SERVER_PIDS:-} $PUB_PID"
}

as_user() {
	_u=$1
	shift
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups \
	    env -i PATH=/usr/bin:/bin HOME=/ TMUX_TMPDIR=/nonexistent \
	    LC_ALL=C.UTF-8 TERM=xterm-256color "$@"
}

# The command line that runs tmux as user $1 (root: the owner).
user_cmd() {
	if [ "$1" = root ]; then
		echo "env -u TMUX TERM=$TERM LC_ALL=$LC_ALL $TMUX_BIN -S $PUB/sock"
	else
		echo "setpriv --reuid=$1 --regid=$(id -g "$1") --init-groups \
env -i PATH=/usr/bin:/bin HOME=/ TMUX_TMPDIR=/nonexistent LC_ALL=$LC_ALL \
TERM=$TERM $USER_BIN -S $PUB/sock"
	fi
}

attach_as() {
	_who=$1
	_outer=$2
	shift 2
	_n=$($S lsc 2>/dev/null | wc -l)
	"$TMUX_BIN" -L "$_outer" -f /dev/null new -d -x 80 -y 24 \
	    "exec $(user_cmd "$_who") attach $*" ||
	    fail "outer tmux for $_who failed"
	PTY_PID=$("$TMUX_BIN" -L "$_outer" display -p '#{pane_pid}')
	wait_for "$_who's client to attach" sh -c \
	    "[ \$($S lsc 2>/dev/null | wc -l) -gt $_n ]"
}

commands_of() {
	python3 - "$TMP/log.json" "$@" <<'EOF'
import json, sys
uid = int(sys.argv[2])
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "command" and r.get("uid") == uid:
        print(*(r.get(k, "-") for k in sys.argv[3:]))
EOF
}
