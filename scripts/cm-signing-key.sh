#!/usr/bin/env bash
# The signature type a Cortex-M build verifies (the first of its
# DFUKIT_SIGNATURES) and the development key, trusted by default
# (DFUKIT_TRUSTED_KEYS), that signs its images: "TYPE KEY.pem" on stdout.
#
#   scripts/cm-signing-key.sh CROSS_BUILD_DIR
set -euo pipefail
(($# == 1)) || { echo "usage: $0 CROSS_BUILD_DIR" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$1/CMakeCache.txt
[ -f "$cache" ] || { echo "cm-signing-key: $1 is no CMake build" >&2; exit 1; }
signatures=$(sed -n 's/^DFUKIT_SIGNATURES:STRING=//p' "$cache")
case ${signatures%%;*} in
rsa-2048) echo "rsa-2048 $root/keys/dfukit-dev-rsa-2048.pem" ;;
ecdsa-p256) echo "ecdsa-p256 $root/tests/fixtures/mcuboot/keys/ecdsa-p256.pem" ;;
ed25519) echo "ed25519 $root/keys/dfukit-dev-ed25519.pem" ;;
*) echo "cm-signing-key: $1 verifies no signature type this knows ('$signatures')" >&2; exit 1 ;;
esac
