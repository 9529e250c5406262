#!/usr/bin/env bash
# Two more ways to update SLOT-1, with the real dfu-util, on one board profile:
#   permanent   an imgtool-style --pad --confirm image: swapped for good, no revert
#   imgtool-key hello_world signed with the imgtool-generated key of the MCUboot
#               test vectors: the seed's test swap and revert
#
#   tests/e2e/upgrade-variants.sh BUILD_DIR BOARD permanent|imgtool-key
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
variant=$3
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-variant.XXXXXX")
trap 'rm -rf "$work"' EXIT

case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
payload="$build/firmware/hello_world.bin"

case $variant in
permanent)
	$img sign --key "$root/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 --pad-header \
		--align $align --slot-size $slot --version 1.0.0 --pad --confirm "$payload" "$work/image.bin" >/dev/null
	"$here/with-board.sh" --board "$board" \
		--expect-order "USB DFU sample is initialized" \
		--expect-order "SLOT-1: image v1.0.0 verified, permanent swap at the next reset" \
		--expect-order "Secondary image: magic=good, swap_type=0x1, copy_done=0x3, image_ok=0x1" \
		--expect-order "Image index: 0, Swap type: perm" \
		--expect-order "Image version: v1.0.0" \
		--expect-order "Hello World! " \
		--expect-order "Image index: 0, Swap type: none" \
		--expect-order "Hello World! " \
		--forbid-log "Swap type: revert" \
		"$build" --timeout 300 "$here/scenarios/download-reset-twice.sh" "$work/image.bin"
	;;
imgtool-key)
	$img sign --key "$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem" --header-size 0x200 --pad-header \
		--align $align --slot-size $slot --version 0.0.0 "$payload" "$work/hello_world.signed.bin" >/dev/null
	"$here/with-board.sh" --board "$board" \
		--expect-order "SLOT-1: image v0.0.0 verified, test swap at the next reset" \
		--expect-order "Image index: 0, Swap type: test" \
		--expect-order "Hello World! " \
		--expect-order "Image index: 0, Swap type: revert" \
		--expect-order "USB DFU sample is initialized" \
		"$build" --timeout 300 "$here/scenarios/walkthrough.sh" "$work/hello_world.signed.bin"
	;;
*) echo "unknown variant $variant" >&2; exit 2 ;;
esac
