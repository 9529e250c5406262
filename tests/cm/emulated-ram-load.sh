#!/usr/bin/env bash
# The Cortex-M bootloader built with -DDFUKIT_BOOT_MODE=ram-load, run on the
# emulated board (QEMU mps2-an386 / mps2-an505) with its flash in a file.
# hello_world is linked to run from SRAM (hello_world-ram-BOARD: its code 64
# KiB + 0x200 into the RAM) and signed --load-addr for that address:
#   1. v1.0.0 in slot 0 alone: copied to RAM, validated there, and run there
#      ("Image 0 RAM loading to 0x... is succeeded.", the chainload address is
#      the load address);
#   2. v1.2.3 in slot 1: the newer one is loaded from the secondary slot;
#   3. in slot 1, v2.0.0 signed without --load-addr, then one whose load
#      address is the bootloader's own RAM, then a tampered one: each removed
#      from flash as MCUboot does, and slot 0's image runs.
#
#   tests/cm/emulated-ram-load.sh CROSS_BUILD_DIR HOST_BUILD_DIR
#   tests/cm/emulated-ram-load.sh --from CROSS_BUILD_DIR HOST_BUILD_DIR
# --from: CROSS_BUILD_DIR is a build of another strategy; configure
# CROSS_BUILD_DIR-ram-load like it (preset, build type, crypto, signatures,
# target prefix: the target crypto is not built again) and build there first.
set -euo pipefail
from=0
if [ "${1:-}" = --from ]; then from=1; shift; fi
(($# == 2)) || { echo "usage: $0 [--from] CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
name=emulated-ram-load
. "$here/lib-emu.sh"
if ((from)); then
	emu_mode_build "$cross" ram-load bootloader-mps2-BOARD hello_world-ram-BOARD
fi
emu_board "$cross"
b=$board
cmake --build "$cross" -j2 --target "bootloader-mps2-$b" "hello_world-ram-$b" >/dev/null
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm-ram-load.XXXXXX")
trap 'rm -rf "$work"' EXIT

grep -q '^DFUKIT_BOOT_MODE:STRING=ram-load$' "$cross/CMakeCache.txt" ||
	{ echo "emulated-ram-load: $cross is not a -DDFUKIT_BOOT_MODE=ram-load build" >&2; exit 2; }
exec_ram=$(printf '0x%x' $((ram + 0x10000)))
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$b.bin"
hello="$cross/apps/hello-world-cm/hello_world-ram-$b.bin"
read -r _ trusted < <("$root/scripts/cm-signing-key.sh" "$cross")
sign() { # OUT VERSION [EXTRA...]
	local out=$1 version=$2
	shift 2
	"$signer" sign --key "$trusted" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$hello" "$out" >/dev/null
}
# a boot ends on hello_world's line or on the bootloader giving up
emu_stop='(Hello World!|Unable to find bootable image)[^\n]*\n'
compose() { # FLASH SLOT0 [SLOT1]
	local args=("$1" "$flash_size" "$boot_bin" 0 "$2" "$slot0")
	[ -z "${3:-}" ] || args+=("$3" "$slot1")
	"$root/scripts/compose-flash.py" "${args[@]}"
}

sign "$work/v1.0.0.bin" 1.0.0 --load-addr "$exec_ram"
sign "$work/v1.2.3.bin" 1.2.3 --load-addr "$exec_ram"
sign "$work/noload.bin" 2.0.0
sign "$work/lowram.bin" 2.0.0 --load-addr "$ram"
sign "$work/tampered.bin" 2.0.0 --load-addr "$exec_ram"
# one byte of the body (behind the 0x200-byte header) flipped: the hash fails
python3 - "$work/tampered.bin" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0x300] ^= 0x01
open(p, "wb").write(b)
PY

echo "== $b on $machine, ram-load: slot 0's image copied to $exec_ram and run there"
compose "$work/flash" "$work/v1.0.0.bin"
boot_expecting 0 "slot 0 from RAM" "$work/flash" "$work/a.log" &&
	expect "$work/a.log" "slot 0 from RAM" "Starting bootloader" "Primary   slot: version=1.0.0\+0" \
		"Image 0 secondary slot: image not found" "Image 0 RAM loading to $exec_ram is succeeded." \
		"Image 0 loaded from the primary slot" "Bootloader chainload address offset: $exec_ram" \
		"Image version: v1.0.0" "Jumping to the first image slot" "Booting dfukit hello_world" \
		"Hello World!"
echo "== $b: the newer image in slot 1 is loaded"
compose "$work/flash" "$work/v1.0.0.bin" "$work/v1.2.3.bin"
boot_expecting 0 "slot 1 from RAM" "$work/flash" "$work/b.log" &&
	expect "$work/b.log" "slot 1 from RAM" "Secondary slot: version=1.2.3\+0" \
		"Image 0 RAM loading to $exec_ram is succeeded." "Image 0 loaded from the secondary slot" \
		"Image version: v1.2.3" "Hello World!"
boot_expecting 0 "slot 1 again (no revert)" "$work/flash" "$work/b2.log" &&
	expect "$work/b2.log" "slot 1 again (no revert)" "Image 0 loaded from the secondary slot" \
		"Hello World!"
echo "== $b: refused images in slot 1 are removed, slot 0 runs"
compose "$work/flash" "$work/v1.0.0.bin" "$work/noload.bin"
boot_expecting 0 "no --load-addr" "$work/flash" "$work/c.log" &&
	expect "$work/c.log" "no --load-addr" "Secondary slot: version=2.0.0\+0" \
		"Removing image 0 slot 1 from flash" "Image 0 loaded from the primary slot" "Hello World!"
boot_expecting 0 "and gone" "$work/flash" "$work/c2.log" &&
	expect "$work/c2.log" "and gone" "Image 0 secondary slot: image not found" \
		"Image 0 loaded from the primary slot" "Hello World!"
compose "$work/flash" "$work/v1.0.0.bin" "$work/lowram.bin"
boot_expecting 0 "load address in the bootloader's RAM" "$work/flash" "$work/d.log" &&
	expect "$work/d.log" "load address in the bootloader's RAM" \
		"Image 0 RAM load address $ram is invalid." "Removing image 0 slot 1 from flash" \
		"Image 0 loaded from the primary slot" "Hello World!"
compose "$work/flash" "$work/v1.0.0.bin" "$work/tampered.bin"
boot_expecting 0 "tampered" "$work/flash" "$work/e.log" &&
	expect "$work/e.log" "tampered" "Image 0 RAM loading to $exec_ram is succeeded." \
		"Image in the secondary slot is not valid!" "Removing image 0 from SRAM at address $exec_ram" \
		"Image 0 RAM loading to $exec_ram is succeeded." "Image 0 loaded from the primary slot" \
		"Image version: v1.0.0" "Hello World!"
summary "$b"
