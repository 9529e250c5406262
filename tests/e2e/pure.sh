#!/usr/bin/env bash
# Ed25519 pure signatures (imgtool --pure: the signature over the image
# itself, TLV 0x25) through the seed's walkthrough on the native board with
# the real dfu-util: the DFU sample cannot verify such an image block by block
# (libsodium has no streaming pure verify), so it checks it over the slot in
# flash once the download ends, then the test swap boots it ("Hello World!")
# and the reset reverts it.
#
#   tests/e2e/pure.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-pure-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

signed="$work/hello_world.signed.bin"
# imgtool's Ed25519 test key, which the native board trusts (board_keys)
"$build/bin/dfukit-image" sign --key "$root/tests/fixtures/mcuboot/keys/ed25519.pem" --pure \
	--header-size 0x200 --pad-header --align 4 --slot-size 0x76000 --version 1.0.0 \
	"$build/firmware/hello_world.bin" "$signed" >/dev/null

"$here/with-board.sh" --board reel_board \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "SLOT-1: pure signature, verified once all is in flash" \
	--expect-order "SLOT-1: image v1.0.0 verified, test swap at the next reset" \
	--expect-order "Image index: 0, Swap type: test" \
	--expect-order "Starting swap using move algorithm." \
	--expect-order "Image version: v1.0.0" \
	--expect-order "Hello World! " \
	--expect-order "Image index: 0, Swap type: revert" \
	--expect-order "Image version: v0.0.0" \
	--expect-order "USB DFU sample is initialized" \
	--forbid-log "is not valid|inconsistent|image refused" \
	"$build" --timeout 300 "$here/scenarios/walkthrough.sh" "$signed"
