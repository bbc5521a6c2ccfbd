# shellcheck shell=bash
# TAP helpers for the guest test scripts (kselftest style): each check prints
# "ok N - what" or "not ok N - what", commands are echoed as "# ...", and
# tap_done prints the plan and exits non-zero if anything failed.

T_N=0
T_FAILED=0
TOOLS=$L2TPI_TOP/tools

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }

# check DESCRIPTION COMMAND...: one test that passes when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}

# run COMMAND...: echo and run a command, its output as TAP comments.
run() {
	echo "# \$ $*"
	"$@" 2>&1 | sed 's/^/#   /'
	return "${PIPESTATUS[0]}"
}

tap_done() {
	echo "1..$T_N"
	echo "# $((T_N - T_FAILED)) passed, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

# Kernel modules the tests use; built in on the debug kernel, modules on stock ones.
load_stock_modules() {
	local m
	for m in xfrm_user esp4 esp6 veth l2tp_core l2tp_netlink l2tp_ppp l2tp_ip; do
		modprobe "$m" || echo "# modprobe $m failed"
	done
}

# The SPD of the current netns, one normalized line per policy, raw bytes included.
spd() { "$TOOLS/xfrm-spd" -r; }
spd_count() { "$TOOLS/xfrm-spd" -c; }

# udp_recv NETNS PORT SECONDS OUTFILE [ARGS...]: start a receiver in the background
# (its pid in RECV_PID) and wait until it is bound. NETNS "-" is the initial netns.
udp_recv() {
	local ns=$1 port=$2 secs=$3 out=$4 i
	shift 4
	local pre=()
	[ "$ns" = - ] || pre=(ip netns exec "$ns")
	"${pre[@]}" "$TOOLS/udp-probe" recv "$@" "$port" "$secs" >"$out" 2>"$out.err" &
	RECV_PID=$!
	for i in $(seq 100); do
		grep -q ready "$out.err" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# receiver on $port did not start: $(cat "$out.err")"
	return 1
}
