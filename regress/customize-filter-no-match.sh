#!/bin/sh

# customize-mode -f with a filter that matches nothing shows the whole tree
# (as tree modes do) instead of spinning: upstream 3.5a loops for ever on
# the first key binding the filter hides, at 100% CPU, and answers no
# client again. The server must answer at once, with the log off and on.

. "$(dirname "$0")/lib.sh"

for on in off on; do
	if [ $on = on ]; then
		audit_conf
	else
		: >"$CONF"
	fi
	start_main
	timeout 5 $T customize-mode -t main -f '#{==:#{option_name},no-such-option}' ||
	    fail "customize-mode did not answer (audit-log $on)"
	out=$(timeout 5 $T display -p -t main '#{pane_mode}') ||
	    fail "the server did not answer (audit-log $on)"
	assert_eq "pane mode (audit-log $on)" options-mode "$out"
	$T kill-server || fail "kill-server failed"
	wait_for "the server to exit" gone "$SERVER"
done
exit 0
