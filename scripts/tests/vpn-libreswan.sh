#!/bin/bash
# End to end with a libreswan 4.x server as hwdsl2/setup-ipsec-vpn configures it (IKEv1,
# transport, leftprotoport=17/1701, rightprotoport=17/%any; its own policies and
# reqids) and l2tp_ipsec loaded next to it at its defaults (server=1): the VPN must work,
# with ours as the fallback behind pluto's. Clients: strongSwan (client1, direct, a trap
# that negotiates on the first L2TP frame) and libreswan (client2, behind the NAT,
# IPsec first as Windows does). The topology and helpers are vpn.lib's.
# LS_AUTH: psk (setup-ipsec-vpn's l2tp-psk conn, the default) or cert (RSA signatures,
# the certificates in each pluto's NSS database; vpn-libreswan-cert.sh).
# Debian's libreswan conflicts with strongSwan: scripts/libreswan.sh unpacked it on the
# host and wrote its path to build/libreswan.path.
. "$(dirname "$0")/lib.sh"
LS_AUTH=${LS_AUTH:-psk}
VPN_AUTH=$LS_AUTH
VPN_POLICIES=daemon
. "$(dirname "$0")/vpn.lib"

LS_TREE=$(cat "$L2TPI_TOP/build/libreswan.path" 2>/dev/null)
LS=$LS_TREE/usr/libexec/ipsec

# ls_conf NODE: NODE's private libreswan directory, NSS database (with certificates:
# the CA, NODE's certificate and key), config and secrets
ls_conf() {
	local n=$1 role=server d=$VPN/$1/libreswan cert=vpn.example.net
	[ "$n" = server ] || role=client cert=$n.example.net
	mkdir -p "$d/nss" "$d/run"
	certutil -N -d "sql:$d/nss" --empty-password >/dev/null || return 1
	if [ "$LS_AUTH" = cert ]; then
		certutil -A -d "sql:$d/nss" -n "l2tp_ipsec test CA" -t "CT,," -a \
			-i "$VPN/pki/ca.pem" &&
			openssl pkcs12 -export -in "$VPN/pki/$cert.pem" -inkey "$VPN/pki/$cert.key" \
				-name "$cert" -passout pass: -out "$d/host.p12" &&
			pk12util -d "sql:$d/nss" -i "$d/host.p12" -W "" >/dev/null || return 1
	fi
	cp "$EX/libreswan/$role-$LS_AUTH.conf" "$d/ipsec.conf"
	# client2 is behind the NAT: its own address and certificate (the example is client1's)
	[ "$n" = client2 ] && sed -i -e 's/^\tleft=192.0.2.10$/\tleft=198.51.100.2/' \
		-e 's/^\tleftcert=client1.example.net$/\tleftcert=client2.example.net/' "$d/ipsec.conf"
	install -m 0600 "$EX/libreswan/$role-$LS_AUTH.secrets" "$d/ipsec.secrets"
}
# ls_start NODE: pluto on NODE, up when it has loaded its conns and secrets
ls_start() {
	local n=$1 d=$VPN/$1/libreswan end=$((SECONDS + 60)) VPN_PRE
	vpn_pre "$n"
	"${VPN_PRE[@]}" "$LS/pluto" --config "$d/ipsec.conf" --secretsfile "$d/ipsec.secrets" \
		--ipsecdir "$d" --nssdir "$d/nss" --rundir "$d/run" --dumpdir "$d" \
		--logfile "$d/pluto.log" --nofork >>"$d/pluto.out" 2>&1 &
	VPN_PID[$n-pluto]=$!
	until file_has "$d/pluto.log" 'loading secrets from'; do
		kill -0 "${VPN_PID[$n-pluto]}" 2>/dev/null && ((SECONDS < end)) || return 1
		snooze 0.2
	done
}
ls_whack() { # NODE ARGS...
	local n=$1
	shift
	vpn_in "$n" "$LS/whack" --rundir "$VPN/$n/libreswan/run" "$@"
}
# ls_stop NODE: as systemd's ipsec.service stops it (Debian's 4.10 unit): whack
# --shutdown, then the whole SPD and SAD of the namespace flushed (ExecStopPost).
ls_stop() {
	local n=$1
	ls_whack "$n" --shutdown >/dev/null 2>&1
	wait "${VPN_PID[$n-pluto]}" 2>/dev/null
	VPN_PID[$n-pluto]=
	vpn_in "$n" ip xfrm policy flush
	vpn_in "$n" ip xfrm state flush
}
# ls_up NODE: the client's IPsec SA first (whack --initiate waits for it)
ls_up() { ls_whack "$1" --name "l2tp-$LS_AUTH" --initiate >>"$VPN/$1/libreswan/whack.log" 2>&1; }

# client1's swanctl.conf: the strongSwan client example at its defaults (vpn.lib's
# daemon mode), in IKEv1 towards a server whose ID is its address (PSK) or its name
# (cert, as in the example), with ESP proposals that the server's phase2alg lists.
ls_swanctl_client1() {
	local f=$VPN/client1/swanctl/swanctl.conf
	sed -i -e 's/version = 2/version = 1/' \
		-e 's/esp_proposals = .*/esp_proposals = aes128gcm16, aes256gcm16, aes128-sha1/' "$f"
	[ "$LS_AUTH" = cert ] || sed -i 's/id = vpn.example.net/id = 192.0.2.1/' "$f"
}

ls_logs() {
	local f
	for f in "$VPN"/*/libreswan/pluto.log "$VPN"/*/libreswan/pluto.out "$VPN"/*/libreswan/whack.log; do
		[ -s "$f" ] || continue
		echo "# ---- $f (last 60 lines)"
		tail -n 60 "$f" | sed 's/^/#   /'
	done
}

ls_scenario() {
	local n before plain rx spd0
	[ -x "$LS/pluto" ] || { check "libreswan unpacked (scripts/libreswan.sh: build/libreswan.path)" false; return; }
	# pluto runs addconn and _updown from the path it was built with: the tree's, in
	# the guest's root only (a tmpfs overlay)
	[ -e /usr/libexec/ipsec ] || ln -s "$LS" /usr/libexec/ipsec
	load_stock_modules
	modprobe l2tp_ppp
	check "topology: server, client1, intruder, nat, client2 behind the NAT" vpn_topology
	vpn_etc
	echo "# libreswan: $(cat "$LS_TREE/.l2tpi-unpacked")"

	check "server: insmod l2tp_ipsec server=1 (its defaults)" run insmod "$L2TPI_KO" server=1
	check_eq "server: the four server policies, reqid 0, behind pluto's (prio $PRIO_S)" 4 \
		"$("$TOOLS/l2tp-ipsec" policy show | grep -c " reqid 0 .* prio $PRIO_S .* server")"

	if [ "$LS_AUTH" = cert ]; then
		check "a CA and certificates for vpn.example.net, client1 and client2 (strongswan-pki)" vpn_pki
	fi
	for n in server client2; do
		check "$n: libreswan's NSS database ($LS_AUTH) and config" ls_conf "$n"
		check "$n: pluto up, conns loaded" ls_start "$n"
	done
	vpn_swanctl client1 client client1.example.net
	ls_swanctl_client1
	check "client1: charon up, swanctl --load-all (IKEv1, $LS_AUTH, a trap)" vpn_charon_start client1
	check "server: xl2tpd (LNS) up" vpn_xl2tpd_start server server
	for n in client1 client2 intruder; do
		check "$n: xl2tpd (LAC) up" vpn_xl2tpd_start "$n" client
	done
	check "capture on the server's br0 started" vpn_capture_start

	check "client2: IPsec first (whack --initiate)" ls_up client2
	for n in client1 client2; do
		t0=$(date +%s.%N)
		check "$n: l2tp-ipsec-dial $SERVER_IP" vpn_dial "$n"
		t1=$(date +%s.%N)
		check "$n: PPP up over L2TP/IPsec" vpn_wait_ppp "$n" 120
		echo "# $n: dial: SAs up after $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s, PPP up after $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }") s"
		check "$n: xl2tpd never gave up on a tunnel" \
			bash -c "! grep -q 'Maximum retries exceeded' '$VPN/$n/xl2tpd.log'"
		check "$n: ping across ppp0" vpn_ping "$n" -c 3 -W 5
	done
	check_eq "server: two L2TP tunnels" 2 "$(vpn_tunnels server)"
	run ip xfrm policy
	run "$TOOLS/l2tp-ipsec" show
	run ip xfrm state
	check_eq "server: both tunnels' SAs present, both directions, pluto's reqids" 4 \
		"$("$TOOLS/l2tp-ipsec" tunnel show | grep -c 'sa \(in\|out\) present spi .* reqid [1-9][0-9]* ')"

	in0=$(xfrm_stat XfrmInTmplMismatch)
	vpn_xl2tpd_ctl intruder "c vpn"
	local end=$((SECONDS + 30))
	until [ "$(vpn_count 'udp port 1701 and src host 192.0.2.66')" -ge 3 ] || ((SECONDS >= end)); do
		snooze 1
	done
	check "intruder: its plaintext SCCRQs reached the server's wire" \
		test "$(vpn_count 'udp port 1701 and src host 192.0.2.66')" -ge 3
	check_eq "intruder: no answer from the server" 0 "$(vpn_count 'udp and src host 192.0.2.1 and dst host 192.0.2.66')"
	check_counted "intruder: dropped by our server policy (XfrmInTmplMismatch)" \
		test "$(xfrm_stat XfrmInTmplMismatch)" -gt "$in0"
	vpn_xl2tpd_stop intruder

	# ipsec restart on the server (Debian's unit: whack --shutdown, then the SPD and the
	# SAD flushed, then pluto again) while client1 pings: nothing in plaintext, the
	# clients come back, ours as before.
	before=$(vpn_spd_ours server)
	echo "# server: our policies in the SPD, with pluto up:"
	sed 's/^/#   /' <<<"$before"
	ip netns exec client1 ping -n -c 120 -i 0.5 -W 1 "$PPP_SERVER_IP" >"$VPN/ping-restart.log" 2>&1 &
	local ping_pid=$!
	snooze 2
	ls_stop server
	check_eq "server: ipsec stop: both L2TP tunnels still up" 2 "$(vpn_tunnels server)"
	check_eventually "server: ipsec stop flushed the SPD: ours back, the tunnels' exact ones too" 4 \
		eval 'vpn_spd_ours server | grep -c "^dir=[a-z]* prio=$PRIO_T "'
	check "server: pluto up again" ls_start server
	# client1's charon got pluto's deletes: its trap negotiates on the next frame.
	# client2 brings its SA up again first, as its user would.
	check "client2: IPsec again (whack --initiate)" ls_up client2
	for n in client1 client2; do
		check "$n: ping across ppp0 again after the server's ipsec restart" vpn_ping_eventually "$n" 90
	done
	kill -INT "$ping_pid" 2>/dev/null
	wait "$ping_pid"
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$VPN/ping-restart.log")
	echo "# client1's ping across the restart: ${rx:-?} answered"
	check_eventually "server: after the restart, our policies as before" "$before" vpn_spd_ours server
	check_eq "server: pluto never failed to add a policy (EEXIST)" 0 \
		"$(cat "$VPN"/server/libreswan/pluto.log | grep -ciE 'eexist|file exists')"

	for n in client1 client2; do
		vpn_xl2tpd_ctl "$n" "d vpn"
	done
	for n in client1 client2; do
		check_eventually "$n: hung up: no connection left" "" vpn_lipsec "$n" client show
		check_eventually "$n: no policy of ours left" "" vpn_spd_ours "$n"
	done
	check_eventually "server: no L2TP tunnel left" 0 vpn_tunnels server

	vpn_capture_stop
	plain=$(vpn_count 'udp port 1701 and not host 192.0.2.66')
	echo "# capture on br0: $(vpn_count '') frames: IKE $(vpn_count 'udp port 500 or (udp port 4500 and udp[8:4] = 0)')," \
		"ESP $(vpn_count 'esp') + ESP in UDP $(vpn_count 'udp port 4500 and udp[4:2] > 9 and udp[8:4] != 0')," \
		"plaintext L2TP $plain, the intruder's $(vpn_count 'udp port 1701 and host 192.0.2.66')"
	check_eq "capture: 0 plaintext UDP/1701 frames to or from the clients" 0 "$plain"
	check "capture: ESP in UDP from client1 and from the NAT (client2)" \
		test "$(vpn_count 'host 192.0.2.10 and udp port 4500 and udp[8:4] != 0')" -gt 0 -a \
		"$(vpn_count 'host 192.0.2.20 and udp port 4500 and udp[8:4] != 0')" -gt 0

	spd0=$(ip xfrm policy | grep -c '^src')
	check "server: rmmod l2tp_ipsec" run rmmod l2tp_ipsec
	check_eq "server: after rmmod, no policy at our priorities or with our mark" "" \
		"$("$TESTING_TOOLS/xfrm-spd" -r | grep -E -e "prio=($PRIO_T|$PRIO_S) " -e "mark=$BLOCK_MARK")"
	echo "# server: $spd0 policies before rmmod, $(ip xfrm policy | grep -c '^src') after (pluto's stay)"
	ls_whack client2 --shutdown >/dev/null 2>&1
	ls_whack server --shutdown >/dev/null 2>&1
	vpn_stop_all
	[ "$T_FAILED" = 0 ] || { vpn_logs; ls_logs; }
}

ls_scenario
tap_done
