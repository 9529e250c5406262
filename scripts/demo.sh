#!/usr/bin/env bash
# The main job: install dependencies, build, and run the seed's RAM-disk
# walkthrough. (Until the virtual board lands this drives the device through
# the in-process virtual controller instead of real dfu-util.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target dfu-loopback
./build/bench/dfu-loopback --size 65536 --transfer-size 4096
