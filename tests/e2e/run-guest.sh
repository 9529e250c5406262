#!/usr/bin/env bash
# Boot the e2e guest under QEMU/TCG, run one scenario in it, exit with its status.
#
#   tests/e2e/run-guest.sh [--timeout SEC] SCENARIO.sh [EXTRA_FILE...]
#
# The scenario runs as /scenario.sh (busybox sh, cwd /tmp) after the guest has loaded
# vhci-hcd and brought up eth0 as 10.0.2.15; the host's 127.0.0.1 is 10.0.2.2 there.
# /lib-guest.sh (helpers) is next to it; EXTRA_FILEs appear as /data/<basename>.
# Host variables named DFUKIT_GUEST_* are exported into the scenario's environment.
#
# The guest console streams to stdout (and to $DFUKIT_E2E_LOG if set).
# Exit status: the scenario's, parsed from the DFUKIT-SCENARIO-EXIT=<n> marker, and 1
#   if it was 0 but a DFUKIT-FAIL line appeared;
#   124 if the timeout (default 300 s, or $DFUKIT_E2E_TIMEOUT) hit and QEMU was killed;
#   125 if the guest stopped without printing the marker (kernel panic, QEMU error...).
#
# Environment: DFUKIT_E2E_CACHE (see build-guest.sh), DFUKIT_E2E_LOG,
#   DFUKIT_E2E_TIMEOUT, DFUKIT_E2E_SMP (default 1), DFUKIT_E2E_QEMU_ARGS (extra QEMU
#   arguments, split on spaces).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout_s=${DFUKIT_E2E_TIMEOUT:-300}

usage() { echo "usage: $0 [--timeout SEC] SCENARIO.sh [EXTRA_FILE...]" >&2; exit 2; }
say() { printf '[run-guest] %s\n' "$*" >&2; }

while (($#)); do
	case $1 in
	--timeout) (($# >= 2)) || usage; timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
(($# >= 1)) || usage
scenario=$1
shift
[ -f "$scenario" ] || { say "no such scenario: $scenario"; exit 2; }
for f in "$@"; do [ -f "$f" ] || { say "no such file: $f"; exit 2; }; done
case $timeout_s in '' | *[!0-9]*) say "bad timeout: $timeout_s"; exit 2 ;; esac

# Kernel + cached base initramfs (builds them on the first call).
mapfile -t guest < <("$here/build-guest.sh" && echo OK)
[ "${guest[2]:-}" = OK ] || { say "build-guest.sh failed"; exit 125; }
kernel=${guest[0]} base=${guest[1]}

work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Per-run archive, appended to the base one: the kernel unpacks concatenated cpio
# archives in order, so this costs nothing to cache and the base stays untouched.
mkdir -p "$work/root/data"
install -m 0755 "$scenario" "$work/root/scenario.sh"
install -m 0644 "$here/lib-guest.sh" "$work/root/lib-guest.sh"
for f in "$@"; do cp "$f" "$work/root/data/"; done
: >"$work/root/scenario.env"
while IFS='=' read -r name _; do
	# Single-quote the value for the guest's sh ('\'' for embedded quotes).
	val=${!name}
	printf "export %s='%s'\n" "$name" "${val//\'/\'\\\'\'}" >>"$work/root/scenario.env"
done < <(env | grep -E '^DFUKIT_GUEST_[A-Za-z0-9_]*=' || true)
(cd "$work/root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) >"$work/scenario.cpio"
cat "$base" "$work/scenario.cpio" >"$work/initrd.cpio"

log=${DFUKIT_E2E_LOG:-$work/console.log}
: >"$log"

# shellcheck disable=SC2206  # word splitting of the user's extra args is intended
extra=(${DFUKIT_E2E_QEMU_ARGS:-})
# Measured choices (TCG, this guest):
# - -smp 1: as fast as 2 (boot is serial) and half the host CPU for parallel tests.
# - e1000 romfile= : no iPXE option ROM, we never boot from the network.
# - e1000 autonegotiation=off: link (carrier) is up at once instead of after ~2 s.
# - the kernel is the uncompressed PVH vmlinux from build-guest.sh: ~2.5 s less.
qemu=(qemu-system-x86_64 -accel tcg -m 512 -smp "${DFUKIT_E2E_SMP:-1}"
	-nographic -no-reboot
	-kernel "$kernel" -initrd "$work/initrd.cpio"
	-append "console=ttyS0 panic=-1 loglevel=3 quiet"
	-netdev "user,id=n0" -device "e1000,netdev=n0,romfile=,autonegotiation=off"
	"${extra[@]}")

say "booting $(basename "$scenario") (timeout ${timeout_s}s)"
start=$SECONDS
# --foreground keeps QEMU in our process group, so Ctrl-C still reaches it; stdin is
# /dev/null so QEMU never puts a terminal into raw mode (and CI has no stdin anyway).
# The serial console writes CRLF; strip the CR so logs and grep behave.
set +e
timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$log"
rcs=("${PIPESTATUS[@]}")
set -e
qemu_rc=${rcs[0]}
elapsed=$((SECONDS - start))

if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	say "TIMEOUT: guest still running after ${timeout_s}s; QEMU killed (scenario $(basename "$scenario"))"
	exit 124
fi
marker=$(grep -ao 'DFUKIT-SCENARIO-EXIT=[0-9]*' "$log" | tail -n1 || true)
if [ -z "$marker" ]; then
	say "FAILED: guest stopped after ${elapsed}s without a DFUKIT-SCENARIO-EXIT marker (QEMU exit status $qemu_rc; kernel panic, QEMU error or init failure - see the console output above)"
	exit 125
fi
rc=${marker#*=}
say "scenario $(basename "$scenario") exited $rc after ${elapsed}s"
# A check that printed its failure but let the scenario go on (or end with 0)
# still fails the run.
fails=$(grep -ac 'DFUKIT-FAIL:' "$log") || fails=0
if [ "$fails" -gt 0 ] && [ "$rc" = 0 ]; then
	say "FAILED: scenario $(basename "$scenario") exited 0 but printed $fails DFUKIT-FAIL line(s)"
	exit 1
fi
exit "$rc"
