# regress/lib-storage.sh: helpers for the tests of the log's storage
# failing under a running server (a full disk, a directory made unsafe or
# removed). Not a test. Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$REGRESS/lib-storage.sh"
#
# It adds:
#
#	storage_tmpfs SIZE	put the log on a tmpfs of its own: mount one of
#				SIZE (mount -o size=) at $FS, mode 0700, and
#				set LOG=$FS/log; skip unless root. At exit the
#				server is killed before the tmpfs is unmounted
#	storage_start [CMD]	start_main (lib.sh): session main, its pane
#				running CMD; wait for the server-start record;
#				$SEG is the segment file, which must be the
#				only one
#	attach_control		attach a control client to main, with -f
#				no-output, its input an open fifo so that it
#				stays; $CTL is its name
#	messages		the server's messages as show-messages -t $CTL
#				shows them, without their times
#	has_message TEXT	is TEXT one of them, the whole line?
#	message_matches RE	does one of them match the basic regular
#				expression RE (grep)?
#	fill_disk N		fill $FS with a file, $FS/filler, up to all but
#				N bytes of the space left

storage_tmpfs() {
	[ "$(id -u)" -eq 0 ] || skip "$TEST needs root to mount a tmpfs"
	FS=$TMP/fs
	mkdir "$FS" || fail "mkdir $FS"
	mount -t tmpfs -o size="$1" tmpfs "$FS" || skip "cannot mount a tmpfs"
	trap 'rc=$?; timeout 5 $T kill-server 2>/dev/null; umount -l "$FS";
	    cleanup; exit $rc' EXIT
	chmod 700 "$FS"
	LOG=$FS/log
}

storage_start() {
	start_main "$@"
	wait_for "server-start" log_has 'r["type"] == "server-start"'
	set -- "$LOG"/*.tmux-audit
	[ $# -eq 1 ] || fail "$# segment files, not 1"
	SEG=$1
}

attach_control() {
	mkfifo "$TMP/ctl" || fail "mkfifo failed"
	$T -C attach -f no-output -t main <>"$TMP/ctl" >"$TMP/ctl.out" 2>&1 &
	wait_for "the control client" control_named
}

# Is there a control client? Its name goes in $CTL.
control_named() {
	CTL=$($T lsc -F '#{?client_control_mode,#{client_name},}' |
	    grep .) && [ -n "$CTL" ]
}

messages() {
	$T show-messages -t "$CTL" | sed -n 's/^[0-9][0-9]:[0-9][0-9]: //p'
}

has_message() {
	messages | grep -Fqx -- "$1"
}

message_matches() {
	messages | grep -q -- "$1"
}

fill_disk() {
	python3 -c '
import os, sys
st = os.statvfs(sys.argv[1])
with open(sys.argv[1] + "/filler", "wb") as f:
    f.write(b"\0" * (st.f_bavail * st.f_frsize - int(sys.argv[2])))' \
	    "$FS" "$1" || fail "cannot write the filler"
}
