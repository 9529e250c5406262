#!/usr/bin/env bash
# The test command: install dependencies, build, run every test with CTest,
# then the unit tests again under ASan+UBSan, then the Cortex-M builds with their
# sizes, then the unit tests on a big-endian target (s390x under qemu-user).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="$(nproc)"

./scripts/install-deps.sh

echo "== build (host, Debug)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc -DDFUKIT_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit

echo "== Cortex-M builds (M4F, M33): library, firmware and bootloader sizes"
./scripts/cortex-m-sizes.sh

echo "== big-endian: unit tests built for s390x, run under qemu-user"
./scripts/big-endian-tests.sh "$root/build-s390x"
