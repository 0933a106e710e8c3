#!/bin/sh

# Renaming and replacing paste buffers never uses a name after it has been
# freed. A buffer renamed to its own name is left as it is
# (upstream-paste-rename-self.patch; 3.5a freed it and went on using it).
# set-buffer -n with no -b renames the newest automatic buffer, and copy
# mode's append-selection replaces it; both passed on the old buffer's name
# after freeing it, so the hooks, control clients and the audit log got
# freed memory for a name (upstream-paste-top-name.patch). The log records
# each change with the right name.

. "$(dirname "$0")/lib.sh"

audit_conf
start_main "printf 'copy me\n'; exec cat"

# Renamed to its own name.
$T set-buffer -b foo hello || fail "set-buffer -b foo failed"
$T set-buffer -b foo -n foo || fail "set-buffer -b foo -n foo failed"
assert_eq "buffers after renaming foo to foo" "foo: hello" \
    "$($T list-buffers -F '#{buffer_name}: #{buffer_sample}')"

# The newest automatic buffer, renamed.
$T set-buffer one || fail "set-buffer one failed"
$T set-buffer -n renamed || fail "set-buffer -n renamed failed"
assert_eq "buffers after renaming the newest automatic one" \
    "renamed: one
foo: hello" "$($T list-buffers -F '#{buffer_name}: #{buffer_sample}')"

# Appended to by copy mode: the newest automatic buffer is replaced.
$T set-buffer two || fail "set-buffer two failed"
wait_for "the pane's line" sh -c "$T capture-pane -p -t main | grep -qx 'copy me'"
$T copy-mode -t main || fail "copy-mode failed"
$T send -t main -X history-top
$T send -t main -X start-of-line
$T send -t main -X begin-selection
$T send -t main -X end-of-line
$T send -t main -X append-selection-and-cancel ||
    fail "append-selection failed"
assert_eq "buffers after append-selection" "buffer1: twocopy me
renamed: one
foo: hello" "$($T list-buffers -F '#{buffer_name}: #{buffer_sample}')"

end_main
assert_eq "paste buffer changes in the log" \
    "foo set 5
buffer0 set 3
buffer0 deleted -
renamed set 3
buffer1 set 3
buffer1 deleted -
buffer1 set 10" "$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "paste-buffer-changed":
        name = r.get("name", "(not text: %s)" % r.get("name_base64"))
        print(name, r["action"], r.get("size", "-"))
' "$TMP/log.json")"
exit 0
