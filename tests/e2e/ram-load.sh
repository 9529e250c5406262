#!/usr/bin/env bash
# Ram-load on the native board (dfukit board run --mode ram-load) with the
# real dfu-util (the guest side is scenarios/ram-load.sh). The board starts
# with the DFU sample v0.1.0 signed -L 0x20010000 in slot 0. A hello_world
# signed without -L is removed from slot 1 at the reset; the DFU sample
# v0.2.0 (-L) goes into slot 1 and is loaded from there; it then writes
# SLOT-1 into slot 0, and hello_world v1.0.0 (-L) is loaded from the primary
# slot at this reset and the next. Every image runs from its copy in RAM.
#
#   tests/e2e/ram-load.sh BUILD_DIR BOARD
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-ram-load.XXXXXX")
trap 'rm -rf "$work"' EXIT

# write block and slot size (boards/boards.c); the RAM address (BOARD_RAM_LOAD_ADDR)
case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
ram=0x20010000
key="$root/keys/dfukit-dev-rsa-2048.pem"
sign() { # VERSION PAYLOAD OUT [OPTION...]
	local v=$1 in=$2 out=$3
	shift 3
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size $slot --version "$v" "$@" "$in" "$out" >/dev/null
}
sign 0.1.0 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v0.1.0.bin" --load-addr $ram
sign 0.2.0 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v0.2.0.bin" --load-addr $ram
sign 1.0.0 "$build/firmware/hello_world.bin" "$work/hello-v1.0.0.bin" --load-addr $ram
sign 2.0.0 "$build/firmware/hello_world.bin" "$work/hello-noload.bin"
chain=$(printf 'Bootloader chainload address offset: 0x%x' $ram)

DFUKIT_BOARD_ARGS="--mode ram-load --image $work/dfu-sample-v0.1.0.bin" \
	"$here/with-board.sh" --board "$board" \
	--expect-order "Primary   slot: version=0.1.0\+0" \
	--expect-order "Image 0 RAM loading to $ram is succeeded." \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "$chain" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v2.0.0 verified" \
	--expect-order "Secondary slot: version=2.0.0\+0" \
	--expect-order "Removing image 0 slot 1 from flash" \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v0.2.0 verified" \
	--expect-order "Secondary slot: version=0.2.0\+0" \
	--expect-order "Image 0 RAM loading to $ram is succeeded." \
	--expect-order "Image 0 loaded from the secondary slot" \
	--expect-order "Image version: v0.2.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v1.0.0 verified" \
	--expect-order "Primary   slot: version=1.0.0\+0" \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "Image version: v1.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Image 0 loaded from the primary slot" \
	--expect-order "Image version: v1.0.0" \
	--expect-order "Hello World! " \
	--forbid-log "Swap type|swap using|slot is not valid|load address .* is invalid|No slot to load" \
	"$build" --timeout 300 "$here/scenarios/ram-load.sh" "$work/hello-noload.bin" \
	"$work/dfu-sample-v0.2.0.bin" "$work/hello-v1.0.0.bin"
