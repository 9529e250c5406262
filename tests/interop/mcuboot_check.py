#!/usr/bin/env python3
"""An independent MCUboot image checker, written from the format documents
(not from dfukit's C code) with python3-cryptography: it checks that images
signed by dfukit's signer are what MCUboot and imgtool expect.

    mcuboot_check.py --key PUB.der [--slot-size N --align A --confirmed] IMAGE
"""
import argparse
import hashlib
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

IMAGE_MAGIC = 0x96F3B83D
TLV_INFO, TLV_PROT_INFO = 0x6907, 0x6908
TLV_KEYHASH, TLV_PUBKEY, TLV_SHA256, TLV_RSA2048_PSS, TLV_ECDSA_SIG = 0x01, 0x02, 0x10, 0x20, 0x22
# MCUboot docs/design.md: SHA512 of hdr and body; ed25519; SIG_PURE "indicator that attached
# signature has been prepared over image rather than its digest" (imgtool: one byte, 1).
TLV_SHA512, TLV_ED25519, TLV_SIG_PURE = 0x12, 0x24, 0x25
TRAILER_MAGIC = bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")
# With a write block above 8 bytes the trailer magic starts with max_align.
TRAILER_MAGIC_ALT_TAIL = bytes.fromhex("2de15d29410b8d77679c110f1f8a")


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def tlvs(img, off, magic):
    m, tot = struct.unpack_from("<HH", img, off)
    if m != magic:
        fail(f"TLV info magic {m:#x} at {off:#x}, want {magic:#x}")
    end, off = off + tot, off + 4
    out = []
    while off < end:
        t, n = struct.unpack_from("<HH", img, off)
        out.append((t, img[off + 4:off + 4 + n]))
        off += 4 + n
    if off != end:
        fail("TLV entries overrun their area")
    return out, end


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--slot-size", type=lambda s: int(s, 0))
    ap.add_argument("--align", type=int, default=4)
    ap.add_argument("--confirmed", action="store_true")
    ap.add_argument("image")
    a = ap.parse_args()
    img = open(a.image, "rb").read()
    der = open(a.key, "rb").read()

    magic, _load, hdr_size, prot_size, img_size, flags = struct.unpack_from("<IIHHII", img, 0)
    if magic != IMAGE_MAGIC:
        fail(f"header magic {magic:#x}")
    body_end = hdr_size + img_size
    protected = []
    if prot_size:
        protected, prot_end = tlvs(img, body_end, TLV_PROT_INFO)
        if prot_end - body_end != prot_size:
            fail("protected TLV size differs from the header's")
    unprot, image_end = tlvs(img, body_end + prot_size, TLV_INFO)
    found = dict(unprot)
    signed = img[:body_end + prot_size]
    # A pure image is hashed with SHA-512 (imgtool's only choice for it), its key too.
    pure = TLV_SIG_PURE in found
    if pure and found[TLV_SIG_PURE] != b"\x01":
        fail("SIG_PURE is not one byte 0x01")
    sha, sha_tlv = (hashlib.sha512, TLV_SHA512) if pure else (hashlib.sha256, TLV_SHA256)
    digest = sha(signed).digest()
    if found.get(sha_tlv) != digest:
        fail(f"{sha().name} TLV does not match the image")
    if TLV_KEYHASH in found:
        if found[TLV_KEYHASH] != sha(der).digest():
            fail("KEYHASH is not the hash of the given key")
    elif found.get(TLV_PUBKEY) != der:
        fail("neither KEYHASH nor PUBKEY names the given key")
    if TLV_RSA2048_PSS in found:
        pub = serialization.load_der_public_key(
            b"0\x82\x01\"0\r\x06\t*\x86H\x86\xf7\r\x01\x01\x01\x05\x00\x03\x82\x01\x0f\x00" + der)
        pub.verify(found[TLV_RSA2048_PSS], digest,
                   padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                   utils.Prehashed(hashes.SHA256()))
        kind = "RSA-2048-PSS"
    elif TLV_ED25519 in found:
        pub = serialization.load_der_public_key(der)
        if not isinstance(pub, ed25519.Ed25519PublicKey):
            fail("an ED25519 TLV, the key is not Ed25519")
        # RFC 8032 Ed25519 of the image itself if pure, else of its digest.
        pub.verify(found[TLV_ED25519], signed if pure else digest)
        kind = "Ed25519 pure" if pure else "Ed25519"
    elif TLV_ECDSA_SIG in found:
        pub = serialization.load_der_public_key(der)
        sig = found[TLV_ECDSA_SIG]
        pub.verify(sig, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        kind = "ECDSA-P256"
    else:
        fail("no signature TLV")
    if a.slot_size:
        if len(img) != a.slot_size:
            fail(f"padded image is {len(img)} bytes, want the slot size {a.slot_size}")
        max_align = max(8, a.align)
        if img[-16:] != (TRAILER_MAGIC if max_align == 8 else
                         struct.pack("<H", max_align) + TRAILER_MAGIC_ALT_TAIL):
            fail("trailer magic missing")
        image_ok = img[-16 - max_align]
        if a.confirmed != (image_ok == 1):
            fail(f"image_ok is {image_ok:#x}")
    print(f"OK: {a.image}: {kind}, {img_size} byte payload, image ends at {image_end:#x}")


if __name__ == "__main__":
    main()
