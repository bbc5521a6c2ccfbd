#!/usr/bin/env bash
# Fetch a stock Debian kernel (image, modules, headers) without installing it on the host,
# and write its kernel.env. The newest version in the package lists is resolved at run time;
# the result is cached under $L2TPI_CACHE keyed by that version.
# Usage: kernel-stock.sh 6.1|6.12   (prints the path of kernel.env)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-}
case $line in
6.1)
	# The 6.1 line is what the linux-image-amd64 meta package points to.
	img=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-6\.1\./ { print $2; exit }')
	[ -n "$img" ] || die "cannot resolve the Debian 6.1 kernel (apt-get update?)"
	krel=${img#linux-image-}
	img=$img-unsigned
	;;
6.12)
	img=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' | sort -V | tail -n 1)
	[ -n "$img" ] || die "cannot resolve the Debian 6.12 kernel (apt-get update?)"
	krel=${img#linux-image-}
	krel=${krel%-unsigned}
	;;
*)
	die "usage: kernel-stock.sh 6.1|6.12"
	;;
esac

pkgver=$(pkg_version "$img")
[ -n "$pkgver" ] || die "no candidate version for $img"
hdr=linux-headers-$krel
# The headers package depends on its -common part and on linux-kbuild (host tools).
deps=$(apt-cache depends "$hdr" | awk '/Depends: linux-(headers|kbuild)-/ { print $2 }' | sort -u)
dir=$L2TPI_CACHE/stock-$krel-$pkgver
env=$dir/kernel.env
cached_env "$dir"

rm -rf "$dir"
msg "fetching Debian $krel ($pkgver): $img $hdr $(echo $deps)"
# shellcheck disable=SC2086
fetch_debs "$dir/debs" "$dir/root" "$img" "$hdr" $deps
rm -rf "$dir/debs"
depmod -b "$dir/root" "$krel"

kdir=$dir/root/usr/src/linux-headers-$krel
[ -f "$kdir/Makefile" ] || die "no headers in $kdir"
# The arch headers' Makefile includes the -common tree by its absolute installed path.
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"
cat >"$env.tmp" <<EOT
KNAME=$line
KREL=$krel
KVERSION='Debian $krel ($pkgver)'
KDIR=$kdir
BZIMAGE=$dir/root/boot/vmlinuz-$krel
MODROOT=$dir/root
DEBUG=0
EOT
mv "$env.tmp" "$env"
echo "$env"
