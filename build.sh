#!/bin/bash
#
# build.sh: set up, build and test tmux-audit.
#
#   ./build.sh [build]	install missing build dependencies, obtain and verify
#			tmux-3.5a.tar.gz, unpack it into tmux/, apply
#			patches/series, configure and build tmux/tmux
#   ./build.sh prepare	only unpack and patch tmux/ (for editing patches)
#   ./build.sh run	build, then start an audited session (etc/sample.conf)
#   ./build.sh check [TEST...]
#			build (also tmux-asan/ and tmux-fuzz/, below),
#			install test dependencies, run every test (or those
#			named), then again on the sanitizer build, then
#			each fuzz target for a minute; the last line counts
#			all
#   ./build.sh pristine	build unpatched upstream tmux into tmux-pristine/
#   ./build.sh player	fetch the asciinema-player that show-audit -e html
#			inlines into its reports (npm pack, pinned version,
#			integrity checked) into audit/player/ (git-ignored);
#			without it reports are made without a player
#   ./build.sh asan	build, then build the same tree again into tmux-asan/
#			with AddressSanitizer and UndefinedBehaviorSanitizer
#			(run the tests on it: TMUX_BIN=tmux-asan/tmux
#			regress/run.sh ...)
#   ./build.sh fuzz [SECONDS]
#			build the fuzz targets of show-audit's reader and
#			verifier (tmux-fuzz/audit-fuzz) and of the
#			collector's protocol (tmux-fuzz/collector-fuzz),
#			clang and libFuzzer, and run each for SECONDS (60)
#			on the seeds the tests leave in fuzz/seeds and
#			fuzz/seeds-collector; findings go to fuzz/findings/
#   ./build.sh bench [--quick]
#			build both, install the peers, measure the audit log's
#			cost against them and write docs/benchmarks.md
#   ./build.sh quilt ARGS
#			run quilt in tmux/ with the project's settings
#			(e.g. "./build.sh quilt refresh")
#   ./build.sh deb	build the Debian source and binary packages for
#			Debian 12 and 13, each in a clean chroot, into dist/
#			(packaging/deb.sh; needs root)
#   ./build.sh check-deb
#			build them and test them in clean Debian 12 and 13
#			chroots: install over Debian's tmux, audit a session,
#			upgrade, remove, purge (exits 77 when this machine
#			cannot make chroots)
#   ./build.sh upstream-check UPSTREAM_GIT_DIR [FROM [TO]]
#			list the upstream commits since our base (or FROM)
#			that change files our patches change or mention a
#			fix, crash, leak, ... (patches/upstream-check.sh)
#
# The tarball comes from, in order: $TMUX_AUDIT_TARBALL, the cache
# ($TMUX_AUDIT_CACHE, default .cache/), Debian's source package of tmux
# 3.5a, upstream's release download. Its sha256 is always checked.
#
# Running it again is cheap: tmux/ is only rebuilt from the tarball when
# patches/ changed, and never when that would throw away edits made in
# tmux/ that are not in patches/.

set -eu
umask 022

TOP=$(cd "$(dirname "$0")" && pwd)
VERSION=3.5a
TARBALL=tmux-$VERSION.tar.gz
SHA256=16216bd0877170dfcc64157085ba9013610b12b082548c7c9542cc0103198951
DEBIAN_VERSION=3.5a-3
DEBIAN_SUITE=trixie
UPSTREAM_URL=https://github.com/tmux/tmux/releases/download/$VERSION/$TARBALL
CACHE=${TMUX_AUDIT_CACHE:-$TOP/.cache}
TREE=$TOP/tmux
STAMP=.tmux-audit-patches
MANIFEST=.tmux-audit-manifest

BUILD_DEPS="gcc make autoconf automake pkg-config bison quilt libevent-dev
libncurses-dev libutf8proc-dev libsodium-dev"
TEST_DEPS="util-linux bsdutils procps passwd python3 rsyslog time mandoc asciinema vim less
chromium zsh fish sudo sqlite3"

# The player of the HTML report (show-audit -e html): asciinema-player from
# the npm registry, this version and no other, its tarball checked against
# this integrity (npm's sha512, as in a package-lock.json) before anything
# is taken from it. Only its built bundle and licence are kept, in
# audit/player/, never committed.
PLAYER_VERSION=3.18.0
PLAYER_INTEGRITY=sha512-5gpt2ipFcy4NKmgkv+c/QXnJ9zMicxqWROCOuJqgwwtiYKM8Qe9hnDOvfqke5bW6M2DW/seO3uQYkQ0xeUUVtw==
PLAYER=$TOP/audit/player

QUILT="quilt --quiltrc $TOP/quiltrc"

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Install the Debian packages in $* that are missing.
install_missing() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages:$missing (run as root or install them)"
	fi
	say "installing:$missing"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing >/dev/null; then
		apt-get update -q >/dev/null || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends $missing >/dev/null ||
		    die "apt-get install failed for:$missing"
	fi
}

sha_ok() {
	[ -f "$1" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$SHA256" ]
}

# Print the first Debian archive address among the machine's apt sources
# (with an argument, the first whose last part is that instead of "debian",
# e.g. debian-security).
debian_archive() {
	{
		sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
		    2>/dev/null | tr ' ' '\n'
		sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
		    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -E "^(https?|file|mirror)[^ ]*/${1:-debian}/?\$" | head -n 1
}

# Fetch Debian's tmux_3.5a.orig.tar.gz into $1 with apt, using a private
# source list so the system's apt configuration is left alone.
fetch_debian() {
	dir=$1
	command -v apt-get >/dev/null || return 1
	install_missing dpkg-dev >/dev/null 2>&1 || true
	(cd "$dir" && apt-get source -q --download-only \
	    "tmux=$DEBIAN_VERSION" >/dev/null 2>&1) && return 0
	uri=$(debian_archive)
	[ -n "$uri" ] || return 1
	mkdir -p "$dir/lists/partial"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb-src [signed-by=$keyring] $uri $DEBIAN_SUITE main" \
	    >"$dir/sources.list"
	set -- -o Dir::Etc::SourceList="$dir/sources.list" \
	    -o Dir::Etc::SourceParts=- -o Dir::State::Lists="$dir/lists"
	apt-get "$@" -q update >/dev/null 2>&1 || return 1
	(cd "$dir" && apt-get "$@" -q source --download-only \
	    "tmux=$DEBIAN_VERSION" >/dev/null 2>&1)
}

# Put a verified tarball in the cache and print its path.
obtain_tarball() {
	tried=
	out=$CACHE/$TARBALL
	mkdir -p "$CACHE"
	if [ -n "${TMUX_AUDIT_TARBALL:-}" ]; then
		if sha_ok "$TMUX_AUDIT_TARBALL"; then
			[ "$TMUX_AUDIT_TARBALL" -ef "$out" ] ||
			    cp "$TMUX_AUDIT_TARBALL" "$out.tmp" &&
			    mv "$out.tmp" "$out" 2>/dev/null || true
			echo "$TMUX_AUDIT_TARBALL"
			return 0
		fi
		tried="$tried
  \$TMUX_AUDIT_TARBALL=$TMUX_AUDIT_TARBALL: missing or wrong sha256"
	fi
	if sha_ok "$out"; then
		echo "$out"
		return 0
	fi
	tried="$tried
  cache $out: missing or wrong sha256"

	tmp=$(mktemp -d)
	if fetch_debian "$tmp" && sha_ok "$tmp/tmux_$VERSION.orig.tar.gz"; then
		mv "$tmp/tmux_$VERSION.orig.tar.gz" "$out"
		rm -rf "$tmp"
		echo "$out"
		return 0
	fi
	tried="$tried
  Debian source package tmux=$DEBIAN_VERSION (apt-get source): not available"

	if command -v curl >/dev/null; then
		curl -fsSL --max-time 120 -o "$tmp/$TARBALL" "$UPSTREAM_URL" \
		    2>/dev/null || true
	elif command -v wget >/dev/null; then
		wget -q -T 120 -O "$tmp/$TARBALL" "$UPSTREAM_URL" || true
	fi
	if sha_ok "$tmp/$TARBALL"; then
		mv "$tmp/$TARBALL" "$out"
		rm -rf "$tmp"
		echo "$out"
		return 0
	fi
	rm -rf "$tmp"
	tried="$tried
  $UPSTREAM_URL: download failed or wrong sha256"
	die "cannot obtain $TARBALL (sha256 $SHA256); tried:$tried"
}

patches_hash() {
	(cd "$TOP" && echo "$VERSION $SHA256" && cat patches/series &&
	    while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		cat "patches/$p"
	done <patches/series) | sha256sum | cut -d' ' -f1
}

# The upstream files build.sh tracks for local edits: sources, headers, the
# man page and the autotools inputs (generated files are left out).
write_manifest() {
	(cd "$1" && find . -path ./.pc -prune -o -path ./audit -prune -o \
	    -type f \( -name '*.[chy]' -o -name '*.1' -o -name '*.am' \
	    -o -name '*.ac' \) ! -name cmd-parse.c -print | sort |
	    xargs sha256sum >$MANIFEST)
}

# Unpack and patch a fresh tree into $1 (which must not exist).
fresh_tree() {
	dest=$1
	tarball=$(obtain_tarball)
	stage=$(dirname "$dest")/.stage.$$
	rm -rf "$stage"
	mkdir -p "$stage"
	tar -xzf "$tarball" -C "$stage"
	mv "$stage/tmux-$VERSION" "$dest"
	rmdir "$stage"
	ln -s "$(realpath --relative-to="$dest" "$TOP/patches")" "$dest/patches"
	ln -s "$(realpath --relative-to="$dest" "$TOP/audit")" "$dest/audit"
	if [ -s "$TOP/patches/series" ]; then
		(cd "$dest" && $QUILT push -a -q >/dev/null) ||
		    die "patches/series does not apply to $TARBALL"
	fi
	write_manifest "$dest"
	patches_hash >"$dest/$STAMP"
}

# Make tmux/ match the tarball plus patches/series, keeping local edits.
prepare_tree() {
	if [ ! -d "$TREE" ]; then
		say "unpacking $TARBALL into tmux/ and applying patches/series"
		fresh_tree "$TREE"
		return
	fi
	want=$(patches_hash)
	[ "$(cat "$TREE/$STAMP" 2>/dev/null)" = "$want" ] && return

	say "patches/ changed: updating tmux/"
	new=$TOP/.cache/tree.$$
	rm -rf "$new"
	mkdir -p "$TOP/.cache"
	fresh_tree "$new"
	lost=
	edited=$(cd "$TREE" && sha256sum -c --quiet $MANIFEST 2>/dev/null |
	    sed -n 's/: FAILED.*//p')
	for f in $edited; do
		if [ -f "$TREE/$f" ] && [ -f "$new/$f" ] &&
		    cmp -s "$TREE/$f" "$new/$f"; then
			continue	# the edit is in the new patches
		fi
		lost="$lost $f"
	done
	if [ -n "$lost" ]; then
		rm -rf "$new"
		die "tmux/ has edits that are not in patches/:$lost
  refresh them into a patch (./build.sh quilt refresh) or move tmux/ away"
	fi
	# Copy what the new series changes, so make rebuilds only that. The
	# copies get the time of now, not the fresh tree's: a file that goes
	# back to the tarball's text also goes back to the tarball's time, and
	# make would keep its object built from the old patches.
	(cd "$new" && awk '{print $2}' $MANIFEST) | while read -r f; do
		cmp -s "$new/$f" "$TREE/$f" || cp "$new/$f" "$TREE/$f"
	done
	(cd "$TREE" && awk '{print $2}' $MANIFEST) | while read -r f; do
		[ -e "$new/$f" ] || rm -f "$TREE/$f"
	done
	rm -rf "$TREE/.pc"
	mv "$new/.pc" "$TREE/.pc" 2>/dev/null || true
	mv "$new/$MANIFEST" "$TREE/$MANIFEST"
	mv "$new/$STAMP" "$TREE/$STAMP"
	rm -rf "$new"
}

# Is every patch in the series applied in tmux/?
all_applied() {
	[ ! -s "$TOP/patches/series" ] && return 0
	want=$(grep -v '^#' "$TOP/patches/series" | awk 'NF {p=$1} END {print p}')
	[ "$(cd "$TREE" && $QUILT top 2>/dev/null)" = "$want" ]
}

do_build() {
	install_missing $BUILD_DEPS
	prepare_tree
	all_applied || die "tmux/ does not have every patch applied \
(./build.sh quilt push -a)"
	cd "$TOP"
	if [ ! -f "$TREE/Makefile" ] || [ ! -f Makefile ]; then
		say "configuring"
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
		# Shell words, so CFLAGS="-O1 -g" stays one argument.
		eval "set -- ${TMUX_AUDIT_CONFIGURE:-}"
		./configure -q --enable-utf8proc "$@" >/dev/null
	fi
	make -s -j"$(nproc)" >/dev/null || make -j1
	werror_audit "$TREE"
	make -s -j"$(nproc)" >/dev/null
	[ -x "$TREE/tmux" ] || die "tmux/tmux was not built"
}

# Our own code is held to upstream's whole developer warning set (what
# tmux's Makefile.am adds for a debug build, its own four -Wno- included)
# under -Werror: rebuild the audit/ objects of tree $1 (or the objects
# $2 ...) with these flags added to the ones it was configured with (after
# the normal make, so they never reach a configure re-run).
WERROR="-Werror -Wno-long-long -Wall -W -Wformat=2 -Wmissing-prototypes
-Wstrict-prototypes -Wmissing-declarations -Wwrite-strings -Wshadow
-Wpointer-arith -Wsign-compare -Wundef -Wbad-function-cast -Winline
-Wcast-align -Wdeclaration-after-statement -Wno-pointer-sign -Wno-attributes
-Wno-unused-result -Wno-format-y2k"
werror_audit() {
	wdir=$1
	shift
	cflags=$(sed -n 's/^CFLAGS = //p' "$wdir/Makefile")
	if [ $# -eq 0 ]; then
		set -- $(cd "$wdir" && ls audit/*.c | sed 's/\.c$/.o/')
	fi
	(cd "$wdir" && rm -f "$@")
	make -s -C "$wdir" "$@" CFLAGS="$cflags $(echo $WERROR)" >/dev/null ||
	    die "$* in $wdir do not build cleanly with warnings on"
}

# Make $1 a copy of tmux/ as it is now, for a second build with other
# flags: the patched sources and generated autotools files, and audit/ as
# a directory of its own (tmux/audit is a link to ../audit, and the
# objects must not be shared). Only files that differ are copied, and
# with a new time, so make rebuilds what changed; build products and
# configure's output are left alone.
mirror_tree() {
	dest=$1
	mkdir -p "$dest/audit"
	(cd "$TREE" && find . \( -path ./.pc -o -path ./audit -o \
	    -path ./patches -o -name autom4te.cache -o -name .deps \) -prune \
	    -o -type f ! -name '*.o' ! -name '*.a' ! -name tmux \
	    ! -name config.status ! -name config.log ! -name config.h \
	    ! -name Makefile ! -name stamp-h1 -print |
	    sed 's,^\./,,'; cd "$TOP" && ls audit/*.[ch] audit/*.am audit/*.[0-9]) |
	while read -r f; do
		src=$TREE/$f
		case "$f" in
		audit/*)	src=$TOP/$f ;;
		esac
		cmp -s "$src" "$dest/$f" && continue
		mkdir -p "$dest/$(dirname "$f")"
		cp "$src" "$dest/$f"
	done
	# An audit source since removed or renamed goes, with its object.
	for f in "$dest"/audit/*.[ch]; do
		base=${f##*/}
		[ -e "$TOP/audit/$base" ] && continue
		case "$base" in
		fuzz-*.c)	continue ;;
		esac
		rm -f "$f" "${f%.c}.o"
	done
}

# Build tmux once more in tree $1 (a copy of tmux/, see mirror_tree) with
# compiler $2, CFLAGS $3 and LDFLAGS $4. Changed flags start it afresh.
build_variant() {
	dir=$1
	want="$2 | $3 | $4"
	if [ "$(cat "$dir/.tmux-audit-flags" 2>/dev/null)" != "$want" ]; then
		rm -rf "$dir"
	fi
	mirror_tree "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		say "configuring $(basename "$dir")/"
		(cd "$dir" && ./configure -q --enable-utf8proc CC="$2" \
		    CFLAGS="$3" LDFLAGS="$4" >/dev/null) ||
		    die "configure failed in $dir"
		echo "$want" >"$dir/.tmux-audit-flags"
	fi
	make -s -C "$dir" -j"$(nproc)" >/dev/null 2>&1 ||
	    make -C "$dir" -j1 >/dev/null || die "$dir/tmux was not built"
	werror_audit "$dir"
	make -s -C "$dir" -j"$(nproc)" >/dev/null
	[ -x "$dir/tmux" ] || die "$dir/tmux was not built"
}

# The fuzz targets (regress/fuzz/fuzz-*.c): a third tree, tmux-fuzz/,
# built with clang's -fsanitize=fuzzer-no-link and the sanitizers, and
# linked with libFuzzer and every object of tmux (tmux.c's main renamed):
# tmux-fuzz/audit-fuzz (show-audit's reader and verifier) and
# tmux-fuzz/collector-fuzz (the collector's side of its protocol, with
# audit-collect.o and not auditd.o, whose globals the target has).
do_fuzz_build() {
	do_build
	install_missing clang binutils
	v=$(clang -dumpversion | cut -d. -f1)
	install_missing "libclang-rt-$v-dev"
	dir=$TOP/tmux-fuzz
	# The targets are built after the tree (which builds every audit/*.c).
	rm -f "$dir"/audit/fuzz-*.c
	build_variant "$dir" clang "-O1 -g -fno-omit-frame-pointer \
-fsanitize=fuzzer-no-link,$SANITIZE_LIST -fno-sanitize-recover=all" \
	    "-fsanitize=$SANITIZE_LIST"
	cp "$TOP/regress/fuzz/fuzz-show-audit.c" \
	    "$TOP/regress/fuzz/fuzz-collector.c" "$dir/audit/"
	werror_audit "$dir" audit/fuzz-show-audit.o audit/fuzz-collector.o
	objcopy --redefine-sym main=tmux_main "$dir/tmux.o" "$dir/tmux-main.o"
	# Every object of tmux, without the collector and the targets.
	objs=$(cd "$dir" && ls *.o compat/*.o audit/*.o 2>/dev/null |
	    grep -v '^tmux\(-main\)\{0,1\}\.o$' |
	    grep -v '^audit/\(auditd\|audit-collect\|fuzz-.*\)\.o$')
	libs=$(sed -n 's/^LIBS = //p' "$dir/Makefile")
	(cd "$dir" && clang -fsanitize=fuzzer,$SANITIZE_LIST -o audit-fuzz \
	    $objs tmux-main.o audit/fuzz-show-audit.o $libs) ||
	    die "tmux-fuzz/audit-fuzz was not built"
	(cd "$dir" && clang -fsanitize=fuzzer,$SANITIZE_LIST \
	    -o collector-fuzz $objs tmux-main.o audit/audit-collect.o \
	    audit/fuzz-collector.o $libs) ||
	    die "tmux-fuzz/collector-fuzz was not built"
}

# Run each fuzz target for $1 seconds, from the seeds the tests left in
# fuzz/seeds and fuzz/seeds-collector (a few tests are run to make some if
# there are none) and what it kept of earlier runs (fuzz/corpus,
# fuzz/corpus-collector; or $2 and $2-collector). Prints one line for
# each, as run.sh does for a test: PASS with the number of runs, or FAIL
# with libFuzzer's report and the input that failed, saved in
# fuzz/findings/.
FUZZ=$TOP/fuzz
FUZZ_SEED_TESTS="tamper-keys tamper-truncate tamper-segments syslog-witness
verify-segment-record collector-store collector-restart"
do_fuzz() {
	secs=$1
	corpus=${2:-$FUZZ/corpus}
	mkdir -p "$FUZZ/seeds" "$FUZZ/seeds-collector" "$corpus" \
	    "$corpus-collector" "$FUZZ/findings"
	if [ -z "$(ls "$FUZZ/seeds")" ] ||
	    [ -z "$(ls "$FUZZ/seeds-collector")" ]; then
		say "making fuzz seeds: regress/run.sh" $FUZZ_SEED_TESTS
		REGRESS_SEEDS=$FUZZ/seeds "$TOP/regress/run.sh" \
		    $FUZZ_SEED_TESTS >/dev/null
	fi
	cp "$TOP/regress/vectors/vector.tmux-audit" "$FUZZ/seeds/vector"
	rc=0
	fuzz_one show-audit audit-fuzz "$corpus" seeds || rc=1
	fuzz_one collector collector-fuzz "$corpus-collector" \
	    seeds-collector || rc=1
	return $rc
}

# One target: fuzz_one NAME BINARY CORPUS SEEDS (in fuzz/), for $secs.
fuzz_one() {
	log=$FUZZ/last-$1.log
	frc=0
	"$TOP/tmux-fuzz/$2" -max_total_time="$secs" -timeout=30 \
	    -max_len=131072 -rss_limit_mb=2048 -close_fd_mask=3 \
	    -dict="$TOP/regress/fuzz/$1.dict" \
	    -artifact_prefix="$FUZZ/findings/$1-" "$3" "$FUZZ/$4" \
	    >"$log" 2>&1 || frc=$?
	runs=$(sed -n \
	    's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' \
	    "$log")
	seeds=$(ls "$FUZZ/$4" | wc -l)
	if [ $frc -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS fuzz-$1: $runs from $seeds seeds, nothing found"
		return 0
	fi
	echo "FAIL fuzz-$1: exit status $frc"
	grep -v '^#[0-9]' "$log" |
	    sed -n '/ERROR: \|libFuzzer: \|runtime error: /,$p' | head -n 60 |
	    sed 's/^/    /'
	return 1
}

# Everything ./build.sh check runs, one line each as regress/run.sh prints
# them, then the count of them all: the tests (named, or all), leaving
# seeds for the fuzz targets; the same tests on tmux-asan/tmux, as
# asan/NAME; and, for the whole suite, a run of each fuzz target for
# $FUZZ_CHECK seconds from those seeds alone. How long each took goes to
# stderr.
FUZZ_CHECK=60
do_check() {
	lines=$(mktemp)
	t0=$(date +%s)
	rm -rf "$FUZZ/seeds" "$FUZZ/seeds-collector"
	mkdir -p "$FUZZ/seeds" "$FUZZ/seeds-collector"
	REGRESS_SEEDS=$FUZZ/seeds REGRESS_TOTAL=no "$TOP/regress/run.sh" "$@" |
	    tee -a "$lines"
	t1=$(date +%s)
	TMUX_BIN=$TOP/tmux-asan/tmux REGRESS_PREFIX=asan/ REGRESS_TOTAL=no \
	    "$TOP/regress/run.sh" "$@" | tee -a "$lines"
	t2=$(date +%s)
	if [ $# -eq 0 ]; then
		corpus=$(mktemp -d)
		do_fuzz $FUZZ_CHECK "$corpus" | tee -a "$lines"
		rm -rf "$corpus" "$corpus-collector"
	fi
	t3=$(date +%s)
	say "tests $((t1 - t0)) s, with sanitizers $((t2 - t1)) s," \
	    "fuzzing $((t3 - t2)) s"
	# grep -c prints 0, but fails, when nothing matches.
	passed=$(grep -c '^PASS ' "$lines" || true)
	failed=$(grep -c '^FAIL ' "$lines" || true)
	skipped=$(grep -c '^SKIP ' "$lines" || true)
	rm -f "$lines"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}

# The same tmux with AddressSanitizer and UndefinedBehaviorSanitizer, in
# tmux-asan/: every report stops the process (run.sh fails the test).
SANITIZE_LIST=address,undefined
do_asan() {
	do_build
	build_variant "$TOP/tmux-asan" gcc "-O1 -g -fno-omit-frame-pointer \
-fsanitize=$SANITIZE_LIST -fno-sanitize-recover=all" \
	    "-fsanitize=$SANITIZE_LIST"
}

# npm's integrity string of file $1: sha512-BASE64.
integrity() {
	[ -f "$1" ] || return 0
	printf 'sha512-%s' "$(sha512sum <"$1" | cut -c1-128 | tr a-f A-F |
	    basenc --base16 -d | base64 -w0)"
}

# Put the player in audit/player, from the cache or the npm registry (npm
# pack fetches the package's tarball without running any of its scripts).
# Returns 1, saying why, if it cannot: the build does not need it.
do_player() {
	want="asciinema-player $PLAYER_VERSION $PLAYER_INTEGRITY"
	[ "$(cat "$PLAYER/VERSION" 2>/dev/null)" = "$want" ] && return 0
	tgz=$CACHE/asciinema-player-$PLAYER_VERSION.tgz
	mkdir -p "$CACHE"
	if [ "$(integrity "$tgz")" != "$PLAYER_INTEGRITY" ]; then
		if ! command -v npm >/dev/null; then
			say "no npm: cannot fetch asciinema-player"
			return 1
		fi
		say "fetching asciinema-player@$PLAYER_VERSION with npm pack"
		tmp=$(mktemp -d)
		if ! (cd "$tmp" && npm pack --silent --ignore-scripts \
		    --fetch-retries=1 "asciinema-player@$PLAYER_VERSION" \
		    >/dev/null 2>"$tmp/err"); then
			say "npm pack asciinema-player@$PLAYER_VERSION" \
			    "failed: $(tail -n 1 "$tmp/err")"
			rm -rf "$tmp"
			return 1
		fi
		got=$(integrity "$tmp/asciinema-player-$PLAYER_VERSION.tgz")
		if [ "$got" != "$PLAYER_INTEGRITY" ]; then
			say "asciinema-player-$PLAYER_VERSION.tgz has" \
			    "integrity $got, not $PLAYER_INTEGRITY: not used"
			rm -rf "$tmp"
			return 1
		fi
		mv "$tmp/asciinema-player-$PLAYER_VERSION.tgz" "$tgz"
		rm -rf "$tmp"
	fi
	stage=$PLAYER.stage.$$
	rm -rf "$stage"
	mkdir -p "$stage"
	tar -xzf "$tgz" -C "$stage" --strip-components=1 package/LICENSE \
	    package/dist/bundle/asciinema-player.min.js \
	    package/dist/bundle/asciinema-player.css ||
	    { rm -rf "$stage"; say "cannot unpack $tgz"; return 1; }
	mv "$stage/dist/bundle/asciinema-player.min.js" \
	    "$stage/dist/bundle/asciinema-player.css" "$stage/"
	rm -rf "$stage/dist"
	echo "$want" >"$stage/VERSION"
	rm -rf "$PLAYER"
	mv "$stage" "$PLAYER"
}

do_pristine() {
	install_missing $BUILD_DEPS
	dir=$TOP/tmux-pristine
	if [ ! -x "$dir/tmux" ]; then
		rm -rf "$dir"
		tarball=$(obtain_tarball)
		mkdir -p "$dir.stage"
		tar -xzf "$tarball" -C "$dir.stage"
		mv "$dir.stage/tmux-$VERSION" "$dir"
		rmdir "$dir.stage"
		(cd "$dir" && ./configure -q --enable-utf8proc >/dev/null &&
		    make -s -j"$(nproc)" >/dev/null)
	fi
	[ -x "$dir/tmux" ] || die "tmux-pristine/tmux was not built"
}

cmd=${1:-build}
[ $# -gt 0 ] && shift
case "$cmd" in
prepare)
	install_missing $BUILD_DEPS
	prepare_tree
	;;
build)
	do_build
	;;
run)
	do_build
	exec "$TREE/tmux" -L tmux-audit-sample -f "$TOP/etc/sample.conf" \
	    new-session -A -s audited "$@"
	;;
check)
	do_build
	install_missing $TEST_DEPS
	(install_missing rsyslog-relp) ||
	    say "rsyslog-relp not installed: RELP forwarding is not tested"
	do_player ||
	    say "no player: the tests of the HTML report's player are skipped"
	do_pristine
	do_asan
	do_fuzz_build
	do_check "$@"
	;;
pristine)
	do_pristine
	;;
player)
	do_player
	;;
asan)
	do_asan
	;;
fuzz)
	secs=${1:-60}
	case "$secs" in
	''|*[!0-9]*|0*)	die "usage: build.sh fuzz [SECONDS] (1 or more)" ;;
	esac
	do_fuzz_build
	install_missing $TEST_DEPS
	do_fuzz "$secs"
	;;
bench)
	do_build
	do_pristine
	command -v python3 >/dev/null || install_missing python3
	install_missing util-linux bsdutils
	# A peer that cannot be installed is reported as n/a, not fatal.
	(install_missing tlog) || say "tlog not installed: its rows will be n/a"
	(install_missing valgrind) ||
	    say "valgrind not installed: instructions will not be counted"
	(install_missing strace) || say "strace not installed: no syscall counts"
	exec "$TOP/bench/run.sh" "$@"
	;;
quilt)
	[ -d "$TREE" ] || die "tmux/ does not exist: run ./build.sh first"
	cd "$TREE"
	rc=0
	$QUILT "$@" || rc=$?
	# After a refresh with the whole series applied, the tree is what the
	# patches make: that is the new baseline for spotting local edits.
	if [ $rc -eq 0 ] && [ "${1:-}" = refresh ] && all_applied; then
		write_manifest "$TREE"
		patches_hash >"$TREE/$STAMP"
	fi
	exit $rc
	;;
deb|check-deb)
	if [ "$(id -u)" -ne 0 ]; then
		[ "$cmd" = deb ] && die "deb needs root: it builds in chroots"
		echo "check-deb: skipped: it needs root to make chroots"
		exit 77
	fi
	. "$TOP/packaging/deb.sh"
	if [ "$cmd" = check-deb ] &&
	    ! (install_missing mmdebstrap zstd dpkg-dev); then
		echo "check-deb: skipped: mmdebstrap cannot be installed"
		exit 77
	fi
	if [ "$cmd" = deb ]; then
		deb_main build
	else
		deb_main check
	fi
	;;
upstream-check)
	exec "$TOP/patches/upstream-check.sh" "$@"
	;;
*)
	die "usage: build.sh [prepare|build|run|check|check-deb|deb|pristine|"\
"player|asan|fuzz [SECONDS]|bench|quilt ARGS|upstream-check DIR [FROM [TO]]]"
	;;
esac
