#!/bin/sh

# What a pane sets in titles and hyperlinks is bounded (fixed upstream
# between 3.7 and 3.7c's release, on master only):
#
# - a title holding a style with every attribute, shown in the status line
#   of an attached client: 3.5a printed the style into a 256-byte buffer
#   for its debug log and the server exited (fatal: xsnprintf overflow)
#   (upstream-style-string-size.patch);
# - a hyperlink (OSC 8) whose URI or ID is longer than 1024 bytes is no
#   link: 3.5a kept each, up to 5000 of them, so a pane could make the
#   server hold gigabytes (upstream-hyperlink-length.patch).

. "$(dirname "$0")/lib.sh"

audit_conf "set -g status-right '#{pane_title}'"
sty='#[list=right-marker,range=user|abcdefghijklmno,align=absolute-centre,'
sty="${sty}push-default,fill=#123456,fg=#123456,bg=#123456,us=#123456,acs,"
sty="${sty}bright,dim,underscore,blink,reverse,hidden,italics,strikethrough,"
sty="${sty}double-underscore,curly-underscore,dotted-underscore,"
sty="${sty}dashed-underscore,overline]"
printf '\033]2;%s\033\\' "$sty" >"$TMP/title"
start_main "exec cat"
attach_pty main
$T respawn-pane -k -t main "cat '$TMP/title'; exec cat" ||
    fail "respawn-pane failed"
wait_for "the title" sh -c \
    "[ \"\$($T display -p -t main '#{pane_title}')\" = '$sty' ]"
$T refresh-client -t "$PTY_TTY" || fail "refresh-client failed"
sleep 0.5	# the client's status line is drawn
gone "$SERVER" && fail "the server died drawing a long style"
detach_pty

long=$(printf '%02000d' 0 | tr 0 u)
$T respawn-pane -k -t main "printf '\\033]8;;https://short.example/\\033\\\\A\\033]8;;\\033\\\\ \
\\033]8;;https://$long\\033\\\\B\\033]8;;\\033\\\\ \
\\033]8;id=$long;https://id.example/\\033\\\\C\\033]8;;\\033\\\\\\n'; exec cat" ||
    fail "respawn-pane failed"
wait_for "the links" sh -c "$T capture-pane -p -t main | grep -q '^A B C\$'"
got=$($T capture-pane -e -p -t main | head -n 1 | cat -v)
assert_eq "the links kept" \
    '^[]8;;https://short.example/^[\A^[]8;;^[\ B C' "$got"

end_main
exit 0
