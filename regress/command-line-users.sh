#!/bin/sh

# Two users typing into one shared session: each command line is
# attributed to the client and user whose Enter submitted it. A root
# server, a read-write guest (server-access -w), both attached through a
# pty to the same pane running bash: the owner runs echo from-owner, the
# guest echo from-guest, the owner again echo owner-again, and the guest
# types "echo half" which the owner finishes with " done" and Enter (the
# line is the owner's: it submitted it). show-audit -H lists the four
# exactly, each with its client and user; -U and -C keep one user's or one
# client's lines.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-users.sh"

need_users
GUEST=tmuxauditcl
make_user "$GUEST"
owner=$(id -un)

audit_conf
pub_server -d -s main -x 80 -y 24 -c "$TMP" \
    "env -i PATH=/usr/bin:/bin HOME=$TMP/home TERM=$TERM PS1='\$ ' \
    bash --norc --noprofile -i"
$S server-access -w "$GUEST" || fail "server-access -w failed"

OWNER_OUTER=$OUTER
GUEST_OUTER=$OUTER-guest
attach_as root "$OWNER_OUTER" -t main
owner_tty=$("$TMUX_BIN" -L "$OWNER_OUTER" display -p '#{pane_tty}')
attach_as "$GUEST" "$GUEST_OUTER" -t main
guest_tty=$("$TMUX_BIN" -L "$GUEST_OUTER" display -p '#{pane_tty}')
wait_prompt %0 '$ '

OUTER=$OWNER_OUTER
type_line 1 %0 '$ ' '=echo from-owner' Enter
OUTER=$GUEST_OUTER
type_line 2 %0 '$ ' '=echo from-guest' Enter
OUTER=$OWNER_OUTER
type_line 3 %0 '$ ' '=echo owner-again' Enter
OUTER=$GUEST_OUTER
type_text 'echo half'
wait_for "the guest's half line" sh -c \
    "$S capture-pane -p -t %0 | grep -q '^\\\$ echo half\$'"
OUTER=$OWNER_OUTER
type_line 4 %0 '$ ' '= done' Enter

h() {
	$S show-audit -H "$@" | cut -d' ' -f3-
}
o="$owner_tty $owner %0 - $TMP screen:"
g="$guest_tty $GUEST %0 - $TMP screen:"
assert_eq "-H" "\
$o echo from-owner
$g echo from-guest
$o echo owner-again
$o echo half done" "$(h)"
assert_eq "-H -U $GUEST" "$g echo from-guest" "$(h -U "$GUEST")"
assert_eq "-H -C $owner_tty" "\
$o echo from-owner
$o echo owner-again
$o echo half done" "$(h -C "$owner_tty")"
exit 0
