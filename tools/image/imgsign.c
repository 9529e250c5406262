/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image signing with the same layout as imgtool 2.4 "sign" (raw binary in,
 * raw binary out): header, [padding], payload, [protected TLVs], unprotected
 * TLVs (SHA256, KEYHASH|PUBKEY, signature), optional trailer padding.
 *
 * The image is built by a fixed list of steps over one builder (build_steps[]),
 * each appending or filling one part, so that a new option (encryption, another
 * input format, an external signature) is one more step rather than a branch
 * through all of them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "dfukit/boot.h"
#include "dfukit/wire.h"
#include "imgenc.h"
#include "imgformat.h"
#include "imgkey.h"

/* Largest value of each size field of the format. */
#define U16_FIELD_MAX 0xffffu
#define U32_FIELD_MAX 0xffffffffu

/* The image_ok byte of a confirmed trailer (as MCUboot writes it). */
#define TRAILER_FLAG_SET 0x01u

/* The SEC_CNT TLV's value: a u32. */
#define SEC_CNT_LEN 4u

/* --boot-record: imgtool's limit on SW_TYPE, in characters (UTF-8: 4 bytes each at most). */
#define BOOT_RECORD_SW_TYPE_MAX 12u
/* The CBOR boot record: 5 keys, SW_TYPE, version, two 32/64-byte strings, "SHA256"/"SHA512". */
#define IMGSIGN_BOOT_RECORD_MAX (1u + 3u + 4u * BOOT_RECORD_SW_TYPE_MAX + 16u + 67u + 8u + 67u)

/* --pure: SIG_PURE's value, "true". */
#define SIG_PURE_TRUE 0x01u

void imgsign_opts_init(struct imgsign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->align = 1;
	o->max_sectors = 128;
	o->erased_val = 0xff;
}

static int parse_num(const char **s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = *s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -ERANGE;
		p++;
	}
	*s = p;
	*out = v;
	return 0;
}

int imgsign_parse_version(const char *s, struct dfukit_image_version *v)
{
	uint64_t maj = 0, min = 0, rev = 0, build = 0;

	memset(v, 0, sizeof(*v));
	if (s == NULL || parse_num(&s, 0xff, &maj) != 0)
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (parse_num(&s, 0xff, &min) != 0)
			return -EINVAL;
		if (*s == '.') {
			s++;
			if (parse_num(&s, 0xffff, &rev) != 0)
				return -EINVAL;
			if (*s == '+') {
				s++;
				if (parse_num(&s, 0xffffffffu, &build) != 0)
					return -EINVAL;
			}
		}
	}
	if (*s != 0)
		return -EINVAL;
	v->major = (uint8_t)maj;
	v->minor = (uint8_t)min;
	v->revision = (uint16_t)rev;
	v->build_num = (uint32_t)build;
	return 0;
}

static uint32_t effective_max_align(const struct imgsign_opts *o)
{
	if (o->max_align != 0)
		return o->max_align;
	return o->align > 8 ? o->align : 8;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

uint32_t imgsign_trailer_size(const struct imgsign_opts *o)
{
	uint32_t ma = effective_max_align(o);
	uint32_t magic = align_up(BOOT_MAGIC_SZ, ma);

	if (o->overwrite_only)
		return ma * 2 + magic;
	/* -E: imgtool keeps room for two 16-byte keys, whatever the AES key length. */
	return o->max_sectors * 3 * o->align + ma * 4 + magic +
	       (o->enc != NULL ? align_up(16, ma) * 2 : 0);
}

static bool is_pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* ---- the builder ---------------------------------------------------------------- */

struct imgsign_builder {
	const struct imgsign_opts *o;
	const struct imgkey *key;    /* signs; NULL: hash-only image or --fix-sig */
	const struct imgkey *pubkey; /* named by KEYHASH/PUBKEY: key, or the --fix-sig key */
	const uint8_t *payload;
	size_t plen;
	size_t payload_skip; /* leading input bytes that are the header area (no --pad-header) */
	uint8_t header_fill; /* header area after the 32 header bytes */
	uint32_t img_size;   /* ih_img_size: payload after the header area */
	uint16_t prot_size;  /* ih_protect_tlv_size */
	uint32_t max_align;
	size_t tlv_info_off; /* unprotected TLV info header, patched when the area ends */
	uint8_t *img;        /* the image so far */
	size_t len;
	size_t cap;
	uint8_t digest[DFUKIT_IMAGE_SHA512_SIZE]; /* SHA-256, or SHA-512 with --pure */
	size_t digest_len;
	uint8_t boot_record[IMGSIGN_BOOT_RECORD_MAX]; /* CBOR, --boot-record */
	size_t boot_record_len;
	bool vector_done; /* --vector-to-sign: the image ends at the digest */
	struct imgsign_result *res;
	char *err;
	size_t errlen;
};

typedef int (*imgsign_step)(struct imgsign_builder *b);

/* n more bytes at the end of the image (contents undefined), or NULL when out of memory. */
static uint8_t *builder_append(struct imgsign_builder *b, size_t n)
{
	uint8_t *p;

	if (n > b->cap - b->len) {
		size_t cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n;
		uint8_t *big = realloc(b->img, cap);

		if (big == NULL)
			return NULL;
		b->img = big;
		b->cap = cap;
	}
	p = b->img + b->len;
	b->len += n;
	return p;
}

static int out_of_memory(struct imgsign_builder *b)
{
	return img_errf(b->err, b->errlen, -ENOMEM, "out of memory");
}

static int sha256_failed(struct imgsign_builder *b)
{
	return img_errf(b->err, b->errlen, -EIO, "SHA-256 failed");
}

/* The image's hash function: SHA-256, or SHA-512 with --pure (imgtool's only choice there). */
static int image_hash(const struct imgsign_builder *b, const uint8_t *data, size_t len,
		      uint8_t *out)
{
	if (b->o->pure)
		return mbedtls_sha512_ret(data, len, out, 0);
	return mbedtls_sha256_ret(data, len, out, 0);
}

static size_t image_hash_len(const struct imgsign_builder *b)
{
	return b->o->pure ? DFUKIT_IMAGE_SHA512_SIZE : DFUKIT_IMAGE_HASH_SIZE;
}

/* One TLV entry: type, length, value. */
static int append_tlv(struct imgsign_builder *b, uint16_t type, const uint8_t *value, size_t len)
{
	uint8_t *p = builder_append(b, DFUKIT_IMAGE_TLV_HDR_SIZE + len);

	if (p == NULL)
		return out_of_memory(b);
	wire_put_le16(p + IMG_TLV_OFF_TYPE, type);
	wire_put_le16(p + IMG_TLV_OFF_LEN, (uint16_t)len);
	memcpy(p + DFUKIT_IMAGE_TLV_HDR_SIZE, value, len);
	return 0;
}

static int append_tlv_info(struct imgsign_builder *b, uint16_t magic, uint16_t total)
{
	uint8_t *p = builder_append(b, DFUKIT_IMAGE_TLV_INFO_SIZE);

	if (p == NULL)
		return out_of_memory(b);
	wire_put_le16(p + IMG_TLV_INFO_OFF_MAGIC, magic);
	wire_put_le16(p + IMG_TLV_INFO_OFF_TOTAL, total);
	return 0;
}

/* ---- the steps, in build order ------------------------------------------------------ */

int imgsign_check_pure(const struct imgsign_opts *o, const struct imgkey *key, char *err,
		       size_t errlen)
{
	if (!o->pure)
		return 0;
	if (o->fix_sig != NULL)
		return img_errf(err, errlen, -EINVAL,
				"--pure with --fix-sig: imgtool 2.4 refuses a public "
				"--fix-sig-pubkey for it (Could not find allowed hash algorithms)");
	if (key == NULL)
		return img_errf(err, errlen, -EINVAL,
				"--pure needs an Ed25519 key (-k): an image without a signature "
				"has nothing to sign over the image");
	if (key->type != IMGKEY_ED25519)
		return img_errf(err, errlen, -EINVAL,
				"Could not find allowed hash algorithms for %s keys with --pure "
				"(pure signatures are Ed25519 only)",
				imgkey_shortname(key));
	if (o->enc != NULL)
		return img_errf(
			err, errlen, -EINVAL,
			"--pure with -E is not supported: MCUboot verifies a pure signature "
			"over the slot as stored, which is encrypted");
	return 0;
}

/* Options that go together or not, with imgtool's messages where it has one. */
static int check_more_options(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;

	if (o->load_addr != 0 && o->rom_fixed != 0)
		return img_errf(b->err, b->errlen, -EINVAL,
				"Can not set rom_fixed and load_addr at the same time");
	if (o->fix_sig != NULL && b->key != NULL)
		return img_errf(
			b->err, b->errlen, -EINVAL,
			"Can not sign using key and provide fixed-signature at the same time");
	if (o->fix_sig != NULL && o->fix_sig_key == NULL)
		return img_errf(b->err, b->errlen, -EINVAL,
				"public key of the fixed signature is not specified");
	b->pubkey = b->key != NULL ? b->key : o->fix_sig_key;
	if (b->pubkey != NULL && !b->pubkey->has_public)
		return img_errf(b->err, b->errlen, -EINVAL, "the key has no public part");
	return imgsign_check_pure(o, b->key, b->err, b->errlen);
}

static int check_options(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;

	if (o->header_size < DFUKIT_IMAGE_HEADER_SIZE)
		return img_errf(b->err, b->errlen, -EINVAL,
				"Minimum value for -H/--header-size is %u",
				DFUKIT_IMAGE_HEADER_SIZE);
	if (o->header_size > U16_FIELD_MAX)
		return img_errf(b->err, b->errlen, -EINVAL,
				"-H/--header-size 0x%x does not fit in 16 bits", o->header_size);
	if (!is_pow2_in(o->align, 1, 32))
		return img_errf(b->err, b->errlen, -EINVAL, "Invalid alignment: %u", o->align);
	if (o->max_align != 0 && !is_pow2_in(o->max_align, 8, 32))
		return img_errf(b->err, b->errlen, -EINVAL, "Invalid max alignment: %u",
				o->max_align);
	b->max_align = effective_max_align(o);
	if (o->align > b->max_align)
		return img_errf(b->err, b->errlen, -EINVAL,
				"--max-align (%u) must not be smaller than --align (%u)",
				b->max_align, o->align);
	if (o->max_sectors == 0 || o->max_sectors > IMGSIGN_MAX_SECTORS_LIMIT)
		return img_errf(b->err, b->errlen, -EINVAL, "invalid -M/--max-sectors");
	if (b->key != NULL && !b->key->has_private)
		return img_errf(b->err, b->errlen, -EINVAL, "signing needs a private key");
	if (o->enc != NULL && imgenc_check_keys(o->enc, b->key, b->err, b->errlen) != 0)
		return -EINVAL;
	return check_more_options(b);
}

/*
 * Where the header area comes from: prepended erased bytes (--pad-header) or
 * the input's own leading zeros, which the header then overwrites.
 */
static int plan_payload(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	size_t img_size;

	if (o->pad_header) {
		if (b->plen > U32_FIELD_MAX - o->header_size)
			return img_errf(b->err, b->errlen, -EFBIG, "image too large");
		b->payload_skip = 0;
		b->header_fill = o->erased_val;
	} else {
		if (b->plen < o->header_size)
			return img_errf(b->err, b->errlen, -EINVAL,
					"Image (%zu bytes) is smaller than the header size 0x%x "
					"and --pad-header "
					"was not given",
					b->plen, o->header_size);
		for (size_t i = 0; i < o->header_size; i++)
			if (b->payload[i] != 0)
				return img_errf(b->err, b->errlen, -EINVAL,
						"Header padding was not requested and image does "
						"not start with zeros");
		b->payload_skip = o->header_size;
		b->header_fill = 0;
	}
	img_size = b->plen - b->payload_skip;
	/* -E: imgtool zero pads its input (header hole included) to whole AES blocks. */
	if (o->enc != NULL && b->plen % IMGENC_CTR_BLOCK != 0)
		img_size += IMGENC_CTR_BLOCK - b->plen % IMGENC_CTR_BLOCK;
	if (img_size > U32_FIELD_MAX)
		return img_errf(b->err, b->errlen, -EFBIG, "image too large");
	b->img_size = (uint32_t)img_size;
	return 0;
}

/* CBOR text string header (major type 3) for n bytes, n < 256. */
static size_t cbor_text(uint8_t *p, size_t n)
{
	if (n < 24) {
		p[0] = (uint8_t)(0x60u | n);
		return 1;
	}
	p[0] = 0x78;
	p[1] = (uint8_t)n;
	return 2;
}

/* One map entry: small unsigned key, then a text or a byte string of hlen bytes (32 or 64). */
static size_t cbor_entry(uint8_t *p, uint8_t key, const char *text, const uint8_t *bytes,
			 size_t hlen)
{
	size_t n = 0;

	p[n++] = key;
	if (text != NULL) {
		size_t len = strlen(text);

		n += cbor_text(p + n, len);
		memcpy(p + n, text, len);
		return n + len;
	}
	p[n++] = 0x58; /* byte string, one length byte */
	p[n++] = (uint8_t)hlen;
	if (bytes != NULL)
		memcpy(p + n, bytes, hlen);
	else
		memset(p + n, 0, hlen);
	return n + hlen;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != 0; s++)
		n += ((unsigned char)*s & 0xc0u) != 0x80u;
	return n;
}

/*
 * imgtool's boot record: the CBOR map {1: SW_TYPE, 4: "maj.min.rev", 5: signer ID
 * (SHA-256 of the public key, zeros without one), 6: "SHA256", 2: 32 zero bytes the
 * bootloader replaces with the measured hash}, in that order (cbor2, insertion order).
 * With --pure: SHA-512, "SHA512" and 64 bytes, the image's hash function.
 */
static int build_boot_record(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	uint8_t signer[DFUKIT_IMAGE_SHA512_SIZE] = {0};
	size_t hlen = image_hash_len(b);
	char ver[24];
	uint8_t *p = b->boot_record;
	size_t n = 0;

	if (utf8_chars(o->boot_record) > BOOT_RECORD_SW_TYPE_MAX)
		return img_errf(b->err, b->errlen, -EINVAL,
				"'%s' is too long (%zu characters) for sw_type. Its maximum "
				"allowed length is %u "
				"characters.",
				o->boot_record, utf8_chars(o->boot_record),
				BOOT_RECORD_SW_TYPE_MAX);
	if (b->pubkey != NULL && image_hash(b, b->pubkey->pub, b->pubkey->pub_len, signer) != 0)
		return sha256_failed(b);
	snprintf(ver, sizeof(ver), "%u.%u.%u", o->version.major, o->version.minor,
		 o->version.revision);
	p[n++] = 0xa5; /* map of 5 pairs */
	n += cbor_entry(p + n, 1, o->boot_record, NULL, 0);
	n += cbor_entry(p + n, 4, ver, NULL, 0);
	n += cbor_entry(p + n, 5, NULL, signer, hlen);
	n += cbor_entry(p + n, 6, o->pure ? "SHA512" : "SHA256", NULL, 0);
	n += cbor_entry(p + n, 2, NULL, NULL, hlen);
	b->boot_record_len = n;
	return 0;
}

/* The header records the protected area's size, so it is planned before the header is written. */
static int plan_protected_tlvs(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	size_t size = 0;
	int rc;

	if (o->has_security_counter)
		size += DFUKIT_IMAGE_TLV_HDR_SIZE + SEC_CNT_LEN;
	if (o->boot_record != NULL) {
		rc = build_boot_record(b);
		if (rc != 0)
			return rc;
		size += DFUKIT_IMAGE_TLV_HDR_SIZE + b->boot_record_len;
	}
	for (size_t i = 0; i < o->nprot; i++)
		size += DFUKIT_IMAGE_TLV_HDR_SIZE + o->prot[i].len;
	if (size != 0)
		size += DFUKIT_IMAGE_TLV_INFO_SIZE;
	if (size > U16_FIELD_MAX)
		return img_errf(b->err, b->errlen, -E2BIG,
				"the protected TLVs (%zu bytes) exceed 65535 bytes", size);
	b->prot_size = (uint16_t)size;
	return 0;
}

static uint32_t header_flags(const struct imgsign_opts *o)
{
	uint32_t flags = 0;

	if (o->load_addr != 0)
		flags |= DFUKIT_IMAGE_F_RAM_LOAD;
	if (o->rom_fixed != 0)
		flags |= DFUKIT_IMAGE_F_ROM_FIXED;
	if (o->non_bootable)
		flags |= DFUKIT_IMAGE_F_NON_BOOTABLE;
	return flags | imgenc_header_flag(o->enc);
}

static int write_header(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	uint8_t *h = builder_append(b, o->header_size);

	if (h == NULL)
		return out_of_memory(b);
	wire_put_le32(h + IMG_HDR_OFF_MAGIC, DFUKIT_IMAGE_MAGIC);
	wire_put_le32(h + IMG_HDR_OFF_LOAD_ADDR, o->rom_fixed != 0 ? o->rom_fixed : o->load_addr);
	wire_put_le16(h + IMG_HDR_OFF_HDR_SIZE, (uint16_t)o->header_size);
	wire_put_le16(h + IMG_HDR_OFF_PROTECT_TLV_SIZE, b->prot_size);
	wire_put_le32(h + IMG_HDR_OFF_IMG_SIZE, b->img_size);
	wire_put_le32(h + IMG_HDR_OFF_FLAGS, header_flags(o));
	h[IMG_HDR_OFF_VER_MAJOR] = o->version.major;
	h[IMG_HDR_OFF_VER_MINOR] = o->version.minor;
	wire_put_le16(h + IMG_HDR_OFF_VER_REVISION, o->version.revision);
	wire_put_le32(h + IMG_HDR_OFF_VER_BUILD, o->version.build_num);
	wire_put_le32(h + IMG_HDR_OFF_PAD, 0);
	memset(h + DFUKIT_IMAGE_HEADER_SIZE, b->header_fill,
	       o->header_size - DFUKIT_IMAGE_HEADER_SIZE);
	return 0;
}

static int write_payload(struct imgsign_builder *b)
{
	uint8_t *p = builder_append(b, b->img_size);

	if (p == NULL)
		return out_of_memory(b);
	memcpy(p, b->payload + b->payload_skip, b->plen - b->payload_skip);
	memset(p + (b->plen - b->payload_skip), 0, b->img_size - (b->plen - b->payload_skip));
	return 0;
}

static int write_protected_tlvs(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	uint32_t sc = o->security_counter;
	uint8_t value[SEC_CNT_LEN];
	int rc;

	if (b->prot_size == 0)
		return 0;
	/* imgtool's "auto": the version without its build number. */
	if (o->security_counter_auto)
		sc = ((uint32_t)o->version.major << 24) | ((uint32_t)o->version.minor << 16) |
		     o->version.revision;
	wire_put_le32(value, sc);
	/* imgtool's order: SEC_CNT, BOOT_RECORD, then dependencies and custom TLVs as given. */
	rc = append_tlv_info(b, DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC, b->prot_size);
	if (rc == 0 && o->has_security_counter)
		rc = append_tlv(b, DFUKIT_IMAGE_TLV_SEC_CNT, value, sizeof(value));
	if (rc == 0 && o->boot_record != NULL)
		rc = append_tlv(b, DFUKIT_IMAGE_TLV_BOOT_RECORD, b->boot_record,
				b->boot_record_len);
	for (size_t i = 0; rc == 0 && i < o->nprot; i++)
		rc = append_tlv(b, o->prot[i].type, o->prot[i].value, o->prot[i].len);
	return rc;
}

/* SHA-256 (SHA-512 with --pure) over everything so far: header, payload and protected TLVs. */
static int hash_image(struct imgsign_builder *b)
{
	b->digest_len = image_hash_len(b);
	if (image_hash(b, b->img, b->len, b->digest) != 0)
		return sha256_failed(b);
	memcpy(b->res->digest, b->digest, b->digest_len);
	b->res->digest_len = b->digest_len;
	return 0;
}

/*
 * --vector-to-sign: what an external signer signs. "payload" is the image so far
 * (header, payload, protected TLVs), "digest" its SHA-256; no TLV area follows,
 * but --pad still pads, as imgtool does.
 */
static int stop_at_vector(struct imgsign_builder *b)
{
	if (b->o->vector == IMGSIGN_VECTOR_NONE)
		return 0;
	if (b->o->vector == IMGSIGN_VECTOR_DIGEST) {
		memcpy(b->img, b->digest, b->digest_len);
		b->len = b->digest_len;
	}
	b->vector_done = true;
	return 0;
}

/* The unprotected area's total is known only at its end (see end_unprotected_tlvs). */
static int begin_unprotected_tlvs(struct imgsign_builder *b)
{
	int rc;

	if (b->vector_done)
		return 0;
	b->tlv_info_off = b->len;
	rc = append_tlv_info(b, DFUKIT_IMAGE_TLV_INFO_MAGIC, 0);
	if (rc == 0)
		rc = append_tlv(b, b->o->pure ? DFUKIT_IMAGE_TLV_SHA512 : DFUKIT_IMAGE_TLV_SHA256,
				b->digest, b->digest_len);
	/* --pure: imgtool's marker, right after the hash. */
	if (rc == 0 && b->o->pure)
		rc = append_tlv(b, DFUKIT_IMAGE_TLV_SIG_PURE, (const uint8_t[]){SIG_PURE_TRUE}, 1);
	return rc;
}

/* Which key signed: its hash (KEYHASH, default) or the whole key (--public-key-format full). */
static int write_key_tlv(struct imgsign_builder *b)
{
	uint8_t key_hash[DFUKIT_IMAGE_SHA512_SIZE];

	if (b->pubkey == NULL || b->vector_done)
		return 0;
	if (b->o->pubkey_full)
		return append_tlv(b, DFUKIT_IMAGE_TLV_PUBKEY, b->pubkey->pub, b->pubkey->pub_len);
	/* imgtool hashes the key with the image's hash function: SHA-512 with --pure. */
	if (image_hash(b, b->pubkey->pub, b->pubkey->pub_len, key_hash) != 0)
		return sha256_failed(b);
	return append_tlv(b, DFUKIT_IMAGE_TLV_KEYHASH, key_hash, image_hash_len(b));
}

/*
 * --fix-sig: the signature made elsewhere goes in as it is (imgtool does not check it;
 * dfukit refuses one that does not verify, which would only make an image MCUboot rejects).
 */
static int write_fixed_signature(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	struct imgsign_result *r = b->res;

	if (o->fix_sig_len == 0 || o->fix_sig_len > sizeof(r->sig))
		return img_errf(b->err, b->errlen, -EINVAL,
				"the --fix-sig signature is %zu bytes (1..%zu)", o->fix_sig_len,
				sizeof(r->sig));
	if (imgkey_verify_digest(o->fix_sig_key, b->digest, o->fix_sig, o->fix_sig_len, NULL, 0) !=
	    0)
		return img_errf(b->err, b->errlen, -EBADMSG,
				"the --fix-sig signature does not verify with the --fix-sig-pubkey "
				"key over this "
				"image's digest (the digest of other options, or another key?)");
	memcpy(r->sig, o->fix_sig, o->fix_sig_len);
	r->sig_len = o->fix_sig_len;
	return append_tlv(b, imgkey_sig_tlv(o->fix_sig_key), r->sig, r->sig_len);
}

static int write_signature_tlv(struct imgsign_builder *b)
{
	struct imgsign_result *r = b->res;
	int rc;

	if (b->vector_done)
		return 0;
	if (b->o->fix_sig != NULL)
		return write_fixed_signature(b);
	if (b->key == NULL)
		return 0;
	if (b->o->pure) {
		/* Over the image itself: header, payload, protected TLVs (before the TLV info). */
		r->sig_len = IMGKEY_ED25519_SIG_LEN;
		rc = imgkey_ed25519_sign(b->key, b->img, b->tlv_info_off, r->sig, b->err,
					 b->errlen);
		return rc != 0 ? rc : append_tlv(b, DFUKIT_IMAGE_TLV_ED25519, r->sig, r->sig_len);
	}
	rc = imgkey_sign_digest(b->key, b->digest, r->sig, &r->sig_len, b->err, b->errlen);
	if (rc != 0)
		return rc;
	if (r->sig_len > sizeof(r->sig))
		return -EIO;
	/* --pad-sig (MCUboot < 1.5): ECDSA's DER signature zero padded to its largest size. */
	if (b->o->pad_sig && b->key->type == IMGKEY_ECDSA_P256 &&
	    r->sig_len < IMGKEY_ECDSA_P256_SIG_MAX) {
		memset(r->sig + r->sig_len, 0, IMGKEY_ECDSA_P256_SIG_MAX - r->sig_len);
		r->sig_len = IMGKEY_ECDSA_P256_SIG_MAX;
	}
	return append_tlv(b, imgkey_sig_tlv(b->key), r->sig, r->sig_len);
}

/* -E, after the signature: the key TLV last, and the body encrypted (over a plaintext hash). */
static int write_encryption(struct imgsign_builder *b)
{
	uint8_t tlv[IMGENC_TLV_MAX];
	size_t tlv_len = 0;
	uint16_t type = 0;
	int rc;

	if (b->o->enc == NULL || b->vector_done)
		return 0;
	rc = imgenc_seal(b->o->enc, b->img + b->o->header_size, b->img_size, &type, tlv, &tlv_len,
			 b->err, b->errlen);
	return rc != 0 ? rc : append_tlv(b, type, tlv, tlv_len);
}

static int end_unprotected_tlvs(struct imgsign_builder *b)
{
	if (b->vector_done)
		return 0;
	wire_put_le16(b->img + b->tlv_info_off + IMG_TLV_INFO_OFF_TOTAL,
		      (uint16_t)(b->len - b->tlv_info_off));
	if (b->len > U32_FIELD_MAX)
		return img_errf(b->err, b->errlen, -EFBIG, "image too large");
	return 0;
}

/* imgtool's check: the image and a trailer must both fit in the slot, padded or not. */
static int check_slot_fit(struct imgsign_builder *b)
{
	uint32_t trailer = imgsign_trailer_size(b->o);

	/* imgtool does not check a --vector-to-sign output (it pads it all the same). */
	if (b->vector_done)
		return 0;
	if (b->o->slot_size > 0 && (uint64_t)b->len + trailer > b->o->slot_size)
		return img_errf(b->err, b->errlen, -EFBIG,
				"Image size (0x%zx) + trailer (0x%x) exceeds requested size 0x%x",
				b->len, trailer, b->o->slot_size);
	return 0;
}

/* --pad / --confirm: erased up to the slot end, with the trailer's boot magic (and image_ok). */
static int pad_to_slot(struct imgsign_builder *b)
{
	const struct imgsign_opts *o = b->o;
	/* image_ok is the max_align field right below the (aligned) magic area. */
	uint32_t image_ok_from_end = imgsign_image_ok_from_end(o);
	uint32_t trailer = imgsign_trailer_size(o);
	size_t fill_len;
	uint8_t *fill;

	b->res->image_len = b->len;
	if (!o->pad && !o->confirm)
		return 0;
	if (o->slot_size == 0)
		return img_errf(b->err, b->errlen, -EINVAL, "--pad/--confirm need -S/--slot-size");
	/* imgtool: padding up to the trailer (none if it does not fit), then the trailer. */
	fill_len =
		trailer + (o->slot_size > b->len + trailer ? o->slot_size - b->len - trailer : 0);
	fill = builder_append(b, fill_len);
	if (fill == NULL)
		return out_of_memory(b);
	memset(fill, o->erased_val, fill_len);
	boot_magic_bytes(b->max_align, b->img + b->len - BOOT_MAGIC_SZ);
	if (o->confirm && !o->overwrite_only)
		b->img[b->len - image_ok_from_end] = TRAILER_FLAG_SET;
	return 0;
}

static const imgsign_step build_steps[] = {
	check_options,          plan_payload,         plan_protected_tlvs, write_header,
	write_payload,          write_protected_tlvs, hash_image,          stop_at_vector,
	begin_unprotected_tlvs, write_key_tlv,        write_signature_tlv, write_encryption,
	end_unprotected_tlvs,   check_slot_fit,       pad_to_slot,
};

uint32_t imgsign_max_align(const struct imgsign_opts *o)
{
	return effective_max_align(o);
}

uint32_t imgsign_image_ok_from_end(const struct imgsign_opts *o)
{
	uint32_t ma = effective_max_align(o);

	/* image_ok is the max_align field right below the (aligned) magic area. */
	return align_up(BOOT_MAGIC_SZ, ma) + ma;
}

int imgsign_build(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload,
		  size_t plen, uint8_t **out, size_t *out_len, uint8_t digest_out[32], char *err,
		  size_t errlen)
{
	struct imgsign_result *res = malloc(sizeof(*res));
	int rc;

	if (res == NULL)
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	rc = imgsign_build_ex(o, key, payload, plen, out, out_len, res, err, errlen);
	if (rc == 0 && digest_out != NULL)
		memcpy(digest_out, res->digest, DFUKIT_IMAGE_HASH_SIZE);
	free(res);
	return rc;
}

int imgsign_build_ex(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload,
		     size_t plen, uint8_t **out, size_t *out_len, struct imgsign_result *res,
		     char *err, size_t errlen)
{
	struct imgsign_builder b = {
		.o = o,
		.key = key,
		.payload = payload,
		.plen = plen,
		.res = res,
		.err = err,
		.errlen = errlen,
	};

	*out = NULL;
	*out_len = 0;
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < sizeof(build_steps) / sizeof(build_steps[0]); i++) {
		int rc = build_steps[i](&b);

		if (rc != 0) {
			free(b.img);
			return rc;
		}
	}
	*out = b.img;
	*out_len = b.len;
	return 0;
}
