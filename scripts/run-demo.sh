#!/usr/bin/env bash
# make demo: boot a QEMU guest on the stock Debian 12 kernel, load l2tp_ipsec with
# server=1 and show what it installs and what it does to plaintext L2TP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
if [ "$(id -u)" = 0 ]; then
	scripts/deps.sh
fi
kname=${L2TPI_DEMO_KERNEL:-6.1}
msg "fetching the stock Debian $kname kernel (cached in $L2TPI_CACHE)..."
scripts/kernel.sh "$kname" >/dev/null
msg "building l2tp_ipsec.ko for it and the test tools..."
scripts/build.sh "$kname" >/dev/null
make -s tools testing
msg "booting the guest (QEMU, software emulation: the whole demo takes about three minutes)..."
# The guest's output as it comes (vm.sh prints it only at the end).
out=$L2TPI_TOP/build/$kname/vm-demo
mkdir -p "$out"
rm -f "$out/results.log"
scripts/vm.sh -t 600 -o "$out" "$kname" scripts/guest/demo-guest.sh >/dev/null 2>"$out.err" &
vm=$!
tail -n +1 -F --pid="$vm" "$out/results.log" 2>/dev/null | tr -d '\r' |
	grep --line-buffered -v -e '^L2TPI-DONE' -e '^# guest kernel:' || :	# (the verdict is vm.sh's)
rc=0
wait "$vm" || rc=$?
cat "$out.err" >&2
exit "$rc"
