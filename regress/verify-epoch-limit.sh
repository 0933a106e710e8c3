#!/bin/sh

# A seal covers at most 65536 records (FORMAT.md section 11.3): a file
# with more than that since its segment record, or its last seal, is
# modified, named at the record that would have been the 65537th of the
# epoch, whether or not a seal follows. Files made from the test vector's
# segment record followed by small records of an unknown type: with 65535
# of them (65536 in the epoch, the segment record included) the file is
# only "unsigned: no seals"; with 65536 it is "modified: more than 65536
# records without a seal at offset O", O being the last record's.

. "$(dirname "$0")/lib.sh"

VEC=$REGRESS/vectors/vector.tmux-audit
NAME=vm_root_20261124T050115Z_18352_000001.tmux-audit

# A file in directory $1 with $2 records after the segment record; prints
# the offset of the last.
records() {
	mkdir -p "$1" || fail "mkdir failed"
	python3 -c '
import struct, sys
vec, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(vec, "rb").read()
seglen, = struct.unpack(">I", data[8:12])
out = bytearray(data[:8 + 4 + seglen])
for i in range(n):
    last = len(out)
    out += struct.pack(">IHQQ", 18, 99, i, 0)
open(path, "wb").write(out)
print(last)' "$VEC" "$1/$NAME" "$2" || fail "python3 failed"
}

records "$TMP/a" 65535 >/dev/null
"$TMUX_BIN" show-audit -V -d "$TMP/a" >"$TMP/out" 2>&1
assert_eq "65536 records in the epoch: exit status" 1 $?
assert_eq "65536 records in the epoch" "$TMP/a/$NAME: unsigned: no seals" \
    "$(cat "$TMP/out")"

off=$(records "$TMP/b" 65536)
"$TMUX_BIN" show-audit -V -d "$TMP/b" >"$TMP/out" 2>&1
assert_eq "65537 records in the epoch: exit status" 1 $?
assert_eq "65537 records in the epoch" "$TMP/b/$NAME: modified: more than \
65536 records without a seal at offset $off" "$(cat "$TMP/out")"
exit 0
