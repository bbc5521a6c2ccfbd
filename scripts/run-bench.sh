#!/usr/bin/env bash
# make bench: the benchmark of scripts/guest/bench-guest.sh in a guest per kernel
# (L2TPI_BENCH_KERNELS, default "6.12 6.1"); prints each guest's table and writes its
# figures to build/bench-KERNEL.json. L2TPI_BENCH_N (tunnels, default 1000) and
# L2TPI_BENCH_R (repetitions, default 5) set the size; L2TPI_BENCH_PARTS ("bringup
# scale"), _SCALE ("1 1000 10000 65535"), _TEARDOWN ("10000 65535"), _FLUSH_MAX
# (65535), _MEM_N (10000) and _FRAMES (50000) those of scripts/guest/bench-guest.sh's parts.
# Each kernel's output (tables and targets) replaces the last one recorded between its
# markers in docs/performance.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
make -s tools testing
mkdir -p build
# The guest reads its size from the tree it sees (the host's, over 9p).
{
	printf 'BENCH_N=%s\nBENCH_R=%s\n' "${L2TPI_BENCH_N:-1000}" "${L2TPI_BENCH_R:-5}"
	for v in PARTS SCALE TEARDOWN FLUSH_MAX MEM_N FRAMES; do
		eval "val=\${L2TPI_BENCH_$v:-}"
		[ -z "$val" ] || printf 'BENCH_%s=%q\n' "$v" "$val"
	done
} >build/bench.env
# 65,535 tunnels need more than the tests' 1 GiB. Kernel audit off, as on a server
# without auditd (the tests need it on; the module and the agent way pay it alike).
export L2TPI_MEM=${L2TPI_MEM:-4096}
export L2TPI_CMDLINE="audit=0${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}"
# record KERNEL FILE: FILE, in a code block, between KERNEL's markers of docs/performance.md
record() {
	python3 - "$1" "$2" docs/performance.md <<-'EOF'
		import sys
		k, src, doc = sys.argv[1:]
		begin, end = f"<!-- make bench {k}: begin -->", f"<!-- make bench {k}: end -->"
		text = open(doc).read()
		if text.count(begin) != 1 or text.count(end) != 1:
		    sys.exit(f"{doc}: no markers for {k}")
		head, rest = text.split(begin)
		tail = rest.split(end)[1]
		body = open(src).read().rstrip("\n")
		open(doc, "w").write(f"{head}{begin}\n```\n{body}\n```\n{end}{tail}")
	EOF
}
rc=0
for k in ${L2TPI_BENCH_KERNELS:-6.12 6.1}; do
	scripts/build.sh "$k" >/dev/null
	out=build/bench-$k
	# a guest's run: about 25 minutes under TCG; on 6.12 ten of them create 65,535
	# tunnels (l2tp_validate_socket() scans every tunnel on 6.12: quadratic, floor too)
	if scripts/vm.sh -t 7200 -o "$out" "$k" scripts/guest/bench-guest.sh >"$out.log" 2>"$out.err"; then
		sed -n 's/^BENCH-JSON //p' "$out.log" >"$out.json"
		{
			grep -v -e '^BENCH-JSON ' -e '^+ ' "$out.log"
			scripts/bench-targets.py "$out.json"
		} | tee "$out.txt"
		record "$k" "$out.txt"
		msg "$k: figures in $out.json, the output in docs/performance.md"
	else
		cat "$out.log" "$out.err" >&2
		msg "$k: the benchmark failed"
		rc=1
	fi
done
exit $rc
