# shellcheck shell=bash
# TAP helpers for the guest test scripts (kselftest style): each check prints
# "ok N - what" or "not ok N - what", commands are echoed as "# ...", and
# tap_done prints the plan and exits non-zero if anything failed.

export LC_ALL=C	# sort and xfrm-spd -s agree on byte order
T_N=0
T_FAILED=0
# The product (the l2tp-ipsec utility, l2tp-ipsec-dial) and the test programs (make
# testing builds them).
# shellcheck disable=SC2034 # TOOLS: for the scripts that source this file
TOOLS=$L2TPI_TOP/tools/l2tp-ipsec
TESTING_TOOLS=$L2TPI_TOP/testing/tools
# The module's automatic priorities without a reqid (include/uapi/linux/l2tp_ipsec.h),
# which is how the tests load it unless they set one: the server's and the clients'
# policies at PRIO_S, every tunnel's at PRIO_T. (read, not sed: no exec)
while read -r _ name val; do
	[ "$name" = L2TP_IPSEC_PRIORITY_FALLBACK ] && PRIO_S=$val
done <"$L2TPI_TOP/include/uapi/linux/l2tp_ipsec.h"
PRIO_T=$((PRIO_S - 1))

# snooze SECONDS: sleep without an exec (an exec costs about two seconds on the debug
# kernel under TCG): read's timeout on a pipe that never gets data (we hold its write
# end through the read-write open of the process substitution).
exec {T_SLEEP_FD}<> <(:)
snooze() { read -r -t "$1" -u "$T_SLEEP_FD" _ || :; }
# The polls below are bounded in seconds, not in turns: a turn costs milliseconds on
# a stock kernel and can cost seconds on the debug one, where 1,000 tunnels take
# minutes to come up.
# file_has FILE STRING: FILE exists and contains STRING (no grep: no exec).
file_has() {
	local c=
	[ -r "$1" ] || return 1
	IFS= read -r -d '' c <"$1"
	[[ $c == *"$2"* ]]
}
# wait_ready FILE SECONDS [PID]: a helper started in the background says "ready" in
# FILE (its stderr) within SECONDS; false at once if PID is given and has exited.
wait_ready() {
	local end=$((SECONDS + $2))
	while ((SECONDS < end)); do
		file_has "$1" ready && return 0
		[ -z "$3" ] || kill -0 "$3" 2>/dev/null || return 1
		snooze 0.05
	done
	return 1
}
# start_ready PIDVAR OUTFILE SECONDS WHAT COMMAND...: COMMAND in the background, its
# stdout in OUTFILE, its stderr in OUTFILE.err, its pid in the variable PIDVAR; wait
# until it says ready (wait_ready). If it does not, say why (WHAT names it).
start_ready() {
	local out=$2 secs=$3 what=$4
	"${@:5}" >"$out" 2>"$out.err" &
	printf -v "$1" %s $!
	wait_ready "$out.err" "$secs" $! && return 0
	echo "# $what did not get ready: $(cat "$out" "$out.err")"
	return 1
}

# Where the time goes: a check that comes 10 s or more after the previous one says so.
T_LAST=$SECONDS
t_mark() {
	[ $((SECONDS - T_LAST)) -lt 10 ] || echo "# (+$((SECONDS - T_LAST))s at ${SECONDS}s)"
	T_LAST=$SECONDS
}
ok() { t_mark; T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
skip() { t_mark; T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }
not_ok() { t_mark; T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }

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

# run COMMAND...: echo and run a command, its output as TAP comments. No pipe into
# sed: on the debug kernel under TCG every exec costs a second or more.
run() {
	local out rc
	echo "# \$ $*"
	out=$("$@" 2>&1)
	rc=$?
	# (bash reads a pipe or here-string byte by byte: a read loop over a long output
	# costs minutes on the debug kernel, one syscall per byte)
	[ -z "$out" ] || printf '#   %s\n' "${out//$'\n'/$'\n'#   }"
	return "$rc"
}

tap_done() {
	echo "1..$T_N"
	echo "# $((T_N - T_FAILED)) passed, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

# Kernel modules the tests use; on the debug kernel xfrm, esp and veth are built in,
# l2tp is modular as on the stock kernels.
# A built-in one is skipped without running modprobe: on the debug kernel an exec costs
# about two seconds.
load_stock_modules() {
	local m builtin=()
	[ -r "/lib/modules/$KREL/modules.builtin" ] &&
		mapfile -t builtin <"/lib/modules/$KREL/modules.builtin"
	for m in xfrm_user esp4 esp6 veth l2tp_core l2tp_netlink l2tp_ppp l2tp_ip; do
		[[ " ${builtin[*]} " == *"/$m.ko "* ]] && continue
		modprobe "$m" || echo "# modprobe $m failed"
	done
}

# The SPD of the current netns, one normalized line per policy, raw bytes included.
spd() { "$TESTING_TOOLS/xfrm-spd" -r; }
spd_count() { "$TESTING_TOOLS/xfrm-spd" -c; }
# The two quarantine block policies the module keeps in every netns while auto-attach
# is on (L2TP_IPSEC_BLOCK_MARK), as expected, and as found in the SPD; spd_nb is the
# SPD without them.
BLOCK_MARK=4c32b10c
expected_block() {
	local fam any
	for fam in inet inet6; do
		any=0.0.0.0
		[ $fam = inet6 ] && any=::
		echo "dir=out prio=0 family=$fam src=$any/0 dst=$any/0 proto=17 sport=0/0 dport=0/0 ifindex=0 action=block flags=0 ptype=main mark=$BLOCK_MARK/ffffffff ifid=0"
	done | sort
}
block_policies() { "$TESTING_TOOLS/xfrm-spd" -I -s -m " ptype=main mark=$BLOCK_MARK/ffffffff "; }
spd_nb() { spd | grep -vF " mark=$BLOCK_MARK/ffffffff "; }

# udp_recv NETNS PORT SECONDS OUTFILE [ARGS...]: start a receiver in the background
# (its pid in RECV_PID) and wait until it is bound. NETNS "-" is the initial netns.
# SECONDS is a safety limit: udp_recv_done ends it once the sender is done.
udp_recv() {
	local ns=$1 port=$2 secs=$3 out=$4
	shift 4
	local pre=()
	[ "$ns" = - ] || pre=(ip netns exec "$ns")
	start_ready RECV_PID "$out" 120 "the receiver on $port" \
		"${pre[@]}" "$TESTING_TOOLS/udp-probe" recv "$@" "$port" "$secs"
}

# The initial netns plays the server (10.0.0.1, fd00::1 on v0); netns "peer" the L2TP
# peer (10.0.0.2, fd00::2 on v1).
setup_peer() {
	ip netns add peer
	ip link add v0 type veth peer name v1
	ip link set v1 netns peer
	ip addr add 10.0.0.1/24 dev v0
	ip addr add fd00::1/64 dev v0 nodad
	ip link set v0 up
	ip -n peer addr add 10.0.0.2/24 dev v1
	ip -n peer addr add fd00::2/64 dev v1 nodad
	ip -n peer link set v1 up
	ip -n peer link set lo up
}

# A real L2TPv3-over-UDP tunnel (kernel sockets, UDP 1701 both ends) with one
# Ethernet session: l2tpeth0 is 192.168.99.1 here and 192.168.99.2 in "peer".
setup_l2tp_tunnel() {
	ip l2tp add tunnel tunnel_id 1 peer_tunnel_id 2 encap udp \
		local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1701
	ip l2tp add session name l2tpeth0 tunnel_id 1 session_id 1 peer_session_id 2
	ip addr add 192.168.99.1/24 dev l2tpeth0
	ip link set l2tpeth0 up
	ip -n peer l2tp add tunnel tunnel_id 2 peer_tunnel_id 1 encap udp \
		local 10.0.0.2 remote 10.0.0.1 udp_sport 1701 udp_dport 1701
	ip -n peer l2tp add session name l2tpeth0 tunnel_id 2 session_id 2 peer_session_id 1
	ip -n peer addr add 192.168.99.2/24 dev l2tpeth0
	ip -n peer link set l2tpeth0 up
}

# rx_packets of DEV in netns NS ("-": the initial netns).
rx_packets() {
	if [ "$1" = - ]; then
		local n
		read -r n <"/sys/class/net/$2/statistics/rx_packets"
		echo "$n"
	else
		ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
	fi
}

# ping_fails ARGS...: ping ran and got no reply (exit 1), as opposed to not running.
ping_fails() {
	ping "$@" >/dev/null 2>&1
	[ $? = 1 ]
}

# udp_recv_done: let what was sent arrive, stop the receiver, wait for its count.
udp_recv_done() {
	sleep 0.5
	kill -TERM "$RECV_PID" 2>/dev/null
	wait "$RECV_PID"
}
# udp_check DESCRIPTION N NETNS PORT [-6] FROM SEND_ARGS...: one check that a receiver on
# PORT in NETNS (udp_recv; -6: IPv6) gets N datagrams of `udp-probe send SEND_ARGS` run
# in netns FROM ("-": the initial netns).
UDP_N=0
udp_check() {
	local what=$1 want=$2 ns=$3 port=$4 out=$TMPDIR/udp.$((UDP_N += 1)) v6=() pre=()
	shift 4
	[ "$1" = -6 ] && v6=(-6) && shift
	[ "$1" = - ] || pre=(ip netns exec "$1")
	shift
	udp_recv "$ns" "$port" 60 "$out" "${v6[@]}" &&
		run "${pre[@]}" "$TESTING_TOOLS/udp-probe" send "$@"
	udp_recv_done
	check_eq "$what" "received=$want" "$(cat "$out")"
}

# /proc/net/xfrm_stat exists only with CONFIG_XFRM_STATISTICS (stock Debian: yes).
have_xfrm_stat() { [ -r /proc/net/xfrm_stat ]; }
# check_counted DESCRIPTION COMMAND...: a check on xfrm counters, skipped without them.
check_counted() {
	if have_xfrm_stat; then check "$@"; else skip "$1" "kernel without CONFIG_XFRM_STATISTICS"; fi
}
xfrm_stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/xfrm_stat; }

# dmesg_has REGEX: the kernel log has a line matching REGEX (extended).
dmesg_has() { dmesg | grep -qE "$1"; }

# check_eventually DESCRIPTION EXPECTED COMMAND...: like check_eq on COMMAND's output,
# polled for up to 60 s (the module restores removed policies from a work item, at
# most twice a second).
check_eventually() {
	local desc=$1 want=$2 got end=$((SECONDS + 60))
	shift 2
	while :; do
		got=$("$@")
		[ "$got" = "$want" ] || ((SECONDS >= end)) && break
		snooze 0.2
	done
	check_eq "$desc" "$want" "$got"
}

# --- tunnels (tunnel.sh, failclosed.sh)
TUN=$TESTING_TOOLS/l2tp-tunnel
CNT=$TESTING_TOOLS/plain-count

# Expected SPD lines of one tunnel: FAMILY LOCAL PEER LPORT PPORT [PRIO]
tunnel_policies() {
	local fam=$1 l=$2 p=$3 lp=$4 pp=$5 prio=${6:-$PRIO_T} plen=32 any=0.0.0.0
	[ "$fam" = inet6 ] && plen=128 any=::
	local tmpl="tmpl=esp:transport:reqid=0:src=$any:dst=$any:spi=0:opt=0:share=0:aalgos=ffffffff:ealgos=ffffffff:calgos=ffffffff:family=$fam"
	{
		echo "dir=out prio=$prio family=$fam src=$l/$plen dst=$p/$plen proto=17 sport=$lp/ffff dport=$pp/ffff ifindex=0 action=allow flags=0 ptype=main mark=0/0 ifid=0 $tmpl"
		echo "dir=in prio=$prio family=$fam src=$p/$plen dst=$l/$plen proto=17 sport=$pp/ffff dport=$lp/ffff ifindex=0 action=allow flags=0 ptype=main mark=0/0 ifid=0 $tmpl"
	} | sort
}
# Our per-tunnel policies (PRIO_T) in the SPD of netns $1 ("-": initial).
spd_tunnels() {
	local pre=()
	[ "${1:--}" = - ] || pre=(ip netns exec "$1")
	"${pre[@]}" "$TESTING_TOOLS/xfrm-spd" -I -s -m "^dir=(in|out) prio=$PRIO_T "
}
# The socket policies (dir 3: in, 4: out) the dump shows, as in/out lines.
sk_policies() {
	"$TESTING_TOOLS/xfrm-spd" -I -s -m "^dir=[34] prio=$PRIO_T " | sed -e 's/^dir=3 /dir=in /' -e 's/^dir=4 /dir=out /'
}
sk_policies_count() { "$TESTING_TOOLS/xfrm-spd" -c -m "^dir=[34] prio=$PRIO_T "; }
# start_tunnels OUTFILE ARGS...: l2tp-tunnel in the background (pid in TUN_PID), wait
# until its tunnels exist.
start_tunnels() { start_ready TUN_PID "$1" 900 l2tp-tunnel "$TUN" "${@:2}"; }
stop_tunnels() { kill -TERM "$TUN_PID" 2>/dev/null; wait "$TUN_PID"; }
# count_plain OUTFILE SECONDS: plain-count on v0 in the background (pid CNT_PID).
count_plain() { start_ready CNT_PID "$1" 120 plain-count "$CNT" -v -p 1701 v0 "$2"; }
# count_done OUTFILE: stop plain-count, print its counts (the last line, "... drops=N").
# Called in $(...), where plain-count is not the shell's child and wait cannot wait
# for it: poll for that line instead.
count_done() {
	local lines=() end=$((SECONDS + 60))
	kill -TERM "$CNT_PID" 2>/dev/null
	while :; do
		mapfile -t lines <"$1"
		[[ ${#lines[@]} -gt 0 && ${lines[-1]} == *drops=* ]] || ((SECONDS >= end)) && break
		snooze 0.05
	done
	[ ${#lines[@]} = 0 ] || echo "${lines[-1]}"
}
# flush_batch N FILE: an ip -batch file of N `xfrm policy flush` (one ip process for
# all: process start-up is slow under emulation and KASAN).
flush_batch() { for _ in $(seq "$1"); do echo "xfrm policy flush"; done >"$2"; }
# plain_during_flushes N OUTFILE: plain-count on v0 while N flushes run; prints its
# counts (the flushes' command line goes to stderr).
plain_during_flushes() {
	count_plain "$2" 600 || return 1
	flush_batch "$1" "$2.batch"
	run ip -batch "$2.batch" >&2
	sleep 0.3
	count_done "$2"
}
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" | tail -n 1; }
# Background tunnels for make bench and make profile: genetlink (kernel sockets), a
# peer each as on a real LNS.
# Tunnel i: L2TPv3 id 100000 + i, local 10.0.0.1, .3 or .4 (22,000 each), port
# 2000 + i % 22000, peer 10.1.x.y (i + 1) port 1701. The ports stay below the
# ephemeral range (32768-60999): with all of it bound on an address, every send of
# an unbound socket (make bench's plain rate) scanned the whole range for a free port and
# failed, and the SPD scaling part never ended at 65,535 tunnels.
bg_batch() { # FROM TO add|del [agent]: an ip -batch file on stdout
	awk -v from="$1" -v to="$2" -v op="$3" -v agent="${4:-}" -v prio="$PRIO_T" 'BEGIN {
		for (i = from; i < to; i++) {
			id = 100000 + i
			a = i + 1; peer = "10.1." int(a / 256) "." a % 256
			loc = i < 22000 ? "10.0.0.1" : i < 44000 ? "10.0.0.3" : "10.0.0.4"
			port = 2000 + i % 22000
			if (op == "del")
				print "l2tp del tunnel tunnel_id " id
			else
				print "l2tp add tunnel tunnel_id " id " peer_tunnel_id " id " encap udp local " loc " remote " peer " udp_sport " port " udp_dport 1701"
			if (agent == "") continue
			pout = "dir out src " loc "/32 dst " peer "/32 proto udp sport " port " dport 1701"
			pin = "dir in src " peer "/32 dst " loc "/32 proto udp sport 1701 dport " port
			if (op == "del") {
				print "xfrm policy delete " pout
				print "xfrm policy delete " pin
			} else {
				print "xfrm policy add " pout " priority " prio " tmpl proto esp mode transport"
				print "xfrm policy add " pin " priority " prio " tmpl proto esp mode transport"
			}
		}
	}'
}
# SPD policy counts: "IN OUT SOCK_IN SOCK_OUT" (XFRM_MSG_GETSPDINFO, O(1))
spd_counts() {
	ip -s xfrm policy count | tr '\n' ' ' |
		sed -n 's/.*SPD IN *\([0-9]*\) OUT *\([0-9]*\).*Sock: IN *\([0-9]*\) OUT *\([0-9]*\).*/\1 \2 \3 \4/p'
}
