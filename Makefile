# SPDX-License-Identifier: GPL-2.0
#
# make            build the module (against KDIR) and the l2tp-ipsec utility
# make tools      only the utility (tools/l2tp-ipsec/) and its unit test
# make tools-test the host-side unit test of the l2tp-ipsec utility (no kernel needed), and
#                 its and the fuzzer's tables against netlink/l2tp_ipsec.yaml (PyYAML)
# make testing    the test programs (testing/tools/), which the guests run; make check
#                 and the targets below build them, make and make install do not
# make check      the whole test suite: lint, builds for every supported kernel, QEMU guests
# make demo       boot a guest on the stock Debian kernel and show what the module does
# make fuzz       the genetlink fuzzer at full size on the debug kernel
#                 (see scripts/run-fuzz.sh)
# make stress     the reliability scenarios at full size on the debug kernel, and beside
#                 them the genetlink fuzzer, a million messages per stock kernel
#                 (see scripts/run-stress.sh)
# make bench      tunnel bring-up with and without the module and with the policies added
#                 from userspace, side by side in a guest per stock kernel
#                 (see scripts/run-bench.sh)
# make profile    xfrm's share of the module's restore, rmmod and adoption, from perf
#                 in a guest per stock kernel (needs linux-perf; see scripts/run-profile.sh)
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
TOOLS_CFLAGS := $(CFLAGS_TOOLS) -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi -Itools \
	$(shell pkg-config --cflags libmnl 2>/dev/null)
TOOLS_LIBS := $(shell pkg-config --libs libmnl 2>/dev/null || echo -lmnl)
LI := tools/l2tp-ipsec
TOOLS := $(LI)/l2tp-ipsec $(LI)/test-l2tp-ipsec
# The test programs; spd-writer is make bench's userspace baseline.
TT := testing/tools
TESTING_TOOLS := $(addprefix $(TT)/,xfrm-spd udp-probe l2tp-tunnel plain-count modcycle \
	l2tp-ipsec-fuzz spd-writer l2tp-stress l2tp-unpriv)

# tools/lib: the helpers every program links (a program takes only the objects it
# uses from the archive).
LIB_SRCS := $(wildcard tools/lib/*.c)
LIB_HDRS := $(wildcard tools/lib/*.h)
LIB := tools/lib/libl2tpi.a

# The product, tools/l2tp-ipsec/: the utility has a file per concern; its unit test links
# all of them but main() and the socket code (l2tp-ipsec.c, l2tp-ipsec-nl.c).
L2TP_IPSEC_LIB := $(LI)/l2tp-ipsec-args.c $(LI)/l2tp-ipsec-msg.c $(LI)/l2tp-ipsec-print.c \
	$(LI)/l2tp-ipsec-json.c
L2TP_IPSEC_HDRS := $(LI)/l2tp-ipsec.h $(LIB_HDRS) include/uapi/linux/l2tp_ipsec.h

.PHONY: all module tools tools-test testing check demo fuzz stress bench profile clean install install-tools dkms-src \
	dkms-install

all: module tools

module:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "No kernel build tree at $(KDIR): apt-get install linux-headers-\$$(uname -r), or make KDIR=/usr/src/linux-headers-VERSION"; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools: $(TOOLS)

tools/lib/%.o: tools/lib/%.c $(LIB_HDRS)
	$(CC) $(TOOLS_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_SRCS:.c=.o)
	rm -f $@
	$(AR) rcs $@ $^

$(LI)/l2tp-ipsec: $(LI)/l2tp-ipsec.c $(LI)/l2tp-ipsec-nl.c $(L2TP_IPSEC_LIB) $(LIB) \
		$(L2TP_IPSEC_HDRS)
	$(CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c %.a,$^) $(TOOLS_LIBS)

$(LI)/test-l2tp-ipsec: $(LI)/test-l2tp-ipsec.c $(L2TP_IPSEC_LIB) $(LIB) $(L2TP_IPSEC_HDRS)
	$(CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c %.a,$^) $(TOOLS_LIBS)

# TAP on stdout; also runs the binary for its usage errors (nothing is sent).
tools-test: $(LI)/test-l2tp-ipsec $(LI)/l2tp-ipsec
	$(LI)/test-l2tp-ipsec $(LI)/l2tp-ipsec
	python3 tools/test-spec-tables.py

# The generated files of the protocol are committed; this rewrites them from the spec.
.PHONY: regen
regen:
	scripts/ynl-gen.sh

testing: $(TESTING_TOOLS)

# They share testing/tools/common.c and tools/lib; they build their requests from the
# UAPI header: it is a dependency too.
$(TT)/%: $(TT)/%.c $(TT)/common.c $(TT)/common.h $(LIB) $(LIB_HDRS) \
		include/uapi/linux/l2tp_ipsec.h
	$(CC) $(TOOLS_CFLAGS) -o $@ $< $(TT)/common.c $(LIB) $(TOOLS_LIBS)

# Not signed here (Debian's kernels would sign with a key only their build had); with
# Secure Boot, sign it with your MOK key, or use DKMS, which does (README).
install: module install-tools
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		KERNELRELEASE=$(KREL) CONFIG_MODULE_SIG_ALL= modules_install
	depmod -b "$(if $(DESTDIR),$(abspath $(DESTDIR)),/)" $(KREL)

install-tools: $(LI)/l2tp-ipsec
	install -D -m 0755 $(LI)/l2tp-ipsec $(DESTDIR)$(PREFIX)/sbin/l2tp-ipsec
	install -D -m 0755 $(LI)/l2tp-ipsec-dial $(DESTDIR)$(PREFIX)/sbin/l2tp-ipsec-dial
	install -D -m 0644 $(LI)/l2tp-ipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/l2tp-ipsec.8

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
	scripts/run-demo.sh

fuzz:
	scripts/run-fuzz.sh

stress:
	scripts/run-stress.sh

bench:
	scripts/run-bench.sh

profile:
	scripts/run-profile.sh

clean:
	-[ ! -f "$(KDIR)/Makefile" ] || $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -f $(TOOLS) $(TESTING_TOOLS) $(LIB) $(LIB_SRCS:.c=.o)
	rm -rf build
