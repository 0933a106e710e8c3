# regress/lib-policy.sh: the root-owned system policy, /etc/tmux-audit.conf,
# for one test. Not a test. The policy is for every tmux on the host, so a
# test that writes it runs in a mount namespace of its own with an overlay
# on /etc, where other servers cannot see the file (if that cannot be had,
# it writes the real file). Either way the file is removed at exit, and if
# one exists already the test does not run. Use:
#
#	. "$(dirname "$0")/lib-policy.sh"	before lib.sh: re-runs the
#						test in its own namespace
#	. "$(dirname "$0")/lib.sh"
#	policy_setup				after lib.sh
#	write_policy MODE LINE...		write $POLICY with these lines

POLICY=/etc/tmux-audit.conf
if [ -z "${POLICY_NAMESPACE:-}" ] && [ "$(id -u)" -eq 0 ] &&
    [ ! -e "$POLICY" ] && unshare -m --propagation private true 2>/dev/null
then
	POLICY_NAMESPACE=1 exec unshare -m --propagation private sh "$0" "$@"
fi

policy_setup() {
	[ "$(id -u)" -eq 0 ] || skip "$TEST needs root to write $POLICY"
	[ -e "$POLICY" ] && skip "$POLICY exists already: not touching it"
	trap 'rc=$?; rm -f "$POLICY"; cleanup; exit $rc' EXIT
	[ -n "${POLICY_NAMESPACE:-}" ] || return 0
	mkdir "$TMP/etc-upper" "$TMP/etc-work" || fail "mkdir failed"
	if mount -t overlay overlay -o "lowerdir=/etc,upperdir=$TMP/etc-upper,\
workdir=$TMP/etc-work" /etc 2>/dev/null &&
	    grep -q "upperdir=$TMP/etc-upper" /proc/1/mountinfo; then
		umount -l /etc
		fail "the overlay on /etc is not private to this test"
	fi
}

write_policy() {
	_mode=$1
	shift
	rm -f "$POLICY"
	printf '%s\n' "$@" >"$POLICY" || fail "cannot write $POLICY"
	chown root:root "$POLICY" && chmod "$_mode" "$POLICY" ||
	    fail "cannot chmod $POLICY"
}
