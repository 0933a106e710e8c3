#!/bin/sh

# Property 6: what a pane prints can never forge a record: framing is
# unambiguous. A program in a pane (output processing off, so the bytes
# reach tmux as written) prints a file header, a segment record, a seal and
# an output record, as the writer would frame them. The log then holds
# those bytes, exactly, as the data of the pane's output records, and
# nothing else: one segment record, seals numbered 0, 1, 2, ... with
# every other record's seq one more than the last; and it verifies as
# consistent.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

python3 -c '
import sys, time, tamper as t
now = int(time.time() * 1e6)
run = bytes(range(16))
forged = b"TMUXAUD\x01"
forged += t.frame(t.SEGMENT, 7, now, [(t.F_FORMAT, t.u64(1)), (t.F_RUN, run),
    (t.F_SEGMENT, t.u64(1)), (t.F_FIRST, t.u64(1)),
    (t.F_RUN_KEY, bytes(32)), (t.F_SIGN_KEY, bytes(32))])
forged += t.frame(t.SEAL, 8, now, [(t.F_SEAL_INDEX, t.u64(0)), (t.F_RUN, run),
    (t.F_SEGMENT, t.u64(1)), (t.F_RECORDS, t.u64(1)), (t.F_FINAL, t.u64(1)),
    (t.F_CHAIN, bytes(32)), (t.F_DIGESTS, bytes(8)),
    (t.F_NEXT_KEY, bytes(32)), (t.F_SIGNATURE, bytes(64))])
forged += t.frame(t.OUTPUT, 9, now, [(t.F_PANE, t.u64(0)),
    (t.F_DATA, b"rm -rf / # forged\r\n")])
open(sys.argv[1], "wb").write(forged + b"FORGED-END")
' "$TMP/forged" || fail "python3 failed"

start_server
$T new-window -d "stty -opost; cat '$TMP/forged'; \
$TMUX_BIN -L $LABEL wait-for -S done; sleep 30" || fail "new-window failed"
timeout 20 $T wait-for done || fail "the pane did not print"
PANE=$($T list-panes -a -F '#{pane_id}' | tail -n 1)
export PANE

# The output of the new pane, from the log, holds the forged bytes.
pane_printed() {
	"$TMUX_BIN" show-audit -J -d "$LOG" 2>/dev/null | python3 -c '
import base64, json, os, sys
out = b""
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "output" and r.get("pane") == os.environ["PANE"]:
        if "data" in r:
            out += r["data"].encode()
        else:
            out += base64.b64decode(r["data_base64"])
sys.exit(0 if open(sys.argv[1], "rb").read() in out else 1)' "$TMP/forged"
}
wait_for "the forged bytes in the log" pane_printed
type_and_seal 1 a
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$RUN_PID"

verify "$LOG"
[ "$VRC" -eq 2 ] || fail "show-audit -V exited $VRC: $(cat "$TMP/v.err")"
python3 -c '
import sys, tamper as t
s = t.segments(sys.argv[1])
if len(s) != 1:
    sys.exit("%d segments" % len(s))
recs = s[0].records
if [r.type for r in recs].count(t.SEGMENT) != 1:
    sys.exit("more than one segment record")
seals = [r.uint(t.F_SEAL_INDEX) for r in recs if r.type == t.SEAL]
if seals != list(range(len(seals))):
    sys.exit("seal indexes %r" % seals)
seqs = [r.seq for r in recs[1:]]
if seqs != list(range(recs[0].seq, recs[0].seq + len(seqs))):
    sys.exit("seqs are not consecutive")
print(t.intact(s[0]))' "$LOG" >"$TMP/v.expected" ||
    fail "the log is not as written"
assert_eq "show-audit -V" "$(cat "$TMP/v.expected")" "$(cat "$TMP/v.out")"
assert_eq "show-audit -V: stderr" "" "$(cat "$TMP/v.err")"
exit 0
