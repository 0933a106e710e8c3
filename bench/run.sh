#!/bin/sh
#
# bench/run.sh: measure what the audit log costs, against upstream tmux 3.5a
# built from the same tarball (tmux-pristine/), the manual pipe-pane recipe,
# util-linux script and tlog-rec, in one run. Results are printed and
# written to docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--reps N] [--keys N] [--large MIB] ...
#
# Normally started by "./build.sh bench", which builds both binaries and
# installs the peers first. "bench/run.sh --help" lists every option.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
[ -x "$TOP/tmux/tmux" ] || die "no $TOP/tmux/tmux (run ./build.sh bench)"
[ -x "$TOP/tmux-pristine/tmux" ] ||
    die "no $TOP/tmux-pristine/tmux (run ./build.sh bench)"

exec python3 "$TOP/bench/bench.py" --top "$TOP" "$@"
