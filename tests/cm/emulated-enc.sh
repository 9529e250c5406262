#!/usr/bin/env bash
# The Cortex-M bootloader that decrypts (MCUboot's MCUBOOT_ENC_IMAGES with
# swap-using-move), on the emulated board: CROSS_BUILD_DIR-enc is configured
# like the cross build with -DDFUKIT_ENC_KEY, the key of the build's
# signature type as imgtool pairs them (RSA-2048 signs: RSA-OAEP-2048;
# ECDSA-P256 signs: ECIES-P256), in DER (the target mbedTLS has no PEM
# parser); then tests/cm/emulated-boot.sh runs there with its updates
# encrypted: test swap (decrypted into slot 0), revert (re-encrypted, slot 1
# as downloaded), bad and foreign-key updates refused, a power cut at every
# flash operation of the encrypted swap.
#
# --signatures TYPE: the variant verifies TYPE (rsa-2048 or ecdsa-p256)
# instead of the cross build's first signature type, so that one cross build
# checks both key wraps (CROSS-enc-TYPE).
#
#   tests/cm/emulated-enc.sh [--signatures TYPE] CROSS_BUILD_DIR HOST_BUILD_DIR
set -euo pipefail
sigs=()
if [ "${1:-}" = --signatures ]; then sigs=("$2"); shift 2; fi
(($# == 2)) || { echo "usage: $0 [--signatures TYPE] CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
name=emulated-enc
. "$here/lib-emu.sh"
keys=$root/tests/fixtures/mcuboot/encrypted/keys
if ((${#sigs[@]})); then
	key_type=${sigs[0]} suffix=enc-${sigs[0]} args=(-DDFUKIT_SIGNATURES="${sigs[0]}")
else
	read -r key_type _ < <("$root/scripts/cm-signing-key.sh" "$cross")
	suffix=enc args=()
fi
case $key_type in
rsa-2048) enc_key=$keys/enc-rsa-2048.der ;;
ecdsa-p256) enc_key=$keys/enc-ec256.der ;;
*) echo "emulated-enc: no key wrap for $key_type signatures on Cortex-M (X25519 is not in its mbedTLS)" >&2; exit 2 ;;
esac
emu_variant_build "$cross" "$suffix" "${args[@]}" -DDFUKIT_ENC_KEY="$enc_key" -- \
	bootloader-mps2-BOARD hello_world-BOARD
exec "$here/emulated-boot.sh" "$cross" "$2"
