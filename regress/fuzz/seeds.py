# regress/fuzz/seeds.py: keep what a test leaves as seeds for the fuzz
# targets (regress/fuzz/fuzz-show-audit.c, fuzz-collector.c). Not a test:
# lib.sh runs it when REGRESS_SEEDS names a directory, just before the
# test's temporary directory is removed.
#
#	python3 seeds.py TMPDIR SEEDDIR [COLLECTORDIR]
#
# Seeds of show-audit's target, in SEEDDIR: each segment file; the segment
# files of each directory back to back (the series of a run, and the
# tampered copies the verifier tests make); and those again after the
# syslog seal messages found in the test's files (a witness file).
#
# Seeds of the collector's target, in COLLECTORDIR: each run found (the
# segment files of a directory with one run id, in segment order) sent as
# a server sends it (FORMAT.md section 17.1), with the pid and host of its
# segment records as the input's credentials: HELLO, then for each segment
# SEGMENT, RECORDS up to and with each seal, and END after the closing
# seal. A second seed breaks the connection after the first segment's
# first seal and connects again (HELLO) for the rest, as a server does
# after a failure, so the collector resumes from what it stored.
#
# Each seed is at most 128 KiB (a longer stream is cut) and named by its
# hash, so it is kept once.

import hashlib
import os
import stat
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
import tamper as t  # noqa: E402
from collector import (END, RECORDS, SEGMENT, hello_message,  # noqa: E402
                       message)

MAX = 128 * 1024


def save(out, data):
    if not 0 < len(data) <= MAX:
        return
    path = os.path.join(out, hashlib.sha1(data).hexdigest())
    if os.path.exists(path):
        return
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


def regular(path):
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def stream(segs, reconnect):
    """
    The collector target's input for a run (its parsed segments in
    order), or None if the first has no pid or host.
    """
    first = segs[0].records[0]
    pid, host = first.uint(t.F_PID), first.field(t.F_HOST)
    run, start = first.field(t.F_RUN), first.uint(t.F_START_TIME)
    if None in (pid, host, run, start) or len(run) != 16:
        return None
    host = host[:255]
    hello = hello_message(run, start, pid)
    out = [struct.pack(">IB", pid & 0xffffffff, len(host)) + host, hello]
    for i, seg in enumerate(segs):
        out.append(message(SEGMENT, seg.header + seg.records[0].raw))
        batch = b""
        seals = 0
        for r in seg.records[1:]:
            batch += r.raw
            if r.type != t.SEAL:
                continue
            out.append(message(RECORDS, batch))
            batch = b""
            seals += 1
            if reconnect and i == 0 and seals == 1:
                out += [message(0), hello]
        if batch:
            out.append(message(RECORDS, batch))
        if seg.records[-1].is_final():
            out.append(message(END))
    return b"".join(out)[:MAX]


def collector_seeds(out, paths):
    """Seeds of the collector's target from the segment files paths."""
    runs = {}
    for path in paths:
        try:
            seg = t.Segment(path)
        except (ValueError, struct.error, OSError):
            continue
        if not seg.records or seg.records[0].type != t.SEGMENT:
            continue
        runs.setdefault(seg.run, []).append(seg)
    for segs in runs.values():
        segs.sort(key=lambda x: x.number or 0)
        for reconnect in (False, True):
            data = stream(segs, reconnect)
            if data is not None:
                save(out, data)


def main():
    tmp, out = sys.argv[1:3]
    cout = sys.argv[3] if len(sys.argv) > 3 else None
    series = {}
    paths = {}
    witness = []
    for root, _, files in os.walk(tmp):
        for name in sorted(files):
            path = os.path.join(root, name)
            size = regular(path)
            if size is None or size > 4 * MAX:
                continue
            with open(path, "rb") as f:
                data = f.read()
            if name.endswith(".tmux-audit"):
                save(out, data)
                series.setdefault(root, []).append(data)
                paths.setdefault(root, []).append(path)
            elif b"<86>1 " in data:
                witness += [line for line in data.splitlines(True)
                            if line.startswith(b"<86>1 ") and
                            b" seal [" in line]
    witness = b"".join(witness)[:MAX // 2]
    for files in series.values():
        whole = b"".join(files)
        if len(files) > 1:
            save(out, whole)
        if witness:
            save(out, witness + whole[:MAX - len(witness)])
    if cout is not None:
        os.makedirs(cout, exist_ok=True)
        for files in paths.values():
            collector_seeds(cout, files)


if __name__ == "__main__":
    main()
