#!/bin/bash
# Several clients behind one NAT with l2tp_ipsec (docs/nat.md, section 4): client1
# directly, client2 and client3 behind the NAT, strongSwan and xl2tpd on every host as
# examples/ configures them (charon installs no policy, the module owns them, reqid
# 42), a pre-shared key. vpn-nat-control.sh is the same without the module.
# Checked here: each tunnel is bound to the SA its frames arrive in, and tunnel show
# says which (SPI and NAT-T port, as in ip xfrm state); a frame through one NAT'd
# client's SA that names the other's tunnel is dropped and counted, and moves nothing.
. "$(dirname "$0")/lib.sh"
VPN_AUTH=psk
VPN_POLICIES=module
VPN_CLIENT3=1
. "$(dirname "$0")/vpn.lib"

# nat_in_spi NODE ADDR: the SPI of NODE's inbound SA (destination ADDR): the server's
# outbound SA towards NODE has the same SPI.
nat_in_spi() { nat_sas "$1" | awk -v a="$2" '$3 == a { print $1 }'; }

# tun FIELD WHERE VALUE: FIELD of the server's tunnel whose WHERE is VALUE, from
# `l2tp-ipsec -j tunnel show` (FIELD and WHERE: a tunnel key, or sa-in.KEY, sa-out.KEY)
tun() {
	"$TOOLS/l2tp-ipsec" -j tunnel show | python3 -c '
import json, sys
field, where, value = sys.argv[1:4]
def walk(o):
	if isinstance(o, dict):
		if "local-port" in o:
			yield o
		for v in o.values():
			yield from walk(v)
	elif isinstance(o, list):
		for v in o:
			yield from walk(v)
def get(t, k):
	if k.startswith("sa-"):
		d, k = k[3:].split(".")
		sa = [s for s in t.get("sa", []) if s.get("dir") == d]
		return sa[0].get(k) if sa else None
	return t.get(k)
for t in walk(json.load(sys.stdin)):
	if str(get(t, where)) == value:
		print(get(t, field))
' "$@"
}

load_stock_modules
modprobe l2tp_ppp
check "topology: server, client1, nat, client2 and client3 behind it" vpn_topology
vpn_etc
read -r _ _ opts < <(grep '^options l2tp_ipsec ' "$EX/modprobe.d/l2tp_ipsec.conf")
check "server: insmod l2tp_ipsec $opts" run insmod "$L2TPI_KO" $opts
for n in client1 client2 client3; do
	check "$n: l2tp-ipsec config set reqid 42" run vpn_lipsec "$n" config set reqid 42
done
vpn_swanctl client1 client client1.example.net
check "client1: charon up, swanctl --load-all ($VPN_AUTH)" vpn_charon_start client1
check "client1: xl2tpd (LAC) up" vpn_xl2tpd_start client1 client
vpn_nat_up

# 6.12 finds an L2TPv2 session by its ids whichever tunnel socket of the shared
# 4-tuple a frame lands on; 6.1 only in that socket's tunnel (docs/nat.md 1.4), so
# there client3's PPP link comes up or not from one run to the next.
v2_lookup=0
grep -qw l2tp_v2_session_get /proc/kallsyms && v2_lookup=1
for n in client1 client2 client3; do
	check "$n: l2tp-ipsec-dial $SERVER_IP: the SAs, then L2TP" vpn_dial "$n"
	if [ $n = client3 ] && [ $v2_lookup = 0 ]; then
		vpn_wait_ppp "$n" 30
		ppp3=$(vpn_ppp_addr client3)
		echo "# client3: PPP address ${ppp3:-none}"
	else
		check "$n: PPP up over L2TP/IPsec" vpn_wait_ppp "$n" 120
		ppp3=1
	fi
done
check_eq "server: three L2TP tunnels" 3 "$(vpn_tunnels server)"
# A first frame from every client binds its tunnel to its SA; the server then pins
# the NAT'd tunnels' outbound frames to their clients' SAs.
for n in client1 client2 client3; do
	run vpn_in "$n" ping -n -c 1 -W 2 "$PPP_SERVER_IP"
done
check_eventually "server: two pinned policies (tunnel mark, SA's SPI), client2's and client3's" 2 \
	eval "ip xfrm policy list dir out | grep -c 'mark 0x4c54[0-9a-f]*/0xffffffff'"
run ip xfrm policy list dir out

# All three ping at the same time; per client, the server's outbound SA to it counts
# what the client's inbound SA of the same SPI counts: its own frames, no other's.
out_spi() { # CLIENT ADDR: the server's outbound SA to CLIENT (CLIENT's inbound SA)
	nat_in_spi "$1" "$2"
}
declare -A spi before_srv before_cli
for n in client1 client2 client3; do
	addr=198.51.100.${n#client}
	[ $n = client1 ] && addr=192.0.2.10
	spi[$n]=$(out_spi "$n" "$addr")
done
sas=$(nat_sas server)
for n in client1 client2 client3; do
	before_srv[$n]=$(nat_sa packets "${spi[$n]}" "$sas")
	before_cli[$n]=$(nat_sa packets "${spi[$n]}" "$(nat_sas "$n")")
done
for n in client1 client2 client3; do
	vpn_in "$n" ping -n -c 20 -i 0.2 -W 2 "$PPP_SERVER_IP" >"$VPN/ping-$n.log" 2>&1 &
	VPN_PID[ping-$n]=$!
done
for n in client1 client2 client3; do
	wait "${VPN_PID[ping-$n]}"
	VPN_PID[ping-$n]=
done
sas=$(nat_sas server)
for n in client1 client2 client3; do
	got=$(grep -c 'bytes from' "$VPN/ping-$n.log")
	srv=$(( $(nat_sa packets "${spi[$n]}" "$sas") - before_srv[$n] ))
	cli=$(( $(nat_sa packets "${spi[$n]}" "$(nat_sas "$n")") - before_cli[$n] ))
	echo "# $n: $got/20 answered; the server's outbound SA ${spi[$n]}: +$srv packets, $n's inbound SA: +$cli"
	check "$n: 19 or more of its 20 pings answered, all three pinging at once" test "$got" -ge 19
	check "$n: the server's SA to it (${spi[$n]}) carried its replies (+$srv >= $got)" test "$srv" -ge "$got"
	# (counted a moment apart: a Hello or LCP echo may fall between the readings)
	check "$n: what the server sent through that SA arrived at $n (+$srv, +$cli)" \
		test "$cli" -ge $((srv - 2)) -a "$cli" -le $((srv + 2))
done
sas=$(nat_sas server)
run ip -s xfrm state
run "$TOOLS/l2tp-ipsec" tunnel show

# Each tunnel is bound to its client's SA: the server's inbound SA from that client
# (client2 and client3: by the NAT-T port), and outbound the SA to the same port.
c1=$(nat_in_spi client1 192.0.2.10)
check_eq "client1's tunnel: bound to the server's inbound SA from client1, no NAT-T port" \
	"$(awk '$2 == "192.0.2.10" && $3 == "192.0.2.1" { print $1 }' <<<"$sas")|None" \
	"$(tun bound-spi peer-ipv4 192.0.2.10)|$(tun bound-encap-port peer-ipv4 192.0.2.10)"
check_eq "client1's tunnel: its outbound SA is client1's ($c1)" "$c1" "$(tun sa-out.spi peer-ipv4 192.0.2.10)"
for n in client2 client3; do
	addr=198.51.100.${n#client}
	cin=$(nat_in_spi "$n" "$addr")		# = the server's outbound SA to $n
	port=$(nat_sa dport "$cin" "$sas")	# $n's NAT-T port on the NAT
	sin=$(awk -v p="$port" '$2 == "'"$NAT_IP"'" && $4 == p { print $1 }' <<<"$sas")
	echo "# $n: NAT-T port $port; server's SAs: in $sin, out $cin"
	check_eq "$n's tunnel: bound to the server's inbound SA from NAT-T port $port ($sin)" \
		"$sin" "$(tun bound-spi bound-encap-port "$port")"
	check_eq "$n's tunnel: its outbound SA is the one to port $port ($cin)" \
		"$cin" "$(tun sa-out.spi bound-encap-port "$port")"
	check_eq "$n's tunnel: the SAs' NAT-T ports as in ip xfrm state" "$port|$port" \
		"$(tun sa-out.encap-dport bound-encap-port "$port")|$(tun sa-in.encap-sport bound-encap-port "$port")"
	eval "port_$n=$port sin_$n=$sin"
done
check "client2 and client3: two tunnels, two NAT-T ports" test -n "$port_client2" -a "$port_client2" != "$port_client3"

# Injection: client3 rewrites the tunnel id of its own data frames to client2's
# tunnel's (the server's id, which client2's frames carry). They leave through
# client3's SA; the server drops them as foreign to client2's tunnel.
inject() {
	local t2 f0 f1
	t2=$(tun id bound-encap-port "$port_client2")
	f0=$(tun foreign bound-encap-port "$port_client2")
	check "client3: nft rewrites the tunnel id of its L2TP data frames to $t2 (client2's)" \
		vpn_in client3 nft -f - <<-EOF
		table ip inject {
			chain out {
				type filter hook output priority 0;
				udp dport 1701 @th,64,16 & 0xc00f == 0x0002 @th,80,16 set $t2 counter
			}
		}
	EOF
	run vpn_in client3 ping -n -c 5 -i 0.2 -W 1 "$PPP_SERVER_IP"
	run vpn_in client3 nft list table ip inject
	f1=$(tun foreign bound-encap-port "$port_client2")
	echo "# client2's tunnel $t2: foreign frames $f0 -> $f1"
	check "server: client2's tunnel dropped client3's frames as foreign (>= 5)" test $((f1 - f0)) -ge 5
	check_eq "server: client2's tunnel still bound to its own SA" "$sin_client2" "$(tun bound-spi id "$t2")"
	check "client3: injection off" vpn_in client3 nft delete table ip inject
	check "client3: ping across ppp0 again" vpn_ping client3 -c 3 -W 5
}
if [ -n "$ppp3" ]; then
	inject
else
	skip "injection through client3's SA into client2's tunnel" "client3's PPP link is down (6.1)"
fi

# bg_ping_start NODE / bg_ping_stop NODE: NODE pings all along (-O: a line for each
# request, answered or not); bg_ping_lost NODE: how many went unanswered.
bg_ping_start() {
	ip netns exec "$1" ping -n -O -i 0.2 -W 1 "$PPP_SERVER_IP" >"$VPN/bg-$1.log" 2>&1 &
	VPN_PID[bg-$1]=$!
}
bg_ping_stop() {
	kill -INT "${VPN_PID[bg-$1]}" 2>/dev/null
	wait "${VPN_PID[bg-$1]}"
	VPN_PID[bg-$1]=
}
bg_ping_lost() { grep -c 'no answer yet' "$VPN/bg-$1.log"; }
bg_ping_sent() { grep -cE 'icmp_seq=|no answer yet' "$VPN/bg-$1.log"; }

# pinned_spi T: the SPI in the template of tunnel T's pinned policy (its mark)
pinned_spi() {
	ip xfrm policy list dir out | awk -v m="$(printf '0x%x/0xffffffff' $((0x4c540000 | $1)))" '
		$1 == "src" { cur = "" }
		$1 == "mark" { cur = $2 }
		$1 == "proto" && $2 == "esp" && cur == m { print $4 }'
}

# nat_rekey CLIENT: CLIENT rekeys its CHILD_SA while both NAT'd clients ping. Its
# tunnel follows (the new inbound SA; pinned to the new outbound SA), the other's stays.
nat_rekey() {
	local n=$1 addr=198.51.100.${1#client} port t old new other sin end pol
	eval "port=\$port_$n"
	t=$(tun id bound-encap-port "$port")
	old=$(nat_in_spi "$n" "$addr")
	other=$(tun sa-out.spi bound-encap-port "$(if [ "$n" = client2 ]; then echo "$port_client3"; else echo "$port_client2"; fi)")
	check "$n: swanctl --rekey --child l2tp" vpn_swanctl_cmd "$n" --rekey --child l2tp
	end=$((SECONDS + 30))
	until new=$(nat_in_spi "$n" "$addr") && [ -n "$new" ] && [ "$new" != "$old" ] &&
		[ "$(wc -l <<<"$new")" = 1 ]; do
		((SECONDS < end)) || break
		snooze 0.5
	done
	echo "# $n: the server's outbound SA to it: $old -> $new"
	check "$n: rekeyed: one new SA to it ($new), the old one ($old) gone" \
		test -n "$new" -a "$new" != "$old" -a "$(wc -l <<<"$new")" = 1
	vpn_ping "$n" -c 2 -W 2 >/dev/null
	sin=$(nat_sas server | awk -v p="$port" '$2 == "'"$NAT_IP"'" && $4 == p { print $1 }')
	check_eventually "$n's tunnel $t: pinned to the new outbound SA $new" "$new" pinned_spi "$t"
	check_eq "$n's tunnel $t: tunnel show: bound to the new inbound SA, its outbound SA the new one" \
		"$sin|$new" "$(tun bound-spi id "$t")|$(tun sa-out.spi id "$t")"
	check_eq "the other NAT'd client's tunnel: its outbound SA unchanged" "$other" \
		"$(tun sa-out.spi bound-encap-port "$(if [ "$n" = client2 ]; then echo "$port_client3"; else echo "$port_client2"; fi)")"
}
bg_ping_start client2
bg_ping_start client3
nat_rekey client2
nat_rekey client3
snooze 2
bg_ping_stop client2
bg_ping_stop client3
for n in client2 client3; do
	echo "# $n: background ping through both rekeys: $(bg_ping_sent $n) sent, $(bg_ping_lost $n) unanswered"
	# (the responder sends through the new SA before the initiator has installed it)
	check "$n: at most 1 s of pings (5) lost through both rekeys" test "$(bg_ping_lost $n)" -le 5
done

# Two clients with the same tunnel id. client2 and client3 each open tunnel 4000 (their
# own id) to the server's UDP 1702; the server's tunnels 4002 (client2's) and 4003
# (client3's) share the 5-tuple (S:1702 <-> N:1702) and the peer's tunnel id, 4000
# (testing/tools/l2tp-tunnel: sockets with SO_REUSEADDR, a session each). The clients
# send 10 frames each first, which bind the server's tunnels to their SAs; then the
# server sends 40 frames through tunnel 4002 and 8 through 4003. Each goes by its
# socket to its own client's SA (the counts also take a few PPP and L2TP keepalives).
# Every tunnel is held open until the checks of its binding are done (-h).
same_id() {
	local n t sas out1 in1 c2 c3
	c2=$(nat_in_spi client2 198.51.100.2) c3=$(nat_in_spi client3 198.51.100.3)
	sas=$(nat_sas server)
	declare -A out0 in0
	for n in client2 client3; do
		t=$c2
		[ $n = client3 ] && t=$c3
		out0[$n]=$(nat_sa packets "$t" "$sas")
		in0[$n]=$(nat_sa packets "$t" "$(nat_sas $n)")
	done
	"$TESTING_TOOLS/l2tp-tunnel" -s -t 4002 -p 4000 -c 40 -i 25 -w 4 -h 8 \
		192.0.2.1 1702 "$NAT_IP" 1702 >"$VPN/same-4002.log" 2>&1 &
	VPN_PID[same-4002]=$!
	"$TESTING_TOOLS/l2tp-tunnel" -s -t 4003 -p 4000 -c 8 -i 25 -w 4 -h 8 \
		192.0.2.1 1702 "$NAT_IP" 1702 >"$VPN/same-4003.log" 2>&1 &
	VPN_PID[same-4003]=$!
	snooze 1
	for n in client2 client3; do
		ip netns exec "$n" "$TESTING_TOOLS/l2tp-tunnel" -s -t 4000 -p 400${n#client} -c 10 -i 50 -h 6 \
			"198.51.100.${n#client}" 1702 192.0.2.1 1702 >"$VPN/same-$n.log" 2>&1 &
		VPN_PID[same-$n]=$!
	done
	snooze 3
	run "$TOOLS/l2tp-ipsec" tunnel show
	check_eq "server: tunnel 4002 bound to client2's SA (NAT-T port $port_client2)" "$port_client2" \
		"$(tun bound-encap-port id 4002)"
	check_eq "server: tunnel 4003 bound to client3's SA (NAT-T port $port_client3)" "$port_client3" \
		"$(tun bound-encap-port id 4003)"
	for n in same-4002 same-4003 same-client2 same-client3; do
		wait "${VPN_PID[$n]}"
		VPN_PID[$n]=
		sed "s/^/# $n: /" "$VPN/$n.log"
	done
	sas=$(nat_sas server)
	for n in client2 client3; do
		t=$c2
		[ $n = client3 ] && t=$c3
		out1=$(( $(nat_sa packets "$t" "$sas") - out0[$n] ))
		in1=$(( $(nat_sa packets "$t" "$(nat_sas $n)") - in0[$n] ))
		echo "# $n: the server's SA to it ($t): +$out1, $n's inbound SA: +$in1"
		eval "same_out_$n=$out1 same_in_$n=$in1"
	done
	check "client2: got tunnel 4002's 40 frames, not 4003's 8 (+$same_in_client2)" \
		test "$same_in_client2" -ge 40 -a "$same_in_client2" -lt 48
	check "client3: got tunnel 4003's 8 frames, not 4002's 40 (+$same_in_client3)" \
		test "$same_in_client3" -ge 8 -a "$same_in_client3" -lt 40
}
same_id

# client3 hangs up (xl2tpd, then its IKE_SA). client2 goes on, and nothing but its
# own frames goes through its SA, nor to its port on the NAT's WAN side.
vpn_xl2tpd_ctl client3 "d vpn"
check "client3: IKE_SA terminated (swanctl --terminate)" \
	vpn_swanctl_cmd client3 --terminate --ike l2tp-psk --timeout 30 --loglevel 0
check_eventually "server: no SA to client3's NAT-T port left" "" \
	eval "nat_sas server | awk -v p=$port_client3 '\$5 == p || \$4 == p'"
c2=$(nat_in_spi client2 198.51.100.2)
sas=$(nat_sas server)
s0=$(nat_sa packets "$c2" "$sas") i0=$(nat_sa packets "$c2" "$(nat_sas client2)")
check "client2: ping across ppp0 after client3 went (20)" vpn_ping client2 -c 20 -i 0.2 -W 2
snooze 1
s1=$(nat_sa packets "$c2" "$(nat_sas server)") i1=$(nat_sa packets "$c2" "$(nat_sas client2)")
echo "# client2: the server's SA to it ($c2): +$((s1 - s0)), client2's inbound: +$((i1 - i0))"
check "client2: what the server sent through its SA arrived at client2 (+$((s1 - s0)), +$((i1 - i0)))" \
	test $((i1 - i0)) -ge $((s1 - s0 - 2)) -a $((i1 - i0)) -le $((s1 - s0 + 2))
check "client3: dials again" vpn_dial client3
if [ $v2_lookup = 1 ] || [ -n "$ppp3" ]; then
	check "client3: PPP up again" vpn_wait_ppp client3 120
	check "client3: ping across ppp0" vpn_ping client3 -c 3 -W 5
	check "client2: ping across ppp0" vpn_ping client2 -c 3 -W 5
fi

# No L2TP in plaintext on the NAT's WAN side in all this.
nat_capture_stop
check_eq "nat's WAN: 0 plaintext UDP/1701 frames" 0 "$(wan_count 'udp port 1701')"

vpn_stop_all
[ "$T_FAILED" = 0 ] || vpn_logs
tap_done
