#!/usr/bin/env bash
# The Cortex-M bootloader built with -DDFUKIT_BOOT_MODE=direct-xip, run on the
# emulated board (QEMU mps2-an386 / mps2-an505) with its flash in a file:
#   1. hello_world v0.0.0 linked and signed (-F) for slot 0, confirmed, and
#      v1.2.3 linked and signed for slot 1 as a test image: the bootloader
#      jumps into slot 1 ("Image 0 loaded from the secondary slot");
#   2. the next boot erases the unconfirmed slot-1 image and jumps into slot 0;
#   3. the slot-0 build of v1.2.3 (signed -F slot 0) put into slot 1 is
#      skipped ("has been built for offset"), slot 0 runs.
#
#   tests/cm/emulated-xip.sh CROSS_BUILD_DIR HOST_BUILD_DIR
#   tests/cm/emulated-xip.sh --from CROSS_BUILD_DIR HOST_BUILD_DIR
# --from: CROSS_BUILD_DIR is a build of another strategy (CI's are
# swap-using-move); configure CROSS_BUILD_DIR-direct-xip like it (preset,
# build type, crypto, signatures, target prefix: the target crypto is not
# built again) and build the bootloader and both hello_worlds there first.
set -euo pipefail
from=0
if [ "${1:-}" = --from ]; then from=1; shift; fi
(($# == 2)) || { echo "usage: $0 [--from] CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
name=emulated-xip
. "$here/lib-emu.sh"
if ((from)); then
	emu_mode_build "$cross" direct-xip bootloader-mps2-BOARD hello_world-BOARD \
		hello_world-slot1-BOARD
fi
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm-xip.XXXXXX")
trap 'rm -rf "$work"' EXIT

grep -q '^DFUKIT_BOOT_MODE:STRING=direct-xip$' "$cross/CMakeCache.txt" ||
	{ echo "emulated-xip: $cross is not a -DDFUKIT_BOOT_MODE=direct-xip build" >&2; exit 2; }
emu_board "$cross"
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
hello0="$cross/apps/hello-world-cm/hello_world-$board.bin"
hello1="$cross/apps/hello-world-cm/hello_world-slot1-$board.bin"
read -r _ trusted < <("$root/scripts/cm-signing-key.sh" "$cross")

sign() { # IN OUT VERSION ADDR [EXTRA...]
	local in=$1 out=$2 version=$3 addr=$4
	shift 4
	"$signer" sign --key "$trusted" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" --rom-fixed "$addr" "$@" "$in" "$out" >/dev/null
}
sign "$hello0" "$work/v0.bin" 0.0.0 $slot0 --confirm
sign "$hello1" "$work/v1-slot1.bin" 1.2.3 $slot1 --pad
sign "$hello0" "$work/v1-slot0.bin" 1.2.3 $slot0 --pad
compose() { "$root/scripts/compose-flash.py" "$1" "$flash_size" "$boot_bin" 0 "$2" "$slot0" "$3" "$slot1"; }

echo "== $board on $machine, direct-xip: the newer image runs from slot 1"
compose "$work/flash" "$work/v0.bin" "$work/v1-slot1.bin"
boot_expecting 0 "slot 1 runs" "$work/flash" "$work/a.log" &&
	expect "$work/a.log" "slot 1 runs" "Starting bootloader" "Secondary slot: version=1.2.3\+0" \
		"Image 0 loaded from the secondary slot" \
		"$(printf 'Bootloader chainload address offset: 0x%x' $slot1)" "Image version: v1.2.3" \
		"Booting dfukit hello_world" "Hello World!"
echo "== $board: not confirmed, so erased at the next boot; slot 0 runs"
boot_expecting 0 "revert to slot 0" "$work/flash" "$work/b.log" &&
	expect "$work/b.log" "revert to slot 0" "Erasing faulty image in the secondary slot." \
		"Image 0 loaded from the primary slot" "Image version: v0.0.0" "Hello World!"
echo "== $board: an image built for slot 0 is skipped in slot 1"
compose "$work/flash" "$work/v0.bin" "$work/v1-slot0.bin"
boot_expecting 0 "ROM_FIXED mismatch" "$work/flash" "$work/c.log" &&
	expect "$work/c.log" "ROM_FIXED mismatch" \
		"$(printf 'Image in secondary slot at 0x%x has been built for offset 0x%x, skipping' $slot1 $slot0)" \
		"Image 0 loaded from the primary slot" "Image version: v0.0.0" "Hello World!"
summary "$board"
