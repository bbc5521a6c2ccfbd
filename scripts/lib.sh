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

# cached_env DIR: if DIR/kernel.env exists, print it and exit. Otherwise take DIR's build
# lock (waiting for a concurrent builder, whose result is then used) and return.
cached_env() {
	local dir=$1
	if [ ! -f "$dir/kernel.env" ]; then
		mkdir -p "$(dirname "$dir")"
		exec 9>"$dir.lock"
		flock 9
	fi
	if [ -f "$dir/kernel.env" ]; then
		echo "$dir/kernel.env"
		exit 0
	fi
}
