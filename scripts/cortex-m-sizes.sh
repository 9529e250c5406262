#!/usr/bin/env bash
# Build the portable layers for Cortex-M with arm-none-eabi-gcc at -Os and
# print the size of each library (text/data/bss summed over its objects).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-cortex-m4}"
libs=(dfukit_usbd dfukit_dfu dfukit_dfu_ramdisk dfukit_vudc)

cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
	-DCMAKE_BUILD_TYPE=MinSizeRel -DDFUKIT_HOST=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${libs[@]}"

echo "Cortex-M4 (-mcpu=cortex-m4 -mthumb -Os -ffreestanding), bytes:"
printf '%-22s %8s %8s %8s\n' library text data bss
for lib in "${libs[@]}"; do
	archive="$(find "$build" -name "lib$lib.a" | head -n1)"
	arm-none-eabi-size -t "$archive" | awk -v name="$lib" \
		'END { printf "%-22s %8d %8d %8d\n", name, $1, $2, $3 }'
done
