# SPDX-License-Identifier: GPL-2.0
#
# make            build the module (against KDIR) and the userspace tools
# make tools-test the host-side unit test of the l2tp-ipsec utility (no kernel needed)
# make check      the whole test suite: lint, builds for every supported kernel, QEMU guests
# make demo       boot a guest on the stock Debian kernel and show what the module does
# make fuzz       the genetlink fuzzer at full size on the debug kernel (see scripts/fuzz.sh)
# make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(CURDIR)

CFLAGS_TOOLS ?= -O2 -g
TOOLS_CFLAGS := $(CFLAGS_TOOLS) -Wall -Wextra -Werror -std=gnu11 -Iinclude/uapi \
	$(shell pkg-config --cflags libmnl 2>/dev/null)
TOOLS_LIBS := $(shell pkg-config --libs libmnl 2>/dev/null || echo -lmnl)
TOOLS := tools/xfrm-spd tools/udp-probe tools/l2tp-tunnel tools/plain-count \
	tools/l2tp-ipsec tools/test-l2tp-ipsec
TOOLS += tools/modcycle
TOOLS += tools/l2tp-ipsec-fuzz

# l2tp-ipsec has a file per concern; its unit test links all of them but main() and
# the socket code (l2tp-ipsec.c, l2tp-ipsec-nl.c).
L2TP_IPSEC_LIB := tools/l2tp-ipsec-args.c tools/l2tp-ipsec-msg.c tools/l2tp-ipsec-print.c \
	tools/l2tp-ipsec-json.c tools/common.c
L2TP_IPSEC_HDRS := tools/l2tp-ipsec.h tools/common.h include/uapi/linux/l2tp_ipsec.h

.PHONY: all module tools tools-test check demo fuzz clean

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

check:
	scripts/check.sh

demo:
	scripts/demo.sh

fuzz:
	scripts/fuzz.sh

clean:
	-[ ! -f "$(KDIR)/Makefile" ] || $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -f $(TOOLS)
	rm -rf build
