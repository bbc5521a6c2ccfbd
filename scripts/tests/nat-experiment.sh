#!/bin/bash
# An experiment, not part of make check (issue 24, docs/nat.md 2.3): the central
# mechanism of the recommended design verified from userspace, on a stock kernel,
# without l2tp_ipsec (never loaded here).
#   Server: charon with policies = no and reqid = 42 (examples/ as they are); the
#   policies by hand: the unmarked server policies (out: S:1701 -> any, in: any ->
#   S:1701, template ESP transport reqid 42, as the module's server=1 reqid=42), an
#   inbound one from the NAT, and per NAT'd client C one outbound policy S:1701 ->
#   N:1701 with mark M_C whose template names the server's SA towards C by its SPI
#   (found by the SA's encap dport, C's NAT-T port).
#   Classification: nftables, a `type route hook output` chain (a mark change there
#   re-routes, which runs xfrm_lookup() again), the L2TP header's tunnel id (the
#   client's own) -> meta mark set M_C, for data (L bit clear or set) and control.
#   Clients: client2 and client3 behind nat, charon's own policies (nomodule).
# Checked: both clients ping at once and are answered; the server's SA towards each
# client counts exactly the frames classified for it (nftables' counters) and its
# answers; nothing arrives at a client with another client's tunnel id; on the NAT's
# WAN side ESP goes to both NAT-T ports, no plaintext UDP 1701; xl2tpd's control
# frames (Hellos and ZLBs, from its unconnected listening socket) reach the right
# client once classified. On 6.1 the inbound half is expected to fail (docs/nat.md
# 1.3, 1.4): what depends on the server receiving client frames is shown, not checked.
. "$(dirname "$0")/lib.sh"
VPN_AUTH=psk
VPN_POLICIES=nomodule
VPN_CLIENT3=1
. "$(dirname "$0")/vpn.lib"

M2=0x4e410002
M3=0x4e410003
PING_N=40	# per client, every 0.5 s: 20 s
T_START=$SECONDS

# SPIs of NODE's SAs whose destination (in) or source (out) is ADDR
sa_to() { nat_sas "$1" | awk -v a="$2" '$3 == a { print $1 }'; }
sa_from() { nat_sas "$1" | awk -v a="$2" '$2 == a { print $1 }'; }
# the server's outbound SA to the NAT with encap dport PORT
server_out_by_port() {
	nat_sas server | awk -v s="$SERVER_IP" -v d="$NAT_IP" -v p="$1" '$2 == s && $3 == d && $5 == p { print $1 }'
}

# The server's policies, by hand (l2tp_ipsec is not loaded).
server_policies() {
	run ip xfrm policy add src "$SERVER_IP/32" dst 0.0.0.0/0 proto udp sport 1701 dir out priority 2000 \
		tmpl proto esp reqid 42 mode transport &&
		run ip xfrm policy add src 0.0.0.0/0 dst "$SERVER_IP/32" proto udp dport 1701 dir in priority 2000 \
			tmpl proto esp reqid 42 mode transport &&
		run ip xfrm policy add src "$NAT_IP/32" dst "$SERVER_IP/32" proto udp sport 1701 dport 1701 dir in \
			priority 1000 tmpl proto esp reqid 42 mode transport
}
# client_policy MARK SPI: the pinned outbound policy of one NAT'd client
client_policy() {
	run ip xfrm policy add src "$SERVER_IP/32" dst "$NAT_IP/32" proto udp sport 1701 dport 1701 dir out \
		mark "$1" mask 0xffffffff priority 1000 \
		tmpl src "$SERVER_IP" dst "$NAT_IP" proto esp spi "$2" reqid 42 mode transport
}

# The classifier on the server: a route chain (NF_INET_LOCAL_OUT; a changed mark
# re-routes: ip_route_me_harder(), xfrm_lookup()). L2TPv2 after the 8 bytes of UDP:
# flags (T 0x8000, L 0x4000), length if L, tunnel id, session id. Control frames
# have T and L; the kernel's data frames neither.
server_nft_init() {
	nft -f - <<-EOF
		table ip l2tpx {
			chain out {
				type route hook output priority mangle; policy accept;
				ip daddr $NAT_IP udp sport 1701 udp dport 1701 jump l2tp
			}
			chain l2tp {
			}
			chain tail {
				counter comment "unclassified"
			}
			chain in {
				type filter hook input priority 0; policy accept;
				ip saddr $NAT_IP udp sport 1701 udp dport 1701 jump l2tpin
			}
			chain l2tpin {
			}
		}
	EOF
}
# server_nft_client NAME TUNNEL_ID MARK SERVER_TUNNEL_ID: NAME's three rules (before
# the tail's counter), and the counters of what the server receives for its tunnel
# (input hook, after decryption, before the socket lookup)
server_nft_client() {
	local t=$2 m=$3 st=$4
	nft -f - <<-EOF
		add rule ip l2tpx l2tpin @th,64,16 & 0xc000 == 0xc000 @th,96,16 $st counter comment "$1-in-ctl"
		add rule ip l2tpx l2tpin @th,64,16 & 0x4000 == 0 @th,80,16 $st counter comment "$1-in-data"
		add rule ip l2tpx l2tp @th,64,16 & 0xc000 == 0xc000 @th,96,16 $t counter meta mark set $m return comment "$1-ctl"
		add rule ip l2tpx l2tp @th,64,16 & 0xc000 == 0x4000 @th,96,16 $t counter meta mark set $m return comment "$1-dataL"
		add rule ip l2tpx l2tp @th,64,16 & 0x4000 == 0 @th,80,16 $t counter meta mark set $m return comment "$1-data"
	EOF
}
server_nft_tail() { nft add rule ip l2tpx l2tp jump tail; }
# nft_count NETNS|server COMMENT-REGEX: the sum of the packet counters of the rules
# whose comment matches
nft_count() {
	vpn_in "$1" nft list table ip l2tpx | awk -v re="$2" '
		/comment/ { c = $0; sub(/.*comment "/, "", c); sub(/".*/, "", c)
			if (c ~ re) for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
		END { print n + 0 }'
}
# The client's counters (input hook, after decryption): L2TP from the server, its own
# tunnel id or another, control or data.
client_nft() { # NODE TUNNEL_ID
	local t=$2
	vpn_in "$1" nft -f - <<-EOF
		table ip l2tpx {
			chain in {
				type filter hook input priority 0; policy accept;
				ip saddr $SERVER_IP udp sport 1701 udp dport 1701 jump l2tp
			}
			chain l2tp {
				@th,64,16 & 0xc000 == 0xc000 @th,96,16 $t counter comment "own-ctl"
				@th,64,16 & 0xc000 == 0xc000 @th,96,16 $t udp length > 20 counter comment "msg-own-ctl"
				@th,64,16 & 0xc000 == 0xc000 @th,96,16 != $t counter comment "other-ctl"
				@th,64,16 & 0xc000 == 0x4000 @th,96,16 $t counter comment "own-dataL"
				@th,64,16 & 0xc000 == 0x4000 @th,96,16 != $t counter comment "other-dataL"
				@th,64,16 & 0x4000 == 0 @th,80,16 $t counter comment "own-data"
				@th,64,16 & 0x4000 == 0 @th,80,16 != $t counter comment "other-data"
			}
		}
	EOF
}
# local_tid NODE: NODE's (one) L2TP tunnel's own id (the server's peer tunnel id)
# server_tid PEER_TUNNEL_ID: the server's tunnel with that peer tunnel id
server_tid() { ip l2tp show tunnel | awk -v p="$1" '/^Tunnel/ { t = $2; sub(/,/, "", t) } /Peer tunnel/ && $3 == p { print t }'; }
local_tid() { vpn_in "$1" ip l2tp show tunnel | sed -n 's/^Tunnel \([0-9]*\),.*/\1/p' | head -n 1; }
# server_ppp PEER_ADDR: the server's ppp device whose peer is PEER_ADDR
server_ppp() { ip -4 -o addr show | awk -v p="$1/32" '$5 == "peer" && $6 == p { print $2 }'; }
txp() { [ -n "$1" ] && cat "/sys/class/net/$1/statistics/tx_packets" || echo 0; }
rxp() { [ -n "$1" ] && cat "/sys/class/net/$1/statistics/rx_packets" || echo 0; }
ptx() { ip -n "$1" -s link show dev ppp0 2>/dev/null | awk '/TX:/ { getline; print $2 }'; }
prx() { ip -n "$1" -s link show dev ppp0 2>/dev/null | awk '/RX:/ { getline; print $2 }'; }

# inbound NAME COMMAND...: a check that needs the server to receive the client's frames:
# asserted on 6.12, shown on 6.1
inbound() {
	local what=$1
	shift
	if [ "$NEW_RX" = 1 ]; then
		check "$what" "$@"
	elif "$@"; then
		skip "$what (it worked)" "6.1: inbound L2TP may land on the other tunnel's socket"
	else
		skip "$what (it FAILED)" "6.1: inbound L2TP may land on the other tunnel's socket"
	fi
}
ping_stat() { sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$1"; }

load_stock_modules
modprobe l2tp_ppp
# 6.12 looks L2TPv2 sessions up by id (l2tp_v2_session_get), 6.1 in the receiving
# socket's tunnel only (l2tp_core is loaded now).
if grep -qw l2tp_v2_session_get /proc/kallsyms; then NEW_RX=1; else NEW_RX=0; fi
check "topology: server, nat, client2 and client3 behind it" vpn_topology
vpn_etc
check "l2tp_ipsec is not loaded" test ! -e /sys/module/l2tp_ipsec
echo "# kernel: $(uname -r); L2TPv2 sessions found by id: $([ $NEW_RX = 1 ] && echo yes || echo 'no, in the receiving socket tunnel')"
check "server: the unmarked server policies (out, in; reqid 42) and the inbound one from the NAT" server_policies
check "server: nftables route chain, no client yet" server_nft_init

vpn_nat_up module	# the server: policies = no, reqid = 42
check "server: swanctl.conf with policies = no and reqid = 42" \
	bash -c "grep -q 'policies = no' '$VPN/server/swanctl/swanctl.conf' && grep -q 'reqid = 42' '$VPN/server/swanctl/swanctl.conf'"

# client2 alone: the unmarked policy finds its SA.
check "client2: CHILD_SA, then xl2tpd dials" vpn_dial client2
check "client2: PPP up" vpn_wait_ppp client2 120
check "client2: ping across ppp0" vpn_ping client2 -c 3 -W 5
t2=$(local_tid client2)
check "client2: its L2TP tunnel id (${t2:-none})" test -n "$t2"
check "client2: nftables counters on its input (tunnel id $t2)" client_nft client2 "$t2"

# client3's CHILD_SA: from now on the unmarked policy takes client3's SA (1.1).
check "client3: CHILD_SA through the same NAT" vpn_swanctl_cmd client3 --initiate --child l2tp --timeout 60 --loglevel 0
c2=$(sa_to client2 198.51.100.2) c3=$(sa_to client3 198.51.100.3)
sas=$(nat_sas server)
echo "# server's ESP states (SPI SRC DST SPORT DPORT REQID PACKETS):"
sed 's/^/#   /' <<<"$sas"
p2=$(nat_sa dport "$c2" "$sas") p3=$(nat_sa dport "$c3" "$sas")
check "server: client2's and client3's SAs to the NAT, NAT-T ports ${p2:-?} and ${p3:-?}" \
	test -n "$p2" -a -n "$p3" -a "$p2" != "$p3"
# The NAT-T port is the client's identity (docs/nat.md 2.0): the server's inbound SA
# from the client has it as its encap sport; the out SA to pin is the one with it as
# its encap dport.
i2=$(sa_from client2 198.51.100.2) i3=$(sa_from client3 198.51.100.3)
check_eq "server: client2's inbound SA ($i2) comes from NAT-T port $p2" "$p2" "$(nat_sa sport "$i2" "$sas")"
check_eq "server: client3's inbound SA ($i3) comes from NAT-T port $p3" "$p3" "$(nat_sa sport "$i3" "$sas")"
s2=$(server_out_by_port "$p2") s3=$(server_out_by_port "$p3")
check_eq "server: its out SA to $NAT_IP:$p2 is client2's inbound SA" "$c2" "$s2"
check_eq "server: its out SA to $NAT_IP:$p3 is client3's inbound SA" "$c3" "$s3"
check_eq "server: both out SAs reqid 42" "42 42" "$(nat_sa reqid "$s2" "$sas") $(nat_sa reqid "$s3" "$sas")"
check "client2: no reply while unclassified (the newest SA, client3's, takes its frames)" \
	bash -c "ip netns exec client2 ping -n -c 3 -W 2 $PPP_SERVER_IP >/dev/null; [ \$? = 1 ]"

# Classify client2: its policy, its rules.
check "server: client2's policy: mark $M2, template spi $s2 reqid 42" client_policy "$M2" "$s2"
st2=$(server_tid "$t2")
check "server: client2's rules (tunnel id $t2 -> mark $M2; its tunnel here ${st2:-?})" server_nft_client c2 "$t2" "$M2" "${st2:-0}"
check "client2: ping across ppp0 again, classified" vpn_ping client2 -c 3 -W 5

# client3 dials; its frames still leave through the unmarked policy (its SA, the newest).
vpn_xl2tpd_ctl client3 "c vpn"
if [ "$NEW_RX" = 1 ]; then
	check "client3: PPP up" vpn_wait_ppp client3 120
else
	vpn_wait_ppp client3 60
	inbound "client3: PPP up" test -n "$(vpn_ppp_addr client3)"
fi
t3=$(local_tid client3)
check "client3: its L2TP tunnel id (${t3:-none}), not client2's" test -n "$t3" -a "$t3" != "$t2"
check "client3: nftables counters on its input (tunnel id $t3)" client_nft client3 "${t3:-0}"
check "server: client3's policy: mark $M3, template spi $s3 reqid 42" client_policy "$M3" "$s3"
st3=$(server_tid "${t3:-0}")
check "server: client3's rules (tunnel id $t3 -> mark $M3; its tunnel here ${st3:-?})" server_nft_client c3 "${t3:-0}" "$M3" "${st3:-0}"
check "server: the unclassified counter last" server_nft_tail
run ip l2tp show tunnel
run ip xfrm policy
run nft list table ip l2tpx
a2=$(vpn_ppp_addr client2) a3=$(vpn_ppp_addr client3)
d2=$(server_ppp "$a2") d3=$(server_ppp "$a3")
echo "# client2: ppp $a2 (server's ${d2:-none}), tunnel $t2, server's out SA $s2 to :$p2, mark $M2"
echo "# client3: ppp ${a3:-none} (server's ${d3:-none}), tunnel $t3, server's out SA $s3 to :$p3, mark $M3"

# Both ping for 20 s at once.
# what the server sent, as one string
sent_now() { echo "$(nft_count server '^c[23]-(ctl|data)') $(nat_sas server | awk -v s="$SERVER_IP" '$2 == s { print $1, $7 }' | tr '\n' ' ')"; }
snap() { # PREFIX: every counter of one quiet moment, into variables PREFIX_*
	local i k0 k1
	# the server sent nothing from half a second before the first read to the last
	# (an LCP echo or a control frame may leave at any time)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		k0=$(sent_now)
		snooze 0.5
		snap_once "$1"
		k1=$(sent_now)
		[ "$k0" = "$k1" ] && break
		echo "# (the server sent while the counters were read: again)"
	done
}
snap_once() {
	local sas
	sas=$(nat_sas server)
	eval "$1_o2=$(nat_sa packets "$s2" "$sas") $1_o3=$(nat_sa packets "$s3" "$sas")"
	eval "$1_n2=$(nft_count server '^c2-(ctl|data)') $1_n3=$(nft_count server '^c3-(ctl|data)') $1_nu=$(nft_count server '^unclassified$')"
	eval "$1_i2=$(nft_count server '^c2-in-') $1_i3=$(nft_count server '^c3-in-') $1_i2d=$(nft_count server '^c2-in-data$') $1_i3d=$(nft_count server '^c3-in-data$')"
	eval "$1_tty=$(grep -c 'tty is not open yet' "$VPN/server/xl2tpd.log")"
	eval "$1_n2c=$(nft_count server '^c2-ctl$') $1_n3c=$(nft_count server '^c3-ctl$')"
	eval "$1_tx2=$(txp "$d2") $1_tx3=$(txp "$d3") $1_rx2=$(rxp "$d2") $1_rx3=$(rxp "$d3")"
	eval "$1_e2=$(wan_esp_to "$p2") $1_e3=$(wan_esp_to "$p3")"
	eval "$1_own2=$(nft_count client2 '^own-') $1_oth2=$(nft_count client2 '^other-')"
	eval "$1_own3=$(nft_count client3 '^own-') $1_oth3=$(nft_count client3 '^other-')"
	eval "$1_own2c=$(nft_count client2 '^own-ctl$') $1_own3c=$(nft_count client3 '^own-ctl$')"
	eval "$1_msg2=$(nft_count client2 '^msg-own-ctl$') $1_msg3=$(nft_count client3 '^msg-own-ctl$')"
	eval "$1_ptx2=$(ptx client2) $1_ptx3=$(ptx client3) $1_prx2=$(prx client2) $1_prx3=$(prx client3)"
}
snap b
t_ping=$SECONDS
ip netns exec client2 ping -n -c "$PING_N" -i 0.5 -W 2 "$PPP_SERVER_IP" >"$VPN/ping2.log" 2>&1 &
pp2=$!
ip netns exec client3 ping -n -c "$PING_N" -i 0.5 -W 2 "$PPP_SERVER_IP" >"$VPN/ping3.log" 2>&1 &
pp3=$!
wait "$pp2" "$pp3"
snooze 1
snap a
read -r sent2 recv2 < <(ping_stat "$VPN/ping2.log")
read -r sent3 recv3 < <(ping_stat "$VPN/ping3.log")
echo "# the window ($((SECONDS - t_ping)) s): client2 $recv2/$sent2 answered, client3 ${recv3:-?}/${sent3:-?}"
echo "# server's out SA $s2 (client2): $b_o2 -> $a_o2 (+$((a_o2 - b_o2))); frames classified for client2 +$((a_n2 - b_n2)) (control +$((a_n2c - b_n2c))); server ${d2:-?} tx +$((a_tx2 - b_tx2)) rx +$((a_rx2 - b_rx2))"
echo "# server's out SA $s3 (client3): $b_o3 -> $a_o3 (+$((a_o3 - b_o3))); frames classified for client3 +$((a_n3 - b_n3)) (control +$((a_n3c - b_n3c))); server ${d3:-?} tx +$((a_tx3 - b_tx3)) rx +$((a_rx3 - b_rx3))"
echo "# the server received (input hook, decrypted) for client2's tunnel $st2 +$((a_i2 - b_i2)) (data +$((a_i2d - b_i2d))), its ppp0 got +$((a_rx2 - b_rx2)); for client3's tunnel $st3 +$((a_i3 - b_i3)) (data +$((a_i3d - b_i3d))), its ppp1 got +$((a_rx3 - b_rx3)); xl2tpd: 'tty is not open yet' (data read by xl2tpd in userspace) +$((a_tty - b_tty))"
echo "# unclassified frames to the NAT +$((a_nu - b_nu)); WAN ESP to :$p2 +$((a_e2 - b_e2)), to :$p3 +$((a_e3 - b_e3))"
echo "# client2 received L2TP: own tunnel +$((a_own2 - b_own2)), other tunnel ids +$((a_oth2 - b_oth2)); its ppp0 tx +$((a_ptx2 - b_ptx2)) rx +$((a_prx2 - b_prx2))"
echo "# client3 received L2TP: own tunnel +$((a_own3 - b_own3)), other tunnel ids +$((a_oth3 - b_oth3)); its ppp0 tx +$((a_ptx3 - b_ptx3)) rx +$((a_prx3 - b_prx3))"
run ip -s xfrm state
check_eq "server: the out SA to client2 counted exactly the frames classified for client2" \
	$((a_n2 - b_n2)) $((a_o2 - b_o2))
check_eq "server: the out SA to client3 counted exactly the frames classified for client3" \
	$((a_n3 - b_n3)) $((a_o3 - b_o3))
check_eq "server: no L2TP frame to the NAT unclassified" 0 $((a_nu - b_nu))
check_eq "nat's WAN: ESP to client2's port $p2 = its SA's count" $((a_o2 - b_o2)) $((a_e2 - b_e2))
check_eq "nat's WAN: ESP to client3's port $p3 = its SA's count" $((a_o3 - b_o3)) $((a_e3 - b_e3))
check_eq "client2: received nothing with another tunnel id" 0 $((a_oth2 - b_oth2))
check_eq "client3: received nothing with another tunnel id" 0 $((a_oth3 - b_oth3))
check_eq "client2: received all the server sent it (its tunnel id, its SA)" $((a_o2 - b_o2)) $((a_own2 - b_own2))
check_eq "client3: received all the server sent it (its tunnel id, its SA)" $((a_o3 - b_o3)) $((a_own3 - b_own3))
check "server: the out SA to client2 counted at least the server ppp's frames to it" test $((a_o2 - b_o2)) -ge $((a_tx2 - b_tx2))
check "server: the out SA to client3 counted at least the server ppp's frames to it" test $((a_o3 - b_o3)) -ge $((a_tx3 - b_tx3))
inbound "client2: all $PING_N pings answered" test "${recv2:-0}" = "$PING_N"
inbound "client3: all $PING_N pings answered" test "${recv3:-0}" = "$PING_N"
inbound "server: both out SAs counted the pings' answers" test $((a_o2 - b_o2)) -ge "$PING_N" -a $((a_o3 - b_o3)) -ge "$PING_N"
if [ "$NEW_RX" = 0 ]; then
	echo "# 6.1: the server's sockets to $NAT_IP:1701:"
	run ss -uanp dst "$NAT_IP"
	echo "# server's xl2tpd log (last 15 lines):"
	tail -n 15 "$VPN/server/xl2tpd.log" | sed 's/^/#   /'
	run grep '^Udp:' /proc/net/snmp
fi

# Control: xl2tpd sends them on its unconnected listening socket, to N:1701 for both
# tunnels (Hellos every 60 s, ZLB acks of the clients' Hellos). After classification
# each client gets its own, none the other's.
end=$((SECONDS + 90))
until [ "$(nft_count client2 '^own-ctl$')" -gt "$a_own2c" ] && [ "$(nft_count client3 '^own-ctl$')" -gt "$a_own3c" ]; do
	((SECONDS < end)) || break
	snooze 1
done
snap c
echo "# control frames after the window ($((SECONDS - t_ping)) s after the pings began): classified for client2 +$((c_n2c - a_n2c)), for client3 +$((c_n3c - a_n3c)); received by client2 +$((c_own2c - a_own2c)), by client3 +$((c_own3c - a_own3c)); other tunnel ids: client2 +$((c_oth2 - a_oth2)), client3 +$((c_oth3 - a_oth3)); SAs +$((c_o2 - a_o2)), +$((c_o3 - a_o3)); unclassified +$((c_nu - a_nu))"
echo "# of those received, messages (Hello; longer than a ZLB ack's 12 bytes): client2 +$((c_msg2 - a_msg2)), client3 +$((c_msg3 - a_msg3))"
grep -i -e hello -e zlb "$VPN/server/xl2tpd.log" | tail -n 6 | sed 's/^/#   server xl2tpd: /'
check "server: control frames classified for client2 and for client3" test $((c_n2c - a_n2c)) -gt 0 -a $((c_n3c - a_n3c)) -gt 0
check_eq "client2: received the control frames classified for it" $((c_n2c - a_n2c)) $((c_own2c - a_own2c))
check_eq "client3: received the control frames classified for it" $((c_n3c - a_n3c)) $((c_own3c - a_own3c))
check_eq "clients: no frame with another's tunnel id" "0 0" "$((c_oth2 - a_oth2)) $((c_oth3 - a_oth3))"
check_eq "server: out SAs counted exactly the classified frames (all, since the window)" \
	"$((c_n2 - a_n2)) $((c_n3 - a_n3))" "$((c_o2 - a_o2)) $((c_o3 - a_o3))"
check_eq "server: no L2TP frame to the NAT unclassified" 0 $((c_nu - a_nu))

nat_capture_stop
plain=$(wan_count 'udp port 1701')
echo "# capture on nat's WAN: $(wan_count '') frames, ESP in UDP to :$p2 $(wan_esp_to "$p2"), to :$p3 $(wan_esp_to "$p3"), plaintext L2TP $plain"
check_eq "nat's WAN: 0 plaintext UDP/1701 frames" 0 "$plain"
run nft list table ip l2tpx
echo "# run time in the guest: $((SECONDS - T_START)) s"
vpn_stop_all
[ "$T_FAILED" = 0 ] || vpn_logs
tap_done
