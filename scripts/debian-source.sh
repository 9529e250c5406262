#!/usr/bin/env bash
# Fetch a Debian source package's upstream tarball and unpack it into a cache
# directory, once; prints that directory. The target builds of third-party
# libraries (scripts/mbedtls-target.sh, scripts/bearssl-target.sh) use it.
#
#   scripts/debian-source.sh PACKAGE MARKER        e.g. mbedtls include/mbedtls/version.h
#
# MARKER is a file of the unpacked tree: when it exists, the cache is used as
# it is. The cache is ${XDG_CACHE_HOME:-~/.cache}/dfukit/PACKAGE-src. The
# source comes from `apt-get source --download-only`; a deb-src entry for
# bookworm is added if apt has none (the only network access: Debian's archive).
# Only the upstream tarball (*.orig.tar.*) is unpacked, not the Debian packaging.
set -euo pipefail
pkg="${1:?Debian source package name}"
marker="${2:?a file of the unpacked tree}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dfukit/$pkg-src"
if [ ! -f "$cache/$marker" ]; then
	dl="$(mktemp -d)"
	trap 'rm -rf "$dl"' EXIT
	if ! (cd "$dl" && apt-get source --download-only "$pkg" >/dev/null 2>&1); then
		sudo=""
		[ "$(id -u)" -eq 0 ] || sudo=sudo
		echo "debian-source: adding a deb-src entry for bookworm" >&2
		printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm" \
			"Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
			$sudo tee /etc/apt/sources.list.d/dfukit-src.sources >/dev/null
		$sudo apt-get update -qq
		(cd "$dl" && apt-get source --download-only "$pkg" >/dev/null)
	fi
	tarballs=("$dl/${pkg}"_*.orig.tar.*)
	[ -f "${tarballs[0]}" ] || { echo "debian-source: no upstream tarball for $pkg" >&2; exit 1; }
	rm -rf "$cache" && mkdir -p "$cache"
	tar xf "${tarballs[0]}" --strip-components=1 -C "$cache"
	[ -f "$cache/$marker" ] || { echo "debian-source: $pkg has no $marker" >&2; exit 1; }
fi
echo "$cache"
