#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# dfukit-image's encrypted images through the CLI: sign -E with every key wrap
# and AES size, each image decrypted by dfukit AND by tests/interop/
# decrypt_mcuboot.py (python3-cryptography, written from MCUboot's spec) with
# the same plaintext; imgtool-made images (fixtures) through verify --decrypt
# and decrypt; keygen/getpub/getpriv -t x25519 against imgtool's outputs; the
# refusals and bad input; files the user did not name are never written.
#   sh cli_encrypt_test.sh PATH/TO/dfukit-image
set -u
T=$1
F=${DFUKIT_FIXTURES:?}/mcuboot
E=$F/encrypted
PY=$(dirname "$0")/../../interop/decrypt_mcuboot.py
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fails=0
if ! python3 -c 'import cryptography' 2>/dev/null; then
	echo "SKIP: python3-cryptography is needed for the independent decryptor"
	exit 77
fi
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
# expect NAME STATUS CMD...: the exit status is STATUS.
expect() {
	name=$1 want=$2; shift 2
	"$@" >"$D/out" 2>"$D/err"; got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else bad "$name (exit $got, want $want: $(cat "$D/err" "$D/out" | head -2))"; fi
}
C="-H 0x200 --align 4 -S 0x2000 -v 1.2.3+4 --pad-header"
P=$F/payloads/payload-1000.bin

# dfukit's images, every wrap x AES size: dfukit's and python's plaintext agree with the payload.
for spec in "rsa-2048 enc-rsa-2048 256" "ecdsa-p256 enc-ec256 256" "none enc-x25519 256" \
	"none enc-x25519 512"; do
	set -- $spec
	sk=""; [ "$1" != none ] && sk="-k $F/keys/$1.pem"
	for bits in 128 256; do
		o=$D/$1-$2-$3-$bits.bin
		n="sign -E $2 --encrypt-keylen $bits --hmac-sha $3"
		# shellcheck disable=SC2086
		if ! $T sign $C $sk -E "$E/keys/$2.pub.pem" --encrypt-keylen $bits --hmac-sha $3 "$P" "$o"; then
			bad "$n"; continue
		fi
		python3 "$PY" -k "$E/keys/$2.pem" "$o" "$o.py" || bad "$n: python decryptor"
		$T decrypt -k "$E/keys/$2.pem" "$o" "$o.c" || bad "$n: dfukit decrypt"
		if cmp -s "$o.py" "$o.c" && [ "$(stat -c %s "$o.c")" = 1008 ] &&
			head -c 1000 "$o.c" | cmp -s - "$P"; then ok "$n: both decryptors give the payload"
		else bad "$n: plaintexts differ"; fi
		# shellcheck disable=SC2086
		expect "$n: verify --decrypt" 0 $T verify $sk --decrypt "$E/keys/$2.pem" "$o"
		expect "$n: verify without the key fails" 1 $T verify "$o"
		tail -c +513 "$o" | head -c 1000 | cmp -s - "$P" && bad "$n: body left in clear"
	done
done

# imgtool's images: verify --decrypt and decrypt, every wrap and AES size.
for f in "$E"/*.bin; do
	b=$(basename "$f")
	case $b in
	*clear*) continue ;;
	rsa-2048-*) k=enc-rsa-2048 sk="-k $F/keys/rsa-2048.pem" ;;
	ecdsa-p256-*) k=enc-ec256 sk="-k $F/keys/ecdsa-p256.pem" ;;
	*) k=enc-x25519 sk="" ;;
	esac
	# shellcheck disable=SC2086
	expect "imgtool $b: verify --decrypt" 0 $T verify $sk --decrypt "$E/keys/$k.pem" "$f"
	$T decrypt -k "$E/keys/$k.pem" "$f" "$D/body" && python3 "$PY" -k "$E/keys/$k.pem" "$f" "$D/body.py" &&
		cmp -s "$D/body" "$D/body.py" && ok "imgtool $b: decrypt = python" || bad "imgtool $b: decrypt"
done
expect "imgtool --clear: verify as stored" 0 $T verify -k "$F/keys/ecdsa-p256.pem" "$E/ecdsa-p256-enc-ec256-clear.bin"
expect "imgtool --clear: decrypt refuses (hash)" 1 $T decrypt -k "$E/keys/enc-ec256.pem" \
	"$E/ecdsa-p256-enc-ec256-clear.bin" "$D/clear.out"
[ -e "$D/clear.out" ] && bad "decrypt wrote OUT after a failure"

# --clear from dfukit: flags and TLV, body in clear (verifies as stored).
$T sign $C -k "$F/keys/ecdsa-p256.pem" -E "$E/keys/enc-ec256.pub.pem" --clear "$P" "$D/clear.bin"
expect "dfukit --clear: verify as stored" 0 $T verify -k "$F/keys/ecdsa-p256.pem" "$D/clear.bin"
[ "$(od -An -tx1 -j16 -N1 "$D/clear.bin" | tr -d ' ')" = 04 ] && ok "--clear sets flag 0x04" || bad "--clear flag"

# imgtool's refusals, same words.
expect "ECDSA key + X25519 -E refused" 2 $T sign $C -k "$F/keys/ecdsa-p256.pem" -E "$E/keys/enc-x25519.pub.pem" "$P" "$D/x.bin"
grep -q "Signing and encryption must use the same type of key" "$D/err" && ok "its message" || bad "its message"
expect "RSA key + EC -E refused" 2 $T sign $C -k "$F/keys/rsa-2048.pem" -E "$E/keys/enc-ec256.pub.pem" "$P" "$D/x.bin"
expect "--hmac-sha 512 with EC refused" 2 $T sign $C -E "$E/keys/enc-ec256.pub.pem" --hmac-sha 512 "$P" "$D/x.bin"
grep -q "Currently only ECIES-X25519 supports HMAC-SHA512" "$D/err" && ok "its message" || bad "its message"
expect "--encrypt-keylen 192 refused" 2 $T sign $C -E "$E/keys/enc-ec256.pub.pem" --encrypt-keylen 192 "$P" "$D/x.bin"
expect "Ed25519 key as -E refused" 2 $T sign $C -E "$F/keys/ed25519.pub.pem" "$P" "$D/x.bin"
expect "--save-enctlv refused" 2 $T sign $C -E "$E/keys/enc-ec256.pub.pem" --save-enctlv "$P" "$D/x.bin"
[ -e "$D/x.bin" ] && bad "a refused sign wrote OUTFILE"

# Bad input: wrong key, key type mismatch, missing key TLV, flipped ciphertext, truncated TLV.
o=$D/none-enc-x25519-256-128.bin
$T keygen -k "$D/other-x25519.pem" -t x25519
expect "wrong X25519 key" 1 $T verify --decrypt "$D/other-x25519.pem" "$o"
grep -q "does not open" "$D/out" && ok "its message" || bad "its message: $(cat "$D/out")"
expect "RSA key for an X25519 TLV" 1 $T decrypt -k "$E/keys/enc-rsa-2048.pem" "$o" "$D/y"
grep -q "key TLV is 0x33 but the key is an RSA-2048 key" "$D/err" && ok "its message" || bad "its message: $(cat "$D/err")"
expect "public key cannot decrypt" 1 $T decrypt -k "$E/keys/enc-x25519.pub.pem" "$o" "$D/y"
expect "not encrypted" 1 $T decrypt -k "$E/keys/enc-x25519.pem" "$F/images/unsigned-1000-padhdr.bin" "$D/y"
cp "$o" "$D/flip.bin"
printf '\377' | dd of="$D/flip.bin" bs=1 seek=$((0x200 + 77)) conv=notrunc 2>/dev/null
expect "flipped ciphertext: verify fails" 1 $T verify --decrypt "$E/keys/enc-x25519.pem" "$D/flip.bin"
grep -q "Image has an invalid hash" "$D/out" && ok "its message" || bad "its message"
expect "flipped ciphertext: decrypt refuses" 1 $T decrypt -k "$E/keys/enc-x25519.pem" "$D/flip.bin" "$D/y"
# The key TLV is last: its type byte (at end - 84) made a vendor TLV's (0xa0), then its length one short.
cp "$o" "$D/nokey.bin"; sz=$(stat -c %s "$o")
printf '\240' | dd of="$D/nokey.bin" bs=1 seek=$((sz - 84)) conv=notrunc 2>/dev/null
expect "no key TLV" 1 $T decrypt -k "$E/keys/enc-x25519.pem" "$D/nokey.bin" "$D/y"
grep -q "no key TLV" "$D/err" && ok "its message" || bad "its message: $(cat "$D/err")"
cp "$o" "$D/short.bin"
printf '\117' | dd of="$D/short.bin" bs=1 seek=$((sz - 82)) conv=notrunc 2>/dev/null
head -c $((sz - 1)) "$D/short.bin" >"$D/short2.bin"
tot=$((sz - 0x200 - 1008 - 1)) # the TLV area's new total (< 256 here)
printf "\\$(printf %o $tot)" | dd of="$D/short2.bin" bs=1 seek=$((0x200 + 1008 + 2)) conv=notrunc 2>/dev/null
expect "truncated key TLV" 1 $T decrypt -k "$E/keys/enc-x25519.pem" "$D/short2.bin" "$D/y"
grep -q "truncated" "$D/err" && ok "its message" || bad "its message: $(cat "$D/err")"
[ -e "$D/y" ] && bad "decrypt wrote OUT after a failure"
# OUT is never IN, and OUT is replaced atomically.
cp "$o" "$D/same.bin"; cp "$o" "$D/same.copy"
expect "decrypt IN IN refused" 2 $T decrypt -k "$E/keys/enc-x25519.pem" "$D/same.bin" "$D/same.bin"
ln "$D/same.bin" "$D/same.link"
expect "decrypt IN hardlink-of-IN refused" 2 $T decrypt -k "$E/keys/enc-x25519.pem" "$D/same.bin" "$D/same.link"
cmp -s "$D/same.bin" "$D/same.copy" && ok "IN untouched" || bad "IN was modified"
ls "$D" | grep -q '\.tmp' && bad "a temporary file was left"

# keygen / getpub / getpriv -t x25519: imgtool's formats (fixtures made by imgtool).
$T getpub -k "$E/keys/enc-x25519.pem" | cmp -s - "$E/keys/enc-x25519.getpub.txt" && ok "getpub x25519 = imgtool" || bad "getpub x25519"
$T getpub -k "$E/keys/enc-x25519.pem" -e pem | cmp -s - "$E/keys/enc-x25519.pub.pem" && ok "getpub -e pem x25519 = imgtool" || bad "getpub pem x25519"
$T getpriv -k "$E/keys/enc-x25519.pem" | cmp -s - "$E/keys/enc-x25519.getpriv.txt" && ok "getpriv x25519 = imgtool" || bad "getpriv x25519"
for k in enc-rsa-2048 enc-ec256; do
	$T getpriv -k "$E/keys/$k.pem" | cmp -s - "$E/keys/$k.getpriv.txt" && ok "getpriv $k = imgtool" || bad "getpriv $k"
done
expect "getpriv -f openssl x25519 refused" 2 $T getpriv -k "$E/keys/enc-x25519.pem" -f openssl
grep -q "x25519 does not support openssl" "$D/err" && ok "its message" || bad "its message"
head -n 1 "$D/other-x25519.pem" | grep -q -- "-----BEGIN PRIVATE KEY" && ok "keygen x25519 writes PKCS#8 PEM" || bad "keygen x25519"
$T getpriv -k "$D/other-x25519.pem" | grep -q "0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06," && ok "keygen x25519 = PKCS#8 X25519" || bad "keygen x25519 DER"
$T --help | grep -q "decrypt" && ok "--help lists decrypt" || bad "--help lists decrypt"
$T sign --help | grep -q -- "--encrypt-keylen 128|256" && ok "sign --help lists -E" || bad "sign --help"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "all passed"
