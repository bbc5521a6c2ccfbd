#!/bin/bash
# testing/tools/l2tp-ipsec-fuzz against the l2tp_ipsec family: random and mutated messages as
# root (every refused one must leave config, clients and policies as they were) and as
# an unprivileged user (every one refused). The console is checked for splats by vm.sh.
. "$(dirname "$0")/lib.sh"

FUZZ=$TESTING_TOOLS/l2tp-ipsec-fuzz
# make check runs a smoke-sized batch; make fuzz (scripts/run-fuzz.sh) the full size, with
# l2tpi.fuzz=ROOT,USER[,CHECK] on the kernel command line: messages as root, as an
# unprivileged user, and the state compared after every CHECK-th refused message.
N_ROOT=1000 N_USER=1000 CHECK=1
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	l2tpi.fuzz=*,*,*) a=${arg#*=}; N_ROOT=${a%%,*} a=${a#*,}; N_USER=${a%,*} CHECK=${a#*,} ;;
	l2tpi.fuzz=*,*) a=${arg#*=}; N_ROOT=${a%,*} N_USER=${a#*,} ;;
	esac
done

load_stock_modules
check "insmod" run insmod "$L2TPI_KO"
# In a netns of its own: a killed run cannot leave its config behind in the initial one.
ip netns add fuzz
before=$(ip netns exec fuzz "$TESTING_TOOLS/xfrm-spd" -s)
every="every refused one"
[ "$CHECK" = 1 ] || every="every ${CHECK}th refused one"
# A long run reports its progress (-v: every 10,000 messages) in the kernel log too,
# where it can be followed on the guest's console while the run lasts.
progress() {
	if [ "$1" -ge 10000 ]; then
		shift
		"$@" -v 2> >(tee /dev/kmsg >&2)
	else
		shift
		"$@"
	fi
}
# make fuzz runs the two halves in two guests (one of them 0 here).
[ "$N_ROOT" = 0 ] ||
	check "$N_ROOT messages as root: no drift (state compared after $every), no timeout, cleanup ok" \
		run progress "$N_ROOT" ip netns exec fuzz "$FUZZ" -n "$N_ROOT" -s 20261127 --check-every "$CHECK"
[ "$N_USER" = 0 ] ||
	check "$N_USER messages as uid 65534: every one refused, no drift (state compared after $every)" \
		run progress "$N_USER" ip netns exec fuzz "$FUZZ" -n "$N_USER" -s 20261128 -u 65534 --check-every "$CHECK"
check_eq "the netns's SPD is as before" "$before" "$(ip netns exec fuzz "$TESTING_TOOLS/xfrm-spd" -s)"
ip netns del fuzz
check "rmmod" run rmmod l2tp_ipsec
tap_done
