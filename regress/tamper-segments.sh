#!/bin/sh

# Property 3: each segment commits to the one before it, so a missing,
# swapped, replayed or foreign segment in a series is detected by
# show-audit -V, which exits 1 and names it. Two real server runs:
# A with three segments, B with two (typed input, pane output, several
# seals each). Two untouched runs in one directory verify. Then, on a copy
# of A: the middle segment removed, the first removed, the contents of
# segments 2 and 3 swapped, a copy of segment 2 added as segment 4, or
# under a name that fits segment 2 (a duplicate), segment 2 copied over
# segment 3 (replayed), B's segment 2 put in place of A's (foreign, under
# A's name or its own). Last, the run key in A's first segment record
# changed: that segment is modified, and the others are not blamed for it.
# A segment that follows a gap, or a segment that could not be verified to
# its closing seal, cannot be linked back to the run key, and nor can the
# segments after it: each is "unlinked", and says why.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

LOG=$TMP/logB
make_log 2
LOG=$TMP/log
make_log 3
cp -a "$LOG" "$TMP/orig"
B=$TMP/logB
export B

tamper "untouched" '
t.expect(False, [], [t.intact(x) for x in s])'

tamper "two runs in one directory" '
import os, shutil
for x in t.segments(os.environ["B"]):
    shutil.copy(x.path, d)
t.expect(False, [], [t.intact(x) for x in t.segments(d)])'

tamper "the middle segment removed" '
import os
os.unlink(s[1].path)
t.expect(True, ["%s: missing segment: between segment 1 (%s) and segment 3"
    % (s[2].path, s[0].path), t.unlinked(s[2], number=2)], [t.intact(s[0])])'

tamper "the first segment removed" '
import os
os.unlink(s[0].path)
t.expect(True, ["%s: missing segment: segments 1-1 of this run are not here"
    % s[1].path, t.unlinked(s[1], number=1),
    t.unlinked(s[2], s[1], why="not linked")], [])'

tamper "segments 2 and 3 swapped" '
import os
os.rename(s[1].path, d + "/tmp")
os.rename(s[2].path, s[1].path)
os.rename(d + "/tmp", s[2].path)
line = "%s: out of order or foreign segment: the file holds segment %d " \
    "of pid %d"
t.expect(True, [line % (s[1].path, 3, s[2].pid),
    line % (s[2].path, 2, s[1].pid)], [t.intact(s[0])])'

tamper "a copy of segment 2 as segment 4" '
import shutil
copy = s[2].path.replace("_000003.", "_000004.")
shutil.copy(s[1].path, copy)
t.expect(True, ["%s: out of order or foreign segment: the file holds segment "
    "2 of pid %d" % (copy, s[1].pid)], [t.intact(x) for x in s])'

# Under a name that fits segment 2: the two are the same segment, and the
# one that sorts later is called the duplicate.
tamper "a copy of segment 2 under a name that fits" '
import os, shutil
copy = os.path.join(d, "replay_%d_000002.tmux-audit" % s[1].pid)
shutil.copy(s[1].path, copy)
first, later = sorted([s[1].path, copy])
t.expect(True, ["%s: duplicate segment 2 (also %s)" % (later, first)],
    [t.intact(x) for x in t.segments(d) if x.path != later])'

tamper "segment 2 replayed over segment 3" '
import shutil
shutil.copy(s[1].path, s[2].path)
t.expect(True, ["%s: out of order or foreign segment: the file holds segment "
    "2 of pid %d" % (s[2].path, s[1].pid)], [t.intact(s[0]), t.intact(s[1])])'

# B's segment 2 in A's place, under A's name: in a run of its own, with
# no segment 1, and not the segment the name says; A lacks its segment 2.
# The series checks print first, run by run in the order of their ids.
tamper "a foreign segment under the name of segment 2" '
import os, shutil
b2 = t.segments(os.environ["B"])[1]
shutil.copy(b2.path, s[1].path)
x = t.segments(d)
series = {}
series[s[0].run] = "%s: missing segment: between segment 1 (%s) and " \
    "segment 3" % (s[2].path, s[0].path)
series[b2.run] = "%s: missing segment: segments 1-1 of this run are not " \
    "here" % s[1].path
t.expect(True, [series[k] for k in sorted(series)] +
    ["%s: out of order or foreign segment: the file holds segment 2 of pid "
    "%d" % (s[1].path, b2.pid), t.unlinked(s[2], number=2)],
    [t.intact(s[0])])'

tamper "a foreign segment under its own name" '
import os, shutil
b2 = t.segments(os.environ["B"])[1]
os.unlink(s[1].path)
shutil.copy(b2.path, d)
series = {}
series[s[0].run] = "%s: missing segment: between segment 1 (%s) and " \
    "segment 3" % (s[2].path, s[0].path)
b2 = t.Segment(os.path.join(d, os.path.basename(b2.path)))
series[b2.run] = "%s: missing segment: segments 1-1 of this run are not " \
    "here" % b2.path
verdicts = {s[2].path: t.unlinked(s[2], number=2),
    b2.path: t.unlinked(b2, number=1)}
t.expect(True, [series[k] for k in sorted(series)] +
    [verdicts[k] for k in sorted(verdicts)], [t.intact(s[0])])'

tamper "the run key of segment 1 changed" '
r = s[0].records[0]
t.flip(s[0].path, r.value_offset(t.F_RUN_KEY) + 4)
t.expect(True, [t.bad_record(s[0], r), t.unlinked(s[1], s[0]),
    t.unlinked(s[2], s[1], why="not linked")], [])'
exit 0
