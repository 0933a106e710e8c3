#!/bin/sh
#
# bench/run.sh: measure what the audit log costs, against upstream tmux 3.5a
# built from the same tarball (tmux-pristine/), the manual pipe-pane recipe,
# util-linux script and tlog-rec, in one run. The raw results are saved in
# bench/out/results.json; the report is printed and written to
# docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--reps N] [--keys N] [--large MIB] ...
#   bench/run.sh --report-only bench/out/results.json [-o FILE]
#			write the report again from saved results, measuring
#			nothing
#
# Normally started by "./build.sh bench", which builds both binaries and
# installs the peers first. "bench/run.sh --help" lists every option.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
measure=yes
for arg in "$@"; do
	case "$arg" in
	--report-only|--report-only=*) measure=no ;;
	esac
done
if [ $measure = yes ]; then
	[ -x "$TOP/tmux/tmux" ] || die "no $TOP/tmux/tmux (run ./build.sh bench)"
	[ -x "$TOP/tmux-pristine/tmux" ] ||
	    die "no $TOP/tmux-pristine/tmux (run ./build.sh bench)"
fi

exec python3 "$TOP/bench/bench.py" --top "$TOP" "$@"
