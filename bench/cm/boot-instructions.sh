#!/usr/bin/env bash
# Boot time of the Cortex-M bootloader on the emulated boards, in instructions:
# `qemu-system-arm -icount shift=0,sleep=off` makes one instruction one virtual
# nanosecond from reset, and hello_world-clock reads the FPGA's 25 MHz counter
# (40 instructions a tick) as its first action, so the figure is reset ->
# bootloader -> jump -> the image's first C statement (instructions, not cycles).
#
# Rows: a valid ECDSA-P256 image of 256 KiB in slot 0; the same with a 2 KiB
# image (the difference is SHA-256 over the other 254 KiB, the rest is mostly
# the signature); a 256 KiB test swap (both slots validated, swap-using-move).
#
#   bench/cm/boot-instructions.sh HOST_BUILD CROSS_BUILD...
#   e.g. bench/cm/boot-instructions.sh build build-cortex-m4f build-cortex-m33
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 HOST_BUILD CROSS_BUILD..." >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
signer="$(cd "$1" && pwd)/bin/dfukit-image"
shift
key="$root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-bootbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ticks FLASH: counter ticks at hello_world's start.
ticks() {
	local log="$work/run.log"
	timeout 300 qemu-system-arm -M "$machine" -icount shift=0,sleep=off -nographic -monitor none \
		-serial stdio -semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$1" \
		-device "loader,file=$1,addr=$load,force-raw=on" >"$log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && ! grep -q "^Hello World!" "$log"; do sleep 0.05; done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	local t
	t=$(sed -n 's/^boot-clock: \(0x[0-9a-f]*\) ticks.*/\1/p' "$log")
	[ -n "$t" ] || { echo "boot-instructions: no boot-clock line:" >&2; cat "$log" >&2; exit 1; }
	echo $((t))
}

# image OUT SIZE VERSION [EXTRA...]: hello_world-clock padded to SIZE bytes, signed.
image() {
	local out=$1 size=$2 version=$3
	shift 3
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); n=int(sys.argv[3]); assert len(d) <= n
open(sys.argv[2],"wb").write(d + bytes(n - len(d)))' "$hello" "$work/payload" "$size"
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$work/payload" "$out" >/dev/null
}

flash() {
	python3 - "$@" <<'PY'
import sys
out, size, boot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flash = bytearray(b"\xff" * size)
parts = [(boot, 0)] + [(sys.argv[i], int(sys.argv[i + 1])) for i in range(4, len(sys.argv), 2)]
for path, off in parts:
    data = open(path, "rb").read()
    flash[off:off + len(data)] = data
open(out, "wb").write(flash)
PY
}

echo "| CPU (machine) | boot, 256 KiB image | boot, 2 KiB image | SHA-256 of 254 KiB (difference) | test swap of 256 KiB |"
echo "|---|---|---|---|---|"
for cross in "$@"; do
	cross=$(cd "$cross" && pwd)
	if grep -q cortex-m33 "$cross/CMakeCache.txt"; then
		board=nucleo_u575zi_q machine=mps2-an505 load=0x10000000 cpu=Cortex-M33
		size=$((0x200000)) s0=$((0x10000)) s1=$((0xF8000)) slot_size=0xE8000 align=16
	else
		board=reel_board machine=mps2-an386 load=0x0 cpu=Cortex-M4F
		size=$((0x100000)) s0=$((0xC000)) s1=$((0x82000)) slot_size=0x76000 align=4
	fi
	boot="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
	hello="$cross/apps/hello-world-cm/hello_world-clock-$board.bin"
	image "$work/big.bin" 262144 0.0.0
	image "$work/small.bin" 2048 0.0.0
	image "$work/big-test.bin" 262144 1.0.0 --pad
	flash "$work/f" "$size" "$boot" "$work/big.bin" "$s0"
	big=$(($(ticks "$work/f") * 40))
	flash "$work/f" "$size" "$boot" "$work/small.bin" "$s0"
	small=$(($(ticks "$work/f") * 40))
	flash "$work/f" "$size" "$boot" "$work/big.bin" "$s0" "$work/big-test.bin" "$s1"
	swap=$(($(ticks "$work/f") * 40))
	printf '| %s (%s) | %d | %d | %d | %d |\n' "$cpu" "$machine" "$big" "$small" $((big - small)) "$swap"
done
