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
import report
from common import say

ONLY = "throughput,syscalls,latency,memory,instructions"


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
    ap.add_argument("--reps", type=int, help="repetitions of the "
                    "throughput runs and of the syscall count (5)")
    ap.add_argument("--text-mb", type=float,
                    help="plain-text stream size in MB (64)")
    ap.add_argument("--escape-mb", type=float,
                    help="escape-heavy stream size in MB (16)")
    ap.add_argument("--keys", type=int, help="keystrokes per configuration "
                    "(2000)")
    ap.add_argument("--large", dest="large_mib", type=int,
                    help="the large output volume for the memory test, in "
                    "MiB, a multiple of 64 (1024)")
    ap.add_argument("--only", default=ONLY,
                    help="comma-separated parts to run (default: all: %s)"
                    % ONLY)
    ap.add_argument("-o", "--output", help="where to write the report "
                    "(default docs/benchmarks.md; bench/out/ for --quick)")
    ap.add_argument("--no-write", action="store_true",
                    help="only print the report")
    ap.add_argument("--tmpdir", help="where the data and logs go "
                    "(default $TMPDIR or /var/tmp)")
    ap.add_argument("--report-only", metavar="FILE",
                    help="measure nothing: write the report again from the "
                    "results a run saved in FILE (bench/out/results.json); "
                    "only -o and --no-write apply")
    args, argv = ap.parse_args(), sys.argv[3:]
    if args.report_only:
        if args.quick or args.reps or args.text_mb or args.escape_mb or \
                args.keys or args.large_mib or args.tmpdir or \
                args.only != ONLY:
            ap.error("--report-only takes only -o and --no-write: the "
                     "rest was fixed by the run that saved the results")
        return args, argv
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


def publish(text, args, output, also=None):
    """Print the report and write it to output (unless --no-write)."""
    print(text)
    if output and not args.no_write:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "w") as f:
            f.write(text + "\n")
        say("wrote %s" % " and ".join([output] + ([also] if also else [])))


def report_only(args):
    """Write the report from saved results, as the run that saved them would
    have: a quick run's report goes to bench/out/ unless -o is given."""
    try:
        data = report.load(args.report_only)
    except report.ResultsError as e:
        say(str(e))
        return 1
    output = args.output
    if output is None:
        output = os.path.join(args.top, "bench", "out",
                              "benchmarks-quick.md") \
            if data["args"]["quick"] else \
            os.path.join(args.top, "docs", "benchmarks.md")
    publish(report.report(data), args, output)
    return 0


def main():
    args, argv = options()
    if args.report_only:
        return report_only(args)

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
    publish(report.report(data), args, args.output, raw)
    say("took %.1f min" % ((time.monotonic() - t_start) / 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
