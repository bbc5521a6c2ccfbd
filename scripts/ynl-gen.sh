#!/usr/bin/env bash
# netlink/l2tp_ipsec.yaml is the one description of the l2tp_ipsec family. The kernel's
# ynl-gen-c.py (linux-source-6.12, scripts/ynl.sh) validates it against the
# genetlink-legacy schema and generates from it the UAPI header
# include/uapi/linux/l2tp_ipsec.h (--mode uapi: names, constants and enums, with the
# enums' documentation; the rest of the documentation is in the spec's doc: fields) and
# the module's attribute policies and op table, kmod/netlink-gen.[ch] (--mode kernel).
# None of the three is edited by hand.
# Usage: ynl-gen.sh          regenerate the three files (make regen)
#        ynl-gen.sh --check  fail if a committed file differs from what the spec generates
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=0
[ "${1:-}" = --check ] && check=1
ynl=$("$L2TPI_TOP/scripts/ynl.sh")
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ynl-gen-c.py finds the schema next to the spec's directory and names the spec by
# its path below the directory that holds MAINTAINERS: mimic that layout.
mkdir -p "$tmp/tree/netlink" "$tmp/out"
cp "$ynl/Documentation/netlink/genetlink-legacy.yaml" "$tmp/tree/"
: >"$tmp/tree/MAINTAINERS"
cp "$L2TPI_TOP/netlink/l2tp_ipsec.yaml" "$tmp/tree/netlink/"
gen() {
	"$py" "$ynl/tools/net/ynl/ynl-gen-c.py" --spec "$tmp/tree/netlink/l2tp_ipsec.yaml" "$@"
}
gen --mode kernel --header -o "$tmp/out/netlink-gen.h"
gen --mode kernel --source -o "$tmp/out/netlink-gen.c"
gen --mode uapi --header -o "$tmp/out/l2tp_ipsec.h"

# Each generated file and where it is committed.
files=(
	"netlink-gen.h:kmod/netlink-gen.h"
	"netlink-gen.c:kmod/netlink-gen.c"
	"l2tp_ipsec.h:include/uapi/linux/l2tp_ipsec.h"
)

if [ $check = 0 ]; then
	for f in "${files[@]}"; do
		cp "$tmp/out/${f%%:*}" "$L2TPI_TOP/${f#*:}"
	done
	msg "regenerated kmod/netlink-gen.c, kmod/netlink-gen.h and include/uapi/linux/l2tp_ipsec.h"
	exit 0
fi

fail=0
for f in "${files[@]}"; do
	if ! diff -u "$L2TPI_TOP/${f#*:}" "$tmp/out/${f%%:*}"; then
		msg "${f#*:} differs from what netlink/l2tp_ipsec.yaml generates (run make regen)"
		fail=1
	fi
done
[ $fail = 0 ] && msg "kmod/netlink-gen.[ch] and include/uapi/linux/l2tp_ipsec.h match netlink/l2tp_ipsec.yaml"
exit $fail
