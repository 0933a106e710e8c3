#!/bin/sh
#
# packaging/chroot-build.sh: build the Debian packages inside a clean build
# chroot; ./build.sh deb and check-deb copy it in and run it as root, with
# no network.
#
# /build holds the orig tarballs and the unpacked source tree $SRC, with
# debian/ staged from packaging/debian. As the unprivileged user builder:
# dpkg-buildpackage makes the source and binary packages in /build, then
# lintian checks them (errors and warnings fail; everything it says, info
# and overrides too, is in /build/lintian.txt). With UPGRADE=1 the same tree is then built
# again as a binary-only rebuild (+b1, the way Debian versions a binNMU),
# into /build/upgrade, for check-deb to upgrade to.
#
# Prints PASS or FAIL lines; the host names the release.

set -u
cd /build || exit 1

useradd -m -d /home/builder builder >/dev/null 2>&1
chown -R builder:builder /build

as_builder() {
	runuser -u builder -- env HOME=/home/builder LC_ALL=C.UTF-8 \
	    DEB_BUILD_OPTIONS="parallel=${JOBS:-2}" "$@"
}

# Show the end of a log, indented, as regress/run.sh shows a failing test.
show_log() {
	tail -n "${2:-40}" "$1" | sed 's/^/    /'
}

if (cd "$SRC" && as_builder nice -n 10 dpkg-buildpackage -us -uc -sa) \
    >build.log 2>&1; then
	echo "PASS build: $(ls ./*.deb | sed 's,^\./,,' | tr '\n' ' ')"
else
	echo "FAIL build"
	show_log build.log
	exit 0
fi

# The verdict from one run, the listing (info tags and overrides too) from
# another: with -I, Debian 12's lintian exits 2 for an info tag.
changes=$(ls ./*.changes)
as_builder lintian --fail-on error,warning $changes >/dev/null 2>&1
rc=$?
as_builder lintian -I --show-overrides $changes >lintian.txt 2>&1
summary=$(awk '
	/^E: / { e++ } /^W: / { w++ } /^I: / { i++ } /^O: / { o++ }
	/^P: / { p++ }
	END { printf "%d errors, %d warnings, %d info, %d overridden", \
	    e, w, i, o }' lintian.txt)
if [ $rc -eq 0 ]; then
	echo "PASS lintian: $summary"
else
	echo "FAIL lintian: $summary"
	sed 's/^/    /' lintian.txt
fi

[ "${UPGRADE:-0}" = 1 ] || exit 0
cd "$SRC" || exit 1
version=$(dpkg-parsechangelog -S Version)
{
	printf 'tmux-audit (%s+b1) %s; urgency=medium, binary-only=yes\n\n' \
	    "$version" "$(dpkg-parsechangelog -S Distribution)"
	printf '  * Binary-only rebuild, for ./build.sh check-deb to test an'
	printf ' upgrade.\n\n'
	printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -S Maintainer)" \
	    "$(date -R)"
	cat debian/changelog
} >debian/changelog.new && mv debian/changelog.new debian/changelog
chown builder:builder debian/changelog
# -nc: the tree is built already, so only the binary steps run again.
if as_builder nice -n 10 dpkg-buildpackage -us -uc -b -nc \
    >../upgrade.log 2>&1; then
	mkdir -p ../upgrade
	mv ../*+b1_*.deb ../upgrade/
	echo "PASS rebuild: $(cd ../upgrade && ls ./*.deb | sed 's,^\./,,' |
	    tr '\n' ' ')"
else
	echo "FAIL rebuild"
	show_log ../upgrade.log
fi
exit 0
