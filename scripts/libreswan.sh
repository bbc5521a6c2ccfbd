#!/usr/bin/env bash
# Unpack Debian's libreswan package into a private tree without installing it (it
# conflicts with the strongSwan packages the harness installs). The candidate version is
# resolved at run time; the tree is cached under $L2TPI_CACHE keyed by that version. Its
# runtime libraries come from scripts/packages.txt (scripts/deps.sh installs them).
# Usage: libreswan.sh   (prints the path of the unpacked tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=libreswan
ver=$(pkg_version "$pkg")
if [ -z "$ver" ]; then
	# No package lists yet (a fresh machine): only root can fetch them, as deps.sh does.
	[ "$(id -u)" = 0 ] || die "no candidate version for $pkg (run apt-get update as root)"
	msg "no candidate version for $pkg: running apt-get update"
	apt-get update -q >/dev/null
	ver=$(pkg_version "$pkg")
	[ -n "$ver" ] || die "no candidate version for $pkg"
fi

dir=$L2TPI_CACHE/$pkg-$ver
# Written last, inside the tree, just before the tree is moved into place.
marker=.l2tpi-unpacked
if [ ! -f "$dir/$marker" ]; then
	mkdir -p "$L2TPI_CACHE"
	# Wait for a concurrent run unpacking the same version, then use its result.
	exec 9>"$dir.lock"
	flock 9
fi
if [ ! -f "$dir/$marker" ]; then
	msg "fetching $pkg $ver"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/debs" "$tmp/root"
	(cd "$tmp/debs" &&
		apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
		die "apt-get download $pkg=$ver failed (run apt-get update?)"
	deb=$(echo "$tmp"/debs/*.deb)
	[ -f "$deb" ] || die "apt-get download $pkg=$ver left no .deb"
	dpkg-deb -x "$deb" "$tmp/root"
	[ -x "$tmp/root/usr/libexec/ipsec/pluto" ] || die "no usr/libexec/ipsec/pluto in $deb"
	echo "$pkg $ver" >"$tmp/root/$marker"
	# A tree without the marker is a leftover of an interrupted run.
	rm -rf "$dir"
	mv -T "$tmp/root" "$dir"
fi
echo "$dir"
