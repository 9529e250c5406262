#!/usr/bin/env bash
# The Cortex-M bootloader built with -DDFUKIT_BOOT_MODE=direct-xip, run on the
# emulated board (QEMU mps2-an386 / mps2-an505) with its flash in a file:
#   1. hello_world v0.0.0 linked and signed (-F) for slot 0, confirmed, and
#      v1.2.3 linked and signed for slot 1 as a test image: the bootloader
#      jumps into slot 1 ("Image 0 loaded from the secondary slot");
#   2. the next boot erases the unconfirmed slot-1 image and jumps into slot 0;
#   3. the slot-0 build of v1.2.3 (signed -F slot 0) put into slot 1 is
#      skipped ("has been built for offset"), slot 0 runs.
#
#   tests/cm/emulated-xip.sh CROSS_BUILD_DIR HOST_BUILD_DIR
#   tests/cm/emulated-xip.sh --from CROSS_BUILD_DIR HOST_BUILD_DIR
# --from: CROSS_BUILD_DIR is a build of another strategy (CI's are
# swap-using-move); configure CROSS_BUILD_DIR-direct-xip like it (preset,
# build type, crypto, signatures, target prefix: the target crypto is not
# built again) and build the bootloader and both hello_worlds there first.
set -euo pipefail
from=0
if [ "${1:-}" = --from ]; then from=1; shift; fi
(($# == 2)) || { echo "usage: $0 [--from] CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
if ((from)); then
	get() { sed -n "s/^$1:[A-Z]*=//p" "$cross/CMakeCache.txt"; }
	preset=$(basename "$(get CMAKE_TOOLCHAIN_FILE)" .cmake)
	case $preset in cortex-m4f) b=reel_board ;; cortex-m33) b=nucleo_u575zi_q ;; *) exit 2 ;; esac
	(cd "$root" && cmake --preset "$preset" -B "$cross-direct-xip" -DDFUKIT_BOOT_MODE=direct-xip \
		-DDFUKIT_TARGET_PREFIX="$(get DFUKIT_TARGET_PREFIX)" -DDFUKIT_CRYPTO="$(get DFUKIT_CRYPTO)" \
		-DDFUKIT_SIGNATURES="$(get DFUKIT_SIGNATURES)" -DCMAKE_BUILD_TYPE="$(get CMAKE_BUILD_TYPE)" \
		>/dev/null)
	cmake --build "$cross-direct-xip" -j2 --target "bootloader-mps2-$b" "hello_world-$b" \
		"hello_world-slot1-$b" >/dev/null
	cross=$cross-direct-xip
fi
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm-xip.XXXXXX")
trap 'rm -rf "$work"' EXIT

grep -q '^DFUKIT_BOOT_MODE:STRING=direct-xip$' "$cross/CMakeCache.txt" ||
	{ echo "emulated-xip: $cross is not a -DDFUKIT_BOOT_MODE=direct-xip build" >&2; exit 2; }
if grep -q 'cortex-m33' "$cross/CMakeCache.txt"; then
	board=nucleo_u575zi_q machine=mps2-an505 load=0x10000000
	flash_size=$((0x200000)) slot0=$((0x10000)) slot1=$((0xF8000)) slot_size=0xE8000 align=16
else
	board=reel_board machine=mps2-an386 load=0x0
	flash_size=$((0x100000)) slot0=$((0xC000)) slot1=$((0x82000)) slot_size=0x76000 align=4
fi
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
hello0="$cross/apps/hello-world-cm/hello_world-$board.bin"
hello1="$cross/apps/hello-world-cm/hello_world-slot1-$board.bin"
read -r _ trusted < <("$root/scripts/cm-signing-key.sh" "$cross")
fails=0

sign() { # IN OUT VERSION ADDR [EXTRA...]
	local in=$1 out=$2 version=$3 addr=$4
	shift 4
	"$signer" sign --key "$trusted" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" --rom-fixed "$addr" "$@" "$in" "$out" >/dev/null
}
# boot FLASH LOG: power on until hello_world speaks (or 120 s)
boot() {
	: >"$2"
	timeout 120 qemu-system-arm -M "$machine" -nographic -monitor none -serial stdio \
		-semihosting-config "enable=on,target=native,arg=bootloader,arg=flash=$1" \
		-device "loader,file=$1,addr=$load,force-raw=on" >"$2" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q "Hello World!" "$2"; then kill "$pid" 2>/dev/null || true; break; fi
		sleep 0.05
	done
	wait "$pid" || true
}
# expect LOG WHAT REGEX...: each regex on the console, in order
expect() {
	local log=$1 what=$2
	shift 2
	if python3 - "$log" "$@" <<'PY'; then echo "  ok: $what"; else fails=$((fails + 1)); echo "emulated-xip: FAIL: $what" >&2; sed 's/^/  | /' "$log" >&2; fi
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

sign "$hello0" "$work/v0.bin" 0.0.0 $slot0 --confirm
sign "$hello1" "$work/v1-slot1.bin" 1.2.3 $slot1 --pad
sign "$hello0" "$work/v1-slot0.bin" 1.2.3 $slot0 --pad
compose() { "$root/scripts/compose-flash.py" "$1" "$flash_size" "$boot_bin" 0 "$2" "$slot0" "$3" "$slot1"; }

echo "== $board on $machine, direct-xip: the newer image runs from slot 1"
compose "$work/flash" "$work/v0.bin" "$work/v1-slot1.bin"
boot "$work/flash" "$work/a.log"
expect "$work/a.log" "slot 1 runs" "Starting bootloader" "Secondary slot: version=1.2.3\+0" \
	"Image 0 loaded from the secondary slot" \
	"$(printf 'Bootloader chainload address offset: 0x%x' $slot1)" "Image version: v1.2.3" \
	"Booting dfukit hello_world" "Hello World!"
echo "== $board: not confirmed, so erased at the next boot; slot 0 runs"
boot "$work/flash" "$work/b.log"
expect "$work/b.log" "revert to slot 0" "Erasing faulty image in the secondary slot." \
	"Image 0 loaded from the primary slot" "Image version: v0.0.0" "Hello World!"
echo "== $board: an image built for slot 0 is skipped in slot 1"
compose "$work/flash" "$work/v0.bin" "$work/v1-slot0.bin"
boot "$work/flash" "$work/c.log"
expect "$work/c.log" "ROM_FIXED mismatch" \
	"$(printf 'Image in secondary slot at 0x%x has been built for offset 0x%x, skipping' $slot1 $slot0)" \
	"Image 0 loaded from the primary slot" "Image version: v0.0.0" "Hello World!"
((fails == 0)) || { echo "emulated-xip: $fails failed" >&2; exit 1; }
echo "emulated-xip: all passed"
