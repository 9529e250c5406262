#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""
The fault-injection campaign of issue 18: the Cortex-M bootloader as the cross
build ships it (bootloader-mps2-<board>.bin), run with Unicorn (python3-unicorn)
over a small model of QEMU's mps2-an386 (Cortex-M4F, reel_board) or mps2-an505
(Cortex-M33, nucleo_u575zi_q), booting bad images, with one instruction skipped
per run (the single-fault model), and optionally a sample of double faults.

    /usr/bin/python3 tests/fih/fih.py [--short] [--every N] [--skip-bytes 0,2,4]
                                      [--functions F,..] [--double N] [--measure]
                                      [--scenario NAME]... [CROSS_BUILD_DIR [HOST_BUILD_DIR]]

See tests/fih/README.md. Exit status: 0 when the campaign ran, its self-checks
held and no single fault (of any skip size) made the bootloader boot a bad
image; 1 if a self-check failed or (without --measure) a single-fault bypass
was found; 2 on usage. Double-fault bypasses are reported, not gated.
"""
import argparse
import bisect
import ctypes
import hashlib
import multiprocessing
import os
import random
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
                               UC_ARM_REG_SP, UC_CPU_ARM_CORTEX_M4, UC_CPU_ARM_CORTEX_M33)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The two emulated boards as their ports see them (port/mps2/mps2.h, boards/boards.c,
# tests/cm/emulated-boot.sh). Flash offsets are relative to the flash (code SSRAM) base;
# the an386's SSRAM at 0 has a mirror at 4 MiB (MPS2_FLASH_DATA), the an505 boots Secure
# from its alias at 0x10000000.
MACHINES = {
    "reel_board": dict(cpu=UC_CPU_ARM_CORTEX_M4, base=0x0, mirror=0x400000, flash_size=0x100000,
                       slot0=0xC000, slot1=0x82000, slot_size=0x76000, align=4,
                       ram=0x20000000, ram_used=0x40000, uart0=0x40004000, fpgaio=0x40028000),
    "nucleo_u575zi_q": dict(cpu=UC_CPU_ARM_CORTEX_M33, base=0x10000000, mirror=0x0,
                            flash_size=0x200000, slot0=0x10000, slot1=0xF8000, slot_size=0xE8000,
                            align=16, ram=0x38000000, ram_used=0xC0000, uart0=0x50200000,
                            fpgaio=0x50302000),
}
SSRAM_SIZE = 0x400000
SCS = 0xE000E000
M = MACHINES["reel_board"]     # the machine of this run (main() picks it from the cross build)
RAM_SIZE = 0x400000

# Semihosting operations the port uses (port/mps2/semihost.c).
SYS_OPEN, SYS_CLOSE, SYS_WRITE, SYS_READ, SYS_SEEK, SYS_FLEN = 0x01, 0x02, 0x05, 0x06, 0x0A, 0x0C
SYS_GET_CMDLINE, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x18, 0x20
EXIT_HALT, EXIT_FAULT = 65, 66
CMDLINE = b"bootloader flash=/fih/flash"
EXCP_BKPT = 7

# The verification path: the functions that read, hash and verify an image and act on the
# verdict, whichever crypto backend the build links (names absent from a build are ignored).
# --path faults every instruction of these (the CI gate); without it, of the whole boot.
VERIFY_PATH = (
    "main", "validate", "boot_go", "boot_image_validate", "dfukit_image_validate",
    "validate_scan", "check_structure", "scan_tlv", "scan_hash", "scan_key", "scan_sig",
    "scan_verdict", "hash_range", "diff_of", "find_key", "dfukit_image_read_header",
    "dfukit_image_tlv_iter_begin", "dfukit_image_tlv_iter_next", "image_crypto_verify",
    "image_sha256_start", "image_sha256_update", "image_sha256_finish", "verify_rsa2048",
    "image_mbedtls_verify_rsa2048", "verify_ecdsa_p256", "mbedtls_rsa_rsassa_pss_verify_ext",
    "mbedtls_ecdsa_read_signature", "br_ecdsa_i31_vrfy_raw", "br_ecdsa_i15_vrfy_raw",
    "entry_in_image",
)

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
        u.ctl_set_cpu_model(M["cpu"])
        # The code SSRAM and its alias: one memory behind both addresses.
        self.ssram = ctypes.create_string_buffer(SSRAM_SIZE)
        u.mem_map_ptr(M["base"], SSRAM_SIZE, UC_PROT_ALL, self.ssram)
        u.mem_map_ptr(M["mirror"], SSRAM_SIZE, UC_PROT_ALL, self.ssram)
        self.ram = ctypes.create_string_buffer(RAM_SIZE)
        u.mem_map_ptr(M["ram"], RAM_SIZE, UC_PROT_ALL, self.ram)
        u.mem_map(M["uart0"], 0x1000, UC_PROT_ALL)         # STATE reads 0: never full
        u.mem_map(M["fpgaio"], 0x1000, UC_PROT_ALL)        # the counters read 0: a stopped clock
        u.mem_map(SCS, 0x1000, UC_PROT_ALL)                # VTOR, CPACR: plain memory
        self.u = u
        u.hook_add(UC_HOOK_INTR, self._intr)
        u.hook_add(UC_HOOK_MEM_WRITE, self._uart, begin=M["uart0"], end=M["uart0"] + 3)
        # Any instruction in the slots, through either alias: the jump (or a wild one).
        for alias in (M["base"], M["mirror"]):
            u.hook_add(UC_HOOK_CODE, self._in_slots, begin=alias + M["slot0"],
                       end=alias + SSRAM_SIZE - 1)
        self.pristine = u.context_save()        # the CPU as it comes out of reset
        self.flushes = 0
        self.trace = None

    # -- the machine's devices --
    def _uart(self, u, access, addr, size, value, _):
        if addr == M["uart0"]:
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
            u.mem_write(arg(1), bytes(u.mem_read(M["base"] + self.file_pos, n)))
        elif op == SYS_FLEN:
            r = M["flash_size"]
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
        for base in (M["uart0"], M["fpgaio"], SCS):
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
        return (insns, self.u.context_save(), self.ssram.raw[:M["flash_size"]],
                self.ram.raw[:M["ram_used"]],
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

    def run(self, limit, skip=(), skip_bytes=0, snap=None):
        """One boot; skip: the addresses whose first execution is skipped (skip_bytes, or the
        instruction), one or two; snap: start from that snapshot of the unfaulted run."""
        u = self.u
        if snap is None:
            pc = self.power_on()
        else:
            pc = self.restore(snap)
            limit -= snap[0]
        hooks = []
        for a in skip:
            state = {"done": False}

            def on_skip(u, addr, size, state):
                if not state["done"]:
                    state["done"] = True
                    u.reg_write(UC_ARM_REG_PC, (addr + (skip_bytes or size)) | 1)
            hooks.append(u.hook_add(UC_HOOK_CODE, on_skip, state, begin=a, end=a))
        try:
            u.emu_start(pc | 1, 0xFFFFFFFF, count=limit)
        except UcError as e:
            if self.end is None:
                self.end = ("error", str(e), u.reg_read(UC_ARM_REG_PC))
        finally:
            for h in hooks:
                u.hook_del(h)
            # A run that wrote into the bootloader's code leaves translations of those bytes
            # behind: the next run restores the bytes behind Unicorn's back, so drop them all.
            if self.ssram.raw[:M["slot0"]] != self.flash[:M["slot0"]]:
                u.ctl_flush_tb()
                self.flushes += 1
        if self.end is None:
            self.end = ("limit",)
        return self.end

    def slot0(self, n):
        return bytes(self.u.mem_read(M["base"] + M["slot0"], n))


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
    boot = (M["base"], M["base"] + M["slot0"] - 1)
    h = board.u.hook_add(UC_HOOK_CODE, on_code, begin=boot[0], end=boot[1])
    hb = board.u.hook_add(UC_HOOK_BLOCK, on_block, begin=boot[0], end=boot[1])
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
    """i: a trace position, or a pair of them (a double fault, the first one first)."""
    trace, snaps, limit, skip_bytes, good_img = JOB
    pos = i if isinstance(i, tuple) else (i,)
    j = bisect.bisect_right([p for p, _ in snaps], pos[0]) - 1
    e = BOARD.run(limit, skip=tuple(trace[p] for p in pos), skip_bytes=skip_bytes,
                  snap=snaps[j][1] if j >= 0 else None)
    return tuple(trace[p] for p in pos) if len(pos) > 1 else trace[i], classify(BOARD, e, good_img)


# -- images --
def sign(signer, key, out, version, hello, extra=()):
    subprocess.run([signer, "sign", "--key", key, "--header-size", "0x200", "--pad-header",
                    "--align", str(M["align"]), "--slot-size", hex(M["slot_size"]), "--version", version,
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
    f = bytearray(b"\xff" * M["flash_size"])
    for data, off in ((boot, 0), (s0, M["slot0"])) + (((s1, M["slot1"]),) if s1 else ()):
        f[off:off + len(data)] = data
    return f


def scenarios(cross, host, work, board):
    signer = os.path.join(host, "bin", "dfukit-image")
    boot_bin = os.path.join(cross, f"apps/bootloader-cm/bootloader-mps2-{board}.bin")
    hello = os.path.join(cross, f"apps/hello-world-cm/hello_world-{board}.bin")
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


def board_of(cross):
    """The board profile a cross build's bootloader is for (its CPU, from CMakeCache.txt)."""
    try:
        cache = open(os.path.join(cross, "CMakeCache.txt")).read()
    except OSError:
        sys.exit(f"fih: {cross} is not a cross build (no CMakeCache.txt)")
    return "nucleo_u575zi_q" if "cortex-m33" in cache else "reel_board"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cross", nargs="?", default=os.path.join(ROOT, "build-cortex-m4f"))
    ap.add_argument("host", nargs="?", default=os.path.join(ROOT, "build"))
    ap.add_argument("--short", action="store_true", help="every 20th address (--every 20)")
    ap.add_argument("--every", type=int, default=1, help="fault every Nth address of the trace")
    ap.add_argument("--skip-bytes", default="0",
                    help="comma list: 0 = skip the instruction; 2,4,.. = skip that many bytes (MCUboot ci/fih_test)")
    ap.add_argument("--scenario", action="append", help="only these scenarios")
    ap.add_argument("--functions", help="comma list: fault only the addresses inside these functions")
    ap.add_argument("--path", action="store_true",
                    help="fault every address of the verification path (VERIFY_PATH): the CI gate")
    ap.add_argument("--double", type=int, default=0, metavar="N",
                    help="also N double faults per scenario: two skipped instructions, sampled")
    ap.add_argument("--seed", type=int, default=18, help="the double-fault sample's seed")
    ap.add_argument("--measure", action="store_true",
                    help="report single-fault bypasses without failing (an unhardened build)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count(), help="worker processes")
    ap.add_argument("--bypasses", type=int, default=40, help="bypass addresses listed per scenario")
    return ap.parse_args()


def check_golden(board, sname, want, good_img):
    """The unfaulted run and its snapshots (self-checks 1 and 2); None if one fails."""
    trace, n_insns, end, snaps = golden_trace(board, 50_000_000)
    got = classify(board, end, good_img)
    console = bytes(board.console)
    if got != want:
        print(f"fih: SELF-CHECK FAILED: {sname} without faults: {got} ({end}), expected {want}",
              file=sys.stderr)
        print("".join("  | " + l + "\n" for l in console.decode(errors="replace").splitlines()),
              file=sys.stderr, end="")
        return None
    for pos, snap in snaps:
        e = board.run(50_000_000, snap=snap)
        if e != end or bytes(board.console) != console:
            print(f"fih: SELF-CHECK FAILED: {sname}: the snapshot at trace position {pos} "
                  f"ends {e}, the run ended {end}", file=sys.stderr)
            return None
    return trace, n_insns, snaps


def campaign(jobs, runs):
    """Outcome counts and the bypass runs of the runs (trace positions or pairs of them)."""
    counts = Counter()
    bypass = []
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for a, o in pool.imap_unordered(fault_run, runs, chunksize=16):
            counts[o] += 1
            if o == BYPASS:
                bypass.append(a)
    return counts, bypass


def recheck_alone(board, jobs, sname, runs, limit, sb, good_img):
    """Self-check 3: a sample of the runs again, each alone from reset, must end the same."""
    results = {}
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for a, o in pool.imap_unordered(fault_run, runs[::max(1, len(runs) // 24)]):
            results[a] = o
    ok = True
    for a, o in sorted(results.items(), key=str):
        board.u.ctl_flush_tb()
        e = board.run(limit, skip=a if isinstance(a, tuple) else (a,), skip_bytes=sb)
        if classify(board, e, good_img) != o:
            print(f"fih: SELF-CHECK FAILED: {sname}: the run skipping {a} ends "
                  f"{classify(board, e, good_img)} alone, {o} in the campaign", file=sys.stderr)
            ok = False
    return ok


def report(args, elf, name, line, bypass, order):
    print(line)
    bypass.sort(key=order)
    shown = bypass[:args.bypasses]
    flat = sorted({a for b in shown for a in (b if isinstance(b, tuple) else (b,))})
    lines = source_lines(elf, flat)

    def where(a):
        w = lines.get(a, "??")
        return f"0x{a:05x} {name(a)}" + ("" if w.startswith("??") else f" ({w})")
    for b in shown:
        print("    bypass at " + " + ".join(where(a) for a in (b if isinstance(b, tuple) else (b,))))
    if len(bypass) > args.bypasses:
        print(f"    ... {len(bypass) - args.bypasses} more")


def run_scenario(args, board, elf, name, scen, every, skips):
    """The campaigns of one scenario: [(kind, counts)], or None if a self-check failed."""
    global JOB
    sname, flash, good_img, want = scen
    board.load(flash)
    golden = check_golden(board, sname, want, good_img)
    if golden is None:
        return None
    trace, n_insns, snaps = golden
    limit = 2 * n_insns + 100_000
    funcs = args.functions.split(",") if args.functions else VERIFY_PATH if args.path else None
    idx = [i for i in range(len(trace)) if not funcs or name(trace[i]).split("+")[0] in funcs][::every]
    rank = {a: i for i, a in enumerate(trace)}

    def order(b):
        return rank[b[0]] if isinstance(b, tuple) else rank[b]
    kinds = [(f"skip {'instruction' if sb == 0 else f'{sb} bytes'}", sb, idx) for sb in skips]
    if args.double:
        rng = random.Random(f"{args.seed}/{sname}")
        pairs = sorted({tuple(sorted(rng.sample(idx, 2))) for _ in range(args.double)})
        kinds.append(("double skip", 0, pairs))
    out = []
    for what, sb, runs in kinds:
        JOB = (trace, snaps, limit, sb, good_img)
        t0 = time.time()
        counts, bypass = campaign(args.jobs, runs)
        dt = time.time() - t0
        if not recheck_alone(board, args.jobs, sname, runs, limit, sb, good_img):
            return None
        report(args, elf, name, f"{sname:20s} {what:16s}: {len(runs):5d} runs ({len(trace)} addresses, "
               f"{n_insns} insns unfaulted) " + " ".join(f"{o}={counts[o]}" for o in OUTCOMES)
               + f"  [{dt:.1f} s, {len(runs) / max(dt, 1e-9):.0f} runs/s]", bypass, order)
        out.append((what, counts))
    return out


def main():
    global BOARD, M
    args = parse_args()
    every = 20 if args.short else args.every
    skips = [int(s) for s in args.skip_bytes.split(",")]
    cross, host = os.path.abspath(args.cross), os.path.abspath(args.host)
    board_name = board_of(cross)
    M = MACHINES[board_name]
    elf = os.path.join(cross, f"apps/bootloader-cm/bootloader-mps2-{board_name}.elf")
    work = tempfile.mkdtemp(prefix="dfukit-fih.")
    try:
        key_type, boot, scen = scenarios(cross, host, work, board_name)
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
          f"{hashlib.sha256(boot).hexdigest()[:12]}), {board_name}, {key_type}, unicorn "
          f"{uc_mod.__version__}, faulting every {'' if every == 1 else f'{every}th '}address"
          f"{' of the verification path' if args.path else ''}, skips: "
          + ", ".join("instruction" if s == 0 else f"{s} bytes" for s in skips)
          + (f", {args.double} double faults per scenario" if args.double else ""))
    board = BOARD = Board(len(boot), reset_handler)
    t_all = time.time()
    totals = []
    for sc in scen:
        res = run_scenario(args, board, elf, name, sc, every, skips)
        if res is None:
            print("fih: a self-check failed: the campaign's figures mean nothing", file=sys.stderr)
            return 1
        totals += res
    single = sum(c[BYPASS] for what, c in totals if what != "double skip")
    double = sum(c[BYPASS] for what, c in totals if what == "double skip")
    print(f"fih: {sum(sum(c.values()) for _, c in totals)} runs in {time.time() - t_all:.0f} s; "
          f"single-fault bypasses: {single}" + (f", double-fault bypasses: {double}" if args.double else ""))
    if single and not args.measure:
        print("fih: FAILED: a single skipped instruction boots a bad image", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
