#!/bin/sh

# A line typed while the terminal's echo is off is never a command line: a
# real client runs read -s pw in bash and types a password, then python3's
# getpass.getpass() and another; send-keys types a third into read -s. Run
# without and with the shipped integration. show-audit -H lists the
# commands that read them and nothing else, and no command-line record
# (screen text, shell text, prompt) holds any of the passwords, which the
# log keeps only as their length (audit-log-redact).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip "no python3 in /usr/bin"
mkdir -p "$TMP/work" || fail "mkdir failed"
bash_rcs

session() {
	shell_server "$1" "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM \
	    bash --rcfile $TMP/$1 -i"
	type_text 'read -s pw; echo got ${#pw}'
	type_keys Enter
	wait_for "read -s" pane_reads_secret %0
	type_line 1 %0 '$ ' '=hunter2-typed' Enter
	type_text "$PY -c 'import getpass; print(len(getpass.getpass()))'"
	type_keys Enter
	wait_prompt %0 'Password: '
	wait_for "getpass" pane_reads_secret %0
	type_line 2 %0 '$ ' '=hunter3-getpass' Enter
	type_text 'read -s pw; echo got ${#pw}'
	# The text goes through the pty client, the Enter straight to the
	# server: press it only once the line is there.
	wait_prompt %0 '$ read -s pw; echo got ${#pw}'
	$T send-keys -t %0 Enter || fail "send-keys failed"
	wait_for "read -s" pane_reads_secret %0
	$T send-keys -t %0 hunter4-sent Enter || fail "send-keys failed"
	wait_for "command line 3" commands_logged 3
	wait_prompt %0 '$ '
	$T show-audit -H \
	    -F '#{audit_shell_status}|#{audit_dir} #{audit_text_source}: #{audit_text}' \
	    >"$TMP/$1.H" ||
	    fail "show-audit -H failed"
	$T show-audit -J -Y command-line >"$TMP/$1.json" ||
	    fail "show-audit -J failed"
	$T capture-pane -p -t %0 >"$TMP/$1.pane"
	$T kill-server
	wait_for "the server to exit" sh -c "! $T has 2>/dev/null"
	log_json
	if grep -q hunter "$TMP/log.json"; then
		fail "a password is in the log ($1)"
	fi
}

for rc in rc rc-marks; do
	session $rc
	case $rc in
	rc)	s=screen; st= ;;
	*)	s=shell; st=0 ;;
	esac
	assert_eq "-H ($rc)" "\
$st|$TMP/work $s: read -s pw; echo got \${#pw}
$st|$TMP/work $s: $PY -c 'import getpass; print(len(getpass.getpass()))'
$st|$TMP/work $s: read -s pw; echo got \${#pw}" "$(cat "$TMP/$rc.H")"
	grep -q '^got 13$' "$TMP/$rc.pane" && grep -q '^15$' "$TMP/$rc.pane" &&
	    grep -q '^got 12$' "$TMP/$rc.pane" ||
	    fail "the passwords were not read ($rc): $(cat "$TMP/$rc.pane")"
	if grep -q hunter "$TMP/$rc.json"; then
		fail "a password is in a command-line record ($rc)"
	fi
done
exit 0
