#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Listen to a generic netlink family's multicast group with the kernel's YNL library
(the one behind tools/net/ynl/cli.py), driven by nothing but the family's YAML spec.

    ynl-listen.py YNL_DIR SPEC GROUP READY STOP

Subscribes to GROUP, creates the file READY, waits until the file STOP exists, then
prints every notification received, as cli.py --subscribe --output-json does. (cli.py
itself can only listen for a fixed --sleep, too short or too long under emulation.)
"""
import json
import os
import sys
import time

ynl_dir, spec, group, ready, stop = sys.argv[1:6]
sys.path.insert(0, ynl_dir)
from cli import YnlEncoder  # noqa: E402
from lib import YnlFamily  # noqa: E402

ynl = YnlFamily(spec, '')
ynl.ntf_subscribe(group)
open(ready, 'w').close()
deadline = time.monotonic() + 1800
while not os.path.exists(stop) and time.monotonic() < deadline:
    time.sleep(0.2)
    ynl.check_ntf()
ynl.check_ntf()
print(json.dumps(ynl.async_msg_queue, cls=YnlEncoder))
