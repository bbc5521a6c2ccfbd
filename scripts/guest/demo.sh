#!/bin/bash
# The guest side of `make demo`: a narrated run of server mode on a stock Debian kernel.
. "$L2TPI_TOP/scripts/tests/lib.sh"

say() { printf '\n== %s\n' "$*"; }
show() { echo "\$ $*"; "$@" 2>&1 | sed 's/^/    /'; }

load_stock_modules >/dev/null 2>&1
modprobe l2tp_eth 2>/dev/null
setup_peer
setup_l2tp_tunnel

say "Debian kernel $(uname -r) in a QEMU guest. This namespace is an L2TP server (10.0.0.1);
   netns \"peer\" is an L2TP client (10.0.0.2). A real kernel L2TP tunnel (UDP 1701 both
   ends) carries an Ethernet session: 192.168.99.1 here, 192.168.99.2 there."
show ip l2tp show tunnel
say "Without l2tp_ipsec the tunnel runs in plaintext, and anyone can talk L2TP to the server:"
show ping -c 2 -W 2 192.168.99.2

say "Load the module in server mode. auto_attach=0 keeps this demo to the server filter: by
   default the module would also attach each tunnel's own policies, in every namespace,
   the peer's included (make check's tunnel.sh shows that part)."
show insmod "$L2TPI_KO" server=1 auto_attach=0
echo '$ dmesg | grep l2tp_ipsec | tail -n 1'
dmesg | grep l2tp_ipsec | tail -n 1 | sed 's/^/    /'
say "It installed the L2TP server filter of Microsoft KB 248750 (\"Me to Any, UDP 1701\"),
   for IPv4 and IPv6: outbound from UDP 1701, inbound to UDP 1701, ESP transport, required:"
show ip xfrm policy list

say "The peer has no IPsec. It sends plaintext L2TP: its tunnel frames, and five raw
   datagrams to UDP 1701 over IPv6, where a socket is listening on the server."
in0=$(xfrm_stat XfrmInTmplMismatch)
rx0=$(rx_packets - l2tpeth0)
show ip netns exec peer ping -c 3 -W 1 192.168.99.1
udp_recv - 1701 30 /tmp/demo-recv -6
show ip netns exec peer "$TOOLS/udp-probe" send fd00::1 1701 5
udp_recv_done
in1=$(xfrm_stat XfrmInTmplMismatch)
rx1=$(rx_packets - l2tpeth0)
echo "    plaintext L2TP frames that reached the server's session: $((rx1 - rx0))"
echo "    raw datagrams that reached a socket on UDP 1701: $(sed 's/received=//' /tmp/demo-recv)"
echo "    dropped by the IPsec policy (XfrmInTmplMismatch): $((in1 - in0))"
say "And the server sends no L2TP in plaintext either: until an IKE daemon has negotiated ESP,
   its tunnel frames are held back (XfrmOutNoStates):"
out0=$(xfrm_stat XfrmOutNoStates)
show ping -c 2 -W 1 192.168.99.2
echo "    XfrmOutNoStates: $out0 -> $(xfrm_stat XfrmOutNoStates)"

say "rmmod removes exactly the policies the module installed:"
show rmmod l2tp_ipsec
show ip xfrm policy list
echo "    (empty: nothing of ours is left)"
