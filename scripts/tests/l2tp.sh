#!/bin/bash
# A real L2TP tunnel (ip l2tp: L2TPv3 over UDP 1701, kernel sockets) between the server
# (initial netns) and a peer: in plaintext it carries traffic; with server=1 and no SA,
# no L2TP frame leaves the server in plaintext and none is accepted; after rmmod it flows.
. "$(dirname "$0")/lib.sh"

load_stock_modules
modprobe l2tp_eth 2>/dev/null
setup_peer
setup_l2tp_tunnel
run ip l2tp show tunnel

check "no module: ping over the plaintext L2TP tunnel works" run ping -c 3 -W 2 192.168.99.2

# The server wildcard alone (tunnel.sh covers auto-attach, which would adopt both ends).
check "insmod server=1 auto_attach=0" run insmod "$L2TPI_KO" server=1 auto_attach=0
peer_rx0=$(rx_packets peer l2tpeth0)
out0=$(xfrm_stat XfrmOutNoStates)
in0=$(xfrm_stat XfrmInTmplMismatch)
check "server=1, no SA: ping over the tunnel fails" ping_fails -c 3 -W 2 192.168.99.2
peer_rx1=$(rx_packets peer l2tpeth0)
check_eq "no L2TP frame from the server reached the peer's session" "$peer_rx0" "$peer_rx1"
out1=$(xfrm_stat XfrmOutNoStates)
echo "# XfrmOutNoStates: $out0 -> $out1"
check_counted "the server's outbound L2TP frames were held back by the policy (XfrmOutNoStates)" \
	test "$out1" -gt "$out0"
# The peer (no policy) sends L2TP frames in plaintext: the server must drop them.
server_rx0=$(rx_packets - l2tpeth0)
check "the peer's plaintext pings get no answer" ip netns exec peer bash -c ". $L2TPI_TOP/scripts/tests/lib.sh; ping_fails -c 3 -W 1 192.168.99.1"
server_rx1=$(rx_packets - l2tpeth0)
in1=$(xfrm_stat XfrmInTmplMismatch)
echo "# XfrmInTmplMismatch: $in0 -> $in1"
check_eq "plaintext L2TP frames from the peer never reached the server's session" \
	"$server_rx0" "$server_rx1"
check_counted "and were counted as dropped (XfrmInTmplMismatch)" test "$in1" -gt "$in0"

check "rmmod" run rmmod l2tp_ipsec
check "after rmmod: ping over the plaintext tunnel works again" run ping -c 3 -W 2 192.168.99.2
ip l2tp del tunnel tunnel_id 1
ip netns del peer
tap_done
