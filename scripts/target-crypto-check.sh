#!/usr/bin/env bash
# Checks the Cortex-M bootloader's crypto on the host: src/image and the
# library files the bootloader links, built with the bootloader's
# configuration, must give the same verdict on every fixture image as the host
# build against Debian's mbedTLS. Each crypto backend (DFUKIT_CRYPTO) is
# checked:
#   mbedtls     image.c, crypto_mbedtls.c and the mbedTLS files of
#               scripts/mbedtls-target.sh with its config
#               (cmake/mbedtls/dfukit-mbedtls-config.h, RSA-2048 and ECDSA-P256,
#               the bootloader's static heap)
#   bearssl     image.c, crypto_bearssl.c and the BearSSL 0.6 files of
#               scripts/bearssl-target.sh (SHA-256, ECDSA-P256 over
#               i31/m31), RSA-2048 from the same mbedTLS files (BearSSL 0.6
#               has no PSS)
#   bearssl-m15 the same over BearSSL's i15/m15 arithmetic
#   ed25519     image.c, crypto_bearssl.c (SHA-256), crypto_ed25519.c and the
#               libsodium 1.0.18 files of scripts/libsodium-target.sh, built as
#               it builds them, Ed25519 alone (DFUKIT_SIGNATURES=ed25519), on
#               the Ed25519 fixtures, against Debian's libsodium
# (tests/cm/emulated-boot.sh runs the Cortex-M bootloader itself.)
#
#   scripts/target-crypto-check.sh [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$root/build-target-crypto}"
mkdir -p "$work"
# The mbedTLS source mbedtls-target.sh builds the target library from.
src="${DFUKIT_MBEDTLS_SRC:-${XDG_CACHE_HOME:-$HOME/.cache}/dfukit/mbedtls-src}"
[ -f "$src/include/mbedtls/version.h" ] || "$root/scripts/mbedtls-target.sh" cortex-m4f "$work/prefetch" >/dev/null
files=$(sed -n '/^files=(/,/)/p' "$root/scripts/mbedtls-target.sh" | tr -d '()' | sed 's/files=//')
mbed=()
for f in $files; do mbed+=("$src/library/$f.c"); done

bsrc="${DFUKIT_BEARSSL_SRC:-$("$root/scripts/debian-source.sh" bearssl inc/bearssl.h)}"
bear=()
for f in $("$root/scripts/bearssl-target.sh" --files); do bear+=("$bsrc/src/$f.c"); done

image="$root/src/image"
common=(-std=c11 -D_GNU_SOURCE -O1 -I"$root/include" "$image/image.c" "$image/crypto_common.c" "$image/crypto_verify.c"
	"$root/tests/target-crypto/validate_fixtures.c")
target_mbedtls=("${mbed[@]}" -I"$root/cmake/mbedtls" -I"$src/include"
	-DMBEDTLS_CONFIG_FILE='"dfukit-mbedtls-config.h"')
backends=(mbedtls bearssl bearssl-m15)
cc "${common[@]}" "$image/crypto_mbedtls.c" "$image/crypto_mbedtls_rsa.c" "${target_mbedtls[@]}" \
	-o "$work/validate-mbedtls"
for v in bearssl bearssl-m15; do
	def=(-DDFUKIT_IMAGE_BEARSSL)
	[ "$v" = bearssl ] || def+=(-DDFUKIT_IMAGE_BEARSSL_M15)
	# shellcheck disable=SC2046 # one define a line
	cc "${common[@]}" "${def[@]}" "$image/crypto_bearssl.c" "$image/crypto_mbedtls_rsa.c" \
		"${target_mbedtls[@]}" "${bear[@]}" $("$root/scripts/bearssl-target.sh" --defines) \
		-I"$bsrc/inc" -I"$bsrc/src" -o "$work/validate-$v"
done
cc "${common[@]}" "$image/crypto_mbedtls.c" "$image/crypto_mbedtls_rsa.c" -lmbedcrypto -o "$work/validate-debian"
# Ed25519: the target's libsodium files against Debian's libsodium (libsodium-dev).
ssrc="${DFUKIT_LIBSODIUM_SRC:-$("$root/scripts/debian-source.sh" libsodium src/libsodium/crypto_sign/ed25519/ref10/open.c)}/src/libsodium"
sod=()
for f in $("$root/scripts/libsodium-target.sh" --files); do sod+=("$ssrc/$f.c"); done
ed=(-DDFUKIT_IMAGE_NO_RSA -DDFUKIT_IMAGE_NO_ECDSA -DDFUKIT_IMAGE_ED25519 "$image/crypto_ed25519.c")
# shellcheck disable=SC2046 # one define a line
cc "${common[@]}" "${ed[@]}" -DDFUKIT_IMAGE_BEARSSL "$image/crypto_bearssl.c" "${bear[@]}" \
	$("$root/scripts/bearssl-target.sh" --defines) -I"$bsrc/inc" -I"$bsrc/src" \
	"${sod[@]}" $("$root/scripts/libsodium-target.sh" --defines) -I"$ssrc/include" -I"$ssrc/include/sodium" \
	-w -ffunction-sections -Wl,--gc-sections -o "$work/validate-ed25519"
cc "${common[@]}" "${ed[@]}" "$image/crypto_mbedtls.c" -lmbedcrypto -lsodium -o "$work/validate-ed25519-debian"
fixtures=$root/tests/fixtures/mcuboot
# The fixtures of each key type, plus one with a byte of the signature flipped
# (the last bytes of the image are in its signature TLV; hash intact).
for kind in ecdsa-p256 rsa-2048 ed25519; do
	python3 - "$fixtures/images/$kind-z70000.bin" "$work/$kind-badsig.bin" <<'PY'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
img[-5] ^= 0x01
open(sys.argv[2], "wb").write(img)
PY
done
for v in debian "${backends[@]}"; do : >"$work/$v.txt"; done
count=0
for kind in ecdsa-p256 rsa-2048; do
	images=("$fixtures"/images/"$kind"-*.bin "$work/$kind-badsig.bin")
	count=$((count + ${#images[@]}))
	for v in debian "${backends[@]}"; do
		"$work/validate-$v" "$fixtures/keys/$kind.pub.der" "${images[@]}" >>"$work/$v.txt"
	done
done
# Ed25519: every image of imgtool's made with the fixture key, and a bad signature.
edimg=("$fixtures"/images/ed25519-*.bin "$fixtures"/options/ed25519-*.bin "$work/ed25519-badsig.bin")
count=$((count + ${#edimg[@]}))
for v in ed25519 ed25519-debian; do
	"$work/validate-$v" "$fixtures/keys/ed25519.pub.der" "${edimg[@]}" >"$work/$v.txt"
done
if ! diff -u "$work/ed25519-debian.txt" "$work/ed25519.txt"; then
	echo "target-crypto-check: the bootloader's libsodium files disagree with Debian's libsodium" >&2
	exit 1
fi
for want in "ed25519-z70000.bin Image was correctly validated 0x24" \
	"ed25519-signed.bin Image was correctly validated 0x24" \
	"ed25519-z70000-tampered.bin Image has an invalid hash" \
	"ed25519-badsig.bin Image signature is invalid"; do
	grep -q -F "$want" "$work/ed25519.txt" || { echo "target-crypto-check: ed25519: expected '$want'" >&2; exit 1; }
done
for v in "${backends[@]}"; do
	if ! diff -u "$work/debian.txt" "$work/$v.txt"; then
		echo "target-crypto-check: the bootloader's $v crypto disagrees with Debian's mbedTLS" >&2
		exit 1
	fi
	# Agreement alone would also hold if both refused everything.
	for want in "ecdsa-p256-z70000.bin Image was correctly validated 0x22" \
		"ecdsa-p256-badsig.bin Image signature is invalid" \
		"rsa-2048-z70000.bin Image was correctly validated 0x20" \
		"rsa-2048-badsig.bin Image signature is invalid"; do
		grep -q -F "$want" "$work/$v.txt" ||
			{ echo "target-crypto-check: $v: expected '$want'" >&2; exit 1; }
	done
done
echo "target-crypto-check: $count images, same verdicts with the bootloader's crypto (${backends[*]}) as with Debian's mbedTLS, and (ed25519) as with Debian's libsodium"
sed "s|$root/||; s|$work/||" "$work/bearssl.txt"
