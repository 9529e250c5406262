#!/usr/bin/env bash
# Hardware rollback protection on the native board (dfukit board run
# --security-counter), with the real dfu-util (scenarios/security-counter.sh):
# the board starts with the DFU sample v1.0.0 signed -s 1; the DFU sample
# v2.0.0 signed -s 2 is swapped in and confirmed; hello_world v1.0.0 signed
# -s 1 is then refused at the reset with MCUboot's line and v2.0.0 still boots.
#
#   tests/e2e/security-counter.sh BUILD_DIR BOARD
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-seccnt.XXXXXX")
trap 'rm -rf "$work"' EXIT

case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
key="$root/keys/dfukit-dev-rsa-2048.pem"
sign() { # VERSION COUNTER PAYLOAD OUT
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size $slot --version "$1" -s "$2" "$3" "$4" >/dev/null
}
sign 1.0.0 1 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v1.0.0.bin"
sign 2.0.0 2 "$build/firmware/dfu-sample.bin" "$work/dfu-sample-v2.0.0.bin"
sign 1.0.0 1 "$build/firmware/hello_world.bin" "$work/hello-v1.0.0.bin"

DFUKIT_BOARD_ARGS="--security-counter --image $work/dfu-sample-v1.0.0.bin" \
	"$here/with-board.sh" --board "$board" \
	--expect-order "Image version: v1.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: image v2.0.0 verified" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Starting swap using move algorithm." \
	--expect-order "Image version: v2.0.0" \
	--expect-order "Confirming the running image: done" \
	--expect-order "Image index: 0, Swap type: none" \
	--expect-order "Image version: v2.0.0" \
	--expect-order "SLOT-1: image v1.0.0 verified" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Image security counter value 1 lower than monotonic value 2" \
	--expect-order "Image in the secondary slot is not valid!" \
	--expect-order "Image version: v2.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--forbid-log "Hello World!|Swap type: revert|lower than monotonic value 1" \
	"$build" --timeout 300 "$here/scenarios/security-counter.sh" \
	"$work/dfu-sample-v2.0.0.bin" "$work/hello-v1.0.0.bin"
