/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security counter of a validated image (dfukit_image_result,
 * TLV 0x50): imgtool's -s auto image reports 1.2.3 as 0x01020003; an image
 * without one reports none; a counter TLV added to the unprotected area
 * (which the hash and signature do not cover) is ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"

struct img {
	uint8_t *data;
	size_t len;
};

static struct img load(const char *name)
{
	char rel[256];
	struct img im;
	uint8_t *raw;

	snprintf(rel, sizeof(rel), "images/%s", name);
	raw = fixture_load(rel, &im.len);
	assert_non_null(raw);
	im.data = calloc(1, im.len + 16);
	assert_non_null(im.data);
	memcpy(im.data, raw, im.len);
	free(raw);
	return im;
}

static struct dfukit_image_result validate(const struct img *im)
{
	char rel[] = "keys/ecdsa-p256.pub.der";
	size_t n = 0;
	uint8_t *der = fixture_load(rel, &n);
	struct dfukit_image_key key = {DFUKIT_IMAGE_KEY_ECDSA_P256, der, (uint32_t)n};
	struct dfukit_image_result res;
	struct mem_src ms;

	assert_non_null(der);
	int rc = dfukit_image_validate(mem_src_init(&ms, im->data, im->len), &key, 1, &res);
	if (rc != 0)
		fail_msg("%s", dfukit_image_strerror(res.status));
	free(der);
	return res;
}

/* Append TLV 0x50 = value to the unprotected area (not hashed, not signed). */
static void add_unprotected_counter(struct img *im, uint32_t value)
{
	uint32_t hdr = get_le16(im->data + 8);
	uint32_t prot = get_le16(im->data + 10);
	uint32_t body = (uint32_t)get_le16(im->data + 12) | (uint32_t)get_le16(im->data + 14) << 16;
	uint8_t *info = im->data + hdr + body + prot;
	unsigned tot = get_le16(info + 2);

	assert_int_equal(get_le16(info), DFUKIT_IMAGE_TLV_INFO_MAGIC);
	assert_int_equal(hdr + body + prot + tot, im->len);
	put_le16(info + tot, DFUKIT_IMAGE_TLV_SEC_CNT);
	put_le16(info + tot + 2, 4);
	put_le32(info + tot + 4, value);
	put_le16(info + 2, tot + 8);
	im->len += 8;
}

static void test_protected_counter(void **state)
{
	struct img im = load("ecdsa-p256-z70000-seccnt.bin");
	(void)state;

	struct dfukit_image_result res = validate(&im);

	assert_true(res.has_security_counter);
	assert_int_equal(res.security_counter, 0x01020003u); /* -s auto of 1.2.3+4 */
	free(im.data);
}

static void test_no_counter(void **state)
{
	struct img im = load("ecdsa-p256-z70000.bin");
	(void)state;

	struct dfukit_image_result res = validate(&im);

	assert_false(res.has_security_counter);
	free(im.data);
}

static void test_unprotected_counter_ignored(void **state)
{
	struct img a = load("ecdsa-p256-z70000.bin");
	struct img b = load("ecdsa-p256-z70000-seccnt.bin");
	(void)state;

	add_unprotected_counter(&a, 0xffffffffu);
	add_unprotected_counter(&b, 0xffffffffu);
	struct dfukit_image_result ra = validate(&a);
	struct dfukit_image_result rb = validate(&b);

	assert_false(ra.has_security_counter);
	assert_true(rb.has_security_counter);
	assert_int_equal(rb.security_counter, 0x01020003u);
	free(a.data);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protected_counter),
		cmocka_unit_test(test_no_counter),
		cmocka_unit_test(test_unprotected_counter_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
