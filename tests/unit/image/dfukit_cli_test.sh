#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The CLI a user meets through `dfukit`: the commands name themselves as the
# user typed them ("dfukit image sign: ..."), --version/version print the
# project's version, --help lists the commands, and output that cannot be
# written is an error; and dfu-gadget, installed beside dfukit, has a full --help.
# Usage: dfukit_cli_test.sh DFUKIT VERSION DFU_GADGET   (DFUKIT_FIXTURES must be set)
# Native builds only: dfukit exec()s dfukit-image, which qemu-user cannot follow
# without binfmt_misc; cli_test.sh covers dfukit-image itself in every build.
set -u

DFUKIT=$1
VERSION=$2
GADGET=$3
F=${DFUKIT_FIXTURES:?DFUKIT_FIXTURES not set}/mcuboot
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
FAILS=0
CHECKS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }
IMG=$F/images/ecdsa-p256-z70000.bin

# 1. dfukit itself: --help lists the commands, --version/version the project's version
"$DFUKIT" --help >"$TMP/h" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q "^  board " "$TMP/h" && grep -q "^  image " "$TMP/h" &&
	grep -q "^  version " "$TMP/h" && ok || fail "dfukit --help: status $st: $(cat "$TMP/h")"
for v in --version -V version; do
	out=$("$DFUKIT" "$v" 2>&1)
	st=$?
	[ "$st" -eq 0 ] && [ "$out" = "dfukit $VERSION" ] && ok || fail "dfukit $v: status $st: '$out'"
done
"$DFUKIT" >"$TMP/o" 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && [ ! -s "$TMP/o" ] && grep -q "^usage: dfukit COMMAND" "$TMP/e" && ok ||
	fail "dfukit without a command: status $st"
"$DFUKIT" frobnicate >/dev/null 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && grep -q "^dfukit: unknown command 'frobnicate'" "$TMP/e" && ok ||
	fail "dfukit frobnicate: status $st: $(cat "$TMP/e")"

# 2. dfukit image: version, and every usage line and error names "dfukit image"
for v in version --version; do
	out=$("$DFUKIT" image "$v" 2>&1)
	st=$?
	[ "$st" -eq 0 ] && [ "$out" = "dfukit $VERSION" ] && ok || fail "dfukit image $v: status $st: '$out'"
done
"$DFUKIT" image --help >"$TMP/h" 2>&1
st=$?
[ "$st" -eq 0 ] && head -n 1 "$TMP/h" | grep -qx "Usage: dfukit image COMMAND \[OPTIONS\] \.\.\." &&
	grep -q "'dfukit image COMMAND --help'" "$TMP/h" && ! grep -q "dfukit-image" "$TMP/h" && ok ||
	fail "dfukit image --help: status $st: $(cat "$TMP/h")"
n=0
for c in keygen getpub getpubhash getpriv sign create verify dumpinfo version; do
	"$DFUKIT" image "$c" --help >"$TMP/h" 2>&1
	st=$?
	want="Usage: dfukit image $c"
	[ "$c" = create ] && want="Usage: dfukit image sign"
	if [ "$st" -eq 0 ] && head -n 1 "$TMP/h" | grep -q "^$want" && ! grep -q "dfukit-image" "$TMP/h"; then
		ok
	else
		fail "dfukit image $c --help: status $st: $(head -n 1 "$TMP/h")"
	fi
	# a usage error: one line on stderr naming the command, with the hint to its help
	"$DFUKIT" image "$c" --frobnicate >"$TMP/o" 2>"$TMP/e"
	st=$?
	c2=$c
	[ "$c" = create ] && c2=sign
	if [ "$st" -eq 2 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] &&
		grep -q "^dfukit image $c2: error: .*(try 'dfukit image $c2 --help')\$" "$TMP/e"; then
		ok
	else
		fail "dfukit image $c --frobnicate: status $st: $(cat "$TMP/e")"
	fi
	n=$((n + 1))
done
[ "$n" -eq 9 ] && ok || fail "only $n commands checked"
# a failure (not a usage error) names the command as well
"$DFUKIT" image verify "$TMP/missing.bin" >/dev/null 2>"$TMP/e"
st=$?
[ "$st" -eq 1 ] && grep -q "^dfukit image verify: error: cannot open" "$TMP/e" && ok ||
	fail "dfukit image verify missing file: status $st: $(cat "$TMP/e")"
"$DFUKIT" image frobnicate >/dev/null 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && grep -q "^dfukit image: error: unknown command 'frobnicate' (try 'dfukit image --help')" "$TMP/e" &&
	ok || fail "dfukit image frobnicate: status $st: $(cat "$TMP/e")"
# an imgtool option dfukit refuses, with the reason
"$DFUKIT" image sign --compression lzma2 -H 0x200 -S 0x60000 -v 1 in.bin out.bin >"$TMP/o" 2>"$TMP/e"
st=$?
[ "$st" -eq 2 ] && [ ! -s "$TMP/o" ] &&
	[ "$(cat "$TMP/e")" = "dfukit image sign: '--compression' is not supported: dfukit's bootloader does not decompress images (no LZMA2)" ] &&
	ok || fail "dfukit image sign --compression: status $st: $(cat "$TMP/e")"
# and the real work still happens through dfukit
out=$("$DFUKIT" image verify -k "$F/keys/ecdsa-p256.pem" "$IMG"; echo "exit=$?")
[ "$out" = "$(cat "$IMG.verify.txt")" ] && ok || fail "dfukit image verify: $out"
"$DFUKIT" board list >"$TMP/o" 2>&1
st=$?
[ "$st" -eq 0 ] && grep -q reel_board "$TMP/o" && ok || fail "dfukit board list: status $st: $(cat "$TMP/o")"

# 3. output that cannot be written fails, naming the command
if [ -w /dev/full ]; then
	for args in "--help" "--version" "image dumpinfo $IMG" "image verify $IMG" "image --help"; do
		# shellcheck disable=SC2086
		"$DFUKIT" $args >/dev/full 2>"$TMP/e"
		st=$?
		[ "$st" -eq 1 ] && grep -q "cannot write to standard output" "$TMP/e" && ok ||
			fail "dfukit $args > /dev/full: status $st: $(cat "$TMP/e")"
	done
	"$DFUKIT" image dumpinfo "$IMG" >/dev/full 2>"$TMP/e"
	grep -q "^dfukit image dumpinfo: error: cannot write to standard output" "$TMP/e" && ok ||
		fail "dumpinfo > /dev/full names the command: $(cat "$TMP/e")"
else
	fail "/dev/full is not writable: the write-error checks cannot run"
fi

# 4. dfu-gadget --help: usage, every option, what it does, the exit status; on stdout, exit 0
"$GADGET" --help >"$TMP/h" 2>"$TMP/e"
st=$?
[ "$st" -eq 0 ] && [ ! -s "$TMP/e" ] && head -n 1 "$TMP/h" | grep -q "^usage: dfu-gadget --ffs-dir DIR" && ok ||
	fail "dfu-gadget --help: status $st: $(cat "$TMP/e")"
nopt=0
for o in -f,--ffs-dir -r,--runtime -g,--gadget -u,--udc -t,--transfer-size -n,--no-class-desc -d,--dump -h,--help; do
	grep -q -- "^  ${o%%,*}, ${o#*,}" "$TMP/h" && ok || fail "dfu-gadget --help does not describe $o"
	nopt=$((nopt + 1))
done
[ "$nopt" -eq 8 ] && ok || fail "dfu-gadget: $nopt options checked"
grep -q "FunctionFS" "$TMP/h" && grep -q "ramdisk0" "$TMP/h" && grep -q "^exit status: " "$TMP/h" && ok ||
	fail "dfu-gadget --help lacks what it does or its exit status"
# usage errors: one line on stderr with the hint, exit 2
for args in "--frobnicate" "--transfer-size 100x" "--transfer-size" "" "--dump extra"; do
	# shellcheck disable=SC2086
	"$GADGET" $args >"$TMP/o" 2>"$TMP/e"
	st=$?
	[ "$st" -eq 2 ] && [ ! -s "$TMP/o" ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q "^dfu-gadget: " "$TMP/e" && ok ||
		fail "dfu-gadget $args: status $st: $(cat "$TMP/o" "$TMP/e")"
done
"$GADGET" --dump >"$TMP/o" 2>&1
st=$?
[ "$st" -eq 0 ] && head -n 1 "$TMP/o" | grep -q "^descriptors (" && ok || fail "dfu-gadget --dump: status $st"
if [ -w /dev/full ]; then
	for args in --help --dump; do
		"$GADGET" $args >/dev/full 2>"$TMP/e"
		st=$?
		[ "$st" -eq 1 ] && grep -q "cannot write to standard output" "$TMP/e" && ok ||
			fail "dfu-gadget $args > /dev/full: status $st: $(cat "$TMP/e")"
	done
fi

echo "$CHECKS checks passed, $FAILS failed"
[ "$FAILS" -eq 0 ] && [ "$CHECKS" -ge 50 ]
