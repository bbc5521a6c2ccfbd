#!/usr/bin/env bash
# checkpatch --strict over the kernel-side sources (module, KUnit, UAPI header).
# Usage: lint.sh PATH/TO/checkpatch.pl (from Debian's linux-source package tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cp=${1:-}
[ -x "$cp" ] || [ -f "$cp" ] || die "no checkpatch.pl (build the debug kernel: scripts/kernel.sh debug)"
cd "$L2TPI_TOP"
# shellcheck disable=SC2046
out=$(perl "$cp" --strict --no-tree --terse --show-types \
	-f $(find kmod kunit include -name '*.[ch]' | sort)) || rc=$?
echo "$out"
# --strict clean means no CHECK either (checkpatch's exit status ignores those).
if [ "${rc:-0}" != 0 ] || echo "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
	die "checkpatch --strict is not clean"
fi
