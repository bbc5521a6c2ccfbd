#!/bin/bash
# The guest side of `make profile` (scripts/run-profile.sh): where the time of the module's
# bulk work goes, split between xfrm's own per-policy work, the probes' arming, and
# the rest, measured with perf (cpu-clock, call graphs; the host's perf over 9p).
# With PROFILE_T tunnels over genetlink: `ip xfrm policy flush` until the module
# restored them, rmmod, insmod until it adopted them all. Each runs twice: timed
# without perf, then under perf. A share is of the samples under the operation's own
# entry point (the flush and the restore work, delete_module, do_init_module); the
# seconds are that share of the timed run (perf slows TCG down several times).
# Bring-up is not split: a tunnel's policies are made in a kprobe handler, and perf
# does not unwind from there to the syscall.
. "$L2TPI_TOP/scripts/tests/lib.sh"
# shellcheck disable=SC1091
[ -r "$L2TPI_TOP/build/profile.env" ] && . "$L2TPI_TOP/build/profile.env"
T=${PROFILE_T:-20000}
ulimit -n $((3 * T + 64))
load_stock_modules >/dev/null 2>&1
setup_peer
ip route add 10.1.0.0/16 via 10.0.0.2
command -v perf >/dev/null || { echo "no perf on the host (apt-get install linux-perf)"; exit 1; }

PERF_DATA=$(mktemp -d)
# xfrm's own work, by the function that does it (inclusive of what it calls)
XFRM_FUNCS="xfrm_policy_flush xfrm_policy_alloc xfrm_policy_insert xfrm_policy_delete
xfrm_policy_bysel_ctx km_policy_notify"
# the module's probes: armed at insmod and disarmed at rmmod, whatever the tunnels
PROBE_FUNCS="l2tpi_hook_try_arm l2tpi_disarm_locked"

# PHASE WALL_S DATA ROOTS: the shares of xfrm's functions, of the probes and of the
# rest in the samples under the functions ROOTS (the operation timed, not perf, the
# shell or the other CPU's idle loop)
breakdown() {
	perf report -i "$3" --children --sort sym --stdio -g none --percent-limit 0 2>/dev/null |
		awk -v phase="$1" -v wall="$2" -v funcs="$XFRM_FUNCS" -v probes="$PROBE_FUNCS" \
			-v roots="$4" '
		BEGIN { n = split(funcs, f, /[ \n]+/); for (i = 1; i <= n; i++) want[f[i]] = 1
			np = split(probes, p, / /); for (i = 1; i <= np; i++) want[p[i]] = 1
			nr = split(roots, r, / /); for (i = 1; i <= nr; i++) want[r[i]] = 1 }
		/^#/ || NF < 4 { next }
		{ sym = $NF; c = $1; sub(/%/, "", c)
		  if ((sym in want) && !(sym in got)) got[sym] = c }
		END {
			for (i = 1; i <= nr; i++) total += got[r[i]]
			if (!total) { printf "%s: no samples under %s\n", phase, roots; exit 1 }
			printf "%s: %.3f s\n", phase, wall
			for (i = 1; i <= n; i++) {
				s = f[i]; if (!(s in got) || got[s] / total < 0.005) continue
				printf "  %-26s %5.1f%%  %7.3f s\n", s, 100 * got[s] / total, wall * got[s] / total
				xfrm += got[s]
			}
			for (i = 1; i <= np; i++) probe += got[p[i]]
			printf "  %-26s %5.1f%%  %7.3f s\n", "xfrm in all", 100 * xfrm / total, wall * xfrm / total
			printf "  %-26s %5.1f%%  %7.3f s\n", "arming/disarming probes", 100 * probe / total, wall * probe / total
			rest = total - xfrm - probe
			printf "  %-26s %5.1f%%  %7.3f s\n", "the rest", 100 * rest / total, wall * rest / total
		}'
}
now() { echo "$EPOCHREALTIME"; }
since() { bc <<<"$(now) - $1" | sed 's/^\./0./'; }
PERF=(perf record -q -e cpu-clock -F 1000 -a -g -o)

ip addr add 10.0.0.3/24 dev v0
ip addr add 10.0.0.4/24 dev v0
bg_batch 0 "$T" add >"$PERF_DATA/add.batch"
insmod "$L2TPI_KO"
ip -batch "$PERF_DATA/add.batch"
read -r pin pout _ _ <<<"$(spd_counts)"
echo "teardown: $T tunnels, $pin+$pout policies"
[ "$pin" = "$T" ] || { echo "the module attached $pin of $T tunnels"; exit 1; }
# FILE COMMAND...: the command, under perf (into FILE) in the profiled pass
prof() {
	local file=$1
	shift
	if [ "$pass" = perf ]; then "${PERF[@]}" "$file" -- "$@"; else "$@"; fi
}
for pass in time perf; do
	sleep 2
	t0=$(now)
	prof "$PERF_DATA/flush" bash -c "ip xfrm policy flush; '$TESTING_TOOLS/xfrm-spd' -w $pin,$pout >/dev/null"
	flush=$(since "$t0")
	sleep 2
	t0=$(now)
	prof "$PERF_DATA/rmmod" rmmod l2tp_ipsec
	unload=$(since "$t0")
	sleep 2
	t0=$(now)
	prof "$PERF_DATA/adopt" bash -c "insmod '$L2TPI_KO' && '$TESTING_TOOLS/xfrm-spd' -w $pin,$pout >/dev/null"
	adopt=$(since "$t0")
	if [ "$pass" = time ]; then
		wf=$flush wr=$unload wa=$adopt
	fi
done
breakdown "flush until restored, $T tunnels" "$wf" "$PERF_DATA/flush" \
	"xfrm_policy_flush l2tpi_owned_restore_work"
breakdown "rmmod with $T tunnels" "$wr" "$PERF_DATA/rmmod" "__do_sys_delete_module"
breakdown "insmod adopting $T tunnels" "$wa" "$PERF_DATA/adopt" "do_init_module"
rm -rf "$PERF_DATA"
