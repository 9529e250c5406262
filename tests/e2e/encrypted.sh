#!/usr/bin/env bash
# Encrypted images on the native board, with the real dfu-util:
#   walkthrough  hello_world signed and encrypted (imgtool -E, RSA-OAEP for the
#                board's default DFUKIT_ENC_KEY) through the seed's walkthrough:
#                the DFU sample checks the download decrypted, the test swap
#                decrypts it into slot 0 and it says "Hello World!", the reset
#                reverts (re-encrypting it into slot 1)
#   tampered     the same image with one ciphertext byte changed: the DFU
#                sample refuses the download for its hash (so it did decrypt
#                it: over the ciphertext the reason would be another), no
#                swap ever starts
#
# --emulate: the same on the emulated board (dfukit board run --emulate): its
# bootloader, DFU sample and hello_world built by tests/e2e/cm-mode-build.sh
# into DIR/cross like CROSS_BUILD_DIR, with -DDFUKIT_ENC_KEY the DER key that
# pairs with its signature type (RSA-OAEP for RSA-2048, ECIES-P256 for
# ECDSA-P256), so the Cortex-M DFU sample checks the download decrypted and
# its bootloader decrypts the swap.
#
#   tests/e2e/encrypted.sh BUILD_DIR BOARD walkthrough|tampered [--emulate CROSS_BUILD_DIR DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
board=$2
variant=$3
img="$build/bin/dfukit image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-encrypted.XXXXXX")
trap 'rm -rf "$work"' EXIT
keys="$root/tests/fixtures/mcuboot/encrypted/keys"
key="$root/keys/dfukit-dev-rsa-2048.pem" enc=enc-rsa-2048
hello="$build/firmware/hello_world.bin"
emulated=()
if [ "${4:-}" = --emulate ]; then
	(($# == 6)) || { echo "usage: $0 BUILD_DIR BOARD VARIANT --emulate CROSS_BUILD_DIR DIR" >&2; exit 2; }
	read -r key_type key < <("$root/scripts/cm-signing-key.sh" "$5")
	case $key_type in
	rsa-2048) enc=enc-rsa-2048 ;;
	ecdsa-p256) enc=enc-ec256 ;;
	*) echo "encrypted: no Cortex-M key wrap for $key_type signatures" >&2; exit 2 ;;
	esac
	fw=$6/firmware
	"$here/cm-mode-build.sh" "$5" move "$6/cross" -DDFUKIT_ENC_KEY="$keys/$enc.der"
	[ "$("$root/scripts/cm-firmware.sh" "$6/cross" "$build" "$fw")" = "$board" ] ||
		{ echo "encrypted: $5 is no $board build" >&2; exit 2; }
	hello="$6/cross/apps/hello-world-cm/hello_world-$board.bin"
	export DFUKIT_BOARD_EMULATE_DIR=$fw
	emulated=(--expect-log "Booting dfukit dfu-sample on")
fi

case $board in
reel_board) align=4 slot=0x76000 ;;
nucleo_u575zi_q) align=16 slot=0xE8000 ;;
*) echo "unknown board $board" >&2; exit 2 ;;
esac
enc_pub="$keys/$enc.pub.pem"
enc_priv="$keys/$enc.pem"
signed="$work/hello_world.signed.bin"
$img sign --key "$key" -E "$enc_pub" --header-size 0x200 \
	--pad-header --align $align --slot-size $slot --version 1.0.0 \
	"$hello" "$signed" >/dev/null
# the body is ciphertext: not the payload, and only the device's key opens it
n=$(($(stat -c %s "$hello") < 4096 ? $(stat -c %s "$hello") : 4096))
if cmp -s <(tail -c +513 "$signed" | head -c $n) <(head -c $n "$hello"); then
	echo "encrypted: the signed image's body is the plaintext" >&2
	exit 1
fi
$img verify -k "$key" --decrypt "$enc_priv" "$signed" >/dev/null

case $variant in
walkthrough)
	"$here/with-board.sh" --board "$board" "${emulated[@]}" \
		--expect-order "USB DFU sample is initialized" \
		--expect-order "USBD message: DFU download completed" \
		--expect-order "SLOT-1: image v1.0.0 verified, test swap at the next reset" \
		--expect-order "Secondary image: magic=good, swap_type=0x2, copy_done=0x3, image_ok=0x3" \
		--expect-order "Image index: 0, Swap type: test" \
		--expect-order "Starting swap using move algorithm." \
		--expect-order "Image version: v1.0.0" \
		--expect-order "Hello World! " \
		--expect-order "Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3" \
		--expect-order "Image index: 0, Swap type: revert" \
		--expect-order "Image version: v0.0.0" \
		--expect-order "USB DFU sample is initialized" \
		--forbid-log "is not valid|inconsistent|image refused" \
		"$build" --timeout 300 "$here/scenarios/walkthrough.sh" "$signed"
	;;
tampered)
	cp "$signed" "$work/image.bin"
	python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); h=int.from_bytes(b[8:10],"little"); n=int.from_bytes(b[12:16],"little"); b[h+min(4000,n//2)]^=0x40; open(p,"wb").write(b)' \
		"$work/image.bin"
	"$here/with-board.sh" --board "$board" "${emulated[@]}" \
		--expect-order "USB DFU sample is initialized" \
		--expect-order "SLOT-1: image refused after" \
		--expect-log "SLOT-1: image refused after [0-9]+ bytes: Image has an invalid hash" \
		--expect-order "Image index: 0, Swap type: none" \
		--expect-order "USB DFU sample is initialized" \
		--forbid-log "Starting swap|Hello World!" \
		"$build" --timeout 300 "$here/scenarios/encrypted-tampered.sh" "$work/image.bin"
	;;
*) echo "unknown variant $variant" >&2; exit 2 ;;
esac
