#!/bin/bash
# The guest side of `make demo`: a narrated L2TP/IPsec connection between a real server
# and a real client (xl2tpd + pppd + strongSwan, certificates), with l2tp_ipsec owning
# every IPsec policy on both ends. The scenario's steps are those of make check's
# vpn-cert.sh (scripts/tests/vpn.lib), direct path only.
. "$L2TPI_TOP/scripts/tests/lib.sh"
VPN_AUTH=cert
. "$L2TPI_TOP/scripts/tests/vpn.lib"

say() { printf '\n== %s\n' "$*"; }
show() { echo "\$ $*"; "$@" 2>&1 | sed 's/^/    /'; }
die() { echo "demo: $*" >&2; vpn_logs; exit 1; }
# show_on NODE COMMAND...: COMMAND on NODE, shown with the prompt of that host
show_on() {
	local n=$1
	shift
	echo "$n\$ $*"
	vpn_in "$n" "$@" 2>&1 | sed 's/^/    /'
}
export PATH=$TOOLS:$PATH

load_stock_modules >/dev/null 2>&1
modprobe l2tp_ppp
vpn_topology || die "cannot set up the network"
vpn_etc

say "Debian kernel $(uname -r) in a QEMU guest, with network namespaces as hosts:
   server    192.0.2.1   (vpn.example.net) xl2tpd as LNS, strongSwan, l2tp_ipsec server=1
   client1   192.0.2.10  xl2tpd as LAC, strongSwan, l2tp_ipsec
   intruder  192.0.2.66  plain xl2tpd, no IPsec
The configuration files are the ones in examples/, used as they are."
show vpn_pki || die "strongswan-pki failed"
echo "    (a CA and certificates for vpn.example.net and client1, made with strongswan-pki)"

read -r _ _ opts < <(grep '^options l2tp_ipsec ' "$EX/modprobe.d/l2tp_ipsec.conf")
say "The server loads the module with the options of examples/modprobe.d/l2tp_ipsec.conf.
   It installs KB 248750's server filter, \"Me to Any, UDP 1701\", ESP transport, required,
   with reqid 42 (the reqid of the server's CHILD_SA in swanctl.conf):"
show insmod "$L2TPI_KO" $opts || die "insmod failed"
show_on server l2tp-ipsec policy show

say "strongSwan on both ends negotiates ESP only: its CHILD_SA says policies = no, reqid = 42.
   The client's is a trap: the kernel asks it for an SA when L2TP needs one."
vpn_swanctl server server vpn.example.net
vpn_swanctl client1 client client1.example.net
vpn_in client1 "$TOOLS/l2tp-ipsec" config set reqid 42
for n in server client1; do
	vpn_charon_start "$n" >/dev/null || die "charon on $n did not start"
	echo "$n: charon up, swanctl --load-all: connection l2tp-cert loaded"
done
vpn_xl2tpd_start server server || die "xl2tpd on the server did not start"
vpn_xl2tpd_start client1 client || die "xl2tpd on client1 did not start"
vpn_xl2tpd_start intruder client || die "xl2tpd on the intruder did not start"
vpn_capture_start || die "tcpdump did not start"
echo "xl2tpd up on server, client1 and intruder; tcpdump is capturing on the server's br0"

say "client1 dials like the Windows client of KB 248750: l2tp-ipsec-dial declares the
   connection to l2tp_ipsec (\"Me to Server, source port UDP 1701\"), then xl2tpd dials.
   Its first L2TP packet is held back and makes the kernel ask charon for an SA."
show_on client1 l2tp-ipsec-dial "$SERVER_IP"
show_on client1 l2tp-ipsec client show
echo "    (waiting for IKE, L2TP and PPP...)"
t0=$SECONDS
vpn_wait_ppp client1 120 || die "PPP did not come up"
echo "    PPP is up after $((SECONDS - t0)) s: client1 is $(vpn_ppp_addr client1) on ppp0"

say "The moment xl2tpd bound each tunnel's socket, l2tp_ipsec attached that tunnel's own
   policies (its exact addresses and ports), on both ends. The SAs charon negotiated serve
   them (reqid 42):"
show_on server l2tp-ipsec tunnel show
show_on client1 l2tp-ipsec tunnel show

say "Traffic over the VPN:"
show ip netns exec client1 ping -n -c 3 "$PPP_SERVER_IP"

say "The intruder talks L2TP in plaintext. The server's policy drops it before xl2tpd sees it:"
in0=$(xfrm_stat XfrmInTmplMismatch)
vpn_xl2tpd_ctl intruder "c vpn"
snooze 6
vpn_xl2tpd_stop intruder
snooze 0.5
echo "    plaintext SCCRQs the intruder sent (capture):    $(vpn_count 'udp port 1701 and src host 192.0.2.66')"
echo "    answers from the server (capture):               $(vpn_count 'udp and src host 192.0.2.1 and dst host 192.0.2.66')"
echo "    the server's XfrmInTmplMismatch counter went up: $(($(xfrm_stat XfrmInTmplMismatch) - in0))"
echo "    lines about 192.0.2.66 in the server's xl2tpd log: $(grep -c 192.0.2.66 "$VPN/server/xl2tpd.log")"

say "Someone flushes the server's SPD (ip xfrm policy flush) during a ping: the tunnel's
   sockets keep their own copies of its policies, and the module puts the SPD ones back."
ip netns exec client1 ping -n -c 10 -i 0.3 "$PPP_SERVER_IP" >$TMPDIR/demo-ping 2>&1 &
ping_pid=$!
snooze 1
show ip xfrm policy flush
wait "$ping_pid"
grep 'packets transmitted' $TMPDIR/demo-ping | sed 's/^/    /'
snooze 1
dmesg | grep 'restored' | tail -n 1 | sed 's/^\[[^]]*\] /    dmesg: /'

say "client1 hangs up: its connection policy and the tunnel's policies go, on both ends."
vpn_xl2tpd_ctl client1 "d vpn"
end=$((SECONDS + 30))
while [ -n "$(vpn_lipsec client1 client show)" ] && ((SECONDS < end)); do snooze 0.5; done
show_on client1 l2tp-ipsec show
show_on server l2tp-ipsec tunnel show
echo "    (no tunnels: the server keeps only its server filter)"

vpn_capture_stop
say "What crossed the server's wire (tcpdump on br0):"
echo "    IKE (UDP 500):                  $(vpn_count 'udp port 500')"
echo "    ESP:                            $(vpn_count 'esp')"
echo "    plaintext L2TP, client1:        $(vpn_count 'udp port 1701 and host 192.0.2.10')"
echo "    plaintext L2TP, the intruder's: $(vpn_count 'udp port 1701 and host 192.0.2.66') (all dropped)"

say "rmmod removes every policy the module owned; nothing else is touched:"
show rmmod l2tp_ipsec
show ip xfrm policy
echo "    (only charon's own socket policies for IKE, if any, are left)"
vpn_stop_all
say "Done. make check runs this scenario with a pre-shared key too, through a NAT, with an
   IKE daemon restart, on Debian's 6.1 and 6.12 kernels."
