#
# bench/common.py: what the measuring side (bench.py, measure.py) and the
# reporting side (report.py) of the benchmark both use: units, the pane's
# size, messages and the two statistics every table is made of.

import shlex
import statistics
import sys

MB = 1000 * 1000
MIB = 1024 * 1024

# The pane is 200x50 everywhere; an attached client is one line taller for
# the status line, so attaching does not resize the pane.
COLS, ROWS = 200, 50


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def q(s):
    return shlex.quote(str(s))


def median(xs):
    return statistics.median(xs) if xs else None


def percentile(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]

