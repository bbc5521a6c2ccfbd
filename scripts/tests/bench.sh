#!/bin/bash
# make bench's smoke run (stock kernels): 100 tunnels, one repetition, every part
# (bring-up, plaintext window, SPD scaling, memory, teardown, footprint), so the benchmark
# never rots. Its figures are printed, not judged (the ratios are make bench's), so it
# does not wait for an idle guest before each timed run; what is checked is that every
# way produced them and that no frame of a new tunnel left in plaintext with the module.
. "$(dirname "$0")/lib.sh"
if [ "${DEBUG:-0}" = 1 ]; then
	echo "1..0 # SKIP the benchmark runs on the stock kernels"
	exit 0
fi
out=$(BENCH_IDLE_WAIT=0 BENCH_N=100 BENCH_R=1 BENCH_SCALE="1 100" BENCH_TEARDOWN=100 BENCH_MEM_N=300 \
	BENCH_FRAMES=2000 bash "$L2TPI_TOP/scripts/guest/bench-guest.sh" 2>&1)
rc=$?
printf '#   %s\n' "${out//$'\n'/$'\n'#   }" | grep -v '^#   ready$'
check_eq "the benchmark ran to the end" 0 "$rc"
json=$(sed -n 's/^BENCH-JSON //p' <<<"$out")
check "it wrote its figures as JSON" python3 -c 'import json, sys; json.loads(sys.argv[1])' "$json"
for path in PPPoL2TP "PPPoL2TP, 1 peer" genetlink "genetlink, 1 peer"; do
	for way in floor module agent; do
		check "$path, $way: create and delete timed" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
r = [b for b in d["bringup"] if b["path"] == sys.argv[2] and b["way"] == sys.argv[3]]
sys.exit(not (len(r) == 1 and r[0]["create_s"] > 0 and r[0]["delete_s"] > 0))' "$json" "$path" "$way"
	done
done
check_eq "plaintext window with the module: 0 frames of 100 new tunnels sending at once" \
	"[0]" "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["plaintext_window"]["module"])' "$json" 2>&1)"
check "without it the capture sees them in plaintext" python3 -c '
import json, sys
sys.exit(not json.loads(sys.argv[1])["plaintext_window"]["floor"][0] > 0)' "$json"
jq_check() { # DESCRIPTION PYTHON-EXPRESSION-ON-d
	check "$1" python3 -c "import json, sys; d = json.loads(sys.argv[1]); sys.exit(not ($2))" "$json"
}
jq_check "memory: 300 tunnels with the module cost more than without" \
	'd["memory"]["module_b"] > d["memory"]["floor_b"]'
jq_check "memory: the module's entries are counted in its own slab cache" \
	'0 < d["memory"]["module_entry_b"] <= 1024'
jq_check "SPD scaling: send rates (ESP through the tunnel, plain, the control) with 1 and 100 attached tunnels" \
	'[r["tunnels"] for r in d["spd_scaling"]] == [1, 100] and all(r["tunnel_pps"] > 0 and r["plain_pps"] > 0 and r["control_pps"] > 0 for r in d["spd_scaling"])'
jq_check "SPD scaling: the ratios are to the first point, normalised by the control" \
	'd["spd_scaling"][0]["tunnel_ratio"] == 1 and d["spd_scaling"][0]["plain_ratio"] == 1 and all(r["tunnel_ratio"] > 0 for r in d["spd_scaling"])'
jq_check "teardown: a flush of 100 tunnels' policies was restored and timed" \
	'd["teardown"][0]["tunnels"] == 100 and d["teardown"][0]["flush_restore_s"] > 0'
jq_check "teardown: rmmod left no policy behind (SPD and sockets), timed; insmod adopted them again" \
	'd["teardown"][0]["left_after_rmmod"] == 0 and d["teardown"][0]["rmmod_s"] > 0 and d["teardown"][0]["insmod_adopt_s"] > 0'
jq_check "footprint: a fresh namespace, the module loaded, has no guard and no policy of ours" \
	'd["footprint"]["loaded"]["guard"] is False and d["footprint"]["loaded"]["policies"] == 0'
jq_check "footprint: with a tunnel there, the guard and its policies" \
	'd["footprint"]["used"]["guard"] is True and d["footprint"]["used"]["policies"] >= 2'
jq_check "footprint: send rates timed, ratios to no module at all" \
	'all(d["footprint"][w][k] > 0 for w in ("none", "loaded", "used") for k in ("one_ratio", "many_ratio"))'
tap_done
