/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every imgtool-generated vector in tests/fixtures/mcuboot/images is verified
 * (or refused) exactly as the imgtool "verify" output stored next to it says.
 * The images are read through a FILE* callback (as from a file) and through a
 * RAM buffer.
 *
 * Ed25519 signatures are checked when the build verifies them
 * (DFUKIT_SIGNATURES has ed25519: DFUKIT_TEST_ED25519). A build without them
 * refuses a good Ed25519 image with DFUKIT_IMAGE_E_UNSUPPORTED_SIG when its
 * key is in the table (its hash still verifies without keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "image_fixture.h"

struct vector {
	const char *image;  /* images/<image> */
	const char *key;    /* keys/<key>.pub.der, NULL = verify without key */
	const char *expect; /* images/<expect>: imgtool verify output */
};

static const struct vector vectors[] = {
	{"ecdsa-p256-1000-padhdr.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-align16-pad-confirm.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-badmagic.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-pad-confirm.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-pad.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-pubkey-full.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-seccnt.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000-tampered.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000.bin", "ecdsa-p256", NULL},
	{"ecdsa-p256-z70000.bin", "rsa-2048", "ecdsa-p256-z70000.wrongkey-rsa.verify.txt"},
	{"ed25519-1000-padhdr.bin", "ed25519", NULL},
	{"ed25519-z70000-tampered.bin", "ed25519", NULL},
	{"ed25519-z70000.bin", "ed25519", NULL},
	{"rsa-2048-1000-padhdr.bin", "rsa-2048", NULL},
	{"rsa-2048-z70000-pad-confirm.bin", "rsa-2048", NULL},
	{"rsa-2048-z70000-tampered.bin", "rsa-2048", NULL},
	{"rsa-2048-z70000.bin", "rsa-2048", NULL},
	{"unsigned-1000-padhdr.bin", NULL, NULL},
	{"unsigned-z70000-tampered.bin", NULL, NULL},
	{"unsigned-z70000.bin", NULL, NULL},
};

/* What imgtool printed: first line, digest (if any) and exit status. */
struct expectation {
	char line1[128];
	char version[64];
	char digest[80];
	int exit_code;
};

static void load_expectation(const struct vector *v, struct expectation *e)
{
	char rel[256], *txt, *save = NULL, *line;
	size_t len = 0;

	memset(e, 0, sizeof(*e));
	e->exit_code = -1;
	snprintf(rel, sizeof(rel), "images/%s%s", v->expect ? v->expect : v->image,
		 v->expect ? "" : ".verify.txt");
	txt = (char *)fixture_load(rel, &len);
	assert_non_null(txt);
	for (line = strtok_r(txt, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "exit=", 5) == 0)
			e->exit_code = atoi(line + 5);
		else if (strncmp(line, "Image version: ", 15) == 0)
			snprintf(e->version, sizeof(e->version), "%s", line + 15);
		else if (strncmp(line, "Image digest: ", 14) == 0)
			snprintf(e->digest, sizeof(e->digest), "%s", line + 14);
		if (e->line1[0] == 0)
			snprintf(e->line1, sizeof(e->line1), "%s", line);
	}
	free(txt);
	assert_true(e->exit_code == 0 || e->exit_code == 1);
}

static enum dfukit_image_key_type key_type(const char *name)
{
	if (strcmp(name, "rsa-2048") == 0)
		return DFUKIT_IMAGE_KEY_RSA2048;
	if (strcmp(name, "ecdsa-p256") == 0)
		return DFUKIT_IMAGE_KEY_ECDSA_P256;
	return DFUKIT_IMAGE_KEY_ED25519;
}

/* imgtool reports any signature failure as "No signature found for the given key". */
static const char *imgtool_message(enum dfukit_image_status st)
{
	if (st == DFUKIT_IMAGE_E_BAD_SIGNATURE)
		st = DFUKIT_IMAGE_E_NO_SIGNATURE;
	return dfukit_image_strerror(st);
}

struct file_ctx {
	FILE *f;
};

static int file_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	struct file_ctx *fc = ctx;

	if (fseek(fc->f, (long)off, SEEK_SET) != 0 || fread(buf, 1, len, fc->f) != len)
		return -5;
	return 0;
}

static void hexstr(const uint8_t *h, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

static void check_result(const struct expectation *e, const struct dfukit_image_result *res, int rc)
{
	char digest[80], version[64];

	if (e->exit_code == 0) {
		assert_int_equal(rc, 0);
		assert_int_equal(res->status, DFUKIT_IMAGE_OK);
		assert_string_equal(e->line1, dfukit_image_strerror(DFUKIT_IMAGE_OK));
		hexstr(res->hash, res->hash_len, digest);
		assert_string_equal(digest, e->digest);
		snprintf(version, sizeof(version), "%u.%u.%u+%u", res->hdr.version.major,
			 res->hdr.version.minor, res->hdr.version.revision,
			 (unsigned)res->hdr.version.build_num);
		assert_string_equal(version, e->version);
	} else {
		assert_true(rc < 0);
		assert_int_equal(rc, dfukit_image_status_errno(res->status));
		assert_string_equal(imgtool_message(res->status), e->line1);
	}
}

static void test_vector(void **state)
{
	const struct vector *v = *state;
	struct expectation e;
	struct dfukit_image_key key;
	struct dfukit_image_result res;
	struct mem_src ms;
	struct file_ctx fc;
	struct dfukit_image_src fsrc;
	char rel[256], path[1024];
	uint8_t *img, *der = NULL;
	size_t img_len = 0, der_len = 0;
	size_t nkeys = 0;
	bool ed25519 = v->key != NULL && strcmp(v->key, "ed25519") == 0;
	int rc;

	load_expectation(v, &e);
	snprintf(rel, sizeof(rel), "images/%s", v->image);
	img = fixture_load(rel, &img_len);
	assert_non_null(img);
	if (v->key != NULL) {
		snprintf(rel, sizeof(rel), "keys/%s.pub.der", v->key);
		der = fixture_load(rel, &der_len);
		assert_non_null(der);
		key.type = key_type(v->key);
		key.der = der;
		key.len = (uint32_t)der_len;
		nkeys = 1;
	}

	/* From a file, with the key (if any), as "imgtool verify -k". */
	snprintf(rel, sizeof(rel), "images/%s", v->image);
	fixture_path(path, sizeof(path), rel);
	fc.f = fopen(path, "rb");
	assert_non_null(fc.f);
	fsrc.read = file_read;
	fsrc.ctx = &fc;
	fsrc.slot_size = (uint32_t)img_len;
	rc = dfukit_image_validate(&fsrc, nkeys ? &key : NULL, nkeys, &res);
	fclose(fc.f);
#if defined(DFUKIT_TEST_ED25519)
	ed25519 = false; /* verified like the others */
#endif
	if (ed25519 && e.exit_code == 0) {
		/* A build that does not verify Ed25519 says so. */
		assert_int_equal(res.status, DFUKIT_IMAGE_E_UNSUPPORTED_SIG);
		assert_int_equal(rc, dfukit_image_status_errno(DFUKIT_IMAGE_E_UNSUPPORTED_SIG));
		assert_true(res.hash_ok);
	} else {
		check_result(&e, &res, rc);
		if (e.exit_code == 0 && nkeys) {
			assert_int_equal(res.key_index, 0);
			assert_int_equal(res.sig_type, key.type == DFUKIT_IMAGE_KEY_RSA2048
							       ? DFUKIT_IMAGE_TLV_RSA2048_PSS
						       : key.type == DFUKIT_IMAGE_KEY_ECDSA_P256
							       ? DFUKIT_IMAGE_TLV_ECDSA_SIG
							       : DFUKIT_IMAGE_TLV_ED25519);
		}
	}

	/* From RAM without keys: structure and hash only, like "imgtool verify" without -k. */
	rc = dfukit_image_validate(mem_src_init(&ms, img, img_len), NULL, 0, &res);
	if (e.exit_code == 0 || strcmp(e.line1, "No signature found for the given key") == 0) {
		struct expectation ok = e;

		if (ok.exit_code != 0) {
			/* wrong key case: the image itself is fine */
			ok.exit_code = 0;
			snprintf(ok.line1, sizeof(ok.line1), "%s",
				 dfukit_image_strerror(DFUKIT_IMAGE_OK));
			snprintf(ok.version, sizeof(ok.version), "1.2.3+4");
			hexstr(res.hash, res.hash_len, ok.digest);
		}
		check_result(&ok, &res, rc);
		if (img_len == 0x60000) /* padded to the slot: trailer follows the image */
			assert_true(res.image_end < img_len);
		else
			assert_int_equal(res.image_end, img_len);
	} else {
		check_result(&e, &res, rc);
	}
	free(img);
	free(der);
}

/* All three public keys in one table: the KEYHASH/PUBKEY TLV picks the right one. */
static void test_key_table(void **state)
{
	static const char *const names[3] = {"ed25519", "rsa-2048", "ecdsa-p256"};
	static const char *const images[] = {"rsa-2048-z70000.bin", "ecdsa-p256-z70000.bin",
					     "ecdsa-p256-z70000-pubkey-full.bin",
					     "ed25519-z70000.bin", "unsigned-z70000.bin"};
#if defined(DFUKIT_TEST_ED25519)
	static const int expect_idx[] = {1, 2, 2, 0, -1};
	static const enum dfukit_image_status ed_st = DFUKIT_IMAGE_OK;
#else
	static const int expect_idx[] = {1, 2, 2, -1, -1};
	static const enum dfukit_image_status ed_st = DFUKIT_IMAGE_E_UNSUPPORTED_SIG;
#endif
	const enum dfukit_image_status expect_st[] = {DFUKIT_IMAGE_OK, DFUKIT_IMAGE_OK,
						      DFUKIT_IMAGE_OK, ed_st,
						      DFUKIT_IMAGE_E_NO_SIGNATURE};
	struct dfukit_image_key keys[3];
	uint8_t *der[3];
	char rel[256];
	(void)state;

	for (int i = 0; i < 3; i++) {
		size_t n = 0;

		snprintf(rel, sizeof(rel), "keys/%s.pub.der", names[i]);
		der[i] = fixture_load(rel, &n);
		assert_non_null(der[i]);
		keys[i].type = key_type(names[i]);
		keys[i].der = der[i];
		keys[i].len = (uint32_t)n;
	}
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		struct dfukit_image_result res;
		struct mem_src ms;
		uint8_t *img;
		size_t len = 0;

		snprintf(rel, sizeof(rel), "images/%s", images[i]);
		img = fixture_load(rel, &len);
		assert_non_null(img);
		dfukit_image_validate(mem_src_init(&ms, img, len), keys, 3, &res);
		assert_int_equal(res.status, expect_st[i]);
		assert_int_equal(res.key_index, expect_idx[i]);
		free(img);
	}
	/* KEYHASH TLV values equal dfukit_image_key_hash() of the keys (getpubhash). */
	for (int i = 0; i < 3; i++) {
		uint8_t h[32], *want;
		size_t n = 0;

		snprintf(rel, sizeof(rel), "keys/%s.pubhash.bin", names[i]);
		want = fixture_load(rel, &n);
		assert_non_null(want);
		assert_int_equal(n, 32);
		assert_int_equal(dfukit_image_key_hash(&keys[i], h), 0);
		assert_memory_equal(h, want, 32);
		free(want);
		free(der[i]);
	}
}

int main(void)
{
	struct CMUnitTest tests[sizeof(vectors) / sizeof(vectors[0]) + 1];
	size_t n = sizeof(vectors) / sizeof(vectors[0]);

	memset(tests, 0, sizeof(tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = vectors[i].expect ? vectors[i].expect : vectors[i].image;
		tests[i].test_func = test_vector;
		tests[i].initial_state = (void *)&vectors[i];
	}
	tests[n].name = "key_table";
	tests[n].test_func = test_key_table;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
