# SPDX-License-Identifier: Apache-2.0
# Sourced by cli_test.sh after cli_ed25519_test.sh: Ed25519 --pure (SHA512 TLV,
# SIG_PURE, SHA-512 KEYHASH, the signature over the image itself) against what
# the real imgtool made for the same commands (tests/fixtures/mcuboot/options,
# gen_ed25519.sh and gen_pure.sh; README.options, "Ed25519 --pure"). Ed25519 is
# deterministic, so every image is compared byte for byte; the refusals are
# imgtool's (exit 2).
# Uses TOOL, F, TMP, ok, fail, one_line_error, ed_same, O, K, P, OC, EK, BR.
# shellcheck disable=SC2086 # $OC, $Z7, $BR are word lists, as in cli_ed25519_test.sh
Z7="--header-size 0x200 --align 4 --slot-size 0x60000 --version 1.2.3+4"
Z=$F/payloads/zpayload-70000.bin
ed_same ed25519-pure.bin $OC -k "$EK" --pure "$P"
ed_same ed25519-pure-full.bin $OC -k "$EK" --pure --public-key-format full "$P"
ed_same ed25519-pure-z70000.bin $Z7 -k "$EK" --pure "$Z"
ed_same ed25519-pure-z70000-pad-confirm.bin $Z7 -k "$EK" --pure --pad --confirm "$Z"
ed_same ed25519-pure-seccnt.bin $OC -k "$EK" --pure -s auto "$P"
ed_same ed25519-pure-signed.bin $OC -k "$EK" --pure $BR --sig-out "$TMP/pure.sig" "$P"
cmp -s "$TMP/pure.sig" "$O/ed25519-pure.sig" && ok || fail "pure: --sig-out differs from imgtool's"
ed_same ed25519-pure-vector-payload.bin $OC -k "$EK" --pure -s auto --vector-to-sign payload "$P"
ed_same ed25519-pure-vector-digest.bin $OC -k "$EK" --pure -s auto --vector-to-sign digest "$P"
# imgtool's refusals: another key type, --sha; and dfukit's: no key, -E, --fix-sig
pure_refused() { # WHAT GREP ARGS...: exit 2, one line saying GREP
	pr_what=$1 pr_says=$2 # not want: one_line_error sets that
	shift 2
	one_line_error 2 "pure: $pr_what" "$TOOL" sign $OC --pure "$@" "$P" "$TMP/pure-x.bin"
	grep -q "$pr_says" "$TMP/e" && ok || fail "pure: $pr_what: $(cat "$TMP/e")"
}
pure_refused ecdsa-p256 "Could not find allowed hash algorithms for ecdsa keys" -k "$K/ecdsa-p256.pem"
pure_refused rsa-2048 "Could not find allowed hash algorithms for rsa keys" -k "$K/rsa-2048.pem"
for sha in 256 512; do
	pure_refused "--sha $sha" "Pure signatures, currently, enforces preferred hash algorithm" \
		-k "$EK" --sha $sha
done
pure_refused "no key" "needs an Ed25519 key" -s 1
pure_refused "-E" "with -E is not supported" -k "$EK" -E "$F/encrypted/keys/enc-x25519.pub.pem"
pure_refused "--fix-sig" "with --fix-sig" --fix-sig "$O/ed25519.sig" --fix-sig-pubkey "$K/ed25519.pub.pem"
if [ -n "${DFUKIT_ED25519:-}" ]; then
	# imgtool's pure images verify as imgtool says: the signature, or without a key the SHA-512
	for want in "$O"/ed25519-pure*.bin.verify.txt; do
		img=${want%.verify.txt}
		out=$("$TOOL" verify -k "$EK" "$img" 2>&1; echo "exit=$?")
		[ "$out" = "$(cat "$want")" ] && ok || fail "pure: verify $(basename "$img"): $out"
	done
	out=$("$TOOL" verify "$O/ed25519-pure.bin" 2>&1; echo "exit=$?")
	[ "$out" = "$(cat "$O/ed25519-pure.bin.verify-nokey.txt")" ] && ok || fail "pure: verify, no key: $out"
	out=$("$TOOL" verify -k "$K/ecdsa-p256.pem" "$O/ed25519-pure.bin" 2>&1; echo "exit=$?")
	[ "$out" = "$(cat "$O/ed25519-pure.bin.verify-ecdsa.txt")" ] && ok || fail "pure: verify, ECDSA key: $out"
	# a flipped body byte is refused (the SHA512 TLV first)
	cp "$O/ed25519-pure.bin" "$TMP/pure-bad.bin"
	printf '\125' | dd of="$TMP/pure-bad.bin" bs=1 seek=768 conv=notrunc 2>/dev/null
	out=$("$TOOL" verify -k "$EK" "$TMP/pure-bad.bin"; echo "exit=$?")
	[ "$out" = "$(printf 'Image has an invalid hash\nexit=1')" ] && ok || fail "pure: a flipped byte: $out"
fi
