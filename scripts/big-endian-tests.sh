#!/usr/bin/env bash
# Build the unit tests for a big-endian target (s390x, a Debian 12 release
# architecture) and run them under qemu-user. Installs what it needs:
# gcc-s390x-linux-gnu, qemu-user, and through multiarch libcmocka-dev:s390x
# libmbedtls-dev:s390x and libsodium-dev:s390x (run as root or with sudo, like install-deps.sh).
#
#   scripts/big-endian-tests.sh [BUILD_DIR]      (default: build-s390x)
#
# Tests that are shell scripts starting target binaries get the emulator in
# DFUKIT_RUN_WRAPPER, so no test is skipped and binfmt_misc is not needed.
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
pkgs=(gcc-s390x-linux-gnu qemu-user libcmocka-dev:s390x libmbedtls-dev:s390x libsodium-dev:s390x)
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
# Custom commands that run built tools (image signing) go through the toolchain's
# CROSSCOMPILING_EMULATOR, so the whole tree builds; a failure is a failure.
cmake --build "$build" -j"$jobs" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; exit 1; }

# The power-cut rigs repeat the same boot code at every cut point; byte order
# is not a matter of where the cut falls, so under emulation they try every
# 3rd point (tests/unit/boot/powercut_rig.h; every point in the host steps).
echo "== unit tests under qemu-s390x (power-cut rigs: every 3rd cut point, DFUKIT_POWERCUT_SAMPLE=3)"
DFUKIT_POWERCUT_SAMPLE=3 ctest --test-dir "$build" --output-on-failure -j"$jobs" -L unit
