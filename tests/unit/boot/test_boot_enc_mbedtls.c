/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the encrypted swap with the device's key and mbedTLS
 * (dfukit/boot_enc.h) on images the real imgtool encrypted
 * (tests/fixtures/mcuboot/encrypted): decrypted into the primary, the old
 * image re-encrypted, the update restored byte for byte by the revert; a
 * tampered update and one wrapped for another key refused before anything
 * moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dfukit/boot_enc.h>
#include <dfukit/boot_image.h>

#include "rig.h"

#define ENC_DIR "/mcuboot/encrypted/"

static uint8_t *load(const char *rel, size_t *len, bool nul)
{
	char path[512];
	const char *dir = getenv("DFUKIT_FIXTURES");

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s%s", dir, rel);
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);

	assert_true(n > 0);
	rewind(f);
	uint8_t *p = malloc((size_t)n + 1u);

	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	p[n] = 0;
	*len = (size_t)n + (nul ? 1u : 0u);
	return p;
}

struct dev {
	struct rig r;
	struct boot_enc_device enc;
	struct dfukit_enc_key key;
	uint8_t *pem;
	uint8_t *sign_der;
	struct dfukit_image_key trusted;
};

/* boot_validate_fn: the secondary decrypted as it is read, the primary as stored. */
static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	struct dev *d = ctx;

	enum dfukit_image_status st = DFUKIT_IMAGE_OK;
	int rc = boot_image_validate_enc(slot, slot == &d->r.sec, &d->enc.enc, &d->trusted, 1, out,
					 &st);

	if (d->r.echo) {
		printf("    validate %s: %d %s\n", slot == &d->r.sec ? "secondary" : "primary", rc,
		       dfukit_image_strerror(st));
	}
	return rc;
}

static void dev_init(struct dev *d, const struct board_profile *bp)
{
	size_t n;

	assert_int_equal(rig_init(&d->r, bp), 0);
	d->pem = load(ENC_DIR "keys/enc-ec256.pem", &n, true);
	d->key = (struct dfukit_enc_key){d->pem, n};
	boot_enc_device_init(&d->enc, &d->key, 16, NULL);
	d->sign_der = load("/mcuboot/keys/ecdsa-p256.pub.der", &n, false);
	d->trusted =
		(struct dfukit_image_key){DFUKIT_IMAGE_KEY_ECDSA_P256, d->sign_der, (uint32_t)n};
	d->r.cfg.enc = &d->enc.enc;
	d->r.cfg.validate = validate;
	d->r.cfg.validate_ctx = d;
}

static void dev_free(struct dev *d)
{
	free(d->pem);
	free(d->sign_der);
	rig_free(&d->r);
}

/* Program a fixture at the start of fa (its sectors erased first). */
static uint8_t *put(const struct flash_area *fa, const char *name, size_t *len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), ENC_DIR "%s", name);
	uint8_t *img = load(rel, len, false);
	uint32_t n = ((uint32_t)*len + 15u) / 16u * 16u;
	uint8_t *pad = malloc(n);

	assert_non_null(pad);
	memset(pad, 0xff, n);
	memcpy(pad, img, *len);
	assert_int_equal(flash_area_erase(fa, 0, 0x14000), 0);
	assert_int_equal(flash_area_write(fa, 0, pad, n), 0);
	free(pad);
	return img;
}

static bool same(const struct flash_area *fa, uint32_t off, const uint8_t *want, size_t len)
{
	uint8_t *now = malloc(len);

	assert_non_null(now);
	assert_int_equal(flash_area_read(fa, off, now, (uint32_t)len), 0);
	bool eq = memcmp(now, want, len) == 0;

	free(now);
	return eq;
}

static void swap_revert(const struct board_profile *bp)
{
	struct dev d;
	struct boot_result res;
	struct boot_image_info info;
	size_t upd_len, old_len, pay_len;

	dev_init(&d, bp);
	d.r.echo = getenv("V") != NULL;
	/* the running image: imgtool --clear (flag and key TLV, body in clear) */
	uint8_t *old = put(&d.r.pri, "ecdsa-p256-enc-ec256-clear.bin", &old_len);
	uint8_t *upd = put(&d.r.sec, "ecdsa-p256-enc-ec256-aes128.bin", &upd_len);
	/* imgtool's input: 0x200 zero bytes where the header goes, then the body */
	uint8_t *zpay = load("/mcuboot/payloads/zpayload-70000.bin", &pay_len, false);
	uint32_t hdr = 0x200, body = 70000, tlv = hdr + body;
	const uint8_t *pay = zpay + hdr;

	assert_int_equal(pay_len, hdr + body);
	pay_len = body;

	assert_false(same(&d.r.sec, hdr, pay, pay_len));
	assert_int_equal(boot_request_upgrade(&d.r.sec, false), 0);
	assert_int_equal(rig_boot(&d.r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_TEST);
	/* the update in the primary: its header and TLVs, its body decrypted */
	assert_true(same(&d.r.pri, 0, upd, hdr));
	assert_true(same(&d.r.pri, hdr, pay, pay_len));
	assert_true(same(&d.r.pri, tlv, upd + tlv, upd_len - tlv));
	/* the old image in the secondary, encrypted with its own key, and valid so */
	assert_false(same(&d.r.sec, hdr, pay, pay_len));
	assert_true(same(&d.r.sec, tlv, old + tlv, old_len - tlv));
	assert_int_equal(
		boot_image_validate_enc(&d.r.sec, true, &d.enc.enc, &d.trusted, 1, &info, NULL), 0);
	/* the revert: the update back as downloaded, the old image as it ran */
	assert_int_equal(rig_boot(&d.r, &res), 0);
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_REVERT);
	assert_true(same(&d.r.sec, 0, upd, upd_len));
	assert_true(same(&d.r.pri, 0, old, old_len));
	free(old);
	free(upd);
	free(zpay);
	dev_free(&d);
}

static void test_swap_revert_reel(void **state)
{
	(void)state;
	swap_revert(&board_reel_board);
}

static void test_swap_revert_u575(void **state)
{
	(void)state;
	swap_revert(&board_nucleo_u575zi_q);
}

/* Refused before anything moves: the primary is the same, the secondary erased. */
static void refused(const char *update, uint32_t flip, enum dfukit_image_status why)
{
	struct dev d;
	struct boot_result res;
	struct boot_image_info info;
	enum dfukit_image_status st = DFUKIT_IMAGE_OK;
	size_t old_len, upd_len;

	dev_init(&d, &board_reel_board);
	uint8_t *old = put(&d.r.pri, "ecdsa-p256-enc-ec256-clear.bin", &old_len);
	uint8_t *upd = put(&d.r.sec, update, &upd_len);

	if (flip != 0u) {
		d.r.mem[d.r.sec.off + flip] ^= 0x10u;
	}
	/* the reason, as the DFU sample reports it */
	assert_true(boot_image_validate_enc(&d.r.sec, true, &d.enc.enc, &d.trusted, 1, &info, &st) <
		    0);
	assert_int_equal(st, why);
	assert_int_equal(boot_request_upgrade(&d.r.sec, false), 0);
	assert_int_equal(rig_boot(&d.r, &res), 0);
	assert_true(rig_log_has(&d.r, "E: Image in the secondary slot is not valid!"));
	assert_int_equal(res.swap_type, BOOT_SWAP_TYPE_NONE);
	assert_true(same(&d.r.pri, 0, old, old_len));
	assert_int_equal(d.r.mem[d.r.sec.off], 0xff);
	free(old);
	free(upd);
	dev_free(&d);
}

static void test_tampered_refused(void **state)
{
	(void)state;
	refused("ecdsa-p256-enc-ec256-aes128.bin", 0x200u + 5000u, /* a ciphertext byte */
		DFUKIT_IMAGE_E_BAD_HASH);
}

static void test_other_key_refused(void **state)
{
	(void)state;
	/* wrapped for an RSA key; AES-256, not this build's size */
	refused("rsa-2048-enc-rsa-aes128.bin", 0, DFUKIT_IMAGE_E_ENC_KEY);
	refused("ecdsa-p256-enc-ec256-aes256.bin", 0, DFUKIT_IMAGE_E_ENC_KEY);
}

/*
 * Every key wrap imgtool makes, both AES sizes, validated in the secondary the
 * way the bootloader validates it (the device's key, no random generator for
 * blinding, as on the virtual board).
 */
static void test_each_wrap(void **state)
{
	(void)state;
	static const struct {
		const char *image, *enc_key, *sign_key;
		enum dfukit_image_key_type type;
		uint32_t key_size;
	} cases[] = {
		{"rsa-2048-enc-rsa-aes128.bin", "enc-rsa-2048.pem", "rsa-2048",
		 DFUKIT_IMAGE_KEY_RSA2048, 16},
		{"rsa-2048-enc-rsa-aes256.bin", "enc-rsa-2048.pem", "rsa-2048",
		 DFUKIT_IMAGE_KEY_RSA2048, 32},
		{"ecdsa-p256-enc-ec256-aes256.bin", "enc-ec256.pem", "ecdsa-p256",
		 DFUKIT_IMAGE_KEY_ECDSA_P256, 32},
		{"ed25519-enc-x25519-aes128.bin", "enc-x25519.pem", "ed25519",
		 DFUKIT_IMAGE_KEY_ED25519, 16},
		{"ed25519-enc-x25519-aes256.bin", "enc-x25519.pem", "ed25519",
		 DFUKIT_IMAGE_KEY_ED25519, 32},
		{"unsigned-enc-x25519-sha512-aes128.bin", "enc-x25519.pem", NULL, 0, 16},
		{"unsigned-enc-x25519-sha512-aes256.bin", "enc-x25519.pem", NULL, 0, 32},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dev d;
		struct boot_image_info info;
		char rel[128];
		size_t n, len;

		dev_init(&d, &board_reel_board);
		free(d.pem);
		snprintf(rel, sizeof(rel), ENC_DIR "keys/%s", cases[i].enc_key);
		d.pem = load(rel, &n, true);
		d.key = (struct dfukit_enc_key){d.pem, n};
		boot_enc_device_init(&d.enc, &d.key, cases[i].key_size, NULL);
		size_t nkeys = 0;

		if (cases[i].sign_key != NULL) {
			free(d.sign_der);
			snprintf(rel, sizeof(rel), "/mcuboot/keys/%s.pub.der", cases[i].sign_key);
			d.sign_der = load(rel, &n, false);
			d.trusted =
				(struct dfukit_image_key){cases[i].type, d.sign_der, (uint32_t)n};
			nkeys = 1;
		}
		free(put(&d.r.sec, cases[i].image, &len));
		enum dfukit_image_status st = DFUKIT_IMAGE_E_ARG;
		int rc = boot_image_validate_enc(&d.r.sec, true, &d.enc.enc, &d.trusted, nkeys,
						 &info, &st);

		if (rc != 0) {
			fail_msg("%s: %d %s", cases[i].image, rc, dfukit_image_strerror(st));
		}
		/* not as stored: the body is ciphertext */
		assert_int_not_equal(boot_image_validate_enc(&d.r.sec, false, &d.enc.enc,
							     &d.trusted, nkeys, &info, &st),
				     0);
		dev_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_revert_reel), cmocka_unit_test(test_swap_revert_u575),
		cmocka_unit_test(test_tampered_refused), cmocka_unit_test(test_other_key_refused),
		cmocka_unit_test(test_each_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
