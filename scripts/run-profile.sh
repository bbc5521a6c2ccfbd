#!/usr/bin/env bash
# make profile: scripts/guest/profile-guest.sh in a guest per kernel (L2TPI_PROFILE_KERNELS,
# default "6.12 6.1"): the share of xfrm's own per-policy work in the module's
# restore, rmmod and adoption, from perf. Needs perf on the host (linux-perf); the
# guest runs it over 9p. L2TPI_PROFILE_T (tunnels, default 20000) sets the size.
# Kernel audit off, as make bench runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$L2TPI_TOP"
command -v perf >/dev/null || die "make profile needs perf on the host: apt-get install linux-perf"
make -s tools testing
export L2TPI_MEM=${L2TPI_MEM:-4096}
export L2TPI_CMDLINE="audit=0${L2TPI_CMDLINE:+ $L2TPI_CMDLINE}"
mkdir -p build
# The guest reads its sizes from the tree it sees (the host's, over 9p).
printf 'PROFILE_T=%d\n' "${L2TPI_PROFILE_T:-20000}" >build/profile.env
rc=0
for k in ${L2TPI_PROFILE_KERNELS:-6.12 6.1}; do
	scripts/build.sh "$k" >/dev/null
	out=build/profile-$k
	if scripts/vm.sh -t 3600 -o "$out" "$k" scripts/guest/profile-guest.sh >"$out.log" 2>"$out.err"; then
		cat "$out.log"
	else
		cat "$out.log" "$out.err" >&2
		msg "$k: the profile failed"
		rc=1
	fi
done
exit $rc
