#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the seed corpora of the fuzz harnesses to tests/fuzz/corpus/<harness>/.

Deterministic: running it again gives byte-identical files. The input formats
are described at the top of each harness (tests/fuzz/fuzz_*.c).
Usage: tests/fuzz/gen_corpus.py [OUTDIR]   (default: tests/fuzz/corpus)
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def setup(bm, req, value=0, index=0, length=0):
    return struct.pack("<BBHHH", bm, req, value, index, length)


# ---------------------------------------------------------------- usbd + DFU
DFU_OUT, DFU_IN = 0x21, 0xA1


def ctl(bm, req, value=0, index=0, length=0, data=b""):
    return bytes([0]) + setup(bm, req, value, index, length) + data


ENUM = (ctl(0x80, 6, 0x0100, 0, 64) + ctl(0x00, 5, 5) + ctl(0x80, 6, 0x0100, 0, 18) +
        ctl(0x80, 6, 0x0200, 0, 9) + ctl(0x80, 6, 0x0200, 0, 255) + ctl(0x80, 6, 0x0300, 0, 255) +
        ctl(0x80, 6, 0x0302, 0x0409, 255) + ctl(0x00, 9, 1))
GETSTATUS = ctl(DFU_IN, 3, 0, 0, 6)


def dnload(block, payload):
    return ctl(DFU_OUT, 1, block, 0, len(payload), payload)


def usbd_seeds():
    blk = bytes(range(64))
    # DFU mode, 2 alternates, wTransferSize 64, sample attributes
    write("fuzz_usbd_dfu", "enumerate", bytes([0x02, 0x80]) + ENUM)
    write("fuzz_usbd_dfu", "download-upload", bytes([0x02, 0x80]) + ENUM +
          dnload(0, blk) + GETSTATUS + dnload(1, blk[:17]) + GETSTATUS + ctl(DFU_OUT, 1, 2) +
          GETSTATUS + GETSTATUS + ctl(DFU_IN, 2, 0, 0, 64) + ctl(DFU_IN, 2, 1, 0, 64) +
          ctl(DFU_IN, 5, 0, 0, 1))
    # alternate 1 (flaky backend): busy polls, a failing write, CLRSTATUS, ABORT
    write("fuzz_usbd_dfu", "flaky-alt", bytes([0x06, 0x80]) + ENUM + ctl(0x01, 11, 1) +
          bytes([7, 0x03]) + dnload(0, blk) + GETSTATUS + GETSTATUS + GETSTATUS + GETSTATUS +
          bytes([7, 0x10]) + dnload(1, blk) + GETSTATUS + ctl(DFU_OUT, 4) + GETSTATUS +
          ctl(DFU_IN, 2, 0, 0, 64) + ctl(DFU_OUT, 6) + bytes([7, 0x22]) + dnload(0, blk) +
          GETSTATUS + ctl(DFU_OUT, 1) + GETSTATUS + GETSTATUS + GETSTATUS)
    # wTransferSize 4096 (index 5), non-manifestation-tolerant attributes
    big = bytes((i * 13) & 0xff for i in range(1000))
    write("fuzz_usbd_dfu", "big-block-not-tolerant", bytes([0x28, 0x03]) + ENUM + dnload(0, big) +
          GETSTATUS + ctl(DFU_OUT, 1) + GETSTATUS + GETSTATUS + ctl(DFU_IN, 5, 0, 0, 1) +
          bytes([4]) + ENUM + ctl(DFU_IN, 2, 0, 0, 4096))
    # run-time mode: DETACH, GETSTATUS, then a bus reset and suspend/resume
    write("fuzz_usbd_dfu", "runtime-detach", bytes([0x01, 0x80]) + ENUM + GETSTATUS +
          ctl(DFU_OUT, 0, 1000) + ctl(DFU_IN, 5, 0, 0, 1) + bytes([4, 6, 1, 6, 0, 5, 0]) + ENUM)
    # token level: a SETUP whose data stage the host abandons half way
    write("fuzz_usbd_dfu", "tokens", bytes([0x02, 0x80]) + ENUM +
          bytes([3]) + setup(DFU_OUT, 1, 0, 0, 64) + bytes([2, 32]) + bytes(32) + bytes([0x80]) +
          bytes([3]) + setup(0x80, 6, 0x0200, 0, 255) + bytes([2, 0x80, 0]) +
          GETSTATUS + ctl(DFU_OUT, 4) + dnload(0, blk) + GETSTATUS)
    # standard requests on interface and endpoint, features, bad requests
    write("fuzz_usbd_dfu", "chapter9", bytes([0x04, 0x80]) + ENUM + ctl(0x81, 0, 0, 0, 2) +
          ctl(0x81, 10, 0, 0, 1) + ctl(0x82, 0, 0, 0x80, 2) + ctl(0x02, 3, 0, 0x00) +
          ctl(0x02, 1, 0, 0x81) + ctl(0x00, 3, 1) + ctl(0x80, 0, 0, 0, 2) + ctl(0x80, 8, 0, 0, 1) +
          ctl(0x01, 11, 2) + ctl(0x01, 11, 7) + ctl(0x80, 6, 0x0600, 0, 10) +
          ctl(0x80, 6, 0x0F00, 0, 5) + ctl(0x40, 1, 0, 0, 0) + ctl(0x00, 9, 0) + ctl(0x00, 5, 0))


# -------------------------------------------------- usbd descriptor walker
def config_desc(num_ifaces, body, attributes=0xC0):
    total = 9 + len(body)
    return bytes([9, 2, total & 0xFF, total >> 8, num_ifaces, 1, 0, attributes, 50]) + body


def iface_desc(number, alt, num_eps, cls=0xFF):
    return bytes([9, 4, number, alt, num_eps, cls, 0, 0, 0])


def ep_desc(address, attributes=2, max_packet=64):
    return bytes([7, 5, address, attributes, max_packet & 0xFF, max_packet >> 8, 0])


DFU_FUNCTIONAL = bytes([9, 0x21, 0x0F, 0xE8, 0x03, 0x00, 0x10, 0x10, 0x01])


def desc_seeds():
    # Read the configuration, select it, switch alternates, poke endpoints, reset.
    ops = (ctl(0x80, 6, 0x0200, 0, 255) + bytes([5, 1, 6, 0, 1, 7, 0x81, 1, 7, 0x81, 0]) +
           bytes([6, 0, 0, 7, 0x02, 2, 4, 5, 1]))
    configs = {
        "bulk-two-alts": config_desc(1, iface_desc(0, 0, 2) + bytes([5, 0x24, 0, 0, 0]) +
                                     ep_desc(0x81) + ep_desc(0x02) + iface_desc(0, 1, 0)),
        "dfu-two-alts": config_desc(1, iface_desc(0, 0, 0, 0xFE) + DFU_FUNCTIONAL +
                                    iface_desc(0, 1, 0, 0xFE) + DFU_FUNCTIONAL),
        "two-ifaces-iad": config_desc(2, bytes([8, 11, 0, 2, 2, 2, 0, 0]) +
                                      iface_desc(0, 0, 1, 2) + ep_desc(0x83, 3, 16) +
                                      iface_desc(1, 0, 2, 10) + ep_desc(0x84) + ep_desc(0x05) +
                                      iface_desc(1, 1, 0, 10)),
        "no-iface": config_desc(0, b""),
        # Refused by usbd_init(): an interface may not claim EP0 (a finding of this harness).
        "ep0-endpoint": config_desc(1, iface_desc(0, 0, 1) + ep_desc(0x80) + iface_desc(0, 1, 0)),
    }
    for name, c in configs.items():
        write("fuzz_usbd_desc", name, bytes([len(c)]) + c + ops)


# ------------------------------------------------------------------- USB/IP
BUSID = b"1-1"
DEVID = (1 << 16) | 1


def chunk(b):
    out = b""
    while b:
        part, b = b[:256], b[256:]
        out += bytes([0, len(part) - 1]) + part
    return out


def op_import(busid=BUSID):
    return struct.pack(">HHI", 0x0111, 0x8003, 0) + busid.ljust(32, b"\0")


def submit(seq, direction, ep, length, stp=b"\0" * 8, data=b"", flags=0, devid=DEVID, np=0):
    return struct.pack(">IIIIIIiiii", 1, seq, devid, direction, ep, flags, length, 0, np, 0) + \
        stp + data


def unlink(seq, victim):
    return struct.pack(">IIIIII", 2, seq, DEVID, 0, 0, victim) + b"\0" * 24


def usbip_write(name, body):
    """Each stream in both server modes: listening socket (0), hand-off (1)."""
    write("fuzz_usbip", name, bytes([0]) + body)
    write("fuzz_usbip", name + "-handoff", bytes([1]) + body)


def usbip_seeds():
    usbip_write("devlist", chunk(struct.pack(">HHI", 0x0111, 0x8005, 0)))
    urbs = (submit(1, 1, 0, 18, setup(0x80, 6, 0x0100, 0, 18)) +
            submit(2, 1, 0, 255, setup(0x80, 6, 0x0200, 0, 255)) +
            submit(3, 0, 0, 0, setup(0x00, 9, 1)) +
            submit(4, 0, 0, 64, setup(DFU_OUT, 1, 0, 0, 64), bytes(range(64))) +
            submit(5, 1, 0, 6, setup(DFU_IN, 3, 0, 0, 6)) +
            submit(6, 0, 0, 0, setup(DFU_OUT, 1, 1, 0, 0)) +
            submit(7, 1, 0, 6, setup(DFU_IN, 3, 0, 0, 6)) +
            submit(8, 1, 0, 1024, setup(DFU_IN, 2, 0, 0, 1024)))
    usbip_write("import-dfu", chunk(op_import() + urbs))
    # one message cut across reads, a big chunk, unlink, a non-control URB, -EMSGSIZE
    msg = op_import() + submit(1, 1, 0, 18, setup(0x80, 6, 0x0100, 0, 18))
    usbip_write("segmented", bytes([0, 9]) + msg[:10] + bytes([7]) + chunk(msg[10:]) +
          bytes([4]) + struct.pack("<H", 48 + 8) + submit(2, 1, 1, 8) +
          chunk(unlink(3, 2) + submit(4, 0, 2, 10, data=bytes(10)) +
                submit(5, 0, 0, 5000, setup(DFU_OUT, 1, 0, 0, 5000)) + bytes(300)))
    # device events while imported, a second client that is refused, reconnect
    usbip_write("events", chunk(op_import()) + bytes([6, 0, 6, 2]) + chunk(op_import()) +
          bytes([6, 0, 5, 1]) + chunk(submit(1, 1, 0, 18, setup(0x80, 6, 0x0100, 0, 18))) +
          bytes([5, 2, 5, 3, 5, 0, 6, 2]) + chunk(op_import()) + bytes([5, 4, 6, 1]) +
          bytes([6, 3, 6, 0x83]))  # hub noise (hand-off mode), without and with a descriptor
    # protocol errors: bad version, unknown command, wrong devid, iso URB
    usbip_write("errors", chunk(struct.pack(">HHI", 0x0100, 0x8005, 0)) + bytes([6, 2]) +
          chunk(op_import(b"9-9")) + bytes([6, 2]) +
          chunk(op_import() + submit(1, 0, 0, 0, devid=7)) + bytes([6, 2]) +
          chunk(op_import() + submit(1, 1, 1, 8, np=3)))


def dev_record(busid, num_ifaces):
    path = b"/sys/devices/platform/dfukit-vudc/usb1/" + busid
    return (path.ljust(256, b"\0") + busid.ljust(32, b"\0") +
            struct.pack(">IIIHHHBBBBBB", 1, 1, 2, 0x2fe3, 0x0005, 0x0402, 0, 0, 0, 1, 1,
                        num_ifaces))


def codec_seeds():
    """One message per file for fuzz_usbip_codec, each kind the server handles."""
    write("fuzz_usbip_codec", "req-devlist", struct.pack(">HHI", 0x0111, 0x8005, 0))
    write("fuzz_usbip_codec", "req-import", op_import())
    write("fuzz_usbip_codec", "rep-devlist", struct.pack(">HHII", 0x0111, 0x0005, 0, 2) +
          dev_record(b"1-1", 1) + bytes([0xfe, 1, 2, 0]) +
          dev_record(b"1-2", 2) + bytes([0xff, 0, 0, 0, 0xfe, 1, 1, 0]))
    write("fuzz_usbip_codec", "rep-import", struct.pack(">HHI", 0x0111, 0x0003, 0) +
          dev_record(b"1-1", 1))
    write("fuzz_usbip_codec", "rep-import-refused", struct.pack(">HHI", 0x0111, 0x0003, 4))
    write("fuzz_usbip_codec", "cmd-submit-in",
          submit(1, 1, 0, 18, setup(0x80, 6, 0x0100, 0, 18)))
    write("fuzz_usbip_codec", "cmd-submit-out",
          submit(4, 0, 2, 10, data=bytes(10), flags=0x40, np=-1))
    write("fuzz_usbip_codec", "cmd-unlink", unlink(3, 2))
    write("fuzz_usbip_codec", "ret-submit",
          struct.pack(">IIIIIiiiii", 3, 1, DEVID, 0, 0, 0, 18, 0, -1, 0) + bytes(8 + 18))
    write("fuzz_usbip_codec", "ret-unlink",
          struct.pack(">IIIIIi", 4, 5, DEVID, 0, 0, -104) + bytes(24))


# -------------------------------------------------------------------- images
def image_seeds():
    d = os.path.join(FIX, "mcuboot", "images")
    for name in sorted(os.listdir(d)):
        if not name.endswith("-1000-padhdr.bin"):
            continue
        with open(os.path.join(d, name), "rb") as f:
            img = f.read()
        base = name[:-4]
        write("fuzz_image", base, bytes([0x00, 0]) + img)          # all keys
        write("fuzz_image", base + "-fixhash", bytes([0x01, 16]) + img)
        write("fuzz_image", base + "-nokeys", bytes([0x08, 0]) + img)
        write("fuzz_image", base + "-badkey", bytes([0x06, 0]) + img)
    # imgtool --pure (issue 16): SIG_PURE 0x25, SHA512 TLV, SHA-512 KEYHASH; verified in
    # place only (mode bit 4), refused with keys through a streamed source.
    d = os.path.join(FIX, "mcuboot", "options")
    for name in ("ed25519-pure.bin", "ed25519-pure-seccnt.bin", "ed25519-pure-full.bin"):
        with open(os.path.join(d, name), "rb") as f:
            img = f.read()
        base = name[:-4]
        write("fuzz_image", base + "-mapped", bytes([0x10, 0]) + img)
        write("fuzz_image", base + "-mapped-fixhash", bytes([0x11, 16]) + img)
        write("fuzz_image", base + "-streamed", bytes([0x00, 0]) + img)
        write("fuzz_image", base + "-nokeys", bytes([0x08, 0]) + img)
    # Encrypted images (imgtool -E, issue 16): each key TLV (0x30, 0x32, 0x33, 0x34),
    # both AES flags; the image layer must refuse them (it cannot decrypt).
    d = os.path.join(FIX, "mcuboot", "encrypted")
    for name in sorted(os.listdir(d)):
        if name not in ("rsa-2048-enc-rsa-aes128.bin", "ecdsa-p256-enc-ec256-clear.bin") and not (
                name.endswith(".bin") and ("-padhdr" in name or name.startswith("unsigned-"))):
            continue
        with open(os.path.join(d, name), "rb") as f:
            img = f.read()
        base = name[:-4]
        write("fuzz_image", base, bytes([0x00, 0]) + img)  # --clear: a good signature
        write("fuzz_image", base + "-fixhash", bytes([0x01, 16]) + img)
        # hash fixed over the ciphertext, no keys: structure and hash would pass
        write("fuzz_image", base + "-nokeys-fixhash", bytes([0x09, 0]) + img)


# ---------------------------------------------------------------- boot
def mcuboot_image(major, body_len, seed, flags=0, load_addr=0):
    body = bytes(((i * 31 + seed * 7) ^ (i >> 3)) & 0xff for i in range(body_len))
    hdr = struct.pack("<IIHHIIBBHI", 0x96f3b83d, load_addr, 32, 0, body_len, flags, major, 0, 0,
                      seed)
    hdr += b"\0" * (32 - len(hdr))
    digest = hashlib.sha256(hdr + body).digest()
    tlv = struct.pack("<HH", 0x6907, 4 + 4 + 32) + struct.pack("<HH", 0x10, 32) + digest
    return hdr + body + tlv


def magic(m):
    """The 16 trailer magic bytes for max_align m (boot.h)."""
    if m == 8:
        return bytes([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                      0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80])
    return struct.pack("<H", m) + bytes(
        [0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a])


def rec(sel, off, data):
    """Content records (<= 255 bytes each); sel bit 1: off counts back from the slot end."""
    out = b""
    total = len(data)
    for start in range(0, total, 255):
        part = data[start:start + 255]
        o = off + start if not sel & 2 else off + (total - start - len(part))
        out += struct.pack("<BHB", sel, o, len(part)) + part
    return out


def slot_rec(sel, slot, a, image_ok=False, copy_done=False, swap_info=None, swap_size=None):
    """Trailer fields at their offsets from the slot start (layout of boot.h)."""
    m = max(a, 8)
    image_ok_off = (slot - 16 - m) & ~(m - 1)
    copy_done_off = image_ok_off - m
    swap_info_off = copy_done_off - m
    swap_size_off = swap_info_off - m
    out = rec(sel, slot - 16, magic(m))
    if image_ok:
        out += rec(sel, image_ok_off, b"\x01")
    if copy_done:
        out += rec(sel, copy_done_off, b"\x01")
    if swap_info is not None:
        out += rec(sel, swap_info_off, bytes([swap_info]))
    if swap_size is not None:
        out += rec(sel, swap_size_off, struct.pack("<I", swap_size))
    return out


MODE_MOVE, MODE_OVERWRITE, MODE_OFFSET, MODE_XIP, MODE_RAM_LOAD = 0, 1, 2, 3, 4  # enum boot_mode


def boot_hdr(wb_log2, sect_idx, np, flags, cut=0, maxs=0, probe=0, mode=MODE_MOVE, dp=False):
    """h[2]: np - 3, mode in bits 3-4, downgrade prevention in bit 5, ram-load in bit 6
    (fuzz_boot.c)."""
    h2 = (np - 3) | (0x40 if mode == MODE_RAM_LOAD else mode << 3) | (0x20 if dp else 0)
    return bytes([wb_log2, sect_idx, h2, 0, flags]) + struct.pack("<H", cut) + \
        bytes([maxs, probe])


def boot_seeds():
    # 512-byte sectors, write block 4, 6 sectors per slot (slot 3072 bytes)
    slot = 6 * 512
    v1 = mcuboot_image(1, 600, 1)
    v2 = mcuboot_image(2, 700, 2)
    base = rec(0, 0, v1) + rec(1, 0, v2)
    go, cut = 0x04, 0x0c
    write("fuzz_boot", "no-request", boot_hdr(2, 1, 6, go) + base)
    write("fuzz_boot", "test-request", boot_hdr(2, 1, 6, go) + base + slot_rec(1, slot, 4, swap_info=2))
    write("fuzz_boot", "perm-request-cut", boot_hdr(2, 1, 6, cut, cut=7) + base +
          slot_rec(1, slot, 4, image_ok=True, swap_info=3))
    write("fuzz_boot", "test-request-cut-bits", boot_hdr(2, 1, 6, cut | 0x20, cut=12) + base +
          slot_rec(1, slot, 4, swap_info=2))
    # after a test swap: primary unconfirmed with copy_done -> revert
    write("fuzz_boot", "revert", boot_hdr(2, 1, 6, cut, cut=9) + rec(0, 0, v2) + rec(1, 0, v1) +
          slot_rec(0, slot, 4, copy_done=True, swap_info=2, swap_size=len(v2)))
    # application side: confirm and request on clean trailers
    write("fuzz_boot", "app-helpers", boot_hdr(2, 1, 6, 0x06, probe=1) + base +
          slot_rec(0, slot, 4, copy_done=True, swap_info=2))
    # write block 16 (STM32U5), 1024-byte sectors, imgtool's own trailer
    with open(os.path.join(FIX, "boot", "ecdsa-p256-z70000-align16-pad-confirm.tail256.bin"),
              "rb") as f:
        tail = f.read()
    write("fuzz_boot", "align16-imgtool-trailer", boot_hdr(4, 2, 5, cut, cut=4, maxs=1, probe=4) +
          rec(0, 0, v1) + rec(1, 0, v2) + rec(3, 0, tail))
    write("fuzz_boot", "write-block-1", boot_hdr(0, 0, 8, go) + rec(0, 0, v1) +
          slot_rec(0, 8 * 256, 1))
    offset_seeds(slot, v1, v2, go, cut)
    overwrite_seeds(slot, v1, v2, go, cut)
    xip_seeds(slot, v1, v2, go, cut)
    ram_load_seeds(go, cut)


def offset_seeds(slot, v1, v2, go, cut):
    """Swap-using-offset: secondary of 7 sectors, the update from its sector 1."""
    sec = slot + 512
    upd = rec(0, 0, v1) + rec(1, 512, v2)

    def hdr(flags, c=0, **kw):
        return boot_hdr(2, 1, 6, flags, cut=c, mode=MODE_OFFSET, **kw)
    write("fuzz_boot", "offset-no-request", hdr(go) + upd)
    write("fuzz_boot", "offset-test-request", hdr(go) + upd + slot_rec(1, sec, 4, swap_info=2))
    write("fuzz_boot", "offset-test-request-cut", hdr(cut, 9) + upd +
          slot_rec(1, sec, 4, swap_info=2))
    write("fuzz_boot", "offset-perm-request-cut", hdr(cut | 0x10, 14) + upd +
          slot_rec(1, sec, 4, image_ok=True, swap_info=3))
    # after a test swap: v2 unconfirmed in the primary, v1 at sector 0 of the secondary
    write("fuzz_boot", "offset-revert-cut", hdr(cut, 11) + rec(0, 0, v2) + rec(1, 0, v1) +
          slot_rec(0, slot, 4, copy_done=True, swap_info=2))
    # the update at sector 0 ("wrong upload address"), and a stale header there
    write("fuzz_boot", "offset-wrong-address", hdr(go) + rec(0, 0, v1) + rec(1, 0, v2) +
          slot_rec(1, sec, 4, swap_info=2))
    write("fuzz_boot", "offset-stale-header-cut", hdr(cut | 0x20, 6) + upd + rec(1, 0, v1[:32]) +
          slot_rec(1, sec, 4, swap_info=2))
    write("fuzz_boot", "offset-app-helpers", hdr(0x0e, 10, probe=1) + upd)


def overwrite_seeds(slot, v1, v2, go, cut):
    """Overwrite-only, with and without downgrade prevention."""
    def hdr(flags, c=0, dp=False):
        return boot_hdr(2, 1, 6, flags, cut=c, mode=MODE_OVERWRITE, dp=dp)
    up = rec(0, 0, v1) + rec(1, 0, v2)
    down = rec(0, 0, v2) + rec(1, 0, v1)
    write("fuzz_boot", "overwrite-test-request", hdr(go) + up + slot_rec(1, slot, 4, swap_info=2))
    write("fuzz_boot", "overwrite-perm-request-cut", hdr(cut, 8) + up +
          slot_rec(1, slot, 4, image_ok=True, swap_info=3))
    write("fuzz_boot", "overwrite-dp-upgrade-cut", hdr(cut | 0x10, 5, dp=True) + up +
          slot_rec(1, slot, 4, swap_info=2))
    write("fuzz_boot", "overwrite-dp-downgrade-cut", hdr(cut, 2, dp=True) + down +
          slot_rec(1, slot, 4, swap_info=2))
    write("fuzz_boot", "overwrite-app-helpers", hdr(0x0e, 4, dp=True) + up)


def xip_seeds(slot, v1, v2, go, cut):
    """Direct-xip with revert: each image runs from its slot, its trailer's magic set."""
    def hdr(flags, c=0, **kw):
        return boot_hdr(2, 1, 6, flags, cut=c, mode=MODE_XIP, **kw)
    running = rec(0, 0, v1) + slot_rec(0, slot, 4, image_ok=True, copy_done=True)
    write("fuzz_boot", "xip-test", hdr(go) + running + rec(1, 0, v2) + slot_rec(1, slot, 4))
    write("fuzz_boot", "xip-test-cut", hdr(cut | 0x20, 1) + running + rec(1, 0, v2) +
          slot_rec(1, slot, 4))
    # booted once, not confirmed: erased at this boot, v1 runs again
    write("fuzz_boot", "xip-revert-cut", hdr(cut, 3) + running + rec(1, 0, v2) +
          slot_rec(1, slot, 4, copy_done=True))
    write("fuzz_boot", "xip-confirmed", hdr(go) + running + rec(1, 0, v2) +
          slot_rec(1, slot, 4, image_ok=True, copy_done=True))
    # a secondary without magic next to a running primary: erased, v1 runs
    write("fuzz_boot", "xip-no-magic-cut", hdr(cut | 0x10, 2) + running + rec(1, 0, v2))
    write("fuzz_boot", "xip-app-helpers", hdr(0x0e, 5, probe=1) + running + rec(1, 0, v2))



def ram_load_seeds(go, cut):
    """Ram-load: images flagged RAM_LOAD (0x20), loaded into the harness's RAM at 0."""
    def hdr(flags, c=0):
        return boot_hdr(2, 1, 6, flags, cut=c, mode=MODE_RAM_LOAD)
    r1 = mcuboot_image(1, 600, 1, flags=0x20, load_addr=0x100)
    r2 = mcuboot_image(2, 700, 2, flags=0x20, load_addr=0x800)
    write("fuzz_boot", "ram-load-newer", hdr(go) + rec(0, 0, r1) + rec(1, 0, r2))
    # refused in the secondary (no flag; an address past the RAM; a bad body): erased, cut
    write("fuzz_boot", "ram-load-no-flag-cut", hdr(cut, 2) + rec(0, 0, r1) +
          rec(1, 0, mcuboot_image(2, 700, 2)))
    write("fuzz_boot", "ram-load-outside-cut", hdr(cut | 0x10, 4) + rec(0, 0, r1) +
          rec(1, 0, mcuboot_image(2, 700, 2, flags=0x20, load_addr=0x5c00)))
    bad = bytearray(r2)
    bad[100] ^= 1
    write("fuzz_boot", "ram-load-invalid-cut", hdr(cut | 0x20, 1) + rec(0, 0, r1) +
          rec(1, 0, bytes(bad)))


usbd_seeds()
desc_seeds()
usbip_seeds()
codec_seeds()
image_seeds()
boot_seeds()
