/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our signer (tools/image, the code behind "dfukit-image sign") against the
 * imgtool vectors: same payload, key and options must give the same layout,
 * byte for byte except the (randomized) signature bytes -- and, for ECDSA,
 * the lengths that depend on the DER signature length (70..72).  The SHA-256
 * TLV must be identical, and our validator must accept what we produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"
#include "imgkey.h"

struct sign_case {
	const char *vector;  /* images/<vector> */
	const char *key;     /* keys/<key>.pem, NULL = hash only */
	const char *payload; /* payloads/<payload> */
	bool pad_header, pad, confirm, pubkey_full, seccnt_auto;
	uint32_t align;
};

static const struct sign_case cases[] = {
	{"ecdsa-p256-z70000.bin", "ecdsa-p256", "zpayload-70000.bin", false, false, false, false,
	 false, 4},
	{"rsa-2048-z70000.bin", "rsa-2048", "zpayload-70000.bin", false, false, false, false, false,
	 4},
	{"ecdsa-p256-1000-padhdr.bin", "ecdsa-p256", "payload-1000.bin", true, false, false, false,
	 false, 4},
	{"rsa-2048-1000-padhdr.bin", "rsa-2048", "payload-1000.bin", true, false, false, false,
	 false, 4},
	{"ecdsa-p256-z70000-pad.bin", "ecdsa-p256", "zpayload-70000.bin", false, true, false, false,
	 false, 4},
	{"ecdsa-p256-z70000-pad-confirm.bin", "ecdsa-p256", "zpayload-70000.bin", false, true, true,
	 false, false, 4},
	{"rsa-2048-z70000-pad-confirm.bin", "rsa-2048", "zpayload-70000.bin", false, true, true,
	 false, false, 4},
	{"ecdsa-p256-z70000-align16-pad-confirm.bin", "ecdsa-p256", "zpayload-70000.bin", false,
	 true, true, false, false, 16},
	{"ecdsa-p256-z70000-pubkey-full.bin", "ecdsa-p256", "zpayload-70000.bin", false, false,
	 false, true, false, 4},
	{"ecdsa-p256-z70000-seccnt.bin", "ecdsa-p256", "zpayload-70000.bin", false, false, false,
	 false, true, 4},
	{"unsigned-z70000.bin", NULL, "zpayload-70000.bin", false, false, false, false, false, 4},
	{"unsigned-1000-padhdr.bin", NULL, "payload-1000.bin", true, false, false, false, false, 4},
};

static bool is_sig(uint16_t t)
{
	return t == DFUKIT_IMAGE_TLV_RSA2048_PSS || t == DFUKIT_IMAGE_TLV_ECDSA_SIG;
}

/* Compare our image a with imgtool's b, ignoring signature bytes. */
static void compare_layout(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct mem_src ma, mb;
	const struct dfukit_image_src *sa = mem_src_init(&ma, a, alen),
				      *sb = mem_src_init(&mb, b, blen);
	struct dfukit_image_header ha, hb;
	struct dfukit_image_tlv_iter ia, ib;
	struct dfukit_image_tlv ta, tb;
	int ra, rb;

	assert_int_equal(dfukit_image_read_header(sa, &ha, NULL), 0);
	assert_int_equal(dfukit_image_read_header(sb, &hb, NULL), 0);
	assert_int_equal(dfukit_image_tlv_iter_begin(&ia, sa, &ha, DFUKIT_IMAGE_TLV_AREA_ALL), 0);
	assert_int_equal(dfukit_image_tlv_iter_begin(&ib, sb, &hb, DFUKIT_IMAGE_TLV_AREA_ALL), 0);
	/* header + padding + payload + protected TLVs: identical */
	assert_int_equal(ia.unprot_off, ib.unprot_off);
	assert_memory_equal(a, b, ia.unprot_off);
	assert_int_equal(get_le16(a + ia.unprot_off), get_le16(b + ib.unprot_off));
	/* unprotected TLVs: same sequence; equal values except signatures */
	for (;;) {
		ra = dfukit_image_tlv_iter_next(&ia, &ta);
		rb = dfukit_image_tlv_iter_next(&ib, &tb);
		assert_int_equal(ra, rb);
		if (ra != 1)
			break;
		assert_int_equal(ta.type, tb.type);
		assert_int_equal(ta.off - ia.unprot_off,
				 tb.off - ib.unprot_off); /* signature is last */
		if (ta.type == DFUKIT_IMAGE_TLV_ECDSA_SIG) {
			assert_in_range(ta.len, 70, 72);
			assert_in_range(tb.len, 70, 72);
		} else {
			assert_int_equal(ta.len, tb.len);
		}
		if (!is_sig(ta.type))
			assert_memory_equal(a + ta.off, b + tb.off, ta.len);
	}
	assert_int_equal(ra, 0);
	/* the unprotected total differs exactly by the signature length difference */
	assert_int_equal((long)ia.end - (long)ib.end,
			 (long)get_le16(a + ia.unprot_off + 2) -
				 (long)get_le16(b + ib.unprot_off + 2));
	/* trailer / padding: same file size, same bytes after both images */
	if (blen == ib.end) {
		assert_int_equal(alen, ia.end);
	} else {
		size_t from = ia.end > ib.end ? ia.end : ib.end;

		assert_int_equal(alen, blen);
		assert_memory_equal(a + from, b + from, alen - from);
		for (size_t i = ia.end; i < from; i++)
			assert_int_equal(a[i], 0xff);
		for (size_t i = ib.end; i < from; i++)
			assert_int_equal(b[i], 0xff);
	}
}

static void test_sign_case(void **state)
{
	const struct sign_case *c = *state;
	struct imgsign_opts o;
	struct imgkey key;
	char rel[256], path[1024], err[256];
	uint8_t *payload, *vec, *out = NULL, digest[32];
	size_t plen = 0, vlen = 0, olen = 0;
	struct dfukit_image_key table = {DFUKIT_IMAGE_KEY_RSA2048, NULL, 0};
	struct dfukit_image_result res;
	struct mem_src ms;
	int rc;

	snprintf(rel, sizeof(rel), "payloads/%s", c->payload);
	payload = fixture_load(rel, &plen);
	assert_non_null(payload);
	snprintf(rel, sizeof(rel), "images/%s", c->vector);
	vec = fixture_load(rel, &vlen);
	assert_non_null(vec);

	imgsign_opts_init(&o);
	o.header_size = 0x200;
	o.slot_size = 0x60000;
	o.align = c->align;
	assert_int_equal(imgsign_parse_version("1.2.3+4", &o.version), 0);
	o.pad_header = c->pad_header;
	o.pad = c->pad;
	o.confirm = c->confirm;
	o.pubkey_full = c->pubkey_full;
	o.has_security_counter = c->seccnt_auto;
	o.security_counter_auto = c->seccnt_auto;

	imgkey_init(&key);
	if (c->key != NULL) {
		snprintf(rel, sizeof(rel), "keys/%s.pem", c->key);
		fixture_path(path, sizeof(path), rel);
		rc = imgkey_load_file(&key, path, err, sizeof(err));
		if (rc != 0)
			fail_msg("%s", err);
	}
	rc = imgsign_build(&o, c->key ? &key : NULL, payload, plen, &out, &olen, digest, err,
			   sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);

	if (c->key == NULL) {
		assert_int_equal(olen, vlen);
		assert_memory_equal(out, vec, vlen); /* no signature: byte identical */
	}
	compare_layout(out, olen, vec, vlen);

	/* our validator accepts it, with the key */
	if (c->key != NULL) {
		assert_int_equal(imgkey_to_table(&key, &table), 0);
	}
	rc = dfukit_image_validate(mem_src_init(&ms, out, olen), &table, c->key ? 1 : 0, &res);
	if (rc != 0)
		fail_msg("%s", dfukit_image_strerror(res.status));
	assert_memory_equal(res.hash, digest, 32);
	if (c->key != NULL)
		assert_int_equal(res.key_index, 0);

	free(out);
	free(vec);
	free(payload);
	imgkey_free(&key);
}

/* imgtool's refusals, reproduced by the signer. */
static void test_sign_refusals(void **state)
{
	struct imgsign_opts o;
	uint8_t payload[0x300], *out = (uint8_t *)1;
	size_t olen = 1;
	char err[256];
	struct dfukit_image_version v;
	(void)state;

	memset(payload, 0, sizeof(payload));
	imgsign_opts_init(&o);
	o.header_size = 0x200;
	o.slot_size = 0x10000;

	payload[0x10] = 1; /* non-zero hole without --pad-header */
	assert_int_not_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL,
					   err, sizeof(err)),
			     0);
	assert_string_equal(err,
			    "Header padding was not requested and image does not start with zeros");
	assert_null(out);
	o.pad_header = true;
	assert_int_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL, err,
				       sizeof(err)),
			 0);
	assert_int_equal(olen, 0x200 + sizeof(payload) + 40);
	free(out);

	/* align 1: trailer = 128*3*1 + 4*8 + 16 = 432 */
	o.slot_size = 0x200 + sizeof(payload) + 40 + 432 - 1;
	assert_int_not_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL,
					   err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "exceeds requested size"));
	o.slot_size++;
	assert_int_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL, err,
				       sizeof(err)),
			 0);
	free(out);

	o.header_size = 16;
	assert_int_not_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL,
					   err, sizeof(err)),
			     0);
	o.header_size = 0x200;
	o.align = 3;
	assert_int_not_equal(imgsign_build(&o, NULL, payload, sizeof(payload), &out, &olen, NULL,
					   err, sizeof(err)),
			     0);

	assert_int_equal(imgsign_parse_version("1.2.3+4", &v), 0);
	assert_int_equal(imgsign_parse_version("255.255.65535+4294967295", &v), 0);
	assert_int_equal(v.build_num, 4294967295u);
	assert_int_equal(imgsign_parse_version("1", &v), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(imgsign_parse_version("1.2", &v), 0);
	assert_int_not_equal(imgsign_parse_version("256.0.0", &v), 0);
	assert_int_not_equal(imgsign_parse_version("1.2.3.4", &v), 0);
	assert_int_not_equal(imgsign_parse_version("1.2+3", &v), 0);
	assert_int_not_equal(imgsign_parse_version("", &v), 0);
	assert_int_not_equal(imgsign_parse_version("a.b", &v), 0);
	assert_int_not_equal(imgsign_parse_version("1.2.3+99999999999", &v), 0);
}

/* Keys: imgtool's PEM files load, their raw public keys match getpub -e raw. */
static void test_keys(void **state)
{
	static const char *const names[] = {"rsa-2048", "ecdsa-p256", "ed25519"};
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		struct imgkey k, kp;
		char rel[256], path[1024], err[256];
		uint8_t *der;
		size_t n = 0;

		imgkey_init(&k);
		imgkey_init(&kp);
		snprintf(rel, sizeof(rel), "keys/%s.pem", names[i]);
		fixture_path(path, sizeof(path), rel);
		assert_int_equal(imgkey_load_file(&k, path, err, sizeof(err)), 0);
		assert_true(k.has_private);
		snprintf(rel, sizeof(rel), "keys/%s.pub.pem", names[i]);
		fixture_path(path, sizeof(path), rel);
		assert_int_equal(imgkey_load_file(&kp, path, err, sizeof(err)), 0);
		assert_false(kp.has_private);
		assert_true(kp.has_public);
		snprintf(rel, sizeof(rel), "keys/%s.pub.der", names[i]);
		der = fixture_load(rel, &n);
		assert_non_null(der);
		assert_int_equal(kp.pub_len, n);
		assert_memory_equal(kp.pub, der, n);
		/* the public key of a private one, Ed25519's derived by libsodium */
		assert_true(k.has_public);
		assert_int_equal(k.pub_len, n);
		assert_memory_equal(k.pub, der, n);
		free(der);
		imgkey_free(&k);
		imgkey_free(&kp);
	}
	{
		struct imgkey k;
		char err[256];
		static const uint8_t junk[] =
			"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

		imgkey_init(&k);
		assert_int_not_equal(imgkey_load_mem(&k, junk, sizeof(junk) - 1, err, sizeof(err)),
				     0);
		assert_null(strchr(err, '\n'));
		imgkey_free(&k);
	}
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 2];
	size_t n = sizeof(cases) / sizeof(cases[0]);

	memset(tests, 0, sizeof(tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].vector;
		tests[i].test_func = test_sign_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n].name = "sign_refusals";
	tests[n].test_func = test_sign_refusals;
	tests[n + 1].name = "keys";
	tests[n + 1].test_func = test_keys;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
