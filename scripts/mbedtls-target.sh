#!/usr/bin/env bash
# Build mbedTLS for a Cortex-M target with the minimal configuration in
# cmake/mbedtls/dfukit-mbedtls-config.h, and install it as a prefix the cross
# build finds (DFUKIT_TARGET_PREFIX, see cmake/arm-none-eabi.cmake):
#   PREFIX/include/mbedtls/*.h   (config.h = the minimal configuration)
#   PREFIX/lib/libmbedcrypto.a
#
#   scripts/mbedtls-target.sh TOOLCHAIN PREFIX     e.g. cortex-m4f build-cortex-m4f/target
#
# Debian ships mbedTLS only as host libraries, so the source comes from
# Debian's archive (scripts/debian-source.sh: `apt-get source`, a deb-src entry
# for bookworm is added if missing) unless DFUKIT_MBEDTLS_SRC points at an
# unpacked mbedTLS 2.28 tree.
# Debian's package adds only packaging (debian/) to the upstream tarball.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolchain="${1:?toolchain name, e.g. cortex-m4f}"
prefix="${2:?install prefix}"
config="$root/cmake/mbedtls/dfukit-mbedtls-config.h"
flags="$(sed -n 's/^set(DFUKIT_CPU_FLAGS "\(.*\)")$/\1/p' "$root/cmake/$toolchain.cmake")"
[ -n "$flags" ] || { echo "mbedtls-target: no DFUKIT_CPU_FLAGS in cmake/$toolchain.cmake" >&2; exit 1; }

# The library files the configuration needs; --gc-sections drops what is unused.
files=(aes asn1parse asn1write bignum constant_time ecdh ecdsa ecp ecp_curves hkdf md
       memory_buffer_alloc oid platform platform_util rsa rsa_internal sha256)

src="${DFUKIT_MBEDTLS_SRC:-$("$root/scripts/debian-source.sh" mbedtls include/mbedtls/version.h)}"
version="$(sed -n 's/^#define MBEDTLS_VERSION_STRING *"\(.*\)"/\1/p' "$src/include/mbedtls/version.h")"
case "$version" in
2.28.*) ;;
*) echo "mbedtls-target: need mbedTLS 2.28 (src/image uses its API), found '$version'" >&2; exit 1 ;;
esac

lib="$prefix/lib/libmbedcrypto.a"
if [ -f "$lib" ] && [ "$lib" -nt "$config" ] && [ "$lib" -nt "$0" ] && [ -f "$prefix/version" ] &&
	[ "$(cat "$prefix/version")" = "$version $flags" ]; then
	exit 0
fi
# Only mbedTLS's own files: scripts/bearssl-target.sh installs into the same prefix.
rm -rf "$prefix/include/mbedtls" "$lib" "$prefix"/obj/*.o "$prefix/version"
mkdir -p "$prefix/include/mbedtls" "$prefix/lib" "$prefix/obj"
cp "$src"/include/mbedtls/*.h "$prefix/include/mbedtls/"
cp "$config" "$prefix/include/mbedtls/config.h"
objs=()
for f in "${files[@]}"; do
	# shellcheck disable=SC2086 # flags is a list of options
	arm-none-eabi-gcc $flags -Os -ffunction-sections -fdata-sections -ffreestanding -std=c99 \
		-Wall -I"$prefix/include" -c "$src/library/$f.c" -o "$prefix/obj/$f.o"
	objs+=("$prefix/obj/$f.o")
done
arm-none-eabi-ar rcs "$lib" "${objs[@]}"
echo "$version $flags" >"$prefix/version"
echo "mbedtls-target: mbedTLS $version for $toolchain ($flags) in $prefix"
