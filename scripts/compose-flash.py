#!/usr/bin/env python3
"""An erased chip image (0xff) of SIZE bytes with each FILE written at its
offset, as a factory programmer would put a bootloader and slot images in
flash: the flash files the emulated-board tests and benches boot from.

  scripts/compose-flash.py OUT SIZE FILE OFFSET [FILE OFFSET]...

Sizes and offsets in decimal or 0x hex. A file that does not fit is an
error, never cut."""
import sys


def main(argv):
    if len(argv) < 5 or len(argv) % 2 == 0:
        sys.exit("usage: compose-flash.py OUT SIZE FILE OFFSET [FILE OFFSET]...")
    out, size = argv[1], int(argv[2], 0)
    flash = bytearray(b"\xff" * size)
    for path, off in zip(argv[3::2], argv[4::2]):
        data = open(path, "rb").read()
        off = int(off, 0)
        if off + len(data) > size:
            sys.exit(f"compose-flash: {path} ({len(data)} bytes) at {off:#x} does not fit {size:#x}")
        flash[off:off + len(data)] = data
    open(out, "wb").write(flash)


main(sys.argv)
