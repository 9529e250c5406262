#!/usr/bin/env bash
# An e2e test on the emulated Cortex-M board: collect a cross build's firmware
# (scripts/cm-firmware.sh) into DIR, then run with-board.sh with the board in
# --emulate mode on it. DIR/hello_world.signed.bin is the board's hello_world,
# signed for the Cortex-M bootloader, for scenarios that download it.
#
#   tests/e2e/emulated.sh CROSS_BUILD_DIR HOST_BUILD_DIR DIR WITH-BOARD-ARGS...
set -euo pipefail
(($# >= 5)) || { echo "usage: $0 CROSS_BUILD_DIR HOST_BUILD_DIR DIR WITH-BOARD-ARGS..." >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cross=$1 host=$2 dir=$3
shift 3
board=$("$here/../../scripts/cm-firmware.sh" "$cross" "$host" "$dir")
cp "$dir/hello_world-$board.signed.bin" "$dir/hello_world.signed.bin"
export DFUKIT_BOARD_EMULATE_DIR=$dir
exec "$here/with-board.sh" "$@"
