#!/usr/bin/env bash
# CPU cost of a RAM-disk download, in instructions (deterministic, valgrind
# --tool=callgrind): bench/dfu_loopback.c at -O2 with its host-side helpers
# kept out of line, collecting only inside dfu_host_download().
#
#   bench/size/callgrind-download.sh [SIZE] [TRANSFER_SIZE]     (1 MiB, 4096)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
size="${1:-1048576}"
xfer="${2:-4096}"
build="$root/build-callgrind"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O2 -g" >/dev/null
cmake --build "$build" -j"$(nproc)" --target dfu-loopback >/dev/null
# The same program with the helpers of tests/unit/dfu_host.h not inlined, so
# that dfu_host_download() exists as a function to collect in. The libraries
# (the stack under test) keep their -O2 code.
obj="$build/dfu-loopback-cg.o"
cc -D_GNU_SOURCE -I"$root/include" -O2 -g -fno-inline -std=c11 -c "$root/bench/dfu_loopback.c" -o "$obj"
libs="$(sed -n 's/.*-o dfu-loopback *//p' "$build/bench/CMakeFiles/dfu-loopback.dir/link.txt")"
(cd "$build/bench" && cc -O2 -g "$obj" -o "$build/dfu-loopback-cg" $libs)

out="$build/callgrind.out"
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
	--toggle-collect=dfu_host_download "$build/dfu-loopback-cg" --size "$size" \
	--transfer-size "$xfer" >/dev/null 2>&1
callgrind_annotate --threshold=100 "$out" 2>/dev/null | sed -n '/file:function/,/^$/p' | awk -v size="$size" -v xfer="$xfer" '
	/^ *[0-9,]+ \(/ {
		n = $1; gsub(",", "", n); total += n
		if ($0 ~ /src\/usbd\/|src\/dfu\/dfu\.c/) stack += n
		else if ($0 ~ /dfu_ramdisk/) disk += n
		else if ($0 ~ /vudc/) vudc += n
		else if ($0 ~ /memmove|memcpy/) mem += n
		else host += n
	}
	END {
		kib = size / 1024
		printf "download of %d bytes at transfer size %d: %d instructions, %.0f per KiB\n", size, xfer, total, total / kib
		printf "  usbd core + DFU class %8.0f /KiB\n", stack / kib
		printf "  RAM-disk backend      %8.0f /KiB\n", disk / kib
		printf "  memcpy (libc)         %8.0f /KiB\n", mem / kib
		printf "  virtual UDC (vudc)    %8.0f /KiB  (controller + host side of the bus)\n", vudc / kib
		printf "  host helper, other    %8.0f /KiB\n", host / kib
	}'
