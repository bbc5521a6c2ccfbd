#!/usr/bin/env bash
# kmod/netlink-gen.[ch] are generated from netlink/l2tp_ipsec.yaml by the kernel's
# ynl-gen-c.py (linux-source-6.12), which also validates the spec against the
# genetlink-legacy schema. include/uapi/linux/l2tp_ipsec.h is written by hand (it
# documents the family), but its enums must be the ones the spec generates.
# Usage: ynl-gen.sh          regenerate kmod/netlink-gen.[ch]
#        ynl-gen.sh --check  fail if the committed files or the UAPI enums drifted
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
gen --mode uapi --header -o "$tmp/out/uapi.h"

if [ $check = 0 ]; then
	cp "$tmp/out/netlink-gen.h" "$tmp/out/netlink-gen.c" "$L2TPI_TOP/kmod/"
	msg "regenerated kmod/netlink-gen.c and kmod/netlink-gen.h"
	exit 0
fi

fail=0
for f in netlink-gen.h netlink-gen.c; do
	if ! diff -u "$L2TPI_TOP/kmod/$f" "$tmp/out/$f"; then
		msg "kmod/$f differs from what netlink/l2tp_ipsec.yaml generates (run make regen)"
		fail=1
	fi
done
# Every enumerator and define of the generated UAPI header, with its value, must be
# in ours: a program compiled once against each header prints them all.
names=$(sed -n 's/^[[:space:]]*\(L2TP_IPSEC_[A-Z0-9_]*\)\( = [0-9]*\)\{0,1\},$/\1/p; s/^#define \(L2TP_IPSEC_[A-Z0-9_]*\)[[:space:]].*/\1/p' \
	"$tmp/out/uapi.h" | grep -v '^_')
[ -n "$names" ] || die "no enumerators found in the generated UAPI header"
{
	echo '#include <stdio.h>'
	echo '#include HDR'
	echo 'int main(void) {'
	for n in $names; do
		case $n in
		L2TP_IPSEC_GENL_NAME | L2TP_IPSEC_MCGRP_*) echo "printf(\"%s %s\\n\", \"$n\", $n);" ;;
		*) echo "printf(\"%s %ld\\n\", \"$n\", (long)$n);" ;;
		esac
	done
	echo 'return 0; }'
} >"$tmp/enums.c"
gcc -o "$tmp/gen" -DHDR="\"$tmp/out/uapi.h\"" "$tmp/enums.c"
if ! gcc -o "$tmp/ours" -DHDR="\"$L2TPI_TOP/include/uapi/linux/l2tp_ipsec.h\"" "$tmp/enums.c" 2>"$tmp/cc.err"; then
	cat "$tmp/cc.err" >&2
	msg "include/uapi/linux/l2tp_ipsec.h lacks names the spec defines"
	fail=1
elif ! diff -u <("$tmp/gen") <("$tmp/ours"); then
	msg "include/uapi/linux/l2tp_ipsec.h has values that differ from the spec"
	fail=1
fi
[ $fail = 0 ] && msg "kmod/netlink-gen.[ch] and the UAPI header match netlink/l2tp_ipsec.yaml ($(echo "$names" | wc -w) names)"
exit $fail
