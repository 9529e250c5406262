#!/usr/bin/env bash
# dfukit-emu without QEMU: a stand-in emulator that "resets" (exit 64) once,
# then halts (exit 65). Checks the factory programming of the boot partition
# (once, exactly, nothing else touched), the restart on a reset, the
# emulator's command line, the "[emu] firmware stopped" line and exit status,
# and that the private working directory (and a killed run's) is gone afterwards.
#
#   tests/cm/emu-restart.sh HOST_BUILD_DIR
set -euo pipefail
(($# == 1)) || { echo "usage: $0 HOST_BUILD_DIR" >&2; exit 2; }
emu="$(cd "$1" && pwd)/bin/dfukit-emu"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-emu-restart.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/fw" "$work/tmp"
head -c 5000 /dev/urandom >"$work/fw/bootloader-mps2-reel_board.bin"
cat >"$work/fake-qemu" <<'SH'
#!/bin/sh
# One line per start with the arguments; the run count lives outside the work dir.
n=$(cat "$FAKE_RUNS" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$FAKE_RUNS"
echo "fake-qemu run $n cwd=$(pwd) args: $*"
[ -p in ] && [ -p out ] && [ -L flash ] || { echo "fake-qemu: no FIFOs or flash link"; exit 3; }
[ "$n" -ge 2 ] && exit 65
exit 64
SH
chmod +x "$work/fake-qemu"
python3 - "$emu" "$work" <<'PY'
import os, re, socket, subprocess, sys
emu, work = sys.argv[1], sys.argv[2]
flash, boot = f"{work}/reel.flash", open(f"{work}/fw/bootloader-mps2-reel_board.bin", "rb").read()
fails = []
def check(ok, what):
    print(f"emu-restart: {'ok' if ok else 'FAIL'}: {what}")
    if not ok:
        fails.append(what)
def run(runs_file):
    hub, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    env = dict(os.environ, DFUKIT_BOARD="reel_board", DFUKIT_USBIP_FD=str(theirs.fileno()),
               DFUKIT_FLASH=flash, DFUKIT_SERIAL="ABC123", DFUKIT_FIRMWARE_DIR=f"{work}/fw",
               TMPDIR=f"{work}/tmp", FAKE_RUNS=runs_file)
    p = subprocess.run([emu, "--qemu", f"{work}/fake-qemu"], env=env, pass_fds=[theirs.fileno()],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    theirs.close()
    ready = hub.recv(1, socket.MSG_DONTWAIT) if p.returncode != 2 else b""
    return p, ready
# What a SIGKILLed run leaves behind (its pid in the name, that pid dead) is swept.
dead = next(n for n in range(4000000, 1, -1) if not os.path.exists(f"/proc/{n}"))
stale = f"{work}/tmp/dfukit-emu-{dead}.AbCdEf"
os.mkdir(stale)
os.mkfifo(f"{stale}/in")
os.symlink(flash, f"{stale}/flash")
p, ready = run(f"{work}/runs1")
print(p.stdout, end="")
check(ready == b"R", "the USB/IP server said ready on the hand-off")
check(p.returncode == 65, f"exit status 65 (was {p.returncode})")
check("[emu] programmed" in p.stdout, "the bootloader was programmed into a new flash file")
check(p.stdout.count("fake-qemu run") == 2 and "[emu] firmware reset: restarting" in p.stdout,
      "a reset (64) restarts the emulator once")
check(p.stdout.rstrip().endswith("[emu] firmware stopped: halted (nothing to run) (exit status 65)"),
      "the last line says why the firmware stopped")
args = re.search(r"args: (.*)", p.stdout).group(1)
check("-M mps2-an386 -accel tcg" in args and "addr=0x0," in args and
      "arg=dfukit,arg=flash=flash,arg=link-in=in,arg=link-out=out,arg=serial=ABC123" in args,
      "QEMU's command line: machine, accel, loader address, short semihosting arguments")
check(os.listdir(f"{work}/tmp") == [], "the private working directory (and a stale one) removed")
data = bytearray(open(flash, "rb").read())
check(data[:len(boot)] == boot and data[len(boot):0xC000] == b"\xff" * (0xC000 - len(boot)),
      "the boot partition holds exactly the bootloader")
# Slot 0 gets a pattern; a second start must neither reprogram nor touch it.
data[0xC000:0xC100] = bytes(range(256))
open(flash, "wb").write(data)
p, _ = run(f"{work}/runs2")
check("[emu] programmed" not in p.stdout, "a second start leaves a correct boot partition alone")
check(open(flash, "rb").read() == bytes(data), "nothing else in flash changed")
# A wrong bootloader is replaced, slot 0 still kept.
data[100] ^= 0xFF
open(flash, "wb").write(data)
p, _ = run(f"{work}/runs3")
new = open(flash, "rb").read()
check("[emu] programmed" in p.stdout and new[:len(boot)] == boot and new[0xC000:] == bytes(data[0xC000:]),
      "a changed boot partition is reprogrammed, the rest kept")
print(f"emu-restart: {'FAILED' if fails else 'passed'}")
sys.exit(1 if fails else 0)
PY
