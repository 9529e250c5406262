#!/usr/bin/env bash
# Install what dfukit needs to build and test on Debian 12 (run as root or with sudo).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libcmocka-dev libmbedtls-dev libsodium-dev python3 python3-cryptography
      gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm
      openssl) # openssl: the signer interop test signs a digest outside dfukit, as an HSM would
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq "${missing[@]}"
fi
