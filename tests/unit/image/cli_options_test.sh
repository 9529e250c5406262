# SPDX-License-Identifier: Apache-2.0
# Sourced by cli_test.sh: the imgtool sign options dfukit implements, each against
# the output the real imgtool made for the same command (tests/fixtures/mcuboot/options,
# made by gen_options.sh there; README.options). Uses TOOL, F, TMP, ok, fail, one_line_error.
O=$F/options
K=$F/keys
P=$F/payloads/payload-1000.bin
OC="--header-size 0x200 --align 4 --slot-size 0x2000 --version 1.2.3+4 --pad-header"

# same OUT DFUKIT-SIGN-ARGS...: dfukit's OUTFILE is byte identical to imgtool's $O/OUT
same() {
	out=$1; shift
	rm -f "$TMP/$out"
	# shellcheck disable=SC2086
	if "$TOOL" sign "$@" "$TMP/$out" 2>"$TMP/e" && cmp -s "$TMP/$out" "$O/$out"; then
		ok
	else
		fail "sign $out: $(cat "$TMP/e") $(cmp "$TMP/$out" "$O/$out" 2>&1)"
	fi
}
# The deterministic images, one option each and all together.
same unsigned-custom-tlv.bin $OC --custom-tlv 0xa0 hello --custom-tlv 0x1234 0x0102fe "$P"
same unsigned-boot-record.bin $OC --boot-record BL2 "$P"
same unsigned-deps.bin $OC -d "(1, 2.3.4+5), (0,0.1)" "$P"
same unsigned-non-bootable.bin $OC --non-bootable "$P"
same unsigned-rom-fixed.bin $OC -F 0x08000000 "$P"
same unsigned-load-addr.bin $OC -L 0x20000000 "$P"
same unsigned-all.bin $OC -s 7 --boot-record SPE -d "(3,1.0.0)" --custom-tlv 0xa1 x "$P"
same unsigned-sha256.bin $OC --sha 256 "$P"
same unsigned-pad-nb.bin $OC --non-bootable --pad --confirm "$P"
# options after the files, and --custom-tlv-file, give the same image (imgtool puts every
# --custom-tlv before every --custom-tlv-file, whatever the order on the command line)
printf '\001\002\376' >"$TMP/v.bin"
same unsigned-custom-tlv.bin $OC --custom-tlv-file 0x1234 "$TMP/v.bin" --custom-tlv 0xa0 hello "$P"
"$TOOL" sign "$P" "$TMP/late.bin" $OC --custom-tlv 0xa0 hello --custom-tlv 0x1234 0x0102fe 2>"$TMP/e" &&
	cmp -s "$TMP/late.bin" "$O/unsigned-custom-tlv.bin" && ok || fail "options after INFILE OUTFILE: $(cat "$TMP/e")"

# Signing elsewhere: the vector (payload / digest) exactly, then the signature imgtool
# made (its --sig-out) back in through --fix-sig: the same image, the same --sig-out.
for t in rsa-2048 ecdsa-p256; do
	BR="--boot-record SPE -s auto"
	same $t-vector-payload.bin $OC -k "$K/$t.pem" $BR --vector-to-sign payload "$P"
	same $t-vector-digest.bin $OC -k "$K/$t.pem" $BR --vector-to-sign digest "$P"
	# an HSM has only the public key: it names the boot record's signer the same way
	same $t-vector-digest.bin $OC --fix-sig-pubkey "$K/$t.pub.pem" $BR --vector-to-sign digest "$P"
	same $t-fix-sig.bin $OC --fix-sig "$O/$t.sig" --fix-sig-pubkey "$K/$t.pub.pem" $BR \
		--sig-out "$TMP/$t.sig-out" "$P"
	cmp -s "$TMP/$t.sig-out" "$O/$t-fix-sig.sig-out" && ok || fail "--sig-out of $t --fix-sig"
	same $t-fix-sig-full.bin $OC --fix-sig "$O/$t.sig" --fix-sig-pubkey "$K/$t.pem" --public-key-format full $BR "$P"
	# imgtool's own signed image differs from the --fix-sig one in nothing
	cmp -s "$O/$t-signed.bin" "$O/$t-fix-sig.bin" && ok || fail "fixture $t-signed.bin != $t-fix-sig.bin"
	# dfukit's signature, out through --sig-out and back in through --fix-sig: the same image
	"$TOOL" sign $OC -k "$K/$t.pem" $BR --sig-out "$TMP/own.sig" "$P" "$TMP/own.bin" &&
		"$TOOL" sign $OC --fix-sig "$TMP/own.sig" --fix-sig-pubkey "$K/$t.pub.pem" $BR "$P" "$TMP/own-fix.bin" &&
		cmp -s "$TMP/own.bin" "$TMP/own-fix.bin" && ok || fail "$t: --sig-out then --fix-sig"
	"$TOOL" verify -k "$K/$t.pem" "$TMP/own.bin" >/dev/null && ok || fail "$t: dfukit-signed image with boot record"
	# a signature of something else is refused, and no OUTFILE is left behind
	rm -f "$TMP/bad.bin"
	one_line_error 1 "$t: --fix-sig of another digest" "$TOOL" sign $OC --fix-sig "$O/$t.sig" \
		--fix-sig-pubkey "$K/$t.pub.pem" -s 9 "$P" "$TMP/bad.bin"
	grep -q "does not verify" "$TMP/e" && [ ! -e "$TMP/bad.bin" ] && ok || fail "$t bad --fix-sig: $(cat "$TMP/e")"
done
one_line_error 2 "--fix-sig with -k" "$TOOL" sign $OC -k "$K/rsa-2048.pem" --fix-sig "$O/rsa-2048.sig" \
	--fix-sig-pubkey "$K/rsa-2048.pub.pem" "$P" "$TMP/x.bin"
grep -q "Can not sign using key and provide fixed-signature at the same time" "$TMP/e" && ok || fail "-k + --fix-sig"
one_line_error 2 "--fix-sig without key" "$TOOL" sign $OC --fix-sig "$O/rsa-2048.sig" "$P" "$TMP/x.bin"
grep -q "public key of the fixed signature is not specified" "$TMP/e" && ok || fail "--fix-sig alone"
one_line_error 2 "--sig-out without signature" "$TOOL" sign $OC --sig-out "$TMP/s" "$P" "$TMP/x.bin"
[ ! -e "$TMP/s" ] && ok || fail "--sig-out written without a signature"

# --pad-sig: ECDSA signatures are 72 bytes (imgtool's image verifies with dfukit too)
"$TOOL" verify -k "$K/ecdsa-p256.pem" "$O/ecdsa-p256-pad-sig.bin" >/dev/null && ok || fail "verify imgtool --pad-sig"
for i in 1 2 3 4 5 6; do
	"$TOOL" sign $OC -k "$K/ecdsa-p256.pem" --pad-sig "$P" "$TMP/ps.bin" &&
		"$TOOL" dumpinfo "$TMP/ps.bin" | grep -A1 "ECDSASIG" | grep -q "len:  0x48" &&
		"$TOOL" verify -k "$K/ecdsa-p256.pem" "$TMP/ps.bin" >/dev/null && ok || fail "--pad-sig run $i"
done

# Intel HEX in and out
same hex-in-hex-out.hex $OC "$O/in-1000.hex"
same hex-in-bin-out.bin $OC "$O/in-1000.hex"
same bin-in-hex-out.hex $OC -x 0x10000000 "$P"
same hex-in-hex-out-addr.hex $OC -x 0x20000 "$O/in-1000.hex"
same hex-pad-confirm.hex $OC --pad --confirm "$O/in-1000.hex"
same hex-pad-test.hex $OC --test "$O/in-1000.hex"
same hex-gap.hex $OC "$O/in-gap.hex"
same hex-zephyr.hex --header-size 0x200 --align 4 --slot-size 0x60000 --version 1.2.3+4 -x 0 \
	"$F/payloads/zpayload-70000.bin"
same vector-payload.hex $OC --vector-to-sign payload "$O/in-1000.hex"
cp "$O/in-1000.hex" "$TMP/IN.HEX"
same hex-in-bin-out.bin $OC "$TMP/IN.HEX"
# a broken record: one line, exit 1, no output
sed '3s/.$/0/' "$O/in-1000.hex" >"$TMP/bad.hex"
one_line_error 1 "hex checksum" "$TOOL" sign $OC "$TMP/bad.hex" "$TMP/x.bin"
grep -q "line 3: checksum error" "$TMP/e" && [ ! -e "$TMP/x.bin" ] && ok || fail "hex checksum: $(cat "$TMP/e")"
{ head -n 3 "$O/in-1000.hex"; sed -n 3p "$O/in-1000.hex"; } >"$TMP/twice.hex"
one_line_error 1 "hex overlap" "$TOOL" sign $OC "$TMP/twice.hex" "$TMP/x.bin"
grep -q "given twice" "$TMP/e" && ok || fail "hex overlap: $(cat "$TMP/e")"

# the images imgtool made: dumpinfo byte identical, verify as imgtool's (non-bootable: see README)
for want in "$O"/*.bin.dumpinfo.txt; do
	img=${want%.dumpinfo.txt}
	"$TOOL" dumpinfo "$img" >"$TMP/di.txt" 2>&1
	cmp -s "$TMP/di.txt" "$want" && ok || fail "dumpinfo $(basename "$img")"
done
for want in "$O"/*.bin.verify.txt; do
	img=${want%.verify.txt}
	case $(basename "$img") in
	*non-bootable* | *pad-nb*) continue ;;
	ed25519*) continue ;; # cli_ed25519_test.sh
	rsa-2048*) k="-k $K/rsa-2048.pem" ;;
	ecdsa-p256*) k="-k $K/ecdsa-p256.pem" ;;
	*) k="" ;;
	esac
	# shellcheck disable=SC2086
	out=$("$TOOL" verify $k "$img" 2>&1; echo "exit=$?")
	[ "$out" = "$(cat "$want")" ] && ok || fail "verify $(basename "$img"): $out"
done

# refusals with imgtool's message
one_line_error 2 "-L and -F" "$TOOL" sign $OC -L 0x20000000 -F 0x8000000 "$P" "$TMP/x.bin"
grep -q "Can not set rom_fixed and load_addr at the same time" "$TMP/e" && ok || fail "-L -F: $(cat "$TMP/e")"
one_line_error 2 "custom TLV in use" "$TOOL" sign $OC --custom-tlv 0x50 1 "$P" "$TMP/x.bin"
grep -q "Custom TLV 0x50 conflicts with predefined TLV." "$TMP/e" && ok || fail "custom 0x50: $(cat "$TMP/e")"
one_line_error 2 "custom TLV twice" "$TOOL" sign $OC --custom-tlv 0xa0 1 --custom-tlv 0xa0 2 "$P" "$TMP/x.bin"
grep -q "Custom TLV 0xa0 already exists." "$TMP/e" && ok || fail "custom twice: $(cat "$TMP/e")"
one_line_error 2 "custom TLV out of range" "$TOOL" sign $OC --custom-tlv 0x99 1 "$P" "$TMP/x.bin"
one_line_error 2 "custom TLV odd" "$TOOL" sign $OC --custom-tlv 0xa0 0x123 "$P" "$TMP/x.bin"
grep -q "Custom TLV length is odd." "$TMP/e" && ok || fail "custom odd: $(cat "$TMP/e")"
one_line_error 2 "custom TLV one word" "$TOOL" sign $OC "$P" "$TMP/x.bin" --custom-tlv 0xa0
one_line_error 2 "bad dependencies" "$TOOL" sign $OC -d "1,2" "$P" "$TMP/x.bin"
grep -q "Image dependency format is invalid" "$TMP/e" && ok || fail "bad -d: $(cat "$TMP/e")"
one_line_error 2 "dependency image 256" "$TOOL" sign $OC -d "(256,1.0)" "$P" "$TMP/x.bin"
one_line_error 1 "boot record too long" "$TOOL" sign $OC --boot-record ABCDEFGHIJKLM "$P" "$TMP/x.bin"
grep -q "is too long (13 characters) for sw_type" "$TMP/e" && ok || fail "long sw_type: $(cat "$TMP/e")"

# getpriv: byte identical to imgtool's output for each format (README.options)
priv() { # FIXTURE DFUKIT-GETPRIV-ARGS...
	want=$O/$1; shift
	"$TOOL" getpriv "$@" >"$TMP/gp.txt" 2>"$TMP/e" && cmp -s "$TMP/gp.txt" "$want" && ok ||
		fail "getpriv $*: $(cat "$TMP/e") $(cmp "$TMP/gp.txt" "$want" 2>&1)"
}
for t in rsa-2048 ecdsa-p256; do
	priv $t.getpriv.txt -k "$K/$t.pem"
	priv $t.getpriv-minimal.txt -k "$K/$t.pem" --minimal
done
priv rsa-2048.getpriv.txt -k "$K/rsa-2048.pem" -f openssl
priv ecdsa-p256.getpriv.txt --key "$K/ecdsa-p256.pem" --format pkcs8
priv ecdsa-p256.getpriv-openssl.txt -k "$K/ecdsa-p256.pem" -f openssl
priv ecdsa-p256.getpriv-openssl-minimal.txt --minimal -k "$K/ecdsa-p256.pem" -f openssl
# imgtool's refusals (click usage errors, exit 2)
one_line_error 2 "getpriv rsa pkcs8" "$TOOL" getpriv -k "$K/rsa-2048.pem" -f pkcs8
grep -q "rsa does not support pkcs8" "$TMP/e" && ok || fail "getpriv rsa pkcs8: $(cat "$TMP/e")"
one_line_error 2 "getpriv public key" "$TOOL" getpriv -k "$K/ecdsa-p256.pub.pem"
grep -q "Operation get_private_bytes requires private key" "$TMP/e" && ok || fail "getpriv pub: $(cat "$TMP/e")"
one_line_error 2 "getpriv ed25519" "$TOOL" getpriv -k "$K/ed25519.pem"
grep -q "Operation not supported with ed25519 keys" "$TMP/e" && ok || fail "getpriv ed25519: $(cat "$TMP/e")"
one_line_error 2 "getpriv -f bad" "$TOOL" getpriv -k "$K/ecdsa-p256.pem" -f der
one_line_error 2 "getpriv without -k" "$TOOL" getpriv
one_line_error 1 "getpriv missing key" "$TOOL" getpriv -k "$TMP/nonexistent.pem"
# imgtool commands dfukit does not have: the reason, exit 2
one_line_error 2 "keyinfo" "$TOOL" keyinfo -k "$K/ecdsa-p256.pem"
grep -q "'keyinfo' is not supported yet" "$TMP/e" && ok || fail "keyinfo: $(cat "$TMP/e")"
# dumpinfo -f human|yaml|json, -o, -s: byte identical to imgtool's (README.dumpinfo)
"$TOOL" dumpinfo -f human "$O/unsigned-all.bin" >"$TMP/di.txt" && cmp -s "$TMP/di.txt" "$O/unsigned-all.bin.dumpinfo.txt" &&
	ok || fail "dumpinfo -f human"
nfmt=0
for want in "$O"/*.bin.dumpinfo.yaml "$O"/*.bin.dumpinfo.json "$F"/images/*.bin.dumpinfo.json; do
	img=${want%.dumpinfo.*}
	f=${want##*.}
	nfmt=$((nfmt + 1))
	"$TOOL" dumpinfo -f "$f" "$img" >"$TMP/di.txt" 2>&1
	cmp -s "$TMP/di.txt" "$want" && ok || fail "dumpinfo -f $f $(basename "$img"): $(cmp "$TMP/di.txt" "$want" 2>&1)"
done
[ "$nfmt" -ge 52 ] && ok || fail "dumpinfo -f yaml|json: only $nfmt imgtool outputs found"
# out_same WANT-FILE WANT-STDOUT DUMPINFO-ARGS...: -o FILE's content and what was printed
out_same() {
	want=$O/$1 want_out=$O/$2; shift 2
	rm -f "$TMP/o.out"
	"$TOOL" dumpinfo "$@" -o "$TMP/o.out" "$O/unsigned-all.bin" >"$TMP/o.stdout" 2>"$TMP/e" &&
		cmp -s "$TMP/o.out" "$want" && cmp -s "$TMP/o.stdout" "$want_out" && ok ||
		fail "dumpinfo $* -o: $(cat "$TMP/e") $(cmp "$TMP/o.out" "$want" 2>&1)"
}
out_same o-default.yaml o-default.stdout.txt
out_same o-json.json o-json.stdout.txt -f json
out_same o-human.txt o-human.stdout.txt -f human -s
out_same o-default.yaml o-default.stdout.txt --format yaml --silent
"$TOOL" dumpinfo -s "$O/unsigned-all.bin" >"$TMP/di.txt" && cmp -s "$TMP/di.txt" "$O/s-stdout.txt" && ok ||
	fail "dumpinfo -s"
# a malformed image writes no -o file (and leaves an existing one alone)
head -c 100 "$O/unsigned-all.bin" >"$TMP/short.bin"
echo keep >"$TMP/keep.yaml"
one_line_error 1 "dumpinfo -o of a truncated image" "$TOOL" dumpinfo -o "$TMP/keep.yaml" "$TMP/short.bin"
[ "$(cat "$TMP/keep.yaml")" = keep ] && ok || fail "dumpinfo -o replaced the file for a bad image"
one_line_error 2 "dumpinfo -f xml" "$TOOL" dumpinfo -f xml "$O/unsigned-all.bin"
one_line_error 1 "dumpinfo -o into a missing dir" "$TOOL" dumpinfo -o "$TMP/no/such/dir.yaml" "$O/unsigned-all.bin"
