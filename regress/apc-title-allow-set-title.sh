#!/bin/sh

# allow-set-title off stops a pane setting its title with the APC sequence
# (ESC _ title ESC \) as it does OSC 0 and 2 (upstream-apc-allow-set-title.patch;
# 3.5a let APC through). With the option on, APC sets the title as before.

. "$(dirname "$0")/lib.sh"

audit_conf "set -g allow-set-title off"
cat >"$TMP/apc.sh" <<'EOT'
printf 'ready\n'
read line
printf '\033_from apc\033\\\033]2;from osc\033\\'
printf 'sent\n'
read line
printf '\033_from apc\033\\'
printf 'sent again\n'
exec cat
EOT
start_main "sh $TMP/apc.sh"
wait_for "the pane to print ready" sh -c \
    "$T capture-pane -p -t main | grep -q ready"
$T select-pane -t main -T fixed || fail "select-pane -T failed"
$T send-keys -t main Enter || fail "send-keys failed"
wait_for "the pane to print sent" sh -c \
    "$T capture-pane -p -t main | grep -q sent"
assert_eq "the title with allow-set-title off" "fixed" \
    "$($T display -p -t main '#{pane_title}')"

$T set -g allow-set-title on || fail "allow-set-title on failed"
$T send-keys -t main Enter || fail "send-keys failed"
wait_for "the pane to print sent again" sh -c \
    "$T capture-pane -p -t main | grep -q 'sent again'"
assert_eq "the title with allow-set-title on" "from apc" \
    "$($T display -p -t main '#{pane_title}')"

end_main
exit 0
