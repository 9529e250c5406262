#!/usr/bin/env bash
# A second, small Cortex-M build for the emulated board in another upgrade
# strategy (-DDFUKIT_BOOT_MODE=MODE): only the bootloader, the DFU sample and
# hello_world of the board, configured like CROSS_BUILD_DIR (its preset,
# build type, crypto, signatures and target prefix, so the target mbedTLS and
# BearSSL are not built again). CI's cross builds are swap-using-move; this is
# how the e2e.cm tests of the other strategies get their firmware.
# Incremental: a second run only rebuilds what changed.
#
#   tests/e2e/cm-mode-build.sh CROSS_BUILD_DIR MODE OUT_DIR [CMAKE_OPTION...]
# (e.g. -DDFUKIT_DOWNGRADE_PREVENTION=ON with MODE overwrite-only)
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 CROSS_BUILD_DIR MODE OUT_DIR [CMAKE_OPTION...]" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=$1/CMakeCache.txt mode=$2 out=$3
shift 3
[ -f "$cache" ] || { echo "cm-mode-build: $1 is no CMake build" >&2; exit 1; }
get() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
toolchain=$(get CMAKE_TOOLCHAIN_FILE)
preset=$(basename "$toolchain" .cmake)
case $preset in
cortex-m4f) board=reel_board ;;
cortex-m33) board=nucleo_u575zi_q ;;
*) echo "cm-mode-build: $1 is no cortex-m4f/cortex-m33 build ($toolchain)" >&2; exit 1 ;;
esac
cd "$root"
cmake --preset "$preset" -B "$out" -DDFUKIT_BOOT_MODE="$mode" \
	-DDFUKIT_TARGET_PREFIX="$(get DFUKIT_TARGET_PREFIX)" -DDFUKIT_CRYPTO="$(get DFUKIT_CRYPTO)" \
	-DDFUKIT_SIGNATURES="$(get DFUKIT_SIGNATURES)" -DCMAKE_BUILD_TYPE="$(get CMAKE_BUILD_TYPE)" "$@" >/dev/null
cmake --build "$out" -j"${DFUKIT_CM_MODE_JOBS:-2}" --target "bootloader-mps2-$board" \
	"dfu-sample-$board" "hello_world-$board" >/dev/null
