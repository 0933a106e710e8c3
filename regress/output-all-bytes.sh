#!/bin/sh

# Every byte a pane prints is logged, in order, whatever its value: a
# program writes all 256 byte values in one go. With output processing off
# in the pane's terminal (stty -opost) the pane's output records, decoded
# from data or data_base64, concatenate to exactly those 256 bytes; with
# the terminal's defaults they are what the terminal delivers, the same
# with \n turned into \r\n (onlcr).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf "set -g remain-on-exit on"
cat >"$TMP/bytes.py" <<'EOF'
import sys
sys.stdout.buffer.write(bytes(range(256)))
sys.stdout.buffer.flush()
EOF

start_logged -s main -x 80 -y 24 "stty -opost && exec python3 '$TMP/bytes.py'"
$T new-window -d -t main "exec python3 '$TMP/bytes.py'" ||
    fail "new-window failed"

wait_pane "the last bytes of %0" output %0 'b"\xfd\xfe\xff"'
wait_pane "the last bytes of %1" output %1 'b"\xfd\xfe\xff"'
wait_for "pane-exited of %1" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%1'"
wait_for "pane-exited of %0" log_has \
    "r['type'] == 'pane-exited' and r['pane'] == '%0'"

$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"
python3 - "$TMP/log.json" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
for pane, want in [("%0", bytes(range(256))),
        ("%1", bytes(range(256)).replace(b"\n", b"\r\n"))]:
    got = pane_bytes(recs, "output", pane)
    check("output of %s is %d bytes %r,\n  not %d bytes %r" % (pane,
        len(got), got, len(want), want), got == want)
    for r in recs:
        if r["type"] != "output" or r.get("pane") != pane:
            continue
        check("seq %d has both data and data_base64" % r["seq"],
            not ("data" in r and "data_base64" in r))
        check("seq %d has no data" % r["seq"],
            "data" in r or "data_base64" in r)
        if "data_base64" in r:
            try:
                data(r).decode("utf-8", "strict")
                check("seq %d: valid UTF-8 in base64" % r["seq"], False)
            except UnicodeDecodeError:
                pass
done("output-all-bytes")
EOF
exit 0
