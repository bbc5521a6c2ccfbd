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
make -s tools
msg "booting the guest (QEMU, software emulation: about a minute)..."
scripts/vm.sh -t 300 "$kname" scripts/guest/demo.sh
