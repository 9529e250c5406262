#!/usr/bin/env bash
# Build libsodium 1.0.18's Ed25519 verification for a Cortex-M target (only the
# files crypto_sign_ed25519_verify_detached() links: ref10 Ed25519 over the
# 32-bit fe_25_5 field arithmetic, SHA-512, crypto_verify_32, sodium_memcmp),
# and install it as a prefix the cross build finds (DFUKIT_TARGET_PREFIX, see
# cmake/arm-none-eabi.cmake):
#   PREFIX/include/sodium/*.h
#   PREFIX/lib/libsodium.a
#
#   scripts/libsodium-target.sh TOOLCHAIN PREFIX     e.g. cortex-m4f build-cortex-m4f/target
#
# The prefix is usually the one scripts/mbedtls-target.sh and
# scripts/bearssl-target.sh fill; each script replaces only its own files.
# The source comes from Debian's archive (scripts/debian-source.sh: `apt-get
# source libsodium`, 1.0.18) unless DFUKIT_LIBSODIUM_SRC points at an unpacked
# libsodium 1.0.18 tree. libsodium's configure is not run (it probes the host,
# not the target): the files are compiled with what it would define for a
# 32-bit little-endian target without the optional platform features
# (CONFIGURED=1, NATIVE_LITTLE_ENDIAN=1; no HAVE_TI_MODE, so the 32-bit
# field arithmetic). scripts/target-crypto-check.sh builds the same files the
# same way on the host and checks them against Debian's libsodium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolchain="${1:?toolchain name, e.g. cortex-m4f}"
# Found from a link map of a program calling crypto_sign_ed25519_verify_detached;
# --gc-sections drops what a firmware does not use (signing, the base-point tables).
files=(crypto_sign/ed25519/ref10/open crypto_sign/ed25519/ref10/sign
	crypto_core/ed25519/ref10/ed25519_ref10 crypto_hash/sha512/cp/hash_sha512_cp
	crypto_verify/sodium/verify sodium/utils)
defines=(-DCONFIGURED=1 -DNATIVE_LITTLE_ENDIAN=1)
# For scripts/target-crypto-check.sh: the files, then the defines.
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
[ -n "$flags" ] || { echo "libsodium-target: no DFUKIT_CPU_FLAGS in cmake/$toolchain.cmake" >&2; exit 1; }

src="${DFUKIT_LIBSODIUM_SRC:-$("$root/scripts/debian-source.sh" libsodium src/libsodium/crypto_sign/ed25519/ref10/open.c)}"
s="$src/src/libsodium"
if [ ! -f "$s/crypto_core/ed25519/ref10/ed25519_ref10.c" ] || ! grep -q "1.0.18" "$src/configure.ac"; then
	echo "libsodium-target: $src is not a libsodium 1.0.18 tree" >&2
	exit 1
fi
version="libsodium-1.0.18"

lib="$prefix/lib/libsodium.a"
if [ -f "$lib" ] && [ "$lib" -nt "$0" ] && [ -f "$prefix/libsodium-version" ] &&
	[ "$(cat "$prefix/libsodium-version")" = "$version $flags" ]; then
	exit 0
fi
mkdir -p "$prefix/include/sodium" "$prefix/lib" "$prefix/obj/libsodium"
cp "$s"/include/sodium/*.h "$prefix/include/sodium/"
objs=()
for f in "${files[@]}"; do
	o="$prefix/obj/libsodium/$(basename "$f").o"
	# shellcheck disable=SC2086 # flags is a list of options
	arm-none-eabi-gcc $flags -Os -ffunction-sections -fdata-sections -ffreestanding \
		"${defines[@]}" -I"$s/include/sodium" -c "$s/$f.c" -o "$o"
	objs+=("$o")
done
rm -f "$lib"
arm-none-eabi-ar rcs "$lib" "${objs[@]}"
echo "$version $flags" >"$prefix/libsodium-version"
echo "libsodium-target: libsodium 1.0.18 (Ed25519 verify) for $toolchain ($flags) in $prefix"
