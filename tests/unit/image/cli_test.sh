#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CLI test of dfukit-image against the imgtool vectors.
# Usage: cli_test.sh /path/to/dfukit-image   (DFUKIT_FIXTURES must be set)
set -u

TOOL=$1
F=${DFUKIT_FIXTURES:?DFUKIT_FIXTURES not set}/mcuboot
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
# Cross builds run the tool under an emulator (DFUKIT_RUN_WRAPPER, e.g. qemu-s390x -L /).
if [ -n "${DFUKIT_RUN_WRAPPER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$DFUKIT_RUN_WRAPPER" "$TOOL" >"$TMP/tool"
	chmod +x "$TMP/tool"
	TOOL=$TMP/tool
fi
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

key_of() {
	case $1 in
	rsa-2048*) echo rsa-2048 ;;
	ecdsa-p256*) echo ecdsa-p256 ;;
	ed25519*) echo ed25519 ;;
	*) echo "" ;;
	esac
}

# 1. verify of every vector: same output and exit status as imgtool's .verify.txt
#    (Ed25519 good images in a build without Ed25519: "Unsupported signature type", exit 1)
# Every vector has its expected output; a vector without one, or fewer vectors than
# the 19 committed, is a failure, not a check skipped.
nvec=0
for img in "$F"/images/*.bin; do
	n=$(basename "$img")
	[ -f "$img.verify.txt" ] || { fail "vector $n has no .verify.txt"; continue; }
	nvec=$((nvec + 1))
	k=$(key_of "$n")
	if [ -n "$k" ]; then
		out=$("$TOOL" verify -k "$F/keys/$k.pem" "$img"; echo "exit=$?")
	else
		out=$("$TOOL" verify "$img"; echo "exit=$?")
	fi
	exp=$(cat "$img.verify.txt")
	# a build that does not verify Ed25519 (DFUKIT_SIGNATURES) says so after the hash
	if [ "$k" = ed25519 ] && [ -z "${DFUKIT_ED25519:-}" ] && [ "$(tail -n 1 "$img.verify.txt")" = "exit=0" ]; then
		exp=$(printf 'Unsupported signature type (Ed25519, or a type this build does not verify)\nexit=1')
		# without a key the hash check matches imgtool exactly
		out2=$("$TOOL" verify "$img"; echo "exit=$?")
		[ "$out2" = "$(cat "$img.verify.txt")" ] && ok || fail "verify (no key) $n: $out2"
	fi
	[ "$out" = "$exp" ] && ok || fail "verify $n: got '$out' expected '$exp'"
done
[ "$nvec" -ge 19 ] && ok || fail "verify: only $nvec vectors found in $F/images (expected 19)"
out=$("$TOOL" verify -k "$F/keys/rsa-2048.pem" "$F/images/ecdsa-p256-z70000.bin"; echo "exit=$?")
[ "$out" = "$(cat "$F/images/ecdsa-p256-z70000.wrongkey-rsa.verify.txt")" ] && ok || fail "wrong key: $out"
# public keys work as well
out=$("$TOOL" verify -k "$F/keys/ecdsa-p256.pub.pem" "$F/images/ecdsa-p256-z70000.bin"; echo "exit=$?")
[ "$out" = "$(cat "$F/images/ecdsa-p256-z70000.bin.verify.txt")" ] && ok || fail "verify with pub key: $out"
out=$("$TOOL" verify -k "$F/keys/rsa-2048.pub.der" "$F/images/rsa-2048-z70000.bin"; echo "exit=$?")
[ "$out" = "$(cat "$F/images/rsa-2048-z70000.bin.verify.txt")" ] && ok || fail "verify with der key: $out"

# 2. dumpinfo: byte identical to imgtool's human output
#    (every vector but the bad-magic one, which imgtool's dumpinfo cannot parse)
ndump=0
for want in "$F"/images/*.bin.dumpinfo.txt; do
	img=${want%.dumpinfo.txt}
	[ -f "$img" ] || { fail "dumpinfo: no image for $(basename "$want")"; continue; }
	ndump=$((ndump + 1))
	"$TOOL" dumpinfo "$img" >"$TMP/di.txt" 2>&1
	cmp -s "$TMP/di.txt" "$want" && ok || fail "dumpinfo $(basename "$img")"
done
[ "$ndump" -ge 18 ] && ok || fail "dumpinfo: only $ndump expected outputs found (expected 18)"

# 3. getpub / getpubhash: identical to imgtool's files
for k in rsa-2048 ecdsa-p256; do
	"$TOOL" getpub -k "$F/keys/$k.pem" -e pem -o "$TMP/p.pem" && cmp -s "$TMP/p.pem" "$F/keys/$k.pub.pem" && ok || fail "getpub pem $k"
	"$TOOL" getpub -k "$F/keys/$k.pem" -e raw -o "$TMP/p.der" && cmp -s "$TMP/p.der" "$F/keys/$k.pub.der" && ok || fail "getpub raw $k"
	"$TOOL" getpub -k "$F/keys/$k.pem" >"$TMP/p.c" && cmp -s "$TMP/p.c" "$F/keys/$k.pub.c" && ok || fail "getpub lang-c $k"
	"$TOOL" getpubhash -k "$F/keys/$k.pem" -e raw -o "$TMP/h.bin" && cmp -s "$TMP/h.bin" "$F/keys/$k.pubhash.bin" && ok || fail "getpubhash $k"
done
"$TOOL" getpub -k "$F/keys/ed25519.pub.pem" -e raw | cmp -s - "$F/keys/ed25519.pub.der" && ok || fail "getpub ed25519 public"
"$TOOL" getpubhash -k "$F/keys/ed25519.pub.pem" -e raw | cmp -s - "$F/keys/ed25519.pubhash.bin" && ok || fail "getpubhash ed25519 public"

# 4. keygen -> getpub -> sign -> verify round trips
COMMON="--header-size 0x200 --align 4 --slot-size 0x60000 --version 1.2.3+4"
for t in ecdsa-p256 rsa-2048; do
	"$TOOL" keygen -k "$TMP/$t.pem" -t "$t" || fail "keygen $t"
	head -n 1 "$TMP/$t.pem" | grep -q -- "-----BEGIN PRIVATE KEY-----" && ok || fail "keygen $t: not PKCS#8 PEM"
	"$TOOL" getpub -k "$TMP/$t.pem" -e pem -o "$TMP/$t.pub.pem" || fail "getpub $t"
	# shellcheck disable=SC2086
	"$TOOL" sign $COMMON -k "$TMP/$t.pem" "$F/payloads/zpayload-70000.bin" "$TMP/$t.bin" || fail "sign $t"
	out=$("$TOOL" verify -k "$TMP/$t.pub.pem" "$TMP/$t.bin"; echo "exit=$?")
	[ "$out" = "$(cat "$F/images/unsigned-z70000.bin.verify.txt")" ] && ok || fail "round trip $t: $out"
	# shellcheck disable=SC2086
	"$TOOL" sign $COMMON --pad --confirm -s auto --public-key-format full -k "$TMP/$t.pem" \
		"$F/payloads/payload-1000.bin" "$TMP/$t-p.bin" --pad-header || fail "sign padded $t"
	[ "$(wc -c <"$TMP/$t-p.bin")" -eq $((0x60000)) ] && ok || fail "padded size $t"
	"$TOOL" verify -k "$TMP/$t.pem" "$TMP/$t-p.bin" >/dev/null && ok || fail "verify padded $t"
	"$TOOL" verify -k "$F/keys/$t.pem" "$TMP/$t.bin" >/dev/null && fail "foreign key accepted ($t)" || ok
done
# unsigned: byte identical to imgtool
# shellcheck disable=SC2086
"$TOOL" sign $COMMON "$F/payloads/zpayload-70000.bin" "$TMP/u.bin" && cmp -s "$TMP/u.bin" "$F/images/unsigned-z70000.bin" && ok || fail "unsigned sign"
# shellcheck disable=SC2086
"$TOOL" sign $COMMON --pad-header "$F/payloads/payload-1000.bin" "$TMP/u2.bin" && cmp -s "$TMP/u2.bin" "$F/images/unsigned-1000-padhdr.bin" && ok || fail "unsigned padhdr sign"

# 5. malformed inputs and bad usage: one line on stderr, nothing else, non-zero exit
one_line_error() { # expected-status description command...
	want=$1; desc=$2; shift 2
	"$@" >"$TMP/o" 2>"$TMP/e"
	st=$?
	lines=$(cat "$TMP/o" "$TMP/e" | wc -l)
	if [ "$st" -eq 0 ] || { [ "$want" != any ] && [ "$st" -ne "$want" ]; } || [ "$lines" -ne 1 ]; then
		fail "$desc: status $st, $lines lines: $(cat "$TMP/o" "$TMP/e")"
	else
		ok
	fi
}
head -c 100 "$F/images/ecdsa-p256-z70000.bin" >"$TMP/trunc.bin"
head -c 20 "$F/images/ecdsa-p256-z70000.bin" >"$TMP/tiny.bin"
head -c 70600 "$F/images/ecdsa-p256-z70000.bin" >"$TMP/trunc-tlv.bin"
: >"$TMP/empty.bin"
head -c 4096 /dev/urandom >"$TMP/random.bin"
printf '\075\270\363\226' >"$TMP/magic-only.bin"
cat "$TMP/random.bin" >>"$TMP/magic-only.bin"
for f in trunc tiny trunc-tlv empty random magic-only; do
	one_line_error 1 "verify $f" "$TOOL" verify "$TMP/$f.bin"
	one_line_error 1 "verify -k $f" "$TOOL" verify -k "$F/keys/ecdsa-p256.pem" "$TMP/$f.bin"
	one_line_error 1 "dumpinfo $f" "$TOOL" dumpinfo "$TMP/$f.bin"
done
# random garbage with a valid magic and header fields (fuzz-ish)
i=0
while [ $i -lt 30 ]; do
	head -c 600 /dev/urandom >"$TMP/fz.bin"
	printf '\075\270\363\226\000\000\000\000\040\000' | dd of="$TMP/fz.bin" conv=notrunc 2>/dev/null
	"$TOOL" verify "$TMP/fz.bin" >/dev/null 2>&1
	[ $? -le 1 ] && ok || fail "crash on fuzz input"
	"$TOOL" dumpinfo "$TMP/fz.bin" >/dev/null 2>&1
	[ $? -le 1 ] && ok || fail "dumpinfo crash on fuzz input"
	i=$((i + 1))
done
one_line_error 1 "verify missing file" "$TOOL" verify "$TMP/nonexistent.bin"
one_line_error 1 "bad key file" "$TOOL" verify -k "$TMP/random.bin" "$F/images/ecdsa-p256-z70000.bin"
one_line_error 1 "sign nonzero hole" "$TOOL" sign $COMMON "$F/payloads/payload-1000.bin" "$TMP/x.bin"
one_line_error 1 "sign too big" "$TOOL" sign --header-size 0x200 --slot-size 0x1000 --version 1 "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
one_line_error 2 "sign no version" "$TOOL" sign --header-size 0x200 --slot-size 0x60000 "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
one_line_error 2 "sign bad version" "$TOOL" sign $COMMON --version 1.2.x "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
one_line_error 2 "sign header 16" "$TOOL" sign --header-size 16 --slot-size 0x60000 --version 1 "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
one_line_error 2 "sign bad align" "$TOOL" sign $COMMON --align 3 "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
one_line_error 2 "sign hex without address" "$TOOL" sign $COMMON "$F/payloads/zpayload-70000.bin" "$TMP/x.hex"
one_line_error 2 "unknown option" "$TOOL" verify --frobnicate "$F/images/ecdsa-p256-z70000.bin"
one_line_error 2 "missing argument" "$TOOL" verify "$F/images/ecdsa-p256-z70000.bin" -k
one_line_error 2 "unknown command" "$TOOL" frobnicate
one_line_error 2 "keygen bad type" "$TOOL" keygen -k "$TMP/x.pem" -t dsa-1024

# 6. --help for every subcommand
for c in keygen getpub getpubhash getpriv sign create verify dumpinfo; do
	"$TOOL" "$c" --help >"$TMP/h" 2>&1 && grep -q "Usage: dfukit-image" "$TMP/h" && ok || fail "$c --help"
done
"$TOOL" --help >/dev/null && ok || fail "--help"
"$TOOL" sign --help | grep -q "Intel HEX if their name ends in .hex" && ok || fail "sign --help mentions Intel HEX"
for o in --hex-addr --rom-fixed --non-bootable --vector-to-sign --fix-sig --fix-sig-pubkey --sig-out \
	--boot-record --dependencies --custom-tlv --custom-tlv-file --pad-sig --pure; do
	"$TOOL" sign --help | grep -q -- "$o" && ok || fail "sign --help does not describe $o"
done

# 7. the command the user typed: run directly, the tool calls itself dfukit-image
#    (tests/unit/image/dfukit_cli_test.sh checks "dfukit image ..." through dfukit)
"$TOOL" sign --frobnicate x y >"$TMP/o" 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && grep -q "^dfukit-image sign: error: invalid option" "$TMP/e" && ok ||
	fail "direct name in errors: status $st: $(cat "$TMP/e")"
"$TOOL" sign --help | head -n 1 | grep -qx "Usage: dfukit-image sign \[OPTIONS\] INFILE OUTFILE" && ok ||
	fail "direct name in usage: $("$TOOL" sign --help | head -n 1)"

# 8. version: the project's version (project(VERSION) in CMakeLists.txt), exit 0
want_version=${DFUKIT_VERSION:-}
[ -n "$want_version" ] && ok || fail "DFUKIT_VERSION is not set (tests/unit/image/CMakeLists.txt sets it)"
for v in version --version; do
	out=$("$TOOL" "$v" 2>&1)
	st=$?
	[ "$st" -eq 0 ] && [ "$out" = "dfukit $want_version" ] && ok || fail "$v: status $st: '$out'"
done
one_line_error 2 "version with an argument" "$TOOL" version extra

# 9. stdout that cannot be written (a full disk) is an error: exit 1, one line on stderr
if [ -w /dev/full ]; then
	full_error() { # description command...
		desc=$1; shift
		"$@" >/dev/full 2>"$TMP/e"
		st=$?
		if [ "$st" -ne 1 ] || ! grep -q "cannot write to standard output" "$TMP/e" ||
			[ "$(wc -l <"$TMP/e")" -ne 1 ]; then
			fail "$desc > /dev/full: status $st: $(cat "$TMP/e")"
		else
			ok
		fi
	}
	full_error "dumpinfo" "$TOOL" dumpinfo "$F/images/ecdsa-p256-z70000.bin"
	full_error "verify" "$TOOL" verify -k "$F/keys/ecdsa-p256.pem" "$F/images/ecdsa-p256-z70000.bin"
	full_error "verify (no key)" "$TOOL" verify "$F/images/ecdsa-p256-z70000.bin"
	full_error "getpub" "$TOOL" getpub -k "$F/keys/ecdsa-p256.pem"
	full_error "getpubhash" "$TOOL" getpubhash -k "$F/keys/ecdsa-p256.pem" -e raw
	full_error "sign --help" "$TOOL" sign --help
	full_error "version" "$TOOL" version
	# a failed verify stays a failure (1), and still says that stdout failed
	full_error "verify of a bad image" "$TOOL" verify "$TMP/random.bin"
else
	fail "/dev/full is not writable: the write-error checks cannot run"
fi

# 10. imgtool options dfukit refuses: named with the reason, exit 2, one line, no output file
unsupported() { # OPTION-AS-REPORTED REASON-WORDS ARGS...
	name=$1; why=$2; shift 2
	rm -f "$TMP/unsup.bin"
	"$TOOL" sign $COMMON "$@" "$F/payloads/zpayload-70000.bin" "$TMP/unsup.bin" >"$TMP/o" 2>"$TMP/e"
	st=$?
	got=$(cat "$TMP/o" "$TMP/e")
	case $got in
	"dfukit-image sign: '$name' is not supported: "*"$why"*) good=1 ;;
	*) good=0 ;;
	esac
	if [ "$st" -eq 2 ] && [ "$good" = 1 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && [ ! -e "$TMP/unsup.bin" ]; then
		ok
	else
		fail "sign $*: status $st: $got"
	fi
}
nuns=0
while read -r name why args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	unsupported "$name" "$why" $args
	nuns=$((nuns + 1))
done <<'VECTORS'
--save-enctlv MCUBOOT_SWAP_SAVE_ENCTLV --save-enctlv
--compression LZMA2 --compression lzma2
--vid UUID_VID --vid example.com
--cid UUID_CID --cid class
--key-ids key --key-ids 1
VECTORS
[ "$nuns" -ge 5 ] && ok || fail "refused options: only $nuns vectors ran"
# without its argument (last on the line) a refused option is still named
"$TOOL" sign $COMMON "$F/payloads/zpayload-70000.bin" "$TMP/unsup.bin" --compression >"$TMP/o" 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && grep -q "'--compression' is not supported" "$TMP/e" && ok ||
	fail "sign ... --compression (no argument): status $st: $(cat "$TMP/e")"
# -E (encryption, cli_encrypt_test.sh) is an option now: without its argument, a usage error.
for o in --encrypt -E; do
	"$TOOL" sign $COMMON "$F/payloads/zpayload-70000.bin" "$TMP/unsup.bin" "$o" >"$TMP/o" 2>"$TMP/e"
	st=$?
	[ "$st" -eq 2 ] && [ ! -e "$TMP/unsup.bin" ] && ok ||
		fail "sign ... $o (no argument): status $st: $(cat "$TMP/e")"
done
one_line_error 2 "sign -e big" "$TOOL" sign $COMMON -e big "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
grep -q "is not supported: MCUboot and dfukit read little endian" "$TMP/e" && ok || fail "-e big: $(cat "$TMP/e")"
one_line_error 2 "keygen --password" "$TOOL" keygen -k "$TMP/pw.pem" -t ecdsa-p256 --password
grep -q "'--password' is an imgtool option dfukit does not support yet" "$TMP/e" && ok || fail "keygen -p: $(cat "$TMP/e")"
# options dfukit does support are not refused: --sha auto|256 (SHA-256 as without it),
# -M/--max-sectors, --overwrite-only, -s/--security-counter, -L/--load-addr
for sha in 256 auto; do
	# shellcheck disable=SC2086
	"$TOOL" sign $COMMON --sha "$sha" "$F/payloads/zpayload-70000.bin" "$TMP/sha.bin" &&
		cmp -s "$TMP/sha.bin" "$F/images/unsigned-z70000.bin" && ok || fail "sign --sha $sha"
done
for sha in 384 512; do
	one_line_error 2 "sign --sha $sha" "$TOOL" sign $COMMON --sha $sha "$F/payloads/zpayload-70000.bin" "$TMP/x.bin"
	grep -q "^dfukit-image sign: error: --sha $sha is not supported: dfukit writes SHA-256 images" "$TMP/e" && ok ||
		fail "--sha $sha: $(cat "$TMP/e")"
done
# shellcheck disable=SC2086
"$TOOL" sign $COMMON --pad --overwrite-only -M 64 -s 3 -L 0x20000000 "$F/payloads/zpayload-70000.bin" \
	"$TMP/sup.bin" 2>"$TMP/e" && "$TOOL" verify "$TMP/sup.bin" >/dev/null && ok ||
	fail "supported imgtool options refused: $(cat "$TMP/e")"

# 11. the imgtool options dfukit implements, against imgtool's own outputs
. "$(dirname "$0")/cli_options_test.sh"
# 12. Ed25519 keys and signatures, against imgtool's own outputs
. "$(dirname "$0")/cli_ed25519_test.sh"
# 13. Ed25519 --pure (the signature over the image itself), against imgtool's own outputs
. "$(dirname "$0")/cli_pure_test.sh"

echo "$CHECKS checks passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
