#!/bin/sh
#
# patches/upstream-check.sh: list the upstream tmux commits a maintainer
# should review before moving tmux-audit's base or carrying more fixes.
#
#	upstream-check.sh UPSTREAM_GIT_DIR [FROM [TO]]
#
# UPSTREAM_GIT_DIR is a clone (or bare repository) of tmux's git history;
# FROM is our base (default: the version build.sh pins) and TO the newest
# upstream release tag (default). It prints two lists of FROM..TO, merges
# left out, oldest last:
#
#  1. commits that change a file one of patches/*.patch changes (the file
#     list is taken from the patches' "+++ b/FILE" lines), with the files;
#  2. commits whose message mentions a fix, crash, overflow, free, NULL,
#     leak, security, limit, underflow, sanitize, robust or fatal.
#
# A commit that already has a row in patches/UPSTREAM.md (its hash appears
# there) is marked "*". UPSTREAM.md says which range was reviewed last; give
# its end as FROM to see only what came after.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
PATTERN='fix|crash|overflow|free|null|leak|secur|limit|underflow|sanitiz|robust|fatal'

usage() {
	echo "usage: upstream-check.sh UPSTREAM_GIT_DIR [FROM [TO]]" >&2
	exit 1
}

[ $# -ge 1 ] && [ $# -le 3 ] || usage
dir=$1
from=${2:-$(sed -n 's/^VERSION=//p' "$TOP/build.sh")}
git -C "$dir" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "upstream-check.sh: $dir is not a git repository" >&2; exit 1; }
if [ $# -ge 3 ]; then
	to=$3
else
	to=$(git -C "$dir" tag --list --sort=-v:refname |
	    grep -E '^[0-9]+\.[0-9]+[a-z]?$' | head -n 1)
fi
for ref in "$from" "$to"; do
	git -C "$dir" rev-parse --verify -q "$ref^{commit}" >/dev/null ||
	    { echo "upstream-check.sh: no $ref in $dir" >&2; exit 1; }
done

files=$(sed -n 's|^+++ b/||p' "$TOP"/patches/*.patch | sed 's/[[:space:]].*//' |
    LC_ALL=C sort -u)
reviewed=$TOP/patches/UPSTREAM.md

# Print a commit line, marked "*" if UPSTREAM.md has a row for it, and with
# -f the files it changes that our patches change too.
show() {
	while read -r hash rest; do
		mark=" "
		grep -q "$hash" "$reviewed" 2>/dev/null && mark="*"
		if [ "${1:-}" = -f ]; then
			changed=$(git -C "$dir" diff-tree --no-commit-id \
			    --name-only -r "$hash" -- $files | tr '\n' ' ')
			printf '%s %s %s [%s]\n' "$mark" "$hash" "$rest" \
			    "${changed% }"
		else
			printf '%s %s %s\n' "$mark" "$hash" "$rest"
		fi
	done
}

log() {
	git -C "$dir" log --no-merges --date=short --abbrev=9 \
	    --format='%h %ad %s' "$from..$to" "$@"
}

total=$(git -C "$dir" rev-list --no-merges --count "$from..$to")
echo "upstream-check: $from..$to: $total commits"
echo
echo "Changing a file our patches change ($(echo "$files" | wc -l) files):"
log -- $files | show -f
echo
echo "Mentioning $(echo "$PATTERN" | tr '|' ' '):"
log -i -E --grep="$PATTERN" | show
echo
all=$({ log -- $files; log -i -E --grep="$PATTERN"; } | cut -d' ' -f1 |
    sort -u)
listed=0
marked=0
for hash in $all; do
	listed=$((listed + 1))
	grep -q "$hash" "$reviewed" 2>/dev/null && marked=$((marked + 1))
done
echo "$listed commits listed, $marked with a row in patches/UPSTREAM.md" \
    "(marked *)."
