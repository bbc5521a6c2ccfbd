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

for k in $kernels; do
	echo "== kernel $k"
	if ! step "module build $k (W=1, sparse C=2)" scripts/build.sh "$k"; then
		continue
	fi
	for t in scripts/tests/*.sh; do
		case $t in */lib.sh) continue ;; esac
		name=$(basename "$t" .sh)
		if [ "$name" = kunit ] && [ "$k" != debug ]; then
			continue	# stock kernels have no KUnit
		fi
		out=$logdir/$k-$name
		scripts/vm.sh -o "$out" "$k" "$t" >"$out.tap" 2>"$out.err"
		vmrc=$?
		sed 's/^/    /' "$out.tap" | grep -E '^    (not ok|#)' | grep -v '^    # \$' | head -n 40
		tap_results "$k $name" "$out.tap"
		if [ "$name" = kunit ]; then
			if python3 "$(. "$(scripts/kernel.sh debug)" && echo "$KDIR")/tools/testing/kunit/kunit.py" \
				parse "$out/console.log" >"$out.kunit" 2>&1; then
				grep -E '^\[..:..:..\] (Testing complete|Ran)' "$out.kunit" | sed 's/^/    /'
				result ok "$k kunit: kunit.py parse"
			else
				sed 's/^/    /' "$out.kunit" | tail -n 40
				result fail "$k kunit: kunit.py parse"
			fi
		fi
		if [ $vmrc = 0 ]; then
			result ok "$k $name: guest run clean ($(tail -n 1 "$out.err" | sed 's/.*: //'))"
		else
			sed 's/^/    /' "$out.err" | tail -n 30
			result fail "$k $name: guest run clean"
		fi
	done
done

echo "== done in $(($(date +%s) - t0))s (logs: $logdir)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
