# SPDX-License-Identifier: Apache-2.0
# Sourced by cli_test.sh: Ed25519 keys and signatures (libsodium) against what the
# real imgtool made for the same commands (tests/fixtures/mcuboot/options, made by
# gen_ed25519.sh there; README.options, "Ed25519"). Ed25519 signatures are
# deterministic, so every image is compared byte for byte.
# Uses TOOL, F, TMP, ok, fail, one_line_error; DFUKIT_ED25519=1 when the image checks
# verify Ed25519 (DFUKIT_SIGNATURES).
O=$F/options
K=$F/keys
P=$F/payloads/payload-1000.bin
OC="--header-size 0x200 --align 4 --slot-size 0x2000 --version 1.2.3+4 --pad-header"
ed_same() { # OUT DFUKIT-SIGN-ARGS...: dfukit's OUTFILE is imgtool's $O/OUT byte for byte
	out=$1; shift
	rm -f "$TMP/$out"
	# shellcheck disable=SC2086
	"$TOOL" sign "$@" "$TMP/$out" 2>"$TMP/e" && cmp -s "$TMP/$out" "$O/$out" && ok ||
		fail "ed25519: sign $out: $(cat "$TMP/e") $(cmp "$TMP/$out" "$O/$out" 2>&1)"
}
EK=$K/ed25519.pem
BR="--boot-record SPE -s auto"
ed_same ed25519-plain.bin $OC -k "$EK" "$P"
ed_same ed25519-z70000.bin --header-size 0x200 --align 4 --slot-size 0x60000 --version 1.2.3+4 \
	-k "$EK" "$F/payloads/zpayload-70000.bin"
ed_same ed25519-pad-confirm.bin $OC -k "$EK" --pad --confirm "$P"
ed_same ed25519-pubkey-full.bin $OC -k "$EK" --public-key-format full "$P"
ed_same ed25519-signed.bin $OC -k "$EK" $BR --sig-out "$TMP/ed.sig" "$P"
cmp -s "$TMP/ed.sig" "$O/ed25519.sig" && ok || fail "ed25519: --sig-out differs from imgtool's"
ed_same ed25519-vector-payload.bin $OC -k "$EK" $BR --vector-to-sign payload "$P"
ed_same ed25519-vector-digest.bin $OC -k "$EK" $BR --vector-to-sign digest "$P"
ed_same ed25519-fix-sig.bin $OC --fix-sig "$O/ed25519.sig" --fix-sig-pubkey "$K/ed25519.pub.pem" $BR \
	--sig-out "$TMP/ed-fix.sig" "$P"
cmp -s "$TMP/ed-fix.sig" "$O/ed25519-fix-sig.sig-out" && ok || fail "ed25519: --fix-sig --sig-out"
# a signature of another image is refused by --fix-sig
one_line_error 1 "ed25519: --fix-sig of another digest" "$TOOL" sign $OC --fix-sig "$O/ed25519.sig" \
	--fix-sig-pubkey "$K/ed25519.pub.pem" -s 9 "$P" "$TMP/bad.bin"
# getpub / getpubhash of the private and the public key, as imgtool prints them
ed_out() { # FIXTURE ARGS...
	want=$O/$1; shift
	"$TOOL" "$@" >"$TMP/g.out" 2>"$TMP/e" && cmp -s "$TMP/g.out" "$want" && ok ||
		fail "ed25519: $*: $(cat "$TMP/e") $(cmp "$TMP/g.out" "$want" 2>&1)"
}
ed_out ed25519.getpub.txt getpub -k "$EK"
ed_out ed25519.getpub-pem.txt getpub -k "$EK" -e pem
ed_out ed25519.getpub-raw.der getpub -k "$EK" -e raw
ed_out ed25519.getpub-from-pub.txt getpub -k "$K/ed25519.pub.pem"
ed_out ed25519.getpubhash.txt getpubhash -k "$EK"
# keygen: a new key, whose images verify with it and with no other key
rm -f "$TMP/new-ed.pem"
"$TOOL" keygen -k "$TMP/new-ed.pem" -t ed25519 2>"$TMP/e" && grep -q "BEGIN PRIVATE KEY" "$TMP/new-ed.pem" &&
	ok || fail "ed25519: keygen: $(cat "$TMP/e")"
"$TOOL" getpub -k "$TMP/new-ed.pem" -e raw >"$TMP/new-ed.der" && [ "$(wc -c <"$TMP/new-ed.der")" -eq 44 ] &&
	! cmp -s "$TMP/new-ed.der" "$K/ed25519.pub.der" && ok || fail "ed25519: keygen made no new key"
"$TOOL" sign $OC -k "$TMP/new-ed.pem" "$P" "$TMP/new-ed.bin" && ok || fail "ed25519: sign with a new key"
if [ -n "${DFUKIT_ED25519:-}" ]; then
	"$TOOL" verify -k "$TMP/new-ed.pem" "$TMP/new-ed.bin" >/dev/null && ok || fail "ed25519: verify own key"
	out=$("$TOOL" verify -k "$EK" "$TMP/new-ed.bin"; echo "exit=$?")
	[ "$out" = "$(printf 'No signature found for the given key\nexit=1')" ] && ok ||
		fail "ed25519: verify with the wrong key: $out"
	# imgtool's images verify as imgtool says (--pure ones: cli_pure_test.sh)
	for want in "$O"/ed25519-*.bin.verify.txt; do
		img=${want%.verify.txt}
		case $img in *pure*) continue ;; esac
		out=$("$TOOL" verify -k "$EK" "$img" 2>&1; echo "exit=$?")
		[ "$out" = "$(cat "$want")" ] && ok || fail "ed25519: verify $(basename "$img"): $out"
	done
	# a flipped byte of the signature (the image's last bytes) is refused
	cp "$O/ed25519-plain.bin" "$TMP/ed-bad.bin"
	printf '\377' | dd of="$TMP/ed-bad.bin" bs=1 seek=$(($(wc -c <"$TMP/ed-bad.bin") - 3)) conv=notrunc 2>/dev/null
	out=$("$TOOL" verify -k "$EK" "$TMP/ed-bad.bin"; echo "exit=$?")
	[ "$out" = "$(printf 'No signature found for the given key\nexit=1')" ] && ok ||
		fail "ed25519: verify a bad signature: $out"
fi
