#!/bin/sh

# A paste buffer cannot be given a name with control characters or that is
# not valid UTF-8, which list-buffers, choose-buffer, hooks, control clients
# and the audit log would pass on to a terminal as they are
# (upstream-sanitize-buffer-names.patch). The error names it with what
# cannot be printed escaped. Printable names, backslashes included, work as
# before.

. "$(dirname "$0")/lib.sh"

audit_conf
start_main

esc=$(printf '\033')
bel=$(printf '\007')
bad=$(printf '\377')

err=$($T set-buffer -b "a${esc}]0;x${bel}b" data 2>&1) &&
    fail "set-buffer with ESC in the name succeeded"
assert_eq "set-buffer -b with ESC and BEL" \
    'invalid buffer name: a\033]0;x\ab' "$err"
err=$($T set-buffer -b "x${bad}" data 2>&1) &&
    fail "set-buffer with invalid UTF-8 in the name succeeded"
assert_eq "set-buffer -b with invalid UTF-8" 'invalid buffer name: x\377' \
    "$err"
printf 'loaded' >"$TMP/file"
err=$($T load-buffer -b "t${esc}" "$TMP/file" 2>&1) &&
    fail "load-buffer with ESC in the name succeeded"
assert_eq "load-buffer -b with ESC" 'invalid buffer name: t\033' "$err"

$T set-buffer -b 'C:\temp' data || fail "set-buffer -b 'C:\\temp' failed"
err=$($T set-buffer -b 'C:\temp' -n "n${esc}" 2>&1) &&
    fail "renaming to a name with ESC succeeded"
assert_eq "set-buffer -n with ESC" 'invalid buffer name: n\033' "$err"
assert_eq "show-buffer of a name with a backslash" "data" \
    "$($T show-buffer -b 'C:\temp')"
assert_eq "buffers" 'C:\temp' "$($T list-buffers -F '#{buffer_name}')"

end_main
exit 0
