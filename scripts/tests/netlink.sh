#!/bin/bash
# The l2tp_ipsec generic netlink family, driven by the l2tp-ipsec utility and by the
# kernel's ynl CLI with nothing but netlink/l2tp_ipsec.yaml: every command round trip,
# the events in order (tunnel attach, restore after a flush, detach, config), refusals
# without CAP_NET_ADMIN, and a second netns that sees only its own state.
. "$(dirname "$0")/lib.sh"

LI=$TOOLS/l2tp-ipsec
SPEC=$L2TPI_TOP/netlink/l2tp_ipsec.yaml
# ynl ARGS...: `cli.py --spec SPEC --no-schema --output-json ARGS...`, run by
# ynl-serve.py, one Python process for every call (a Python start costs ~40 s on the
# debug kernel); same stdout, stderr and exit status.
ynl_start() {
	mkfifo "$W/ynl.req" "$W/ynl.rep" || return 1
	exec 8<>"$W/ynl.rep"	# held open: replies are read with a time limit
	/usr/bin/python3 "$L2TPI_TOP/scripts/tests/ynl-serve.py" "$L2TPI_YNL/tools/net/ynl" \
		"$W/ynl.req" "$W/ynl.rep" &
	YNL_SERVER=$!
}
ynl_stop() { echo quit >"$W/ynl.req"; wait "$YNL_SERVER"; exec 8>&-; }
YNL_N=0
ynl() {
	local o="$W/ynl.$BASHPID.$((YNL_N += 1))" rc= text
	if kill -0 "$YNL_SERVER" 2>/dev/null; then
		printf '%s\n' "$o" --spec "$SPEC" --no-schema --output-json "$@" "" >"$W/ynl.req"
		read -r -t 600 rc <&8
	fi
	if [ -z "$rc" ]; then
		echo "ynl-serve.py is gone or did not answer" >&2
		return 1
	fi
	IFS= read -r -d '' text <"$o"
	printf '%s' "$text"
	IFS= read -r -d '' text <"$o.err"
	printf '%s' "$text" >&2
	return "$rc"
}
# run_out VAR COMMAND...: like run, and the command's stdout in VAR.
run_out() {
	local __var=$1 __out __rc
	shift
	echo "# \$ $*"
	__out=$("$@" 2>"$T_ERR")
	__rc=$?
	printf -v "$__var" '%s' "$__out"
	[ -z "$__out" ] || echo "#   $__out"
	[ -s "$T_ERR" ] && echo "#   stderr: $(cat "$T_ERR")"
	return $__rc
}
# has_all TEXT FIXED-STRING...: TEXT contains every string.
has_all() {
	local text=$1 s
	shift
	for s in "$@"; do
		[[ $text == *"$s"* ]] || return 1
	done
}
spd_tunnels_count() { spd_tunnels | wc -l; }
out=
T_ERR=$(mktemp)
W=$(mktemp -d)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
DEFAULTS='[{"server":false,"port":1701,"reqid":0,"priority":0,"level":"require","auto-attach":true,"restore":true,"max-tunnels":65536,"armed":true,"guard":false}]'

ynl_start
load_stock_modules
run_out out "$LI" config show
check "no module: the utility says the family is not there (exit 1)" \
	grep -q "not available (is the l2tp_ipsec module loaded?)" "$T_ERR"

check "insmod" run insmod "$L2TPI_KO"
setup_peer

# --- config
run_out out "$LI" -j config show
check_eq "config show -j: the defaults" "$DEFAULTS" "$out"
run_out out ynl --dump config-get
check_eq "ynl --dump config-get: the same" \
	'[{"config": {"server": 0, "port": 1701, "reqid": 0, "priority": 0, "level": "require", "auto-attach": 1, "restore": 1, "max-tunnels": 65536, "armed": 1, "guard": 0}}]' \
	"$out"

check "server on port 1701 level use" run "$LI" server on port 1701 level use
check_eq "4 server policies, reqid 0, level use (optional), behind the daemons' ($PRIO_S)" 4 \
	"$("$TESTING_TOOLS/xfrm-spd" -c -m "^dir=(in|out) prio=$PRIO_S .*tmpl=esp:transport:reqid=0:.*:opt=1:")"
idx0=$("$TESTING_TOOLS/xfrm-spd" -s -m "^dir=(in|out) prio=$PRIO_S " | grep -o 'index=[0-9]*' | sort)
check "config set reqid 9 level require" run "$LI" config set reqid 9 level require
check_eq "the server policies now have reqid 9, level require, priority 1024 (automatic)" 4 \
	"$("$TESTING_TOOLS/xfrm-spd" -c -m '^dir=(in|out) prio=1024 .*tmpl=esp:transport:reqid=9:.*:opt=0:')"
idx1=$("$TESTING_TOOLS/xfrm-spd" -s -m '^dir=(in|out) prio=1024 ' | grep -o 'index=[0-9]*' | sort)
check_eq "replaced in place: the same SPD indexes" "$idx0" "$idx1"
check "config set port 1702" run "$LI" config set port 1702
check_eq "the server policies moved to port 1702" \
	"4 0" "$("$TESTING_TOOLS/xfrm-spd" -c -m 'prio=1024 .*port=1702/ffff') $("$TESTING_TOOLS/xfrm-spd" -c -m 'prio=1024 .*port=1701/ffff')"
run_out out "$LI" -j config show
check_eq "config show -j reflects it" \
	'[{"server":true,"port":1702,"reqid":9,"priority":0,"level":"require","auto-attach":true,"restore":true,"max-tunnels":65536,"armed":true,"guard":true}]' "$out"

# Refused requests change nothing.
before=$(spd)
run_out out ynl --do config-set --json '{"config": {"server": 0, "port": 0}}'
check "ynl config-set port 0: refused, the attribute named" has_all "$out" "out of range" "'.config.port'"
run_out out ynl --do config-set --json '{"config": {"server": 2}}'
check "ynl config-set server 2: refused, the attribute named" has_all "$out" "out of range" "'.config.server'"
run_out out ynl --do config-set --json '{"config": {"server": 0, "max-tunnels": 0}}'
check "ynl config-set max-tunnels 0: refused, the attribute named" has_all "$out" "out of range" "'.config.max-tunnels'"
run_out out ynl --do config-set --json '{"config": {"server": 0, "armed": 0}}'
check "ynl config-set armed: refused as read-only, the attribute named" has_all "$out" "read-only attribute" "'.config.armed'"
run_out out ynl --do config-set --json '{"config": {"server": 0, "guard": 0}}'
check "ynl config-set guard: refused as read-only, the attribute named" has_all "$out" "read-only attribute" "'.config.guard'"
run_out out "$LI" -j config show
check_eq "refused config-sets changed nothing (config)" \
	'[{"server":true,"port":1702,"reqid":9,"priority":0,"level":"require","auto-attach":true,"restore":true,"max-tunnels":65536,"armed":true,"guard":true}]' "$out"
check_eq "refused config-sets changed nothing (SPD, byte for byte)" "$before" "$(spd)"

check "ynl config-set server 0 port 1701" \
	run ynl --do config-set --json '{"config": {"server": 0, "port": 1701, "reqid": 0}}'
check_eq "server off: no server policy left" 0 "$("$TESTING_TOOLS/xfrm-spd" -c -m "prio=(1024|$PRIO_S) ")"

# --- client connections
check "client add 10.0.0.2 lifetime static" run "$LI" client add 10.0.0.2 lifetime static
check_eq "its two policies (out sport 1701 to the server, in from it)" 2 \
	"$("$TESTING_TOOLS/xfrm-spd" -c -m "^dir=(in|out) prio=$PRIO_S .*(dst=10.0.0.2/32 .*sport=1701/ffff|src=10.0.0.2/32 .*dport=1701/ffff)")"
run_out out "$LI" client add 10.0.0.2
check "adding it again: exit 1, the kernel says why" grep -q "already declared" "$T_ERR"
# client negotiate: the kernel's acquire for the connection's first frame (udp sport
# 1701 to 10.0.0.2 port 1701) reaches the key managers: ip xfrm monitor stands in for
# an IKE daemon that listens and negotiates nothing. The wait ends in a timeout that
# names IKE and the reqid.
ip xfrm monitor acquire >"$W/acquire.log" 2>&1 &
mon=$!
sleep 0.5
run_out out "$LI" client negotiate 10.0.0.2 timeout 1
check "client negotiate, nothing negotiated: exit 1, no SA after 1 s, IKE and the reqid named" \
	has_all "$(cat "$T_ERR")" "no SA with 10.0.0.2 after 1 s" "IKE negotiated none" "reqid 0"
kill "$mon"
wait "$mon" 2>/dev/null
echo "# ip xfrm monitor acquire:"
sed 's/^/#   /' "$W/acquire.log"
check "the acquire went out: dst 10.0.0.2, the flow udp sport 1701 dport 1701" \
	grep -q 'dst 10.0.0.2/32 proto udp sport 1701 dport 1701' "$W/acquire.log"
check "a larval ESP state (spi 0) to 10.0.0.2, the acquire in progress" \
	bash -c "ip xfrm state list dst 10.0.0.2 proto esp | grep -q 'spi 0x00000000'"
run_out out "$LI" -j client show
check "client show -j: both SAs of the connection, out acquiring" \
	grep -q '"server-ipv4":"10.0.0.2",.*"sa":\[{"dir":"out","state":"acquiring"},{"dir":"in","state":"none"}\]' <<<"$out"
run ip xfrm state flush		# the larval state: the tunnel below starts with no SA
run_out out "$LI" client negotiate 10.0.0.9
check "client negotiate of an undeclared connection: exit 1, no such connection" \
	grep -q "no such client connection" "$T_ERR"
check "ynl client-add fd00::2 sport 1702" \
	run ynl --do client-add --json '{"client": {"server-ipv6": "fd000000000000000000000000000002", "sport": 1702}}'
run_out out ynl --dump client-get
check "ynl client-get lists both" has_all "$out" '"server-ipv4": "10.0.0.2"' '"server-ipv6": "fd00::2"' 
run_out out "$LI" -j client show
check "client show -j: both connections with their policy indexes" \
	grep -qE '^\[\{"server-ipv4":"10.0.0.2","sport":1701,"lifetime":"static","tunnels":0,"policy-index":\[[1-9][0-9]*,[1-9][0-9]*\],"sa":\[[^]]*\]\},\{"server-ipv6":"fd00::2","sport":1702,"lifetime":"connection"' <<<"$out"
run_out out ynl --do client-add --json '{"client": {"server-ipv4": 167772163, "server-ipv6": "fd000000000000000000000000000003"}}'
check "ynl client-add with two addresses: refused, says why" has_all "$out" "exactly one of"
check "client del 10.0.0.2" run "$LI" client del 10.0.0.2
check "ynl client-del fd00::2 sport 1702" \
	run ynl --do client-del --json '{"client": {"server-ipv6": "fd000000000000000000000000000002", "sport": 1702}}'
run_out out "$LI" client del 10.0.0.2
check "deleting it again: exit 1, no such connection" grep -q "no such client connection" "$T_ERR"
check_eq "no client policy left" 0 "$("$TESTING_TOOLS/xfrm-spd" -c -m "prio=$PRIO_S ")"

# --- events, while a real tunnel comes and goes (ip l2tp: genetlink path)
"$LI" -j monitor >"$W/mon" 2>"$W/mon.err" &
mon=$!
# The ynl library (that of cli.py --subscribe) until told to stop.
/usr/bin/python3 "$L2TPI_TOP/scripts/tests/ynl-listen.py" "$L2TPI_YNL/tools/net/ynl" "$SPEC" \
	events "$W/ynl.ready" "$W/ynl.stop" >"$W/ynl" 2>&1 &
ynlpid=$!
# Both have joined when the ynl listener says so and a second generic netlink socket
# has groups (the group id is small on a test guest: /proc shows the first 32).
for _ in $(seq 600); do
	[ -e "$W/ynl.ready" ] &&
		[ "$(awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l)" -ge 2 ] && break
	sleep 0.1
done
setup_l2tp_tunnel
sleep 1
run_out out "$LI" -j tunnel show
check "tunnel show -j: the tunnel's id, 5-tuple and two policy indexes" \
	grep -qE '^\[\{"id":1,"local-ipv4":"10.0.0.1","peer-ipv4":"10.0.0.2","local-port":1701,"peer-port":1701,"policy-index":\[[1-9][0-9]*,[1-9][0-9]*\],"sa":\[\{"dir":"out","state":"none"\},\{"dir":"in","state":"none"\}\]\}\]$' <<<"$out"
run_out out ynl --dump tunnel-get
check "ynl --dump tunnel-get: the tunnel, then the refused counters" \
	has_all "$out" '"tunnel": {"id": 1,' '}, {"refused": {"unprivileged": 0, "inexact": 0, "limit": 0}}]'
run ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1000 reqid 5 mode transport \
	aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128
run_out out "$LI" -j tunnel show
check "with an SA out: sa out present, spi and reqid" \
	grep -q '"sa":\[{"dir":"out","state":"present","spi":"0x00001000","reqid":5,"bytes":0,"packets":0},{"dir":"in","state":"none"}\]' <<<"$out"
run ip xfrm state flush
run_out out "$LI" -j -n peer tunnel show
check "the peer netns sees its own tunnel only" \
	grep -qE '^\[\{"id":2,"local-ipv4":"10.0.0.2","peer-ipv4":"10.0.0.1",' <<<"$out"
run_out out "$LI" -j policy show
check_eq "policy show: the tunnel's two policies (origin tunnel) and the two block policies" \
	"2 2" "$(grep -o '"origin":"tunnel"' <<<"$out" | wc -l) $(grep -o '"origin":"block"' <<<"$out" | wc -l)"
# No SA: the tunnel's first frames make the kernel ask the key managers (ACQUIRE).
check "ping over the tunnel without an SA fails" ping_fails -c 1 -W 2 192.168.99.2
run ip xfrm policy flush
check_eventually "after a flush: the tunnel's policies are back" 2 spd_tunnels_count
ip l2tp del tunnel tunnel_id 1
sleep 1
check "config set restore off" run "$LI" config set restore off
sleep 2
kill -INT $mon
wait $mon
check "monitor exits 0 on SIGINT" test $? = 0
touch "$W/ynl.stop"
wait $ynlpid
run cat "$W/mon"
# Acquires come whenever the tunnel tries to send (its first frames may even beat the
# attach event, which the tunnel's work item sends): checked apart from the order.
events=$(grep -o '"event":"[a-z-]*"' "$W/mon" | grep -v acquire | tr '\n' ' ')
check_eq "monitor: attach, restore, detach, config, in that order" \
	'"event":"tunnel-attach" "event":"restore" "event":"tunnel-detach" "event":"config" ' \
	"$events"
attach_re='^\{"event":"tunnel-(attach|detach)","id":1,"local-ipv4":"10.0.0.1","peer-ipv4":"10.0.0.2","local-port":1701,"peer-port":1701,'
check_eq "monitor: the attach and detach events carry the tunnel id and 5-tuple" \
	2 "$(grep -cE "$attach_re" "$W/mon")"
check "monitor: an acquire event names the tunnel's flow" \
	grep -qE '^\{"event":"acquire","policy-index":[1-9][0-9]*,"dir":"out","reqid":0,"src-ipv4":"10.0.0.1","dst-ipv4":"10.0.0.2","sport":1701,"dport":1701\}$' "$W/mon"
run cat "$W/ynl"
ynl_events=$(grep -o '"name": "[a-z-]*-ntf"' "$W/ynl" | grep -v acquire | tr '\n' ' ')
check_eq "ynl --subscribe events: the same, in the same order" \
	'"name": "tunnel-attach-ntf" "name": "restore-ntf" "name": "tunnel-detach-ntf" "name": "config-ntf" ' \
	"$ynl_events"
check "ynl --subscribe events: the acquire too" \
	grep -qE '"name": "acquire-ntf", "msg": \{"acquire": \{"policy-index": [1-9][0-9]*, "dir": "out", "reqid": 0, "src-ipv4": "10.0.0.1", "dst-ipv4": "10.0.0.2", "sport": 1701, "dport": 1701\}\}' "$W/ynl"

# A tunnel attached while nobody listened (no work item then): a monitor started
# later still gets its detach event, with the policy indexes it had.
run ip l2tp add tunnel tunnel_id 3 peer_tunnel_id 3 encap udp local 10.0.0.1 remote 10.0.0.2 \
	udp_sport 1703 udp_dport 1703
run_out out "$LI" -j tunnel show
idx=$(grep -oE '"id":3,[^]]*"policy-index":\[[0-9]+,[0-9]+\]' <<<"$out" | grep -oE '\[[0-9]+,[0-9]+\]$')
check "tunnel 3 attached with two policy indexes" test -n "$idx"
"$LI" -j monitor >"$W/mon2" 2>"$W/mon2.err" &
mon=$!
sleep 1
ip l2tp del tunnel tunnel_id 3
sleep 1
kill -INT $mon
wait $mon
run cat "$W/mon2"
check_eq "monitor started after the attach: no attach event, one detach event" \
	"0 1" "$(grep -c '"event":"tunnel-attach"' "$W/mon2") $(grep -c '"event":"tunnel-detach","id":3,' "$W/mon2")"
check "the detach event carries the indexes the tunnel was attached with" \
	grep -qF "\"policy-index\":$idx" "$W/mon2"

# --- without CAP_NET_ADMIN (the block policies may still go with tunnel 3: left out)
before=$(spd_nb)
for cmd in "config show" "server on" "config set restore on" "client add 10.0.0.2" \
	"client del 10.0.0.2" "tunnel show" "policy show" "monitor"; do
	# shellcheck disable=SC2086
	"${NOBODY[@]}" "$LI" $cmd >/dev/null 2>"$T_ERR"
	rc=$?
	check "unprivileged: $cmd refused (exit 1, CAP_NET_ADMIN named)" \
		eval '[ $rc = 1 ] && grep -q CAP_NET_ADMIN "$T_ERR"'
done
# (ynl and the spec copied where nobody can read them: the tree may be under /root)
mkdir "$W/pub"
cp -r "$L2TPI_YNL/tools/net/ynl" "$SPEC" "$W/pub/"
chmod -R a+rX "$W"
run_out out "${NOBODY[@]}" /usr/bin/python3 "$W/pub/ynl/cli.py" --spec "$W/pub/l2tp_ipsec.yaml" \
	--no-schema --do config-set --json '{"config": {"server": 1}}'
check "unprivileged ynl config-set: Operation not permitted" has_all "$out" "Operation not permitted"
check_eq "nothing changed by the unprivileged attempts" "$before" "$(spd_nb)"

# --- a second netns has its own state
check "-n peer server on" run "$LI" -n peer server on
run_out out "$LI" -j config show
# (its guard comes and goes with its tunnels: not compared here)
check_eq "the initial netns still has server off, restore off" \
	'[{"server":false,"port":1701,"reqid":0,"priority":0,"level":"require","auto-attach":true,"restore":false,"max-tunnels":65536,"armed":true}]' \
	"$(sed 's/,"guard":[a-z]*//' <<<"$out")"
check_eq "the server policies are in the peer's SPD only" "4 0" \
	"$(ip netns exec peer "$TESTING_TOOLS/xfrm-spd" -c -m "prio=$PRIO_S ") $("$TESTING_TOOLS/xfrm-spd" -c -m "prio=$PRIO_S ")"

check "rmmod" run rmmod l2tp_ipsec
run_out out "$LI" config show
check "after rmmod the family is gone" grep -q "not available" "$T_ERR"
ip -n peer l2tp del tunnel tunnel_id 2
ip netns del peer
ynl_stop
rm -rf "$W" "$T_ERR"
tap_done
