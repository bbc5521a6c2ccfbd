#!/bin/bash
# Least privilege: what an unprivileged user can reach through PPPoL2TP (no capability
# needed) changes nothing for other traffic and leaks nothing; only an admin's tunnels
# with an exact 5-tuple get policies, up to max-tunnels; refusals are counted, logged
# and announced; a socket handed to a thousand failed connects, and adopted tunnels,
# leave nothing behind; a hard expire is restored; auto-attach says when and why it
# is not armed.
#
#   initial netns (10.0.0.1, v0) ---veth--- netns "peer" (10.0.0.2, v1)
#   the module, l2tp, the users             UDP receivers
. "$(dirname "$0")/lib.sh"

LI=$TOOLS/l2tp-ipsec
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
W=$(mktemp -d)
chmod 755 "$W"
# The tree may be under /root, where nobody can run anything: a copy nobody can.
UP=$W/l2tp-unpriv
cp "$TESTING_TOOLS/l2tp-unpriv" "$UP"
chmod 755 "$UP"

# unpriv OUT USER ARGS...: l2tp-unpriv in the background as USER (root|nobody), pid
# in UP_PID, once it says ready.
unpriv() {
	local pre=()
	[ "$2" = nobody ] && pre=("${NOBODY[@]}")
	start_ready UP_PID "$1" 300 l2tp-unpriv "${pre[@]}" "$UP" "${@:3}"
}
unpriv_stop() { kill -TERM "$UP_PID" 2>/dev/null; wait "$UP_PID"; }
# The refused counters as "unprivileged inexact limit" (l2tp-ipsec -j show).
refused() {
	"$LI" -j show | sed -n 's/.*"refused":{"unprivileged":\([0-9]*\),"inexact":\([0-9]*\),"limit":\([0-9]*\)}.*/\1 \2 \3/p'
}
# udp_flows DESC: five datagrams from a plain socket reach the peer's port 53.
udp_flows() { udp_check "$1" 5 peer 53 - 10.0.0.2 53 5; }
# The SPD without indexes (a flush and the restore give new ones).
spd_ni() { "$TESTING_TOOLS/xfrm-spd" -I -s; }
spd_has_wide() { "$TESTING_TOOLS/xfrm-spd" -I -s -m "^dir=(in|out) prio=$PRIO_T " | grep -q 'dport=0/0\|sport=0/0'; }

load_stock_modules
setup_peer
check "insmod" run insmod "$L2TPI_KO"
check "auto-attach armed" dmesg_has "auto-attach armed"
if [ -r /sys/kernel/btf/vmlinux ]; then
	check "the probed functions were checked against this kernel's BTF (no 'no BTF' line)" \
		eval '! dmesg_has "no BTF of"'
else
	skip "the probed functions checked against the BTF" "this kernel has no BTF"
fi
out=$("$LI" -j config show)
echo "# config show -j: $out"
check "config show -j: armed, max-tunnels 65536 by default" \
	eval '[[ $out == *"\"armed\":true"* && $out == *"\"max-tunnels\":65536"* && $out != *unarmed-reason* ]]'
base=$(spd_ni)
"$LI" -j monitor >"$W/mon" 2>"$W/mon.err" &
MON=$!
snooze 1

# --- an unprivileged user hands each kind of socket to PPPoL2TP
n=0
for mode in unbound bound connected; do
	n=$((n + 1))
	unpriv "$W/u-$mode" nobody -h 600 -t $((200 + n)) $mode 10.0.0.1 $((3000 + n)) 10.0.0.2 1701
	check_eq "unprivileged, $mode socket: the kernel made the tunnel" "tunnel=ok" "$(head -n 1 "$W/u-$mode")"
	check_eq "unprivileged, $mode socket: the SPD is unchanged" "$base" "$(spd_ni)"
	pids[n]=$UP_PID
done
udp_flows "with the three unprivileged tunnels open, other UDP flows (5 of 5 to the peer's port 53)"
run ip xfrm policy flush
check_eventually "after a flush only the block policies come back" "$base" spd_ni
udp_flows "and other UDP still flows after the flush (5 of 5)"
check "dmesg names the reason" dmesg_has "no policies for a new L2TP tunnel .*: its creator lacks CAP_NET_ADMIN"
check_eq "refused counters: 3 unprivileged" "3 0 0" "$(refused)"
kill -TERM "${pids[@]}" 2>/dev/null
wait "${pids[@]}"

# --- an admin's socket that is not bound and connected: no policy for "any"
unpriv "$W/r-unbound" root -t 211 unbound 10.0.0.1 3011 10.0.0.2 1701
check_eq "root, unbound socket: tunnel made" "tunnel=ok" "$(head -n 1 "$W/r-unbound")"
unpriv "$W/r-bound" root -t 212 bound 10.0.0.1 3012 10.0.0.2 1701
check_eq "root, bound but unconnected socket (SO_REUSEADDR): tunnel made" "tunnel=ok" "$(head -n 1 "$W/r-bound")"
check_eq "neither got a policy (no sport PORT -> any)" "$base" "$(spd_ni)"
check_eq "refused counters: 2 inexact" "3 2 0" "$(refused)"
check "dmesg names that reason too" dmesg_has "its socket is not bound and connected to one peer"
# --- and an admin's exact tunnel is attached as before
unpriv "$W/r-conn" root -h 600 -t 213 connected 10.0.0.1 3013 10.0.0.2 1701
check_eq "root, bound and connected: exact 5-tuple policies" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 3013 1701)" "$(spd_tunnels)"
unpriv_stop
check_eventually "gone with its tunnel" "" spd_tunnels

kill -TERM "$MON"
wait "$MON"
ev=$(grep -c '"event":"tunnel-refuse"' "$W/mon")
echo "# monitor: $(grep -c . "$W/mon") events, $ev tunnel-refuse"
check_eq "monitor: a tunnel-refuse event for each of the five" 5 "$ev"
check "monitor: the unprivileged connected one, with its 5-tuple and reason" \
	grep -q '"event":"tunnel-refuse","id":203,"local-ipv4":"10.0.0.1","peer-ipv4":"10.0.0.2","local-port":3003,"peer-port":1701,.*"refusal":"unprivileged"' "$W/mon"
check "monitor: the root unbound one as inexact" \
	grep -q '"event":"tunnel-refuse","id":211,.*"refusal":"inexact"' "$W/mon"

# --- max-tunnels
check "config set max-tunnels 2" run "$LI" config set max-tunnels 2
run "$LI" config set max-tunnels 0
check_eq "max-tunnels 0 is refused by the utility (exit 2)" 2 $?
start_tunnels "$W/t3" -h 600 -t 400 -n 3 10.0.0.1 1701 10.0.0.2 3100
check_eq "three tunnels, two attached" 4 "$(spd_tunnels | wc -l)"
check_eq "refused counters: 1 limit" "3 2 1" "$(refused)"
check "dmesg: the limit" dmesg_has "the namespace has max-tunnels attached tunnels"
out=$("$LI" -j config show)
check "config show -j: max-tunnels 2" eval '[[ $out == *"\"max-tunnels\":2"* ]]'
stop_tunnels
check_eventually "all gone" "" spd_tunnels
check "config set max-tunnels 65536" run "$LI" config set max-tunnels 65536

# --- one socket, a thousand failed connects: each creates a tunnel and deletes it
# again; those that find the socket free (its previous tunnel gone from l2tp's
# table) register it, and the bind hook sees the socket once more.
before=$(refused)
for who in root nobody; do
	t0=$SECONDS
	unpriv "$W/reuse-$who" $who -t 1000 reuse=1000 10.0.0.1 3200 10.0.0.2 1701
	wait "$UP_PID"
	check_eq "$who: 1000 PPPoL2TP connects on one socket failed with EBUSY" \
		"busy=1000 other=0" "$(head -n 1 "$W/reuse-$who")"
	check_eventually "$who: closed, the SPD is back to its baseline" "$base" spd_ni
	echo "# back after $((SECONDS - t0)) s (connects included)"
done
after=$(refused)
echo "# refused counters: $before -> $after"
check "the unprivileged user's binds were refused and counted (the first connect and some of the thousand)" \
	test "${after%% *}" -ge $((${before%% *} + 2))

# --- adopted tunnels, closed by their daemon after their tunnel went
run rmmod l2tp_ipsec
start_tunnels "$W/adopt" -h 600 -t 500 10.0.0.1 1701 10.0.0.2 3300
unpriv "$W/adopt-nobody" nobody -h 600 -t 510 connected 10.0.0.1 3301 10.0.0.2 1701
check "insmod with two live tunnels, one of them unprivileged" run insmod "$L2TPI_KO"
check_eq "the admin's is adopted, the unprivileged user's is not" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 3300)" "$(spd_tunnels)"
check_eq "refused counters: 1 unprivileged (at adoption)" "1 0 0" "$(refused)"
run ip l2tp del tunnel tunnel_id 500
snooze 3
check_eq "its tunnel deleted, the socket still open: the policies stay" \
	"$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 3300)" "$(spd_tunnels)"
stop_tunnels
unpriv_stop
check_eventually "the daemon closed it: the policies are gone" "" spd_tunnels

# --- a hard expire is put back like a delete
start_tunnels "$W/exp" -h 600 -t 600 10.0.0.1 1701 10.0.0.2 3400
mine=$(tunnel_policies inet 10.0.0.1 10.0.0.2 1701 3400)
check_eq "tunnel attached" "$mine" "$(spd_tunnels)"
run ip xfrm policy update src 10.0.0.1/32 dst 10.0.0.2/32 proto udp sport 1701 dport 3400 \
	dir out priority 1023 tmpl proto esp mode transport limit time-hard 2
check_eq "an admin's update with a 2 s hard lifetime replaced our outbound policy" 1 \
	"$("$TESTING_TOOLS/xfrm-spd" -c -m '^dir=out prio=1023 .*sport=1701/ffff dport=3400/ffff')"
check_eventually "it expired: ours is back" "$mine" spd_tunnels
stop_tunnels
check_eventually "gone with the tunnel" "" spd_tunnels

# --- not armed, and why
if ! grep -q "^l2tp_core " /proc/modules; then
	skip "auto-attach waits for l2tp_core after its unload" "l2tp_core is not a module here"
else
	run rmmod l2tp_ppp l2tp_netlink l2tp_ip l2tp_core
	out=$("$LI" -j config show)
	echo "# config show -j: $out"
	check "l2tp_core unloaded: not armed, waiting for l2tp_core" \
		eval '[[ $out == *"\"armed\":false,\"unarmed-reason\":\"waiting for l2tp_core\""* ]]'
	load_stock_modules
	out=$("$LI" -j config show)
	check "l2tp_core back: armed" eval '[[ $out == *"\"armed\":true"* ]]'
fi
run rmmod l2tp_ipsec
check "a build that knows no setup_udp_tunnel_sock() prototype loads" \
	run insmod "$L2TPI_BUILD/unknown-bind/kmod/l2tp_ipsec.ko" server=1
out=$("$LI" -j config show)
echo "# config show -j: $out"
check "config show -j: auto-attach on, not armed, with the reason" \
	eval '[[ $out == *"\"auto-attach\":true"* && $out == *"\"armed\":false,\"unarmed-reason\":\"built against a setup_udp_tunnel_sock() of unknown prototype\""* ]]'
out=$("$LI" config show)
check "config show: the same in text" \
	eval '[[ $out == *"auto-attach on (not armed: built against a setup_udp_tunnel_sock() of unknown prototype)"* ]]'
check "dmesg says auto-attach is OFF and why" \
	dmesg_has "auto-attach is OFF: built against a setup_udp_tunnel_sock\(\) of unknown prototype"
check_eq "server policies still work (four)" 4 "$("$TESTING_TOOLS/xfrm-spd" -c -m "^dir=(in|out) prio=$PRIO_S ")"
start_tunnels "$W/na" -h 1 -t 700 10.0.0.1 1701 10.0.0.2 3500
check_eq "a tunnel gets no policies of its own" "" "$(spd_tunnels)"
stop_tunnels
check "rmmod" run rmmod l2tp_ipsec
if [ -r /sys/kernel/btf/vmlinux ] && [ -r /sys/kernel/btf/udp_tunnel ]; then
	check "a build that expects the other socket type of setup_udp_tunnel_sock() loads" \
		run insmod "$L2TPI_BUILD/btf-sk/kmod/l2tp_ipsec.ko"
	out=$("$LI" -j config show)
	echo "# config show -j: $out"
	check "config show -j: not armed, the running kernel's BTF names the function" \
		eval '[[ $out == *"\"armed\":false,\"unarmed-reason\":\"setup_udp_tunnel_sock() in this kernel'"'"'s BTF is not the one this build was made for\""* ]]'
	start_tunnels "$W/nb" -h 1 -t 710 10.0.0.1 1701 10.0.0.2 3510
	check_eq "a tunnel gets no policies of its own" "" "$(spd_tunnels)"
	stop_tunnels
	check "rmmod" run rmmod l2tp_ipsec
else
	skip "a build whose prototypes differ from the kernel's BTF is not armed" "this kernel has no BTF"
fi
ip netns del peer
tap_done
