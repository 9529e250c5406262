/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imgtool --pure images (SIG_PURE 0x25: the ED25519 TLV signs header + payload
 * + protected TLVs themselves; the hash TLV is SHA512, KEYHASH the key's
 * SHA-512) verify through dfukit_image_validate_mapped(), with the same
 * evidence (fih.h) as a digest signature; a streamed source is refused with
 * -ENOTSUP; a changed byte anywhere in the signed bytes is refused, even with
 * the SHA512 TLV made to match; a key of another type finds no signature.
 * Built when DFUKIT_SIGNATURES has ed25519.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sodium/crypto_hash_sha512.h>

#include "dfukit/fih.h"
#include "image_fixture.h"

struct fixture {
	uint8_t *img, *der;
	size_t len, der_len;
	struct dfukit_image_key key;
};

static void load(struct fixture *f, const char *image, const char *pubkey)
{
	enum dfukit_image_key_type t =
		strstr(pubkey, "ecdsa") ? DFUKIT_IMAGE_KEY_ECDSA_P256 : DFUKIT_IMAGE_KEY_ED25519;

	f->img = fixture_load(image, &f->len);
	f->der = fixture_load(pubkey, &f->der_len);
	assert_non_null(f->img);
	assert_non_null(f->der);
	f->key = (struct dfukit_image_key){t, f->der, (uint32_t)f->der_len};
}

static void unload(struct fixture *f)
{
	free(f->img);
	free(f->der);
}

static enum dfukit_image_status validate(const struct fixture *f, struct dfukit_image_result *res)
{
	dfukit_image_validate_mapped(f->img, (uint32_t)f->len, &f->key, 1, res);
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

static const char *const pure_images[] = {
	"options/ed25519-pure.bin",        "options/ed25519-pure-full.bin",
	"options/ed25519-pure-seccnt.bin", "options/ed25519-pure-signed.bin",
	"options/ed25519-pure-z70000.bin", "options/ed25519-pure-z70000-pad-confirm.bin",
};
#define N_PURE (sizeof(pure_images) / sizeof(pure_images[0]))

static void test_imgtool_pure_images_verify(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_PURE; i++) {
		struct fixture f;
		struct dfukit_image_result res;
		uint16_t n = 0;

		load(&f, pure_images[i], "keys/ed25519.pub.der");
		print_message("%s\n", pure_images[i]);
		assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_OK);
		assert_true(res.pure);
		assert_int_equal(res.hash_len, 64);
		assert_memory_equal(res.hash, f.img + tlv_value(&f, DFUKIT_IMAGE_TLV_SHA512, &n),
				    64);
		assert_int_equal(res.sig_type, DFUKIT_IMAGE_TLV_ED25519);
		assert_int_equal(res.key_index, 0);
		/* both hash comparisons and both verifications left their tokens */
		assert_int_equal(res.verdict, FIH_SUCCESS);
		unload(&f);
	}
}

/* What the image is read through matters: in pieces, the signed bytes cannot be checked. */
static void test_streamed_source_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	struct mem_src m;
	(void)state;

	load(&f, "options/ed25519-pure.bin", "keys/ed25519.pub.der");
	const struct dfukit_image_src *src = mem_src_init(&m, f.img, f.len);
	assert_int_equal(dfukit_image_validate(src, &f.key, 1, &res), -ENOTSUP);
	assert_int_equal(res.status, DFUKIT_IMAGE_E_PURE_UNMAPPED);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	/* without keys only the SHA512 TLV is checked, which needs no mapping */
	assert_int_equal(dfukit_image_validate(src, NULL, 0, &res), 0);
	assert_true(res.hash_ok);
	unload(&f);
}

/* The SHA512 TLV made to match the changed bytes: only the signature can tell. */
static void rehash(struct fixture *f)
{
	uint16_t n = 0;
	uint32_t at = tlv_value(f, DFUKIT_IMAGE_TLV_SHA512, &n);
	struct dfukit_image_header hdr;

	assert_int_equal(n, 64);
	dfukit_image_header_decode(f->img, &hdr);
	crypto_hash_sha512(f->img + at, f->img,
			   (unsigned long long)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size);
}

static void test_changed_byte_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	(void)state;

	load(&f, "options/ed25519-pure-seccnt.bin", "keys/ed25519.pub.der");
	struct dfukit_image_header hdr;
	dfukit_image_header_decode(f.img, &hdr);
	/* a body byte, the version in the header, the SEC_CNT value (protected) */
	const uint32_t where[] = {hdr.hdr_size + 0x100, DFUKIT_IMAGE_HDR_OFF_VER_MINOR,
				  hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size - 1};
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		f.img[where[i]] ^= 0x01;
		assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_E_BAD_HASH);
		assert_int_not_equal(res.verdict, FIH_SUCCESS);
		rehash(&f);
		assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_E_BAD_SIGNATURE);
		assert_true(res.hash_ok);
		assert_int_not_equal(res.verdict, FIH_SUCCESS);
		f.img[where[i]] ^= 0x01;
		rehash(&f);
		assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_OK);
	}
	unload(&f);
}

/* SIG_PURE is one byte, 1 (MCUboot's check): anything else is refused, not read as digest mode. */
static void test_sig_pure_value_checked(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	uint16_t n = 0;
	(void)state;

	load(&f, "options/ed25519-pure.bin", "keys/ed25519.pub.der");
	uint32_t at = tlv_value(&f, DFUKIT_IMAGE_TLV_SIG_PURE, &n);
	assert_int_equal(n, 1);
	assert_int_equal(f.img[at], 1);
	f.img[at] = 0;
	assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_E_TLV_LEN);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	/* without SIG_PURE (made an unknown TLV) the signature is one over a digest: wrong */
	f.img[at - 4] = 0x7f;
	f.img[at] = 1;
	assert_int_not_equal(validate(&f, &res), 0);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	unload(&f);
}

/* A digest-type key (ECDSA-P256): its KEYHASH is not the image's; no signature, no verdict. */
static void test_digest_type_key_refused(void **state)
{
	struct fixture f;
	struct dfukit_image_result res;
	(void)state;

	load(&f, "options/ed25519-pure.bin", "keys/ecdsa-p256.pub.der");
	assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_E_NO_SIGNATURE);
	assert_int_not_equal(res.verdict, FIH_SUCCESS);
	unload(&f);
	/* and a digest-signed Ed25519 image is not taken for a pure one */
	load(&f, "options/ed25519-plain.bin", "keys/ed25519.pub.der");
	assert_int_equal(validate(&f, &res), DFUKIT_IMAGE_OK);
	assert_false(res.pure);
	assert_int_equal(res.hash_len, 32);
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_pure_images_verify),
		cmocka_unit_test(test_streamed_source_refused),
		cmocka_unit_test(test_changed_byte_refused),
		cmocka_unit_test(test_sig_pure_value_checked),
		cmocka_unit_test(test_digest_type_key_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
