#!/usr/bin/env bash
# The Cortex-M size report (printed in CI by scripts/test.sh; kept in
# docs/performance.md). For each configuration (CMakePresets.json):
#   cortex-m4f  nRF52840 (reel_board)       -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16
#   cortex-m33  STM32U575 (nucleo_u575zi_q) -mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16
# it builds the portable libraries at -Os (MinSizeRel) with arm-none-eabi-gcc,
# the target crypto (scripts/mbedtls-target.sh, scripts/bearssl-target.sh), the link-only size firmware
# (bench/size) and the bootloader (apps/bootloader-cm), then prints
#   1. text/data/bss per library (archives, before linking)
#   2. text per object inside the linked firmware (--gc-sections,
#      newlib-nano), i.e. what usbd core + DFU class really cost
#   3. the bootloader image against its mcuboot partition
#   4. issue 17's goal: the ECDSA-P256 bootloader (built beside the preset's
#      in build-PRESET-ecdsa-p256 when the preset verifies another type)
#      against MCUboot's 10845 B of flash and 3432 B of bss
#      (swap-using-move + SHA-256 + ECDSA-P256 with tinycrypt, same compiler
#      and flags; /work/shared/notes/anchors.md, docs/performance.md)
#
#   scripts/cortex-m-sizes.sh [PRESET...]      (default: cortex-m4f cortex-m33)
# Builds in build-PRESET (the presets' own), or DFUKIT_SIZES_BUILD-PRESET.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
presets=("$@")
((${#presets[@]})) || presets=(cortex-m4f cortex-m33)
libs=(dfukit_usbd dfukit_msos20 dfukit_dfu dfukit_dfu_ramdisk dfukit_dfu_flash dfukit_dfuse dfukit_vudc
	dfukit_null_port dfukit_flash dfukit_image dfukit_boot)
attr="$root/bench/size/map-sizes.awk"
# The bootloader's crypto library (src/image, DFUKIT_CRYPTO): BearSSL 0.6 by
# default on Cortex-M (docs/performance.md, "Crypto library for the Cortex-M
# bootloader"); DFUKIT_CRYPTO=mbedtls in the environment reports mbedTLS's.
crypto="${DFUKIT_CRYPTO:-bearssl}"
# A report that silently leaves a part out is wrong; every missing piece is an error.
die() { echo "cortex-m-sizes: $*" >&2; exit 1; }
# MCUboot's bootloader (2d4bacc3, swap-using-move, SHA-256, ECDSA-P256 with tinycrypt, -Os).
mcuboot_flash=10845 mcuboot_bss=3432

# goal BUILD PRESET ELF: issue 17's comparison for the bootloader ELF names,
# from BUILD or, if that does not verify ECDSA-P256, from an ECDSA-P256 build beside it.
goal() {
	local build=$1 preset=$2 name sigs
	name=$(basename "$3" .elf)
	sigs="$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$build/CMakeCache.txt")"
	if [ "${sigs%%;*}" != ecdsa-p256 ]; then
		cmake --preset "$preset" -B "$build-ecdsa-p256" -DDFUKIT_TARGET_PREFIX="$build/target" \
			-DDFUKIT_CRYPTO="$crypto" -DDFUKIT_SIGNATURES=ecdsa-p256 >/dev/null
		cmake --build "$build-ecdsa-p256" -j"$(nproc)" --target "$name" >/dev/null
		build="$build-ecdsa-p256"
	fi
	local elf="$build/apps/bootloader-cm/$name.elf"
	[ -s "$elf" ] || die "$preset: no ECDSA-P256 $name for the goal"
	arm-none-eabi-size "$elf" | awk -v name="$name" -v mf="$mcuboot_flash" -v mb="$mcuboot_bss" 'NR == 2 {
		printf "-- issue 17 goal, %s with ECDSA-P256: flash %d B against MCUboot'"'"'s %d B (%.2fx, %+d B); RAM data + bss %d B against its %d B bss (stack high-water: bench/cm/stack-usage.sh; MCUboot'"'"'s is not in the anchor)\n",
			name, $1 + $2, mf, ($1 + $2) / mf, $1 + $2 - mf, $2 + $3, mb }'
}

for preset in "${presets[@]}"; do
	build="${DFUKIT_SIZES_BUILD:-$root/build}-$preset"
	./scripts/mbedtls-target.sh "$preset" "$build/target" >/dev/null
	./scripts/bearssl-target.sh "$preset" "$build/target" >/dev/null
	cmake --preset "$preset" -B "$build" -DDFUKIT_TARGET_PREFIX="$build/target" -DDFUKIT_CRYPTO="$crypto" >/dev/null
	cmake --build "$build" -j"$(nproc)" >/dev/null
	flags="$(sed -n 's/^DFUKIT_CPU_FLAGS:STRING=//p' "$build/CMakeCache.txt")"

	echo "== $preset: $flags -Os -ffunction-sections -fdata-sections"
	echo "-- libraries (archives), bytes"
	printf '%-22s %8s %8s %8s\n' library text data bss
	for lib in "${libs[@]}"; do
		archive="$(find "$build" -name "lib$lib.a" | head -n1)"
		[ -n "$archive" ] || die "$preset: lib$lib.a was not built"
		arm-none-eabi-size -t "$archive" | awk -v name="$lib" \
			'END { printf "%-22s %8d %8d %8d\n", name, $1, $2, $3 }'
	done

	echo "-- linked firmware (--gc-sections, --specs=nano.specs, null UDC), text bytes per object"
	for fw in fw-dfu fw-dfu-runtime fw-dfu-static; do
		[ -s "$build/bench/size/$fw.map" ] || die "$preset: no link map for $fw"
		awk -f "$attr" "$build/bench/size/$fw.map" | awk -v fw="$fw" '
			{ t[$1] = $2; total += $2 }
			$1 ~ /^libc|^libgcc/ { libc += $2 }
			END {
				if (!t["usbd_core.c"] || !t["usbd_desc.c"] || !t["dfu.c"]) {
					printf "cortex-m-sizes: %s: usbd_core.c, usbd_desc.c or dfu.c missing from the link map\n", fw > "/dev/stderr"
					exit 1
				}
				# The usbd core is its request handling and its descriptor walk.
				core = t["usbd_core.c"] + t["usbd_desc.c"]; cls = t["dfu.c"]
				printf "%-15s usbd core %5d  DFU class %5d  = %5d   | device description (sample_device) %d, MS OS 2.0 descriptors (msos20) %d, ramdisk %d, null port %d, app+startup %d, libc %d; image %d\n",
					fw, core, cls, core + cls, t["sample_device.c"], t["msos20.c"], t["dfu_ramdisk.c"],
					t["null_udc.c"], t["fw_dfu.c"] + t["fw_dfu_static.c"] + t["startup.c"], libc, total
			}'
	done
	base="$(arm-none-eabi-size "$build/bench/size/fw-base.elf" | awk 'NR == 2 { print $1 }')"
	full="$(arm-none-eabi-size "$build/bench/size/fw-dfu.elf" | awk 'NR == 2 { print $1 }')"
	echo "difference method: fw-dfu $full - fw-base $base = $((full - base)) B text (stack + descriptors + ramdisk + null port + libc)"

	elfs=("$build"/apps/bootloader-cm/bootloader-*.elf)
	[ -e "${elfs[0]}" ] || die "$preset: no bootloader was built (target mbedTLS missing?)"
	for elf in "${elfs[@]}"; do
		map="${elf%.elf}.map"
		len="$(awk '$1 == "FLASH" { print $3; exit }' "$map")"
		arm-none-eabi-size "$elf" | awk -v name="$(basename "$elf" .elf)" -v len="$len" 'NR == 2 {
			part = 0; l = tolower(len); sub(/^0x/, "", l)
			for (i = 1; i <= length(l); i++) part = part * 16 + index("0123456789abcdef", substr(l, i, 1)) - 1
			printf "-- %s: flash %d B (text %d + data %d) of %d B partition (%.1f%%), RAM %d B\n",
				name, $1 + $2, $1, $2, part, 100 * ($1 + $2) / part, $2 + $3 }'
		sigs="$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$build/CMakeCache.txt")"
		lib="$(sed -n 's/^DFUKIT_CRYPTO:STRING=//p' "$build/CMakeCache.txt")"
		[ "$lib" = "$crypto" ] || die "$preset: built with DFUKIT_CRYPTO=$lib, not $crypto"
		[ "$lib" != bearssl ] || lib="bearssl-$(sed -n 's/^DFUKIT_BEARSSL_P256:STRING=//p' "$build/CMakeCache.txt")"
		awk -f "$attr" "$map" | awk -v sigs="$sigs" -v lib="$lib" '
			$1 ~ /^(boot|trailer)\.c$/ { b += $2; next }
			$1 == "image.c" || $1 ~ /^crypto_.*\.c$/ { im += $2; next }
			$1 ~ /^(board_image|trusted_keys)\.c$/ { keys += $2; next }
			$1 ~ /^(flash|flash_sim)\.c$/ { fl += $2; next }
			$1 ~ /^(ecdsa|ecp|ecp_curves|rsa|rsa_internal|oid)$/ { sig += $2; next }
			$1 ~ /^(asn1parse|asn1write|bignum|constant_time|md|memory_buffer_alloc|platform|platform_util)$/ { mpi += $2; next }
			$1 == "sha256" || $1 == "sha2small" { sha += $2; next }
			$1 ~ /^(ec_|ecdsa_|i15_|i31_|i32_|ccopy$|dec32be$|enc32be$)/ { bear += $2; next }
			$1 ~ /^libc|^libgcc/ { lc += $2; next }
			{ other += $2 }
			END { printf "   crypto %s: boot core %d, image validation %d, trusted keys %d, flash %d, SHA-256 %d, signature %s: BearSSL %d + mbedTLS %d + bignum/asn1/md %d, libc %d, main+board+port+startup %d\n",
				lib, b, im, keys, fl, sha, sigs, bear, sig, mpi, lc, other }'
		# The link-only bootloader is the one issue 17 compares.
		case $(basename "$elf") in bootloader-mps2-*) ;; *) goal "$build" "$preset" "$elf" ;; esac
	done
done
