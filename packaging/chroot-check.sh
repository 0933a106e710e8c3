#!/bin/sh
#
# packaging/chroot-check.sh: test the tmux-audit package in a clean minimal
# chroot of one Debian release. ./build.sh check-deb copies it in, with the
# package in /srv/debs and its +b1 rebuild in /srv/debs/upgrade, and runs
# it as root with network (apt fetches Debian's tmux and the
# dependencies).
#
# In order: Debian's tmux is installed; tmux-audit is installed over it
# with apt, which resolves its dependencies; the files, versions and
# /etc/shells are checked; an unprivileged user's server logs nothing
# until the administrator installs the example policy, then an audited
# session's log verifies; the collector, started as its systemd units
# would start it, keeps another user's audited session where that user
# cannot touch it, and an auditor verifies it with the collector's key;
# the package is upgraded to the rebuild under a running server; it is
# removed and purged, leaving only the logs, the collector's public key
# and the administrator's policy; Debian's tmux installs again; and
# replacing tmux-audit with tmux in one step shows what happens to
# /etc/shells.
#
# TMUX_V is what "tmux -V" must print, SHOW_AUDIT_V what "tmux show-audit
# -v" must, CHANGES_HEAD the first line of the CHANGES file the package
# was built with; AUDITD_MAN8 is 1 if the source has tmux-auditd's man
# page; PLAYER_V what the player's VERSION file must say, empty if the
# package was made without the player. One PASS or FAIL line per check, what was wrong indented below a
# FAIL; the host names the release and counts them.

set -u
DEB=$(ls /srv/debs/tmux-audit_*.deb)
UPGRADE=$(ls /srv/debs/upgrade/tmux-audit_*.deb)
LOGDIR=/home/alice/.local/state/tmux/audit
POLICY=/etc/tmux-audit.conf
DOC=/usr/share/doc/tmux-audit
EXAMPLE=$DOC/examples/tmux-audit.conf
WORDS=hello-from-the-chroot
STORE=/var/log/tmux-audit
CKEY=/var/lib/tmux-audit/collector.key
CLOG=/srv/auditd.log
CPID=

pass() {
	echo "PASS $*"
}

# fail NAME [DETAIL ...]
fail() {
	echo "FAIL $1"
	shift
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/    /'
	done
}

# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $2" "got: $3"
	fi
}

# check NAME COMMAND [ARG ...]: passes if the command succeeds.
check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		pass "$_name"
	else
		fail "$_name" "$*: exit status $?" "$_out"
	fi
}

# apt-get, quietly; its output is shown if it fails.
apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 \
	    "$@" >/srv/apt.log 2>&1 && return 0
	cat /srv/apt.log
	return 1
}

# Run shell command $2 as user $1, with only the environment a login
# gives.
as_user() {
	runuser -u "$1" -- env -i HOME="/home/$1" USER="$1" LOGNAME="$1" \
	    SHELL=/bin/sh PATH=/usr/bin:/bin TERM=xterm LANG=C.UTF-8 \
	    sh -c "$2"
}

alice() {
	as_user alice "$1"
}

status() {
	dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null ||
	    echo not-installed
}

in_shells() {
	grep -cx /usr/bin/tmux /etc/shells
}

# Every path outside the package manager's and the kernel's own places.
snapshot() {
	find / -xdev \( -path /proc -o -path /dev -o -path /sys -o \
	    -path /run -o -path /tmp -o -path /var/tmp -o -path /var/cache -o \
	    -path /var/log -o -path /var/lib/apt -o -path /var/lib/dpkg -o \
	    -path /srv -o -path /root \) -prune -o -print | LC_ALL=C sort
}

# Wait (up to 10 s) until process $1 is gone.
gone() {
	_i=0
	while [ -d "/proc/$1" ] && [ $_i -lt 100 ]; do
		case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" in
		Z*|X*|'')	break ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
	done
}

# Kill user $1's (alice's) default server and wait until the process is
# gone, so that the log has been sealed and closed.
stop_server() {
	_pid=$(as_user "${1:-alice}" 'tmux display -p "#{pid}"' 2>/dev/null) ||
	    return 0
	as_user "${1:-alice}" 'tmux kill-server' 2>/dev/null
	gone "$_pid"
}

# Check $4: within 10 s, user $1's pane $2 shows the line $3.
wait_line() {
	_i=0
	until as_user "$1" "tmux capture-pane -p -t $2" | grep -qxF -- "$3"
	do
		_i=$((_i + 1))
		if [ $_i -ge 100 ]; then
			fail "$4" "no output in the pane after 10 s"
			return 1
		fi
		sleep 0.1
	done
	pass "$4"
}

# Print setting $2 of the installed unit $1 (tmux-auditd.service, ...).
unit_setting() {
	sed -n "s/^$2=//p" "$(dpkg -L tmux-audit | grep "/systemd/system/$1\$")"
}

# Start the collector as its units would, with no systemd: the socket
# made by root where tmux-auditd.socket says, with its mode, and passed as
# fd 3 with LISTEN_FDS and LISTEN_PID; tmux-auditd.service's command run
# as its user with no capability but CAP_LINUX_IMMUTABLE, ambient, and no
# new privileges. Its stderr (-f) goes to $CLOG.
collector_start() {
	rm -f $CLOG
	_sock=$(unit_setting tmux-auditd.socket ListenStream)
	install -d -m "$(unit_setting tmux-auditd.socket DirectoryMode)" \
	    "${_sock%/*}"
	# (Descriptors above $^F are made close-on-exec: not the socket if it
	# is 3 already.)
	perl -MSocket -MPOSIX -e '
		$^F = 3;
		my ($path, $mode, @cmd) = @ARGV;
		socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
		unlink $path;
		bind($s, pack_sockaddr_un($path)) or die "bind: $!";
		chmod(oct($mode), $path) or die "chmod: $!";
		listen($s, 128) or die "listen: $!";
		POSIX::dup2(fileno($s), 3) or die "dup2: $!";
		$ENV{LISTEN_FDS} = 1;
		$ENV{LISTEN_PID} = $$;
		exec @cmd or die "exec: $!";' \
	    "$_sock" "$(unit_setting tmux-auditd.socket SocketMode)" \
	    setpriv --reuid="$(unit_setting tmux-auditd.service User)" \
	    --regid="$(unit_setting tmux-auditd.service Group)" \
	    --init-groups --no-new-privs \
	    --bounding-set=-all,+linux_immutable \
	    --inh-caps=-all,+linux_immutable \
	    --ambient-caps=-all,+linux_immutable \
	    -- $(unit_setting tmux-auditd.service ExecStart) >>$CLOG 2>&1 &
	CPID=$!
	_i=0
	until grep -qs 'storing in' $CLOG; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ] || ! [ -d /proc/$CPID ]; then
			return 1
		fi
		sleep 0.1
	done
}

# Wait (up to 10 s) for a line with the text $1 in the collector's log.
collector_says() {
	_i=0
	until grep -qF -- "$1" $CLOG; do
		_i=$((_i + 1))
		[ $_i -ge 100 ] && return 1
		sleep 0.1
	done
}

# verify NAME: show-audit -V on alice's log directory must find every
# file consistent and closed. With no host key (-k) that is the best it
# can say, and it exits 2, not 0: nothing ties the keys to anyone.
verify() {
	_out=$(alice "tmux show-audit -V -d $LOGDIR" 2>&1)
	_rc=$?
	_re='^/[^:]*: consistent: .*, closed, unanchored (no host key)$'
	if [ $_rc -eq 2 ] && echo "$_out" | grep -q "$_re" &&
	    ! echo "$_out" | grep -qv "$_re"; then
		pass "$1: $(echo "$_out" | wc -l) file(s) consistent"
	else
		fail "$1" "tmux show-audit -V: exit status $_rc" "$_out"
	fi
}

if ! apt update; then
	fail setup "apt-get update failed"
	exit 0
fi
useradd -m -s /bin/sh alice
useradd -m -s /bin/sh bob
useradd -m -s /bin/sh -G adm auditor
echo "set -g status-left 'conf-kept'" >/home/alice/.tmux.conf
chown alice:alice /home/alice/.tmux.conf

# Debian's tmux, as on the machines the package is for.
if apt install tmux; then
	dversion=$(dpkg-query -W -f '${Version}' tmux)
	expect "debian-tmux ($dversion)" "tmux ${dversion%-*}" "$(tmux -V)"
else
	fail debian-tmux "apt-get install tmux failed"
fi
expect debian-tmux-in-shells 1 "$(in_shells)"
snapshot >/srv/before
old=$(alice 'tmux -L old new -d -s old && tmux -L old display -p "#{pid}"')

# Installed over it, dependencies from the archive.
if apt install "$DEB"; then
	pass "install-over-tmux: $(dpkg-query -W tmux-audit | tr '\t' ' ')"
else
	fail install-over-tmux "apt-get install $DEB failed"
fi
expect tmux-replaced "installed, tmux not installed" \
    "$(status tmux-audit), tmux $( [ "$(status tmux)" = installed ] ||
    echo not) installed"
# A server of Debian's tmux goes on running, and is reached the way
# NEWS.Debian says: through its own binary, /proc/PID/exe.
expect old-server-still-running "tmux: server (deleted)" \
    "$(cat /proc/$old/comm 2>&1) $(readlink /proc/$old/exe | sed 's/.* //')"
check old-client-stops-old-server alice "/proc/$old/exe -L old kill-server"
expect tmux-version "$TMUX_V" "$(tmux -V)"
expect show-audit-version "$SHOW_AUDIT_V" "$(tmux show-audit -v 2>&1)"
expect shells-after-install 1 "$(in_shells)"
# (Documents are compressed when they are large enough: either will do.)
missing=
for f in /usr/bin/tmux /usr/share/man/man1/tmux.1.gz \
    /usr/share/man/man7/tmux-audit.7.gz /usr/bin/tmux-auditd \
    $( [ "${AUDITD_MAN8:-0}" = 1 ] && echo /usr/share/man/man8/tmux-auditd.8.gz) \
    /usr/lib/tmpfiles.d/tmux.conf /usr/share/debianutils/shells.d/tmux-audit \
    $DOC/README.md $DOC/README $DOC/FORMAT.md $DOC/changelog \
    $DOC/README.Debian $DOC/NEWS.Debian $DOC/changelog.Debian $DOC/copyright \
    $EXAMPLE; do
	[ -f "$f" ] || [ -f "$f.gz" ] || missing="$missing $f"
done
for u in tmux-auditd.service tmux-auditd.socket; do
	dpkg -L tmux-audit | grep -q "^/.*/systemd/system/$u\$" ||
	    missing="$missing $u"
done
expect package-files "" "$missing"
expect changelog-is-tmux-audit-changes "$CHANGES_HEAD" \
    "$(zcat -f $DOC/changelog.gz $DOC/changelog 2>/dev/null | head -n 1)"
check man-page-has-audit-log sh -c \
    "zcat /usr/share/man/man1/tmux.1.gz | grep -q '^\.Sh AUDIT LOG'"
expect tmpfiles-rule 'x /tmp/tmux-*' "$(cat /usr/lib/tmpfiles.d/tmux.conf)"
check news-says-restart sh -c "zcat $DOC/NEWS.Debian.gz | grep -q kill-server"
expect no-policy-installed "" "$(ls $POLICY 2>/dev/null)"

# A user's server: their tmux.conf is read, and nothing is logged.
got=$(alice 'tmux -L plain new -d -s plain &&
    tmux -L plain show -sv audit-log && tmux -L plain show -gv status-left;
    tmux -L plain kill-server' 2>&1)
expect off-by-default-and-user-config-read "off
conf-kept" "$got"
expect no-log-by-default "" "$(ls -d $LOGDIR 2>/dev/null)"

# The administrator opts in with the example policy.
install -m 644 -o root -g root $EXAMPLE $POLICY
expect policy-turns-log-on on \
    "$(alice 'tmux new -d -s audited -x 80 -y 24 &&
    tmux show -sv audit-log' 2>&1)"
if got=$(alice 'tmux set -s audit-log off' 2>&1); then
	fail policy-locks "set -s audit-log off was allowed"
else
	case $got in
	*locked*)	pass "policy-locks: $got" ;;
	*)		fail policy-locks "$got" ;;
	esac
fi
alice "tmux send-keys -t audited 'echo $WORDS' Enter"
wait_line alice audited "$WORDS" audited-session
# The package's /etc/profile.d/tmux-audit.sh: a bash login shell in a pane
# of this auditing server prints the shell's marks, so a command line that
# fails is recorded from the shell (source "shell") with its exit status.
# (bash may leave alice a .bash_history: hers, not the package's.)
alice 'tmux new -d -s marks -x 80 -y 24 "bash -l"'
_i=0
until alice 'tmux capture-pane -p -t marks' | grep -q '\$$'; do
	_i=$((_i + 1))
	[ $_i -ge 100 ] && break
	sleep 0.1
done
alice "tmux send-keys -t marks 'false' Enter"
_i=0
until alice 'tmux show-audit -H' 2>/dev/null | grep -q ' shell: false$'; do
	_i=$((_i + 1))
	[ $_i -ge 100 ] && break
	sleep 0.1
done
expect bash-marks-from-profile "1 shell: false" \
    "$(alice 'tmux show-audit -H' 2>&1 |
    sed -n 's/.* \([0-9-]*\) [^ ]* \(shell: false\)$/\1 \2/p')"
stop_server
verify verify-log
# The HTML report of that log, with the package's player in it (or, made
# without one, saying so).
PLAYER_DIR=/usr/share/tmux-audit/player
alice "tmux show-audit -e html -d $LOGDIR -O /tmp/report.html" >/tmp/html.out 2>&1
expect html-report-exit "2 " "$? $(cat /tmp/html.out)"
if [ -n "${PLAYER_V:-}" ]; then
	expect player-installed "$PLAYER_V
LICENSE VERSION asciinema-player.css asciinema-player.min.js" \
	    "$(cat $PLAYER_DIR/VERSION)
$(ls $PLAYER_DIR | tr '\n' ' ' | sed 's/ $//')"
	expect html-report-has-player 1 \
	    "$(grep -c '{"format":1,"player":true,' /tmp/report.html)"
else
	expect html-report-has-no-player 1 \
	    "$(grep -c '{"format":1,"player":false,' /tmp/report.html)"
fi
if alice "tmux show-audit -T -d $LOGDIR" 2>&1 | grep -q "echo $WORDS"; then
	pass log-has-typed-input
else
	fail log-has-typed-input "$(alice "tmux show-audit -T -d $LOGDIR" 2>&1)"
fi

# The collector. The package made its user and directories; with no
# systemd here it is started as its units would start it. bob's server
# sends it his log (the example policy's collector line, uncommented), and
# auditor, in the group adm, verifies what it stored with its key.
expect collector-user "tmux-audit:/var/lib/tmux-audit:/usr/sbin/nologin:system" \
    "$(getent passwd tmux-audit | cut -d: -f1,6,7):$(
    [ "$(id -u tmux-audit)" -lt 1000 ] && echo system)"
expect collector-dirs "2750 tmux-audit adm $STORE
755 tmux-audit tmux-audit ${CKEY%/*}" "$(stat -c '%a %U %G %n' $STORE ${CKEY%/*})"
# Enabled, as dh_installsystemd does it: the socket, which starts the
# service on the first connection.
unit=$(dpkg -L tmux-audit | grep '/systemd/system/tmux-auditd\.socket$')
expect collector-socket-enabled "$(readlink -f "${unit:-/no-socket-unit}")" \
    "$(readlink -f /etc/systemd/system/sockets.target.wants/tmux-auditd.socket)"
if collector_start; then
	pass "collector-starts: $(grep 'storing in' $CLOG)"
else
	fail collector-starts "$(cat $CLOG)"
fi
# CAP_LINUX_IMMUTABLE is bit 9.
expect collector-capabilities \
    "tmux-audit CapEff: 0000000000000200 CapBnd: 0000000000000200 NoNewPrivs: 1" \
    "$(stat -c %U /proc/$CPID) $(grep -E '^(CapEff|CapBnd|NoNewPrivs):' \
    /proc/$CPID/status | tr -s '\t\n' '  ' | sed 's/ $//')"
sed 's/^#\(set -s audit-log-collector \)/\1/' $EXAMPLE >$POLICY
expect collector-in-policy /run/tmux-audit/collector.sock \
    "$(as_user bob 'tmux new -d -s collected -x 80 -y 24 &&
    tmux show -sv audit-log-collector' 2>&1)"
bobpid=$(as_user bob 'tmux display -p "#{pid}"')
bobuid=$(id -u bob)
as_user bob "tmux send-keys -t collected 'echo collected-\$((6*7))' Enter"
wait_line bob collected collected-42 collected-session
stop_server bob
if collector_says "server pid $bobpid uid $bobuid (bob): segment 1 complete"
then
	pass collector-segment-complete
else
	fail collector-segment-complete "$(cat $CLOG)"
fi
seg=$(ls $STORE/bob/*_000001.tmux-audit 2>/dev/null)
expect collector-stored "${seg##*/}
${seg##*/}-cseal" "$(ls $STORE/bob 2>&1)"
expect collector-modes "2750 tmux-audit adm $STORE/bob
440 tmux-audit adm $seg
440 tmux-audit adm $seg-cseal" "$(stat -c '%a %U %G %n' $STORE/bob $seg $seg-cseal)"
expect nothing-in-bobs-home "" "$(ls -d /home/bob/.local 2>/dev/null)"
# What auditor must see: every record, seal and seq, from show-audit -J.
json=$(as_user auditor "tmux show-audit -J -d $STORE/bob" 2>&1)
n=$(($(printf '%s\n' "$json" | wc -l) - 1))	# not the segment record
seals=$(printf '%s\n' "$json" | grep -c '"type":"seal"')
last=$(printf '%s\n' "$json" | tail -n 1 | sed 's/.*"seq":\([0-9]*\).*/\1/')
fp=$(sed -n 's/.*public key \(.*\) (.*/\1/p' $CKEY.pub)
want="$seg: intact: $n records, $seals seals, sealed through seq $last, \
closed, unanchored (no host key), collected (collector key $fp)
0"
got=$(as_user auditor "tmux show-audit -V -c $CKEY.pub -d $STORE/bob" 2>&1)
rc=$?
if [ "$got
$rc" = "$want" ]; then
	pass "collector-log-verifies: ${got#$STORE/}"
else
	expect collector-log-verifies "$want" "$got
$rc"
fi
if printf '%s\n' "$json" | grep -q '"type":"output".*collected-42'; then
	pass collector-log-has-output
else
	fail collector-log-has-output "$json"
fi
# bob can do nothing to his stored log, not even read it.
could=
for what in "cat $seg" "rm -f $seg" "truncate -s 0 $seg" "mv $seg $seg.x" \
    "touch $STORE/bob/new" "echo x >>$seg" "ls $STORE/bob" "rm -rf $STORE/bob" \
    "chmod 666 $seg"; do
	as_user bob "$what" 2>/dev/null && could="$could
$what"
done
expect bob-cannot-touch-stored-log "" "$could"
# Nor root, by accident: the files are immutable, unless the file system
# has no such flag and the collector said so.
if grep -q 'cannot make files append-only' $CLOG; then
	pass "collector-immutable: not here: $(grep 'append-only' $CLOG)"
elif sh -c "echo x >>$seg" 2>/dev/null || rm -f "$seg" 2>/dev/null ||
    ! [ -f "$seg" ]; then
	fail collector-immutable "root changed or removed $seg"
else
	pass collector-immutable
fi
got=$(as_user auditor "tmux show-audit -V -c $CKEY.pub -d $STORE/bob" 2>&1)
expect collector-log-verifies-after-attempts "$want" "$got
$?"
kill $CPID
wait $CPID
rc=$?
expect collector-stops "0 tmux-auditd: stopping" "$rc $(grep -F stopping $CLOG)"
install -m 644 -o root -g root $EXAMPLE $POLICY

# Upgrade to the rebuild under a running audited server.
alice 'tmux new -d -s kept-across-upgrade'
if apt install "$UPGRADE"; then
	expect upgrade "$(dpkg-deb -f "$UPGRADE" Version)" \
	    "$(dpkg-query -W -f '${Version}' tmux-audit)"
else
	fail upgrade "apt-get install $UPGRADE failed"
fi
got=$(alice 'tmux ls' 2>&1)
case $got in
kept-across-upgrade:*)	pass server-survives-upgrade ;;
*)			fail server-survives-upgrade "$got" ;;
esac
expect shells-after-upgrade 1 "$(in_shells)"
check policy-kept-on-upgrade cmp $EXAMPLE $POLICY
stop_server
verify verify-after-upgrade

# Remove and purge: nothing of the package stays, only the logs and the
# policy the administrator made.
dpkg -L tmux-audit >/srv/files
check remove apt remove tmux-audit
expect shells-after-remove 0 "$(in_shells)"
# Removing leaves /etc/profile.d/tmux-audit.sh, a conffile, to purge.
if [ "$(status tmux-audit)" = config-files ]; then
	check purge apt purge tmux-audit
else
	pass "purge: nothing left to purge after remove"
fi
expect purged not-installed "$(status tmux-audit)"
# What apt pulled in for it only (libsodium23, ...) goes too.
check autoremove apt autoremove --purge
# (Directories stay if anything else has files in them; on Debian 12 the
# package lists /lib, which is a link to /usr/lib there.)
left=$(while read -r f; do
	[ -d "$f" ] && { ! [ -L "$f" ] ||
	    [ "$(readlink -f "$f")" = "/usr$f" ]; } && continue
	[ -e "$f" ] || [ -L "$f" ] && echo "$f"
done </srv/files)
expect no-package-files-left "" "$left"
expect no-doc-dir-left "" "$(ls -d $DOC 2>/dev/null)"
snapshot >/srv/after
# Files of packages still installed are not left by ours: apt keeps a
# dependency it pulled in while another package can use it (on Debian 13,
# adduser: apt depends on "base-passwd (>= 3.6.1) | adduser").
dpkg-query -W -f '${binary:Package}\n' | xargs dpkg-query -L 2>/dev/null |
    LC_ALL=C sort -u >/srv/owned
oldpub=${CKEY%/*}/collector-$(echo "$fp" | tr -d ' ').pub
added=$(LC_ALL=C comm -13 /srv/before /srv/after |
    LC_ALL=C comm -23 - /srv/owned | grep -v \
    -e "^$LOGDIR" -e '^/home/alice/\.local$' -e '^/home/alice/\.local/state$' \
    -e '^/home/alice/\.local/state/tmux$' -e "^$POLICY\$" \
    -e "^${CKEY%/*}\$" -e "^$oldpub\$" -e '^/home/alice/\.bash_history$')
expect nothing-else-left "" "$added"
expect purge-keeps-logs yes \
    "$( [ -n "$(ls $LOGDIR 2>/dev/null)" ] && echo yes || echo no)"
expect purge-keeps-policy yes "$( [ -f $POLICY ] && echo yes || echo no)"
# The collected logs stay, and the collector's public key, under a name
# with its fingerprint; the secret key goes.
expect purge-keeps-collected-logs "${seg##*/}
${seg##*/}-cseal" "$(ls $STORE/bob 2>&1)"
expect purge-removes-collector-key "$oldpub" "$(ls -d ${CKEY%/*}/* 2>&1)"
rm -f $POLICY

# Debian's tmux comes back.
if apt install tmux; then
	expect debian-tmux-again "tmux ${dversion%-*}" "$(tmux -V)"
else
	fail debian-tmux-again "apt-get install tmux failed"
fi
if got=$(tmux show-audit -v 2>&1); then
	fail upstream-has-no-show-audit "$got"
else
	pass upstream-has-no-show-audit
fi
# Debian 13's tmux lists itself in shells.d, and is back in /etc/shells.
# Debian 12's adds itself with add-shell only when it is installed for
# the first time, and replacing it by tmux-audit left it in the
# config-files state: it is not a first install, and add-shell is needed.
if dpkg -L tmux | grep -q '/shells\.d/'; then
	expect shells-debian-tmux-again 1 "$(in_shells)"
else
	expect debian-12-tmux-reinstalled-not-in-shells 0 "$(in_shells)"
	add-shell /usr/bin/tmux
	expect add-shell-puts-it-back 1 "$(in_shells)"
fi

# /etc/shells when tmux-audit is replaced by tmux in one step, with no
# state left of the earlier tmux: debianutils' trigger runs after tmux's
# postinst. A tmux that adds itself with add-shell (Debian 12's) is taken
# out again; one with a shells.d file (Debian 13's) stays.
if apt install "$DEB"; then
	expect reinstall-over-tmux 1 "$(in_shells)"
else
	fail reinstall-over-tmux "apt-get install $DEB failed"
fi
# What the collector kept before the purge still verifies with the key
# that was kept, and a new collector makes a key of its own beside it.
got=$(as_user auditor "tmux show-audit -V -c $oldpub -d $STORE/bob" 2>&1)
expect collected-log-verifies-after-purge "$want" "$got
$?"
if collector_start && [ -f $CKEY.pub ] &&
    [ "$(sed -n 's/.*public key \(.*\) (.*/\1/p' $CKEY.pub)" != "$fp" ]; then
	pass "collector-new-key-after-purge: $(ls ${CKEY%/*} | tr '\n' ' ')"
else
	fail collector-new-key-after-purge "$(ls -l ${CKEY%/*})" "$(cat $CLOG)"
fi
kill $CPID 2>/dev/null
wait $CPID
check purge-old-tmux-state dpkg --purge tmux
if apt install tmux; then
	pass "swap-back: tmux $(status tmux), tmux-audit $(status tmux-audit)"
else
	fail swap-back "apt-get install tmux failed"
fi
if dpkg -L tmux | grep -q '/shells\.d/'; then
	expect swap-back-keeps-tmux-in-shells 1 "$(in_shells)"
else
	expect swap-back-drops-tmux-from-shells 0 "$(in_shells)"
	add-shell /usr/bin/tmux
	expect add-shell-puts-it-back-after-swap 1 "$(in_shells)"
fi
exit 0
