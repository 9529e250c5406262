#!/usr/bin/env bash
# Throughput of the real dfu-util against the virtual board over USB/IP:
# 1 MiB download and upload at transfer sizes 512 and 4096, and the floor
# measured in the same run: the round trip of one no-data control transfer
# times the number of control transfers the protocol needs.
#
# With Cortex-M cross builds named after it: a 256 KiB signed image into SLOT-1
# (dfu-util's default transfer size, 4096; three downloads) on the native
# board and on the emulated one (`dfukit board run --emulate`: the cross
# build's bootloader and DFU sample on QEMU mps2-an386 / mps2-an505), one
# after the other in the same run, both without flash timing. The signature
# type is the cross build's (DFUKIT_SIGNATURES); the native board checks the
# same image with its own build. The Cortex-M sample does not count control
# transfers (its class code is the native one's: the count is the same).
#
#   bench/dfu-speed.sh [BUILD_DIR [CROSS_BUILD...]]
#   e.g. bench/dfu-speed.sh build build-cortex-m4f build-cortex-m33
# NO_RAMDISK=1 leaves the 1 MiB ramdisk0 cases out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
(($# == 0)) || shift
cmake --build "$build" --target dfukit dfukit-board dfukit-image dfukit-emu dfu-sample usb-probe >/dev/null
[ -z "${NO_RAMDISK:-}" ] || { slot1_only=1; }
if [ -z "${slot1_only:-}" ]; then
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
fi

# SLOT-1, native beside emulated.
(($#)) || exit 0
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-dfuspeed.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo
echo "SLOT-1, 256 KiB signed image, dfu-util --alt 1 --download (default -t 4096), 3 runs each:"
echo "| board | signature | firmware | wall ms (3 runs) | KiB/s (best) | control transfers | empty control transfer ms | dfu-util -l ms |"
echo "|---|---|---|---|---:|---:|---:|---:|"
for cross in "$@"; do
	cross=$(cd "$cross" && pwd)
	if grep -q cortex-m33 "$cross/CMakeCache.txt"; then
		board=nucleo_u575zi_q slot_size=0xE8000 align=16
	else
		board=reel_board slot_size=0x76000 align=4
	fi
	signatures=$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$cross/CMakeCache.txt")
	case ${signatures%%;*} in
	rsa-2048) key=$root/keys/dfukit-dev-rsa-2048.pem alg=RSA-2048 ;;
	*) key=$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem alg=ECDSA-P256 ;;
	esac
	dir="$work/fw-$board"
	KEY=$key "$root/scripts/cm-firmware.sh" "$cross" "$build" "$dir" >/dev/null
	# hello_world padded to a signed image of 256 KiB (header 0x200, TLVs < 0x200).
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d + bytes(262144 - 0x400 - len(d)))' \
		"$cross/apps/hello-world-cm/hello_world-$board.bin" "$work/payload"
	"$build/bin/dfukit-image" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version 1.0.0 "$work/payload" "$work/image256k.bin" >/dev/null
	for kind in native emulated; do
		log="$work/$board-$kind.log"
		if [ "$kind" = emulated ]; then export DFUKIT_BOARD_EMULATE_DIR=$dir; else unset DFUKIT_BOARD_EMULATE_DIR; fi
		DFUKIT_GUEST_BENCH_SLOT1=1 "$root/tests/e2e/with-board.sh" --board "$board" "$build" --timeout 600 \
			"$root/bench/scenario-dfu-speed.sh" "$build/bench/usb-probe" "$work/image256k.bin" \
			>"$log" 2>&1 || { cat "$log"; exit 1; }
		python3 - "$log" "$board" "$alg $kind" "$(stat -c %s "$work/image256k.bin")" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
board, kind, size = sys.argv[2], sys.argv[3], int(sys.argv[4])
walls = [float(x) for x in re.findall(r"BENCH-CASE slot1 t=4096\s*\n(?:.*\n)*?.*?BENCH wall_ms=([\d.]+)", text)]
rtts = [float(x) for x in re.findall(r"RTT BENCH rtt_ms=([\d.]+)", text)]
startup = min(float(x) for x in re.findall(r"STARTUP BENCH wall_ms=([\d.]+)", text))
counts = re.findall(r"<dbg> main: \d+ bytes, (\d+) control transfers", text)
assert len(walls) == 3, walls
print(f"| {board} | {kind.split()[0]} | {kind.split()[1]} | {' / '.join(f'{w:.0f}' for w in walls)} | {size / 1024 / (min(walls) / 1000):.0f} | "
      f"{counts[-1] if counts else 'not counted'} | {sum(rtts) / len(rtts):.2f} | {startup:.0f} |")
PY
	done
done
