#!/usr/bin/env bash
# Boot a test kernel under QEMU (TCG) and run one test script in it.
#   Usage: vm.sh [-t TIMEOUT] [-o OUTDIR] 6.1|6.12|debug TEST_SCRIPT
# L2TPI_CMDLINE in the environment is appended to the guest kernel command line
# (experiments, e.g. L2TPI_CMDLINE=kmemleak=off to see what kmemleak costs).
# The guest sees the host's root read-only (9p) under a tmpfs overlay, so it runs the
# host's userspace and the module built by scripts/build.sh. Prints the test's output
# (the results port) on stdout; the kernel console goes to OUTDIR/console.log.
# Exit status 0 only if the test script exited 0, the guest reported it (a hung or
# crashed guest is killed by the timeout and fails), and the console shows no WARN,
# BUG, KASAN, lockdep, atomic-sleep, kmemleak or panic report.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout=
outdir=
while getopts t:o: opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) die "usage: vm.sh [-t TIMEOUT] [-o OUTDIR] 6.1|6.12|debug TEST_SCRIPT" ;;
	esac
done
shift $((OPTIND - 1))
kname=${1:?usage: vm.sh [-t TIMEOUT] [-o OUTDIR] 6.1|6.12|debug TEST_SCRIPT}
test=$(realpath "${2:?no test script}")
[ -f "$test" ] || die "no test script $test"
env=$("$L2TPI_TOP/scripts/kernel.sh" "$kname")
# shellcheck disable=SC1090
. "$env"
# KASAN, lockdep and kmemleak make the debug kernel a few times slower under TCG.
[ -n "$timeout" ] || timeout=$([ "${DEBUG:-0}" = 1 ] && echo 3600 || echo 1200)
[ -n "$outdir" ] || outdir=$L2TPI_TOP/build/$kname/vm-$(basename "$test" .sh)
mkdir -p "$outdir"

# The initramfs: static busybox, our /init, and the modules the kernel needs before it
# can mount the host (for the stock kernels; the debug kernel has them built in).
initrd=$L2TPI_CACHE/initrd-$(basename "$(dirname "$env")")-$(cat "$L2TPI_TOP/scripts/guest/init" /bin/busybox | sha256sum | cut -c1-12).cpio.gz
# Two guests of one kernel may start at once (make check's workers): one builds, under
# a lock, the other waits for it.
exec 8>"$initrd.lock"
flock 8
if [ ! -f "$initrd" ]; then
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,proc,sys,dev,modules}
	cp /bin/busybox "$tmp/bin/busybox"
	for a in sh mount umount insmod mkdir cat echo switch_root reboot; do
		ln -s busybox "$tmp/bin/$a"
	done
	cp "$L2TPI_TOP/scripts/guest/init" "$tmp/init"
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe --show-depends -d "$MODROOT" -S "$KREL" "$m" 2>/dev/null || true
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
		base=$(basename "$ko")
		case $ko in
		*.xz) xz -dc "$ko" >"$tmp/modules/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$ko" >"$tmp/modules/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$ko" "$tmp/modules/$base" ;;
		esac
		echo "$base" >>"$tmp/modules/order"
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp.$$"
	mv "$initrd.tmp.$$" "$initrd"
	rm -rf "$tmp"
fi
flock -u 8
exec 8>&-

console=$outdir/console.log
results=$outdir/results.log
rm -f "$console" "$results"
: >"$results"
# audit=1: the tests read the module's xfrm audit records in the kernel log. With no
# audit daemon the kernel also keeps up to audit_backlog_limit records in memory, which
# the debug kernel's kmemleak then scans: a bound that absorbs a 1,000-tunnel burst
# (the default, 64, drops records) without holding tens of megabytes.
# no5lvl: with -cpu max the guest has LA57; identify_cpu() re-reads the CPU features
# with interrupts on, and an interrupt in that window made KASAN report a "wild memory
# access" on an irq descriptor (seen three times, always in identify_cpu, in the debug
# guest's first 0.3 s): 4-level paging avoids the window.
cmdline="console=ttyS0,115200 loglevel=5 panic=-1 panic_on_warn=1 oops=panic audit=1 audit_backlog_limit=8192 mitigations=off no5lvl"
cmdline+=" l2tpi.top=$L2TPI_TOP l2tpi.env=$env l2tpi.test=$test"
# The kernel's ynl CLI (tests drive the netlink family with it and our spec alone);
# without linux-source-6.12 (make demo on a bare machine) the guest just lacks it.
if ynl=$("$L2TPI_TOP/scripts/ynl.sh"); then
	cmdline+=" l2tpi.ynl=$ynl"
fi
cmdline+=${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}
# kmemleak's scan reads every struct page: the debug guest gets less memory (a scan of
# an idle guest: 27 s with 1 GiB, 15 s with 512 MiB).
# L2TPI_MEM (MiB) overrides it (make bench's 65,535 tunnels need more).
mem=${L2TPI_MEM:-$([ "${DEBUG:-0}" = 1 ] && echo 512 || echo 1024)}
start=$(date +%s)
boot() {
	timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max -smp 2 -m "$mem" \
		-display none -monitor none -no-reboot -nodefaults \
		-serial "file:$console" -serial "file:$results" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-device virtio-rng-pci \
		-kernel "$BZIMAGE" -initrd "$initrd" -append "$cmdline" </dev/null
}
set +e
boot
qrc=$?
# A guest that died before it reached the test (seen: an early-boot KASAN report in the
# interrupt path under TCG, before any module was loaded; twice in a row once) is
# booted again, up to three boots in all; each failed boot's console is kept, and the
# retry is reported.
for attempt in 2 3; do
	grep -q '^# guest kernel:' "$results" && break
	mv "$console" "$outdir/console.boot-failure-$((attempt - 1)).log"
	msg "$kname: the guest died before the test started (console: $outdir/console.boot-failure-$((attempt - 1)).log); booting it once more"
	: >"$results"
	boot
	qrc=$?
done
set -e
secs=$(($(date +%s) - start))

tr -d '\r' <"$results" | grep -v '^L2TPI-DONE' || true
verdict=$(tr -d '\r' <"$results" | sed -n 's/^L2TPI-DONE rc=\([0-9]*\)$/\1/p' | tail -n 1)
fail=0
if [ -z "$verdict" ]; then
	[ $qrc = 124 ] || [ $qrc = 137 ] && msg "$kname: guest timed out after ${timeout}s"
	msg "$kname: the guest never reported a verdict (qemu exit $qrc); console tail:"
	tail -n 40 "$console" >&2
	fail=1
elif [ "$verdict" != 0 ]; then
	msg "$kname: test script exited $verdict"
	fail=1
fi
splat='WARNING: (CPU|possible|inconsistent|suspicious|bad unlock|lock held|held lock|Nested lock|at )|BUG:|KASAN|sleeping function called from invalid context|unreferenced object|kmemleak: |Kernel panic|Oops|general protection fault|detected stall|Call Trace'
if grep -E -n "$splat" "$console" >"$outdir/splats"; then
	msg "$kname: kernel reports in the console ($console):"
	head -n 20 "$outdir/splats" >&2
	fail=1
fi
msg "$kname: $KVERSION, ${secs}s, $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
