#!/usr/bin/env bash
# Build BearSSL 0.6 for a Cortex-M target (the files of SHA-256 and of ECDSA
# P-256 verification, both the i15/m15 and the i31/m31 arithmetic), and install
# it as a prefix the cross build finds (DFUKIT_TARGET_PREFIX, see
# cmake/arm-none-eabi.cmake):
#   PREFIX/include/bearssl*.h
#   PREFIX/lib/libbearssl.a
#
#   scripts/bearssl-target.sh TOOLCHAIN PREFIX     e.g. cortex-m4f build-cortex-m4f/target
#
# The prefix is usually the one scripts/mbedtls-target.sh fills (RSA-2048 is
# mbedTLS's); each script replaces only its own files there.
# The source comes from Debian's archive (scripts/debian-source.sh: `apt-get
# source bearssl`, 0.6+dfsg.1, whose "dfsg" drops only a prebuilt T0Comp.exe
# and whose Debian part is packaging only) unless DFUKIT_BEARSSL_SRC points at
# an unpacked BearSSL 0.6 tree.
#
# BearSSL 0.6 has no RSA-PSS (only PKCS#1 v1.5 and OAEP; PSS came after 0.6),
# so the bootloader's RSA-2048 verification stays with mbedTLS
# (src/image/CMakeLists.txt, DFUKIT_CRYPTO).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolchain="${1:?toolchain name, e.g. cortex-m4f}"
# The library files SHA-256 and ECDSA P-256 verification link (found from a
# link map of a program calling br_sha256_*, br_ecdsa_i15_vrfy_asn1 with
# br_ec_p256_m15 and br_ecdsa_i31_vrfy_asn1 with br_ec_p256_m31);
# --gc-sections drops what a firmware does not use.
# ecdsa_i{15,31}_vrfy_raw.c name P-384's and P-521's curve orders and
# generators (384 B) whatever the curve, but use them only after the
# implementation said it supports that curve, which br_ec_p256_m15/m31 never
# do: the defines point those names at P-256's, so ec_secp384r1.c and
# ec_secp521r1.c are not built. (A multi-curve implementation would then
# refuse every P-384/P-521 signature: its key length is not P-256's.)
defines=(-Dbr_secp384r1=br_secp256r1 -Dbr_secp521r1=br_secp256r1)
files=(codec/ccopy codec/dec32be codec/enc32be hash/sha2small
	ec/ec_p256_m15 ec/ec_p256_m31 ec/ec_secp256r1 ec/ecdsa_atr
	ec/ecdsa_i15_bits ec/ecdsa_i15_vrfy_asn1 ec/ecdsa_i15_vrfy_raw
	ec/ecdsa_i31_bits ec/ecdsa_i31_vrfy_asn1 ec/ecdsa_i31_vrfy_raw
	int/i15_add int/i15_bitlen int/i15_decmod int/i15_decode int/i15_encode int/i15_fmont
	int/i15_iszero int/i15_modpow int/i15_montmul int/i15_muladd int/i15_ninv15 int/i15_rshift
	int/i15_sub int/i15_tmont
	int/i31_add int/i31_bitlen int/i31_decmod int/i31_decode int/i31_encode int/i31_fmont
	int/i31_iszero int/i31_modpow int/i31_montmul int/i31_muladd int/i31_ninv31 int/i31_rshift
	int/i31_sub int/i31_tmont int/i32_div32)
# Print the list (or the defines) for scripts/target-crypto-check.sh, which builds the same files on the host.
if [ "$toolchain" = --files ]; then
	printf '%s\n' "${files[@]}"
	exit 0
fi
if [ "$toolchain" = --defines ]; then
	printf '%s\n' "${defines[@]}"
	exit 0
fi
prefix="${2:?install prefix}"
flags="$(sed -n 's/^set(DFUKIT_CPU_FLAGS "\(.*\)")$/\1/p' "$root/cmake/$toolchain.cmake")"
[ -n "$flags" ] || { echo "bearssl-target: no DFUKIT_CPU_FLAGS in cmake/$toolchain.cmake" >&2; exit 1; }

src="${DFUKIT_BEARSSL_SRC:-$("$root/scripts/debian-source.sh" bearssl inc/bearssl.h)}"
if [ ! -f "$src/src/hash/sha2small.c" ] || [ ! -f "$src/src/ec/ec_p256_m31.c" ]; then
	echo "bearssl-target: $src is not a BearSSL 0.6 tree" >&2
	exit 1
fi
version="bearssl-0.6 ${defines[*]}"

lib="$prefix/lib/libbearssl.a"
if [ -f "$lib" ] && [ "$lib" -nt "$0" ] && [ -f "$prefix/bearssl-version" ] &&
	[ "$(cat "$prefix/bearssl-version")" = "$version $flags" ]; then
	exit 0
fi
mkdir -p "$prefix/include" "$prefix/lib" "$prefix/obj/bearssl"
cp "$src"/inc/bearssl*.h "$prefix/include/"
objs=()
for f in "${files[@]}"; do
	o="$prefix/obj/bearssl/$(basename "$f").o"
	# shellcheck disable=SC2086 # flags is a list of options
	arm-none-eabi-gcc $flags -Os -ffunction-sections -fdata-sections -ffreestanding "${defines[@]}" \
		-I"$src/inc" -I"$src/src" -c "$src/src/$f.c" -o "$o"
	objs+=("$o")
done
rm -f "$lib"
arm-none-eabi-ar rcs "$lib" "${objs[@]}"
echo "$version $flags" >"$prefix/bearssl-version"
echo "bearssl-target: BearSSL 0.6 for $toolchain ($flags) in $prefix"
