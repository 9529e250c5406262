#!/usr/bin/env bash
# dfukit's signer checked by an independent implementation of the format
# (mcuboot_check.py, python3-cryptography): plain, padded, confirmed, 16-byte
# aligned, RSA and ECDSA, KEYHASH and full PUBKEY; Ed25519, digest and --pure.
#   tests/interop/signer-interop.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
img="$1/bin/dfukit-image"
keys="$root/tests/fixtures/mcuboot/keys"
payload="$root/tests/fixtures/mcuboot/payloads/zpayload-70000.bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Cross builds run the signer under an emulator (DFUKIT_RUN_WRAPPER, e.g. qemu-s390x -L /).
if [ -n "${DFUKIT_RUN_WRAPPER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$DFUKIT_RUN_WRAPPER" "$img" >"$work/dfukit-image"
	chmod +x "$work/dfukit-image"
	img=$work/dfukit-image
fi
check() { /usr/bin/python3 "$here/mcuboot_check.py" "$@"; }
n=0
# The checker itself against imgtool's own output: good images pass, a tampered one fails.
vec="$root/tests/fixtures/mcuboot/images"
check --key "$keys/ecdsa-p256.pub.der" --slot-size 0x60000 --confirmed "$vec/ecdsa-p256-z70000-pad-confirm.bin"
check --key "$keys/ecdsa-p256.pub.der" --slot-size 0x60000 --align 16 --confirmed \
	"$vec/ecdsa-p256-z70000-align16-pad-confirm.bin"
check --key "$keys/rsa-2048.pub.der" "$vec/rsa-2048-z70000.bin"
if check --key "$keys/ecdsa-p256.pub.der" "$vec/ecdsa-p256-z70000-tampered.bin"; then
	echo "the checker accepted a tampered image" >&2
	exit 1
fi
n=4
for t in rsa-2048 ecdsa-p256; do
	common=(--key "$keys/$t.pem" --header-size 0x200 --slot-size 0x60000 --version 1.2.3+4)
	"$img" sign "${common[@]}" "$payload" "$work/$t.bin" >/dev/null
	check --key "$keys/$t.pub.der" "$work/$t.bin"
	"$img" sign "${common[@]}" --align 4 --pad "$payload" "$work/$t-pad.bin" >/dev/null
	check --key "$keys/$t.pub.der" --slot-size 0x60000 "$work/$t-pad.bin"
	"$img" sign "${common[@]}" --align 4 --pad --confirm "$payload" "$work/$t-confirm.bin" >/dev/null
	check --key "$keys/$t.pub.der" --slot-size 0x60000 --confirmed "$work/$t-confirm.bin"
	"$img" sign "${common[@]}" --align 16 --pad --confirm "$payload" "$work/$t-a16.bin" >/dev/null
	check --key "$keys/$t.pub.der" --slot-size 0x60000 --align 16 --confirmed "$work/$t-a16.bin"
	"$img" sign "${common[@]}" --public-key-format full "$payload" "$work/$t-full.bin" >/dev/null
	check --key "$keys/$t.pub.der" "$work/$t-full.bin"
	n=$((n + 5))
done
# imgtool's sign options: protected TLVs (counter, boot record, dependency, custom), flags,
# an HSM round trip (--vector-to-sign digest, signed outside, --fix-sig) and Intel HEX in.
opts="$root/tests/fixtures/mcuboot/options"
for t in rsa-2048 ecdsa-p256; do
	common=(--header-size 0x200 --slot-size 0x60000 --version 1.2.3+4)
	tlvs=(-s auto --boot-record SPE -d "(1,2.0.0)" --custom-tlv 0xa0 0x0102)
	"$img" sign "${common[@]}" --key "$keys/$t.pem" "${tlvs[@]}" -F 0x8000000 "$payload" "$work/$t-tlvs.bin" >/dev/null
	check --key "$keys/$t.pub.der" "$work/$t-tlvs.bin"
	"$img" sign "${common[@]}" --fix-sig-pubkey "$keys/$t.pub.pem" "${tlvs[@]}" --vector-to-sign digest \
		"$payload" "$work/$t.digest" >/dev/null
	# the "HSM": openssl with the private key, outside dfukit
	if [ $t = rsa-2048 ]; then
		openssl pkeyutl -sign -inkey "$keys/$t.pem" -in "$work/$t.digest" -pkeyopt digest:sha256 \
			-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -out "$work/$t.sig.raw"
	else
		openssl pkeyutl -sign -inkey "$keys/$t.pem" -in "$work/$t.digest" -out "$work/$t.sig.raw"
	fi
	base64 -w0 "$work/$t.sig.raw" >"$work/$t.sig"
	"$img" sign "${common[@]}" --fix-sig "$work/$t.sig" --fix-sig-pubkey "$keys/$t.pub.pem" "${tlvs[@]}" \
		"$payload" "$work/$t-hsm.bin" >/dev/null
	check --key "$keys/$t.pub.der" "$work/$t-hsm.bin"
	"$img" sign "${common[@]}" --pad-header --key "$keys/$t.pem" "$opts/in-1000.hex" "$work/$t-hex.bin" >/dev/null
	check --key "$keys/$t.pub.der" "$work/$t-hex.bin"
	n=$((n + 3))
done
# Ed25519, over the digest and --pure (over the image): imgtool's own first, then dfukit's.
check --key "$keys/ed25519.pub.der" "$opts/ed25519-pure-seccnt.bin"
check --key "$keys/ed25519.pub.der" --slot-size 0x60000 --confirmed "$opts/ed25519-pure-z70000-pad-confirm.bin"
common=(--key "$keys/ed25519.pem" --header-size 0x200 --slot-size 0x60000 --version 1.2.3+4)
"$img" sign "${common[@]}" "$payload" "$work/ed.bin" >/dev/null
check --key "$keys/ed25519.pub.der" "$work/ed.bin"
"$img" sign "${common[@]}" --pure -s auto --boot-record SPE "$payload" "$work/ed-pure.bin" >/dev/null
check --key "$keys/ed25519.pub.der" "$work/ed-pure.bin"
"$img" sign "${common[@]}" --pure --public-key-format full --align 4 --pad --confirm "$payload" \
	"$work/ed-pure-full.bin" >/dev/null
check --key "$keys/ed25519.pub.der" --slot-size 0x60000 --confirmed "$work/ed-pure-full.bin"
n=$((n + 5))
echo "$n passed, 0 failed"  # any failure exits non-zero before this line
