#!/usr/bin/env python3
#
# bench/bench.py: what does the audit log cost? Measured in one run against
# upstream tmux 3.5a built from the same tarball ("pristine"), the manual
# pipe-pane recipe, util-linux script and tlog-rec, with configurations
# interleaved (rep 1 of every configuration, then rep 2, ...) so drift of
# the machine cancels out. Started by bench/run.sh (./build.sh bench).
#
# Every measurement uses a fresh server on its own -L socket inside a private
# temporary directory (TMUX_TMPDIR), removed at exit with every server and
# client this script started.
#
# This file is the command line. The rest, by concern:
#   workload.py   the test data
#   configs.py    the configurations measured
#   servers.py    the tmux servers and clients a measurement drives
#   measure.py    the measurements (Bench)
#   report.py     docs/benchmarks.md from the results
#   common.py     units, the pane size, statistics

import argparse
import json
import os
import signal
import sys
import time

import measure
from common import say
from report import report


def options():
    """The command line, with the defaults of a full or a quick run filled
    in; returns it and the arguments to show in "Reproduce with"."""
    ap = argparse.ArgumentParser(
        prog="./build.sh bench",
        description="Measure the cost of tmux-audit against pristine tmux "
        "3.5a and its peers, and write docs/benchmarks.md.")
    ap.add_argument("--top", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run of about two minutes: small volumes, "
                    "one repetition, a few hundred keys; written to "
                    "bench/out/ unless -o is given")
    ap.add_argument("--reps", type=int, help="throughput repetitions (5)")
    ap.add_argument("--text-mb", type=float,
                    help="plain-text stream size in MB (64)")
    ap.add_argument("--escape-mb", type=float,
                    help="escape-heavy stream size in MB (16)")
    ap.add_argument("--keys", type=int, help="keystrokes per configuration "
                    "(2000)")
    ap.add_argument("--large", dest="large_mib", type=int,
                    help="the large output volume for the memory test, in "
                    "MiB, a multiple of 64 (1024)")
    ap.add_argument("--only",
                    default="throughput,latency,memory,instructions",
                    help="comma-separated parts to run (default: all)")
    ap.add_argument("-o", "--output", help="where to write the report "
                    "(default docs/benchmarks.md; bench/out/ for --quick)")
    ap.add_argument("--no-write", action="store_true",
                    help="only print the report")
    ap.add_argument("--tmpdir", help="where the data and logs go "
                    "(default $TMPDIR or /var/tmp)")
    args, argv = ap.parse_args(), sys.argv[3:]
    args.base_mib = 64
    q_ = args.quick
    args.reps = args.reps or (1 if q_ else 5)
    args.text_mb = args.text_mb or (8 if q_ else 64)
    args.escape_mb = args.escape_mb or (4 if q_ else 16)
    args.keys = args.keys or (300 if q_ else 2000)
    args.large_mib = args.large_mib or (192 if q_ else 1024)
    if args.large_mib % args.base_mib or args.large_mib < 2 * args.base_mib:
        ap.error("--large must be a multiple of 64 and at least 128")
    args.latency_rounds = 1 if q_ else 2
    args.latency_seconds = 0 if q_ else 12
    args.warmup = 20
    args.interval = 0.002
    if args.output is None and not args.no_write:
        args.output = os.path.join(args.top, "bench", "out",
                                   "benchmarks-quick.md") if q_ else \
            os.path.join(args.top, "docs", "benchmarks.md")
    return args, argv


def main():
    args, argv = options()

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    t_start = time.monotonic()
    data = measure.run(args, argv)
    if data is None:
        return 130
    raw = os.path.join(args.top, "bench", "out",
                       "results%s.json" % ("-quick" if args.quick else ""))
    os.makedirs(os.path.dirname(raw), exist_ok=True)
    with open(raw, "w") as f:
        json.dump(data, f, indent=1)
    text = report(data)
    print(text)
    if args.output and not args.no_write:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)),
                    exist_ok=True)
        with open(args.output, "w") as f:
            f.write(text + "\n")
        say("wrote %s and %s" % (args.output, raw))
    say("took %.1f min" % ((time.monotonic() - t_start) / 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
