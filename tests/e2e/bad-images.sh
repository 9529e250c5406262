#!/usr/bin/env bash
# Bad images over SLOT-1 with the real dfu-util: unsigned, signed by an
# untrusted key, tampered, truncated, and a padded image that requests a
# permanent swap but does not verify. Each is refused; after every reset the
# DFU sample (the old image) still boots and no swap ever starts.
#
#   tests/e2e/bad-images.sh [--emulate CROSS_BUILD_DIR FIRMWARE_DIR] BUILD_DIR [BOARD]
#
# --emulate: on the emulated Cortex-M board (dfukit board run --emulate): the
# cross build's firmware is collected into FIRMWARE_DIR (scripts/cm-firmware.sh),
# the bad images are made from its hello_world with the board's geometry and
# the DFU sample and bootloader that refuse them are the Cortex-M ones; BOARD
# is the cross build's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=
if [ "${1:-}" = --emulate ]; then
	(($# >= 4)) || { echo "usage: $0 [--emulate CROSS_BUILD_DIR FIRMWARE_DIR] BUILD_DIR [BOARD]" >&2; exit 2; }
	cross=$(cd "$2" && pwd) fwdir=$3
	shift 3
fi
build=$(cd "$1" && pwd)
board=${2:-reel_board}
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-bad.XXXXXX")
trap 'rm -rf "$work"' EXIT

payload="$build/firmware/hello_world.bin"
good="$build/firmware/hello_world.signed.bin"
align=4 slot_size=0x76000 key_type=ecdsa-p256
if [ -n "$cross" ]; then
	read -r key_type _ < <("$root/scripts/cm-signing-key.sh" "$cross")
	board=$("$root/scripts/cm-firmware.sh" "$cross" "$build" "$fwdir")
	payload="$cross/apps/hello-world-cm/hello_world-$board.bin"
	good="$fwdir/hello_world-$board.signed.bin"
	# the geometry cm-firmware.sh signs with
	slot1=$((0x82000))
	if [ "$board" = nucleo_u575zi_q ]; then align=16 slot_size=0xE8000 slot1=$((0xF8000)); fi
	export DFUKIT_BOARD_EMULATE_DIR=$fwdir
fi
for f in "$payload" "$good"; do
	[ -f "$f" ] || { echo "bad-images: missing $f" >&2; exit 1; }
done
common=(--header-size 0x200 --pad-header --align "$align" --slot-size "$slot_size" --version 0.0.0)
$img sign "${common[@]}" "$payload" "$work/unsigned.bin" >/dev/null
# A key the board does not trust, of a type it verifies, made for this run.
$img keygen -k "$work/untrusted.pem" -t "$key_type" >/dev/null
$img sign "${common[@]}" --key "$work/untrusted.pem" "$payload" "$work/wrongkey.bin" >/dev/null
cp "$good" "$work/tampered.bin"
# Flip one bit in the payload (past the 0x200 header).
printf '\x01' | dd of="$work/tampered.bin" bs=1 seek=$((0x300)) conv=notrunc status=none
python3 - "$work/tampered.bin" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0x300] ^= 0x40
open(p, "wb").write(b)
PY
# Half the image: its header and the start of the payload, no TLVs.
head -c $(($(stat -c %s "$good") / 2)) "$good" >"$work/truncated.bin"
# A trailer asking for a permanent swap, around an image that does not verify:
# the app refuses it, and the bootloader would erase it if it got through.
$img sign "${common[@]}" --key "$work/untrusted.pem" --pad --confirm \
	"$payload" "$work/padded-wrongkey.bin" >/dev/null

checks=(--expect-log "SLOT-1: .* image refused: .*"
	--expect-order "USB DFU sample is initialized"
	--expect-order "image refused" --expect-order "image refused" --expect-order "image refused"
	--expect-order "image refused" --expect-order "image refused"
	--expect-order "Swap type: none" --expect-order "USB DFU sample is initialized"
	--forbid-log "Hello World")
if [ -n "$cross" ]; then
	# Then the bootloader's own refusal: a test request in slot 1 around an
	# image it does not trust, written into the flash file by the host
	# (plant-slot1.sh), must be refused at the next reset, and the DFU sample boot.
	$img sign "${common[@]}" --key "$work/untrusted.pem" --pad \
		"$payload" "$work/planted-wrongkey.bin" >/dev/null
	export DFUKIT_BAD_PLANT_IMAGE="$work/planted-wrongkey.bin" DFUKIT_BAD_PLANT_OFFSET=$slot1
	export DFUKIT_GUEST_PLANT_SLOT1=1
	checks+=(--host-relay "$here/plant-slot1.sh"
		--expect-order "Secondary image: magic=good,"
		--expect-order "Swap type: test"
		--expect-order "Image in the secondary slot is not valid!"
		--expect-order "Image version: v0.0.0"
		--expect-order "USB DFU sample is initialized"
		--forbid-log "Starting swap using move algorithm."
		--forbid-log "Swap type: perm")
else
	checks+=(--forbid-log "Swap type: (test|perm)")
fi
exec "$here/with-board.sh" --board "$board" "${checks[@]}" \
	"$build" --timeout 300 "$here/scenarios/bad-images.sh" \
	"$work/unsigned.bin" "$work/wrongkey.bin" "$work/tampered.bin" "$work/truncated.bin" \
	"$work/padded-wrongkey.bin"
