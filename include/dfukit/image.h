/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit image layer: parse and validate MCUboot-format images.
 *
 * The image is read through a caller callback, so the same code works on a
 * flash slot, a RAM buffer or a file.  Nothing here allocates memory or keeps
 * global state; every structure is owned by the caller.  Crypto is done with
 * mbedTLS or BearSSL (SHA-256, RSA-2048-PSS, ECDSA-P256) and libsodium (Ed25519).  mbedTLS itself allocates its
 * bignums through its own allocator (use MBEDTLS_MEMORY_BUFFER_ALLOC_C on a
 * target without a heap).
 *
 * Ed25519 (TLV 0x24, a signature of the 32-byte SHA-256 digest, imgtool's
 * default) is verified with libsodium when DFUKIT_SIGNATURES has ed25519 (the
 * host default with libsodium-dev; -DDFUKIT_SIGNATURES=ed25519 on Cortex-M).
 * A build without it refuses such an image with DFUKIT_IMAGE_E_UNSUPPORTED_SIG
 * after checking its SHA-256 TLV (a corrupted one reports BAD_HASH).
 * imgtool --pure images (the SIG_PURE TLV 0x25 = 0x01 marks the ED25519 TLV
 * as a signature of header + payload + protected TLVs themselves; their hash
 * TLV is SHA512 and their KEYHASH the key's SHA-512) are verified by
 * dfukit_image_validate_mapped() only, in an ed25519 build: libsodium checks
 * a pure signature over one contiguous message. dfukit_image_validate() refuses
 * them with DFUKIT_IMAGE_E_PURE_UNMAPPED, a build without ed25519 with
 * DFUKIT_IMAGE_E_UNSUPPORTED_SIG.
 *
 * Format reference: MCUboot image header / TLV area (all fields little endian).
 */
#ifndef DFUKIT_IMAGE_H
#define DFUKIT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- on-flash constants ------------------------------------------------ */

#define DFUKIT_IMAGE_MAGIC               0x96f3b83dU
#define DFUKIT_IMAGE_MAGIC_V1            0x96f3b83cU /* old format, refused */
#define DFUKIT_IMAGE_HEADER_SIZE         32U
#define DFUKIT_IMAGE_TLV_INFO_MAGIC      0x6907U
#define DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC 0x6908U
#define DFUKIT_IMAGE_TLV_INFO_SIZE       4U
#define DFUKIT_IMAGE_TLV_HDR_SIZE        4U
#define DFUKIT_IMAGE_HASH_SIZE           32U
#define DFUKIT_IMAGE_SHA512_SIZE         64U /* a pure image's hash and KEYHASH */

/*
 * Field offsets, all little-endian: the image header (MCUboot's struct
 * image_header: ih_magic .. ih_ver), the TLV info that opens each TLV area
 * (struct image_tlv_info: it_magic, it_tlv_tot) and a TLV entry's header
 * (struct image_tlv: it_type, it_len; the value follows).
 */
#define DFUKIT_IMAGE_HDR_OFF_MAGIC            0U
#define DFUKIT_IMAGE_HDR_OFF_LOAD_ADDR        4U
#define DFUKIT_IMAGE_HDR_OFF_HDR_SIZE         8U
#define DFUKIT_IMAGE_HDR_OFF_PROTECT_TLV_SIZE 10U
#define DFUKIT_IMAGE_HDR_OFF_IMG_SIZE         12U
#define DFUKIT_IMAGE_HDR_OFF_FLAGS            16U
#define DFUKIT_IMAGE_HDR_OFF_VER_MAJOR        20U
#define DFUKIT_IMAGE_HDR_OFF_VER_MINOR        21U
#define DFUKIT_IMAGE_HDR_OFF_VER_REVISION     22U
#define DFUKIT_IMAGE_HDR_OFF_VER_BUILD_NUM    24U
#define DFUKIT_IMAGE_TLV_INFO_OFF_MAGIC       0U
#define DFUKIT_IMAGE_TLV_INFO_OFF_TOT         2U
#define DFUKIT_IMAGE_TLV_OFF_TYPE             0U
#define DFUKIT_IMAGE_TLV_OFF_LEN              2U

/* ih_flags bits */
#define DFUKIT_IMAGE_F_PIC                  0x00000001U
#define DFUKIT_IMAGE_F_ENCRYPTED_AES128     0x00000004U
#define DFUKIT_IMAGE_F_ENCRYPTED_AES256     0x00000008U
#define DFUKIT_IMAGE_F_NON_BOOTABLE         0x00000010U
#define DFUKIT_IMAGE_F_RAM_LOAD             0x00000020U
#define DFUKIT_IMAGE_F_ROM_FIXED            0x00000100U
#define DFUKIT_IMAGE_F_COMPRESSED_LZMA1     0x00000200U
#define DFUKIT_IMAGE_F_COMPRESSED_LZMA2     0x00000400U
#define DFUKIT_IMAGE_F_COMPRESSED_ARM_THUMB 0x00000800U

/* TLV types */
#define DFUKIT_IMAGE_TLV_KEYHASH           0x01U
#define DFUKIT_IMAGE_TLV_PUBKEY            0x02U
#define DFUKIT_IMAGE_TLV_SHA256            0x10U
#define DFUKIT_IMAGE_TLV_SHA384            0x11U
#define DFUKIT_IMAGE_TLV_SHA512            0x12U
#define DFUKIT_IMAGE_TLV_RSA2048_PSS       0x20U
#define DFUKIT_IMAGE_TLV_ECDSA224          0x21U
#define DFUKIT_IMAGE_TLV_ECDSA_SIG         0x22U
#define DFUKIT_IMAGE_TLV_RSA3072_PSS       0x23U
#define DFUKIT_IMAGE_TLV_ED25519           0x24U
#define DFUKIT_IMAGE_TLV_SIG_PURE          0x25U
#define DFUKIT_IMAGE_TLV_ENC_RSA2048       0x30U
#define DFUKIT_IMAGE_TLV_ENC_KW            0x31U
#define DFUKIT_IMAGE_TLV_ENC_EC256         0x32U
#define DFUKIT_IMAGE_TLV_ENC_X25519        0x33U
#define DFUKIT_IMAGE_TLV_ENC_X25519_SHA512 0x34U
#define DFUKIT_IMAGE_TLV_DEPENDENCY        0x40U
#define DFUKIT_IMAGE_TLV_SEC_CNT           0x50U
#define DFUKIT_IMAGE_TLV_BOOT_RECORD       0x60U
#define DFUKIT_IMAGE_TLV_DECOMP_SIZE       0x70U
#define DFUKIT_IMAGE_TLV_DECOMP_SHA        0x71U
#define DFUKIT_IMAGE_TLV_DECOMP_SIGNATURE  0x72U
#define DFUKIT_IMAGE_TLV_COMP_DEC_SIZE     0x73U
#define DFUKIT_IMAGE_TLV_UUID_VID          0x74U
#define DFUKIT_IMAGE_TLV_UUID_CID          0x75U
/* Vendor (custom) TLV types, imgtool's --custom-tlv: 0xa0..0xfffe. */
#define DFUKIT_IMAGE_TLV_VENDOR_MIN        0x00a0U
#define DFUKIT_IMAGE_TLV_VENDOR_MAX        0xfffeU

/* ---- status codes ------------------------------------------------------- */

/*
 * Precise reason of a refusal.  Every public function returns 0 or a negative
 * errno (see dfukit_image_status_errno() for the mapping); the precise reason
 * is stored in the caller's structure.
 */
enum dfukit_image_status {
	DFUKIT_IMAGE_OK = 0,
	DFUKIT_IMAGE_E_ARG,          /* -EINVAL: bad argument */
	DFUKIT_IMAGE_E_IO,           /* -EIO: the read callback failed */
	DFUKIT_IMAGE_E_TRUNCATED,    /* -ENODATA: a structure lies beyond the slot end */
	DFUKIT_IMAGE_E_ERASED,       /* -ENOENT: header is erased (0xffffffff magic) */
	DFUKIT_IMAGE_E_BAD_MAGIC,    /* -ENOEXEC: header magic is not 0x96f3b83d */
	DFUKIT_IMAGE_E_HDR_SIZE,     /* -EBADMSG: ih_hdr_size < 32 */
	DFUKIT_IMAGE_E_SIZE,         /* -EFBIG: sizes overflow or do not fit strictly in the slot */
	DFUKIT_IMAGE_E_ENCRYPTED,    /* -ENOTSUP: encrypted image */
	DFUKIT_IMAGE_E_COMPRESSED,   /* -ENOTSUP: compressed image */
	DFUKIT_IMAGE_E_PIC,          /* -ENOTSUP: position independent image */
	DFUKIT_IMAGE_E_NON_BOOTABLE, /* -ENOEXEC: NON_BOOTABLE flag set */
	DFUKIT_IMAGE_E_TLV_MAGIC,    /* -EBADMSG: TLV info magic is not 0x6907 */
	DFUKIT_IMAGE_E_PROT_TLV_SIZE,   /* -EBADMSG: protected TLV total != ih_protect_tlv_size */
	DFUKIT_IMAGE_E_TLV_TOTAL,       /* -EBADMSG: TLV area total too small or past the slot */
	DFUKIT_IMAGE_E_TLV_ENTRY,       /* -EBADMSG: a TLV entry runs past its area */
	DFUKIT_IMAGE_E_TLV_LEN,         /* -EBADMSG: a known TLV has a wrong length */
	DFUKIT_IMAGE_E_NO_HASH,         /* -EBADMSG: no SHA-256 TLV */
	DFUKIT_IMAGE_E_BAD_HASH,        /* -EBADMSG: SHA-256 TLV does not match */
	DFUKIT_IMAGE_E_NO_SIGNATURE,    /* -EPERM: no signature verified with a key of the table */
	DFUKIT_IMAGE_E_BAD_SIGNATURE,   /* -EPERM: a signature made with a known key is wrong */
	DFUKIT_IMAGE_E_UNSUPPORTED_SIG, /* -ENOTSUP: signature type this build does not verify */
	DFUKIT_IMAGE_E_BAD_KEY,         /* -EINVAL: a key of the table cannot be parsed */
	DFUKIT_IMAGE_E_CRYPTO,          /* -EIO: mbedTLS internal failure */
	DFUKIT_IMAGE_E_PURE_UNMAPPED, /* -ENOTSUP: pure signature, image not in one memory region */
	DFUKIT_IMAGE_E_ENC_KEY, /* -EACCES: encrypted, its AES key does not open with the device's */
	DFUKIT_IMAGE_STATUS_COUNT
};

/* One-line human message, e.g. "Image has an invalid hash". Never NULL. */
const char *dfukit_image_strerror(enum dfukit_image_status st);
/* Negative errno for a status (0 for DFUKIT_IMAGE_OK). */
int dfukit_image_status_errno(enum dfukit_image_status st);

/* ---- image source --------------------------------------------------------- */

/* Read len bytes at off into buf; return 0 or a negative errno. */
typedef int (*dfukit_image_read_fn)(void *ctx, uint32_t off, void *buf, uint32_t len);

struct dfukit_image_src {
	dfukit_image_read_fn read;
	void *ctx;
	uint32_t slot_size; /* bytes readable from offset 0 */
};

/* ---- header ----------------------------------------------------------------- */

struct dfukit_image_version {
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build_num;
};

struct dfukit_image_header {
	uint32_t magic;
	uint32_t load_addr;
	uint16_t hdr_size;
	uint16_t protect_tlv_size;
	uint32_t img_size;
	uint32_t flags;
	struct dfukit_image_version version;
};

/* Decode 32 raw header bytes (no checks). */
void dfukit_image_header_decode(const uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE],
				struct dfukit_image_header *hdr);

/*
 * Read and check the header: magic, hdr_size >= 32, hdr_size + img_size +
 * protect_tlv_size without overflow and strictly below the slot size, flags
 * (encrypted / compressed / PIC / non-bootable refused).
 * Returns 0 or a negative errno; *st (may be NULL) gets the precise reason.
 * hdr is filled whenever 32 bytes could be read.
 */
int dfukit_image_read_header(const struct dfukit_image_src *src, struct dfukit_image_header *hdr,
			     enum dfukit_image_status *st);

/* ---- TLV iteration ---------------------------------------------------------- */

enum dfukit_image_tlv_area {
	DFUKIT_IMAGE_TLV_AREA_ALL = 0,
	DFUKIT_IMAGE_TLV_AREA_PROTECTED,
	DFUKIT_IMAGE_TLV_AREA_UNPROTECTED,
};

struct dfukit_image_tlv {
	uint16_t type;
	uint16_t len;
	uint32_t off;        /* slot offset of the value */
	bool protected_area; /* entry lies in the protected (hashed) area */
};

/* Iterator state; treat as opaque. */
struct dfukit_image_tlv_iter {
	const struct dfukit_image_src *src;
	uint32_t prot_off;   /* offset of the protected info header (== unprot_off if none) */
	uint32_t unprot_off; /* offset of the unprotected info header */
	uint32_t end;        /* end of the unprotected area == end of the image */
	uint32_t pos;        /* next entry */
	uint32_t stop;       /* end of the area being walked */
	uint8_t area;        /* enum dfukit_image_tlv_area requested */
	uint8_t in_prot;     /* currently walking the protected area */
	enum dfukit_image_status status;
};

/*
 * Check both TLV info headers (magics 0x6908 / 0x6907, protected total ==
 * ih_protect_tlv_size, totals within the slot) and position the iterator on
 * the first entry of the requested area(s).  hdr must come from
 * dfukit_image_read_header() on the same source.  Returns 0 or a negative
 * errno, reason in it->status.
 */
int dfukit_image_tlv_iter_begin(struct dfukit_image_tlv_iter *it,
				const struct dfukit_image_src *src,
				const struct dfukit_image_header *hdr,
				enum dfukit_image_tlv_area area);

/*
 * Next entry: returns 1 and fills *tlv, 0 at the end, or a negative errno
 * (entry running past its area: DFUKIT_IMAGE_E_TLV_ENTRY in it->status).
 */
int dfukit_image_tlv_iter_next(struct dfukit_image_tlv_iter *it, struct dfukit_image_tlv *tlv);

/* Total image extent: header + payload + protected + unprotected TLVs. */
uint32_t dfukit_image_tlv_iter_image_end(const struct dfukit_image_tlv_iter *it);

/* ---- keys and validation ---------------------------------------------------- */

enum dfukit_image_key_type {
	DFUKIT_IMAGE_KEY_RSA2048 = 1, /* der = PKCS#1 RSAPublicKey (270 bytes) */
	DFUKIT_IMAGE_KEY_ECDSA_P256,  /* der = SubjectPublicKeyInfo (91 bytes) */
	DFUKIT_IMAGE_KEY_ED25519,     /* der = SubjectPublicKeyInfo (44 bytes) */
};

/* A trusted public key, in the DER form MCUboot embeds ("imgtool getpub -e raw"). */
struct dfukit_image_key {
	enum dfukit_image_key_type type;
	const uint8_t *der;
	uint32_t len;
};

/* SHA-256 of the key DER (the KEYHASH TLV value). Returns 0 or -errno. */
int dfukit_image_key_hash(const struct dfukit_image_key *key, uint8_t out[DFUKIT_IMAGE_HASH_SIZE]);

struct dfukit_image_result {
	enum dfukit_image_status status;
	struct dfukit_image_header hdr; /* valid once the header was read */
	/* The computed hash of the hashed region, hash_len bytes: SHA-256, or SHA-512 if pure. */
	uint8_t hash[DFUKIT_IMAGE_SHA512_SIZE];
	uint8_t hash_len;
	bool pure; /* SIG_PURE: the signature is over the hashed region itself */
	bool hash_computed;
	bool hash_ok;       /* the hash TLV (SHA256, or SHA512 if pure) present and equal */
	int key_index;      /* table index of the key whose signature verified, else -1 */
	uint16_t sig_type;  /* TLV type of the verified signature, else 0 */
	uint32_t image_end; /* total extent incl. TLVs (0 if unknown) */
	/*
	 * The image's security counter (TLV 0x50, imgtool -s: a u32 LE), read
	 * from the protected TLV area only: one in the unprotected area is not
	 * hashed, so it is ignored. A protected one of another length than 4 is
	 * refused (DFUKIT_IMAGE_E_TLV_LEN). Meaningful only when the image
	 * validated; has_security_counter false when it carries none.
	 */
	bool has_security_counter;
	uint32_t security_counter;
	/*
	 * FIH_SUCCESS (dfukit/fih.h) only when the hash and a signature by one
	 * of the keys verified, each twice; what a bootloader decides on. Never
	 * FIH_SUCCESS with nkeys == 0.
	 */
	uint32_t verdict;
};

/*
 * Full validation, MCUboot style: header checks, TLV structure, SHA-256 over
 * header + payload + protected TLVs compared with the SHA256 TLV, then, when
 * nkeys > 0, a signature must verify with a key selected by a preceding
 * KEYHASH or PUBKEY TLV (unknown keys are skipped).  With nkeys == 0 only
 * the structure and the hash are checked (like "imgtool verify" without -k).
 * Returns 0 when the image is good, else a negative errno; res->status holds
 * the precise reason.
 */
int dfukit_image_validate(const struct dfukit_image_src *src, const struct dfukit_image_key *keys,
			  size_t nkeys, struct dfukit_image_result *res);

/*
 * dfukit_image_validate() of a slot the caller has as one memory region (a RAM
 * buffer, memory-mapped flash): slot_size bytes at slot, read in place. The
 * only entry that verifies a pure signature (SIG_PURE), which libsodium checks
 * over the signed bytes in one piece; the same checks and verdict otherwise.
 */
int dfukit_image_validate_mapped(const uint8_t *slot, uint32_t slot_size,
				 const struct dfukit_image_key *keys, size_t nkeys,
				 struct dfukit_image_result *res);

/* ---- encrypted images ------------------------------------------------------------ */

/*
 * An encrypted image (ENCRYPTED_AES128/256 flag, imgtool -E) holds its body
 * (the ih_img_size bytes after the header) in AES-CTR; its SHA-256 and
 * signature are over the plaintext. This layer has no key unwrap (that needs
 * the device's private key: RSA-OAEP or ECIES); the caller who unwrapped the
 * image's AES key gives a decryptor: decrypt len bytes of the body in place,
 * off counted from the body's start (AES-CTR: block off / 16 of the
 * keystream). 0 or a negative errno (then the image is refused as E_IO).
 */
typedef int (*dfukit_image_decrypt_fn)(void *ctx, uint32_t off, uint8_t *buf, uint32_t len);

struct dfukit_image_decryptor {
	dfukit_image_decrypt_fn decrypt;
	void *ctx;
};

/*
 * dfukit_image_validate() of an encrypted image as MCUboot validates its
 * secondary slot: the body decrypted by dec as it is read (nothing is written
 * back), hash and signature checked over the plaintext, the same verdict. An
 * image without an ENCRYPTED flag is validated as stored (dec is not called).
 * dfukit_image_validate() itself still refuses encrypted images
 * (DFUKIT_IMAGE_E_ENCRYPTED).
 */
int dfukit_image_validate_encrypted(const struct dfukit_image_src *src,
				    const struct dfukit_image_decryptor *dec,
				    const struct dfukit_image_key *keys, size_t nkeys,
				    struct dfukit_image_result *res);

/* ---- helpers for a RAM buffer source --------------------------------------- */

struct dfukit_image_membuf {
	const uint8_t *data;
	uint32_t len;
};

/* Read callback for ctx = struct dfukit_image_membuf *. */
int dfukit_image_membuf_read(void *ctx, uint32_t off, void *buf, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* DFUKIT_IMAGE_H */
