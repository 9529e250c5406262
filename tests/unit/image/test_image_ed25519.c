/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ed25519 images (TLV 0x24, a signature of the SHA-256 digest) made by the
 * real imgtool verify with libsodium (src/image/crypto_ed25519.c), and every
 * way of breaking one is refused: the image, the signature, the key. Built
 * when DFUKIT_SIGNATURES has ed25519. --pure images: test_image_pure.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dfukit/fih.h"
#include "image_fixture.h"

struct fixture {
	uint8_t *img, *der;
	size_t len, der_len;
	struct dfukit_image_key key;
};

static void load(struct fixture *f, const char *image)
{
	f->img = fixture_load(image, &f->len);
	f->der = fixture_load("keys/ed25519.pub.der", &f->der_len);
	assert_non_null(f->img);
	assert_non_null(f->der);
	f->key = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_ED25519, f->der, (uint32_t)f->der_len};
}

static void unload(struct fixture *f)
{
	free(f->img);
	free(f->der);
}

static enum dfukit_image_status validate(const struct fixture *f, const struct dfukit_image_key *k,
					 size_t len, struct dfukit_image_result *res)
{
	struct mem_src m;

	dfukit_image_validate(mem_src_init(&m, f->img, len), k, 1, res);
	return res->status;
}

/* Slot offset of the value of the first TLV of type (0 if none). */
static uint32_t tlv_value(const struct fixture *f, uint16_t type, uint16_t *len)
{
	struct mem_src m;
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;
	const struct dfukit_image_src *src = mem_src_init(&m, f->img, f->len);

	assert_int_equal(dfukit_image_read_header(src, &hdr, NULL), 0);
	assert_int_equal(dfukit_image_tlv_iter_begin(&it, src, &hdr, DFUKIT_IMAGE_TLV_AREA_ALL), 0);
	while (dfukit_image_tlv_iter_next(&it, &tlv) > 0) {
		if (tlv.type == type) {
			*len = tlv.len;
			return tlv.off;
		}
	}
	return 0;
}

static void test_imgtool_images_verify(void **state)
{
	static const char *const images[] = {
		"images/ed25519-z70000.bin",       "images/ed25519-1000-padhdr.bin",
		"options/ed25519-plain.bin",       "options/ed25519-pad-confirm.bin",
		"options/ed25519-pubkey-full.bin", "options/ed25519-signed.bin",
		"options/ed25519-fix-sig.bin",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		struct fixture f;
		struct dfukit_image_result res;

		load(&f, images[i]);
		print_message("%s\n", images[i]);
		assert_int_equal(validate(&f, &f.key, f.len, &res), DFUKIT_IMAGE_OK);
		assert_int_equal(res.sig_type, DFUKIT_IMAGE_TLV_ED25519);
		assert_int_equal(res.key_index, 0);
		/* both verifications left their tokens (fih.h) */
		assert_int_equal(res.verdict, FIH_SUCCESS);
		unload(&f);
	}
}

static void test_tampered_image_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	(void)state;

	load(&f, "images/ed25519-z70000-tampered.bin");
	assert_int_equal(validate(&f, &f.key, f.len, &res), DFUKIT_IMAGE_E_BAD_HASH);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	unload(&f);
}

static void test_bad_signature_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	uint16_t n = 0;
	(void)state;

	load(&f, "options/ed25519-plain.bin");
	uint32_t sig = tlv_value(&f, DFUKIT_IMAGE_TLV_ED25519, &n);
	assert_int_equal(n, 64);
	assert_int_equal(sig + 64, f.len);         /* the last TLV */
	for (uint32_t at = 0; at < 64; at += 21) { /* in R and in S */
		f.img[sig + at] ^= 0x01;
		assert_int_equal(validate(&f, &f.key, f.len, &res), DFUKIT_IMAGE_E_BAD_SIGNATURE);
		assert_true(res.hash_ok);
		assert_int_not_equal(res.verdict, FIH_SUCCESS);
		f.img[sig + at] ^= 0x01;
	}
	/* a 63-byte signature TLV (the TLV area one byte shorter) */
	uint32_t info = tlv_value(&f, DFUKIT_IMAGE_TLV_SHA256, &n) - 8;
	put_le16(f.img + sig - 2, 63);
	put_le16(f.img + info + 2, get_le16(f.img + info + 2) - 1);
	assert_int_equal(validate(&f, &f.key, f.len - 1, &res), DFUKIT_IMAGE_E_BAD_SIGNATURE);
	unload(&f);
}

static void test_wrong_key_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	uint16_t n = 0;
	(void)state;

	load(&f, "options/ed25519-plain.bin");
	/* another Ed25519 key: the image's KEYHASH does not name it */
	f.der[f.der_len - 1] ^= 0x01;
	assert_int_equal(validate(&f, &f.key, f.len, &res), DFUKIT_IMAGE_E_NO_SIGNATURE);
	/* ... and named by a forged KEYHASH (unprotected): its check fails */
	uint32_t kh = tlv_value(&f, DFUKIT_IMAGE_TLV_KEYHASH, &n);
	assert_int_equal(n, 32);
	assert_int_equal(dfukit_image_key_hash(&f.key, f.img + kh), 0);
	assert_int_equal(validate(&f, &f.key, f.len, &res), DFUKIT_IMAGE_E_BAD_SIGNATURE);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	/* a table entry of type Ed25519 that is no Ed25519 key */
	uint8_t *ec = NULL;
	size_t ec_len = 0;
	ec = fixture_load("keys/ecdsa-p256.pub.der", &ec_len);
	assert_non_null(ec);
	const struct dfukit_image_key bad = {DFUKIT_IMAGE_KEY_ED25519, ec, (uint32_t)ec_len};
	assert_int_equal(dfukit_image_key_hash(&bad, f.img + kh), 0);
	assert_int_equal(validate(&f, &bad, f.len, &res), DFUKIT_IMAGE_E_BAD_KEY);
	free(ec);
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_images_verify),
		cmocka_unit_test(test_tampered_image_refused),
		cmocka_unit_test(test_bad_signature_refused),
		cmocka_unit_test(test_wrong_key_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
