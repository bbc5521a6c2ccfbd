#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run the kernel's ynl CLI (tools/net/ynl/cli.py) once per request, in one Python
process, so a test can make many ynl calls on the debug kernel: there, starting Python
and importing the YNL library costs about 40 s per process, while cli.py's own work
(parsing the spec, the netlink round trip) takes a few seconds.

    ynl-serve.py YNL_DIR REQUEST_FIFO REPLY_FIFO

Each request written to REQUEST_FIFO is one argument per line: an output path, then
cli.py's arguments, then an empty line. cli.py's main() runs with exactly those
arguments, as `cli.py ARGS...` would; its stdout goes to OUTPUT, its stderr to
OUTPUT.err, and its exit status is written to REPLY_FIFO as one line. The request
"quit" ends the server. (The YNL library caches family ids for the life of the
process: a test that reloads the module should not reuse the server across that.)
"""
import contextlib
import sys
import traceback

ynl_dir, req_fifo, rep_fifo = sys.argv[1:4]
sys.path.insert(0, ynl_dir)
import cli  # noqa: E402

while True:
    with open(req_fifo) as f:
        lines = f.read().split('\n')
    if lines[0] == 'quit':
        break
    out = lines[0]
    args = lines[1:lines.index('', 1)] if '' in lines[1:] else lines[1:]
    rc = 0
    with open(out, 'w') as o, open(out + '.err', 'w') as e, \
            contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        sys.argv = [f'{ynl_dir}/cli.py'] + args
        try:
            cli.main()
        except SystemExit as ex:
            rc = ex.code if isinstance(ex.code, int) else (0 if ex.code is None else 1)
        except Exception:  # what an uncaught exception does to cli.py: a traceback, exit 1
            traceback.print_exc()
            rc = 1
    with open(rep_fifo, 'w') as r:
        r.write(f'{rc}\n')
