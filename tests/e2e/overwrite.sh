#!/usr/bin/env bash
# Overwrite-only with downgrade prevention on the native board, with the real
# dfu-util (scenarios/overwrite.sh): the board starts with the DFU sample
# signed as v2.0.0; hello_world v1.0.0 into SLOT-1 is refused at the reset
# (MCUboot's "Insufficient version in secondary slot"), hello_world v3.0.0
# signed with --overwrite-only is copied over slot 0 and is not reverted.
#
# --emulate: the same on the emulated board (dfukit board run --emulate), its
# firmware an overwrite-only build with downgrade prevention of the Cortex-M
# bootloader, DFU sample and hello_world made in DIR/cross by
# tests/e2e/cm-mode-build.sh from the settings of CROSS_BUILD_DIR.
#
#   tests/e2e/overwrite.sh BUILD_DIR BOARD [--emulate CROSS_BUILD_DIR DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-overwrite.XXXXXX")
trap 'rm -rf "$work"' EXIT
key="$root/keys/dfukit-dev-rsa-2048.pem"
sample="$build/firmware/dfu-sample.bin" hello="$build/firmware/hello_world.bin"
factory="$work/dfu-sample-v2.0.0.bin"
board_args="--mode overwrite-only --downgrade-prevention --image $factory"
emulated=()
if [ "${3:-}" = --emulate ]; then
	(($# == 5)) || { echo "usage: $0 BUILD_DIR BOARD --emulate CROSS_BUILD_DIR DIR" >&2; exit 2; }
	fw=$5/firmware
	"$here/cm-mode-build.sh" "$4" overwrite-only "$5/cross" -DDFUKIT_DOWNGRADE_PREVENTION=ON
	[ "$("$root/scripts/cm-firmware.sh" "$5/cross" "$build" "$fw")" = "$board" ] ||
		{ echo "overwrite: $4 is no $board build" >&2; exit 2; }
	read -r _ key < <("$root/scripts/cm-signing-key.sh" "$5/cross")
	sample="$5/cross/apps/dfu-sample-cm/dfu-sample-$board.bin"
	hello="$5/cross/apps/hello-world-cm/hello_world-$board.bin"
	# the factory image in slot 0 is the firmware directory's DFU sample
	factory="$fw/dfu-sample-cm-$board.signed.bin" board_args=""
	export DFUKIT_BOARD_EMULATE_DIR=$fw
	emulated=(--expect-log "Booting dfukit dfu-sample on")
fi

case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
sign() { # VERSION PAYLOAD OUT [OPTION...]
	local v=$1 in=$2 out=$3
	shift 3
	$img sign --key "$key" --header-size 0x200 --pad-header --align $align \
		--slot-size $slot --version "$v" "$@" "$in" "$out" >/dev/null
}
sign 2.0.0 "$sample" "$factory"
sign 1.0.0 "$hello" "$work/hello-v1.0.0.bin"
sign 3.0.0 "$hello" "$work/hello-v3.0.0.bin" --overwrite-only

DFUKIT_BOARD_ARGS="$board_args" \
	"$here/with-board.sh" --board "$board" "${emulated[@]}" \
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
