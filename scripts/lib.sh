# shellcheck shell=bash
# Common helpers for the l2tp_ipsec build/VM harness. Source, do not run.

L2TPI_CACHE=${L2TPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/l2tp-ipsec}
L2TPI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Newest candidate version of a Debian package, or nothing.
pkg_version() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

# Download the .debs named in "$@" into $1 and extract each into $2.
fetch_debs() {
	local dl=$1 root=$2 p
	shift 2
	mkdir -p "$dl" "$root"
	for p in "$@"; do
		(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$p" >/dev/null) ||
			die "apt-get download $p failed (run apt-get update?)"
	done
	for p in "$dl"/*.deb; do
		dpkg-deb -x "$p" "$root"
	done
}
