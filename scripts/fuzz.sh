#!/usr/bin/env bash
# make fuzz: tools/l2tp-ipsec-fuzz at full size in one guest, on the debug kernel
# (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak) by default: 100,000 messages as root,
# the state compared after every refused one, then 100,000 as an unprivileged user.
# make check runs the same test smoke-sized. Prints the guest's TAP and the counts.
#   L2TPI_KERNEL=6.1|6.12|debug   the kernel (default debug)
#   L2TPI_FUZZ=ROOT,USER[,CHECK]  messages as root, as uid 65534, and compare the state
#                                 after every CHECK-th refused one (default 100000,100000,1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
k=${L2TPI_KERNEL:-debug}
n=${L2TPI_FUZZ:-100000,100000,1}
[[ $n =~ ^[0-9]+,[0-9]+(,[1-9][0-9]*)?$ ]] || die "L2TPI_FUZZ=$n: expected ROOT,USER[,CHECK]"
scripts/kernel.sh "$k" >/dev/null
scripts/build.sh "$k" >/dev/null
make -s tools
start=$(date +%s)
rc=0
L2TPI_CMDLINE="l2tpi.fuzz=$n${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}" \
	scripts/vm.sh -t 21600 -o "build/fuzz-$k" "$k" scripts/tests/fuzz.sh || rc=$?
msg "$k: $(($(date +%s) - start)) s"
exit $rc
