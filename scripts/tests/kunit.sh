#!/bin/bash
# KUnit (debug kernel only): load l2tp_ipsec, then l2tp_ipsec_test, whose suites run at
# load time against the real xfrm code. Each KUnit case becomes one TAP line here; the
# KTAP on the console is also parsed on the host by the kernel's kunit.py.
. "$(dirname "$0")/lib.sh"

load_stock_modules
before=$(spd)
check "insmod l2tp_ipsec" run insmod "$L2TPI_KO"
# KUnit prints its KTAP at KERN_INFO: let it reach the console, for kunit.py on the host.
echo 7 >/proc/sys/kernel/printk
check "insmod l2tp_ipsec_test (runs the suites)" run insmod "$L2TPI_KUNIT_KO"
echo 5 >/proc/sys/kernel/printk
suites=0
for d in /sys/kernel/debug/kunit/l2tp_ipsec_*; do
	[ -f "$d/results" ] || continue
	suites=$((suites + 1))
	suite=${d##*/}
	sed 's/^/# /' "$d/results"
	# (from a file: bash reads a pipe byte by byte, one slow syscall each on this kernel)
	grep -E '^    (not )?ok [0-9]+ ' "$d/results" | sed 's/^    //' >"$TMPDIR/$suite.cases"
	while read -r st rest; do
		case "$st $rest" in
		"ok "*) ok "kunit $suite: ${rest#* }" ;;
		"not ok "*) rest=${rest#ok }; not_ok "kunit $suite: ${rest#* }" ;;
		esac
	done <"$TMPDIR/$suite.cases"
	check "kunit suite $suite passed" grep -qE "^ok [0-9]+ $suite\$" "$d/results"
done
check_eq "nine suites ran" 9 "$suites"
check "rmmod l2tp_ipsec_test" run rmmod l2tp_ipsec_test
check "rmmod l2tp_ipsec" run rmmod l2tp_ipsec
check_eq "SPD back to its state before the tests" "$before" "$(spd)"
tap_done
