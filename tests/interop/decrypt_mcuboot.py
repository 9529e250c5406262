#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An independent decryptor of encrypted MCUboot images, written from
MCUboot's docs/encrypted_images.md with python3-cryptography (no dfukit code,
no imgtool code): it checks what dfukit's signer makes.

    decrypt_mcuboot.py -k PRIVKEY.pem IMAGE OUT     writes the decrypted body
                                                     (the ih_img_size bytes after
                                                     the header); exit 0 only if
                                                     the SHA256 TLV matches the
                                                     plaintext

Format: header flag 0x04 (AES-128) / 0x08 (AES-256); key TLV 0x30 RSA-OAEP
(SHA-256, MGF1-SHA-256), 0x32 ECIES-P256, 0x33 ECIES-X25519 (SHA-256),
0x34 ECIES-X25519 (SHA-512). ECIES TLV = ephemeral public key | HMAC tag |
AES-CTR(HKDF key, zero nonce) of the image key; HKDF with no salt and info
"MCUBoot_ECIES_v1", key length + HMAC length bytes. The body is AES-CTR with
a zero counter block; SHA-256 over header, plaintext body, protected TLVs.
"""
import hashlib
import hmac as hmac_mod
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

IMAGE_MAGIC = 0x96F3B83D
TLV_INFO_MAGIC, TLV_PROT_INFO_MAGIC = 0x6907, 0x6908
F_AES128, F_AES256 = 0x04, 0x08
ENC_RSA, ENC_EC256, ENC_X25519, ENC_X25519_SHA512 = 0x30, 0x32, 0x33, 0x34


def fail(msg):
    print(f"decrypt_mcuboot: {msg}", file=sys.stderr)
    sys.exit(1)


def parse(img):
    magic, _load, hdr_size, prot_size, img_size, flags = struct.unpack_from("<IIHHII", img, 0)
    if magic != IMAGE_MAGIC:
        fail("not an MCUboot image")
    off = hdr_size + img_size
    tlvs = {}
    if prot_size:
        m, tot = struct.unpack_from("<HH", img, off)
        if m != TLV_PROT_INFO_MAGIC or tot != prot_size:
            fail("bad protected TLV area")
        off += prot_size
    m, tot = struct.unpack_from("<HH", img, off)
    if m != TLV_INFO_MAGIC:
        fail("bad TLV area")
    pos, end = off + 4, off + tot
    while pos < end:
        t, n = struct.unpack_from("<HH", img, pos)
        if pos + 4 + n > end:
            fail("TLV runs past its area")
        tlvs.setdefault(t, img[pos + 4:pos + 4 + n])
        pos += 4 + n
    return hdr_size, prot_size, img_size, flags, tlvs


def ctr(key, data):
    d = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).decryptor()
    return d.update(data) + d.finalize()


def ecies(priv, tlv, kind, key_len):
    md = hashes.SHA512() if kind == ENC_X25519_SHA512 else hashes.SHA256()
    if kind == ENC_EC256:
        if not isinstance(priv, ec.EllipticCurvePrivateKey):
            fail("TLV 0x32 needs an EC P-256 private key")
        eph_len = 65
        eph = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), tlv[:eph_len])
        shared = priv.exchange(ec.ECDH(), eph)
    else:
        if not isinstance(priv, x25519.X25519PrivateKey):
            fail(f"TLV 0x{kind:02x} needs an X25519 private key")
        eph_len = 32
        shared = priv.exchange(x25519.X25519PublicKey.from_public_bytes(tlv[:eph_len]))
    mac_len = md.digest_size
    if len(tlv) != eph_len + mac_len + key_len:
        fail(f"key TLV is {len(tlv)} bytes, expected {eph_len + mac_len + key_len}")
    okm = HKDF(algorithm=md, length=key_len + mac_len, salt=None,
               info=b"MCUBoot_ECIES_v1").derive(shared)
    tag, wrapped = tlv[eph_len:eph_len + mac_len], tlv[eph_len + mac_len:]
    want = hmac_mod.new(okm[key_len:], wrapped, md.name).digest()
    if not hmac_mod.compare_digest(tag, want):
        fail("ECIES HMAC tag does not match (wrong key?)")
    return ctr(okm[:key_len], wrapped)


def main(argv):
    if len(argv) != 5 or argv[1] != "-k":
        fail("usage: decrypt_mcuboot.py -k PRIVKEY IMAGE OUT")
    with open(argv[2], "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), password=None)
    with open(argv[3], "rb") as f:
        img = f.read()
    hdr_size, prot_size, img_size, flags, tlvs = parse(img)
    if flags & F_AES128 and flags & F_AES256 or not flags & (F_AES128 | F_AES256):
        fail(f"flags 0x{flags:x}: not an encrypted image")
    key_len = 32 if flags & F_AES256 else 16
    if ENC_RSA in tlvs:
        if not isinstance(priv, rsa.RSAPrivateKey):
            fail("TLV 0x30 needs an RSA private key")
        key = priv.decrypt(tlvs[ENC_RSA], padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                        algorithm=hashes.SHA256(), label=None))
    else:
        kinds = [k for k in (ENC_EC256, ENC_X25519, ENC_X25519_SHA512) if k in tlvs]
        if not kinds:
            fail("no key TLV")
        key = ecies(priv, tlvs[kinds[0]], kinds[0], key_len)
    if len(key) != key_len:
        fail(f"image key is {len(key)} bytes, the flag says {key_len}")
    body = ctr(key, img[hdr_size:hdr_size + img_size])
    plain = img[:hdr_size] + body + img[hdr_size + img_size:hdr_size + img_size + prot_size]
    if 0x10 not in tlvs or hashlib.sha256(plain).digest() != tlvs[0x10]:
        fail("SHA256 TLV does not match the decrypted image")
    with open(argv[4], "wb") as f:
        f.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
