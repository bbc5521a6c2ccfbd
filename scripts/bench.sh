#!/usr/bin/env bash
# make bench: the benchmark of scripts/guest/bench.sh in a guest per kernel
# (L2TPI_BENCH_KERNELS, default "6.12 6.1"); prints each guest's table and writes its
# figures to build/bench-KERNEL.json. L2TPI_BENCH_N (tunnels, default 1000) and
# L2TPI_BENCH_R (repetitions, default 3) set the size.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
make -s tools
mkdir -p build
# The guest reads its size from the tree it sees (the host's, over 9p).
printf 'BENCH_N=%s\nBENCH_R=%s\n' "${L2TPI_BENCH_N:-1000}" "${L2TPI_BENCH_R:-3}" >build/bench.env
rc=0
for k in ${L2TPI_BENCH_KERNELS:-6.12 6.1}; do
	scripts/build.sh "$k" >/dev/null
	out=build/bench-$k
	if scripts/vm.sh -t 3600 -o "$out" "$k" scripts/guest/bench.sh >"$out.log" 2>"$out.err"; then
		grep -v '^BENCH-JSON ' "$out.log"
		sed -n 's/^BENCH-JSON //p' "$out.log" >"$out.json"
		msg "$k: figures in $out.json"
	else
		cat "$out.log" "$out.err" >&2
		msg "$k: the benchmark failed"
		rc=1
	fi
done
exit $rc
