#!/bin/bash
# Auto-attach: per-tunnel policies the moment l2tp binds a tunnel socket, on both
# paths (PPPoL2TP with a userspace socket as xl2tpd does; `ip l2tp` genetlink with a
# kernel socket), IPv4 and IPv6; gone with the tunnel; no plaintext frame at creation
# or during 100 flushes; restore after flush/deleteall/delete; shadowing; other netns;
# 1,000 tunnels; l2tp modules loaded after us (stock kernels).
. "$(dirname "$0")/lib.sh"

load_stock_modules
setup_peer

# --- control run without the module: the counter does see plaintext L2TP
count_plain $TMPDIR/c0 60
run "$TUN" -s -c 10 -i 5 10.0.0.1 1701 10.0.0.2 1701
sleep 0.3
c0=$(count_done $TMPDIR/c0)
echo "# no module: $c0"
check "control: without the module a new PPPoL2TP tunnel sends plaintext L2TP ($c0)" \
	test "$(echo "$c0" | field plain)" -ge 10

run ip xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 proto udp sport 1701 dir out priority 100 tmpl proto esp mode transport
foreign=$(spd)
base=$(spd_count)
check "insmod" run insmod "$L2TPI_KO"
check "auto-attach armed" dmesg_has "auto-attach armed"
check_eq "insmod (server mode off, no tunnel) installs nothing" "$base" "$(spd_count)"
run rmmod l2tp_ipsec

# --- tunnels that exist before the module loads are adopted (and reported)
start_tunnels $TMPDIR/t0 -s -h 900 10.0.0.1 1701 10.0.0.2 1710
run ip l2tp add tunnel tunnel_id 61 peer_tunnel_id 62 encap udp local fd00::1 remote fd00::2 udp_sport 1711 udp_dport 1701
check "insmod with two live tunnels" run insmod "$L2TPI_KO"
check "it reports them adopted" dmesg_has "adopted 2 existing L2TP tunnels"
check_eq "both have their policies" \
	"$( (tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1710; tunnel_policies inet6 fd00::1 fd00::2 1711 1701) | sort)" \
	"$(spd_tunnels)"
out=$("$TOOLS/l2tp-ipsec" -j tunnel show)
echo "# l2tp-ipsec -j tunnel show: $out"
no_ids() { [[ $out == *'"local-port":1711'* && $out != *'"id":'* ]]; }
check "adopted tunnels: listed by l2tp-ipsec, without a tunnel id (created before us)" no_ids
run ip l2tp del tunnel tunnel_id 61
stop_tunnels
check_eventually "adopted tunnels: policies gone with them" "" spd_tunnels

# --- PPPoL2TP path (xl2tpd, pppd), IPv4 and IPv6
start_tunnels $TMPDIR/t1 -s -h 900 10.0.0.1 1701 10.0.0.2 1701
check_eq "PPPoL2TP/IPv4 tunnel: exact 5-tuple policies right after the bind" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
check_eq "and no socket policy: flushes are the output guard's (below)" "" "$(sk_policies)"
stop_tunnels
check_eventually "PPPoL2TP/IPv4: closing the sockets removes them" "" spd_tunnels
# genetlink delete of a tunnel whose socket userspace keeps open
start_tunnels $TMPDIR/t1b -h 900 -t 300 10.0.0.1 1701 10.0.0.2 1712
check_eq "PPPoL2TP tunnel 300 attached" 2 "$(spd_tunnels | wc -l)"
out=$("$TOOLS/l2tp-ipsec" -j tunnel show)
echo "# l2tp-ipsec -j tunnel show: $out"
id_300() { [[ $out == '[{"id":300,"local-ipv4":"10.0.0.1","peer-ipv4":"10.0.0.2","local-port":1701,"peer-port":1712,'* ]]; }
check "l2tp-ipsec tunnel show: the PPPoL2TP tunnel's id, 300" id_300

run ip l2tp del tunnel tunnel_id 300
sleep 0.3
# The kernel can still send on the socket of a deleted tunnel (sessions draining, a
# hanging-up pppd's LCP Terminate-Requests, even after userspace closed it): the
# policies stay until nothing but us holds the socket.
check_eq "ip l2tp del of a PPPoL2TP tunnel whose socket stays open: its SPD policies stay" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1712)" "$(spd_tunnels)"
check "l2tp-ipsec tunnel show no longer lists it" \
	test "$("$TOOLS/l2tp-ipsec" -j tunnel show)" = "[]"
stop_tunnels
check_eventually "all go when the socket is closed" "" spd_tunnels
start_tunnels $TMPDIR/t2 -6 -s -h 900 fd00::1 1701 fd00::2 1702
check_eq "PPPoL2TP/IPv6 tunnel: exact 5-tuple policies" \
	"$(tunnel_policies inet6 fd00::1 fd00::2 1701 1702)" "$(spd_tunnels)"
stop_tunnels
check_eventually "PPPoL2TP/IPv6: gone with the tunnel" "" spd_tunnels

# --- genetlink path (ip l2tp, kernel sockets), IPv4 and IPv6
run ip l2tp add tunnel tunnel_id 11 peer_tunnel_id 12 encap udp local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1703
check_eq "ip l2tp/IPv4 tunnel: exact 5-tuple policies" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1703)" "$(spd_tunnels)"
run ip l2tp del tunnel tunnel_id 11
check_eventually "ip l2tp del tunnel removes them" "" spd_tunnels
run ip l2tp add tunnel tunnel_id 13 peer_tunnel_id 14 encap udp local fd00::1 remote fd00::2 udp_sport 1704 udp_dport 1701
check_eq "ip l2tp/IPv6 tunnel: exact 5-tuple policies" \
	"$(tunnel_policies inet6 fd00::1 fd00::2 1704 1701)" "$(spd_tunnels)"
run ip l2tp del tunnel tunnel_id 13
check_eventually "ip l2tp del (IPv6) removes them" "" spd_tunnels

# --- zero leak at creation: the tunnel sends at once, no SA exists
count_plain $TMPDIR/c1 60
run "$TUN" -s -c 20 -i 5 10.0.0.1 1701 10.0.0.2 1701
run "$TUN" -c 20 -i 5 10.0.0.1 1701 10.0.0.2 1701
run "$TUN" -6 -s -c 20 -i 5 fd00::1 1701 fd00::2 1701
sleep 0.3
c1=$(count_done $TMPDIR/c1)
echo "# new tunnels sending at once (60 frames): $c1"
check_eq "no plaintext L2TP frame from tunnels that send the moment they exist" 0 "$(echo "$c1" | field plain)"
check_eq "the capture dropped nothing" 0 "$(echo "$c1" | field drops)"

# --- 100 flushes during traffic: the output guard (kmod/guard.c) drops the tunnel's
# frames until the restore has put its policies back
start_tunnels $TMPDIR/t3 -s -c 100000 -i 10 -h 600 10.0.0.1 1701 10.0.0.2 1701
sleep 0.5
check_eq "live tunnel has its policies" "$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" "$(spd_tunnels)"
c2=$(plain_during_flushes 100 $TMPDIR/c2)
echo "# 100 flushes during traffic: $c2"
check_eq "100 x ip xfrm policy flush during traffic: 0 plaintext L2TP frames" 0 "$(echo "$c2" | field plain)"
check_eventually "after the flushes our policies are back in the SPD" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" spd_tunnels
check "the restore is logged" dmesg_has "restored .* policies that were removed from the SPD"
count_plain $TMPDIR/c3 600
run ip xfrm policy deleteall
sleep 0.5
c3=$(count_done $TMPDIR/c3)
check_eq "ip xfrm policy deleteall during traffic: 0 plaintext frames" 0 "$(echo "$c3" | field plain)"
check_eventually "after deleteall our policies are back" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" spd_tunnels
# An admin's delete of one owned policy is undone too (see README: remove them by
# ending the tunnel or unloading the module).
run ip xfrm policy delete dir out src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dport 1701
check_eventually "ip xfrm policy delete of one of ours: put back" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1701)" spd_tunnels
stop_tunnels
check_eventually "gone with the tunnel after all that" "" spd_tunnels

# --- foreign policies: the one added before insmod is gone (flushed by the admin);
# re-add it and one with a tunnel's exact selector: we are shadowed, never fight
run ip xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 proto udp sport 1701 dir out priority 100 tmpl proto esp mode transport
run ip xfrm policy add src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dport 1705 dir out priority 50 tmpl proto esp mode transport reqid 7
# (the block policies come and go with the tunnels: left out)
foreign=$(spd_nb)
start_tunnels $TMPDIR/t4 -h 900 10.0.0.1 1701 10.0.0.2 1705
check_eq "a tunnel whose outbound selector someone else owns: only our inbound policy" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1705 | grep dir=in)" "$(spd_tunnels)"
check_eq "the foreign policies stay byte-identical" "$foreign" "$(spd_nb | grep -vF "prio=$PRIO_T ")"
run ip xfrm policy delete dir out src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dport 1705
check_eventually "when the shadowing policy goes, ours is installed" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1705)" spd_tunnels
stop_tunnels
check_eventually "and goes with the tunnel" "" spd_tunnels

# --- 1,000 tunnels up and down
# (without the block policies: they come and go with the tunnels)
spd_main() { "$TESTING_TOOLS/xfrm-spd" -c -m '^dir=(in|out) .* mark=0/0 '; }
base=$(spd_main)
start_tunnels $TMPDIR/t5 -n 1000 -t 1000 -h 600 10.0.0.1 1701 10.0.0.2 20000
check_eq "1,000 PPPoL2TP tunnels: 2,000 SPD policies" $((base + 2000)) "$(spd_main)"
check_eq "and no socket policy" 0 "$(sk_policies_count)"
stop_tunnels
check_eventually "1,000 tunnels closed: SPD back at its baseline" "$base" spd_main

# --- other namespaces: each gets only its own; deleting one with live tunnels is clean
run ip -n peer l2tp add tunnel tunnel_id 21 peer_tunnel_id 22 encap udp local 10.0.0.2 remote 10.0.0.1 udp_sport 1701 udp_dport 1706
check_eq "a tunnel in netns peer: policies in peer's SPD" \
	"$(tunnel_policies inet 10.0.0.2 10.0.0.1 1701 1706)" "$(spd_tunnels peer)"
check_eventually "and none in the initial netns" "" spd_tunnels
ip netns add gone
ip -n gone link set lo up
run ip -n gone l2tp add tunnel tunnel_id 31 peer_tunnel_id 32 encap udp local 127.0.0.1 remote 127.0.0.2 udp_sport 1701 udp_dport 1701
check_eq "a tunnel in netns gone has its policies" 2 "$(spd_tunnels gone | wc -l)"
check "deleting netns gone with its live tunnel" run ip netns del gone
sleep 1
run ip -n peer l2tp del tunnel tunnel_id 21

# --- rmmod with a live tunnel: ours go, the foreign ones stay
foreign=$(spd_nb)
run ip l2tp add tunnel tunnel_id 41 peer_tunnel_id 42 encap udp local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1707
check "rmmod with a live tunnel" run rmmod l2tp_ipsec
check_eventually "rmmod: no policy of ours left" "" spd_tunnels
check_eq "rmmod: the foreign policies byte-identical" "$foreign" "$(spd)"
run ip l2tp del tunnel tunnel_id 41

# --- l2tp modules loaded after us, unloaded and reloaded (stock kernels: modules)
if [ -e /sys/module/l2tp_core/initstate ]; then
	rmmod l2tp_eth l2tp_ip l2tp_ppp l2tp_netlink l2tp_core 2>/dev/null
	check "l2tp_core unloaded" test ! -e /sys/module/l2tp_core
	check "insmod before l2tp" run insmod "$L2TPI_KO"
	check "auto-attach says it waits for l2tp_core" dmesg_has "auto-attach waits for l2tp_core"
	load_stock_modules
	run ip l2tp add tunnel tunnel_id 51 peer_tunnel_id 52 encap udp local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1708
	check_eq "l2tp loaded after us: tunnel policies attached" \
		"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1708)" "$(spd_tunnels)"
	run ip l2tp del tunnel tunnel_id 51
	rmmod l2tp_eth l2tp_ip l2tp_ppp l2tp_netlink l2tp_core 2>/dev/null
	check "l2tp unloaded under us: disarmed" dmesg_has "auto-attach disarmed"
	load_stock_modules
	run ip l2tp add tunnel tunnel_id 53 peer_tunnel_id 54 encap udp local 10.0.0.1 remote 10.0.0.2 udp_sport 1701 udp_dport 1709
	check_eq "l2tp reloaded: tunnel policies attached again" \
		"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 1709)" "$(spd_tunnels)"
	run ip l2tp del tunnel tunnel_id 53
	check "rmmod" run rmmod l2tp_ipsec
else
	skip "l2tp loaded after l2tp_ipsec" "l2tp is built in"
fi
check_eq "SPD at the end: only the foreign policies" "$foreign" "$(spd)"
ip netns del peer
tap_done
