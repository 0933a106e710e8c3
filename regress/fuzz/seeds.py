# regress/fuzz/seeds.py: keep what a test leaves as seeds for the fuzz
# target (regress/fuzz/fuzz-show-audit.c). Not a test: lib.sh runs it when
# REGRESS_SEEDS names a directory, just before the test's temporary
# directory is removed.
#
#	python3 seeds.py TMPDIR SEEDDIR
#
# Seeds are inputs of the fuzz target: each segment file; the segment
# files of each directory back to back (the series of a run, and the
# tampered copies the verifier tests make); and those again after the
# syslog seal messages found in the test's files (a witness file). Each
# is at most 128 KiB and named by its hash, so it is kept once.

import hashlib
import os
import stat
import sys

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


def main():
    tmp, out = sys.argv[1:3]
    series = {}
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


if __name__ == "__main__":
    main()
