#!/usr/bin/env bash
# Build the module (and, for a KUnit kernel, the KUnit module) for one test kernel in
# build/<kernel>/, a mirror of the source tree, so builds for several kernels coexist.
# W=1 and sparse (C=2) are on; any compiler or sparse warning fails the build.
# Usage: build.sh 6.1|6.12|debug
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kname=${1:?usage: build.sh 6.1|6.12|debug}
env=$("$L2TPI_TOP/scripts/kernel.sh" "$kname")
# shellcheck disable=SC1090
. "$env"
out=$L2TPI_TOP/build/$kname
rm -rf "$out"
mkdir -p "$out"
# Mirror only sources (a user's in-tree build objects must not leak in).
(cd "$L2TPI_TOP" && find Kbuild kmod kunit include -type f \( -name Kbuild -o -name '*.[ch]' \)) |
	while read -r f; do
		mkdir -p "$out/$(dirname "$f")"
		ln -s "$L2TPI_TOP/$f" "$out/$f"
	done
log=$out/build.log
if ! make -C "$KDIR" M="$out" W=1 C=2 modules >"$log" 2>&1; then
	cat "$log" >&2
	die "build for $KVERSION failed"
fi
# Warnings from gcc ("warning:") and sparse ("warning:", "error:") fail the build.
if grep -E 'warning:|error:' "$log" >&2; then
	die "build for $KVERSION has warnings (log: $log)"
fi
[ -f "$out/kmod/l2tp_ipsec.ko" ] || die "no l2tp_ipsec.ko for $KVERSION"
# Test builds that must leave auto-attach unarmed, saying why (trust.sh), in
# build/<kernel>/<name>/: one that knows no setup_udp_tunnel_sock() prototype, one
# that expects the other socket type than the running kernel's BTF declares.
for variant in unknown-bind:-DL2TPI_TEST_UNKNOWN_BIND btf-sk:-DL2TPI_TEST_BTF_SK; do
	alt=$out/${variant%%:*}
	mkdir -p "$alt"
	(cd "$out" && find Kbuild kmod include -type l) | while read -r f; do
		mkdir -p "$alt/$(dirname "$f")"
		ln -s "$L2TPI_TOP/$f" "$alt/$f"
	done
	if ! make -C "$KDIR" M="$alt" KCFLAGS="${variant#*:}" CONFIG_KUNIT= modules \
		>"$alt/build.log" 2>&1; then
		cat "$alt/build.log" >&2
		die "the ${variant%%:*} test build for $KVERSION failed"
	fi
done
if grep -q '^CONFIG_KUNIT=y' "$KDIR/.config"; then
	[ -f "$out/kunit/l2tp_ipsec_test.ko" ] || die "no l2tp_ipsec_test.ko for $KVERSION"
fi
echo "$out"
