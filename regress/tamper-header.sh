#!/bin/sh

# Property 5, the file header: a segment whose magic is changed is not a
# tmux audit log, one whose format version byte is changed has an unknown
# format version, one cut inside its 8-byte header has a truncated header;
# show-audit -V names the file and the offset once, as show-audit -d does,
# and exits 1. A middle segment that cannot be read leaves a gap in the
# series, which is reported as a missing segment, and the segment after it
# as unlinked. On a real log of three segments (typed input, pane output,
# several seals).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

make_log 3
cp -a "$LOG" "$TMP/orig"

# What show-audit -d says about the damaged file, for comparison.
header_error() {
	"$TMUX_BIN" show-audit -d "$TMP/case" 2>&1 >/dev/null |
	    grep -F "$1"
}

tamper "the magic of the last segment" '
t.flip(s[2].path, 2, 0x20)
t.expect(True, ["%s: offset 0: not a tmux audit log" % s[2].path],
    [t.intact(x) for x in s[:2]])'
assert_eq "show-audit -d, bad magic" "$(cat "$TMP/expect.err")" \
    "$(header_error 000003)"

tamper "the version byte of the last segment" '
with open(s[2].path, "r+b") as f:
    f.seek(7)
    f.write(b"\x02")
t.expect(True, ["%s: offset 7: unknown format version 2" % s[2].path],
    [t.intact(x) for x in s[:2]])'
assert_eq "show-audit -d, version 2" "$(cat "$TMP/expect.err")" \
    "$(header_error 000003)"

tamper "the last segment cut inside its header" '
t.truncate(s[2].path, 7)
t.expect(True, ["%s: offset 0: truncated header" % s[2].path],
    [t.intact(x) for x in s[:2]])'

tamper "the version byte of the middle segment" '
with open(s[1].path, "r+b") as f:
    f.seek(7)
    f.write(b"\x00")
t.expect(True, ["%s: missing segment: between segment 1 (%s) and segment 3"
    % (s[2].path, s[0].path),
    "%s: offset 7: unknown format version 0" % s[1].path,
    t.unlinked(s[2], number=2)], [t.intact(s[0])])'
exit 0
