#!/usr/bin/env bash
# The kernel's YNL tools (tools/net/ynl: ynl-gen-c.py, cli.py) and netlink spec schemas,
# from Debian's linux-source-6.12, extracted once under $L2TPI_CACHE (keyed by the
# package version). Prints the directory that holds tools/ and Documentation/.
# Usage: ynl.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
	die "linux-source-6.12 is not installed (apt-get install linux-source-6.12)"
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.12)
dir=$L2TPI_CACHE/ynl-$srcver
if [ ! -f "$dir/.done" ]; then
	mkdir -p "$L2TPI_CACHE"
	exec 9>"$dir.lock"
	flock 9
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" \
			linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink
		touch "$dir/.done"
	fi
fi
echo "$dir"
