#!/usr/bin/env bash
# Host relay of bad-images.sh --emulate (with-board.sh --host-relay): the guest
# prints "DFUKIT-HOST plant-slot1" and this writes DFUKIT_BAD_PLANT_IMAGE (a
# hello_world signed by an untrusted key, with a test request in its trailer)
# into the board's flash file at slot 1 (DFUKIT_BAD_PLANT_OFFSET), as if the
# DFU sample had let it through: the bootloader alone must refuse it at the
# next reset. The DFU sample is idle meanwhile (it writes the flash file only
# for its own flash operations), and the emulated board reads the file at
# every power-on.
set -euo pipefail
if [ "$#" != 1 ] || [ "$1" != plant-slot1 ]; then
	echo "usage: $0 plant-slot1" >&2
	exit 2
fi
: "${DFUKIT_WB_FLASH:?} ${DFUKIT_BAD_PLANT_IMAGE:?} ${DFUKIT_BAD_PLANT_OFFSET:?}"
size=$(stat -c %s "$DFUKIT_BAD_PLANT_IMAGE")
flash_size=$(stat -c %s "$DFUKIT_WB_FLASH")
((DFUKIT_BAD_PLANT_OFFSET + size <= flash_size)) ||
	{ echo "plant-slot1: $size bytes at $DFUKIT_BAD_PLANT_OFFSET do not fit the flash ($flash_size)" >&2; exit 1; }
dd if="$DFUKIT_BAD_PLANT_IMAGE" of="$DFUKIT_WB_FLASH" bs=4096 seek="$DFUKIT_BAD_PLANT_OFFSET" \
	oflag=seek_bytes conv=notrunc status=none
cmp -s "$DFUKIT_BAD_PLANT_IMAGE" <(tail -c +$((DFUKIT_BAD_PLANT_OFFSET + 1)) "$DFUKIT_WB_FLASH" | head -c "$size") ||
	{ echo "plant-slot1: the image did not land in the flash file" >&2; exit 1; }
echo "plant-slot1: $(basename "$DFUKIT_BAD_PLANT_IMAGE") ($size bytes) written at slot 1 ($(printf '0x%x' "$DFUKIT_BAD_PLANT_OFFSET"))"
