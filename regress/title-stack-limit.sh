#!/bin/sh

# The stack a pane pushes its title onto (CSI 22;0 t) keeps only the ten
# newest titles, so a pane pushing in a loop cannot grow the server without
# bound (upstream-title-stack-limit.patch): after twelve titles pushed and
# twelve pops (CSI 23;0 t), the title is the third one, the oldest kept
# (3.5a: the first). A popped title comes back exactly as it was pushed.

. "$(dirname "$0")/lib.sh"

audit_conf
cat >"$TMP/twelve.sh" <<'EOT'
i=1
while [ $i -le 12 ]; do
	printf '\033]2;t%d\033\\\033[22;0t' $i
	i=$((i + 1))
done
i=1
while [ $i -le 12 ]; do
	printf '\033[23;0t'
	i=$((i + 1))
done
printf 'popped\n'
exec cat
EOT
cat >"$TMP/restore.sh" <<'EOT'
printf '\033]2;a\\b c\033\\\033[22;0t\033]2;other\033\\'
printf 'pushed\n'
read line
printf '\033[23;0t'
printf 'restored\n'
exec cat
EOT
start_main "sh $TMP/twelve.sh"

wait_for "the pane to print popped" sh -c \
    "$T capture-pane -p -t main | grep -q popped"
assert_eq "the title after twelve pushes and twelve pops" "t3" \
    "$($T display -p -t main '#{pane_title}')"

$T respawn-pane -k -t main "sh $TMP/restore.sh" ||
    fail "respawn-pane failed"
wait_for "the pane to print pushed" sh -c \
    "$T capture-pane -p -t main | grep -q pushed"
assert_eq "the title before the pop" "other" \
    "$($T display -p -t main '#{pane_title}')"
$T send-keys -t main Enter || fail "send-keys failed"
wait_for "the pane to print restored" sh -c \
    "$T capture-pane -p -t main | grep -q restored"
assert_eq "the title after the pop" 'a\b c' \
    "$($T display -p -t main '#{pane_title}')"

end_main
exit 0
