#!/usr/bin/env bash
# Install the Debian packages listed in scripts/packages.txt that are missing
# (needs root; runs apt-get update first). Used by .ci/run and make demo.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t pkgs < <(grep -v -e '^#' -e '^$' "$L2TPI_TOP/scripts/packages.txt")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
[ "$(id -u)" = 0 ] || die "missing packages (install them as root): ${missing[*]}"
msg "installing: ${missing[*]}"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
