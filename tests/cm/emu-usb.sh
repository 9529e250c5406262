#!/usr/bin/env bash
# dfukit-emu on one emulated board, end to end (test_emu_usb.c): the
# Cortex-M DFU sample in slot 0, the bootloader programmed by dfukit-emu,
# USB over the USB/IP hand-off, the board's reset by SIGKILL.
#
#   tests/cm/emu-usb.sh CROSS_BUILD_DIR HOST_BUILD_DIR
# (the cortex-m4f or cortex-m33 build; the host build with bin/dfukit-emu,
# bin/dfukit-image and tests/cm/test_emu_usb).
set -euo pipefail
(($# == 2)) || { echo "usage: $0 CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
host=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-emu-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
for f in "$host/bin/dfukit-emu" "$host/tests/cm/test_emu_usb"; do
	[ -x "$f" ] || { echo "emu-usb: missing $f (cmake --build $2)" >&2; exit 1; }
done
board=$("$root/scripts/cm-firmware.sh" "$1" "$host" "$work/firmware")
echo "== dfukit-emu: $board, USB over USB/IP"
"$host/tests/cm/test_emu_usb" "$host/bin/dfukit-emu" "$work/firmware" "$board" "$work"
