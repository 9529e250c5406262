#!/usr/bin/env bash
# Swap-using-offset on the native board (dfukit board run --mode offset), the
# seed's walkthrough with the real dfu-util (scenarios/offset.sh): the board
# starts with the DFU sample signed as v2.0.0; hello_world v1.0.0 into SLOT-1
# (written from sector 1 of slot 1 by the sample, dfu-util unchanged) is
# test-swapped, runs, and is reverted at the next reset; hello_world v3.0.0
# signed with --confirm (padded to slot 1 less its first sector) is swapped
# for good and keeps running.
#
# --emulate: the same on the emulated board (dfukit board run --emulate), its
# firmware an offset-mode build of the Cortex-M bootloader, DFU sample and
# hello_world made in DIR/cross by tests/e2e/cm-mode-build.sh from the
# settings of CROSS_BUILD_DIR (a move-mode cross build, as CI's are).
#
#   tests/e2e/offset.sh BUILD_DIR BOARD [--emulate CROSS_BUILD_DIR DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-offset.XXXXXX")
trap 'rm -rf "$work"' EXIT
key="$root/keys/dfukit-dev-rsa-2048.pem"
sample="$build/firmware/dfu-sample.bin" hello="$build/firmware/hello_world.bin"
factory="$work/dfu-sample-v2.0.0.bin" board_args="--mode offset --image $factory"
emulated=()
if [ "${3:-}" = --emulate ]; then
	(($# == 5)) || { echo "usage: $0 BUILD_DIR BOARD --emulate CROSS_BUILD_DIR DIR" >&2; exit 2; }
	fw=$5/firmware
	"$here/cm-mode-build.sh" "$4" offset "$5/cross"
	[ "$("$root/scripts/cm-firmware.sh" "$5/cross" "$build" "$fw")" = "$board" ] ||
		{ echo "offset: $4 is no $board build" >&2; exit 2; }
	read -r _ key < <("$root/scripts/cm-signing-key.sh" "$5/cross")
	sample="$5/cross/apps/dfu-sample-cm/dfu-sample-$board.bin"
	hello="$5/cross/apps/hello-world-cm/hello_world-$board.bin"
	# the factory image in slot 0 is the firmware directory's DFU sample
	factory="$fw/dfu-sample-cm-$board.signed.bin" board_args=""
	export DFUKIT_BOARD_EMULATE_DIR=$fw
	emulated=(--expect-log "Booting dfukit dfu-sample on")
fi

# slot: the slot size; update: what an update may fill (the slot less a sector)
case $board in
reel_board) align=4 slot=0x76000 update=0x75000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 update=0xE6000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
sign() { # VERSION PAYLOAD OUT SLOT_SIZE [OPTION...]
	local v=$1 in=$2 out=$3 size=$4
	shift 4
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size "$size" --version "$v" "$@" "$in" "$out" >/dev/null
}
sign 2.0.0 "$sample" "$factory" $slot
sign 1.0.0 "$hello" "$work/hello-v1.0.0.bin" $update
sign 3.0.0 "$hello" "$work/hello-v3.0.0.bin" $update --confirm

DFUKIT_BOARD_ARGS="$board_args" \
	"$here/with-board.sh" --board "$board" "${emulated[@]}" \
	--expect-order "Image version: v2.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v1.0.0 verified, test swap" \
	--expect-order "Starting bootloader" \
	--expect-order "Secondary image: magic=good, swap_type=0x2, copy_done=0x3, image_ok=0x3" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Starting swap using offset algorithm." \
	--expect-order "Image version: v1.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3" \
	--expect-order "Image index: 0, Swap type: revert" \
	--expect-order "Starting swap using offset algorithm." \
	--expect-order "Image version: v2.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v3.0.0 verified, permanent swap" \
	--expect-order "Image index: 0, Swap type: perm" \
	--expect-order "Starting swap using offset algorithm." \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Image index: 0, Swap type: none" \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--forbid-log "Starting swap using move|wrong upload address|slot is not valid|inconsistent" \
	"$build" --timeout 300 "$here/scenarios/offset.sh" "$work/hello-v1.0.0.bin" "$work/hello-v3.0.0.bin"
