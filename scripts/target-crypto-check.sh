#!/usr/bin/env bash
# Checks the Cortex-M bootloader's crypto on the host: src/image (image.c,
# crypto_mbedtls.c) and the mbedTLS files the bootloader links, built with the
# bootloader's config
# (cmake/mbedtls/dfukit-mbedtls-config.h, RSA-2048 and ECDSA-P256, the
# bootloader's static heap), must give the same verdict on every fixture image
# as the host build against Debian's mbedTLS. (tests/cm/emulated-boot.sh runs
# the Cortex-M bootloader itself.)
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

common=(-std=c11 -D_GNU_SOURCE -O1 -I"$root/include" "$root/src/image/image.c" "$root/src/image/crypto_mbedtls.c"
	"$root/tests/target-crypto/validate_fixtures.c")
cc "${common[@]}" "${mbed[@]}" \
	-I"$root/cmake/mbedtls" -I"$src/include" -DMBEDTLS_CONFIG_FILE='"dfukit-mbedtls-config.h"' \
	-o "$work/validate-target-config"
cc "${common[@]}" -lmbedcrypto -o "$work/validate-debian"
fixtures=$root/tests/fixtures/mcuboot
# The fixtures of each key type, plus one with a byte of the signature flipped
# (the last bytes of the image are in its signature TLV; hash intact).
for kind in ecdsa-p256 rsa-2048; do
	python3 - "$fixtures/images/$kind-z70000.bin" "$work/$kind-badsig.bin" <<'PY'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
img[-5] ^= 0x01
open(sys.argv[2], "wb").write(img)
PY
done
: >"$work/target.txt"
: >"$work/debian.txt"
count=0
for kind in ecdsa-p256 rsa-2048; do
	images=("$fixtures"/images/"$kind"-*.bin "$work/$kind-badsig.bin")
	count=$((count + ${#images[@]}))
	"$work/validate-target-config" "$fixtures/keys/$kind.pub.der" "${images[@]}" >>"$work/target.txt"
	"$work/validate-debian" "$fixtures/keys/$kind.pub.der" "${images[@]}" >>"$work/debian.txt"
done
if ! diff -u "$work/debian.txt" "$work/target.txt"; then
	echo "target-crypto-check: the bootloader's crypto configuration disagrees with Debian's mbedTLS" >&2
	exit 1
fi
echo "target-crypto-check: $count images, same verdicts with the bootloader's mbedTLS config as with Debian's"
sed "s|$root/||; s|$work/||" "$work/target.txt"
# Agreement alone would also hold if both refused everything.
for want in "ecdsa-p256-z70000.bin Image was correctly validated 0x22" \
	"ecdsa-p256-badsig.bin Image signature is invalid" \
	"rsa-2048-z70000.bin Image was correctly validated 0x20" \
	"rsa-2048-badsig.bin Image signature is invalid"; do
	grep -q -F "$want" "$work/target.txt" ||
		{ echo "target-crypto-check: expected '$want'" >&2; exit 1; }
done
