#!/usr/bin/env bash
# The Cortex-M bootloader built with -DDFUKIT_BOOT_MODE=ram-load, run on the
# emulated board (QEMU mps2-an386 / mps2-an505) with its flash in a file.
# hello_world is linked to run from SRAM (hello_world-ram-BOARD: its code 64
# KiB + 0x200 into the RAM) and signed --load-addr for that address:
#   1. v1.0.0 in slot 0 alone: copied to RAM, validated there, and run there
#      ("Image 0 RAM loading to 0x... is succeeded.", the chainload address is
#      the load address);
#   2. v1.2.3 in slot 1: the newer one is loaded from the secondary slot;
#   3. in slot 1, v2.0.0 signed without --load-addr, then one whose load
#      address is the bootloader's own RAM, then a tampered one: each removed
#      from flash as MCUboot does, and slot 0's image runs.
#
#   tests/cm/emulated-ram-load.sh CROSS_BUILD_DIR HOST_BUILD_DIR
#   tests/cm/emulated-ram-load.sh --from CROSS_BUILD_DIR HOST_BUILD_DIR
# --from: CROSS_BUILD_DIR is a build of another strategy; configure
# CROSS_BUILD_DIR-ram-load like it (preset, build type, crypto, signatures,
# target prefix: the target crypto is not built again) and build there first.
set -euo pipefail
from=0
if [ "${1:-}" = --from ]; then from=1; shift; fi
(($# == 2)) || { echo "usage: $0 [--from] CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
get() { sed -n "s/^$1:[A-Z]*=//p" "$cross/CMakeCache.txt"; }
preset=$(basename "$(get CMAKE_TOOLCHAIN_FILE)" .cmake)
case $preset in cortex-m4f) b=reel_board ;; cortex-m33) b=nucleo_u575zi_q ;; *) exit 2 ;; esac
if ((from)); then
	(cd "$root" && cmake --preset "$preset" -B "$cross-ram-load" -DDFUKIT_BOOT_MODE=ram-load \
		-DDFUKIT_TARGET_PREFIX="$(get DFUKIT_TARGET_PREFIX)" -DDFUKIT_CRYPTO="$(get DFUKIT_CRYPTO)" \
		-DDFUKIT_SIGNATURES="$(get DFUKIT_SIGNATURES)" -DCMAKE_BUILD_TYPE="$(get CMAKE_BUILD_TYPE)" \
		>/dev/null)
	cross=$cross-ram-load
fi
cmake --build "$cross" -j2 --target "bootloader-mps2-$b" "hello_world-ram-$b" >/dev/null
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm-ram-load.XXXXXX")
trap 'rm -rf "$work"' EXIT

grep -q '^DFUKIT_BOOT_MODE:STRING=ram-load$' "$cross/CMakeCache.txt" ||
	{ echo "emulated-ram-load: $cross is not a -DDFUKIT_BOOT_MODE=ram-load build" >&2; exit 2; }
if [ "$b" = nucleo_u575zi_q ]; then
	machine=mps2-an505 load=0x10000000 ram=0x38000000
	flash_size=$((0x200000)) slot0=$((0x10000)) slot1=$((0xF8000)) slot_size=0xE8000 align=16
else
	machine=mps2-an386 load=0x0 ram=0x20000000
	flash_size=$((0x100000)) slot0=$((0xC000)) slot1=$((0x82000)) slot_size=0x76000 align=4
fi
exec_ram=$(printf '0x%x' $((ram + 0x10000)))
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$b.bin"
hello="$cross/apps/hello-world-cm/hello_world-ram-$b.bin"
read -r _ trusted < <("$root/scripts/cm-signing-key.sh" "$cross")
fails=0

sign() { # OUT VERSION [EXTRA...]
	local out=$1 version=$2
	shift 2
	"$signer" sign --key "$trusted" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$hello" "$out" >/dev/null
}
# boot FLASH LOG: power on until hello_world speaks or the bootloader stops (or 120 s)
boot() {
	: >"$2"
	timeout 120 qemu-system-arm -M "$machine" -nographic -monitor none -serial stdio \
		-semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$1" \
		-device "loader,file=$1,addr=$load,force-raw=on" >"$2" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q "Hello World!\|Unable to find bootable image" "$2"; then
			kill "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.05
	done
	wait "$pid" || true
}
# expect LOG WHAT REGEX...: each regex on the console, in order
expect() {
	local log=$1 what=$2
	shift 2
	if python3 - "$log" "$@" <<'PY'; then echo "  ok: $what"; else fails=$((fails + 1)); echo "emulated-ram-load: FAIL: $what" >&2; sed 's/^/  | /' "$log" >&2; fi
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
at = 0
for pattern in sys.argv[2:]:
    while at < len(lines) and not re.search(pattern, lines[at]):
        at += 1
    if at == len(lines):
        print(f"  /{pattern}/ missing (in order)", file=sys.stderr)
        sys.exit(1)
    at += 1
PY
}
compose() { # FLASH SLOT0 [SLOT1]
	local args=("$1" "$flash_size" "$boot_bin" 0 "$2" "$slot0")
	[ -z "${3:-}" ] || args+=("$3" "$slot1")
	"$root/scripts/compose-flash.py" "${args[@]}"
}

sign "$work/v1.0.0.bin" 1.0.0 --load-addr "$exec_ram"
sign "$work/v1.2.3.bin" 1.2.3 --load-addr "$exec_ram"
sign "$work/noload.bin" 2.0.0
sign "$work/lowram.bin" 2.0.0 --load-addr "$ram"
sign "$work/tampered.bin" 2.0.0 --load-addr "$exec_ram"
# one byte of the body (behind the 0x200-byte header) flipped: the hash fails
python3 - "$work/tampered.bin" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0x300] ^= 0x01
open(p, "wb").write(b)
PY

echo "== $b on $machine, ram-load: slot 0's image copied to $exec_ram and run there"
compose "$work/flash" "$work/v1.0.0.bin"
boot "$work/flash" "$work/a.log"
expect "$work/a.log" "slot 0 from RAM" "Starting bootloader" "Primary   slot: version=1.0.0\+0" \
	"Image 0 secondary slot: image not found" "Image 0 RAM loading to $exec_ram is succeeded." \
	"Image 0 loaded from the primary slot" "Bootloader chainload address offset: $exec_ram" \
	"Image version: v1.0.0" "Jumping to the first image slot" "Booting dfukit hello_world" \
	"Hello World!"
echo "== $b: the newer image in slot 1 is loaded"
compose "$work/flash" "$work/v1.0.0.bin" "$work/v1.2.3.bin"
boot "$work/flash" "$work/b.log"
expect "$work/b.log" "slot 1 from RAM" "Secondary slot: version=1.2.3\+0" \
	"Image 0 RAM loading to $exec_ram is succeeded." "Image 0 loaded from the secondary slot" \
	"Image version: v1.2.3" "Hello World!"
boot "$work/flash" "$work/b2.log"
expect "$work/b2.log" "slot 1 again (no revert)" "Image 0 loaded from the secondary slot" \
	"Hello World!"
echo "== $b: refused images in slot 1 are removed, slot 0 runs"
compose "$work/flash" "$work/v1.0.0.bin" "$work/noload.bin"
boot "$work/flash" "$work/c.log"
expect "$work/c.log" "no --load-addr" "Secondary slot: version=2.0.0\+0" \
	"Removing image 0 slot 1 from flash" "Image 0 loaded from the primary slot" "Hello World!"
boot "$work/flash" "$work/c2.log"
expect "$work/c2.log" "and gone" "Image 0 secondary slot: image not found" \
	"Image 0 loaded from the primary slot" "Hello World!"
compose "$work/flash" "$work/v1.0.0.bin" "$work/lowram.bin"
boot "$work/flash" "$work/d.log"
expect "$work/d.log" "load address in the bootloader's RAM" \
	"Image 0 RAM load address $ram is invalid." "Removing image 0 slot 1 from flash" \
	"Image 0 loaded from the primary slot" "Hello World!"
compose "$work/flash" "$work/v1.0.0.bin" "$work/tampered.bin"
boot "$work/flash" "$work/e.log"
expect "$work/e.log" "tampered" "Image 0 RAM loading to $exec_ram is succeeded." \
	"Image in the secondary slot is not valid!" "Removing image 0 from SRAM at address $exec_ram" \
	"Image 0 RAM loading to $exec_ram is succeeded." "Image 0 loaded from the primary slot" \
	"Image version: v1.0.0" "Hello World!"
((fails == 0)) || { echo "emulated-ram-load: $fails failed" >&2; exit 1; }
echo "emulated-ram-load: all passed"
