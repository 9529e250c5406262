#!/usr/bin/env bash
# The Cortex-M bootloader's size per board and signature type, from the link
# maps (bench/size/map-sizes.awk attributes each byte to its object), as
# scripts/cortex-m-sizes.sh reports it: the link-only build over the null port
# (bootloader-<board>, the size report's figure) and the emulated board's
# (bootloader-mps2-<board>, console UART and semihosting flash).
#
#   bench/cm/boot-sizes.sh CROSS_BUILD...
set -euo pipefail
(($#)) || { echo "usage: $0 CROSS_BUILD..." >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
echo "| bootloader | crypto | signature | flash (text + data) | bss | partition | fill | SHA-256 | signature crypto (mbedTLS: verify, bignum, asn1, heap; BearSSL: ec, ecdsa, i15/i31, codec; libsodium: ed25519_ref10, SHA-512, open) | boot core | image validation | flash layer | libc | the rest (main, keys, board, port, start-up) |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for cross in "$@"; do
	sig=$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$cross/CMakeCache.txt")
	crypto=$(sed -n 's/^DFUKIT_CRYPTO:STRING=//p' "$cross/CMakeCache.txt")
	[ "$crypto" != bearssl ] || crypto="bearssl-$(sed -n 's/^DFUKIT_BEARSSL_P256:STRING=//p' "$cross/CMakeCache.txt")"
	for elf in "$cross"/apps/bootloader-cm/bootloader-*.elf; do
		map="${elf%.elf}.map"
		part=$(($(awk '$1 == "FLASH" { print $3; exit }' "$map")))
		# The totals as arm-none-eabi-size has them (the map's parts leave out alignment fill).
		read -r st sd sb _ < <(arm-none-eabi-size "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
		awk -f "$root/bench/size/map-sizes.awk" "$map" | awk -v name="$(basename "$elf" .elf)" -v sig="${sig:-ecdsa-p256}" -v crypto="${crypto:-mbedtls}" -v part="$part" \
			-v flash=$((st + sd)) -v bss0="$sb" '
			{ t = $2 + $3 }
			$1 ~ /^(boot|trailer)\.c$/ { b += t; next }
			$1 == "image.c" || $1 == "boot_image.c" || $1 ~ /^crypto_.*\.c$/ { im += t; next }
			$1 ~ /^(flash|flash_sim|flash_mps2)\.c$/ { fl += t; next }
			$1 == "sha256" || $1 == "sha2small" { sha += t; next }
			$1 ~ /^(asn1parse|asn1write|bignum|constant_time|ecdsa|ecp|ecp_curves|md|memory_buffer_alloc|platform|platform_util|rsa|rsa_internal|oid)$/ { ec += t; next }
			$1 ~ /^(ec_|ecdsa_|i15_|i31_|i32_|ccopy$|dec32be$|enc32be$)/ { ec += t; next }
			$1 ~ /^(ed25519_ref10|open|sign|hash_sha512_cp|verify|utils)$/ { ec += t; next }
			$1 ~ /^libc|^libgcc/ { lc += t; next }
			{ other += t }
			END { printf "| %s | %s | %s | %d | %d | %d | %.1f %% | %d | %d | %d | %d | %d | %d | %d |\n",
				name, crypto, sig, flash, bss0, part, 100 * flash / part, sha, ec, b, im, fl, lc, other }'
	done
done
