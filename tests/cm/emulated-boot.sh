#!/usr/bin/env bash
# The Cortex-M bootloader and hello_world, as the cross build made them, run on
# the emulated board (QEMU mps2-an386 for reel_board, mps2-an505 for
# nucleo_u575zi_q) with its flash in a file:
#   1. a signed image in slot 0 boots ("Hello World! <board>");
#   2. a test request in slot 1: swap, the new image boots; next reset: revert;
#   3. a bad image in slot 1 (flipped signature byte, then an untrusted key) is
#      refused and the old image still boots;
#   4. a power cut at every flash operation of a test swap, torn each of the
#      three ways flash_sim tears, then a boot without cut: it must resume and
#      boot the new image.
# A bootloader built with a decryption key (DFUKIT_ENC_KEY, as
# tests/cm/emulated-enc.sh builds one) gets its slot-1 images encrypted for
# that key (its public key KEY.pub.pem beside KEY.der), and two more checks:
# the revert restores the encrypted download byte for byte, and an update
# encrypted for another key is refused.
#
#   tests/cm/emulated-boot.sh CROSS_BUILD_DIR HOST_BUILD_DIR
# (the cross build of the cortex-m4f or cortex-m33 preset; the host build for
# dfukit-image, which signs the images).
set -euo pipefail
(($# == 2)) || { echo "usage: $0 CROSS_BUILD_DIR HOST_BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cross=$(cd "$1" && pwd)
signer="$(cd "$2" && pwd)/bin/dfukit-image"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cm.XXXXXX")
trap 'rm -rf "$work"' EXIT

name=emulated-boot
. "$here/lib-emu.sh"
emu_board "$cross"
boot_bin="$cross/apps/bootloader-cm/bootloader-mps2-$board.bin"
hello_bin="$cross/apps/hello-world-cm/hello_world-$board.bin"
for f in "$boot_bin" "$hello_bin" "$signer"; do
	[ -f "$f" ] || { echo "emulated-boot: missing $f" >&2; exit 1; }
done
# The signature type the cross build verifies (DFUKIT_SIGNATURES, the first
# listed): a trusted key of that type, and its signature TLV.
read -r key_type trusted < <("$root/scripts/cm-signing-key.sh" "$cross")
case $key_type in rsa-2048) sig_tlv=0x20 ;; ecdsa-p256) sig_tlv=0x22 ;; ed25519) sig_tlv=0x24 ;; esac
echo "== signatures: $key_type"
# Encrypted updates when the bootloader decrypts: -E with its public key.
enc_key=$(sed -n 's/^DFUKIT_ENC_KEY:[A-Z]*=//p' "$cross/CMakeCache.txt")
enc=()
if [ -n "$enc_key" ]; then
	enc_pub=${enc_key%.der}.pub.pem
	[ -f "$enc_pub" ] || { echo "emulated-boot: no public key $enc_pub for $enc_key" >&2; exit 1; }
	enc=(-E "$enc_pub")
	echo "== updates encrypted for $(basename "$enc_key")"
fi

# sign OUT VERSION [KEY] [EXTRA...]: a hello_world image as the seed's build signs it.
sign() {
	local out=$1 version=$2 key=${3:-$trusted}
	shift 3 || shift $#
	"$signer" sign --key "$key" --header-size 0x200 --pad-header --align "$align" \
		--slot-size "$slot_size" --version "$version" "$@" "$hello_bin" "$out" >/dev/null
}

# new_flash FILE SLOT0_IMAGE [SLOT1_IMAGE]: an erased chip with the bootloader and images.
new_flash() {
	local out=$1 s0=$2 s1=${3:-}
	"$root/scripts/compose-flash.py" "$out" "$flash_size" "$boot_bin" 0 "$s0" "$slot0" \
		${s1:+"$s1" "$slot1"}
}

hello="Hello World! ${zephyr_board//\//\\/}\$"
sign "$work/v0.bin" 0.0.0
sign "$work/v1-test.bin" 1.2.3 "$trusted" --pad "${enc[@]}"

echo "== $board on $machine: plain boot"
new_flash "$work/flash" "$work/v0.bin"
boot_expecting 0 "plain boot" "$work/flash" "$work/plain.log" &&
	expect "$work/plain.log" "plain boot" "Starting bootloader" "Swap type: none" \
	"Jumping to the first image slot" "Booting dfukit hello_world" "$hello"

echo "== $board: test swap, then revert"
new_flash "$work/flash" "$work/v0.bin" "$work/v1-test.bin"
boot_expecting 0 "test swap" "$work/flash" "$work/test.log" &&
	expect "$work/test.log" "test swap" "Swap type: test" "Starting swap using move algorithm." \
	"Image version: v1.2.3" "$hello"
boot_expecting 0 "revert" "$work/flash" "$work/revert.log" &&
	expect "$work/revert.log" "revert" "Swap type: revert" "Image version: v0.0.0" "$hello"
if ((${#enc[@]})); then
	# Re-encrypted on its way back: slot 1 holds the download as it came.
	if python3 - "$work/flash" "$slot1" "$work/v1-test.bin" <<'PY'; then ok; else fail "the revert did not restore the encrypted update"; fi
import struct, sys
flash = open(sys.argv[1], "rb").read()
img = open(sys.argv[3], "rb").read()
hdr_size, img_size = struct.unpack_from("<HxxI", img, 8)
end = hdr_size + img_size
magic, total = struct.unpack_from("<HH", img, end)
end += total  # header, body and TLVs: the trailer is the bootloader's
at = int(sys.argv[2])
sys.exit(0 if flash[at:at + end] == img[:end] else 1)
PY
	"$signer" keygen -k "$work/other-enc.pem" -t "$key_type" >/dev/null
	"$signer" getpub -k "$work/other-enc.pem" -e pem -o "$work/other-enc.pub.pem" >/dev/null
	sign "$work/v1-otherkey.bin" 1.2.3 "$trusted" --pad -E "$work/other-enc.pub.pem"
	new_flash "$work/flash" "$work/v0.bin" "$work/v1-otherkey.bin"
	boot_expecting 0 "refuse an update for another key" "$work/flash" "$work/otherkey.log" &&
		expect "$work/otherkey.log" "refuse an update for another key" \
			"Image in the secondary slot is not valid!" "Image version: v0.0.0" "$hello"
fi

echo "== $board: bad images in slot 1 are refused, the old image boots"
python3 - "$work/v1-test.bin" "$work/v1-badsig.bin" "$sig_tlv" <<'PY'
import struct, sys
img = bytearray(open(sys.argv[1], "rb").read())
hdr_size, img_size = struct.unpack_from("<HxxI", img, 8)
off = hdr_size + img_size
magic, total = struct.unpack_from("<HH", img, off)
assert magic == 0x6907, "no TLV area"
end, off = off + total, off + 4
while off < end:
    kind, length = struct.unpack_from("<HH", img, off)
    if kind == int(sys.argv[3], 0):  # the signature: flip a byte in its middle
        img[off + 4 + length // 2] ^= 0x01
        break
    off += 4 + length
else:
    sys.exit("no signature TLV " + sys.argv[3])
open(sys.argv[2], "wb").write(img)
PY
# A key of the right type that no build trusts: made for this run.
"$signer" keygen -k "$work/untrusted.pem" -t "$key_type" >/dev/null
sign "$work/v1-untrusted.bin" 1.2.3 "$work/untrusted.pem" --pad "${enc[@]}"
for bad in badsig untrusted; do
	new_flash "$work/flash" "$work/v0.bin" "$work/v1-$bad.bin"
	boot_expecting 0 "refuse $bad" "$work/flash" "$work/$bad.log" &&
		expect "$work/$bad.log" "refuse $bad" "Image in the secondary slot is not valid!" \
		"Image version: v0.0.0" "$hello"
done

echo "== $board: a power cut at every flash operation of a test swap"
new_flash "$work/base" "$work/v0.bin" "$work/v1-test.bin"
cut=0
early=()
while :; do
	uncut=0
	for tear in 0 1 2; do
		cp "$work/base" "$work/flash"
		rc=0
		boot "$work/flash" "$work/cut.log" "cut-at=$cut" "cut-tear=$tear" || rc=$?
		if [ "$rc" != 67 ]; then
			uncut=1 # operation $cut is past the swap's last one
			[ "$rc" = 0 ] || fail "a boot with a cut at $cut past the swap: QEMU status $rc"
			break
		fi
		boot_expecting 0 "resume after a cut at $cut (tear $tear)" "$work/flash" "$work/resume.log" ||
			continue
		if grep -q "Image version: v0.0.0" "$work/resume.log"; then
			# Allowed only for the swap's last write (copy_done) torn bit by bit: the
			# flag reads as neither set nor unset and the bootloader reverts, as the
			# native power-cut test (tests/unit/boot/test_powercut.c) also allows.
			early+=("$cut:$tear")
			expect "$work/resume.log" "early revert after a cut at $cut" "Swap type: revert" "$hello"
		else
			expect "$work/resume.log" "resume after a cut at flash operation $cut (tear $tear)" \
				"Image version: v1.2.3" "$hello"
		fi
	done
	if ((uncut)); then
		expect "$work/cut.log" "uncut swap after $cut operations" "Image version: v1.2.3" "$hello"
		break
	fi
	cut=$((cut + 1))
	((cut < 2000)) || { fail "the swap never ended"; break; }
done
((cut > 0)) || fail "the swap made no flash operation: the cut test checked nothing"
for e in "${early[@]}"; do
	[ "$e" = "$((cut - 1)):2" ] && ok ||
		fail "a cut at flash operation ${e%:*} (tear ${e#*:}) reverted the test image before it ran"
done
echo "power cuts: each of the swap's $cut flash operations cut, torn each of 3 ways, and resumed"

summary "$board"
