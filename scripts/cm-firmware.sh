#!/usr/bin/env bash
# Collect the Cortex-M firmware of one emulated board into one directory, the
# DFUKIT_FIRMWARE_DIR of `dfukit board run --emulate` (tools/emu, dfukit-emu):
#   OUT_DIR/bootloader-mps2-<board>.bin          the bootloader (boot partition, raw)
#   OUT_DIR/dfu-sample-cm-<board>.signed.bin     the DFU sample, slot 0 factory image
#   OUT_DIR/hello_world-<board>.signed.bin       hello_world, the walkthrough's SLOT-1 image
# Images are signed as the seed signs them (header 0x200, version 0.0.0) with
# a key the Cortex-M bootloader trusts (DFUKIT_TRUSTED_KEYS) of the type it
# verifies (DFUKIT_SIGNATURES of the cross build: the first one listed):
# dfukit's RSA-2048 development key, or MCUboot's ECDSA-P256 test key.
#
#   scripts/cm-firmware.sh PRESET|CROSS_BUILD_DIR HOST_BUILD_DIR OUT_DIR
#
# PRESET is cortex-m4f (reel_board) or cortex-m33 (nucleo_u575zi_q), built in
# build-PRESET; or give the cross build directory itself. HOST_BUILD_DIR has
# bin/dfukit-image. KEY=... signs with another private key. Prints the board
# id on stdout; OUT_DIR is created if missing, other files in it are kept.
set -euo pipefail
usage() { echo "usage: $0 PRESET|CROSS_BUILD_DIR HOST_BUILD_DIR OUT_DIR" >&2; exit 2; }
(($# == 3)) || usage
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -d "$1" ]; then
	cross=$1
elif [ "$1" = cortex-m4f ] || [ "$1" = cortex-m33 ]; then
	cross="$root/build-$1"
else
	echo "cm-firmware: '$1' is neither a preset (cortex-m4f, cortex-m33) nor a build directory" >&2
	exit 2
fi
[ -f "$cross/CMakeCache.txt" ] || {
	echo "cm-firmware: $cross is no CMake build; build it with" >&2
	echo "  ./scripts/mbedtls-target.sh PRESET build-PRESET/target && cmake --preset PRESET && cmake --build build-PRESET" >&2
	exit 1
}
signer="$(cd "$2" && pwd)/bin/dfukit-image"
[ -x "$signer" ] || { echo "cm-firmware: no $signer (build the host tools first)" >&2; exit 1; }
read -r _ default_key < <("$root/scripts/cm-signing-key.sh" "$cross")
key=${KEY:-$default_key}

if grep -q 'cortex-m33' "$cross/CMakeCache.txt"; then
	board=nucleo_u575zi_q slot_size=0xE8000 align=16
else
	board=reel_board slot_size=0x76000 align=4
fi
boot="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
sample="$cross/apps/dfu-sample-cm/dfu-sample-$board.bin"
hello="$cross/apps/hello-world-cm/hello_world-$board.bin"
for f in "$boot" "$sample" "$hello"; do
	[ -f "$f" ] || { echo "cm-firmware: missing $f (cmake --build $cross)" >&2; exit 1; }
done

mkdir -p "$3"
out=$(cd "$3" && pwd)
sign() {
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version 0.0.0 "$1" "$2.tmp" >/dev/null
	mv "$2.tmp" "$2" # a half-written image never has the final name
}
cp "$boot" "$out/bootloader-mps2-$board.bin.tmp"
mv "$out/bootloader-mps2-$board.bin.tmp" "$out/bootloader-mps2-$board.bin"
sign "$sample" "$out/dfu-sample-cm-$board.signed.bin"
sign "$hello" "$out/hello_world-$board.signed.bin"
echo "$board"
