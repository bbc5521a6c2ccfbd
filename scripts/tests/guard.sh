#!/bin/bash
# Pay only where used, enforce only what we own (kmod/footprint.c, kmod/guard.c):
# a namespace without tunnel, server or client holds none of our policies and hooks,
# a tunnel's arrival and departure install and remove them; the output guard lets an
# administrator's own `action allow` decide, follows `restore off`, covers lingering
# tunnels and the server's listening socket through flushes; a level change reaches a
# live tunnel at once; auto-attach off and on detaches and adopts live tunnels.
. "$(dirname "$0")/lib.sh"

load_stock_modules
setup_peer
LI=$TOOLS/l2tp-ipsec
# What config show says of netns $1 ("-": the initial one): the guard is there.
guard() {
	local pre=()
	[ "${1:--}" = - ] || pre=(-n "$1")
	"$LI" "${pre[@]}" -j config show | sed -n 's/.*"guard":\([a-z]*\).*/\1/p'
}
# And what netfilter says: the guard's hooks in netns $1, where the kernel can list
# them (nfnetlink_hook: not in Debian's 6.1).
modprobe nfnetlink_hook 2>/dev/null
hooks() {
	local pre=()
	[ "${1:--}" = - ] || pre=(ip netns exec "$1")
	"${pre[@]}" nft list hooks 2>/dev/null | grep -c 'l2tpi_guard_hook' || :
}
check_hooks() { # DESCRIPTION EXPECTED [NETNS]: check_eventually on hooks, where listable
	if [ -d /sys/module/nfnetlink_hook ]; then
		check_eventually "$1" "$2" hooks "${3:--}"
	else
		skip "$1" "this kernel cannot list netfilter hooks (no nfnetlink_hook)"
	fi
}
# Frames l2tp-tunnel sent, and failed to send.
sent() { field sent <"$1"; }
failed() { field failed <"$1"; }

base=$(spd_count)
check "insmod" run insmod "$L2TPI_KO"
ip netns add fresh
ip -n fresh link set lo up
check_eq "a namespace created after insmod holds no policy" 0 \
	"$(ip netns exec fresh "$TESTING_TOOLS/xfrm-spd" -c)"
check_eq "and no guard (config show)" false "$(guard fresh)"
check_hooks "and no hook of ours (nft list hooks)" 0 fresh
check_eq "nor does the initial namespace without tunnel, server or client" "$base" "$(spd_count)"
check_eq "no guard there either" false "$(guard)"
check_hooks "and no hook" 0

# --- a tunnel's arrival brings them, its departure takes them away
start_tunnels $TMPDIR/g1 -h 900 10.0.0.1 1701 10.0.0.2 1701
check_eq "a tunnel arrives: its two policies" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
check_eventually "and the guard" true guard
check_hooks "its hooks (IPv4 and IPv6)" 2
check_eventually "and the block policies" "$(expected_block)" block_policies
check_eq "the fresh namespace still has nothing" "0 false" \
	"$(ip netns exec fresh "$TESTING_TOOLS/xfrm-spd" -c) $(guard fresh)"
stop_tunnels
check_eventually "the tunnel gone: none of our policies left" "$base" spd_count
check_eventually "and no guard" false guard
check_hooks "no hook" 0

# --- an administrator's action allow at priority 100 for the tunnel's traffic decides
run ip xfrm policy add src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dir out priority 100 action allow
udp_recv peer 1701 60 $TMPDIR/g2r	# no ICMP port unreachable: no ECONNREFUSED
count_plain $TMPDIR/g2c 60
start_tunnels $TMPDIR/g2 -c 15 -i 20 -h 0.5 10.0.0.1 1701 10.0.0.2 1701
wait "$TUN_PID"
c=$(count_done $TMPDIR/g2c)
udp_recv_done
echo "# admin allow: $(tr '\n' ' ' <$TMPDIR/g2); wire: $c"
check_eq "all 15 frames of the tunnel were sent (none refused by the guard)" "15 0" \
	"$(sent $TMPDIR/g2) $(failed $TMPDIR/g2)"
check_eq "and the peer got them" "received=15" "$(cat $TMPDIR/g2r)"
check "and left in plaintext, by the administrator's choice" test "$(echo "$c" | field plain)" -ge 15
run ip xfrm policy delete src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dir out

# --- restore off: a flush stands, and the tunnel's frames go as the SPD says
check "restore off" run "$LI" config set restore off
udp_recv peer 1701 60 $TMPDIR/g3r
start_tunnels $TMPDIR/g3 -c 40 -i 100 -h 0.5 10.0.0.1 1701 10.0.0.2 1701
run ip xfrm policy flush
count_plain $TMPDIR/g3c 60
sleep 1.5
check_eq "restore off: the flushed policies stay out" "" "$(spd_tunnels)"
wait "$TUN_PID"
c=$(count_done $TMPDIR/g3c)
udp_recv_done
echo "# restore off, flushed: $(tr '\n' ' ' <$TMPDIR/g3); wire: $c"
check_eq "restore off: no frame refused" 0 "$(failed $TMPDIR/g3)"
check "restore off: after the flush the frames leave as the SPD says (plaintext)" \
	test "$(echo "$c" | field plain)" -ge 5
check "restore on" run "$LI" config set restore on

# --- a lingering tunnel (deleted, its socket still sending, as pppd's LCP
# Terminate-Requests do at hang-up): 100 flushes, 0 plaintext
start_tunnels $TMPDIR/g4 -t 400 -c 100000 -i 10 -h 600 10.0.0.1 1701 10.0.0.2 1701
run ip l2tp del tunnel tunnel_id 400
sleep 0.3
check_eq "deleted tunnel, socket alive: its policies linger" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
c=$(plain_during_flushes 100 $TMPDIR/g4c)
echo "# lingering, 100 flushes: $c"
check_eq "100 flushes while a lingering tunnel sends: 0 plaintext frames" 0 "$(echo "$c" | field plain)"
check_eventually "its policies are back" "$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" spd_tunnels
stop_tunnels
check "the lingering tunnel's socket kept sending (sent + failed >= 100)" \
	test $(($(sent $TMPDIR/g4) + $(failed $TMPDIR/g4))) -ge 100
check_eventually "and gone with its socket" "" spd_tunnels

# --- server mode: the listening socket (not an L2TP socket) answers during 100 flushes
check "server on" run "$LI" server on
count_plain $TMPDIR/g5c 600
"$TESTING_TOOLS/udp-probe" send -s 1701 -i 2 10.0.0.2 1701 1500 >$TMPDIR/g5 &
probe=$!
sleep 0.2
flush_batch 100 $TMPDIR/g5.batch
run ip -batch $TMPDIR/g5.batch
wait "$probe"
c=$(count_done $TMPDIR/g5c)
echo "# server socket, 100 flushes: $(cat $TMPDIR/g5); wire: $c"
check_eq "100 flushes while the server's socket sends from port 1701: 0 plaintext frames" 0 \
	"$(echo "$c" | field plain)"
check "server off" run "$LI" server off

# --- level use -> require on a live tunnel: its plaintext stops at once
check "level use" run "$LI" config set level use
start_tunnels $TMPDIR/g6 -c 100000 -i 20 -h 600 10.0.0.1 1701 10.0.0.2 1701
count_plain $TMPDIR/g6c 60
sleep 1
c=$(count_done $TMPDIR/g6c)
echo "# level use, no SA: $c"
check "level use, no SA: the tunnel's frames leave in plaintext" test "$(echo "$c" | field plain)" -ge 5
# The SPD indexes of the tunnel's two policies (in, out).
tunnel_index() { "$TESTING_TOOLS/xfrm-spd" -s -m "^dir=(in|out) prio=$PRIO_T " | sed 's/.* index=\([0-9]*\).*/\1/' | tr '\n' ' '; }
idx0=$(tunnel_index)
check "level require" run "$LI" config set level require
count_plain $TMPDIR/g6d 60
sleep 1
c=$(count_done $TMPDIR/g6d)
echo "# level require: $c"
check_eq "level require: at once no plaintext frame of the live tunnel" 0 "$(echo "$c" | field plain)"
check_eq "its policies now require the template, in place" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
check_eq "the same SPD indexes as before ($idx0)" "$idx0" "$(tunnel_index)"

# --- auto-attach off detaches the live tunnel, on adopts it again
check "auto-attach off" run "$LI" config set auto-attach off
check_eq "auto-attach off: the live tunnel has no policies" "" "$(spd_tunnels)"
check_eq "and is not listed" "[]" "$("$LI" -j tunnel show)"
check "auto-attach on" run "$LI" config set auto-attach on
check_eq "auto-attach on: the live tunnel is adopted" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
check "and listed" test "$("$LI" -j tunnel show)" != "[]"
stop_tunnels
check_eventually "gone with the tunnel" "" spd_tunnels
check_eventually "the last need gone: no guard" false guard
check_hooks "and no hook" 0

check "rmmod" run rmmod l2tp_ipsec
check_eq "SPD as before" "$base" "$(spd_count)"
ip netns del fresh
ip netns del peer
tap_done
