#!/usr/bin/env bash
# make check's install stages for one stock kernel, nothing installed on this machine:
#   install.sh make 6.1|6.12   make install DESTDIR=tmp against that kernel's headers:
#                              the module in lib/modules/KREL/updates, depmod'ed, the
#                              utility, l2tp-ipsec-dial and the man page
#   install.sh dkms 6.1|6.12   make dkms-src into a temporary /usr/src, then dkms add
#                              and dkms build in a private DKMS tree
set -euo pipefail
. "$(dirname "$0")/lib.sh"
what=${1:?usage: install.sh make|dkms 6.1|6.12}
kname=${2:?usage: install.sh make|dkms 6.1|6.12}
env=$("$L2TPI_TOP/scripts/kernel.sh" "$kname")
# shellcheck disable=SC1090
. "$env"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$L2TPI_TOP"
fail() { echo "install.sh: $*" >&2; exit 1; }

case $what in
make)
	# A copy of the sources: make install builds the module in the tree it runs in.
	mkdir "$tmp/src"
	cp -r Makefile Kbuild dkms.conf kmod kunit include tools "$tmp/src/"
	make -C "$tmp/src" -s KDIR="$KDIR" DESTDIR="$tmp/dest" install
	d=$tmp/dest
	ko=$(cd "$d" && find "lib/modules/$KREL/updates" -name 'l2tp_ipsec.ko*')	# .ko.xz on Debian
	for f in "$ko" usr/local/sbin/l2tp-ipsec \
		usr/local/sbin/l2tp-ipsec-dial usr/local/share/man/man8/l2tp-ipsec.8; do
		[ -f "$d/$f" ] || fail "missing $f"
		echo "installed: $f"
	done
	dep=$(grep "^${ko#lib/modules/"$KREL"/}:" "$d/lib/modules/$KREL/modules.dep") ||
		fail "depmod: l2tp_ipsec is not in modules.dep"
	echo "modules.dep: $dep"
	[ -z "$(modinfo -F sig_id "$d/$ko")" ] || fail "make install signed the module"
	;;
dkms)
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	make -s DESTDIR="$tmp/src" DKMS_SRC=/l2tp_ipsec-"$ver" dkms-src
	mkdir "$tmp/dkms"
	dk=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src")
	dkms add "${dk[@]}" -m l2tp_ipsec -v "$ver"
	dkms build "${dk[@]}" -m l2tp_ipsec -v "$ver" -k "$KREL" --kernelsourcedir "$KDIR" ||
		{ cat "$tmp/dkms/l2tp_ipsec/$ver/build/make.log" >&2; fail "dkms build failed"; }
	ko=$(find "$tmp/dkms/l2tp_ipsec/$ver/$KREL" -name 'l2tp_ipsec.ko*' | head -n 1)
	[ -n "$ko" ] || fail "dkms built no l2tp_ipsec.ko"
	vm=$(modinfo -F vermagic "$ko")
	echo "dkms built ${ko#"$tmp"/}: vermagic $vm"
	[ "${vm%% *}" = "$KREL" ] || fail "vermagic $vm is not $KREL"
	# Kernel lines the probes were not verified on: DKMS refuses, with its message.
	if out=$(dkms build "${dk[@]}" -m l2tp_ipsec -v "$ver" -k 7.2.0-1-amd64 \
		--kernelsourcedir "$KDIR" 2>&1); then
		fail "dkms built for kernel 7.2.0-1-amd64: $out"
	fi
	echo "dkms build for 7.2.0-1-amd64: $out"
	[[ $out == *BUILD_EXCLUSIVE* ]] || fail "dkms did not name BUILD_EXCLUSIVE"
	;;
*) fail "usage: install.sh make|dkms 6.1|6.12" ;;
esac
