#!/usr/bin/env bash
# Build, or reuse from the cache, the throwaway Linux guest in which the e2e tests run
# the real USB/IP client tools (usbip, dfu-util, lsusb) under QEMU/TCG.
#
#   tests/e2e/build-guest.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${DFUKIT_E2E_CACHE:-$HOME/.cache/dfukit-e2e}.
# On success prints two lines on stdout: the kernel image to boot (an uncompressed PVH
# vmlinux when the kernel supports it, else the bzImage) and the base initramfs (an
# uncompressed newc cpio). Progress goes to stderr.
#
# Why this shape:
# - The build machines' own kernels have no USB support at all, so the USB host side
#   (vhci-hcd) has to run in a guest kernel; Debian's stock kernel has it as modules.
# - We only *unpack* Debian's kernel package (apt-get download + dpkg -x); installing a
#   kernel on the build machine would be pointless and intrusive.
# - The base initramfs is cached under a key made of everything that goes into it
#   (kernel package version, tool package versions, module list, this script and
#   guest/init), so a repeated run costs a few apt-cache queries. The per-run scenario
#   is appended by run-guest.sh as a second cpio archive: the kernel unpacks
#   concatenated archives in order.
#
# Environment:
#   DFUKIT_E2E_MODULES  extra kernel modules to put in the guest (space separated),
#                       loaded after the default ones; their dependencies are added.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:-${DFUKIT_E2E_CACHE:-$HOME/.cache/dfukit-e2e}}
# Default modules: vhci-hcd (the USB/IP client HCD) and e1000 (QEMU's default NIC model,
# the one we give the guest). Their dependencies (usbcore, usb-common, usbip-core)
# are resolved below from the modules themselves rather than hard-coded.
modules=(vhci-hcd e1000)
# shellcheck disable=SC2206  # word splitting of the user's list is intended
modules+=(${DFUKIT_E2E_MODULES:-})

log() { printf '[build-guest] %s\n' "$*" >&2; }
die() { printf '[build-guest] ERROR: %s\n' "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
export PATH=$PATH:/usr/sbin:/sbin

# ---------------------------------------------------------------------------------
# 1. Host packages (only the missing ones; never a kernel).
# ---------------------------------------------------------------------------------
host_pkgs=(qemu-system-x86 busybox-static cpio usbip dfu-util usbutils)
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
missing=()
for p in "${host_pkgs[@]}"; do installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
		sudo=(sudo -n)
	fi
	log "installing ${missing[*]}"
	# Wait for another apt (a parallel test, an unattended upgrade) instead of failing.
	apt_install=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}")
	# A fresh machine (CI image) may have empty package lists: update once and retry.
	if ! "${apt_install[@]}" >&2 </dev/null; then
		log "apt-get install failed; running apt-get update and retrying"
		"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q >&2 </dev/null
		"${apt_install[@]}" >&2 </dev/null
	fi
fi

# ---------------------------------------------------------------------------------
# 2. Which kernel: the real package behind the linux-image-amd64 metapackage.
# ---------------------------------------------------------------------------------
# One apt-cache call (each costs ~0.4 s, and this runs on every cached test start):
# the metapackage names the real package, normally with its exact version.
read -r kpkg kpkg_ver < <(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
	sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\)\( (= \([^)]*\))\)\{0,1\}.*/\1 \3/p' | head -n1) || true
[ -n "${kpkg:-}" ] || die "cannot resolve linux-image-amd64 to a kernel package (apt-get update?)"
if [ -z "${kpkg_ver:-}" ]; then
	kpkg_ver=$(apt-cache show --no-all-versions "$kpkg" | awk '/^Version:/ { print $2; exit }')
	[ -n "$kpkg_ver" ] || die "no version for $kpkg"
fi

# Everything that ends up in the base initramfs goes into its cache key.
tool_vers=$(dpkg-query -W -f='${Package}=${Version}\n' busybox-static usbip dfu-util usbutils usb.ids 2>/dev/null || true)
key=$( {
	echo "$kpkg=$kpkg_ver"
	echo "$tool_vers"
	echo "modules=${modules[*]}"
	cat "${BASH_SOURCE[0]}" "$here/guest/init"
} | sha256sum | cut -c1-16)
# Guests with different module sets (DFUKIT_E2E_MODULES) live side by side: the
# tag keeps one test's rebuild from deleting the guest another test is booting.
modtag=$(echo "${modules[*]}" | sha256sum | cut -c1-8)
guest_dir=$cache/guest-$modtag-$key

# The result: $guest_dir/{kernel (name of the image to boot), vmlinux|vmlinuz, base.cpio}
print_result() { printf '%s\n%s\n' "$guest_dir/$(cat "$guest_dir/kernel")" "$guest_dir/base.cpio"; }
if [ -f "$guest_dir/kernel" ] && [ -f "$guest_dir/base.cpio" ]; then
	log "cached guest: $guest_dir ($kpkg $kpkg_ver)"
	print_result
	exit 0
fi

mkdir -p "$cache"
# Serialise concurrent builders (parallel CTest jobs); the loser then finds the result.
if command -v flock >/dev/null; then
	exec 9>"$cache/.lock"
	flock 9
	if [ -f "$guest_dir/kernel" ] && [ -f "$guest_dir/base.cpio" ]; then
		print_result
		exit 0
	fi
fi

t0=$SECONDS
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------------------------
# 3. Kernel package: download (kept in the cache: ~70 MB, saves the download when only
#    the module list or the scripts change) and unpack into the scratch dir.
# ---------------------------------------------------------------------------------
debs=$cache/debs
mkdir -p "$debs"
deb=$(find "$debs" -maxdepth 1 -name "${kpkg}_*.deb" | head -n1)
if [ -z "$deb" ]; then
	log "downloading $kpkg $kpkg_ver"
	# As root, apt would try to drop to the _apt user, which cannot write into a
	# private cache dir, and warn; downloading as root is fine for a file we only unpack.
	sandbox=()
	if [ "$(id -u)" = 0 ]; then sandbox=(-o APT::Sandbox::User=root); fi
	(cd "$work" && apt-get download -q "${sandbox[@]}" "$kpkg=$kpkg_ver" >&2 </dev/null)
	# Drop debs of older kernels, then keep the new one.
	find "$debs" -maxdepth 1 -name 'linux-image-*.deb' -delete
	mv "$work"/"${kpkg}"_*.deb "$debs/"
	deb=$(find "$debs" -maxdepth 1 -name "${kpkg}_*.deb" | head -n1)
fi
log "unpacking $(basename "$deb")"
kroot=$work/kernel
dpkg -x "$deb" "$kroot"
moddir=
for d in "$kroot"/lib/modules/* "$kroot"/usr/lib/modules/*; do
	if [ -d "$d" ]; then moddir=$d && break; fi
done
[ -n "$moddir" ] || die "no lib/modules in $deb"
kver=$(basename "$moddir")
vmlinuz=$kroot/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "no $vmlinuz in $deb"

# ---------------------------------------------------------------------------------
# 4. Modules: resolve dependencies from each module's own .modinfo (depends=...), so
#    no depmod/modinfo is needed on the host, and decompress .ko.xz/.ko.zst (busybox
#    insmod wants plain .ko). Result: a list in load order.
# ---------------------------------------------------------------------------------
declare -A kofile=()   # canonical name (dashes -> underscores) -> path in $kroot
while IFS= read -r f; do
	n=$(basename "$f")
	n=${n%%.ko*}
	kofile[${n//-/_}]=$f
done < <(find "$moddir" -name '*.ko*')

plain_ko() { # $1 = module path, $2 = output .ko
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) die "unknown module format: $1" ;;
	esac
}

mkdir -p "$work/ko"
order=()
declare -A state=() # name -> visiting|done
add_module() { # depth-first: dependencies first
	local n=${1//-/_} dep deps
	[ "${state[$n]:-}" != "done" ] || return 0
	[ "${state[$n]:-}" != visiting ] || die "module dependency cycle at $n"
	[ -n "${kofile[$n]:-}" ] || die "module $1 not found in $kpkg (built in? then drop it)"
	state[$n]=visiting
	plain_ko "${kofile[$n]}" "$work/ko/$n.ko"
	deps=$(tr '\0' '\n' <"$work/ko/$n.ko" | sed -n 's/^depends=//p' | head -n1)
	for dep in ${deps//,/ }; do add_module "$dep"; done
	state[$n]="done"
	order+=("$n")
}
for m in "${modules[@]}"; do add_module "$m"; done
log "kernel $kver; modules in load order: ${order[*]}"

# extract_vmlinux BZIMAGE OUT: the compressed payload of an x86 bzImage, decompressed
# (an ELF vmlinux). Boot protocol >= 2.08: setup_sects at 0x1f1, payload_offset and
# payload_length (u32 LE) at 0x248/0x24c, relative to the protected-mode code which
# starts after the (setup_sects + 1) 512-byte setup sectors.
extract_vmlinux() {
	local img=$1 out=$2 sects off len start magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	[ "$sects" != 0 ] || sects=4
	start=$(((sects + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$start" -N4 "$img" | tr -d ' ')
	# The payload ends with the 4-byte decompressed size; --single-stream / -q cope.
	payload() { dd if="$img" iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none; }
	case $magic in
	fd377a58) payload | xz -dc --single-stream >"$out" || return 1 ;;
	28b52ffd) payload | zstd -qdc >"$out" || return 1 ;;
	1f8b*) payload | gzip -dcq >"$out" 2>/dev/null || true ;;
	*) return 1 ;;
	esac
	[ "$(od -An -tx1 -N4 "$out" | tr -d ' ')" = 7f454c46 ] # ELF magic
}

# ---------------------------------------------------------------------------------
# 5. The initramfs tree.
# ---------------------------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,usr/share/misc,etc,proc,sys,dev,tmp,run,data,root,var}
# Debian 12 is merged-/usr: ldd names /lib/... and /lib64/... paths.
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s ../run "$root/var/run"

# busybox and its applet links (the real tools below replace busybox's lsusb).
cp /bin/busybox "$root/bin/busybox"
/bin/busybox --list-full | while IFS= read -r applet; do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# The real tools under test, with the shared libraries ldd names and the loader.
copy_with_libs() {
	local bin=$1 lib
	rm -f "$root$bin"
	cp "$bin" "$root$bin"
	# "libx.so => /path (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)"
	for lib in $(ldd "$bin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
for tool in usbip dfu-util lsusb; do
	path=$(command -v "$tool") || die "$tool not found on the host"
	copy_with_libs "$path"
done

# USB ID names for usbip and lsusb (usbip looks in hwdata, usbutils in misc).
for ids in /usr/share/misc/usb.ids /usr/share/hwdata/usb.ids /var/lib/usbutils/usb.ids; do
	if [ -f "$ids" ]; then
		cp -L "$ids" "$root/usr/share/misc/usb.ids"
		mkdir -p "$root/usr/share/hwdata"
		ln -sf ../misc/usb.ids "$root/usr/share/hwdata/usb.ids"
		break
	fi
done

mkdir -p "$root/lib/modules"
for n in "${order[@]}"; do cp "$work/ko/$n.ko" "$root/lib/modules/"; done
printf '%s\n' "${order[@]}" >"$root/etc/modules.order"

install -m 0755 "$here/guest/init" "$root/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
printf '%s\n' "$kpkg=$kpkg_ver" "$tool_vers" >"$root/etc/dfukit-guest-versions"

# Uncompressed: QEMU loads it in no time and the kernel skips a decompression that
# costs real seconds under TCG (measured: gzip -1 was slower to boot).
log "packing base initramfs"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) >"$work/base.cpio"

mkdir -p "$work/out"
mv "$work/base.cpio" "$work/out/base.cpio"
# Boot speed: under TCG the bzImage's own decompressor needs ~2.5 s before the kernel
# even starts. Debian's kernel has CONFIG_PVH, so QEMU can boot the uncompressed ELF
# vmlinux directly (PVH entry point): we decompress the payload once, here.
kernel_out=vmlinuz
cp "$vmlinuz" "$work/out/vmlinuz"
if grep -qx 'CONFIG_PVH=y' "$kroot/boot/config-$kver" 2>/dev/null && extract_vmlinux "$vmlinuz" "$work/out/vmlinux"; then
	kernel_out=vmlinux
else
	log "no PVH vmlinux; booting the bzImage (slower)"
fi
echo "$kernel_out" >"$work/out/kernel"
printf '%s\n' "${order[@]}" >"$work/out/modules.order"
rm -rf "$guest_dir"
mv "$work/out" "$guest_dir"
# Older guests of this module set (and untagged ones) are dead weight once a new key is built.
find "$cache" -mindepth 1 -maxdepth 1 \( -name "guest-$modtag-*" -o -name 'guest-*' ! -name 'guest-*-*' \) \
	! -name "guest-$modtag-$key" -exec rm -rf {} +

log "built $guest_dir in $((SECONDS - t0)) s ($(du -sh "$guest_dir/base.cpio" | cut -f1) initramfs, boots $kernel_out)"
print_result
