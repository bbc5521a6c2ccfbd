#!/bin/bash
# Fail closed: when a new tunnel's policies cannot be installed, its socket is blocked
# (L2TP_IPSEC_BLOCK_MARK meets the block policies of every netns that needs them) until
# a retry in process context installs them. The block policies where needed, what they drop and
# what they do not, their restore after a flush; then (kernels with failslab: the
# debug kernel) tunnels created while the bind hook cannot allocate, on both paths,
# with frames sent at once: no plaintext frame, exact policies after the retry; a
# full retry table; a tunnel deleted while it waits.
. "$(dirname "$0")/lib.sh"

load_stock_modules
setup_peer
MARK=0x$BLOCK_MARK

check "insmod" run insmod "$L2TPI_KO"
check_eq "the initial netns, with nothing of ours yet, holds no block policy" "" "$(block_policies)"
check_eq "neither does netns peer (created before the module)" "" \
	"$(ip netns exec peer bash -c ". $L2TPI_TOP/scripts/tests/lib.sh; block_policies")"
# A client connection is a need: the guard and the block policies come with it.
check "client add (a need)" run "$TOOLS/l2tp-ipsec" client add 203.0.113.99 lifetime static
check_eq "the initial netns, with a client connection, holds the two block policies" \
	"$(expected_block)" "$(block_policies)"

# --- the block policies drop what carries the mark, and nothing else
blk0=$(xfrm_stat XfrmOutPolBlock)
udp_check "a socket with the block mark sends nothing (IPv4)" 0 peer 5000 - -m "$MARK" -i 1 10.0.0.2 5000 10
udp_check "a socket with the block mark sends nothing (IPv6)" 0 peer 5000 -6 - -m "$MARK" -i 1 fd00::2 5000 10
blk1=$(xfrm_stat XfrmOutPolBlock)
check_counted "dropped by the block policies (XfrmOutPolBlock +20)" test $((blk1 - blk0)) -ge 20
udp_check "another mark passes" 10 peer 5000 - -m 0x1 -i 1 10.0.0.2 5000 10
run ip xfrm policy flush
check_eventually "after ip xfrm policy flush the block policies are back" \
	"$(expected_block)" block_policies
# Without a need they go: the tunnels below are each the first need of the namespace
# (the bind hook installs the block policies itself, quarantine.c).
check "client del" run "$TOOLS/l2tp-ipsec" client del 203.0.113.99
check_eventually "the last need gone, the block policies go too" "" block_policies

# --- failslab, pointed at the module's own cache of tunnel entries (cache-filter), so
# the bind hook's allocation fails and nothing else does.
# A: with task-filter (only the creating task, -F) and ignore-gfp-wait (atomic only):
# the hook fails, the retry (a kworker, GFP_KERNEL) succeeds.
F=/sys/kernel/debug/failslab
C=/sys/kernel/slab/l2tpi_tunnel/failslab
if [ -w "$F/probability" ] && [ -e /proc/self/make-it-fail ] && [ -w "$C" ]; then
	failslab() { # TASK_FILTER IGNORE_GFP_WAIT PROBABILITY
		echo "$1" >"$F/task-filter"
		echo "$2" >"$F/ignore-gfp-wait"
		echo "$3" >"$F/probability"
	}
	echo Y >"$F/cache-filter"
	echo 1 >"$C"
	echo 0 >"$F/verbose"
	echo 0 >"$F/space"
	echo 1 >"$F/interval"
	echo -1 >"$F/times"
	failslab Y Y 100
	dmesg -C
	blocked() { dmesg | grep -c 'its socket is blocked until they are in'; }
	nr_tunnel_policies() { spd_tunnels | wc -l; }

	count_plain $TMPDIR/c1 60
	nb0=$(xfrm_stat XfrmOutPolBlock)
	ns0=$(xfrm_stat XfrmOutNoStates)
	start_tunnels $TMPDIR/t1 -F -c 20 -i 5 -h 900 10.0.0.1 1701 10.0.0.2 1701
	check "A: PPPoL2TP tunnel created while the hook cannot allocate" grep -q tunnels=1 $TMPDIR/t1
	check_eq "its policies could not be installed: the socket is blocked" 1 "$(blocked)"
	check_eventually "the retry installs its exact policies" \
		"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" spd_tunnels
	check "the kernel reports the repair" dmesg_has "a blocked L2TP tunnel has its policies after"
	sleep 0.5
	stop_tunnels
	c1=$(count_done $TMPDIR/c1)
	nb1=$(xfrm_stat XfrmOutPolBlock)
	ns1=$(xfrm_stat XfrmOutNoStates)
	# Where the 20 went: EPERM = blocked by the mark (XfrmOutPolBlock, or the output
	# guard); sent = held by the SPD policies without an SA (XfrmOutNoStates).
	echo "# $(tr '\n' ' ' <$TMPDIR/t1); wire: $c1; XfrmOutPolBlock +$((nb1 - nb0)) XfrmOutNoStates +$((ns1 - ns0))"
	check_eq "no plaintext L2TP frame on the wire (20 sent at once)" 0 "$(echo "$c1" | field plain)"
	check_eq "the socket got its own mark back" 0 "$(field marked <$TMPDIR/t1)"
	check_eventually "gone with the tunnel" "" spd_tunnels

	sh -c "echo 1 >/proc/self/make-it-fail && exec ip l2tp add tunnel tunnel_id 11 peer_tunnel_id 12 encap udp local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1703"
	check "A: ip l2tp tunnel created while the hook cannot allocate" \
		test -n "$(ip l2tp show tunnel tunnel_id 11)"
	check_eq "blocked too" 2 "$(blocked)"
	check_eventually "and repaired: exact policies" \
		"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1703)" spd_tunnels
	run ip l2tp del tunnel tunnel_id 11
	check_eventually "gone with the tunnel" "" spd_tunnels

	start_tunnels $TMPDIR/t3 -6 -F -n 20 -c 5 -i 5 -h 900 fd00::1 1701 fd00::2 1800
	check "A: 20 PPPoL2TP/IPv6 tunnels at once" grep -q tunnels=20 $TMPDIR/t3
	check_eventually "all 20 repaired: 40 exact policies" 40 nr_tunnel_policies
	stop_tunnels
	check_eq "every socket got its own mark back" 0 "$(field marked <$TMPDIR/t3)"
	check_eventually "all gone with their tunnels" "" spd_tunnels

	# B: every allocation from the cache fails, retries included: 70 tunnels, 64 wait
	# in the table, 6 do not fit; all send at once. Then the allocations work again.
	failslab N N 100
	dmesg -C
	count_plain $TMPDIR/c4 60
	nb0=$(xfrm_stat XfrmOutPolBlock)
	start_tunnels $TMPDIR/t4 -n 70 -c 10 -i 5 -h 900 10.0.0.1 1701 10.0.0.2 2000
	check "B: 70 tunnels created while no entry can be allocated" grep -q tunnels=70 $TMPDIR/t4
	check "the 6 beyond the table are reported as staying blocked" \
		dmesg_has "it stays blocked until it is deleted"
	check_eq "every frame was refused by the block policy (10 per tunnel)" \
		"sent=0 failed=700 errno=EPERM" "$(grep '^sent=' $TMPDIR/t4)"
	nb1=$(xfrm_stat XfrmOutPolBlock)
	check_counted "and counted (XfrmOutPolBlock +700)" test $((nb1 - nb0)) -ge 700
	sleep 1
	check_eq "no policies yet: the retries fail too" "" "$(spd_tunnels)"
	failslab N N 0
	check_eventually "allocations work again: the 64 waiting tunnels get their policies" \
		128 nr_tunnel_policies
	stop_tunnels
	c4=$(count_done $TMPDIR/c4)
	echo "# $(tr '\n' ' ' <$TMPDIR/t4); wire: $c4"
	check_eq "no plaintext L2TP frame of the 700 sent" 0 "$(echo "$c4" | field plain)"
	check_eq "the 6 without a slot were still blocked at the end" 6 "$(field marked <$TMPDIR/t4)"
	check_eventually "all policies gone with their tunnels" "" spd_tunnels

	# C: a tunnel deleted while it waits: its slot goes, no policy is left behind
	failslab N N 100
	start_tunnels $TMPDIR/t5 -h 900 10.0.0.1 1701 10.0.0.2 2100
	stop_tunnels
	failslab N N 0
	sleep 6
	check_eq "C: a tunnel closed while blocked leaves no policy after the retries resume" \
		"" "$(spd_tunnels)"
	# D: the daemon sets its own SO_MARK on a socket that waits: still blocked (the
	# output guard drops the frames of every waiting socket, whatever its mark), and
	# the repair leaves the daemon's mark in place.
	failslab N N 100
	dmesg -C
	count_plain $TMPDIR/fc-c6 60
	start_tunnels $TMPDIR/fc-t6 -M 0x1 -c 10 -i 5 -h 900 10.0.0.1 1701 10.0.0.2 2200
	check_eq "D: blocked, then the daemon marked the socket 0x1" 1 "$(blocked)"
	check_eq "its 10 frames were refused all the same" "sent=0 failed=10 errno=EPERM" \
		"$(grep '^sent=' $TMPDIR/fc-t6)"
	failslab N N 0
	check_eventually "repaired: exact policies" \
		"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 2200)" spd_tunnels
	stop_tunnels
	c6=$(count_done $TMPDIR/fc-c6)
	check_eq "no plaintext L2TP frame on the wire" 0 "$(echo "$c6" | field plain)"
	check_eq "the daemon's mark stayed (1 socket with a mark at the end)" 1 \
		"$(field marked <$TMPDIR/fc-t6)"
	check_eventually "gone with the tunnel" "" spd_tunnels
	echo 0 >"$C"
	echo N >"$F/cache-filter"
else
	skip "tunnels created under failslab" "no failslab in this kernel (CONFIG_FAILSLAB: debug kernel)"
fi

check "rmmod" run rmmod l2tp_ipsec
check_eq "rmmod leaves no block policy" "" "$(block_policies)"
check_eq "in every netns" "" "$(ip netns exec peer bash -c ". $L2TPI_TOP/scripts/tests/lib.sh; block_policies")"
ip netns del peer
tap_done
