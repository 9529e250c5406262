/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MCUboot image parsing and validation (see include/dfukit/image.h).
 *
 * All offsets are uint32_t; every sum of values read from the image is done
 * with add_u32() which reports overflow, and every structure is checked
 * against the slot size before it is read.
 */
#include "dfukit/image.h"
#include "dfukit/fih.h"
#include "dfukit/wire.h"

#include <errno.h>
#include <string.h>

#include "image_crypto.h"

#define CHUNK 256U

/*
 * The largest TLV value validation reads whole: an RSA-2048 signature where
 * RSA is verified, else an ECDSA one, which Ed25519's signature and the
 * SHA-256/SHA-512 hashes fit in too (on the stack under the verification:
 * 176 B less without RSA). A longer signature is refused by its length.
 */
#if defined(DFUKIT_IMAGE_NO_RSA)
#define SCAN_BUF IMAGE_ECDSA_SIG_MAX
#else
#define SCAN_BUF IMAGE_SIG_MAX
#endif
_Static_assert(SCAN_BUF >= DFUKIT_IMAGE_SHA512_SIZE,
	       "the scan buffer holds every hash and Ed25519 signature");

/* ---- messages ---------------------------------------------------------------- */

/*
 * Two tables: the errno of each status (validation needs it) and its message
 * (only dfukit_image_strerror() does), so that a bootloader that prints no
 * messages links none of the strings.
 */
static const int16_t status_err[DFUKIT_IMAGE_STATUS_COUNT] = {
	[DFUKIT_IMAGE_OK] = 0,
	[DFUKIT_IMAGE_E_ARG] = -EINVAL,
	[DFUKIT_IMAGE_E_IO] = -EIO,
	[DFUKIT_IMAGE_E_TRUNCATED] = -ENODATA,
	[DFUKIT_IMAGE_E_ERASED] = -ENOENT,
	[DFUKIT_IMAGE_E_BAD_MAGIC] = -ENOEXEC,
	[DFUKIT_IMAGE_E_HDR_SIZE] = -EBADMSG,
	[DFUKIT_IMAGE_E_SIZE] = -EFBIG,
	[DFUKIT_IMAGE_E_ENCRYPTED] = -ENOTSUP,
	[DFUKIT_IMAGE_E_COMPRESSED] = -ENOTSUP,
	[DFUKIT_IMAGE_E_PIC] = -ENOTSUP,
	[DFUKIT_IMAGE_E_NON_BOOTABLE] = -ENOEXEC,
	[DFUKIT_IMAGE_E_TLV_MAGIC] = -EBADMSG,
	[DFUKIT_IMAGE_E_PROT_TLV_SIZE] = -EBADMSG,
	[DFUKIT_IMAGE_E_TLV_TOTAL] = -EBADMSG,
	[DFUKIT_IMAGE_E_TLV_ENTRY] = -EBADMSG,
	[DFUKIT_IMAGE_E_TLV_LEN] = -EBADMSG,
	[DFUKIT_IMAGE_E_NO_HASH] = -EBADMSG,
	[DFUKIT_IMAGE_E_BAD_HASH] = -EBADMSG,
	[DFUKIT_IMAGE_E_NO_SIGNATURE] = -EPERM,
	[DFUKIT_IMAGE_E_BAD_SIGNATURE] = -EPERM,
	[DFUKIT_IMAGE_E_UNSUPPORTED_SIG] = -ENOTSUP,
	[DFUKIT_IMAGE_E_BAD_KEY] = -EINVAL,
	[DFUKIT_IMAGE_E_CRYPTO] = -EIO,
	[DFUKIT_IMAGE_E_PURE_UNMAPPED] = -ENOTSUP,
	[DFUKIT_IMAGE_E_ENC_KEY] = -EACCES,
};

static const char *const status_msg[DFUKIT_IMAGE_STATUS_COUNT] = {
	[DFUKIT_IMAGE_OK] = "Image was correctly validated",
	[DFUKIT_IMAGE_E_ARG] = "Invalid argument",
	[DFUKIT_IMAGE_E_IO] = "Error reading the image",
	[DFUKIT_IMAGE_E_TRUNCATED] = "Image is truncated (shorter than its header or TLV info)",
	[DFUKIT_IMAGE_E_ERASED] = "No image (header is erased)",
	[DFUKIT_IMAGE_E_BAD_MAGIC] = "Invalid image magic; is this an MCUboot image?",
	[DFUKIT_IMAGE_E_HDR_SIZE] = "Invalid image header size (below 32 bytes)",
	[DFUKIT_IMAGE_E_SIZE] = "Image size overflows or does not fit in the slot",
	[DFUKIT_IMAGE_E_ENCRYPTED] = "Encrypted images are not supported",
	[DFUKIT_IMAGE_E_COMPRESSED] = "Compressed images are not supported",
	[DFUKIT_IMAGE_E_PIC] = "Position-independent images are not supported",
	[DFUKIT_IMAGE_E_NON_BOOTABLE] = "Image is marked non-bootable",
	[DFUKIT_IMAGE_E_TLV_MAGIC] = "Invalid TLV info magic; is this an MCUboot image?",
	[DFUKIT_IMAGE_E_PROT_TLV_SIZE] = "Protected TLV area size does not match the header",
	[DFUKIT_IMAGE_E_TLV_TOTAL] =
		"Invalid TLV area size (too small or past the end of the slot)",
	[DFUKIT_IMAGE_E_TLV_ENTRY] = "TLV entry runs past the end of its area",
	[DFUKIT_IMAGE_E_TLV_LEN] = "TLV entry has an invalid length",
	[DFUKIT_IMAGE_E_NO_HASH] = "Image has no SHA256 hash TLV",
	[DFUKIT_IMAGE_E_BAD_HASH] = "Image has an invalid hash",
	[DFUKIT_IMAGE_E_NO_SIGNATURE] = "No signature found for the given key",
	[DFUKIT_IMAGE_E_BAD_SIGNATURE] = "Image signature is invalid",
#if defined(DFUKIT_IMAGE_ED25519)
	[DFUKIT_IMAGE_E_UNSUPPORTED_SIG] =
		"Unsupported signature type (a type this build does not verify)",
#else
	[DFUKIT_IMAGE_E_UNSUPPORTED_SIG] =
		"Unsupported signature type (Ed25519, or a type this build does not verify)",
#endif
	[DFUKIT_IMAGE_E_BAD_KEY] = "Invalid public key in the key table",
	[DFUKIT_IMAGE_E_CRYPTO] = "Cryptographic library failure",
	[DFUKIT_IMAGE_E_PURE_UNMAPPED] = "Pure signature: the image must be in one memory region",
	[DFUKIT_IMAGE_E_ENC_KEY] =
		"Image is encrypted for another key (or a wrap this device lacks)",
};

const char *dfukit_image_strerror(enum dfukit_image_status st)
{
	if ((unsigned)st >= (unsigned)DFUKIT_IMAGE_STATUS_COUNT || status_msg[st] == NULL)
		return "Unknown image error";
	return status_msg[st];
}

int dfukit_image_status_errno(enum dfukit_image_status st)
{
	if ((unsigned)st >= (unsigned)DFUKIT_IMAGE_STATUS_COUNT)
		return -EINVAL;
	return status_err[st];
}

static int fail(enum dfukit_image_status *out, enum dfukit_image_status st)
{
	if (out != NULL)
		*out = st;
	return dfukit_image_status_errno(st);
}

/* ---- small helpers -------------------------------------------------------------- */

static bool add_u32(uint32_t a, uint32_t b, uint32_t *sum)
{
	if (a > UINT32_MAX - b)
		return false;
	*sum = a + b;
	return true;
}

/* Read [off, off+len) which must lie inside the slot. */
static int src_read(const struct dfukit_image_src *src, uint32_t off, void *buf, uint32_t len)
{
	uint32_t end;

	if (!add_u32(off, len, &end) || end > src->slot_size)
		return -ENODATA;
	if (src->read(src->ctx, off, buf, len) != 0)
		return -EIO;
	return 0;
}

int dfukit_image_membuf_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	const struct dfukit_image_membuf *mb = ctx;

	if (mb == NULL || buf == NULL || off > mb->len || len > mb->len - off)
		return -EIO;
	if (len != 0)
		memcpy(buf, mb->data + off, len);
	return 0;
}

/* ---- header ------------------------------------------------------------------------ */

void dfukit_image_header_decode(const uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE],
				struct dfukit_image_header *hdr)
{
	hdr->magic = wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_MAGIC);
	hdr->load_addr = wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_LOAD_ADDR);
	hdr->hdr_size = wire_get_le16(raw + DFUKIT_IMAGE_HDR_OFF_HDR_SIZE);
	hdr->protect_tlv_size = wire_get_le16(raw + DFUKIT_IMAGE_HDR_OFF_PROTECT_TLV_SIZE);
	hdr->img_size = wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_IMG_SIZE);
	hdr->flags = wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_FLAGS);
	hdr->version.major = raw[DFUKIT_IMAGE_HDR_OFF_VER_MAJOR];
	hdr->version.minor = raw[DFUKIT_IMAGE_HDR_OFF_VER_MINOR];
	hdr->version.revision = wire_get_le16(raw + DFUKIT_IMAGE_HDR_OFF_VER_REVISION);
	hdr->version.build_num = wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_VER_BUILD_NUM);
}

static bool src_ok(const struct dfukit_image_src *src)
{
	return src != NULL && src->read != NULL;
}

/* ---- encrypted images: a source that decrypts the body it reads -------------------- */

#define ENCRYPTED_FLAGS (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256)

struct decrypting {
	const struct dfukit_image_src *stored;
	const struct dfukit_image_decryptor *dec;
	uint32_t body_off; /* ih_hdr_size */
	uint32_t body_end; /* ih_hdr_size + ih_img_size */
};

static int decrypting_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	const struct decrypting *d = ctx;
	uint32_t end, lo, hi;
	int rc;

	if (!add_u32(off, len, &end))
		return -EINVAL;
	rc = d->stored->read(d->stored->ctx, off, buf, len);
	if (rc != 0)
		return rc;
	lo = off > d->body_off ? off : d->body_off;
	hi = end < d->body_end ? end : d->body_end;
	if (lo >= hi)
		return 0;
	return d->dec->decrypt(d->dec->ctx, lo - d->body_off, (uint8_t *)buf + (lo - off), hi - lo);
}

int dfukit_image_read_header(const struct dfukit_image_src *src, struct dfukit_image_header *hdr,
			     enum dfukit_image_status *st)
{
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE];
	uint32_t end;
	int rc;

	if (!src_ok(src) || hdr == NULL)
		return fail(st, DFUKIT_IMAGE_E_ARG);
	memset(hdr, 0, sizeof(*hdr));
	rc = src_read(src, 0, raw, sizeof(raw));
	if (rc == -ENODATA)
		return fail(st, DFUKIT_IMAGE_E_TRUNCATED);
	if (rc != 0)
		return fail(st, DFUKIT_IMAGE_E_IO);
	dfukit_image_header_decode(raw, hdr);

	if (hdr->magic == 0xffffffffU)
		return fail(st, DFUKIT_IMAGE_E_ERASED);
	if (hdr->magic != DFUKIT_IMAGE_MAGIC)
		return fail(st, DFUKIT_IMAGE_E_BAD_MAGIC);
	if (hdr->hdr_size < DFUKIT_IMAGE_HEADER_SIZE)
		return fail(st, DFUKIT_IMAGE_E_HDR_SIZE);
	if (!add_u32(hdr->hdr_size, hdr->img_size, &end) ||
	    !add_u32(end, hdr->protect_tlv_size, &end) || end >= src->slot_size)
		return fail(st, DFUKIT_IMAGE_E_SIZE);
	/* Only through dfukit_image_validate_encrypted(), which decrypts the body as it reads. */
	if ((hdr->flags & ENCRYPTED_FLAGS) != 0 && src->read != decrypting_read)
		return fail(st, DFUKIT_IMAGE_E_ENCRYPTED);
	if (hdr->flags & (DFUKIT_IMAGE_F_COMPRESSED_LZMA1 | DFUKIT_IMAGE_F_COMPRESSED_LZMA2 |
			  DFUKIT_IMAGE_F_COMPRESSED_ARM_THUMB))
		return fail(st, DFUKIT_IMAGE_E_COMPRESSED);
	if (hdr->flags & DFUKIT_IMAGE_F_PIC)
		return fail(st, DFUKIT_IMAGE_E_PIC);
	if (hdr->flags & DFUKIT_IMAGE_F_NON_BOOTABLE)
		return fail(st, DFUKIT_IMAGE_E_NON_BOOTABLE);
	return fail(st, DFUKIT_IMAGE_OK);
}

/* ---- TLV iteration -------------------------------------------------------------------- */

static int read_info(const struct dfukit_image_src *src, uint32_t off, uint16_t *magic,
		     uint16_t *tot, enum dfukit_image_status *st)
{
	uint8_t raw[DFUKIT_IMAGE_TLV_INFO_SIZE];
	int rc = src_read(src, off, raw, sizeof(raw));

	/* Defined on every path: error returns come from a table lookup. */
	*magic = 0;
	*tot = 0;
	if (rc == -ENODATA)
		return fail(st, DFUKIT_IMAGE_E_TRUNCATED);
	if (rc != 0)
		return fail(st, DFUKIT_IMAGE_E_IO);
	*magic = wire_get_le16(raw + DFUKIT_IMAGE_TLV_INFO_OFF_MAGIC);
	*tot = wire_get_le16(raw + DFUKIT_IMAGE_TLV_INFO_OFF_TOT);
	return 0;
}

int dfukit_image_tlv_iter_begin(struct dfukit_image_tlv_iter *it,
				const struct dfukit_image_src *src,
				const struct dfukit_image_header *hdr,
				enum dfukit_image_tlv_area area)
{
	uint32_t off, end;
	uint16_t magic, tot;
	int rc;

	if (it == NULL)
		return -EINVAL;
	memset(it, 0, sizeof(*it));
	it->src = src;
	if (!src_ok(src) || hdr == NULL ||
	    (unsigned)area > (unsigned)DFUKIT_IMAGE_TLV_AREA_UNPROTECTED)
		return fail(&it->status, DFUKIT_IMAGE_E_ARG);
	/* Re-check what read_header guarantees; the caller may have filled hdr itself. */
	if (hdr->hdr_size < DFUKIT_IMAGE_HEADER_SIZE)
		return fail(&it->status, DFUKIT_IMAGE_E_HDR_SIZE);
	if (!add_u32(hdr->hdr_size, hdr->img_size, &off) ||
	    !add_u32(off, hdr->protect_tlv_size, &end) || end >= src->slot_size)
		return fail(&it->status, DFUKIT_IMAGE_E_SIZE);

	rc = read_info(src, off, &magic, &tot, &it->status);
	if (rc != 0)
		return rc;
	it->prot_off = off;
	if (hdr->protect_tlv_size != 0) {
		if (magic != DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC || tot != hdr->protect_tlv_size ||
		    tot < DFUKIT_IMAGE_TLV_INFO_SIZE)
			return fail(&it->status, DFUKIT_IMAGE_E_PROT_TLV_SIZE);
		off = end;
		rc = read_info(src, off, &magic, &tot, &it->status);
		if (rc != 0)
			return rc;
	} else if (magic == DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC) {
		return fail(&it->status, DFUKIT_IMAGE_E_PROT_TLV_SIZE);
	}
	if (magic != DFUKIT_IMAGE_TLV_INFO_MAGIC)
		return fail(&it->status, DFUKIT_IMAGE_E_TLV_MAGIC);
	if (tot < DFUKIT_IMAGE_TLV_INFO_SIZE || !add_u32(off, tot, &end) || end > src->slot_size)
		return fail(&it->status, DFUKIT_IMAGE_E_TLV_TOTAL);
	it->unprot_off = off;
	it->end = end;
	it->area = (uint8_t)area;
	if (area == DFUKIT_IMAGE_TLV_AREA_UNPROTECTED || it->prot_off == it->unprot_off) {
		it->in_prot = 0;
		it->pos = it->unprot_off + DFUKIT_IMAGE_TLV_INFO_SIZE;
		it->stop = (area == DFUKIT_IMAGE_TLV_AREA_PROTECTED) ? it->pos : it->end;
	} else {
		it->in_prot = 1;
		it->pos = it->prot_off + DFUKIT_IMAGE_TLV_INFO_SIZE;
		it->stop = it->unprot_off;
	}
	return fail(&it->status, DFUKIT_IMAGE_OK);
}

int dfukit_image_tlv_iter_next(struct dfukit_image_tlv_iter *it, struct dfukit_image_tlv *tlv)
{
	uint8_t raw[DFUKIT_IMAGE_TLV_HDR_SIZE];
	uint32_t val, end;
	uint16_t len;
	int rc;

	if (it == NULL || tlv == NULL || it->src == NULL)
		return -EINVAL;
	if (it->status != DFUKIT_IMAGE_OK)
		return dfukit_image_status_errno(it->status);
	while (it->pos >= it->stop) {
		if (it->in_prot && it->area == DFUKIT_IMAGE_TLV_AREA_ALL) {
			it->in_prot = 0;
			it->pos = it->unprot_off + DFUKIT_IMAGE_TLV_INFO_SIZE;
			it->stop = it->end;
			continue;
		}
		return 0;
	}
	if (!add_u32(it->pos, DFUKIT_IMAGE_TLV_HDR_SIZE, &val) || val > it->stop)
		return fail(&it->status, DFUKIT_IMAGE_E_TLV_ENTRY);
	rc = src_read(it->src, it->pos, raw, sizeof(raw));
	if (rc != 0)
		return fail(&it->status,
			    rc == -ENODATA ? DFUKIT_IMAGE_E_TLV_ENTRY : DFUKIT_IMAGE_E_IO);
	len = wire_get_le16(raw + DFUKIT_IMAGE_TLV_OFF_LEN);
	if (!add_u32(val, len, &end) || end > it->stop)
		return fail(&it->status, DFUKIT_IMAGE_E_TLV_ENTRY);
	tlv->type = wire_get_le16(raw + DFUKIT_IMAGE_TLV_OFF_TYPE);
	tlv->len = len;
	tlv->off = val;
	tlv->protected_area = it->in_prot != 0;
	it->pos = end;
	return 1;
}

uint32_t dfukit_image_tlv_iter_image_end(const struct dfukit_image_tlv_iter *it)
{
	return it != NULL ? it->end : 0;
}

/* ---- hashing ----------------------------------------------------------------------------- */

static int hash_range(const struct dfukit_image_src *src, uint32_t off, uint32_t len, bool sha512,
		      uint8_t *out, enum dfukit_image_status *st)
{
	struct image_hash h;
	uint8_t buf[CHUNK];

	if (image_hash_start(&h, sha512) != 0)
		return fail(st, DFUKIT_IMAGE_E_CRYPTO);
	while (len > 0) {
		uint32_t n = len < CHUNK ? len : CHUNK;
		int rc = src_read(src, off, buf, n);

		if (rc != 0)
			return fail(st,
				    rc == -ENODATA ? DFUKIT_IMAGE_E_TRUNCATED : DFUKIT_IMAGE_E_IO);
		if (image_hash_update(&h, buf, n) != 0)
			return fail(st, DFUKIT_IMAGE_E_CRYPTO);
		off += n;
		len -= n;
	}
	if (image_hash_finish(&h, out) != 0)
		return fail(st, DFUKIT_IMAGE_E_CRYPTO);
	return 0;
}

/* The key's KEYHASH: SHA-256 of its DER, SHA-512 in a pure image (imgtool). */
static int key_digest(const struct dfukit_image_key *key, bool sha512, uint8_t *out)
{
	struct image_hash h;

	if (key == NULL || key->der == NULL || out == NULL)
		return -EINVAL;
	if (image_hash_start(&h, sha512) != 0 || image_hash_update(&h, key->der, key->len) != 0 ||
	    image_hash_finish(&h, out) != 0)
		return -EIO;
	return 0;
}

int dfukit_image_key_hash(const struct dfukit_image_key *key, uint8_t out[DFUKIT_IMAGE_HASH_SIZE])
{
	return key_digest(key, false, out);
}

/*
 * The bits in which a and b differ, ORed; 0 when equal. No early exit, and
 * volatile reads: two calls are two comparisons (fih.h), never merged.
 */
static uint32_t diff_of(const volatile uint8_t *a, const volatile uint8_t *b, size_t n)
{
	uint32_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint32_t)(a[i] ^ b[i]);
	return diff;
}

static bool equal_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
	return diff_of(a, b, n) == 0;
}

static bool sig_matches_key(uint16_t tlv_type, enum dfukit_image_key_type kt)
{
	switch (tlv_type) {
	case DFUKIT_IMAGE_TLV_RSA2048_PSS: return kt == DFUKIT_IMAGE_KEY_RSA2048;
	case DFUKIT_IMAGE_TLV_ECDSA_SIG: return kt == DFUKIT_IMAGE_KEY_ECDSA_P256;
	case DFUKIT_IMAGE_TLV_ED25519: return kt == DFUKIT_IMAGE_KEY_ED25519;
	default: return false;
	}
}

static bool is_sig_tlv(uint16_t type)
{
	return type == DFUKIT_IMAGE_TLV_RSA2048_PSS || type == DFUKIT_IMAGE_TLV_ECDSA_SIG ||
	       type == DFUKIT_IMAGE_TLV_RSA3072_PSS || type == DFUKIT_IMAGE_TLV_ED25519 ||
	       type == DFUKIT_IMAGE_TLV_ECDSA224;
}

/* Index of the key whose SHA-256 (SHA-512 if sha512) equals h, or -1. */
static int find_key(const struct dfukit_image_key *keys, size_t nkeys, const uint8_t *h,
		    bool sha512, bool *bad_key)
{
	uint8_t kh[DFUKIT_IMAGE_SHA512_SIZE];

	for (size_t i = 0; i < nkeys && i < (size_t)INT32_MAX; i++) {
		if (key_digest(&keys[i], sha512, kh) != 0) {
			*bad_key = true;
			return -1;
		}
		if (equal_ct(kh, h, sha512 ? DFUKIT_IMAGE_SHA512_SIZE : DFUKIT_IMAGE_HASH_SIZE))
			return (int)i;
	}
	return -1;
}

/* ---- validation ------------------------------------------------------------------------------- */

static int finish(struct dfukit_image_result *res, enum dfukit_image_status st)
{
	res->status = st;
	return dfukit_image_status_errno(st);
}

/* Pass 2: what the TLVs say, one entry at a time (scan_tlv()). */
struct tlv_scan {
	const struct dfukit_image_src *src;
	const uint8_t *mapped; /* the slot in one piece (dfukit_image_validate_mapped), or NULL */
	uint32_t signed_len;   /* header + payload + protected TLVs: what is hashed and signed */
	const struct dfukit_image_key *keys;
	size_t nkeys;
	struct dfukit_image_result *res;
	int key_sel; /* the key the last KEYHASH / PUBKEY named, for the next signature */
	bool saw_bad_sig, saw_unsupported, sig_ok;
	/* The evidence of fih.h: what the hash and signature checks left. */
	volatile uint32_t tok[4];
	uint8_t buf[SCAN_BUF];
};

enum { TOK_HASH_A, TOK_HASH_B, TOK_SIG_A, TOK_SIG_B };

/* SIG_PURE: one byte, 1 (MCUboot's check; imgtool writes nothing else). */
static enum dfukit_image_status check_sig_pure(const struct dfukit_image_src *src,
					       const struct dfukit_image_tlv *tlv)
{
	uint8_t val = 0;

	if (tlv->len != 1U)
		return DFUKIT_IMAGE_E_TLV_LEN;
	if (src_read(src, tlv->off, &val, 1) != 0)
		return DFUKIT_IMAGE_E_IO;
	return val == 1U ? DFUKIT_IMAGE_OK : DFUKIT_IMAGE_E_TLV_LEN;
}

/* Pass 1: the structure of both TLV areas (and SIG_PURE), then the hash of what they protect. */
static int check_structure(struct tlv_scan *sc)
{
	struct dfukit_image_result *res = sc->res;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv = {0};
	int rc = dfukit_image_tlv_iter_begin(&it, sc->src, &res->hdr, DFUKIT_IMAGE_TLV_AREA_ALL);

	if (rc != 0)
		return finish(res, it.status);
	while ((rc = dfukit_image_tlv_iter_next(&it, &tlv)) > 0) {
		if (tlv.type != DFUKIT_IMAGE_TLV_SIG_PURE)
			continue;
		enum dfukit_image_status st = check_sig_pure(sc->src, &tlv);

		if (st != DFUKIT_IMAGE_OK)
			return finish(res, st);
		res->pure = true;
	}
	if (rc < 0)
		return finish(res, it.status);
	res->image_end = dfukit_image_tlv_iter_image_end(&it);
#if defined(DFUKIT_IMAGE_ED25519)
	/* Before hashing: a caller that has the slot mapped tries again at little cost. */
	if (res->pure && sc->nkeys > 0 && sc->mapped == NULL)
		return finish(res, DFUKIT_IMAGE_E_PURE_UNMAPPED);
#else
	if (res->pure)
		return finish(res, DFUKIT_IMAGE_E_UNSUPPORTED_SIG); /* no SHA-512 either */
#endif
	res->hash_len = res->pure ? DFUKIT_IMAGE_SHA512_SIZE : DFUKIT_IMAGE_HASH_SIZE;

	/* Hash of header + payload + protected TLVs. */
	sc->signed_len = it.unprot_off;
	rc = hash_range(sc->src, 0, it.unprot_off, res->pure, res->hash, &res->status);
	if (rc != 0)
		return rc;
	res->hash_computed = true;
	return 0;
}

/* Each scan_*() returns DFUKIT_IMAGE_OK to go on, else the status validation ends with. */
static enum dfukit_image_status scan_read(struct tlv_scan *sc, const struct dfukit_image_tlv *tlv)
{
	return src_read(sc->src, tlv->off, sc->buf, tlv->len) != 0 ? DFUKIT_IMAGE_E_IO
								   : DFUKIT_IMAGE_OK;
}

static enum dfukit_image_status scan_hash(struct tlv_scan *sc, const struct dfukit_image_tlv *tlv)
{
	if (tlv->len != sc->res->hash_len)
		return DFUKIT_IMAGE_E_TLV_LEN;
	if (scan_read(sc, tlv) != DFUKIT_IMAGE_OK)
		return DFUKIT_IMAGE_E_IO;
	uint32_t d = diff_of(sc->buf, sc->res->hash, sc->res->hash_len);
#if FIH_REDUNDANCY > 1
	uint32_t again = diff_of(sc->buf, sc->res->hash, sc->res->hash_len);
#else
	uint32_t again = d;
#endif

	sc->tok[TOK_HASH_A] = fih_evidence(FIH_TOKEN_HASH_A, d);
	sc->tok[TOK_HASH_B] = fih_evidence(FIH_TOKEN_HASH_B, again);
	if (d != 0)
		return DFUKIT_IMAGE_E_BAD_HASH;
	sc->res->hash_ok = true;
	return DFUKIT_IMAGE_OK;
}

/* KEYHASH (the key's SHA-256) or PUBKEY (the key itself) selects a key. */
static enum dfukit_image_status scan_key(struct tlv_scan *sc, const struct dfukit_image_tlv *tlv)
{
	bool bad_key = false, keyhash = tlv->type == DFUKIT_IMAGE_TLV_KEYHASH;

	if (keyhash) {
		if (tlv->len != sc->res->hash_len)
			return DFUKIT_IMAGE_E_TLV_LEN;
		if (scan_read(sc, tlv) != DFUKIT_IMAGE_OK)
			return DFUKIT_IMAGE_E_IO;
	} else {
		enum dfukit_image_status st = DFUKIT_IMAGE_OK;

		/* Compare through the hash: no buffer for the whole key is needed. */
		if (hash_range(sc->src, tlv->off, tlv->len, false, sc->buf, &st) != 0)
			return st;
	}
	sc->key_sel = find_key(sc->keys, sc->nkeys, sc->buf, keyhash && sc->res->pure, &bad_key);
	return bad_key ? DFUKIT_IMAGE_E_BAD_KEY : DFUKIT_IMAGE_OK;
}

/* One verification: of the digest, or of the signed bytes themselves in a pure image. */
static enum dfukit_image_status verify_once(const struct tlv_scan *sc, uint16_t type,
					    const struct dfukit_image_key *key, uint32_t sig_len)
{
	if (sc->res->pure)
		return image_crypto_verify_pure(key, sc->mapped, sc->signed_len, sc->buf, sig_len);
	return image_crypto_verify(type, key, sc->res->hash, sc->buf, sig_len);
}

/* A signature counts only with the key selected just before it; a pure image's only if ED25519. */
static enum dfukit_image_status scan_sig(struct tlv_scan *sc, const struct dfukit_image_tlv *tlv)
{
	int sel = sc->key_sel;

	sc->key_sel = -1;
	if (sel < 0 || !sig_matches_key(tlv->type, sc->keys[sel].type) ||
	    (sc->res->pure && tlv->type != DFUKIT_IMAGE_TLV_ED25519))
		return DFUKIT_IMAGE_OK;
	if (!image_crypto_verifies(tlv->type)) {
		sc->saw_unsupported = true; /* left out by DFUKIT_SIGNATURES */
		return DFUKIT_IMAGE_OK;
	}
	if (tlv->len > sizeof(sc->buf) ||
	    (tlv->type == DFUKIT_IMAGE_TLV_ECDSA_SIG && tlv->len > IMAGE_ECDSA_SIG_MAX)) {
		sc->saw_bad_sig = true;
		return DFUKIT_IMAGE_OK;
	}
	if (scan_read(sc, tlv) != DFUKIT_IMAGE_OK)
		return DFUKIT_IMAGE_E_IO;
	enum dfukit_image_status vs = verify_once(sc, tlv->type, &sc->keys[sel], tlv->len);
	if (vs == DFUKIT_IMAGE_E_BAD_KEY)
		return vs;
	if (sc->sig_ok)
		return DFUKIT_IMAGE_OK; /* the first good signature counts */
	enum dfukit_image_status again = vs;

#if FIH_REDUNDANCY > 1
	/* A fault inside the library's first run cannot fool this one. */
	if (vs == DFUKIT_IMAGE_OK)
		again = verify_once(sc, tlv->type, &sc->keys[sel], tlv->len);
#endif
	/* Written for every attempt, so none is left from an earlier image. */
	sc->tok[TOK_SIG_A] = fih_evidence(FIH_TOKEN_SIG_A, (uint32_t)vs);
	sc->tok[TOK_SIG_B] = fih_evidence(FIH_TOKEN_SIG_B, (uint32_t)again);
	if (vs != DFUKIT_IMAGE_OK || again != DFUKIT_IMAGE_OK) {
		sc->saw_bad_sig = true;
		return DFUKIT_IMAGE_OK;
	}
	sc->sig_ok = true;
	sc->res->key_index = sel;
	sc->res->sig_type = tlv->type;
	return DFUKIT_IMAGE_OK;
}

/* The security counter counts only from the protected (hashed) area. */
static enum dfukit_image_status scan_sec_cnt(struct tlv_scan *sc,
					     const struct dfukit_image_tlv *tlv)
{
	if (!tlv->protected_area)
		return DFUKIT_IMAGE_OK;
	if (tlv->len != 4U)
		return DFUKIT_IMAGE_E_TLV_LEN;
	if (scan_read(sc, tlv) != DFUKIT_IMAGE_OK)
		return DFUKIT_IMAGE_E_IO;
	sc->res->security_counter = wire_get_le32(sc->buf);
	sc->res->has_security_counter = true;
	return DFUKIT_IMAGE_OK;
}

static enum dfukit_image_status scan_tlv(struct tlv_scan *sc, const struct dfukit_image_tlv *tlv)
{
	if (tlv->type == (sc->res->pure ? DFUKIT_IMAGE_TLV_SHA512 : DFUKIT_IMAGE_TLV_SHA256))
		return scan_hash(sc, tlv);
	if (tlv->type == DFUKIT_IMAGE_TLV_SEC_CNT)
		return scan_sec_cnt(sc, tlv);
	if (sc->nkeys == 0)
		return DFUKIT_IMAGE_OK;
	if (tlv->type == DFUKIT_IMAGE_TLV_KEYHASH || tlv->type == DFUKIT_IMAGE_TLV_PUBKEY)
		return scan_key(sc, tlv);
	if (is_sig_tlv(tlv->type))
		return scan_sig(sc, tlv);
	return DFUKIT_IMAGE_OK;
}

/* The outcome once every TLV was read. */
static enum dfukit_image_status scan_verdict(const struct tlv_scan *sc)
{
	if (!sc->res->hash_ok)
		return DFUKIT_IMAGE_E_NO_HASH;
	if (sc->nkeys > 0 && !sc->sig_ok) {
		if (sc->saw_bad_sig)
			return DFUKIT_IMAGE_E_BAD_SIGNATURE;
		if (sc->saw_unsupported)
			return DFUKIT_IMAGE_E_UNSUPPORTED_SIG;
		return DFUKIT_IMAGE_E_NO_SIGNATURE;
	}
	return DFUKIT_IMAGE_OK;
}

/* Both passes; the verdict is formed only once every TLV was read. */
static int validate_scan(const struct dfukit_image_src *src, struct tlv_scan *sc)
{
	struct dfukit_image_result *res = sc->res;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv = {0};
	int rc = dfukit_image_read_header(src, &res->hdr, &res->status);

	if (rc != 0)
		return rc;
	rc = check_structure(sc);
	if (rc != 0)
		return rc;
	rc = dfukit_image_tlv_iter_begin(&it, src, &res->hdr, DFUKIT_IMAGE_TLV_AREA_ALL);
	if (rc != 0)
		return finish(res, it.status);
	while ((rc = dfukit_image_tlv_iter_next(&it, &tlv)) > 0) {
		enum dfukit_image_status st = scan_tlv(sc, &tlv);

		if (st != DFUKIT_IMAGE_OK)
			return finish(res, st);
	}
	if (rc < 0)
		return finish(res, it.status);
	/* A sum, not a flag: each missing or wrong token moves it (fih.h). */
	res->verdict =
		sc->tok[TOK_HASH_A] + sc->tok[TOK_HASH_B] + sc->tok[TOK_SIG_A] + sc->tok[TOK_SIG_B];
	return finish(res, scan_verdict(sc));
}

static int validate_with(const struct dfukit_image_src *src, const uint8_t *mapped,
			 const struct dfukit_image_key *keys, size_t nkeys,
			 struct dfukit_image_result *res)
{
	if (res == NULL)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->verdict = FIH_FAILURE;
	res->key_index = -1;
	if (!src_ok(src) || (nkeys > 0 && keys == NULL))
		return finish(res, DFUKIT_IMAGE_E_ARG);

	struct tlv_scan sc = {.src = src,
			      .mapped = mapped,
			      .keys = keys,
			      .nkeys = nkeys,
			      .res = res,
			      .key_sel = -1};
	int rc = validate_scan(src, &sc);

	/* No evidence outlives this image: the next one on this stack starts clean. */
	for (size_t i = 0; i < sizeof(sc.tok) / sizeof(sc.tok[0]); i++)
		sc.tok[i] = 0;
	return rc;
}

int dfukit_image_validate(const struct dfukit_image_src *src, const struct dfukit_image_key *keys,
			  size_t nkeys, struct dfukit_image_result *res)
{
	return validate_with(src, NULL, keys, nkeys, res);
}

int dfukit_image_validate_mapped(const uint8_t *slot, uint32_t slot_size,
				 const struct dfukit_image_key *keys, size_t nkeys,
				 struct dfukit_image_result *res)
{
	struct dfukit_image_membuf mb = {.data = slot, .len = slot_size};
	struct dfukit_image_src src = {
		.read = dfukit_image_membuf_read, .ctx = &mb, .slot_size = slot_size};

	return validate_with(slot != NULL ? &src : NULL, slot, keys, nkeys, res);
}

int dfukit_image_validate_encrypted(const struct dfukit_image_src *src,
				    const struct dfukit_image_decryptor *dec,
				    const struct dfukit_image_key *keys, size_t nkeys,
				    struct dfukit_image_result *res)
{
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE];
	struct dfukit_image_header hdr;
	struct decrypting d = {.stored = src, .dec = dec};
	struct dfukit_image_src plain;

	if (dec == NULL || dec->decrypt == NULL)
		return dfukit_image_validate(NULL, keys, nkeys, res); /* DFUKIT_IMAGE_E_ARG */
	/* The body's extent from the raw header; dfukit_image_validate() checks it all. */
	if (!src_ok(src) || src_read(src, 0, raw, sizeof(raw)) != 0)
		return dfukit_image_validate(src, keys, nkeys, res); /* its precise reason */
	dfukit_image_header_decode(raw, &hdr);
	if ((hdr.flags & ENCRYPTED_FLAGS) == 0)
		return dfukit_image_validate(src, keys, nkeys, res);
	d.body_off = hdr.hdr_size;
	if (!add_u32(hdr.hdr_size, hdr.img_size, &d.body_end))
		d.body_end = d.body_off;
	plain.read = decrypting_read;
	plain.ctx = &d;
	plain.slot_size = src->slot_size;
	return dfukit_image_validate(&plain, keys, nkeys, res);
}
