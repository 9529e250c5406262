#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""
The fault-injection campaign of issue 18 (measurement): the Cortex-M4F
bootloader as the cross build ships it (bootloader-mps2-reel_board.bin), run
with Unicorn (python3-unicorn) over a small model of QEMU's mps2-an386, booting
a bad image, with one instruction skipped per run (the single-fault model).

    /usr/bin/python3 tests/fih/fih.py [--short] [--every N] [--skip-bytes 0,2,4]
                                      [--scenario NAME]... [CROSS_BUILD_DIR [HOST_BUILD_DIR]]

See tests/fih/README.md. Exit status: 0 once the campaign ran and its
self-checks held (whatever the bypass count: this session measures), 1 if a
self-check failed (a golden run that does not end as it must), 2 on usage.
"""
import argparse
import bisect
import ctypes
import hashlib
import multiprocessing
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

import unicorn as uc_mod
from unicorn import (UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, UC_HOOK_BLOCK, UC_HOOK_CODE,
                     UC_HOOK_INTR, UC_HOOK_MEM_WRITE, UC_PROT_ALL, Uc, UcError)
from unicorn.arm_const import (UC_ARM_REG_PC, UC_ARM_REG_R0, UC_ARM_REG_R1,
                               UC_ARM_REG_SP, UC_CPU_ARM_CORTEX_M4)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# mps2-an386 as the reel_board port sees it (port/mps2/mps2.h, tests/cm/emulated-boot.sh).
SSRAM_SIZE = 0x400000          # code SSRAM at 0, mirrored at 4 MiB (MPS2_FLASH_DATA)
FLASH_SIZE = 0x100000
SLOT0, SLOT1, SLOT_SIZE, ALIGN = 0xC000, 0x82000, 0x76000, 4
RAM_BASE, RAM_SIZE = 0x20000000, 0x400000
RAM_USED = 0x40000              # the bootloader's RAM (its linker script); the rest stays 0
UART0 = 0x40004000
FPGAIO = 0x40028000
SCS = 0xE000E000
BOOT_END = SLOT0                # the bootloader's partition

# Semihosting operations the port uses (port/mps2/semihost.c).
SYS_OPEN, SYS_CLOSE, SYS_WRITE, SYS_READ, SYS_SEEK, SYS_FLEN = 0x01, 0x02, 0x05, 0x06, 0x0A, 0x0C
SYS_GET_CMDLINE, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x18, 0x20
EXIT_HALT, EXIT_FAULT = 65, 66
CMDLINE = b"bootloader flash=/fih/flash"
EXCP_BKPT = 7

# Outcomes of a run.
REFUSED, GOOD, HANG, CRASH, BYPASS = "refused", "booted-good", "hang", "crash", "BYPASS"
OUTCOMES = (REFUSED, GOOD, HANG, CRASH, BYPASS)


class Stop(Exception):
    pass


class Board:
    """One Unicorn machine; reset() puts a flash image in and powers it on."""

    def __init__(self, boot_bin_len, reset_handler):
        self.reset_handler = reset_handler
        u = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        u.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M4)
        # The code SSRAM and its mirror at 4 MiB: one memory behind both addresses.
        self.ssram = ctypes.create_string_buffer(SSRAM_SIZE)
        u.mem_map_ptr(0, SSRAM_SIZE, UC_PROT_ALL, self.ssram)
        u.mem_map_ptr(SSRAM_SIZE, SSRAM_SIZE, UC_PROT_ALL, self.ssram)
        self.ram = ctypes.create_string_buffer(RAM_SIZE)
        u.mem_map_ptr(RAM_BASE, RAM_SIZE, UC_PROT_ALL, self.ram)
        u.mem_map(UART0, 0x1000, UC_PROT_ALL)              # STATE reads 0: never full
        u.mem_map(FPGAIO, 0x1000, UC_PROT_ALL)             # the counters read 0: a stopped clock
        u.mem_map(SCS, 0x1000, UC_PROT_ALL)                # VTOR, CPACR: plain memory
        self.u = u
        u.hook_add(UC_HOOK_INTR, self._intr)
        u.hook_add(UC_HOOK_MEM_WRITE, self._uart, begin=UART0, end=UART0 + 3)
        # Any instruction in the slots: the jump (or a wild one).
        u.hook_add(UC_HOOK_CODE, self._in_slots, begin=BOOT_END, end=SSRAM_SIZE * 2 - 1)
        self.pristine = u.context_save()        # the CPU as it comes out of reset
        self.flushes = 0
        self.trace = None

    # -- the machine's devices --
    def _uart(self, u, access, addr, size, value, _):
        if addr == UART0:
            self.console.append(value & 0xFF)

    def _in_slots(self, u, addr, size, _):
        self.end = ("jump", addr)
        u.emu_stop()

    def _intr(self, u, intno, _):
        pc = u.reg_read(UC_ARM_REG_PC)
        if intno == EXCP_BKPT and bytes(u.mem_read(pc, 2)) == b"\xab\xbe":
            self._semihost(u)
            if self.end is None:
                u.reg_write(UC_ARM_REG_PC, (pc + 2) | 1)
            return
        self.end = ("exception", intno, pc)
        u.emu_stop()

    def _semihost(self, u):
        op = u.reg_read(UC_ARM_REG_R0)
        a = u.reg_read(UC_ARM_REG_R1)

        def arg(i):
            return struct.unpack("<I", u.mem_read(a + 4 * i, 4))[0]
        r = 0
        if op == SYS_OPEN:
            r = 3
        elif op in (SYS_CLOSE, SYS_SEEK):
            if op == SYS_SEEK:
                self.file_pos = arg(1)
        elif op == SYS_WRITE:
            r = 0                     # the flash file: the memory is the truth
        elif op == SYS_READ:
            n = arg(2)
            u.mem_write(arg(1), bytes(u.mem_read(self.file_pos, n)))
        elif op == SYS_FLEN:
            r = FLASH_SIZE
        elif op == SYS_GET_CMDLINE:
            buf, size = arg(0), arg(1)
            u.mem_write(buf, CMDLINE[:size - 1] + b"\0")
            u.mem_write(a + 4, struct.pack("<I", len(CMDLINE)))
        elif op == SYS_EXIT_EXTENDED:
            self.end = ("exit", arg(1))
            u.emu_stop()
        elif op == SYS_EXIT:
            self.end = ("exit", arg(1) if a else 0)
            u.emu_stop()
        else:
            self.end = ("semihost?", op)
            u.emu_stop()
        u.reg_write(UC_ARM_REG_R0, r & 0xFFFFFFFF)

    # -- runs --
    def load(self, flash):
        self.flash = bytes(flash)

    def _devices_reset(self):
        for base in (UART0, FPGAIO, SCS):
            self.u.mem_write(base, b"\0" * 0x1000)
        self.end = None

    def power_on(self):
        """Reset: the flash file in the code SSRAM, RAM cleared. Returns the reset PC."""
        ctypes.memset(self.ssram, 0, SSRAM_SIZE)
        ctypes.memmove(self.ssram, self.flash, len(self.flash))
        ctypes.memset(self.ram, 0, RAM_SIZE)
        self._devices_reset()
        self.console = bytearray()
        self.file_pos = 0
        self.u.context_restore(self.pristine)
        sp, pc = struct.unpack_from("<II", self.flash, 0)
        self.u.reg_write(UC_ARM_REG_SP, sp)
        return pc

    def snapshot(self, insns):
        """The machine's state now (inside a code hook: before the current instruction)."""
        return (insns, self.u.context_save(), self.ssram.raw[:FLASH_SIZE], self.ram.raw[:RAM_USED],
                bytes(self.console), self.file_pos)

    def restore(self, snap):
        insns, ctx, flash, ram, console, pos = snap
        ctypes.memset(self.ssram, 0, SSRAM_SIZE)
        ctypes.memmove(self.ssram, flash, len(flash))
        ctypes.memset(self.ram, 0, RAM_SIZE)
        ctypes.memmove(self.ram, ram, len(ram))
        self._devices_reset()
        self.u.context_restore(ctx)
        self.console = bytearray(console)
        self.file_pos = pos
        return self.u.reg_read(UC_ARM_REG_PC)

    def run(self, limit, skip=None, skip_bytes=0, snap=None):
        """One boot; skip: an address whose first execution is skipped (skip_bytes, or the
        instruction); snap: start from that snapshot of the unfaulted run instead of reset."""
        u = self.u
        if snap is None:
            pc = self.power_on()
        else:
            pc = self.restore(snap)
            limit -= snap[0]
        hook = None
        if skip is not None:
            state = {"done": False}

            def on_skip(u, addr, size, _):
                if not state["done"]:
                    state["done"] = True
                    u.reg_write(UC_ARM_REG_PC, (addr + (skip_bytes or size)) | 1)
            hook = u.hook_add(UC_HOOK_CODE, on_skip, begin=skip, end=skip)
        try:
            u.emu_start(pc | 1, 0xFFFFFFFF, count=limit)
        except UcError as e:
            if self.end is None:
                self.end = ("error", str(e), u.reg_read(UC_ARM_REG_PC))
        finally:
            if hook is not None:
                u.hook_del(hook)
            # A run that wrote into the bootloader's code leaves translations of those bytes
            # behind: the next run restores the bytes behind Unicorn's back, so drop them all.
            if self.ssram.raw[:BOOT_END] != self.flash[:BOOT_END]:
                u.ctl_flush_tb()
                self.flushes += 1
        if self.end is None:
            self.end = ("limit",)
        return self.end

    def slot0(self, n):
        return bytes(self.u.mem_read(SLOT0, n))


def classify(board, end, good_image):
    kind = end[0]
    if kind == "exit":
        return REFUSED if end[1] == EXIT_HALT else CRASH
    if kind == "jump":
        if end[1] != board.reset_handler:
            return CRASH                         # a wild jump into the slots
        return GOOD if board.slot0(len(good_image)) == good_image else BYPASS
    if kind == "limit":
        return HANG
    return CRASH


def golden_trace(board, limit, snap_every=100):
    """The addresses executed, in order of their first execution, the instruction count,
    the run's end and snapshots: (position in that order, state) every snap_every new addresses."""
    seen = {}
    count = [0]
    snaps = []

    def on_code(u, addr, size, _):
        if addr not in seen:
            seen[addr] = count[0]
        count[0] += 1

    # Snapshots at the start of a translation block only: there the CPU state is all in
    # the env (flags, IT state, PC), which a code hook inside a block does not promise.
    def on_block(u, addr, size, _):
        if len(seen) >= len(snaps) * snap_every:
            snaps.append((len(seen), board.snapshot(count[0])))
    h = board.u.hook_add(UC_HOOK_CODE, on_code, begin=0, end=BOOT_END - 1)
    hb = board.u.hook_add(UC_HOOK_BLOCK, on_block, begin=0, end=BOOT_END - 1)
    try:
        end = board.run(limit)
    finally:
        board.u.hook_del(h)
        board.u.hook_del(hb)
    return sorted(seen, key=seen.get), count[0], end, snaps


# The campaign's workers (forked after the unfaulted run: they inherit BOARD and JOB).
BOARD = None
JOB = None


def fault_run(i):
    trace, snaps, limit, skip_bytes, good_img = JOB
    j = bisect.bisect_right([p for p, _ in snaps], i) - 1
    e = BOARD.run(limit, skip=trace[i], skip_bytes=skip_bytes, snap=snaps[j][1] if j >= 0 else None)
    return trace[i], classify(BOARD, e, good_img)


# -- images --
def sign(signer, key, out, version, hello, extra=()):
    subprocess.run([signer, "sign", "--key", key, "--header-size", "0x200", "--pad-header",
                    "--align", str(ALIGN), "--slot-size", hex(SLOT_SIZE), "--version", version,
                    *extra, hello, out], check=True, stdout=subprocess.DEVNULL)
    return open(out, "rb").read()


def flip_tlv(img, kind):
    img = bytearray(img)
    hdr_size, img_size = struct.unpack_from("<HxxI", img, 8)
    off = hdr_size + img_size
    magic, total = struct.unpack_from("<HH", img, off)
    assert magic == 0x6907, "no TLV area"
    end, off = off + total, off + 4
    while off < end:
        k, length = struct.unpack_from("<HH", img, off)
        if k == kind:
            img[off + 4 + length // 2] ^= 0x01
            return bytes(img)
        off += 4 + length
    sys.exit(f"fih: no TLV 0x{kind:x}")


def flash_with(boot, s0, s1=None):
    f = bytearray(b"\xff" * FLASH_SIZE)
    for data, off in ((boot, 0), (s0, SLOT0)) + (((s1, SLOT1),) if s1 else ()):
        f[off:off + len(data)] = data
    return f


def scenarios(cross, host, work):
    signer = os.path.join(host, "bin", "dfukit-image")
    boot_bin = os.path.join(cross, "apps/bootloader-cm/bootloader-mps2-reel_board.bin")
    hello = os.path.join(cross, "apps/hello-world-cm/hello_world-reel_board.bin")
    for f in (signer, boot_bin, hello):
        if not os.path.isfile(f):
            sys.exit(f"fih: missing {f}")
    key_type, trusted = subprocess.run([os.path.join(ROOT, "scripts/cm-signing-key.sh"), cross],
                                       check=True, capture_output=True, text=True).stdout.split()
    sig_tlv = {"rsa-2048": 0x20, "ecdsa-p256": 0x22}[key_type]
    boot = open(boot_bin, "rb").read()
    v0 = sign(signer, trusted, f"{work}/v0.bin", "0.0.0", hello)
    v1 = sign(signer, trusted, f"{work}/v1.bin", "1.2.3", hello, ["--pad"])
    untrusted = f"{work}/untrusted.pem"
    subprocess.run([signer, "keygen", "-k", untrusted, "-t", key_type], check=True,
                   stdout=subprocess.DEVNULL)
    v0_untrusted = sign(signer, untrusted, f"{work}/v0u.bin", "0.0.0", hello)
    # (name, flash, the good trusted image, what the unfaulted run must do)
    return key_type, boot, [
        ("control", flash_with(boot, v0), v0, GOOD),
        ("bad-signature", flash_with(boot, flip_tlv(v0, sig_tlv)), v0, REFUSED),
        ("bad-hash", flash_with(boot, flip_tlv(v0, 0x10)), v0, REFUSED),
        ("untrusted-key", flash_with(boot, v0_untrusted), v0, REFUSED),
        ("slot1-bad-test-swap", flash_with(boot, v0, flip_tlv(v1, sig_tlv)), v0, GOOD),
    ]


def symbolizer(elf):
    """address -> function, from arm-none-eabi-nm (sorted function symbols)."""
    out = subprocess.run(["arm-none-eabi-nm", "-n", "-S", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW":
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    starts = [s[0] for s in syms]

    def name(addr):
        i = bisect.bisect_right(starts, addr) - 1
        if i >= 0 and addr < syms[i][0] + syms[i][1]:
            return f"{syms[i][2]}+0x{addr - syms[i][0]:x}"
        return "?"
    return name


def source_lines(elf, addrs):
    """address -> file:line (arm-none-eabi-addr2line; "??:?" when the .elf has no -g)."""
    if not addrs:
        return {}
    out = subprocess.run(["arm-none-eabi-addr2line", "-e", elf, *[hex(a) for a in addrs]],
                         check=True, capture_output=True, text=True).stdout.split()
    return {a: os.path.relpath(l, ROOT) if l.startswith("/") else l for a, l in zip(addrs, out)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cross", nargs="?", default=os.path.join(ROOT, "build-cortex-m4f"))
    ap.add_argument("host", nargs="?", default=os.path.join(ROOT, "build"))
    ap.add_argument("--short", action="store_true", help="every 20th address (--every 20)")
    ap.add_argument("--every", type=int, default=1, help="fault every Nth address of the trace")
    ap.add_argument("--skip-bytes", default="0",
                    help="comma list: 0 = skip the instruction; 2,4,.. = skip that many bytes (MCUboot ci/fih_test)")
    ap.add_argument("--scenario", action="append", help="only these scenarios")
    ap.add_argument("--functions", help="comma list: fault only the addresses inside these functions")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="worker processes")
    ap.add_argument("--bypasses", type=int, default=40, help="bypass addresses listed per scenario")
    args = ap.parse_args()
    every = 20 if args.short else args.every
    skips = [int(s) for s in args.skip_bytes.split(",")]
    cross, host = os.path.abspath(args.cross), os.path.abspath(args.host)
    elf = os.path.join(cross, "apps/bootloader-cm/bootloader-mps2-reel_board.elf")
    work = tempfile.mkdtemp(prefix="dfukit-fih.")
    try:
        key_type, boot, scen = scenarios(cross, host, work)
        name = symbolizer(elf)
    finally:
        shutil.rmtree(work)
    if args.scenario:
        scen = [s for s in scen if s[0] in args.scenario]
        if not scen:
            sys.exit("fih: no such scenario")
    good = scen[0][2]
    hdr_size = struct.unpack_from("<H", good, 8)[0]
    reset_handler = struct.unpack_from("<I", good, hdr_size + 4)[0] & ~1
    shown = os.path.relpath(elf, ROOT) if elf.startswith(ROOT + os.sep) else elf
    print(f"fih: {shown[:-4]}.bin ({len(boot)} bytes, sha256 "
          f"{hashlib.sha256(boot).hexdigest()[:12]}), {key_type}, unicorn {uc_mod.__version__}, "
          f"faulting every {'' if every == 1 else f'{every}th '}address, skips: "
          + ", ".join("instruction" if s == 0 else f"{s} bytes" for s in skips))
    global BOARD, JOB
    board = BOARD = Board(len(boot), reset_handler)
    failed = False
    totals = []
    t_all = time.time()
    for sname, flash, good_img, want in scen:
        board.load(flash)
        trace, n_insns, end, snaps = golden_trace(board, 50_000_000)
        got = classify(board, end, good_img)
        console = bytes(board.console)
        if got != want:
            print(f"fih: SELF-CHECK FAILED: {sname} without faults: {got} ({end}), expected {want}",
                  file=sys.stderr)
            print("".join("  | " + l + "\n" for l in console.decode(errors="replace").splitlines()),
                  file=sys.stderr, end="")
            failed = True
            continue
        # Self-check of the snapshots: each, run on unfaulted, must end as the run did.
        for pos, snap in snaps:
            e = board.run(50_000_000, snap=snap)
            if e != end or bytes(board.console) != console:
                print(f"fih: SELF-CHECK FAILED: {sname}: the snapshot at trace position {pos} "
                      f"ends {e}, the run ended {end}", file=sys.stderr)
                failed = True
                break
        else:
            pass
        if failed:
            continue
        limit = 2 * n_insns + 100_000
        idx = [i for i in range(len(trace))
               if not args.functions or name(trace[i]).split("+")[0] in args.functions.split(",")][::every]
        for sb in skips:
            counts = Counter()
            bypass = []
            t0 = time.time()
            JOB = (trace, snaps, limit, sb, good_img)
            with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
                for a, o in pool.imap_unordered(fault_run, idx, chunksize=16):
                    counts[o] += 1
                    if o == BYPASS:
                        bypass.append(a)
            bypass.sort(key=trace.index)
            dt = time.time() - t0
            # Self-check: a sample of the runs again, each alone (from reset, no snapshot,
            # nothing translated), must end the same: no state leaks from run to run.
            results = {}
            with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
                for a, o in pool.imap_unordered(fault_run, idx[::max(1, len(idx) // 24)]):
                    results[a] = o
            for a, o in sorted(results.items()):
                board.u.ctl_flush_tb()
                e = board.run(limit, skip=a, skip_bytes=sb)
                if classify(board, e, good_img) != o:
                    print(f"fih: SELF-CHECK FAILED: {sname}: the run skipping 0x{a:x} ends "
                          f"{classify(board, e, good_img)} alone, {o} in the campaign", file=sys.stderr)
                    failed = True
            addrs = idx
            what = "instruction" if sb == 0 else f"{sb} bytes"
            print(f"{sname:20s} skip {what:11s}: {len(addrs):5d} runs ({len(trace)} addresses, "
                  f"{n_insns} insns unfaulted) " + " ".join(f"{o}={counts[o]}" for o in OUTCOMES)
                  + f"  [{dt:.1f} s, {len(addrs) / max(dt, 1e-9):.0f} runs/s]")
            lines = source_lines(elf, bypass[:args.bypasses])
            for a in bypass[:args.bypasses]:
                where = lines.get(a, "??")
                print(f"    bypass at 0x{a:05x} {name(a)}" + ("" if where.startswith("??") else f" ({where})"))
            if len(bypass) > args.bypasses:
                print(f"    ... {len(bypass) - args.bypasses} more")
            totals.append((sname, sb, counts))
    print(f"fih: {sum(sum(c.values()) for _, _, c in totals)} runs in {time.time() - t_all:.0f} s; "
          f"bypasses: {sum(c[BYPASS] for _, _, c in totals)} (hardening not done yet: measured, not gated)")
    if failed:
        print("fih: a self-check failed: the campaign's figures mean nothing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
