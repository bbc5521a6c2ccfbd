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

# Report one kernel's results (after the guests).
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

# Stock kernels are downloads (fast); the debug kernel may have to be built (long on a
# fresh machine), so it is prepared in the background while the stock guests run.
echo "== kernels"
prepare() { # KERNEL: kernel (cached or fetched/built), then the module; writes $k-build.rc
	local k=$1
	if ! scripts/kernel.sh "$k" >"$logdir/kernel-$k.env" 2>"$logdir/kernel-$k.log"; then
		cp "$logdir/kernel-$k.log" "$logdir/$k-build.log"
		echo fail >"$logdir/$k-build.rc"
		return
	fi
	if scripts/build.sh "$k" >"$logdir/$k-build.log" 2>&1; then
		echo ok >"$logdir/$k-build.rc"
	else
		echo fail >"$logdir/$k-build.rc"
	fi
}
# The debug kernel first (on a fresh machine its build is the long pole), then the
# stock downloads beside it.
case " $kernels " in
*" debug "*) prepare debug & prep_pid=$! ;;
*) prep_pid= ;;
esac
for k in $kernels; do
	[ "$k" = debug ] && continue
	prepare "$k"
	[ -s "$logdir/kernel-$k.env" ] && (. "$(cat "$logdir/kernel-$k.env")" && echo "kernel $k: $KVERSION")
done

echo "== userspace"
step "tools and testing/tools build (-Wall -Wextra -Werror)" make -s tools testing
# Debian's libreswan conflicts with strongSwan: unpacked into a cache, for
# vpn-libreswan.sh in the guests (which have no network).
step "libreswan unpacked for the guests (scripts/libreswan.sh)" \
	sh -c 'scripts/libreswan.sh >build/libreswan.path.new && mv build/libreswan.path.new build/libreswan.path'
# Host-side unit test of the l2tp-ipsec utility (parsing, messages, output): TAP.
if [ -x tools/l2tp-ipsec/test-l2tp-ipsec ]; then
	tools/l2tp-ipsec/test-l2tp-ipsec tools/l2tp-ipsec/l2tp-ipsec >"$logdir/l2tp-ipsec-unit.tap" 2>&1
	rc=$?
	tap_results "l2tp-ipsec unit" "$logdir/l2tp-ipsec-unit.tap"
	[ $rc = 0 ] || result fail "l2tp-ipsec unit: exit status $rc"
fi
# The utility's and the fuzzer's hand-written tables against netlink/l2tp_ipsec.yaml: TAP.
python3 tools/test-spec-tables.py >"$logdir/spec-tables.tap" 2>&1
rc=$?
tap_results "spec tables" "$logdir/spec-tables.tap"
[ $rc = 0 ] || result fail "spec tables: exit status $rc"
step "netlink: kmod/netlink-gen.[ch] and the UAPI header match netlink/l2tp_ipsec.yaml" \
	scripts/ynl-gen.sh --check
step "docs/design.md: the call graph of kmod/ is the sources'" scripts/callgraph.py --check docs/design.md

# make install and DKMS, against each stock kernel's headers (nothing is installed here).
for k in $kernels; do
	[ "$k" = debug ] && continue
	[ "$(cat "$logdir/$k-build.rc" 2>/dev/null)" = ok ] || continue
	step "make install DESTDIR=... for $k (modules_install, depmod, utility, man page)" \
		scripts/install.sh make "$k"
	step "dkms add + dkms build for $k" scripts/install.sh dkms "$k"
done

# Every (kernel, test) guest is a job; two workers (2 cores, one TCG guest each) take
# them longest first, as soon as their kernel is ready. Only files are written here;
# results are counted afterwards in a fixed order.
queue=$logdir/queue
: >"$queue"
for order in "debug tunnel" "debug server" "debug netlink" "debug stress" "debug failclosed" "debug kunit" \
	"debug l2tp" "debug fuzz"; do
	for k in $kernels; do
		[ "$k" = "${order% *}" ] && echo "$order" >>"$queue"
	done
done
for t in server tunnel vpn-cert vpn-psk vpn-daemon vpn-libreswan vpn-libreswan-cert netlink bench vpn-nat vpn-nat-control stress l2tp failclosed fuzz; do
	for k in $kernels; do
		[ "$k" = debug ] || echo "$k $t" >>"$queue"
	done
done
for t in scripts/tests/*.sh; do	# a test not named above runs last
	t=$(basename "$t" .sh)
	# (nat-experiment.sh: an experiment run by hand, docs/nat.md 5)
	[ "$t" = lib ] || [ "$t" = nat-experiment ] || grep -q " $t\$" "$queue" ||
		for k in $kernels; do echo "$k $t" >>"$queue"; done
done
# take_job: print the first job whose kernel is ready, "wait" if only jobs of kernels
# still being prepared are left, nothing when the queue is empty. Jobs of a kernel that
# failed to build are dropped (report_kernel reports the build).
take_job() {
	local k t rc job=wait left=0
	exec 9>"$queue.lock"
	flock 9
	while read -r k t; do
		rc=$(cat "$logdir/$k-build.rc" 2>/dev/null)
		if [ "$rc" = ok ] && [ "$job" = wait ]; then
			job="$k $t"
		elif [ "$rc" != fail ]; then
			echo "$k $t"
			left=1
		fi
	done <"$queue" >"$queue.new"
	mv "$queue.new" "$queue"
	flock -u 9
	exec 9>&-
	[ "$job" != wait ] || [ "$left" = 1 ] && echo "$job"
}
worker() {
	local job k t out
	while job=$(take_job) && [ -n "$job" ]; do
		if [ "$job" = wait ]; then
			sleep 5
			continue
		fi
		k=${job% *} t=${job#* }
		[ "$t" = kunit ] && [ "$k" != debug ] && continue	# stock kernels have no KUnit
		out=$logdir/$k-$t
		scripts/vm.sh -o "$out" "$k" "scripts/tests/$t.sh" >"$out.tap" 2>"$out.err"
		echo $? >"$out.rc"
	done
}
# The guests see the host's /tmp through their overlay; guest.sh gives each test a
# directory of its own there and fails one that writes beside it. The names the tests
# once used are planted here as directories, as a machine that ran anything else may
# have them, and go when make check ends.
planted=()
for n in t0 t1 t1b t2 t3 vpn r1 r2 r3 c0 c1 wc monitor.log bg.batch nl-add tun.err demo-ping; do
	[ -e "/tmp/$n" ] || { mkdir "/tmp/$n" && : >"/tmp/$n/planted" && planted+=("/tmp/$n"); }
done
trap '[ ${#planted[@]} = 0 ] || rm -rf "${planted[@]}"' EXIT
echo "== guests ($(wc -l <"$queue") jobs, two at a time, longest first)"
worker &
w1=$!
worker &
w2=$!
wait "$w1" "$w2"
[ -z "$prep_pid" ] || wait "$prep_pid"

# Lint needs checkpatch.pl from the kernel source tree of the debug kernel.
echo "== lint"
src=$(cat "$logdir/kernel-debug.env" 2>/dev/null || scripts/kernel.sh debug 2>/dev/null) &&
	checkpatch=$(. "$src" && echo "$KDIR/scripts/checkpatch.pl")
step "checkpatch --strict" scripts/lint.sh "${checkpatch:-}"

kunit_py=$( (. "$(cat "$logdir/kernel-debug.env" 2>/dev/null)" && echo "$KDIR/tools/testing/kunit/kunit.py") 2>/dev/null)
[ -s "$logdir/kernel-debug.env" ] &&
	(. "$(cat "$logdir/kernel-debug.env")" && echo "kernel debug: $KVERSION")
for k in $kernels; do
	report_kernel "$k"
done

echo "== done in $(($(date +%s) - t0))s (logs: $logdir)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
