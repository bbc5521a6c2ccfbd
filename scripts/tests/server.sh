#!/bin/bash
# Server mode (KB 248750 "Me to Any, UDP 1701"): the policies insmod server=1 installs,
# what they do to real traffic between two netns, what rmmod leaves, bad parameters,
# and repeated load/unload.
. "$(dirname "$0")/lib.sh"

KO=$L2TPI_KO
load_stock_modules

setup_peer

expected_policies() { # PORT PRIO REQID OPT
	local p=$1 prio=$2 reqid=$3 opt=$4 fam any dir sp dp
	for fam in inet inet6; do
		any=0.0.0.0
		[ $fam = inet6 ] && any=::
		for dir in out in; do
			sp="$p/ffff" dp="0/0"
			[ $dir = in ] && sp="0/0" dp="$p/ffff"
			echo "dir=$dir prio=$prio family=$fam src=$any/0 dst=$any/0 proto=17 sport=$sp dport=$dp ifindex=0 action=allow flags=0 ptype=main mark=0/0 ifid=0 tmpl=esp:transport:reqid=$reqid:src=$any:dst=$any:spi=0:opt=$opt:share=0:aalgos=ffffffff:ealgos=ffffffff:calgos=ffffffff:family=$fam"
		done
	done | sort
}
# The policies of the current SPD that look exactly like ours (index and raw cut off).
ours() { # PORT PRIO
	"$TESTING_TOOLS/xfrm-spd" -I -s -m " prio=$2 family=inet6? src=(0\.0\.0\.0|::)/0 dst=(0\.0\.0\.0|::)/0 proto=17 sport=($1/ffff|0/0) dport=($1/ffff|0/0) "
}

# --- foreign policies: two of L2TP's shape before the module loads, one more added while
# it is loaded; all must come out of insmod and rmmod byte-identical.
run ip xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 proto udp sport 1701 dir out priority 100 tmpl proto esp mode transport
run ip xfrm policy add src 198.51.100.0/24 dst 0.0.0.0/0 proto udp dport 1701 dir in priority 5000 tmpl proto esp mode transport level use
before=$(spd)

# --- load with server=1, watching the xfrm multicast groups like `ip xfrm monitor` users do
ip xfrm monitor policy >$TMPDIR/monitor.log 2>&1 &
monpid=$!
sleep 0.5
check "insmod server=1" run insmod "$KO" server=1
check_eq "server policies installed, exact selectors and templates" \
	"$(expected_policies 1701 "$PRIO_S" 0 0)" "$(ours 1701 "$PRIO_S")"
check_eq "foreign policies untouched by insmod" "$before" "$(spd_nb | grep -vxF -f <(spd | grep -F "prio=$PRIO_S "))"
check_eq "and the two quarantine block policies (auto-attach on)" "$(expected_block)" "$(block_policies)"
check_eq "parameters readable" "Y 1701 0 0 require" \
	"$(cd /sys/module/l2tp_ipsec/parameters && echo $(cat server port reqid priority level))"
check "audit records SPD-add res=1 for our policies" \
	test "$(dmesg | grep -c 'op=SPD-add.*res=1')" -ge 4

# --- plaintext L2TP from the peer is dropped, other ports pass
mismatch0=$(xfrm_stat XfrmInTmplMismatch)
udp_check "plaintext UDP/1701 (IPv4) from the peer never reaches the server socket" 0 - 1701 peer 10.0.0.1 1701 20
udp_check "plaintext UDP/1701 (IPv6) from the peer never reaches the server socket" 0 - 1701 -6 peer fd00::1 1701 20
mismatch1=$(xfrm_stat XfrmInTmplMismatch)
echo "# XfrmInTmplMismatch: $mismatch0 -> $mismatch1"
check_counted "the drops are counted (XfrmInTmplMismatch +40)" test $((mismatch1 - mismatch0)) -ge 40
udp_check "plaintext UDP to another port (1702) passes" 20 - 1702 peer 10.0.0.1 1702 20
udp_check "plaintext UDP/IPv6 to another port (1702) passes" 20 - 1702 -6 peer fd00::1 1702 20
udp_check "the server sends nothing in plaintext from UDP port 1701" 0 peer 5000 - -s 1701 10.0.0.2 5000 10
udp_check "the server's other ports send in plaintext" 10 peer 5000 - -s 1702 10.0.0.2 5000 10

# --- a foreign policy added while loaded; rmmod removes exactly ours
run ip xfrm policy add src 203.0.113.0/24 dst 0.0.0.0/0 proto udp sport 1701 dir out priority "$PRIO_S" tmpl proto esp mode transport
loaded=$(spd_nb)
check "rmmod" run rmmod l2tp_ipsec
check_eq "rmmod removes our four policies, the two block policies and nothing else" \
	"$(echo "$loaded" | grep -vxF -f <(echo "$loaded" | grep -E "^dir=(in|out) prio=$PRIO_S family=inet6? src=(0\\.0\\.0\\.0|::)/0 dst=(0\\.0\\.0\\.0|::)/0 proto=17 sport=(1701/ffff|0/0) dport=(1701/ffff|0/0) "))" \
	"$(spd)"
sleep 0.5
kill $monpid
wait $monpid 2>/dev/null
echo "# ip xfrm monitor saw:"
sed 's/^/#   /' $TMPDIR/monitor.log
check_eq "ip xfrm monitor saw our 4 policies added" 4 \
	"$(grep -cE '^src (0\.0\.0\.0|::)/0 dst (0\.0\.0\.0|::)/0 proto udp [sd]port 1701 *$' $TMPDIR/monitor.log)"
check_eq "ip xfrm monitor saw our 4 policies deleted" 4 \
	"$(grep -cE '^Deleted src (0\.0\.0\.0|::)/0 dst (0\.0\.0\.0|::)/0 proto udp [sd]port 1701 *$' $TMPDIR/monitor.log)"
check "audit records SPD-delete res=1 for our policies" \
	test "$(dmesg | grep -c 'op=SPD-delete.*res=1')" -ge 4
run ip xfrm policy delete src 203.0.113.0/24 dst 0.0.0.0/0 proto udp sport 1701 dir out
check_eq "SPD back to the state before the module" "$before" "$(spd)"

# --- parameters: non-default values end up in the policies
check "insmod port=1702 reqid=7 priority=500 level=use" \
	run insmod "$KO" server=1 port=1702 reqid=7 priority=500 level=use
check_eq "policies carry port, reqid, priority and level" \
	"$(expected_policies 1702 500 7 1)" "$(ours 1702 500)"
run rmmod l2tp_ipsec
# automatic priority: with a reqid the IKE daemon installs no policies of its own, ours
# lead (1024); without one ours are the fallback behind the daemon's (above)
check "insmod server=1 reqid=42 (priority automatic)" run insmod "$KO" server=1 reqid=42
check_eq "with a reqid the automatic priority is 1024" \
	"$(expected_policies 1701 1024 42 0)" "$(ours 1701 1024)"
check_eq "priority parameter reads 0 (automatic)" "42 0" \
	"$(cd /sys/module/l2tp_ipsec/parameters && echo $(cat reqid priority))"
run rmmod l2tp_ipsec
check "insmod without server=1" run insmod "$KO"
check_eq "without server=1 (and no tunnel) nothing is added" "$before" "$(spd)"
run rmmod l2tp_ipsec
check "insmod auto_attach=0" run insmod "$KO" auto_attach=0
check_eq "auto_attach=0 (and no server=1) installs nothing at all" "$before" "$(spd)"
run rmmod l2tp_ipsec

# --- bad parameters: insmod fails with EINVAL, the kernel names the parameter, nothing changes
# (shell tests rather than a grep per check: each exec costs a second on the debug kernel)
# names_param NAME KMSG: the kernel's message names module parameter NAME (ours:
# "NAME=VAL: ...", the kernel's parameter parser: "`VAL' invalid for parameter `NAME'").
names_param() {
	local re="[\`']$1'|$1="
	[[ $2 =~ $re ]]
}
dmesg -C
for bad in port=0 port=65536 port=17x port= level=required level= server=maybe \
	reqid=-1 reqid=4294967296 priority=high; do
	name=${bad%%=*}
	out=$(insmod "$KO" server=1 "$bad" 2>&1)
	rc=$?
	kmsg=$(dmesg -c)
	echo "# insmod $bad: rc=$rc $out"
	check "insmod server=1 $bad fails with EINVAL" \
		eval '[ $rc != 0 ] && [[ ${out,,} == *invalid* ]]'
	check "kernel message names parameter '$name' ($bad)" names_param "$name" "$kmsg"
	loaded=no
	[ ! -d /sys/module/l2tp_ipsec ] || loaded=yes
	check_eq "nothing installed, module not loaded ($bad)" "$before|no" "$(spd)|$loaded"
done

# --- an equal policy that is not ours (the SPD compares selector, mark and type, not the
# priority): ours is recorded as shadowed, the admin's policy is never touched; once it
# goes, ours takes its place; rmmod leaves the admin's SPD as it was
run ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 1701 dir out priority 1500 tmpl proto esp mode transport reqid 99
taken=$(spd)
check "insmod server=1 with an equal foreign policy" run insmod "$KO" server=1
check "kernel says one server policy is shadowed" dmesg_has "1 server policies are shadowed"
check_eq "the three others installed, the foreign one intact" \
	"$(expected_policies 1701 "$PRIO_S" 0 0 | grep -v "dir=out prio=$PRIO_S family=inet ")" "$(ours 1701 "$PRIO_S")"
check_eq "the foreign equal policy byte-identical" "$(echo "$taken" | grep -F 'prio=1500 ')" \
	"$(spd | grep -F 'prio=1500 ')"
run ip xfrm policy delete src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 1701 dir out
check_eventually "when it is deleted, ours is installed in its place" \
	"$(expected_policies 1701 "$PRIO_S" 0 0)" ours 1701 "$PRIO_S"
run ip xfrm policy flush
check_eventually "after ip xfrm policy flush, the server policies are back" \
	"$(expected_policies 1701 "$PRIO_S" 0 0)" ours 1701 "$PRIO_S"
run rmmod l2tp_ipsec
run ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 1701 dir out priority 1500 tmpl proto esp mode transport reqid 99
taken=$(spd)
run insmod "$KO" server=1
run rmmod l2tp_ipsec
check_eq "load and unload while shadowed: the SPD as the admin left it" "$taken" "$(spd)"
run ip xfrm policy delete src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 1701 dir out
# The flush above took the foreign policies of the start with it: put them back.
run ip xfrm policy add src 192.0.2.0/24 dst 198.51.100.0/24 proto udp sport 1701 dir out priority 100 tmpl proto esp mode transport
run ip xfrm policy add src 198.51.100.0/24 dst 0.0.0.0/0 proto udp dport 1701 dir in priority 5000 tmpl proto esp mode transport level use
before=$(spd)

# --- 50 load/unload cycles: the SPD returns to its baseline every time
# (in one process: a process start costs seconds in the debug guest)
base=$(spd_count)
check "50 insmod/rmmod cycles, 4 server + 2 block policies each time, none left" \
	run "$TESTING_TOOLS/modcycle" -n 50 -l $((base + 6)) -u "$base" -p server=1 "$KO" l2tp_ipsec
check_eq "SPD back to baseline after the cycles" "$before" "$(spd)"

ip netns del peer
tap_done
