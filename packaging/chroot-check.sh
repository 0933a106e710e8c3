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
# session's log verifies; the package is upgraded to the rebuild under a
# running server; it is removed and purged, leaving only the logs and the
# administrator's policy; Debian's tmux installs again; and replacing
# tmux-audit with tmux in one step shows what happens to /etc/shells.
#
# TMUX_V is what "tmux -V" must print, SHOW_AUDIT_V what "tmux show-audit
# -v" must, CHANGES_HEAD the first line of the CHANGES file the package
# was built with. One PASS or FAIL line per check, what was wrong indented
# below a FAIL; the host names the release and counts them.

set -u
DEB=$(ls /srv/debs/tmux-audit_*.deb)
UPGRADE=$(ls /srv/debs/upgrade/tmux-audit_*.deb)
LOGDIR=/home/alice/.local/state/tmux/audit
POLICY=/etc/tmux-audit.conf
DOC=/usr/share/doc/tmux-audit
EXAMPLE=$DOC/examples/tmux-audit.conf
WORDS=hello-from-the-chroot

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

# Run a shell command as the unprivileged user alice, with only the
# environment a login gives.
alice() {
	runuser -u alice -- env -i HOME=/home/alice USER=alice LOGNAME=alice \
	    SHELL=/bin/sh PATH=/usr/bin:/bin TERM=xterm LANG=C.UTF-8 \
	    sh -c "$1"
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

# Kill alice's default server and wait (up to 10 s) until the process is
# gone, so that the log has been sealed and closed.
stop_server() {
	_pid=$(alice 'tmux display -p "#{pid}"' 2>/dev/null) || return 0
	alice 'tmux kill-server' 2>/dev/null
	_i=0
	while [ -d "/proc/$_pid" ] && [ $_i -lt 100 ]; do
		case "$(sed 's/.*) //' "/proc/$_pid/stat" 2>/dev/null)" in
		Z*|X*|'')	break ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
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
    /usr/lib/tmpfiles.d/tmux.conf /usr/share/debianutils/shells.d/tmux-audit \
    $DOC/README.md $DOC/README $DOC/FORMAT.md $DOC/changelog \
    $DOC/README.Debian $DOC/NEWS.Debian $DOC/changelog.Debian $DOC/copyright \
    $EXAMPLE; do
	[ -f "$f" ] || [ -f "$f.gz" ] || missing="$missing $f"
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
i=0
until alice 'tmux capture-pane -p -t audited' | grep -qx "$WORDS"; do
	i=$((i + 1))
	if [ $i -ge 100 ]; then
		fail audited-session "no output in the pane after 10 s"
		break
	fi
	sleep 0.1
done
[ $i -lt 100 ] && pass audited-session
stop_server
verify verify-log
if alice "tmux show-audit -T -d $LOGDIR" 2>&1 | grep -q "echo $WORDS"; then
	pass log-has-typed-input
else
	fail log-has-typed-input "$(alice "tmux show-audit -T -d $LOGDIR" 2>&1)"
fi

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
# With no conffiles and no postrm, removing leaves nothing to purge.
if [ "$(status tmux-audit)" = config-files ]; then
	check purge apt purge tmux-audit
else
	pass "purge: nothing left to purge after remove"
fi
expect purged not-installed "$(status tmux-audit)"
# What apt pulled in for it only (libsodium23, ...) goes too.
check autoremove apt autoremove --purge
left=$(while read -r f; do
	[ -d "$f" ] && ! [ -L "$f" ] && continue
	[ -e "$f" ] || [ -L "$f" ] && echo "$f"
done </srv/files)
expect no-package-files-left "" "$left"
expect no-doc-dir-left "" "$(ls -d $DOC 2>/dev/null)"
snapshot >/srv/after
added=$(LC_ALL=C comm -13 /srv/before /srv/after | grep -v \
    -e "^$LOGDIR" -e '^/home/alice/\.local$' -e '^/home/alice/\.local/state$' \
    -e '^/home/alice/\.local/state/tmux$' -e "^$POLICY\$")
expect nothing-else-left "" "$added"
expect purge-keeps-logs yes \
    "$( [ -n "$(ls $LOGDIR 2>/dev/null)" ] && echo yes || echo no)"
expect purge-keeps-policy yes "$( [ -f $POLICY ] && echo yes || echo no)"
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
