#!/bin/bash
# The guest side of `make bench` (scripts/run-bench.sh): tunnel bring-up measured three
# ways side by side in one guest, repetitions interleaved:
#   floor   no module: what creating and deleting L2TP tunnels costs by itself;
#   module  l2tp_ipsec with auto-attach: every tunnel's policies at its bind;
#   agent   no module, testing/tools/spd-writer: told of each tunnel the moment it exists,
#           it adds the two policies over XFRM netlink (and deletes them after),
#           the way admins' scripts do it today.
# Paths: PPPoL2TP (testing/tools/l2tp-tunnel, as xl2tpd/pppd) and genetlink (ip l2tp, one
# ip -batch; for the agent way the batch adds each tunnel's two policies right
# after the tunnel, as a script would). Each with a peer per tunnel (10.1.0.1 on,
# routed through netns peer: the clients of a real LNS) and with one peer for all
# (its ports differ: xfrm hashes exact policies by address alone, so all of them
# share one hash chain, the worst case).
# Plaintext window: 100 tunnels that send one frame the moment they exist, frames
# that left in plaintext (testing/tools/plain-count on the veth).
# Then, with background tunnels made over genetlink (a peer each):
#   memory      unreclaimable slab per tunnel at BENCH_MEM_N tunnels: no module,
#               the agent way's two SPD policies, the module;
#   SPD scaling send rate through the measured tunnel's socket (ESP, null cipher)
#               and through a plain unconnected UDP socket, with 1 ... 65,535
#               attached tunnels (BENCH_SCALE), BENCH_FRAMES datagrams a run,
#               each run divided by a control run just before it (the peer
#               namespace's loopback: an empty SPD) against TCG's drift;
#   teardown    at the sizes of BENCH_TEARDOWN: `ip xfrm policy flush` until the
#               module's policies are all back (up to BENCH_FLUSH_MAX tunnels),
#               rmmod, and insmod until it adopted every tunnel again.
# Footprint: in a namespace created fresh for each run, the send rate of an
# unconnected UDP socket (a route and SPD lookup per datagram) to one address and
# to 256 in turn, without the module loaded at all, with it loaded (that namespace
# has no tunnel: it must cost nothing), and with one tunnel attached there (what a
# namespace that uses it pays: the guard's hooks and an SPD with policies); each run
# divided by a control run just before it, as for SPD scaling.
# Output: tables, and one line "BENCH-JSON {...}" for scripts/run-bench.sh; progress
# lines ("+ ...") on stderr. BENCH_N (tunnels, default 1000), BENCH_R (repetitions,
# default 5), BENCH_PARTS ("bringup scale footprint"), BENCH_IDLE_WAIT (seconds to
# wait for an idle guest before each timed run, default 60; the smoke run, whose
# figures are not judged, sets 0); the defaults of the others are below.
. "$L2TPI_TOP/scripts/tests/lib.sh"

# make bench's size (build/bench.env), unless the caller set one (make check's smoke)
# shellcheck disable=SC1091
[ -z "${BENCH_N:-}" ] && [ -r "$L2TPI_TOP/build/bench.env" ] && . "$L2TPI_TOP/build/bench.env"
N=${BENCH_N:-1000}
R=${BENCH_R:-5}
W=${BENCH_W:-100}
PARTS=${BENCH_PARTS:-bringup scale footprint}
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
spd_main() { "$TESTING_TOOLS/xfrm-spd" -c -m '^dir=(in|out) '; }
# wait until the SPD holds N policies (the module's teardown is asynchronous)
spd_settle() {
	local end=$((SECONDS + 120))
	until [ "$(spd_main)" = "$1" ] || ((SECONDS >= end)); do snooze 0.05; done
}
# Wait until the guest is idle: at least 95% of a second's CPU time idle (up to
# BENCH_IDLE_WAIT seconds).
# A rate is measured only then, not while the kernel still frees what an earlier
# part created (RCU callbacks, l2tp's deferred tunnel teardown, our lingering entries).
cpu_idle_settle() {
	local end=$((SECONDS + ${BENCH_IDLE_WAIT:-60})) a b
	[ "${BENCH_IDLE_WAIT:-60}" != 0 ] || return 0
	while ((SECONDS < end)); do
		read -r -a a < <(grep '^cpu ' /proc/stat)
		snooze 1
		read -r -a b < <(grep '^cpu ' /proc/stat)
		# fields: user nice system idle iowait irq softirq steal
		local busy=$(((b[1] + b[2] + b[3] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[6] + a[7] + a[8])))
		local idle=$(((b[4] + b[5]) - (a[4] + a[5])))
		((idle + busy > 0 && 100 * idle >= 95 * (idle + busy))) && return 0
	done
	echo "the guest did not settle to 95% idle in ${BENCH_IDLE_WAIT:-60} s" >&2
}
kv() { sed -n "s/^$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
has_part() { [[ " $PARTS " == *" $1 "* ]]; }
# where the run is, on stderr (the results port; scripts/run-bench.sh leaves them out)
progress() { echo "+ $(date +%T) $*" >&2; }

# PPPoL2TP path, one run: prints "CREATE_S DELETE_S"
ppp_run() { # WAY many|one
	local out agent=() base peer=(10.0.0.2 20000)
	[ "$1" = agent ] && agent=(-A "$TESTING_TOOLS/spd-writer")
	local opts=()
	[ "$2" = many ] && peer=(10.1.0.1 1701) opts=(-m)
	cpu_idle_settle
	base=$(spd_main)
	out=$("$TUN" -T "${opts[@]}" "${agent[@]}" -n "$N" -t 1000 10.0.0.1 1701 "${peer[@]}" 2>$TMPDIR/tun.err) || {
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
	: >$TMPDIR/nl-add
	: >$TMPDIR/nl-del
	for ((i = 0; i < N; i++)); do
		[ "$2" = many ] && p=$(peer_ip "$i")
		echo "l2tp add tunnel tunnel_id $((1000 + i)) peer_tunnel_id $((1000 + i)) encap udp local 10.0.0.1 remote $p udp_sport $((20000 + i)) udp_dport 1701" >>$TMPDIR/nl-add
		echo "l2tp del tunnel tunnel_id $((1000 + i))" >>$TMPDIR/nl-del
		if [ "$1" = agent ]; then
			echo "xfrm policy add dir out src 10.0.0.1/32 dst $p/32 proto udp sport $((20000 + i)) dport 1701 priority $PRIO_T tmpl proto esp mode transport" >>$TMPDIR/nl-add
			echo "xfrm policy add dir in src $p/32 dst 10.0.0.1/32 proto udp sport 1701 dport $((20000 + i)) priority $PRIO_T tmpl proto esp mode transport" >>$TMPDIR/nl-add
			echo "xfrm policy delete dir out src 10.0.0.1/32 dst $p/32 proto udp sport $((20000 + i)) dport 1701" >>$TMPDIR/nl-del
			echo "xfrm policy delete dir in src $p/32 dst 10.0.0.1/32 proto udp sport 1701 dport $((20000 + i))" >>$TMPDIR/nl-del
		fi
	done
	cpu_idle_settle
	base=$(spd_main)
	t0=$EPOCHREALTIME
	ip -batch $TMPDIR/nl-add || return 1
	t1=$EPOCHREALTIME
	ip -batch $TMPDIR/nl-del || return 1
	t2=$EPOCHREALTIME
	echo "$(bc <<<"$t1 - $t0") $(bc <<<"$t2 - $t1")"
	spd_settle "$base"
}

# Plaintext window, one run: frames that left in plaintext of W tunnels sending at once,
# or null when the run did not open all W tunnels (a 0 must not stand for a run that
# sent nothing). Each run has its own tunnel ids: l2tp tears the previous run's
# tunnels down asynchronously.
window_run() { # WAY RUN: RUN numbers the runs (tunnel ids 3000 + 100 * (RUN % 70) on)
	local agent=() c out opened tid=$((3000 + 100 * ($2 % 70)))
	[ "$1" = agent ] && agent=(-A "$TESTING_TOOLS/spd-writer")
	count_plain $TMPDIR/wc 120 || return 1
	out=$("$TUN" "${agent[@]}" -e -c 1 -n "$W" -t "$tid" 10.0.0.1 1701 10.0.0.2 30000 2>$TMPDIR/win.err)
	snooze 0.3
	c=$(count_done $TMPDIR/wc)
	opened=$(field tunnels <<<"$out")
	if [ "$opened" != "$W" ]; then
		progress "plaintext window, $1: the run opened ${opened:-no} of $W tunnels ($(tail -n 1 $TMPDIR/win.err)); left out"
		echo null
		return 0
	fi
	field plain <<<"$c"
}

# median and spread of column COL (1 create, 2 delete) of "a b;a b;..."
stats() { # LIST COL: prints "MEDIAN MIN MAX" ("null null null" for an empty LIST)
	tr ';' '\n' <<<"$1" | awk -v c="$2" 'NF && $c != "null" { print $c }' | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) { print "null null null"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f %.6f %.6f\n", m, v[1], v[NR] }'
}
fmt() { # VALUE DECIMALS: "-" for null
	if [ "$1" = null ]; then printf -- -; else printf "%.${2}f" "$1"; fi
}
num() { sed 's/^\./0./; s/^-\./-0./'; }	# bc's ".5" as JSON's 0.5
calc() { # EXPRESSION: its value, or null (a division by zero in a broken run)
	local v
	v=$(bc -l <<<"$1" 2>/dev/null | num)
	echo "${v:-null}"
}

declare -A res
ways=(floor module agent)
audit=on
[[ " $(cat /proc/cmdline) " =~ .*\ audit=([01])\  ]] && [ "${BASH_REMATCH[1]}" = 0 ] && audit=off
printf '\n%s (%s), kernel audit %s\n' "$KVERSION" "$(uname -r)" "$audit"
json="{\"kernel\":\"$KVERSION\",\"audit\":\"$audit\""

if has_part bringup; then
	win_runs=0
	for ((r = 1; r <= R; r++)); do
		for way in "${ways[@]}"; do
			progress "bring-up: repetition $r, $way"
			way_setup "$way"
			res[ppp-$way]+="$(ppp_run "$way" many);"
			res[ppp1-$way]+="$(ppp_run "$way" one);"
			res[nl-$way]+="$(nl_run "$way" many);"
			res[nl1-$way]+="$(nl_run "$way" one);"
			win_runs=$((win_runs + 1))
			res[win-$way]+="$(window_run "$way" "$win_runs") "
		done
	done
	module_off

	printf '\nbring-up: %s tunnels, %s repetitions\n' "$N" "$R"
	printf '%-17s %-7s %12s %9s %12s %9s  %s\n' path way "create t/s" ratio "delete t/s" ratio "create s: median (min-max)"
	json+=",\"tunnels\":$N,\"repetitions\":$R,\"bringup\":["
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
				"$(calc "$N / $c")" "$(calc "$c / $fc")" \
				"$(calc "$N / $d")" "$(calc "$d / $fd")" "$c" "$cmin" "$cmax"
			json+="$sep{\"path\":\"$name\",\"way\":\"$way\",\"create_s\":$c,\"create_min_s\":$cmin,\"create_max_s\":$cmax,\"delete_s\":$d,\"create_ratio\":$(calc "$c / $fc"),\"delete_ratio\":$(calc "$d / $fd")}"
			sep=,
		done
	done
	json+="],\"plaintext_window\":{\"tunnels\":$W"
	printf '\nplaintext window: %s tunnels send one frame the moment they exist\n' "$W"
	for way in "${ways[@]}"; do
		printf '  %-7s plaintext frames per run: %s\n' "$way" "${res[win-$way]//null/-}"
		json+=",\"$way\":[$(tr ' ' '\n' <<<"${res[win-$way]}" | awk 'NF' | paste -sd,)]"
	done
	json+="}"
fi

# ---- SPD scaling, memory, teardown and restore ----------------------------------
# Background tunnels: bg_batch (scripts/tests/lib.sh).
bg_run() { # FROM TO add|del [agent]
	bg_batch "$@" >$TMPDIR/bg.batch || return 1
	ip -batch $TMPDIR/bg.batch
}
# wait until the SPD holds N inbound policies (the module's tunnels: its other
# policies, the quarantine's blocks, are outbound; its teardown is asynchronous)
attached_wait() { # N
	local end=$((SECONDS + 600)) c
	while :; do
		read -r c _ _ _ <<<"$(spd_counts)"
		[ "$c" = "$1" ] && return 0
		((SECONDS >= end)) && { echo "only $c of $1 tunnels attached" >&2; return 1; }
		snooze 0.05
	done
}
unreclaimable_kb() { awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo; }
slab_bytes() { # CACHE: active objects x object size
	awk -v c="$1" '$1 == c { print $2 * $4 }' /proc/slabinfo
}

if has_part scale; then
	ip addr add 10.0.0.3/24 dev v0
	ip addr add 10.0.0.4/24 dev v0
	# The measured tunnel's outbound SA (10.0.0.1:1701 -> 10.0.0.2:1701 is its
	# policy; reqid 0, the module's default): ESP with the null cipher, so what is
	# measured is the policy and bundle path, not the cipher.
	ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x4c320001 reqid 0 \
		mode transport enc 'ecb(cipher_null)' ''
	F=${BENCH_FRAMES:-50000}
	# Send rate of the measured tunnel (its own connected UDP socket, as xl2tpd's)
	# and of a plain unconnected UDP socket to the same peer (any other traffic:
	# every datagram looks the SPD up).
	# Each rate run is bounded (RATE_LIMIT s): at 65,535 tunnels a run has been seen
	# not to end (docs/performance.md); a run without a result is left out, and a point
	# without any is reported as null.
	RATE_LIMIT=${BENCH_RATE_LIMIT:-300}
	rate_tunnel() {
		local out s n
		out=$(timeout "$RATE_LIMIT" "$TUN" -T -n 1 -t 100 -c "$F" -i 0 10.0.0.1 1701 10.0.0.2 1701 2>/dev/null) || {
			progress "a send run through the tunnel had no result in $RATE_LIMIT s"
			return 1
		}
		s=$(kv send_s "$out")
		n=$(field sent <<<"$out")
		calc "$n / $s"
	}
	rate_plain() { # [NETNS ADDR]
		local t0 t1 out ns=()
		[ -n "${1:-}" ] && ns=(ip netns exec "$1")
		t0=$EPOCHREALTIME
		out=$(timeout "$RATE_LIMIT" "${ns[@]}" "$TESTING_TOOLS/udp-probe" send -i 0 "${2:-10.0.0.2}" 9 "$F") || {
			progress "a plain send run had no result in $RATE_LIMIT s"
			return 1
		}
		t1=$EPOCHREALTIME
		calc "$(field sent <<<"$out") / ($t1 - $t0)"
	}
	# The control: the same plain sends, in the peer's namespace to its own
	# loopback. Its SPD is empty whatever we attach here, so its rate is the
	# guest's speed at that moment: under TCG that drifts by more than 5% between
	# points minutes apart, so every run is divided by the control run just
	# before it, and the ratios are of these quotients.
	rate_control() { rate_plain peer 127.0.0.1; }

	# Memory: MEMN tunnels, floor, agent (their two SPD policies over XFRM netlink)
	# and module; unreclaimable slab before and after, per tunnel.
	MEMN=${BENCH_MEM_N:-10000}
	declare -A mem
	for way in floor agent module; do
		progress "memory: $MEMN tunnels, $way"
		way_setup "$way"
		[ "$way" = module ] && attached_wait 0
		base=$(spd_main)
		sync
		echo 2 >/proc/sys/vm/drop_caches
		k0=$(unreclaimable_kb)
		own0=$(slab_bytes l2tpi_tunnel)
		bg_run 0 "$MEMN" add "$([ "$way" = agent ] && echo agent)"
		[ "$way" = module ] && attached_wait "$MEMN"
		sync
		echo 2 >/proc/sys/vm/drop_caches
		k1=$(unreclaimable_kb)
		own1=$(slab_bytes l2tpi_tunnel)
		mem[$way]=$(calc "($k1 - $k0) * 1024 / $MEMN")
		[ "$way" = module ] && mem[entry]=$(calc "(${own1:-0} - ${own0:-0}) / $MEMN")
		bg_run 0 "$MEMN" del "$([ "$way" = agent ] && echo agent)"
		[ "$way" = module ] && attached_wait 0
		spd_settle "$base"
	done
	printf '\nmemory per tunnel, %s tunnels (unreclaimable slab, genetlink path):\n' "$MEMN"
	printf '  tunnel alone (no module)            %8.0f bytes\n' "${mem[floor]}"
	printf '  its two SPD policies (agent way)    %8.0f bytes\n' "$(calc "${mem[agent]} - ${mem[floor]}")"
	printf '  l2tp_ipsec beyond the two policies  %8.0f bytes (its l2tpi_tunnel entry: %.0f)\n' \
		"$(calc "${mem[module]} - ${mem[agent]}")" "${mem[entry]}"
	json+=",\"memory\":{\"tunnels\":$MEMN,\"floor_b\":${mem[floor]},\"agent_b\":${mem[agent]},\"module_b\":${mem[module]},\"module_entry_b\":${mem[entry]},\"beyond_two_policies_b\":$(calc "${mem[module]} - ${mem[agent]}")}"

	# SPD scaling with the module, then teardown and restore at the larger sizes.
	module_on
	have=0
	declare -A rt rp
	printf '\nSPD scaling: send rate with N attached tunnels (%s datagrams per run, %s runs;\n' "$F" "$R"
	printf 'ratio: to 1 tunnel, each run divided by the control run before it)\n'
	printf '%8s %14s %7s %14s %7s %14s\n' tunnels "tunnel pkt/s" ratio "plain pkt/s" ratio "control pkt/s"
	json+=",\"spd_scaling\":["
	sep=
	for S in ${BENCH_SCALE:-1 1000 10000 65535}; do
		# S - 1 background tunnels and the measured one
		progress "SPD scaling: $S tunnels"
		if ((S - 1 > have)); then
			bg_run "$have" $((S - 1)) add
			have=$((S - 1))
		fi
		attached_wait "$have"
		cpu_idle_settle	# the SPD's hash resizes, the frees of RCU
		rt[$S]='' rp[$S]='' rc='' qt='' qp=''
		rate_tunnel >/dev/null	# warm-up: caches, the SA's first use
		for ((r = 1; r <= R; r++)); do
			c1=$(rate_control) && t1=$(rate_tunnel) && rt[$S]+="$t1;" rc+="$c1;" &&
				qt+="$(calc "$t1 / $c1");"
			c2=$(rate_control) && p1=$(rate_plain) && rp[$S]+="$p1;" rc+="$c2;" &&
				qp+="$(calc "$p1 / $c2");"
		done
		read -r t tmin tmax <<<"$(stats "${rt[$S]}" 1)"
		read -r p pmin pmax <<<"$(stats "${rp[$S]}" 1)"
		read -r c cmin cmax <<<"$(stats "$rc" 1)"
		read -r nt _ _ <<<"$(stats "$qt" 1)"
		read -r np _ _ <<<"$(stats "$qp" 1)"
		[ -n "${base_t:-}" ] || { base_t=$t base_p=$p base_nt=$nt base_np=$np; }
		printf '%8s %14s %7s %14s %7s %14s\n' "$S" "$(fmt "$t" 0)" "$(fmt "$(calc "$nt / $base_nt")" 3)" \
			"$(fmt "$p" 0)" "$(fmt "$(calc "$np / $base_np")" 3)" "$(fmt "$c" 0)"
		json+="$sep{\"tunnels\":$S,\"tunnel_pps\":$t,\"tunnel_pps_min\":$tmin,\"tunnel_pps_max\":$tmax,\"tunnel_ratio\":$(calc "$nt / $base_nt"),\"tunnel_ratio_raw\":$(calc "$t / $base_t"),\"plain_pps\":$p,\"plain_pps_min\":$pmin,\"plain_pps_max\":$pmax,\"plain_ratio\":$(calc "$np / $base_np"),\"plain_ratio_raw\":$(calc "$p / $base_p"),\"control_pps\":$c,\"control_pps_min\":$cmin,\"control_pps_max\":$cmax}"
		sep=,

		if [[ " ${BENCH_TEARDOWN:-10000 65535} " == *" $S "* ]]; then
			# flush: every policy of the module back in the SPD (up to
			# BENCH_FLUSH_MAX tunnels)
			progress "teardown and restore: $S tunnels"
			restore=null
			if ((S <= ${BENCH_FLUSH_MAX:-65535})); then
				# The wait asks for the SPD's counts every millisecond from
				# one process (a shell loop of processes would take the CPU
				# from the restore it times).
				read -r i0 o0 _ _ <<<"$(spd_counts)"
				t0=$EPOCHREALTIME
				ip xfrm policy flush
				flushed=$(calc "$EPOCHREALTIME - $t0")
				if "$TESTING_TOOLS/xfrm-spd" -w "$i0,$o0" -t 600 >/dev/null; then
					restore=$(calc "$EPOCHREALTIME - $t0")
				else
					progress "the flush was not restored in 600 s"
				fi
			fi
			t0=$EPOCHREALTIME
			rmmod l2tp_ipsec
			unload=$(calc "$EPOCHREALTIME - $t0")
			read -r i o si so <<<"$(spd_counts)"
			t0=$EPOCHREALTIME
			insmod "$L2TPI_KO"
			attached_wait "$have"
			adopt=$(calc "$EPOCHREALTIME - $t0")
			if [ "$restore" = null ]; then
				fr=$(printf '%10s %10s' - -)
			else
				fr=$(printf '%10.3f %10.3f' "$flushed" "$restore")
			fi
			teardown+="$(printf '%8s %s %10.3f %14.3f   (after rmmod: %s+%s SPD, %s+%s socket policies)' \
				"$S" "$fr" "$unload" "$adopt" "$i" "$o" "$si" "$so")"$'\n'
			tjson+="${tsep:-}{\"tunnels\":$S,\"flush_s\":${flushed:-null},\"flush_restore_s\":$restore,\"rmmod_s\":$unload,\"insmod_adopt_s\":$adopt,\"left_after_rmmod\":$((i + o + si + so))}"
			flushed=
			tsep=,
		fi
	done
	json+="]"
	if [ -n "${teardown:-}" ]; then
		printf '\nteardown and restore with N live tunnels (seconds):\n'
		printf '%8s %10s %10s %10s %14s\n' tunnels flush flush-back rmmod insmod-adopt
		printf '%s' "$teardown"
		json+=",\"teardown\":[$tjson]"
	fi
	bg_run 0 "$have" del
	module_off
fi
if has_part footprint; then
	F=${BENCH_FRAMES:-50000}
	# fp_ns: a fresh namespace with a dummy device (198.18.0.1/16, no neighbour to
	# resolve), and, with "tunnel", one L2TP tunnel of an administrator in it.
	fp_ns() {
		ip netns add fp
		ip -n fp link set lo up
		ip -n fp link add d0 type dummy
		ip -n fp addr add 198.18.0.1/16 dev d0
		ip -n fp link set d0 up
		[ "${1:-}" != tunnel ] ||
			ip -n fp l2tp add tunnel tunnel_id 9 peer_tunnel_id 9 encap udp \
				local 198.18.0.1 remote 198.18.0.2 udp_sport 1701 udp_dport 1701
	}
	fp_rate() { # -R N: the send rate in fp, divided by the control's just before
		local c t0 t1 out
		c=$(rate_fp_control) || return 1
		t0=$EPOCHREALTIME
		out=$(ip netns exec fp "$TESTING_TOOLS/udp-probe" send -i 0 "$@" 198.18.1.1 9 "$F") || return 1
		t1=$EPOCHREALTIME
		calc "$(field sent <<<"$out") / ($t1 - $t0) / $c"
	}
	rate_fp_control() {
		local t0 t1 out
		t0=$EPOCHREALTIME
		out=$(ip netns exec peer "$TESTING_TOOLS/udp-probe" send -i 0 127.0.0.1 9 "$F") || return 1
		t1=$EPOCHREALTIME
		calc "$(field sent <<<"$out") / ($t1 - $t0)"
	}
	declare -A fp
	fp_ways=(none loaded used)
	# Twice the repetitions of the other parts: what is looked for is a difference of
	# about 1%, and TCG's drift moves a single run by several.
	FR=${BENCH_FP_R:-$((2 * R))}
	for ((r = 1; r <= FR; r++)); do
		for way in "${fp_ways[@]}"; do
			progress "footprint: repetition $r, $way"
			if [ "$way" = none ]; then module_off; else module_on; fi
			fp_ns "$([ "$way" = used ] && echo tunnel)"
			# the namespace's guard (config show; none without the module)
			fp_guard() {
				"$TOOLS/l2tp-ipsec" -n fp -j config show 2>/dev/null |
					grep -q '"guard":true'
			}
			# the tunnel's guard comes from a work item queued by its bind
			end=$((SECONDS + 30))
			while [ "$way" = used ] && ! fp_guard && ((SECONDS < end)); do
				snooze 0.05
			done
			fp[guard-$way]=false
			fp_guard && fp[guard-$way]=true
			fp[spd-$way]=$(ip netns exec fp "$TESTING_TOOLS/xfrm-spd" -c)
			o=$(fp_rate -R 1) m=$(fp_rate -R 256)
			fp[one-$way]+="$o;" fp[many-$way]+="$m;"
			# this repetition's ratio to its own "none" run (it came just before)
			[ "$way" = none ] && o0=$o m0=$m
			fp[qone-$way]+="$(calc "$o / $o0");" fp[qmany-$way]+="$(calc "$m / $m0");"
			ip netns del fp
		done
	done
	module_off
	printf '\nfootprint: unconnected UDP sends in a fresh namespace (%s datagrams, %s runs),\n' "$F" "$FR"
	printf 'each run divided by a control run; ratio: the median of each repetition'"'"'s ratio\n'
	printf 'to its own "none" run (no module loaded), and their range\n'
	printf '%-8s %6s %6s %9s %19s %9s %19s\n' way guard SPD "1 addr" "ratio (range)" "256 addrs" "ratio (range)"
	json+=",\"footprint\":{\"frames\":$F,\"runs\":$FR"
	for way in "${fp_ways[@]}"; do
		read -r o _ _ <<<"$(stats "${fp[one-$way]}" 1)"
		read -r m _ _ <<<"$(stats "${fp[many-$way]}" 1)"
		read -r qo qomin qomax <<<"$(stats "${fp[qone-$way]}" 1)"
		read -r qm qmmin qmmax <<<"$(stats "${fp[qmany-$way]}" 1)"
		printf '%-8s %6s %6s %9s %19s %9s %19s\n' "$way" "${fp[guard-$way]}" "${fp[spd-$way]}" \
			"$(fmt "$o" 3)" "$(fmt "$qo" 3) ($(fmt "$qomin" 2)-$(fmt "$qomax" 2))" \
			"$(fmt "$m" 3)" "$(fmt "$qm" 3) ($(fmt "$qmmin" 2)-$(fmt "$qmmax" 2))"
		json+=",\"$way\":{\"guard\":${fp[guard-$way]},\"policies\":${fp[spd-$way]},\"one_rel\":$o,\"one_ratio\":$qo,\"one_ratio_min\":$qomin,\"one_ratio_max\":$qomax,\"many_rel\":$m,\"many_ratio\":$qm,\"many_ratio_min\":$qmmin,\"many_ratio_max\":$qmmax}"
	done
	json+="}"
fi

json+="}"
echo "BENCH-JSON $json"
