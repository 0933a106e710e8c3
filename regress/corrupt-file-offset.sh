#!/bin/sh

# show-audit -d on a damaged segment prints every good record before the
# damage, then an error on stderr naming the file and the exact byte offset
# of the bad record, and exits non-zero. Damage tried: the last record cut
# in its middle, the last record cut inside its length field, a record's
# length field set to a huge value, and an unknown format version byte.
#
# A segment is an 8-byte header ("TMUXAUD" and the version byte) and then
# records, each a 4-byte big-endian length L and L bytes; the offsets below
# are computed from the file with that rule alone.

. "$(dirname "$0")/lib.sh"

audit_conf
run_pid $T new -d -s main || fail "new-session failed"
$T new -d -s second || fail "new-session failed"
server_pid=$($T display -p '#{pid}')
SERVER_PIDS=$server_pid
$T kill-server
wait_for "the server to exit" gone "$server_pid"

set -- "$LOG"/*.tmux-audit
[ $# -eq 1 ] || fail "$# files in the log directory"
good=$1
name=$(basename "$good")

# The whole log reads cleanly.
$TMUX_BIN show-audit -d "$LOG" >"$TMP/all" 2>"$TMP/err" ||
    fail "show-audit on the good log failed: $(cat "$TMP/err")"
assert_eq "stderr on the good log" "" "$(cat "$TMP/err")"

# Record offsets and lengths, one "offset length" a line.
python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"TMUXAUD\x01", data[:8]
off = 8
while off < len(data):
    (n,) = struct.unpack(">I", data[off:off + 4])
    print(off, n)
    off += 4 + n
assert off == len(data), "records do not end at the end of the file"
' "$good" >"$TMP/offsets" || fail "cannot walk the records of $good"
nrec=$(wc -l <"$TMP/offsets")
nlines=$(wc -l <"$TMP/all")
[ "$nrec" -eq "$nlines" ] ||
    fail "$nrec records in the file but show-audit printed $nlines lines"
[ "$nrec" -ge 8 ] || fail "only $nrec records in the log"

# Make a damaged copy of the log in $TMP/bad/$name with the Python code $1
# run on the file's bytes (bytearray d), then check show-audit -d prints the
# first $2 records of the good log and exactly the error $3.
damaged() {
	rm -rf "$TMP/bad"
	mkdir "$TMP/bad"
	python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
exec(sys.argv[3])
open(sys.argv[2], "wb").write(d)
' "$good" "$TMP/bad/$name" "$1" || fail "cannot damage the file: $1"

	if $TMUX_BIN show-audit -d "$TMP/bad" >"$TMP/out" 2>"$TMP/err"; then
		fail "$3: show-audit exited 0"
	fi
	assert_eq "$3: stdout" "$(head -n "$2" "$TMP/all")" "$(cat "$TMP/out")"
	assert_eq "$3: stderr" "$TMP/bad/$name: $3" "$(cat "$TMP/err")"
}

# The offset and length of record $1 (counting from 1).
rec_off() { sed -n "$1p" "$TMP/offsets" | cut -d' ' -f1; }
rec_len() { sed -n "$1p" "$TMP/offsets" | cut -d' ' -f2; }

# (a) The last record cut in its middle.
off=$(rec_off "$nrec")
len=$(rec_len "$nrec")
keep=$((len / 2))
damaged "del d[$off + 4 + $keep:]" $((nrec - 1)) \
    "offset $off: truncated record ($((keep + 4)) of $((len + 4)) bytes)"

# (b) The last record cut inside its length field.
damaged "del d[$off + 2:]" $((nrec - 1)) \
    "offset $off: truncated record (2 of 4 length bytes)"

# (c) The length of the fourth record set to a huge value.
off=$(rec_off 4)
damaged "d[$off:$off + 4] = b'\\xff\\xff\\xff\\xf0'" 3 \
    "offset $off: bad record length 4294967280"

# (d) The length of the fifth record one byte too long: its frame then
# overlaps the next record and is not a well-formed record.
off=$(rec_off 5)
len=$(rec_len 5)
damaged "d[$off:$off + 4] = ($len + 1).to_bytes(4, 'big')" 4 \
    "offset $off: corrupt record: truncated field header"

# (e) An unknown format version: byte 7 of the file.
damaged "d[7] = 2" 0 "offset 7: unknown format version 2"

exit 0
