#!/usr/bin/env bash
# Bad images over SLOT-1 with the real dfu-util: unsigned, signed by an
# untrusted key, tampered, truncated, and a padded image that requests a
# permanent swap but does not verify. Each is refused; after every reset the
# DFU sample (the old image) still boots and no swap ever starts.
#
#   tests/e2e/bad-images.sh BUILD_DIR [BOARD]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=${2:-reel_board}
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-bad.XXXXXX")
trap 'rm -rf "$work"' EXIT

payload="$build/firmware/hello_world.bin"
common=(--header-size 0x200 --pad-header --align 4 --slot-size 0x76000 --version 0.0.0)
$img sign "${common[@]}" "$payload" "$work/unsigned.bin" >/dev/null
# A key the board does not trust, made for this run.
$img keygen -k "$work/untrusted.pem" -t ecdsa-p256 >/dev/null
$img sign "${common[@]}" --key "$work/untrusted.pem" "$payload" "$work/wrongkey.bin" >/dev/null
cp "$build/firmware/hello_world.signed.bin" "$work/tampered.bin"
# Flip one bit in the payload (past the 0x200 header).
printf '\x01' | dd of="$work/tampered.bin" bs=1 seek=$((0x300)) conv=notrunc status=none
python3 - "$work/tampered.bin" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0x300] ^= 0x40
open(p, "wb").write(b)
PY
head -c 4000 "$build/firmware/hello_world.signed.bin" >"$work/truncated.bin"
# A trailer asking for a permanent swap, around an image that does not verify:
# the app refuses it, and the bootloader would erase it if it got through.
$img sign "${common[@]}" --key "$work/untrusted.pem" --pad --confirm \
	"$payload" "$work/padded-wrongkey.bin" >/dev/null

exec "$here/with-board.sh" --board "$board" \
	--expect-log "SLOT-1: .* image refused: .*" \
	--expect-order "USB DFU sample is initialized" \
	--expect-order "image refused" --expect-order "image refused" --expect-order "image refused" \
	--expect-order "image refused" --expect-order "image refused" \
	--expect-order "Swap type: none" --expect-order "USB DFU sample is initialized" \
	--forbid-log "Swap type: (test|perm)" --forbid-log "Hello World" \
	"$build" --timeout 300 "$here/scenarios/bad-images.sh" \
	"$work/unsigned.bin" "$work/wrongkey.bin" "$work/tampered.bin" "$work/truncated.bin" \
	"$work/padded-wrongkey.bin"
