#!/usr/bin/env bash
# make check: lint, build for every supported kernel, KUnit and the integration tests in
# QEMU guests. Prints every result, then one line "N passed, N failed"; exits non-zero
# on any failure (a compiler/sparse warning, a checkpatch report, a failed test, a
# kernel WARN/BUG/KASAN/lockdep/kmemleak report in a guest, a hung guest).
# L2TPI_KERNELS="6.1 6.12 debug" selects the kernels.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP" || exit 1

kernels=${L2TPI_KERNELS:-6.1 6.12 debug}
passed=0
failed=0
skipped=0
logdir=$L2TPI_TOP/build/check
rm -rf "$logdir"
mkdir -p "$logdir"
t0=$(date +%s)

result() { # ok|fail NAME
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "PASS: $2"
	else
		failed=$((failed + 1))
		echo "FAIL: $2"
	fi
}
step() { # NAME COMMAND...: one result from one command, its output kept in a log
	local name=$1 log
	shift
	log=$logdir/$(echo "$name" | tr -c 'a-zA-Z0-9.\n-' _).log
	if "$@" >"$log" 2>&1; then
		result ok "$name"
	else
		sed 's/^/    /' "$log" | tail -n 60
		result fail "$name"
	fi
}
# Count the TAP lines of a guest run, then the run itself (clean console, verdict).
tap_results() { # NAME LOG
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			echo "SKIP: $1: ${line#ok }"
			;;
		"ok "*) result ok "$1: ${line#ok }" ;;
		"not ok "*) result fail "$1: ${line#not ok }" ;;
		esac
	done <"$2"
}

echo "== kernels"
for k in $kernels; do
	if env=$(scripts/kernel.sh "$k" 2>"$logdir/kernel-$k.log"); then
		(. "$env" && echo "kernel $k: $KVERSION")
	else
		cat "$logdir/kernel-$k.log"
		result fail "kernel $k available"
	fi
done

echo "== lint and userspace"
src=$(scripts/kernel.sh debug 2>/dev/null) && checkpatch=$(. "$src" && echo "$KDIR/scripts/checkpatch.pl")
step "checkpatch --strict" scripts/lint.sh "${checkpatch:-}"
step "tools build (-Wall -Wextra -Werror)" make -s tools

# The guests of one kernel, one after the other; only files are written here, results
# are counted afterwards in a fixed order (the kernels run two at a time).
run_kernel() { # KERNEL
	local k=$1 t name out
	scripts/build.sh "$k" >"$logdir/$k-build.log" 2>&1 || { echo fail >"$logdir/$k-build.rc"; return; }
	echo ok >"$logdir/$k-build.rc"
	for t in scripts/tests/*.sh; do
		name=$(basename "$t" .sh)
		case $name in lib) continue ;; esac
		if [ "$name" = kunit ] && [ "$k" != debug ]; then
			continue	# stock kernels have no KUnit
		fi
		out=$logdir/$k-$name
		scripts/vm.sh -o "$out" "$k" "$t" >"$out.tap" 2>"$out.err"
		echo $? >"$out.rc"
	done
}
# Report one kernel's results (after run_kernel).
report_kernel() { # KERNEL
	local k=$1 t name out
	echo "== kernel $k"
	if [ "$(cat "$logdir/$k-build.rc" 2>/dev/null)" != ok ]; then
		sed 's/^/    /' "$logdir/$k-build.log" | tail -n 60
		result fail "module build $k (W=1, sparse C=2)"
		return
	fi
	result ok "module build $k (W=1, sparse C=2)"
	for out in "$logdir/$k"-*.rc; do
		out=${out%.rc}
		name=${out##*/$k-}
		[ "$name" = build ] && continue
		grep -E '^(not ok|# )' "$out.tap" | grep -v '^# \$' | grep -vE '^#   (expected|got): dir=' |
			sed 's/^/    /' | head -n 40
		tap_results "$k $name" "$out.tap"
		if [ "$name" = kunit ]; then
			if python3 "$kunit_py" parse "$out/console.log" >"$out.kunit" 2>&1; then
				grep -E '(Testing complete|Ran [0-9]+ tests)' "$out.kunit" | sed 's/^/    /'
				result ok "$k kunit: kunit.py parse of the console KTAP"
			else
				sed 's/^/    /' "$out.kunit" | tail -n 40
				result fail "$k kunit: kunit.py parse of the console KTAP"
			fi
		fi
		grep 'booting it once more' "$out.err" | sed 's/^/    /'
		if [ "$(cat "$out.rc")" = 0 ]; then
			result ok "$k $name: guest run clean ($(tail -n 1 "$out.err" | sed 's/^vm.sh: [^:]*: //'))"
		else
			sed 's/^/    /' "$out.err" | tail -n 30
			result fail "$k $name: guest run clean"
		fi
	done
}

kunit_py=$( (. "$(scripts/kernel.sh debug 2>/dev/null)" && echo "$KDIR/tools/testing/kunit/kunit.py") 2>/dev/null)
# Two chains of guests at a time (2 cores, each TCG guest takes one): the debug kernel,
# whose guests are the slowest, alone; the stock kernels one after the other.
chain_debug=
chain_stock=
for k in $kernels; do
	if [ "$k" = debug ]; then chain_debug+=" $k"; else chain_stock+=" $k"; fi
done
echo "== guests (running:$chain_debug$chain_stock)"
(for k in $chain_debug; do run_kernel "$k"; done) &
(for k in $chain_stock; do run_kernel "$k"; done) &
wait
for k in $kernels; do
	report_kernel "$k"
done

echo "== done in $(($(date +%s) - t0))s (logs: $logdir)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
