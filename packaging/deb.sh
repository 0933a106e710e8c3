# packaging/deb.sh: the Debian packages, built and tested in clean chroots
# (./build.sh deb, ./build.sh check-deb). Sourced by build.sh, whose TOP,
# VERSION, CACHE, say, die, install_missing, obtain_tarball and
# debian_archive it uses.
#
# For each release in DEB_RELEASES, oldest first:
#
#   - a chroot made by mmdebstrap from the archive the machine's apt uses,
#     kept as a tarball in $CACHE/chroots (one for building, with the
#     Build-Depends and lintian; one minimal, for testing) and made again
#     when what goes into it changes or it is older than
#     $TMUX_AUDIT_CHROOT_MAX_AGE days (30);
#   - the source package staged in $CACHE/deb/RELEASE: the upstream tarball
#     unchanged as the .orig.tar.gz, audit/ as the orig-audit component,
#     README.md, CHANGES and etc/ as the orig-tmux-audit component,
#     packaging/debian as debian/, patches/ as debian/patches;
#   - the build, inside a throwaway copy of the chroot with no network
#     (packaging/chroot-build.sh), into dist/RELEASE;
#   - for check-deb, the tests, inside a throwaway copy of the minimal
#     chroot (packaging/chroot-check.sh).
#
# The newest release gets the version in packaging/debian/changelog, the
# others that version with ~debNu1 appended (3.5a+audit0.2.0-1~deb12u1 <
# 3.5a+audit0.2.0-1), so upgrading the system to the next release upgrades
# the package too.

DEB_RELEASES="bookworm:12 trixie:13"
DEB_TEMPLATES=$TOP/packaging/debian
DEB_WORK=$CACHE/deb
DIST=$TOP/dist
CHROOTS=$CACHE/chroots
CHROOT_MAX_AGE=${TMUX_AUDIT_CHROOT_MAX_AGE:-30}
DEB_RUN_DIRS=
DEB_RESULTS=

deb_audit_version() {
	sed -n 's/^#define AUDIT_VERSION "\(.*\)"$/\1/p' "$TOP/audit/audit.h"
}

deb_audit_format() {
	sed -n 's/^#define AUDIT_FORMAT \([0-9]*\)$/\1/p' "$TOP/audit/audit.h"
}

# The Build-Depends of packaging/debian/control as package names, comma
# separated, for mmdebstrap --include.
deb_build_deps() {
	sed -n '/^Build-Depends:/,/^[^[:space:]]/{
		s/^Build-Depends://
		/^[^[:space:]]/d
		p
	}' "$DEB_TEMPLATES/control" | tr ',' '\n' |
	    sed 's/[[(<].*//; s/[[:space:]]//g; /^$/d;
		s/^debhelper-compat$/debhelper/' | paste -sd, -
}

# The date of the newest entry deb_changelog writes.
deb_changelog_date() {
	log=$DEB_TEMPLATES/changelog
	if [ "$(dpkg-parsechangelog -l "$log" -S Version | sed 's/-[^-]*$//')" = \
	    "$VERSION+audit$(deb_audit_version)" ]; then
		dpkg-parsechangelog -l "$log" -S Date
	else
		date -R -d "@$(git -C "$TOP" log -1 --format=%ct)"
	fi
}

# Write the changelog for release $1 (codename) $2 (number) to stdout:
# packaging/debian/changelog, with an entry for the AUDIT_VERSION in
# audit/audit.h if it has none yet, and for all but the newest release an
# entry for the ~debNu1 build on top.
deb_changelog() {
	log=$DEB_TEMPLATES/changelog
	newest=$(echo "$DEB_RELEASES" | tr ' ' '\n' | tail -n 1 | cut -d: -f1)
	maint=$(dpkg-parsechangelog -l "$log" -S Maintainer)
	version=$(dpkg-parsechangelog -l "$log" -S Version)
	date=$(deb_changelog_date)
	upstream=$VERSION+audit$(deb_audit_version)
	new=
	if [ "${version%-*}" != "$upstream" ]; then
		version=$upstream-1
		say "packaging/debian/changelog has no entry for $upstream:" \
		    "adding one (add it to the file)"
		new=$(printf '%s (%s) %s; urgency=medium\n\n  * %s\n\n -- %s  %s\n' \
		    tmux-audit "$version" "$newest" \
		    "New release, tmux-audit $(deb_audit_version): see CHANGES." \
		    "$maint" "$date")
	fi
	# A minute after the entry it builds: each entry must be newer.
	if [ "$1" != "$newest" ]; then
		printf '%s (%s) %s; urgency=medium\n\n  * %s\n\n -- %s  %s\n\n' \
		    tmux-audit "$version~deb$2u1" "$1" \
		    "Build for Debian $2 ($1)." "$maint" \
		    "$(date -R -u -d "@$(($(date -d "$date" +%s) + 60))")"
	fi
	[ -n "$new" ] && printf '%s\n\n' "$new"
	cat "$log"
}

# Make component tarball $1 of the files git knows (tracked, or new and not
# ignored) under the paths that follow, in a top directory named $1 (the
# paths under audit/ are there already), reproducibly: sorted, owned by
# root, dated $DEB_EPOCH.
deb_component() {
	name=$1
	shift
	(cd "$TOP" && git ls-files -co --exclude-standard -- "$@" |
	    LC_ALL=C sort | tar -cf - --no-recursion --owner=0 --group=0 \
	    --numeric-owner --mode=u+rw,go+r,go-w --mtime="@$DEB_EPOCH" \
	    --transform="s|^\($name/\)\{0,1\}|$name/|" -T - | gzip -n -9) \
	    >"$DEB_WORK/orig/tmux-audit_$DEB_UPSTREAM.orig-$name.tar.gz"
}

# The orig tarballs, shared by every release's source package.
deb_origs() {
	tarball=$(obtain_tarball)
	DEB_UPSTREAM=$VERSION+audit$(deb_audit_version)
	DEB_EPOCH=$(date -d "$(deb_changelog_date)" +%s)
	rm -rf "$DEB_WORK/orig"
	mkdir -p "$DEB_WORK/orig"
	cp "$tarball" "$DEB_WORK/orig/tmux-audit_$DEB_UPSTREAM.orig.tar.gz"
	deb_component audit audit
	deb_component tmux-audit README.md CHANGES etc
	# The player of show-audit -e html: asciinema-player's npm tarball as
	# published, checked against its pinned integrity (do_player), as
	# the player component. Without it the package's reports say they
	# have no player.
	DEB_PLAYER=
	if do_player; then
		DEB_PLAYER="asciinema-player $PLAYER_VERSION $PLAYER_INTEGRITY"
		cp "$CACHE/asciinema-player-$PLAYER_VERSION.tgz" \
		    "$DEB_WORK/orig/tmux-audit_$DEB_UPSTREAM.orig-player.tar.gz"
	else
		say "the package is made without the HTML report's player"
	fi
}

# Stage release $1 ($2)'s source in $DEB_WORK/$1: the orig tarballs and the
# tree dpkg-buildpackage is run in.
deb_stage() {
	stage=$DEB_WORK/$1
	src=$stage/tmux-audit-$DEB_UPSTREAM
	rm -rf "$stage"
	mkdir -p "$src/audit" "$src/tmux-audit"
	cp "$DEB_WORK/orig/"* "$stage/"
	tar -xzf "$stage/tmux-audit_$DEB_UPSTREAM.orig.tar.gz" \
	    --strip-components=1 -C "$src"
	for c in audit tmux-audit player; do
		t=$stage/tmux-audit_$DEB_UPSTREAM.orig-$c.tar.gz
		[ -f "$t" ] || continue
		mkdir -p "$src/$c"
		tar -xzf "$t" --strip-components=1 -C "$src/$c"
	done
	cp -R "$DEB_TEMPLATES" "$src/debian"
	# What the player's VERSION file says (debian/rules writes it).
	[ -z "$DEB_PLAYER" ] || echo "$DEB_PLAYER" >"$src/debian/player-version"
	mkdir "$src/debian/patches"
	cp "$TOP/patches/series" "$src/debian/patches/"
	grep -v '^#' "$TOP/patches/series" | awk 'NF {print $1}' |
	    while read -r p; do
		cp "$TOP/patches/$p" "$src/debian/patches/"
	done
	deb_changelog "$1" "$2" >"$src/debian/changelog"
}

# Print the sources.list lines for release $1 from the machine's archive.
deb_sources() {
	mirror=$(debian_archive)
	[ -n "$mirror" ] || die "no Debian archive in the machine's apt sources"
	echo "deb $mirror $1 main"
	echo "deb $mirror $1-updates main"
	security=$(debian_archive debian-security)
	[ -z "$security" ] || echo "deb $security $1-security main"
}

# Set tarball to the cached chroot tarball of kind $2 (build or test) for
# release $1, making it first if needed.
deb_chroot_tarball() {
	case $2 in
	build)	variant=buildd include=passwd,lintian,$(deb_build_deps) ;;
	test)	variant=minbase include= ;;
	esac
	sources=$(deb_sources "$1")
	key=$(printf '%s\n' "$variant" "$include" "$sources" | sha256sum |
	    cut -c1-12)
	out=$CHROOTS/$1-$2-$key.tar.zst
	tarball=$out
	if [ -f "$out" ] &&
	    [ -z "$(find "$out" -mtime "+$CHROOT_MAX_AGE")" ]; then
		return 0
	fi
	mkdir -p "$CHROOTS"
	rm -f "$CHROOTS/$1-$2-"*.tar.zst
	tmp=$CHROOTS/.new-$1-$2.tar.zst
	say "making the $1 $2 chroot with mmdebstrap (variant $variant)"
	printf '%s\n' "$sources" | tr '\n' '\0' | xargs -0 nice -n 10 \
	    mmdebstrap --quiet --mode=auto --variant="$variant" \
	    ${include:+--include="$include"} "$1" "$tmp" >&2 ||
	    { rm -f "$tmp"; die "mmdebstrap failed for $1 ($2)"; }
	mv "$tmp" "$out"
}

# Unpack chroot tarball $1 into a new directory, root.
deb_chroot_unpack() {
	mkdir -p "$CHROOTS"
	root=$(mktemp -d "$CHROOTS/run.XXXXXX")
	DEB_RUN_DIRS="$DEB_RUN_DIRS $root"
	tar --zstd -xpf "$1" -C "$root" --numeric-owner ||
	    die "cannot unpack $1"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

# Run a command in the chroot $1 (after --offline: with no network), in
# mount and PID namespaces of its own: /proc, /dev/pts and every process
# started inside end with the command, whatever happens.
deb_chroot_run() {
	net=
	if [ "$1" = --offline ]; then
		net=--net
		shift
	fi
	unshare --mount --propagation private --pid --fork --kill-child \
	    $net sh -c '
		r=$1
		shift
		mount -t proc proc "$r/proc" &&
		mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 \
		    devpts "$r/dev/pts" &&
		mount --bind "$r/dev/pts/ptmx" "$r/dev/ptmx" &&
		mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm" || exit 125
		exec chroot "$r" "$@"' sh "$@"
}

# Remove an unpacked chroot; nothing can be mounted in it any more, as its
# namespace has ended, but check before removing anything. What is left
# after a first try is what the collector made immutable or append-only
# (chroot-check.sh): clear the flags there and try again.
deb_chroot_remove() {
	if grep -q " $1/" /proc/self/mountinfo; then
		say "not removing $1: something is still mounted in it"
		return 1
	fi
	rm -rf --one-file-system "$1" 2>/dev/null && return 0
	chattr -R -i -a "$1" 2>/dev/null
	rm -rf --one-file-system "$1"
}

deb_cleanup() {
	for d in $DEB_RUN_DIRS; do
		[ -d "$d" ] && deb_chroot_remove "$d"
	done
	DEB_RUN_DIRS=
	[ -z "$DEB_RESULTS" ] || rm -f "$DEB_RESULTS"
}

# Copy output lines through, naming release $1 in the PASS/FAIL lines and
# keeping those in $DEB_RESULTS. A line "EXIT n" (n not 0) from the caller
# is a failure of step $2.
deb_results() {
	while IFS= read -r line; do
		case $line in
		"EXIT 0")
			continue ;;
		"EXIT "*)
			line="FAIL $1/$2: exit status ${line#EXIT }" ;;
		"PASS "*|"FAIL "*)
			line="${line%% *} $1/${line#* }" ;;
		esac
		case $line in
		"PASS "*|"FAIL "*)
			echo "$line" >>"$DEB_RESULTS" ;;
		esac
		printf '%s\n' "$line"
	done
}

# Build release $1 ($2) in a fresh build chroot into dist/$1; with $3 = 1
# also the +b1 rebuild, into $DEB_WORK/$1-upgrade.
deb_build_release() {
	deb_stage "$1" "$2"
	deb_chroot_tarball "$1" build
	deb_chroot_unpack "$tarball"
	mkdir "$root/build"
	cp -a "$DEB_WORK/$1/." "$root/build/"
	cp "$TOP/packaging/chroot-build.sh" "$root/build/"
	{
		rc=0
		deb_chroot_run --offline "$root" env \
		    SRC="tmux-audit-$DEB_UPSTREAM" JOBS="$(nproc)" \
		    UPGRADE="$3" sh /build/chroot-build.sh || rc=$?
		echo "EXIT $rc"
	} 2>&1 | deb_results "$1" build
	rm -rf "$DIST/$1" "$DEB_WORK/$1-upgrade"
	mkdir -p "$DIST/$1" "$DEB_WORK/$1-upgrade"
	for f in "$root"/build/*; do
		case ${f##*/} in
		*+b1_*) ;;
		*.deb|*.dsc|*.tar.*|*.changes|*.buildinfo|build.log|lintian.txt)
			cp "$f" "$DIST/$1/" ;;
		esac
	done
	if [ "$3" = 1 ]; then
		cp "$root"/build/upgrade/*.deb "$DEB_WORK/$1-upgrade/" \
		    2>/dev/null || true
	fi
	deb_chroot_remove "$root"
	DEB_RUN_DIRS=${DEB_RUN_DIRS% $root}
	return 0
}

# Test release $1's packages in a fresh minimal chroot.
deb_check_release() {
	deb_chroot_tarball "$1" test
	deb_chroot_unpack "$tarball"
	mkdir -p "$root/srv/debs/upgrade"
	cp "$DIST/$1/"*.deb "$root/srv/debs/"
	cp "$DEB_WORK/$1-upgrade/"*.deb "$root/srv/debs/upgrade/"
	cp "$TOP/packaging/chroot-check.sh" "$root/srv/"
	show="tmux-audit $(deb_audit_version) (tmux $VERSION)"
	show="$show format $(deb_audit_format)"
	man8=0
	[ -f "$TOP/audit/tmux-auditd.8" ] && man8=1
	{
		rc=0
		deb_chroot_run "$root" env -i \
		    PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		    SHOW_AUDIT_V="$show" TMUX_V="tmux $VERSION" \
		    CHANGES_HEAD="$(head -n 1 "$TOP/CHANGES")" \
		    AUDITD_MAN8=$man8 PLAYER_V="$DEB_PLAYER" \
		    sh /srv/chroot-check.sh || rc=$?
		echo "EXIT $rc"
	} 2>&1 | deb_results "$1" check
	deb_chroot_remove "$root"
	DEB_RUN_DIRS=${DEB_RUN_DIRS% $root}
	return 0
}

# ./build.sh deb (mode build) and ./build.sh check-deb (mode check).
deb_main() {
	mode=$1
	install_missing mmdebstrap zstd dpkg-dev e2fsprogs
	DEB_RESULTS=$(mktemp)
	trap deb_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	# Copies left by a run that was killed (their namespaces are gone).
	for d in "$CHROOTS"/run.*; do
		[ -d "$d" ] && [ -n "$(find "$d" -maxdepth 0 -mmin +720)" ] &&
		    deb_chroot_remove "$d"
	done
	deb_origs
	upgrade=0
	[ "$mode" = check ] && upgrade=1
	times=
	for r in $DEB_RELEASES; do
		codename=${r%%:*}
		start=$(date +%s)
		deb_build_release "$codename" "${r#*:}" "$upgrade"
		built=$(date +%s)
		times="$times $codename: build $((built - start)) s"
		if [ "$mode" = check ]; then
			if grep -q "^PASS $codename/build" "$DEB_RESULTS" &&
			    grep -q "^PASS $codename/rebuild" "$DEB_RESULTS"
			then
				deb_check_release "$codename"
			else
				echo "FAIL $codename/check: not run, the build failed" |
				    deb_results "$codename" check
			fi
			times="$times, test $(($(date +%s) - built)) s;"
		else
			times="$times;"
		fi
	done
	say "times (chroots made or unpacked included):$times"
	passed=$(grep -c '^PASS ' "$DEB_RESULTS" || true)
	failed=$(grep -c '^FAIL ' "$DEB_RESULTS" || true)
	if [ "$mode" = build ]; then
		(cd "$TOP" && ls dist/*/*.deb dist/*/*.dsc 2>/dev/null) |
		    sed 's/^/  /'
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
