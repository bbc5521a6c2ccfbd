#!/usr/bin/env bash
# Resolve (fetch or build, cached) one of the supported test kernels and print the path
# of its kernel.env.   Usage: kernel.sh 6.1|6.12|debug
set -euo pipefail
here=$(dirname "$0")
case ${1:-} in
6.1 | 6.12) exec "$here/kernel-stock.sh" "$1" ;;
debug) exec "$here/kernel-debug.sh" ;;
*) echo "usage: kernel.sh 6.1|6.12|debug" >&2; exit 2 ;;
esac
