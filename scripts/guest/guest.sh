#!/bin/bash
# PID 1 of a test guest, on the host's root seen read-only through 9p with a tmpfs
# overlay. Sets the guest up, runs one test script with its output on the results port
# (ttyS1; the kernel console is ttyS0), then powers the guest off. The host side
# (scripts/vm.sh) reads the verdict line "L2TPI-DONE rc=N" from the results port.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	l2tpi.top=*) L2TPI_TOP=${arg#*=} ;;
	l2tpi.env=*) L2TPI_ENV=${arg#*=} ;;
	l2tpi.test=*) L2TPI_TEST=${arg#*=} ;;
	l2tpi.ynl=*) L2TPI_YNL=${arg#*=} ;;
	esac
done
# The root is already a writable overlay: no tmpfs over /tmp, where the tree under test
# may live (CI clones anywhere); /run gets a fresh one unless the tree is there.
case $L2TPI_TOP/ in
/run/*) ;;
*) mount -t tmpfs tmpfs /run ;;
esac
exec 3>/dev/ttyS1
. "$L2TPI_ENV"
export L2TPI_TOP KNAME KREL KVERSION DEBUG L2TPI_YNL
export L2TPI_BUILD=$L2TPI_TOP/build/$KNAME
export L2TPI_KO=$L2TPI_BUILD/kmod/l2tp_ipsec.ko
export L2TPI_KUNIT_KO=$L2TPI_BUILD/kunit/l2tp_ipsec_test.ko
export HOME=/root

mkdir -p /lib/modules
mount --bind "$MODROOT/lib/modules" /lib/modules
hostname l2tpi-guest
ip link set lo up
# kmemleak: no periodic scans (the initramfs stopped them already; slow under TCG, we
# scan once at the end), and forget what boot left behind, so the final scan reports
# only the test's leaks.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan=off >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
fi

echo "# guest kernel: $KVERSION ($(uname -r))" >&3
# The guest's /tmp is the host's, seen through the overlay: a name there may exist
# already. Every test writes below a directory of its own (mode 1777, as /tmp: the
# unprivileged checks write there too), and nothing else may appear in /tmp.
TMPDIR=$(mktemp -d /tmp/l2tpi-test.XXXXXX) && chmod 1777 "$TMPDIR"
export TMPDIR
(cd "$TMPDIR" && bash "$L2TPI_TEST") >&3 2>&1
rc=$?
# what the test wrote into /tmp (the upper layer, init moved it to /mnt) besides its
# directory and the tree under test, if that is below /tmp
keep=(-e "${TMPDIR#/tmp/}")
case $L2TPI_TOP in /tmp/*) top=${L2TPI_TOP#/tmp/} && keep+=(-e "${top%%/*}") ;; esac
stray=$(ls -A /mnt/upper/tmp 2>/dev/null | grep -vxF "${keep[@]}")
if [ -n "$stray" ]; then
	echo "# the test wrote into the host's /tmp, outside \$TMPDIR:" $stray >&3
	rc=1
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects younger than 5 s are never reported. A scan takes a minute under TCG: a
	# second one only to confirm what the first found (a pointer in transit is not a leak).
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		echo scan >/sys/kernel/debug/kmemleak
		leaks=$(cat /sys/kernel/debug/kmemleak)
	fi
	if [ -n "$leaks" ]; then
		echo "# kmemleak report:" >&3
		echo "$leaks" | sed 's/^/# /' >&3
		echo "kmemleak: unreferenced objects found" >/dev/kmsg
		rc=1
	fi
fi
echo "L2TPI-DONE rc=$rc" >&3
sync
busybox reboot -f
