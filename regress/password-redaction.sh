#!/bin/sh

# Input written into a pane while its terminal has echo off and canonical
# mode on (a password prompt: getpass(3), sudo, ssh) is left out of the log:
# a password typed key by key by a real client (through a pty) and one fed
# in one piece by pipe-pane -I give input records with "redacted": 1, the
# right size and cause, and no data; the password is nowhere in the log
# files or in show-audit -J. With audit-log-redact off the same input is
# logged in full.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf "set -g remain-on-exit on"
pw=s3cr3t-PW
printf '%s\n' "$pw" >"$TMP/secret"
# getpass turns echo off (keeping canonical mode) before the prompt.
cat >"$TMP/pw.py" <<'EOF'
import getpass
a = getpass.getpass("Password: ")
print("got", len(a))
b = getpass.getpass("Again: ")
print("got", len(b), a == b)
EOF

# Type the password into pane $1 (%N) with the pty client, then feed it
# again with pipe-pane -I.
enter_password() {
	tty=$($T display -p -t "$1" '#{pane_tty}') || fail "no tty for $1"
	wait_pane "the first prompt in $1" output "$1" 'b"Password: "'
	wait_for "echo off in $1" tty_reads_secret "$tty"
	type_text "$pw"
	type_keys Enter
	wait_pane "the first answer in $1" output "$1" 'b"got 9\r\n"'

	wait_pane "the second prompt in $1" output "$1" 'b"Again: "'
	wait_for "echo off in $1" tty_reads_secret "$tty"
	$T pipe-pane -I -t "$1" "cat '$TMP/secret'" || fail "pipe-pane failed"
	wait_pane "the second answer in $1" output "$1" \
	    'b"got 9 True\r\n"'
}

start_logged -s main -x 80 -y 24 "python3 '$TMP/pw.py'"
attach_pty main
enter_password %0

# Not in the files, not in the JSON, not in any data.
grep -rqaF "$pw" "$LOG" && fail "the password is in the log files"
$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"
grep -qF "$pw" "$TMP/log.json" && fail "the password is in show-audit -J"

python3 - "$TMP/log.json" "$PTY_TTY" "$pw" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
tty, pw = sys.argv[2], sys.argv[3].encode()
key = {"kind": "key", "client": tty}
pipe = {"kind": "pipe-pane"}

got = []
for r in recs:
    if r["type"] != "input":
        continue
    cause = dict((k, v) for k, v in r.get("cause", {}).items()
        if k in ["kind", "client"])
    got.append((r.get("pane"), r.get("size"), r.get("redacted"),
        "data" in r or "data_base64" in r, cause))
want = [("%0", 1, 1, False, key)] * (len(pw) + 1) + \
    [("%0", len(pw) + 1, 1, False, pipe)]
check("input records %r, not %r" % (got, want), got == want)
check("the password is in some data",
    all(pw not in data(r) for r in recs))
out = pane_bytes(recs, "output", "%0")
want = b"Password: \r\ngot 9\r\nAgain: \r\ngot 9 True\r\n"
check("output of %%0 is %r, not %r" % (out, want), out == want)
done("password-redaction")
EOF

# The same with redaction off, in a new window the client now shows.
$T set -s audit-log-redact off || fail "set audit-log-redact off failed"
$T new-window -t main "python3 '$TMP/pw.py'" || fail "new-window failed"
enter_password %1

grep -rqaF "$pw" "$LOG" || fail "redact off: the password is not in the files"
$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"
python3 - "$TMP/log.json" "$pw" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
pw = sys.argv[2].encode()
got = [(r.get("size"), "redacted" in r, data(r)) for r in recs
    if r["type"] == "input" and r.get("pane") == "%1"]
want = [(1, False, bytes([c])) for c in pw + b"\r"] + \
    [(len(pw) + 1, False, pw + b"\n")]
check("redact off: input records of %%1 %r, not %r" % (got, want),
    got == want)
done("password-redaction")
EOF
exit 0
