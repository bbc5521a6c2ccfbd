#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mark the targets of make bench met or missed, from one guest's JSON
(build/bench-KERNEL.json). Parts the run did not measure are left out.

Usage: bench-targets.py build/bench-KERNEL.json
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        d = json.load(f)
    rows = []

    def mark(what, ok, shown):
        rows.append(f"  {'met   ' if ok else 'MISSED'}  {what}: {shown}")

    for b in d.get("bringup", []):
        if b["way"] != "module":
            continue
        limit = 1.5 if "1 peer" in b["path"] else 1.10
        mark(f"bring-up ratio, {b['path']} (<= {limit:.2f})",
             b["create_ratio"] <= limit, f"{b['create_ratio']:.3f}")
    pw = d.get("plaintext_window", {}).get("module")
    if pw is not None:
        runs = [r for r in pw if r is not None]
        mark("plaintext window, frames per run (0)", bool(runs) and max(runs) == 0,
             " ".join(str(r) for r in pw))
    mem = d.get("memory")
    if mem:
        mark("memory per tunnel beyond its two policies (<= 1024 bytes)",
             mem["beyond_two_policies_b"] <= 1024, f"{mem['beyond_two_policies_b']:.0f} bytes")
    for t in d.get("teardown", []):
        if t["tunnels"] != 65535:
            continue
        mark("rmmod with 65,535 tunnels (< 1 s)", t["rmmod_s"] < 1,
             f"{t['rmmod_s']:.3f} s")
        mark("insmod adopting 65,535 tunnels (< 2 s)",
             t["insmod_adopt_s"] < 2, f"{t['insmod_adopt_s']:.3f} s")
        if t.get("flush_restore_s") is not None:
            mark("flush to restored at 65,535 (< 1 s)",
                 t["flush_restore_s"] < 1, f"{t['flush_restore_s']:.3f} s")
    fp = d.get("footprint", {}).get("loaded")
    if fp:
        for key, what in (("one_ratio", "1 address"), ("many_ratio", "256 addresses")):
            spread = ""
            if fp.get(f"{key}_min") is not None:
                spread = f" ({fp[key + '_min']:.2f}-{fp[key + '_max']:.2f})"
            mark(f"footprint, loaded without a tunnel, {what} (>= 0.99)",
                 fp[key] >= 0.99, f"{fp[key]:.3f}{spread}")
    if rows:
        print(f"targets ({d['kernel']}):")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
