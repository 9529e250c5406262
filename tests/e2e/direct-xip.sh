#!/usr/bin/env bash
# Direct-xip with revert on the native board (dfukit board run --mode
# direct-xip), the seed's walkthrough with the real dfu-util (the guest side
# is scenarios/offset.sh: download, reset, reset; download, reset, reset).
# The board starts with the DFU sample v0.1.0 in slot 0, built for slot 0
# (-F) and factory-confirmed by the board. hello_world v1.0.0, signed -F for
# slot 1, goes into SLOT-1, runs from slot 1 once ("Image 0 loaded from the
# secondary slot"), and since it never confirms itself is erased at the next
# reset: the DFU sample runs from slot 0 again. hello_world v3.0.0 signed
# with --confirm stays in slot 1 and keeps running. Nothing is copied.
#
#   tests/e2e/direct-xip.sh BUILD_DIR BOARD
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-direct-xip.XXXXXX")
trap 'rm -rf "$work"' EXIT

# slot offsets and size (boards/boards.c)
case $board in
reel_board) align=4 slot0=0xC000 slot1=0x82000 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot0=0x10000 slot1=0xF8000 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
key="$root/keys/dfukit-dev-rsa-2048.pem"
sign() { # VERSION PAYLOAD OUT ADDR [OPTION...]
	local v=$1 in=$2 out=$3 addr=$4
	shift 4
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size $slot --version "$v" --rom-fixed "$addr" "$@" "$in" "$out" >/dev/null
}
sign 0.1.0 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v0.1.0.bin" $slot0
sign 1.0.0 "$build/firmware/hello_world.bin" "$work/hello-v1.0.0.bin" $slot1
sign 3.0.0 "$build/firmware/hello_world.bin" "$work/hello-v3.0.0.bin" $slot1 --confirm
chain1=$(printf 'Bootloader chainload address offset: 0x%x' $slot1)

DFUKIT_BOARD_ARGS="--mode direct-xip --image $work/dfu-sample-v0.1.0.bin" \
	"$here/with-board.sh" --board "$board" \
	--expect-order "Primary   slot: version=0.1.0\+0" \
	--expect-order "Image 0 secondary slot: image not found" \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v1.0.0 verified" \
	--expect-order "Starting bootloader" \
	--expect-order "Secondary slot: version=1.0.0\+0" \
	--expect-order "Image 0 loaded from the secondary slot" \
	--expect-order "$chain1" \
	--expect-order "Image version: v1.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Erasing faulty image in the secondary slot." \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "Image version: v0.1.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v3.0.0 verified" \
	--expect-order "Image 0 loaded from the secondary slot" \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Image 0 loaded from the secondary slot" \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--forbid-log "Swap type|swap using|slot is not valid|skipping|No slot to load" \
	"$build" --timeout 300 "$here/scenarios/offset.sh" "$work/hello-v1.0.0.bin" "$work/hello-v3.0.0.bin"
