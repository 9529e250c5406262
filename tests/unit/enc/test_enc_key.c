/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the device key's encodings src/enc reads (enc_key.c), through
 * dfukit_enc_unwrap() on the key TLVs of imgtool-made images: RSA-2048 as
 * PKCS#8 and PKCS#1, P-256 as PKCS#8 and SEC1, each DER and PEM, all giving
 * the same AES key; a key of the other kind, a truncated DER, a PEM without
 * its NUL and a public key refused with -EINVAL.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dfukit/enc.h>
#include <dfukit/image.h>

#include "image/image_fixture.h"

struct file {
	uint8_t *data;
	size_t len;
};

/* A file of the encrypted fixtures; PEM text keeps its NUL, as dfukit_enc_key wants. */
static struct file load(const char *rel)
{
	char path[256];
	struct file f = {NULL, 0};

	snprintf(path, sizeof(path), "encrypted/%s", rel);
	f.data = fixture_load(path, &f.len);
	assert_non_null(f.data);
	f.len += strstr(rel, ".pem") != NULL ? 1u : 0u;
	return f;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The key TLV (type) of an image: its value and length. */
static const uint8_t *key_tlv(const struct file *img, uint16_t type, size_t *len)
{
	uint32_t hdr = le16(img->data + 8);
	uint32_t body = (uint32_t)img->data[12] | (uint32_t)img->data[13] << 8 |
			(uint32_t)img->data[14] << 16 | (uint32_t)img->data[15] << 24;
	size_t off = hdr + body;

	/* a protected TLV area first, when the image has one */
	if (le16(img->data + off) == 0x6908) {
		off += le16(img->data + off + 2);
	}
	assert_int_equal(le16(img->data + off), 0x6907);
	size_t end = off + le16(img->data + off + 2);
	for (off += 4; off + 4 <= end; off += 4u + le16(img->data + off + 2)) {
		if (le16(img->data + off) == type) {
			*len = le16(img->data + off + 2);
			return img->data + off + 4;
		}
	}
	fail_msg("no TLV 0x%x", type);
	return NULL;
}

static int unwrap(const struct file *key, uint16_t type, const uint8_t *tlv, size_t len,
		  uint8_t aes[16])
{
	struct dfukit_enc_key k = {key->data, key->len};

	return dfukit_enc_unwrap(&k, type, tlv, len, aes, 16, NULL);
}

/* Every encoding of the image's key opens it to the same AES key; the rest are refused. */
static void check_forms(const char *image, uint16_t type, const char *const forms[], size_t n,
			const char *other_kind)
{
	struct file img = load(image);
	uint8_t first[16], aes[16];
	size_t len = 0;
	const uint8_t *tlv = key_tlv(&img, type, &len);

	for (size_t i = 0; i < n; i++) {
		struct file key = load(forms[i]);

		memset(aes, 0, sizeof(aes));
		assert_int_equal(unwrap(&key, type, tlv, len, aes), 0);
		if (i == 0) {
			memcpy(first, aes, sizeof(aes));
		}
		assert_memory_equal(aes, first, sizeof(aes));
		/* one byte less: a truncated DER, or PEM text without its NUL: not a key */
		key.len -= 1;
		assert_int_equal(unwrap(&key, type, tlv, len, aes), -EINVAL);
		free(key.data);
	}
	struct file wrong = load(other_kind);
	assert_int_equal(unwrap(&wrong, type, tlv, len, aes), -EINVAL);
	free(wrong.data);
	free(img.data);
}

static void test_rsa_forms(void **state)
{
	static const char *const forms[] = {"keys/enc-rsa-2048.pem", "keys/enc-rsa-2048.der",
					    "keys/enc-rsa-2048.pkcs1.der",
					    "keys/enc-rsa-2048.pkcs1.pem"};

	(void)state;
	check_forms("rsa-2048-enc-rsa-aes128.bin", DFUKIT_IMAGE_TLV_ENC_RSA2048, forms, 4,
		    "keys/enc-ec256.der");
}

static void test_p256_forms(void **state)
{
	static const char *const forms[] = {"keys/enc-ec256.pem", "keys/enc-ec256.der",
					    "keys/enc-ec256.sec1.der", "keys/enc-ec256.sec1.pem"};

	(void)state;
	check_forms("ecdsa-p256-enc-ec256-aes128.bin", DFUKIT_IMAGE_TLV_ENC_EC256, forms, 4,
		    "keys/enc-rsa-2048.der");
}

/* A public key, and an X25519 key, do not open a P-256 TLV. */
static void test_not_private(void **state)
{
	struct file img = load("ecdsa-p256-enc-ec256-aes128.bin");
	struct file pub = load("keys/enc-ec256.pub.pem");
	struct file x = load("keys/enc-x25519.pem");
	uint8_t aes[16];
	size_t len = 0;
	const uint8_t *tlv = key_tlv(&img, DFUKIT_IMAGE_TLV_ENC_EC256, &len);

	(void)state;
	assert_int_equal(unwrap(&pub, DFUKIT_IMAGE_TLV_ENC_EC256, tlv, len, aes), -EINVAL);
	assert_int_equal(unwrap(&x, DFUKIT_IMAGE_TLV_ENC_EC256, tlv, len, aes), -EINVAL);
	free(x.data);
	free(pub.data);
	free(img.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_forms),
		cmocka_unit_test(test_p256_forms),
		cmocka_unit_test(test_not_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
