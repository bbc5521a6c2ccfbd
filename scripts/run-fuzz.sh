#!/usr/bin/env bash
# make fuzz: testing/tools/l2tp-ipsec-fuzz at full size on the debug kernel (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak) by default: 50,000 messages as root, the state compared
# after every refused one, and 50,000 as an unprivileged user, each compared too:
# 100,000 in all. The two halves run at once in two guests (one per core).
# make check runs the same test smoke-sized. Prints the guests' TAP and the counts.
#   L2TPI_KERNEL=6.1|6.12|debug   the kernel (default debug)
#   L2TPI_FUZZ=ROOT,USER[,CHECK]  messages as root, as uid 65534, and compare the state
#                                 after every CHECK-th refused one (default 50000,50000,1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
k=${L2TPI_KERNEL:-debug}
n=${L2TPI_FUZZ:-50000,50000,1}
[[ $n =~ ^([0-9]+),([0-9]+)(,([1-9][0-9]*))?$ ]] || die "L2TPI_FUZZ=$n: expected ROOT,USER[,CHECK]"
root=${BASH_REMATCH[1]} user=${BASH_REMATCH[2]} every=${BASH_REMATCH[4]:-1}
scripts/kernel.sh "$k" >/dev/null
scripts/build.sh "$k" >/dev/null
make -s tools testing
start=$(date +%s)
# One guest per half; its output is printed when it ends, the one that failed says so.
half() {	# NAME ROOT USER
	local rc=0
	L2TPI_CMDLINE="l2tpi.fuzz=$2,$3,$every${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}" \
		scripts/vm.sh -t 21600 -o "build/fuzz-$k-$1" "$k" scripts/tests/fuzz.sh \
		>"build/fuzz-$k-$1.log" 2>&1 || rc=$?
	msg "$k: $1: $(($(date +%s) - start)) s, exit $rc (log: build/fuzz-$k-$1.log)"
	return $rc
}
mkdir -p build
rm -f "build/fuzz-$k-root.log" "build/fuzz-$k-user.log"
pids=()
[ "$root" = 0 ] || { half root "$root" 0 & pids+=($!); }
[ "$user" = 0 ] || { half user 0 "$user" & pids+=($!); }
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
for h in root user; do
	[ -f "build/fuzz-$k-$h.log" ] || continue
	echo "== $h"
	cat "build/fuzz-$k-$h.log"
done
msg "$k: $(($(date +%s) - start)) s"
exit $rc
