# SPDX-License-Identifier: GPL-2.0
#
# make            build the module (against KDIR) and the userspace tools
# make tools-test the host-side unit test of the l2tp-ipsec utility (no kernel needed), and
#                 its and the fuzzer's tables against netlink/l2tp_ipsec.yaml (PyYAML)
# make check      the whole test suite: lint, builds for every supported kernel, QEMU guests
# make demo       boot a guest on the stock Debian kernel and show what the module does
# make fuzz       the genetlink fuzzer at full size on the debug kernel (see scripts/fuzz.sh)
# make stress     the reliability scenarios at full size on the debug kernel, and beside
#                 them the genetlink fuzzer, a million messages per stock kernel
#                 (see scripts/stress.sh)
# make bench      tunnel bring-up with and without the module and with a userspace agent,
#                 side by side in a guest per stock kernel (see scripts/bench.sh)
# make profile    xfrm's share of the module's restore, rmmod and adoption, from perf
#                 in a guest per stock kernel (needs linux-perf; see scripts/profile.sh)
# make install    the module (modules_install + depmod, for KDIR's kernel), the utility,
#                 l2tp-ipsec-dial and the man page (PREFIX, DESTDIR)
# make install-tools   only the userspace part (with DKMS, which builds the module)
# make dkms-install    the source to /usr/src/l2tp_ipsec-VERSION, dkms install, the tools
# make regen      include/uapi/linux/l2tp_ipsec.h and kmod/netlink-gen.[ch] from
#                 netlink/l2tp_ipsec.yaml (scripts/ynl-gen.sh; needs linux-source-6.12)
# make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(CURDIR)
PREFIX ?= /usr/local
DESTDIR ?=
# The kernel release KDIR is for (modules_install's directory, depmod): the module's
# vermagic. (Debian's 6.1 headers say 6.1.N in include/config/kernel.release.)
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC ?= /usr/src/l2tp_ipsec-$(DKMS_VERSION)

CFLAGS_TOOLS ?= -O2 -g
TOOLS_CFLAGS := $(CFLAGS_TOOLS) -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi \
	$(shell pkg-config --cflags libmnl 2>/dev/null)
TOOLS_LIBS := $(shell pkg-config --libs libmnl 2>/dev/null || echo -lmnl)
TOOLS := tools/xfrm-spd tools/udp-probe tools/l2tp-tunnel tools/plain-count \
	tools/l2tp-ipsec tools/test-l2tp-ipsec
TOOLS += tools/modcycle
TOOLS += tools/l2tp-ipsec-fuzz
TOOLS += tools/l2tp-agent
TOOLS += tools/l2tp-stress
TOOLS += tools/l2tp-unpriv

# l2tp-ipsec has a file per concern; its unit test links all of them but main() and
# the socket code (l2tp-ipsec.c, l2tp-ipsec-nl.c).
L2TP_IPSEC_LIB := tools/l2tp-ipsec-args.c tools/l2tp-ipsec-msg.c tools/l2tp-ipsec-print.c \
	tools/l2tp-ipsec-json.c tools/common.c
L2TP_IPSEC_HDRS := tools/l2tp-ipsec.h tools/common.h include/uapi/linux/l2tp_ipsec.h

.PHONY: all module tools tools-test check demo fuzz stress bench profile clean install install-tools dkms-src \
	dkms-install

all: module tools

module:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "No kernel build tree at $(KDIR): apt-get install linux-headers-\$$(uname -r), or make KDIR=/usr/src/linux-headers-VERSION"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools: $(TOOLS)

# xfrm-spd is self-contained; the other tools share tools/common.c.
tools/xfrm-spd: tools/xfrm-spd.c
	$(CC) $(TOOLS_CFLAGS) -o $@ $< $(TOOLS_LIBS)

tools/l2tp-ipsec: tools/l2tp-ipsec.c tools/l2tp-ipsec-nl.c $(L2TP_IPSEC_LIB) $(L2TP_IPSEC_HDRS)
	$(CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^) $(TOOLS_LIBS)

tools/test-l2tp-ipsec: tools/test-l2tp-ipsec.c $(L2TP_IPSEC_LIB) $(L2TP_IPSEC_HDRS)
	$(CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^) $(TOOLS_LIBS)

# The fuzzer builds its requests from the UAPI header: it is a dependency too.
tools/l2tp-ipsec-fuzz: tools/l2tp-ipsec-fuzz.c tools/common.c tools/common.h \
		include/uapi/linux/l2tp_ipsec.h
	$(CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^) $(TOOLS_LIBS)

tools/%: tools/%.c tools/common.c tools/common.h
	$(CC) $(TOOLS_CFLAGS) -o $@ $< tools/common.c $(TOOLS_LIBS)

# TAP on stdout; also runs the binary for its usage errors (nothing is sent).
tools-test: tools/test-l2tp-ipsec tools/l2tp-ipsec
	tools/test-l2tp-ipsec tools/l2tp-ipsec
	python3 tools/test-spec-tables.py

# The generated files of the protocol are committed; this rewrites them from the spec.
.PHONY: regen
regen:
	scripts/ynl-gen.sh

# Not signed here (Debian's kernels would sign with a key only their build had); with
# Secure Boot, sign it with your MOK key, or use DKMS, which does (README).
install: module install-tools
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		KERNELRELEASE=$(KREL) CONFIG_MODULE_SIG_ALL= modules_install
	depmod -b "$(if $(DESTDIR),$(abspath $(DESTDIR)),/)" $(KREL)

install-tools: tools/l2tp-ipsec
	install -D -m 0755 tools/l2tp-ipsec $(DESTDIR)$(PREFIX)/sbin/l2tp-ipsec
	install -D -m 0755 tools/l2tp-ipsec-dial $(DESTDIR)$(PREFIX)/sbin/l2tp-ipsec-dial
	install -D -m 0644 tools/l2tp-ipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/l2tp-ipsec.8

# What DKMS needs of the tree (the module's sources and Kbuild files, dkms.conf).
dkms-src:
	install -d $(DESTDIR)$(DKMS_SRC)
	cp -r Kbuild dkms.conf kmod kunit include $(DESTDIR)$(DKMS_SRC)/
	rm -f $(DESTDIR)$(DKMS_SRC)/kmod/*.o $(DESTDIR)$(DKMS_SRC)/kmod/*.ko \
		$(DESTDIR)$(DKMS_SRC)/kmod/.*.cmd

dkms-install: dkms-src install-tools
	dkms install l2tp_ipsec/$(DKMS_VERSION)

check:
	scripts/check.sh

demo:
	scripts/demo.sh

fuzz:
	scripts/fuzz.sh

stress:
	scripts/stress.sh

bench:
	scripts/bench.sh

profile:
	scripts/profile.sh

clean:
	-[ ! -f "$(KDIR)/Makefile" ] || $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -f $(TOOLS)
	rm -rf build
