#!/usr/bin/env bash
# checkpatch --strict over the kernel-side sources (module, KUnit, UAPI header).
# Usage: lint.sh PATH/TO/checkpatch.pl (from Debian's linux-source package tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cp=${1:-}
[ -x "$cp" ] || [ -f "$cp" ] || die "no checkpatch.pl (build the debug kernel: scripts/kernel.sh debug)"
cd "$L2TPI_TOP"
cpl() { perl "$cp" --strict --no-tree --terse --show-types "$@"; }
uapi=include/uapi/linux/l2tp_ipsec.h
# shellcheck disable=SC2046
out=$(cpl -f $(find kmod kunit include -name '*.[ch]' ! -path "$uapi" | sort)) || rc=$?
# The UAPI header is ynl-gen-c's output (scripts/ynl-gen.sh), which puts the #define of
# each attribute set's MAX (max-by-define) right after the enum: no blank line.
out+=$'\n'$(cpl --ignore LINE_SPACING -f "$uapi") || rc=$?
echo "$out"
# --strict clean means no CHECK either (checkpatch's exit status ignores those).
if [ "${rc:-0}" != 0 ] || echo "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
	die "checkpatch --strict is not clean"
fi
