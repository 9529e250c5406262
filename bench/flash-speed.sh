#!/usr/bin/env bash
# Download speed into SLOT-1 with each board's flash timing simulated
# (DFUKIT_FLASH_TIMING=1: erase/program take the chip's time, reported to the
# host as bwPollTimeout), against the flash-bound floor: the erase and
# program time of the sectors a 256 KiB image needs.
#
#   bench/flash-speed.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target dfukit dfukit-board dfukit-image bootloader dfu-sample-signed usb-probe >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A payload that makes a signed image of exactly 256 KiB (header 0x200, RSA TLVs 0x150).
head -c $((256 * 1024 - 0x200 - 0x150)) /dev/urandom >"$work/payload.bin"
"$build/bin/dfukit" image sign --key "$root/keys/dfukit-dev-rsa-2048.pem" --header-size 0x200 \
	--pad-header --align 4 --slot-size 0x76000 --version 1.0.0 "$work/payload.bin" "$work/image256k.bin" >/dev/null
size=$(stat -c %s "$work/image256k.bin")
for board in reel_board nucleo_u575zi_q; do
	DFUKIT_FLASH_TIMING=1 "$root/tests/e2e/with-board.sh" --board "$board" "$build" --timeout 600 \
		"$root/bench/scenario-flash-speed.sh" "$build/bench/usb-probe" "$work/image256k.bin" \
		>"$work/$board.log" 2>&1 || { cat "$work/$board.log"; exit 1; }
	python3 - "$work/$board.log" "$board" "$size" <<'PY'
import math, re, sys
text = open(sys.argv[1], errors="replace").read()
board, size = sys.argv[2], int(sys.argv[3])
geo = {"reel_board": (4096, 4, 85000, 41), "nucleo_u575zi_q": (8192, 16, 1500, 118)}[board]
sector, wb, erase_us, write_us = geo
erases = math.ceil(size / sector) + 1        # + the slot's last sector (stale trailer)
writes = math.ceil(size / wb)
floor_ms = (erases * erase_us + writes * write_us) / 1000
wall = float(re.search(r"DOWNLOAD BENCH wall_ms=([\d.]+)", text).group(1))
startup = min(float(x) for x in re.findall(r"STARTUP BENCH wall_ms=([\d.]+)", text))
rtt = float(re.search(r"RTT BENCH rtt_ms=([\d.]+)", text).group(1))
n = int(re.search(r"<dbg> main: \d+ bytes, (\d+) control transfers", text).group(1))
print(f"{board:<16} {size // 1024} KiB: {wall:8.0f} ms wall, floor {floor_ms:7.0f} ms "
      f"({erases} erases x {erase_us / 1000:g} ms + {writes} writes x {write_us} us), "
      f"ratio {wall / floor_ms:.3f} ({(wall - startup) / floor_ms:.3f} without dfu-util's "
      f"{startup:.0f} ms start-up); {n} control transfers for {math.ceil(size / 4096)} blocks; "
      f"empty control transfer {rtt:.2f} ms")
PY
done
