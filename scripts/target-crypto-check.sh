#!/usr/bin/env bash
# Checks the Cortex-M bootloader's crypto on the host: src/image/image.c and
# the mbedTLS files the bootloader links, built with the bootloader's config
# (cmake/mbedtls/dfukit-mbedtls-config.h, ECDSA-P256 only, 6 KiB static
# heap), must give the same verdict on every ECDSA-P256 fixture image as the
# host build against Debian's mbedTLS. (The Cortex-M image itself is only
# linked, never run.)
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

common=(-std=c11 -D_GNU_SOURCE -O1 -I"$root/include" "$root/src/image/image.c"
	"$root/tests/target-crypto/validate_fixtures.c")
cc "${common[@]}" "${mbed[@]}" "$root/apps/bootloader-cm/ecdsa_only.c" \
	-I"$root/cmake/mbedtls" -I"$src/include" -DMBEDTLS_CONFIG_FILE='"dfukit-mbedtls-config.h"' \
	-o "$work/validate-target-config"
cc "${common[@]}" -lmbedcrypto -o "$work/validate-debian"

key="$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pub.der"
# The fixtures, plus one with a byte of the signature's s flipped (hash intact).
python3 - "$root/tests/fixtures/mcuboot/images/ecdsa-p256-z70000.bin" "$work/ecdsa-p256-badsig.bin" <<'PY'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
img[-5] ^= 0x01
open(sys.argv[2], "wb").write(img)
PY
images=("$root"/tests/fixtures/mcuboot/images/ecdsa-p256-*.bin "$work/ecdsa-p256-badsig.bin"
	"$root"/tests/fixtures/mcuboot/images/rsa-2048-z70000.bin)
"$work/validate-target-config" "$key" "${images[@]}" >"$work/target.txt"
"$work/validate-debian" "$key" "${images[@]}" >"$work/debian.txt"
if ! diff -u "$work/debian.txt" "$work/target.txt"; then
	echo "target-crypto-check: the bootloader's crypto configuration disagrees with Debian's mbedTLS" >&2
	exit 1
fi
echo "target-crypto-check: ${#images[@]} images, same verdicts with the bootloader's mbedTLS config as with Debian's"
sed "s|$root/||" "$work/target.txt"
# Agreement alone would also hold if both refused everything.
grep -q "ecdsa-p256-z70000.bin Image was correctly validated 0x22" "$work/target.txt" ||
	{ echo "target-crypto-check: the signed fixture did not validate" >&2; exit 1; }
grep -q "ecdsa-p256-badsig.bin Image signature is invalid" "$work/target.txt" ||
	{ echo "target-crypto-check: the flipped signature was not refused as such" >&2; exit 1; }
