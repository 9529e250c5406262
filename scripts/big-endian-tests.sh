#!/usr/bin/env bash
# Build the unit tests for a big-endian target (s390x, a Debian 12 release
# architecture) and run them under qemu-user. Installs what it needs:
# gcc-s390x-linux-gnu, qemu-user, and through multiarch libcmocka-dev:s390x
# and libmbedtls-dev:s390x (run as root or with sudo, like install-deps.sh).
#
#   scripts/big-endian-tests.sh [BUILD_DIR]      (default: build-s390x)
#
# Tests that are shell scripts starting target binaries themselves need the
# kernel's binfmt_misc to hand them to qemu; without it they are skipped and
# the script says so.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-s390x}"
jobs="$(nproc)"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	$sudo dpkg --add-architecture s390x
	$sudo apt-get update -qq
fi
pkgs=(gcc-s390x-linux-gnu qemu-user libcmocka-dev:s390x libmbedtls-dev:s390x)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== big-endian (s390x) build"
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/s390x-linux-gnu.cmake" \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
# Keep going: custom commands that run freshly built tools need binfmt_misc.
cmake --build "$build" -j"$jobs" -- -k >"$build/build.log" 2>&1 || true
grep -E ' error|Error [0-9]' "$build/build.log" || true

skip=()
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-s390x ]; then
	skip=(-E '^(test_image_cli|interop\.signer)$')
	echo "(no binfmt_misc for s390x: skipping test_image_cli and interop.signer, shell scripts that exec the s390x CLI)"
fi
echo "== unit tests under qemu-s390x"
ctest --test-dir "$build" --output-on-failure -j"$jobs" -L unit "${skip[@]}"
