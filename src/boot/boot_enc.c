/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct boot_enc with the device's private key and mbedTLS (dfukit_enc), and
 * the validation of a slot that may hold an encrypted image
 * (dfukit/boot_enc.h).
 */
#include <dfukit/boot_enc.h>

#include <errno.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include <dfukit/boot_image.h>
#include <dfukit/wire.h>

#define ENC_FLAGS (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256)
#define TLV_MAX   256u /* the largest key TLV: RSA-OAEP-2048 */

static int read_slot(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	return flash_area_read(ctx, off, buf, len);
}

static bool is_key_tlv(uint16_t t)
{
	return t == DFUKIT_IMAGE_TLV_ENC_RSA2048 || t == DFUKIT_IMAGE_TLV_ENC_EC256 ||
	       t == DFUKIT_IMAGE_TLV_ENC_X25519 || t == DFUKIT_IMAGE_TLV_ENC_X25519_SHA512;
}

/* The image's first key TLV (any area, as MCUboot's boot_enc_load() finds it) into buf. */
static int find_key_tlv(const struct dfukit_image_src *src, const struct dfukit_image_header *hdr,
			uint8_t buf[TLV_MAX], struct dfukit_image_tlv *t)
{
	struct dfukit_image_tlv_iter it;
	int rc = dfukit_image_tlv_iter_begin(&it, src, hdr, DFUKIT_IMAGE_TLV_AREA_ALL);

	if (rc != 0) {
		return rc;
	}
	while ((rc = dfukit_image_tlv_iter_next(&it, t)) == 1) {
		if (is_key_tlv(t->type)) {
			return t->len <= TLV_MAX ? src->read(src->ctx, t->off, buf, t->len)
						 : -EBADMSG;
		}
	}
	return rc < 0 ? rc : -ENOENT;
}

/* The AES key of the encrypted image src holds, unwrapped with the device's key. */
static int src_load_key(const struct boot_enc_device *d, const struct dfukit_image_src *src,
			uint8_t *key)
{
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE];
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv t;
	uint8_t tlv[TLV_MAX];
	int rc = src->read(src->ctx, 0, raw, sizeof(raw));

	if (rc != 0) {
		return rc;
	}
	dfukit_image_header_decode(raw, &hdr);
	uint32_t flags = hdr.flags & ENC_FLAGS;
	uint32_t len = flags == DFUKIT_IMAGE_F_ENCRYPTED_AES256 ? 32u : 16u;

	/* one AES size for all images, as MCUboot's build-time choice */
	if (flags == 0u || flags == ENC_FLAGS || len != d->enc.key_size) {
		return -ENOTSUP;
	}
	rc = find_key_tlv(src, &hdr, tlv, &t);
	if (rc == 0) {
		rc = dfukit_enc_unwrap(&d->key, t.type, tlv, t.len, key, len, &d->rng);
	}
	return rc;
}

static int device_load_key(void *ctx, const struct flash_area *slot, uint8_t *key)
{
	struct dfukit_image_src src = {read_slot, (void *)(uintptr_t)slot, slot->size};

	return src_load_key(ctx, &src, key);
}

static int device_crypt(void *ctx, const uint8_t *key, uint32_t off, uint8_t *buf, uint32_t len)
{
	const struct boot_enc_device *d = ctx;

	return dfukit_enc_ctr(key, d->enc.key_size, off, buf, len);
}

void boot_enc_device_init(struct boot_enc_device *d, const struct dfukit_enc_key *key,
			  uint32_t key_size, const struct dfukit_enc_rng *rng)
{
	memset(d, 0, sizeof(*d));
	d->enc.key_size = key_size;
	d->enc.load_key = device_load_key;
	d->enc.crypt = device_crypt;
	d->enc.ctx = d;
	d->key = *key;
	if (rng != NULL) {
		d->rng = *rng;
	}
}

/* --- validation -------------------------------------------------------------------- */

struct slot_dec {
	const struct boot_enc *enc;
	uint8_t key[DFUKIT_ENC_AES_KEY_MAX];
};

static int slot_decrypt(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	const struct slot_dec *sd = ctx;

	return sd->enc->crypt(sd->enc->ctx, sd->key, off, buf, len);
}

struct src_dec {
	const struct boot_enc_device *d;
	uint8_t key[DFUKIT_ENC_AES_KEY_MAX];
};

static int src_decrypt(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	const struct src_dec *sd = ctx;

	return dfukit_enc_ctr(sd->key, sd->d->enc.key_size, off, buf, len);
}

int boot_enc_device_validate(const struct boot_enc_device *d, const struct dfukit_image_src *src,
			     const struct dfukit_image_key *keys, size_t nkeys,
			     struct dfukit_image_result *res)
{
	struct src_dec sd = {.d = d};
	struct dfukit_image_decryptor dec = {src_decrypt, &sd};
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE];

	if (src->read(src->ctx, 0, raw, sizeof(raw)) != 0 ||
	    (wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_FLAGS) & ENC_FLAGS) == 0u) {
		return dfukit_image_validate(src, keys, nkeys, res);
	}
	if (src_load_key(d, src, sd.key) != 0) {
		memset(res, 0, sizeof(*res));
		res->status = DFUKIT_IMAGE_E_ENC_KEY;
		res->key_index = -1;
		return -EACCES;
	}
	int rc = dfukit_image_validate_encrypted(src, &dec, keys, nkeys, res);

	mbedtls_platform_zeroize(sd.key, sizeof(sd.key));
	return rc;
}

/* The primary's body is plaintext, whatever its header's flag says. */
static int as_stored(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)buf;
	(void)len;
	return 0;
}

int boot_image_validate_enc(const struct flash_area *slot, bool at_rest, const struct boot_enc *enc,
			    const struct dfukit_image_key *keys, size_t nkeys,
			    struct boot_image_info *info, enum dfukit_image_status *status)
{
	struct slot_dec sd = {.enc = enc};
	struct dfukit_image_decryptor dec = {at_rest ? slot_decrypt : as_stored, &sd};
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE];
	int rc;

	if (enc == NULL || flash_area_read(slot, 0, raw, sizeof(raw)) != 0 ||
	    (wire_get_le32(raw + DFUKIT_IMAGE_HDR_OFF_FLAGS) & ENC_FLAGS) == 0u) {
		return boot_image_validate(slot, keys, nkeys, info, status);
	}
	if (at_rest && enc->load_key(enc->ctx, slot, sd.key) != 0) {
		memset(info, 0, sizeof(*info));
		if (status != NULL) {
			*status = DFUKIT_IMAGE_E_ENC_KEY;
		}
		return -EACCES;
	}
	rc = boot_image_validate_dec(slot, &dec, keys, nkeys, info, status);
	mbedtls_platform_zeroize(sd.key, sizeof(sd.key));
	return rc;
}
