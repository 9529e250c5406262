#!/usr/bin/env bash
# Hardware rollback protection (MCUboot's MCUBOOT_HW_ROLLBACK_PROT) in the
# Cortex-M bootloader on the emulated board: CROSS_BUILD_DIR-seccnt is
# configured like the cross build with -DDFUKIT_SECURITY_COUNTER=ON, and the
# counter lives in the board's emulated OTP file (semihosting otp=PATH,
# port/mps2/otp_mps2.h; bits only go from 1 to 0). hello_world images signed
# with -s N:
#   1. v1.0.0 (-s 1) alone in slot 0 boots and raises the blank store to 1;
#   2. v0.5.0 (-s 0) in slot 1 is refused with MCUboot's line;
#   3. v2.0.0 (-s 2) as a test: swapped in and run, the store stays at 1;
#      the reset reverts to v1.0.0;
#   4. v2.0.0 (-s 2) --confirm: swapped in for good, the store goes to 2;
#   5. v1.0.0 (-s 1) is then refused, v2.0.0 runs; so is an image without
#      a security counter.
#
#   tests/cm/emulated-seccnt.sh CROSS_BUILD_DIR HOST_BUILD_DIR
set -euo pipefail
(($# == 2)) || { echo "usage: $0 CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
name=emulated-seccnt
. "$here/lib-emu.sh"
emu_variant_build "$cross" seccnt -DDFUKIT_SECURITY_COUNTER=ON -- bootloader-mps2-BOARD hello_world-BOARD
emu_board "$cross"
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm-seccnt.XXXXXX")
trap 'rm -rf "$work"' EXIT
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
hello_bin="$cross/apps/hello-world-cm/hello_world-$board.bin"
read -r _ key < <("$root/scripts/cm-signing-key.sh" "$cross")
hello="Hello World! ${zephyr_board//\//\\/}\$"

sign() { # OUT VERSION [EXTRA...]
	local out=$1 version=$2
	shift 2
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$hello_bin" "$out" >/dev/null
}
# plant IMAGE: slot 1 erased, then IMAGE written at its start (what a DFU download leaves).
plant() {
	python3 - "$work/flash" "$slot1" "$slot_size" "$1" <<'PY'
import sys
path, at, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
img = open(sys.argv[4], "rb").read()
with open(path, "r+b") as f:
    f.seek(at)
    f.write(b"\xff" * size)
    f.seek(at)
    f.write(img)
PY
}
# otp_is WHAT N: the value the OTP file's records hold (dfukit/security_counter.h) is N.
otp_is() {
	if python3 - "$work/otp" "$align" "$2" <<'PY'; then ok; else fail "$1: the OTP store does not hold $2"; fi
import struct, sys
data = open(sys.argv[1], "rb").read()
r = max(8, int(sys.argv[2]))
value = 0
for at in range(0, len(data) - r + 1, r):
    v, nv = struct.unpack_from("<II", data, at)
    if v ^ nv == 0xffffffff:
        value = max(value, v)
print(f"  OTP store: {value}")
sys.exit(0 if value == int(sys.argv[3]) else 1)
PY
}
run() { # WHAT LOG REGEX...: one boot with the OTP file, then the console checks
	local what=$1 log=$work/$2
	shift 2
	boot_expecting 0 "$what" "$work/flash" "$log" "otp=$work/otp" && expect "$log" "$what" "$@"
}

sign "$work/v1.bin" 1.0.0 -s 1
sign "$work/v0.5.bin" 0.5.0 -s 0 --pad
sign "$work/v2-test.bin" 2.0.0 -s 2 --pad
sign "$work/v2-perm.bin" 2.0.0 -s 2 --pad --confirm
sign "$work/v1-test.bin" 1.0.0 -s 1 --pad
sign "$work/nocounter.bin" 3.0.0 --pad
"$root/scripts/compose-flash.py" "$work/flash" "$flash_size" "$boot_bin" 0 "$work/v1.bin" "$slot0"
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\xff" * 1024)' "$work/otp"

echo "== $board on $machine: the security counter in the emulated OTP"
run "factory image" a.log "Swap type: none" "Image version: v1.0.0" "$hello"
otp_is "factory image, permanent" 1
plant "$work/v0.5.bin"
run "counter 0 below 1" b.log "Image security counter value 0 lower than monotonic value 1" \
	"Image in the secondary slot is not valid!" "Image version: v1.0.0" "$hello"
plant "$work/v2-test.bin"
run "test swap to counter 2" c.log "Swap type: test" "Image version: v2.0.0" "$hello"
otp_is "a test boot" 1
run "revert" d.log "Swap type: revert" "Image version: v1.0.0" "$hello"
otp_is "after the revert" 1
plant "$work/v2-perm.bin"
run "permanent swap to counter 2" e.log "Swap type: perm" "Image version: v2.0.0" "$hello"
otp_is "a confirmed image" 2
plant "$work/v1-test.bin"
run "counter 1 below 2" f.log "Image security counter value 1 lower than monotonic value 2" \
	"Image version: v2.0.0" "$hello"
plant "$work/nocounter.bin"
run "no counter" g.log "Image has no security counter" "Image version: v2.0.0" "$hello"
otp_is "after the refusals" 2
summary "$board"
