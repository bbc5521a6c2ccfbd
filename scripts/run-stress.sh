#!/usr/bin/env bash
# make stress: the reliability scenarios of scripts/tests/stress.sh at full size on the
# debug kernel (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak, failslab), and beside
# it, in a second guest slot (one per core), the genetlink fuzzer at a million messages
# on each stock kernel, one after the other (the debug kernel takes 80 ms a message:
# too slow for that; a stock guest about 0.5 ms).
# make check runs stress.sh smoke-sized on every kernel. Prints both guests' TAP.
#   L2TPI_STRESS_KERNEL   the kernel of the scenarios (default debug)
#   L2TPI_STRESS_FUZZ     ROOT,USER,CHECK for each fuzz guest (default
#                         700000,300000,1: the state compared after every
#                         refused message); 0 skips them
#   L2TPI_FUZZ_KERNELS    their kernels (default "6.12 6.1")
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
k=${L2TPI_STRESS_KERNEL:-debug}
fks=${L2TPI_FUZZ_KERNELS:-6.12 6.1}
fuzz=${L2TPI_STRESS_FUZZ:-700000,300000,1}
[ "$fuzz" = 0 ] || [[ $fuzz =~ ^[0-9]+,[0-9]+,[1-9][0-9]*$ ]] ||
	die "L2TPI_STRESS_FUZZ=$fuzz: expected ROOT,USER,CHECK or 0"
make -s tools testing
for kk in "$k" $([ "$fuzz" = 0 ] || echo "$fks"); do
	scripts/kernel.sh "$kk" >/dev/null
	scripts/build.sh "$kk" >/dev/null
done
mkdir -p build
rm -f build/stress-*.log	# a log of an earlier run is not this run's
start=$(date +%s)
guest() {	# NAME KERNEL TEST CMDLINE
	local rc=0
	L2TPI_CMDLINE="$4${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}" \
		scripts/vm.sh -t 5400 -o "build/stress-$1" "$2" "$3" >"build/stress-$1.log" 2>&1 || rc=$?
	msg "$1 ($2): $(($(date +%s) - start)) s, exit $rc (log: build/stress-$1.log)"
	return $rc
}
pids=()
guest scenarios "$k" scripts/tests/stress.sh l2tpi.stress=full & pids+=($!)
fuzzers() {
	local fk rc=0
	for fk in $fks; do
		guest "fuzz-$fk" "$fk" scripts/tests/fuzz.sh "l2tpi.fuzz=$fuzz" || rc=1
	done
	return $rc
}
[ "$fuzz" = 0 ] || { fuzzers & pids+=($!); }
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
for h in scenarios $(for fk in $fks; do echo "fuzz-$fk"; done); do
	[ -f "build/stress-$h.log" ] || continue
	echo "== $h"
	cat "build/stress-$h.log"
done
msg "$(($(date +%s) - start)) s in all"
exit $rc
