#!/bin/sh

# The kernel's view of each command line shows who runs it: a user's bash
# in a pane (the server is root's), id -u, then sudo -i into a root shell
# (sudo allowed without a password for this user) and id -u and exit
# there, then id -u again. Each command-line record's kernel_uid is the
# effective uid of the terminal's foreground process when the line was
# submitted: the user's for the lines typed to bash (sudo -i included),
# 0 for those typed in the root shell, where kernel_argv is sudo's (sudo
# keeps the pane's terminal and runs the shell on a pty of its own, with
# use_pty) or the root shell's. A process record shows the foreground
# becoming sudo -i, as root, and coming back to bash, which ends sudo -i.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-users.sh"

need_users
command -v sudo >/dev/null 2>&1 || skip "sudo is not installed"
U=tmuxauditsu
make_user "$U"
uid=$USER_UID
SUDOERS=/etc/sudoers.d/tmux-audit-regress-$$
trap 'rc=$?; rm -f "$SUDOERS"; pub_cleanup; cleanup; exit $rc' EXIT
echo "$U ALL=(root) NOPASSWD: ALL" >"$SUDOERS" && chmod 0440 "$SUDOERS" ||
    fail "cannot write $SUDOERS"
chmod 0711 "$TMP" || fail "chmod $TMP"

# Is the cursor after a prompt ending in "# " (root's, whatever it is)?
at_root_prompt() {
	_ap=$($T display -p -t %0 '#{cursor_x} #{cursor_y}') || return 1
	_line=$($T capture-pane -p -t %0 -S "${_ap#* }" -E "${_ap#* }")
	case "$_line" in
	*'#')	[ "${_ap% *}" -eq $(($(printf '%s' "$_line" | wc -m) + 1)) ] ;;
	*)	return 1 ;;
	esac
}

audit_conf
run_pid $T new -d -s main -x 80 -y 24 \
    "setpriv --reuid=$U --regid=$(id -g "$U") --init-groups \
    env -i PATH=/usr/bin:/bin HOME=/ TERM=$TERM PS1='\$ ' \
    bash --norc --noprofile -i" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
attach_pty main
wait_prompt %0 '$ '
type_line 1 %0 '$ ' '=id -u' Enter
type_text 'sudo -i'
type_keys Enter
wait_for "command line 2" commands_logged 2
wait_for "root's prompt" at_root_prompt
type_text 'id -u'
type_keys Enter
wait_for "command line 3" commands_logged 3
wait_for "root's prompt" at_root_prompt
type_line 4 %0 '$ ' '=exit' Enter
type_line 5 %0 '$ ' '=id -u' Enter
sleep 0.3

$T show-audit -H -J >"$TMP/H.json" || fail "show-audit -H -J failed"
$T show-audit -J -Y process >"$TMP/process.json" ||
    fail "show-audit -Y process failed"
python3 - "$TMP/H.json" "$TMP/process.json" "$uid" <<'EOF' || fail "see above"
import sys
from capture import *
uid = int(sys.argv[3])
H = load(sys.argv[1])
got = [(r["text"], r.get("kernel_uid")) for r in H]
check("lines and kernel uids %r" % got, got == [("id -u", uid),
    ("sudo -i", uid), ("id -u", 0), ("exit", 0), ("id -u", uid)])
for r in H[:2] + H[4:]:
    check("%r: kernel_argv %r" % (r["text"], r.get("kernel_argv")),
        r.get("kernel_argv", [""])[0] == "bash")
for r in H[2:4]:
    check("%r: kernel_argv %r" % (r["text"], r.get("kernel_argv")),
        r.get("kernel_argv") == ["sudo", "-i"] or
        r.get("kernel_argv", [""])[0] == "-bash")
check("sudo -i ended by the kernel: %r" % H[1].get("end_source"),
    H[1].get("end_source") == "kernel")
P = [(r.get("kernel_argv"), r.get("kernel_uid")) for r in
    load(sys.argv[2])]
i = [n for n, p in enumerate(P) if p == (["sudo", "-i"], 0)]
check("process records %r" % P, len(i) == 1 and i[0] > 0 and
    P[i[0] - 1][1] == uid and P[i[0] + 1:] and P[i[0] + 1][1] == uid)
done("command-line-sudo")
EOF
exit 0
