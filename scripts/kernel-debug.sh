#!/usr/bin/env bash
# Build the debug test kernel (KUnit, KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak) from
# Debian's linux-source-6.12 and write its kernel.env. Cached under $L2TPI_CACHE, keyed by the
# source package version and the hash of scripts/config/debug.config.
# Usage: kernel-debug.sh   (prints the path of kernel.env)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
	die "linux-source-6.12 is not installed (apt-get install linux-source-6.12)"
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.12)
frag=$L2TPI_TOP/scripts/config/debug.config
cfghash=$(sha256sum "$frag" | cut -c1-12)
dir=$L2TPI_CACHE/debug-$srcver-$cfghash
env=$dir/kernel.env

cached_env "$dir"

rm -rf "$dir"
mkdir -p "$dir"
msg "building debug kernel from linux-source-6.12 $srcver (config $cfghash) in $dir"
tar -C "$dir" -xf "$tarball"
src=$(echo "$dir"/linux-source-6.12)
jobs=$(($(nproc) + 1))
(
	cd "$src"
	make -s tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null
	make -s olddefconfig
	# Every option the fragment asks for must be in the final .config, or the kernel
	# silently tests less than we think (e.g. SLUB_TINY turns KASAN off).
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qx "$line" .config || { msg "option not in final .config: $line"; bad=1; }
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" .config || { msg "option still set: $opt"; bad=1; }
			;;
		esac
	done <"$frag"
	[ $bad = 0 ] || die "debug kernel config does not match $frag"
	make -s -j"$jobs" bzImage
	make -s -j"$jobs" modules
	make -s INSTALL_MOD_PATH="$dir/root" modules_install
) >"$dir/build.log" 2>&1 || { tail -n 40 "$dir/build.log" >&2; die "debug kernel build failed (log: $dir/build.log)"; }

krel=$(cat "$src/include/config/kernel.release")
cat >"$env.tmp" <<EOT
KNAME=debug
KREL=$krel
KVERSION='debug $krel (linux-source-6.12 $srcver, config $cfghash)'
KDIR=$src
BZIMAGE=$src/arch/x86/boot/bzImage
MODROOT=$dir/root
DEBUG=1
EOT
mv "$env.tmp" "$env"
echo "$env"
