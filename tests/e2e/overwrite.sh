#!/usr/bin/env bash
# Overwrite-only with downgrade prevention on the native board, with the real
# dfu-util (scenarios/overwrite.sh): the board starts with the DFU sample
# signed as v2.0.0; hello_world v1.0.0 into SLOT-1 is refused at the reset
# (MCUboot's "Insufficient version in secondary slot"), hello_world v3.0.0
# signed with --overwrite-only is copied over slot 0 and is not reverted.
#
#   tests/e2e/overwrite.sh BUILD_DIR BOARD
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-overwrite.XXXXXX")
trap 'rm -rf "$work"' EXIT

case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
key="$root/keys/dfukit-dev-rsa-2048.pem"
sign() { # VERSION PAYLOAD OUT [OPTION...]
	local v=$1 in=$2 out=$3
	shift 3
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size $slot --version "$v" "$@" "$in" "$out" >/dev/null
}
sign 2.0.0 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v2.0.0.bin"
sign 1.0.0 "$build/firmware/hello_world.bin" "$work/hello-v1.0.0.bin"
sign 3.0.0 "$build/firmware/hello_world.bin" "$work/hello-v3.0.0.bin" --overwrite-only

DFUKIT_BOARD_ARGS="--mode overwrite-only --downgrade-prevention --image $work/dfu-sample-v2.0.0.bin" \
	"$here/with-board.sh" --board "$board" \
	--expect-order "Image version: v2.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v1.0.0 verified" \
	--expect-order "Starting bootloader" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Insufficient version in secondary slot" \
	--expect-order "Image version: v2.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v3.0.0 verified" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Image 0 upgrade secondary slot -> primary slot" \
	--expect-order "Erasing the primary slot" \
	--expect-order "Image 0 copying the secondary slot to the primary slot: 0x[0-9a-f]+ bytes" \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Image index: 0, Swap type: none" \
	--expect-order "Image version: v3.0.0" \
	--expect-order "Hello World! " \
	--forbid-log "Swap type: revert|Starting swap using move|Primary image: magic" \
	"$build" --timeout 300 "$here/scenarios/overwrite.sh" "$work/hello-v1.0.0.bin" "$work/hello-v3.0.0.bin"
