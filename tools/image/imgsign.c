/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image signing with the same layout as imgtool 2.4 "sign" (raw binary in,
 * raw binary out): header, [padding], payload, [protected TLVs], unprotected
 * TLVs (SHA256, KEYHASH|PUBKEY, signature), optional trailer padding.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "imgkey.h"

static const uint8_t boot_magic8[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
					0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
static const uint8_t boot_magic_tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
					    0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};

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
	uint32_t magic = align_up(16, ma);

	if (o->overwrite_only)
		return ma * 2 + magic;
	return o->max_sectors * 3 * o->align + ma * 4 + magic;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static bool is_pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

int imgsign_build(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload, size_t plen,
		  uint8_t **out, size_t *out_len, uint8_t digest_out[32], char *err, size_t errlen)
{
	uint8_t sig[600], digest[32], tlvs[4 + 36 + 4 + IMGKEY_PUB_MAX + 4 + sizeof(sig)];
	uint8_t prot[12];
	size_t sig_len = 0, body_len, prot_len = 0, tlv_len, total, file_len;
	uint32_t ma, trailer;
	uint8_t *img;
	mbedtls_sha256_context sha;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (o->header_size < DFUKIT_IMAGE_HEADER_SIZE)
		return img_errf(err, errlen, -EINVAL, "Minimum value for -H/--header-size is %u",
			    DFUKIT_IMAGE_HEADER_SIZE);
	if (o->header_size > 0xffff)
		return img_errf(err, errlen, -EINVAL, "-H/--header-size 0x%x does not fit in 16 bits", o->header_size);
	if (!is_pow2_in(o->align, 1, 32))
		return img_errf(err, errlen, -EINVAL, "Invalid alignment: %u", o->align);
	if (o->max_align != 0 && !is_pow2_in(o->max_align, 8, 32))
		return img_errf(err, errlen, -EINVAL, "Invalid max alignment: %u", o->max_align);
	ma = effective_max_align(o);
	if (o->align > ma)
		return img_errf(err, errlen, -EINVAL, "--max-align (%u) must not be smaller than --align (%u)", ma,
			    o->align);
	if (o->max_sectors == 0 || o->max_sectors > 0x10000)
		return img_errf(err, errlen, -EINVAL, "invalid -M/--max-sectors");
	if (key != NULL && key->type == IMGKEY_ED25519)
		return img_errf(err, errlen, -ENOTSUP, "Ed25519 signing is not supported (mbedTLS 2.28 has no Ed25519)");
	if (key != NULL && !key->has_private)
		return img_errf(err, errlen, -EINVAL, "signing needs a private key");

	/* Body = header area + payload. */
	if (o->pad_header) {
		if (plen > 0xffffffffu - o->header_size)
			return img_errf(err, errlen, -EFBIG, "image too large");
		body_len = o->header_size + plen;
	} else {
		if (plen < o->header_size)
			return img_errf(err, errlen, -EINVAL,
				    "Image (%zu bytes) is smaller than the header size 0x%x and --pad-header "
				    "was not given",
				    plen, o->header_size);
		for (size_t i = 0; i < o->header_size; i++)
			if (payload[i] != 0)
				return img_errf(err, errlen, -EINVAL,
					    "Header padding was not requested and image does not start with zeros");
		body_len = plen;
	}
	if (body_len - o->header_size > 0xffffffffu)
		return img_errf(err, errlen, -EFBIG, "image too large");

	if (o->has_security_counter) {
		uint32_t sc = o->security_counter;

		if (o->security_counter_auto)
			sc = ((uint32_t)o->version.major << 24) | ((uint32_t)o->version.minor << 16) |
			     o->version.revision;
		put16(prot, DFUKIT_IMAGE_TLV_PROT_INFO_MAGIC);
		put16(prot + 2, sizeof(prot));
		put16(prot + 4, DFUKIT_IMAGE_TLV_SEC_CNT);
		put16(prot + 6, 4);
		put32(prot + 8, sc);
		prot_len = sizeof(prot);
	}

	/* Generous allocation: body + protected + TLVs (+ trailer padding later). */
	tlv_len = sizeof(tlvs);
	total = body_len + prot_len + tlv_len;
	img = calloc(1, total);
	if (img == NULL)
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	if (o->pad_header) {
		memset(img, o->erased_val, o->header_size);
		memcpy(img + o->header_size, payload, plen);
	} else {
		memcpy(img, payload, plen);
	}
	put32(img + 0, DFUKIT_IMAGE_MAGIC);
	put32(img + 4, o->load_addr);
	put16(img + 8, o->header_size);
	put16(img + 10, (uint32_t)prot_len);
	put32(img + 12, (uint32_t)(body_len - o->header_size));
	put32(img + 16, o->load_addr != 0 ? DFUKIT_IMAGE_F_RAM_LOAD : 0);
	img[20] = o->version.major;
	img[21] = o->version.minor;
	put16(img + 22, o->version.revision);
	put32(img + 24, o->version.build_num);
	put32(img + 28, 0);
	memcpy(img + body_len, prot, prot_len);

	mbedtls_sha256_init(&sha);
	rc = mbedtls_sha256_starts_ret(&sha, 0);
	if (rc == 0)
		rc = mbedtls_sha256_update_ret(&sha, img, body_len + prot_len);
	if (rc == 0)
		rc = mbedtls_sha256_finish_ret(&sha, digest);
	mbedtls_sha256_free(&sha);
	if (rc != 0) {
		free(img);
		return img_errf(err, errlen, -EIO, "SHA-256 failed");
	}
	if (digest_out != NULL)
		memcpy(digest_out, digest, 32);

	/* Unprotected TLVs. */
	tlv_len = 4;
	put16(tlvs + tlv_len, DFUKIT_IMAGE_TLV_SHA256);
	put16(tlvs + tlv_len + 2, 32);
	memcpy(tlvs + tlv_len + 4, digest, 32);
	tlv_len += 36;
	if (key != NULL) {
		if (o->pubkey_full) {
			put16(tlvs + tlv_len, DFUKIT_IMAGE_TLV_PUBKEY);
			put16(tlvs + tlv_len + 2, (uint32_t)key->pub_len);
			memcpy(tlvs + tlv_len + 4, key->pub, key->pub_len);
			tlv_len += 4 + key->pub_len;
		} else {
			put16(tlvs + tlv_len, DFUKIT_IMAGE_TLV_KEYHASH);
			put16(tlvs + tlv_len + 2, 32);
			if (mbedtls_sha256_ret(key->pub, key->pub_len, tlvs + tlv_len + 4, 0) != 0) {
				free(img);
				return img_errf(err, errlen, -EIO, "SHA-256 failed");
			}
			tlv_len += 36;
		}
		rc = imgkey_sign_digest(key, digest, sig, &sig_len, err, errlen);
		if (rc != 0 || sig_len > sizeof(sig)) {
			free(img);
			return rc != 0 ? rc : -EIO;
		}
		put16(tlvs + tlv_len, imgkey_sig_tlv(key));
		put16(tlvs + tlv_len + 2, (uint32_t)sig_len);
		memcpy(tlvs + tlv_len + 4, sig, sig_len);
		tlv_len += 4 + sig_len;
	}
	put16(tlvs, DFUKIT_IMAGE_TLV_INFO_MAGIC);
	put16(tlvs + 2, (uint32_t)tlv_len);
	memcpy(img + body_len + prot_len, tlvs, tlv_len);
	total = body_len + prot_len + tlv_len;
	if (total > 0xffffffffu) {
		free(img);
		return img_errf(err, errlen, -EFBIG, "image too large");
	}

	trailer = imgsign_trailer_size(o);
	if (o->slot_size > 0 && (uint64_t)total + trailer > o->slot_size) {
		free(img);
		return img_errf(err, errlen, -EFBIG, "Image size (0x%zx) + trailer (0x%x) exceeds requested size 0x%x",
			    total, trailer, o->slot_size);
	}
	file_len = total;
	if (o->pad || o->confirm) {
		uint8_t *big;

		if (o->slot_size == 0) {
			free(img);
			return img_errf(err, errlen, -EINVAL, "--pad/--confirm need -S/--slot-size");
		}
		big = realloc(img, o->slot_size);
		if (big == NULL) {
			free(img);
			return img_errf(err, errlen, -ENOMEM, "out of memory");
		}
		img = big;
		file_len = o->slot_size;
		memset(img + total, o->erased_val, file_len - total);
		if (ma == 8) {
			memcpy(img + file_len - 16, boot_magic8, 16);
		} else {
			put16(img + file_len - 16, ma);
			memcpy(img + file_len - 14, boot_magic_tail, sizeof(boot_magic_tail));
		}
		if (o->confirm && !o->overwrite_only)
			img[file_len - (align_up(16, ma) + ma)] = 0x01;
	}
	*out = img;
	*out_len = file_len;
	return 0;
}
