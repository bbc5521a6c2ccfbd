#!/bin/bash
# The guest side of `make bench` (scripts/bench.sh): tunnel bring-up measured three
# ways side by side in one guest, repetitions interleaved:
#   floor   no module: what creating and deleting L2TP tunnels costs by itself;
#   module  l2tp_ipsec with auto-attach: every tunnel's policies at its bind;
#   agent   no module, tools/l2tp-agent: told of each tunnel the moment it exists,
#           it adds the two policies over XFRM netlink (and deletes them after),
#           the way admins' scripts do it today.
# Paths: PPPoL2TP (tools/l2tp-tunnel, as xl2tpd/pppd) and genetlink (ip l2tp, one
# ip -batch; for the agent way the batch adds each tunnel's two policies right
# after the tunnel, as a script would). Each with a peer per tunnel (10.1.0.1 on,
# routed through netns peer: the clients of a real LNS) and with one peer for all
# (its ports differ: xfrm hashes exact policies by address alone, so all of them
# share one hash chain, the worst case).
# Plaintext window: 100 tunnels that send one frame the moment they exist, frames
# that left in plaintext (tools/plain-count on the veth).
# Output: a table, and one line "BENCH-JSON {...}" for scripts/bench.sh.
# BENCH_N (tunnels, default 1000), BENCH_R (repetitions, default 3).
. "$L2TPI_TOP/scripts/tests/lib.sh"

# make bench's size (build/bench.env), unless the caller set one (make check's smoke)
# shellcheck disable=SC1091
[ -z "${BENCH_N:-}" ] && [ -r "$L2TPI_TOP/build/bench.env" ] && . "$L2TPI_TOP/build/bench.env"
N=${BENCH_N:-1000}
R=${BENCH_R:-3}
W=${BENCH_W:-100}
ulimit -n $((3 * N + 64))

load_stock_modules >/dev/null 2>&1
setup_peer
ip route add 10.1.0.0/16 via 10.0.0.2
peer_ip() { local a=$(($1 + 1)); echo "10.1.$((a >> 8)).$((a & 255))"; }	# tunnel i's

module_on() { grep -q '^l2tp_ipsec ' /proc/modules || insmod "$L2TPI_KO"; }
module_off() { ! grep -q '^l2tp_ipsec ' /proc/modules || rmmod l2tp_ipsec; }
way_setup() { # WAY
	if [ "$1" = module ]; then module_on; else module_off; fi
}
spd_main() { "$TOOLS/xfrm-spd" -c -m '^dir=(in|out) '; }
# wait until the SPD holds N policies (the module's teardown is asynchronous)
spd_settle() {
	local end=$((SECONDS + 120))
	until [ "$(spd_main)" = "$1" ] || ((SECONDS >= end)); do snooze 0.05; done
}
kv() { sed -n "s/^$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# PPPoL2TP path, one run: prints "CREATE_S DELETE_S"
ppp_run() { # WAY many|one
	local out agent=() base peer=(10.0.0.2 20000)
	[ "$1" = agent ] && agent=(-A "$TOOLS/l2tp-agent")
	local opts=()
	[ "$2" = many ] && peer=(10.1.0.1 1701) opts=(-m)
	base=$(spd_main)
	out=$("$TUN" -T "${opts[@]}" "${agent[@]}" -n "$N" -t 1000 10.0.0.1 1701 "${peer[@]}" 2>/tmp/tun.err) || {
		echo "l2tp-tunnel failed: $out" >&2
		return 1
	}
	local create
	create=$(kv protected_s "$out")
	[ -n "$create" ] || create=$(kv open_s "$out")
	echo "$create $(kv close_s "$out")"
	spd_settle "$base"
}

# genetlink path, one run: prints "CREATE_S DELETE_S"
nl_run() { # WAY many|one
	local i t0 t1 t2 base p=10.0.0.2
	: >/tmp/nl-add
	: >/tmp/nl-del
	for ((i = 0; i < N; i++)); do
		[ "$2" = many ] && p=$(peer_ip "$i")
		echo "l2tp add tunnel tunnel_id $((1000 + i)) peer_tunnel_id $((1000 + i)) encap udp local 10.0.0.1 remote $p udp_sport $((20000 + i)) udp_dport 1701" >>/tmp/nl-add
		echo "l2tp del tunnel tunnel_id $((1000 + i))" >>/tmp/nl-del
		if [ "$1" = agent ]; then
			echo "xfrm policy add dir out src 10.0.0.1/32 dst $p/32 proto udp sport $((20000 + i)) dport 1701 priority 1023 tmpl proto esp mode transport" >>/tmp/nl-add
			echo "xfrm policy add dir in src $p/32 dst 10.0.0.1/32 proto udp sport 1701 dport $((20000 + i)) priority 1023 tmpl proto esp mode transport" >>/tmp/nl-add
			echo "xfrm policy delete dir out src 10.0.0.1/32 dst $p/32 proto udp sport $((20000 + i)) dport 1701" >>/tmp/nl-del
			echo "xfrm policy delete dir in src $p/32 dst 10.0.0.1/32 proto udp sport 1701 dport $((20000 + i))" >>/tmp/nl-del
		fi
	done
	base=$(spd_main)
	t0=$EPOCHREALTIME
	ip -batch /tmp/nl-add || return 1
	t1=$EPOCHREALTIME
	ip -batch /tmp/nl-del || return 1
	t2=$EPOCHREALTIME
	echo "$(bc <<<"$t1 - $t0") $(bc <<<"$t2 - $t1")"
	spd_settle "$base"
}

# Plaintext window, one run: frames that left in plaintext of W tunnels sending at once
window_run() { # WAY
	local agent=() c
	[ "$1" = agent ] && agent=(-A "$TOOLS/l2tp-agent")
	count_plain /tmp/wc 120 || return 1
	"$TUN" "${agent[@]}" -e -c 1 -n "$W" -t 3000 10.0.0.1 1701 10.0.0.2 30000 >/dev/null 2>&1
	snooze 0.3
	c=$(count_done /tmp/wc)
	field plain <<<"$c"
}

declare -A res
ways=(floor module agent)
for ((r = 1; r <= R; r++)); do
	for way in "${ways[@]}"; do
		way_setup "$way"
		res[ppp-$way]+="$(ppp_run "$way" many);"
		res[ppp1-$way]+="$(ppp_run "$way" one);"
		res[nl-$way]+="$(nl_run "$way" many);"
		res[nl1-$way]+="$(nl_run "$way" one);"
		res[win-$way]+="$(window_run "$way") "
	done
done
module_off

# median and spread of column COL (1 create, 2 delete) of "a b;a b;..."
stats() { # LIST COL: prints "MEDIAN MIN MAX"
	tr ';' '\n' <<<"$1" | awk -v c="$2" 'NF { print $c }' | sort -g |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f %.6f\n", m, v[1], v[NR] }'
}

printf '\n%s tunnels, %s repetitions, %s (%s)\n' "$N" "$R" "$KVERSION" "$(uname -r)"
printf '%-17s %-7s %12s %9s %12s %9s  %s\n' path way "create t/s" ratio "delete t/s" ratio "create s: median (min-max)"
json="{\"kernel\":\"$KVERSION\",\"tunnels\":$N,\"repetitions\":$R,\"bringup\":["
sep=
for path in ppp ppp1 nl nl1; do
	read -r fc _ _ <<<"$(stats "${res[$path-floor]}" 1)"
	read -r fd _ _ <<<"$(stats "${res[$path-floor]}" 2)"
	for way in "${ways[@]}"; do
		read -r c cmin cmax <<<"$(stats "${res[$path-$way]}" 1)"
		read -r d _ _ <<<"$(stats "${res[$path-$way]}" 2)"
		case $path in
		ppp) name=PPPoL2TP ;;
		ppp1) name="PPPoL2TP, 1 peer" ;;
		nl) name=genetlink ;;
		nl1) name="genetlink, 1 peer" ;;
		esac
		printf '%-17s %-7s %12.0f %9.3f %12.0f %9.3f  %.3f (%.3f-%.3f)\n' "$name" "$way" \
			"$(bc -l <<<"$N / $c")" "$(bc -l <<<"$c / $fc")" \
			"$(bc -l <<<"$N / $d")" "$(bc -l <<<"$d / $fd")" "$c" "$cmin" "$cmax"
		json+="$sep{\"path\":\"$name\",\"way\":\"$way\",\"create_s\":$c,\"create_min_s\":$cmin,\"create_max_s\":$cmax,\"delete_s\":$d,\"create_ratio\":$(bc -l <<<"$c / $fc" | sed 's/^\./0./'),\"delete_ratio\":$(bc -l <<<"$d / $fd" | sed 's/^\./0./')}"
		sep=,
	done
done
json+="],\"plaintext_window\":{\"tunnels\":$W"
printf '\nplaintext window: %s tunnels send one frame the moment they exist\n' "$W"
for way in "${ways[@]}"; do
	printf '  %-7s plaintext frames per run: %s\n' "$way" "${res[win-$way]}"
	json+=",\"$way\":[$(tr ' ' '\n' <<<"${res[win-$way]}" | awk 'NF' | paste -sd,)]"
done
json+="}}"
echo "BENCH-JSON $json"
