/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: MCUboot image header / TLV parser and validator
 * (src/image, dfukit_image_validate) on a RAM buffer, with the fixture keys
 * of tests/fixtures/mcuboot/keys.
 *
 * Input: [mode][pad] then the image bytes.
 *   mode bit 0     recompute the SHA-256 TLV(s) before validating, so that
 *                  mutated images get past the hash check into the key
 *                  selection and signature code
 *   mode bits 1-2  key table (see key_tables); table 3 holds a broken key
 *   mode bit 3     validate without keys (structure + hash only)
 *   mode bit 4     validate in place (dfukit_image_validate_mapped): the only
 *                  way a pure signature (SIG_PURE 0x25, imgtool --pure: SHA512
 *                  TLV, SHA-512 KEYHASH, Ed25519 over the image) is verified
 *   pad            0xff bytes appended: slot_size = image length + pad
 *
 * Oracle (abort() on violation), besides ASan/UBSan/LeakSanitizer (mbedTLS
 * allocations must all be freed):
 *   - an image accepted with keys was signed by a fixture key: its hash is
 *     the hash of one of the committed vector images that validate (the
 *     fuzzer cannot forge a signature, so anything else is a false accept);
 *   - accepted images have hash_ok, a header that passed the checks, and an
 *     extent inside the slot;
 *   - the TLV iterator only returns entries inside the slot and terminates;
 *   - every return value is 0 or the errno of the reported status;
 *   - a pure image is never accepted with keys through a streamed source
 *     (its signature needs the image in one piece: -ENOTSUP);
 *   - an image with an ENCRYPTED_AES128/256 flag is never accepted: the image
 *     layer cannot decrypt, so accepting one would boot ciphertext (seeds:
 *     imgtool's encrypted images, every key TLV 0x30..0x34).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include "dfukit/image.h"

#ifndef DFUKIT_FUZZ_FIXTURES
#error "DFUKIT_FUZZ_FIXTURES must name tests/fixtures"
#endif

#include "fuzz_check.h"

#define MAX_KNOWN 64

static uint8_t rsa_der[512], ec_der[128], ed_der[64];
static uint32_t rsa_len, ec_len, ed_len;
static struct dfukit_image_key tables[4][3];
static size_t table_len[4];
static uint8_t known[MAX_KNOWN][DFUKIT_IMAGE_SHA512_SIZE]; /* SHA-256, or a pure image's SHA-512 */
static unsigned nknown;

static uint32_t load(const char *rel, uint8_t *out, uint32_t cap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/mcuboot/%s", DFUKIT_FUZZ_FIXTURES, rel);
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	size_t n = fread(out, 1, cap, f);
	fclose(f);
	CHECK(n > 0 && n < cap);
	return (uint32_t)n;
}

static int validate(uint8_t *img, uint32_t len, const struct dfukit_image_key *keys, size_t nkeys,
		    bool mapped, struct dfukit_image_result *res)
{
	struct dfukit_image_membuf mb = {img, len};
	struct dfukit_image_src src = {dfukit_image_membuf_read, &mb, len};
	if (mapped) {
		return dfukit_image_validate_mapped(img, len, keys, nkeys, res);
	}
	return dfukit_image_validate(&src, keys, nkeys, res);
}

/* Hashes of the committed vectors in DIR (imgtool's --pure ones: options) that validate. */
static void learn_known(const char *sub, const char *prefix)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/mcuboot/%s", DFUKIT_FUZZ_FIXTURES, sub);
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".bin") != 0 ||
		    strncmp(e->d_name, prefix, strlen(prefix)) != 0) {
			continue;
		}
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		CHECK(f != NULL);
		CHECK(fseek(f, 0, SEEK_END) == 0);
		long sz = ftell(f);
		CHECK(sz > 0 && fseek(f, 0, SEEK_SET) == 0);
		uint8_t *img = malloc((size_t)sz);
		CHECK(img != NULL && fread(img, 1, (size_t)sz, f) == (size_t)sz);
		fclose(f);
		struct dfukit_image_result res;
		if (validate(img, (uint32_t)sz, tables[0], table_len[0], true, &res) == 0) {
			CHECK(nknown < MAX_KNOWN);
			memcpy(known[nknown++], res.hash, res.hash_len);
		}
		free(img);
	}
	closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rsa_len = load("keys/rsa-2048.pub.der", rsa_der, sizeof(rsa_der));
	ec_len = load("keys/ecdsa-p256.pub.der", ec_der, sizeof(ec_der));
	ed_len = load("keys/ed25519.pub.der", ed_der, sizeof(ed_der));
	const struct dfukit_image_key rsa = {DFUKIT_IMAGE_KEY_RSA2048, rsa_der, rsa_len};
	const struct dfukit_image_key ec = {DFUKIT_IMAGE_KEY_ECDSA_P256, ec_der, ec_len};
	const struct dfukit_image_key ed = {DFUKIT_IMAGE_KEY_ED25519, ed_der, ed_len};
	/* the ECDSA key cut short: parses as garbage when an image selects it */
	const struct dfukit_image_key bad = {DFUKIT_IMAGE_KEY_ECDSA_P256, ec_der, ec_len - 9};
	tables[0][0] = rsa, tables[0][1] = ec, tables[0][2] = ed, table_len[0] = 3;
	tables[1][0] = ec, table_len[1] = 1;
	tables[2][0] = ed, tables[2][1] = rsa, table_len[2] = 2;
	tables[3][0] = rsa, tables[3][1] = bad, table_len[3] = 2;
	learn_known("images", "");
	CHECK(nknown >= 3); /* rsa, ecdsa and the padded variants at least */
	unsigned plain = nknown;
	learn_known("options", "ed25519-pure");
	CHECK(nknown > plain); /* imgtool's pure images */
	return 0;
}

/* Rewrite every 32-byte SHA256 and 64-byte SHA512 TLV with the hash of the hashed region. */
static void fix_hash(uint8_t *img, uint32_t len)
{
	struct dfukit_image_membuf mb = {img, len};
	struct dfukit_image_src src = {dfukit_image_membuf_read, &mb, len};
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;
	uint8_t h[32], h512[64];

	if (dfukit_image_read_header(&src, &hdr, NULL) != 0 ||
	    dfukit_image_tlv_iter_begin(&it, &src, &hdr, DFUKIT_IMAGE_TLV_AREA_UNPROTECTED) != 0) {
		return;
	}
	CHECK(it.unprot_off <= len);
	CHECK(mbedtls_sha256_ret(img, it.unprot_off, h, 0) == 0);
	CHECK(mbedtls_sha512_ret(img, it.unprot_off, h512, 0) == 0);
	while (dfukit_image_tlv_iter_next(&it, &tlv) > 0) {
		if (tlv.type == DFUKIT_IMAGE_TLV_SHA256 && tlv.len == 32) {
			memcpy(img + tlv.off, h, 32);
		}
		if (tlv.type == DFUKIT_IMAGE_TLV_SHA512 && tlv.len == 64) {
			memcpy(img + tlv.off, h512, 64);
		}
	}
}

/* Walk one area: entries stay inside the slot and the walk ends. */
static void walk(uint8_t *img, uint32_t len, enum dfukit_image_tlv_area area)
{
	struct dfukit_image_membuf mb = {img, len};
	struct dfukit_image_src src = {dfukit_image_membuf_read, &mb, len};
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;
	enum dfukit_image_status st = DFUKIT_IMAGE_OK;
	int rc = dfukit_image_read_header(&src, &hdr, &st);

	CHECK(rc == dfukit_image_status_errno(st));
	if (rc != 0) {
		return;
	}
	CHECK(hdr.hdr_size >= DFUKIT_IMAGE_HEADER_SIZE && hdr.magic == DFUKIT_IMAGE_MAGIC);
	if (dfukit_image_tlv_iter_begin(&it, &src, &hdr, area) != 0) {
		return;
	}
	CHECK(dfukit_image_tlv_iter_image_end(&it) <= len);
	uint32_t steps = 0;
	while ((rc = dfukit_image_tlv_iter_next(&it, &tlv)) > 0) {
		CHECK((uint64_t)tlv.off + tlv.len <= len);
		CHECK(tlv.off >= (uint32_t)hdr.hdr_size + hdr.img_size + 8u);
		CHECK(area != DFUKIT_IMAGE_TLV_AREA_PROTECTED || tlv.protected_area);
		CHECK(area != DFUKIT_IMAGE_TLV_AREA_UNPROTECTED || !tlv.protected_area);
		CHECK(++steps <= len / 4u);
	}
	CHECK(rc == 0 || rc == dfukit_image_status_errno(it.status));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > (1u << 20)) {
		return 0;
	}
	uint8_t mode = data[0];
	uint32_t pad = data[1];
	uint32_t len = (uint32_t)(size - 2) + pad;
	/* exact-size heap copy: ASan sees any read past the slot */
	uint8_t *img = malloc(len ? len : 1);
	CHECK(img != NULL);
	memcpy(img, data + 2, size - 2);
	memset(img + size - 2, 0xff, pad);

	if (mode & 1u) {
		fix_hash(img, len);
	}
	walk(img, len, DFUKIT_IMAGE_TLV_AREA_ALL);
	walk(img, len, DFUKIT_IMAGE_TLV_AREA_PROTECTED);
	walk(img, len, DFUKIT_IMAGE_TLV_AREA_UNPROTECTED);

	unsigned t = (mode >> 1) & 3u;
	size_t nkeys = (mode & 8u) ? 0 : table_len[t];
	bool mapped = (mode & 0x10u) != 0;
	struct dfukit_image_result res;
	int rc = validate(img, len, tables[t], nkeys, mapped, &res);

	CHECK(rc == dfukit_image_status_errno(res.status));
	CHECK((unsigned)res.status < (unsigned)DFUKIT_IMAGE_STATUS_COUNT);
	CHECK(dfukit_image_strerror(res.status) != NULL);
	if (rc == 0) {
		CHECK((res.hdr.flags &
		       (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256)) == 0);
		CHECK(res.hash_ok && res.hash_computed);
		CHECK(res.hash_len ==
		      (res.pure ? DFUKIT_IMAGE_SHA512_SIZE : DFUKIT_IMAGE_HASH_SIZE));
		CHECK(mapped || !res.pure || nkeys == 0);
		CHECK(res.image_end > res.hdr.hdr_size && res.image_end <= len);
		if (nkeys > 0) {
			CHECK(res.key_index >= 0 && (size_t)res.key_index < nkeys);
			CHECK(res.sig_type == DFUKIT_IMAGE_TLV_RSA2048_PSS ||
			      res.sig_type == DFUKIT_IMAGE_TLV_ECDSA_SIG ||
			      res.sig_type == DFUKIT_IMAGE_TLV_ED25519);
			bool ok = false;
			for (unsigned i = 0; i < nknown && !ok; i++) {
				ok = memcmp(known[i], res.hash, res.hash_len) == 0;
			}
			CHECK(ok); /* a signature verified over a hash no fixture key signed */
		}
	}
	free(img);
	return 0;
}
