#!/usr/bin/env bash
# Throughput of the real dfu-util against the virtual board over USB/IP:
# 1 MiB download and upload at transfer sizes 512 and 4096, and the floor
# measured in the same run: the round trip of one no-data control transfer
# times the number of control transfers the protocol needs.
#
#   bench/dfu-speed.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target dfukit dfukit-board dfu-sample usb-probe >/dev/null
log=$(mktemp)
DFUKIT_RAMDISK_SIZE=1M "$root/tests/e2e/with-board.sh" "$build" --timeout 600 \
	"$root/bench/scenario-dfu-speed.sh" "$build/bench/usb-probe" >"$log" 2>&1 || {
	cat "$log"; exit 1; }
python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
rtts = [float(x) for x in re.findall(r"RTT BENCH rtt_ms=([\d.]+)", text)]
rtt = sum(rtts) / len(rtts)
cases = re.findall(r"BENCH-CASE (\w+) t=(\d+)\s*\n.*?BENCH wall_ms=([\d.]+)", text, re.S)
counts = [int(x) for x in re.findall(r"<dbg> main: \d+ bytes, (\d+) control transfers", text)]
size = 1 << 20
startup = [float(x) for x in re.findall(r"STARTUP BENCH wall_ms=([\d.]+)", text)]
boot = min(startup)
print(f"empty control transfer round trip: {rtt:.3f} ms (mean of {len(rtts)} runs of 200)")
print(f"dfu-util -l (start-up + enumeration, no transfer): {boot:.1f} ms (best of {len(startup)})")
print(f"{'case':<16}{'wall ms':>10}{'KiB/s':>10}{'transfers':>11}{'floor ms':>10}{'ratio':>8}{'ratio-startup':>15}")
dn = iter(counts)
for kind, t, ms in cases:
    t = int(t); ms = float(ms); blocks = -(-size // t)
    if kind == "download":
        n = next(dn)          # counted by the device
    else:
        n = blocks + 1        # UPLOADs; the last is the short (zero-length) one
    floor = n * rtt
    print(f"{kind + ' t=' + str(t):<16}{ms:>10.1f}{size / 1024 / (ms / 1000):>10.0f}{n:>11}{floor:>10.1f}{ms / floor:>8.2f}{(ms - boot) / floor:>15.2f}")
for n, t in zip(counts, [512, 4096]):
    blocks = -(-size // t)
    print(f"download t={t}: {n} control transfers for {blocks} blocks = {(n - 2) / blocks:.2f} per block (+2 to end)")
PY
rm -f "$log"
