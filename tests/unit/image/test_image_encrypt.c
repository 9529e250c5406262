/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images (tools/image: encrypt.c, enc_wrap.c, enc_image.c): every
 * key wrap (RSA-OAEP 0x30, ECIES-P256 0x32, ECIES-X25519 0x33 / 0x34) with
 * AES-128 and AES-256, both ways -- imgtool-made images (fixtures under
 * mcuboot/encrypted/) opened by dfukit, dfukit-made images opened again --
 * imgtool's key-family rules, --clear, and what a wrong or damaged input gives.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/fih.h"
#include "enc_image.h"
#include "image_fixture.h"

#define ENC_DIR "encrypted/"

/* A key from the fixtures (encrypted/keys/ or keys/). */
static void load_key(struct imgkey *k, const char *rel)
{
	char path[1024], err[256];

	fixture_path(path, sizeof(path), rel);
	imgkey_init(k);
	assert_int_equal(imgkey_load_file(k, path, err, sizeof(err)), 0);
}

/* The plaintext body imgtool encrypts: the payload after the header hole, zero padded to 16. */
static uint8_t *expected_body(const char *payload, bool pad_header, size_t *len)
{
	size_t plen = 0, skip = pad_header ? 0 : 0x200;
	uint8_t *p = fixture_load(payload, &plen);
	size_t n = plen + (16 - plen % 16) % 16 - skip;
	uint8_t *body = calloc(1, n);

	assert_non_null(p);
	assert_non_null(body);
	memcpy(body, p + skip, plen - skip);
	free(p);
	*len = n;
	return body;
}

struct vector {
	const char *image;   /* encrypted/<image> */
	const char *enc_key; /* encrypted/keys/<enc_key>.pem: the device's private key */
	const char
		*sig_key; /* keys/<sig_key>.pem, NULL: hash only (or Ed25519, checked elsewhere) */
	uint16_t tlv;
	uint32_t flag;
	bool pad_header;
};

static const struct vector vectors[] = {
	{"rsa-2048-enc-rsa-aes128.bin", "enc-rsa-2048", "rsa-2048", 0x30, 0x04, false},
	{"rsa-2048-enc-rsa-aes256.bin", "enc-rsa-2048", "rsa-2048", 0x30, 0x08, false},
	{"ecdsa-p256-enc-ec256-aes128.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x04, false},
	{"ecdsa-p256-enc-ec256-aes256.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x08, false},
	{"ecdsa-p256-enc-ec256-aes128-padhdr.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x04, true},
	{"ecdsa-p256-enc-ec256-aes256-padhdr.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x08, true},
	{"ecdsa-p256-enc-ec256-pad.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x04, false},
	{"unsigned-enc-x25519-aes128.bin", "enc-x25519", NULL, 0x33, 0x04, true},
	{"unsigned-enc-x25519-aes256.bin", "enc-x25519", NULL, 0x33, 0x08, true},
	{"unsigned-enc-x25519-sha512-aes128.bin", "enc-x25519", NULL, 0x34, 0x04, true},
	{"unsigned-enc-x25519-sha512-aes256.bin", "enc-x25519", NULL, 0x34, 0x08, true},
	{"ed25519-enc-x25519-aes128.bin", "enc-x25519", NULL, 0x33, 0x04, false},
	{"ed25519-enc-x25519-aes256.bin", "enc-x25519", NULL, 0x33, 0x08, false},
};

static void open_vector(const struct vector *v, struct imgenc_image *im, const struct imgkey *dec)
{
	char rel[256], err[256] = "";
	size_t len = 0;
	uint8_t *img;

	snprintf(rel, sizeof(rel), ENC_DIR "%s", v->image);
	img = fixture_load(rel, &len);
	assert_non_null(img);
	if (imgenc_image_open(im, img, len, dec, err, sizeof(err)) != 0)
		fail_msg("%s: %s", v->image, err);
	free(img);
}

/* imgtool's images, every wrap and AES size: dfukit unwraps, decrypts, and hash + signature hold. */
static void test_imgtool_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		struct imgkey dec, sig;
		struct imgenc_image im;
		char rel[128];
		size_t blen;
		uint8_t *body = expected_body(v->pad_header ? "payloads/payload-1000.bin"
							    : "payloads/zpayload-70000.bin",
					      v->pad_header, &blen);

		snprintf(rel, sizeof(rel), ENC_DIR "keys/%s.pem", v->enc_key);
		load_key(&dec, rel);
		if (v->sig_key != NULL) {
			snprintf(rel, sizeof(rel), "keys/%s.pem", v->sig_key);
			load_key(&sig, rel);
		}
		open_vector(v, &im, &dec);
		assert_int_equal(im.enc.type, v->tlv);
		assert_int_equal(im.hdr.flags & 0x0c, v->flag);
		assert_int_equal(im.hdr.img_size, blen);
		assert_memory_equal(im.buf + im.hdr.hdr_size, body, blen);
		assert_int_equal(imgenc_image_check(&im, v->sig_key != NULL ? &sig : NULL),
				 DFUKIT_IMAGE_OK);
		imgenc_image_close(&im);
		/* Without the key the body is ciphertext: the hash fails. */
		open_vector(v, &im, NULL);
		assert_int_equal(imgenc_image_check(&im, NULL), DFUKIT_IMAGE_E_BAD_HASH);
		imgenc_image_close(&im);
		if (v->sig_key != NULL)
			imgkey_free(&sig);
		imgkey_free(&dec);
		free(body);
	}
}

/* --clear (imgtool): the flag and the key TLV are there, the body is plaintext. */
static void test_imgtool_clear(void **state)
{
	const struct vector v = {
		"ecdsa-p256-enc-ec256-clear.bin", "enc-ec256", "ecdsa-p256", 0x32, 0x04, false};
	struct imgenc_image im;
	struct imgkey sig, dec;

	(void)state;
	load_key(&sig, "keys/ecdsa-p256.pem");
	load_key(&dec, ENC_DIR "keys/enc-ec256.pem");
	open_vector(&v, &im, NULL);
	assert_int_equal(im.enc.type, 0x32);
	assert_int_equal(imgenc_image_check(&im, &sig), DFUKIT_IMAGE_OK);
	imgenc_image_close(&im);
	/* Decrypting plaintext gives garbage: the hash says so. */
	open_vector(&v, &im, &dec);
	assert_int_equal(imgenc_image_check(&im, &sig), DFUKIT_IMAGE_E_BAD_HASH);
	imgenc_image_close(&im);
	imgkey_free(&sig);
	imgkey_free(&dec);
}

/* One dfukit-made encrypted image of payload-1000 (--pad-header, as the vectors). */
static uint8_t *build(const struct imgkey *sig, const struct imgkey *enc, uint32_t bits,
		      uint32_t hmac, bool clear, size_t *len, int *rc)
{
	struct imgenc_opts e = {.key = enc, .aes_bits = bits, .clear = clear, .hmac_sha = hmac};
	struct imgsign_opts o;
	uint8_t *payload, *out = NULL;
	size_t plen = 0;
	char err[256] = "";

	imgsign_opts_init(&o);
	o.header_size = 0x200;
	o.pad_header = true;
	o.slot_size = 0x2000;
	o.align = 4;
	o.version = (struct dfukit_image_version){1, 2, 3, 4};
	o.enc = &e;
	payload = fixture_load("payloads/payload-1000.bin", &plen);
	assert_non_null(payload);
	*rc = imgsign_build(&o, sig, payload, plen, &out, len, NULL, err, sizeof(err));
	free(payload);
	return out;
}

struct wrap_case {
	const char *enc_key, *sig_key;
	uint16_t tlv;
	uint32_t hmac;
	size_t tlv_len128;        /* the key TLV's length with AES-128; +16 with AES-256 */
	const char *imgtool_twin; /* the same inputs through imgtool (AES-128), NULL: none */
};

static const struct wrap_case wraps[] = {
	{"enc-rsa-2048", "keys/rsa-2048.pem", 0x30, 256, 256, NULL},
	{"enc-ec256", "keys/ecdsa-p256.pem", 0x32, 256, 65 + 32 + 16,
	 "ecdsa-p256-enc-ec256-aes128-padhdr.bin"},
	{"enc-x25519", NULL, 0x33, 256, 32 + 32 + 16, "unsigned-enc-x25519-aes128.bin"},
	{"enc-x25519", NULL, 0x34, 512, 32 + 64 + 16, "unsigned-enc-x25519-sha512-aes128.bin"},
};

/* Our SHA256 TLV is imgtool's for the same inputs: the hash is over the plaintext. */
static void same_digest_as_imgtool(const struct imgenc_image *ours, const char *twin)
{
	const struct vector v = {twin, NULL, NULL, 0, 0, true};
	struct imgenc_image im;

	open_vector(&v, &im, NULL);
	assert_int_equal(im.hdr.img_size, ours->hdr.img_size);
	assert_int_equal(im.hdr.flags, ours->hdr.flags);
	assert_int_equal(im.enc.len, ours->enc.len);
	assert_memory_equal(im.buf + im.sha.off, ours->buf + ours->sha.off, 32);
	imgenc_image_close(&im);
}

/* Every wrap x AES size made by dfukit: flags, TLV, ciphertext, and opened again. */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++)
		for (uint32_t bits = 128; bits <= 256; bits += 128) {
			const struct wrap_case *w = &wraps[i];
			struct imgkey dec, sig;
			struct imgenc_image im;
			char rel[128], err[256] = "";
			size_t len = 0, blen;
			int rc;
			uint8_t *body = expected_body("payloads/payload-1000.bin", true, &blen);
			uint8_t *img;

			snprintf(rel, sizeof(rel), ENC_DIR "keys/%s.pem", w->enc_key);
			load_key(&dec, rel);
			if (w->sig_key != NULL)
				load_key(&sig, w->sig_key);
			img = build(w->sig_key ? &sig : NULL, &dec, bits, w->hmac, false, &len,
				    &rc);
			assert_int_equal(rc, 0);
			/* The body is ciphertext. */
			assert_memory_not_equal(img + 0x200, body, blen);
			assert_int_equal(imgenc_image_open(&im, img, len, &dec, err, sizeof(err)),
					 0);
			assert_int_equal(im.hdr.flags, bits == 128 ? 0x04u : 0x08u);
			assert_int_equal(im.enc.type, w->tlv);
			assert_int_equal(im.enc.len,
					 w->tlv_len128 + (w->tlv == 0x30 ? 0 : bits / 8 - 16));
			assert_memory_equal(im.buf + 0x200, body, blen);
			assert_int_equal(imgenc_image_check(&im, w->sig_key ? &sig : NULL),
					 DFUKIT_IMAGE_OK);
			if (bits == 128 && w->imgtool_twin != NULL)
				same_digest_as_imgtool(&im, w->imgtool_twin);
			imgenc_image_close(&im);
			free(img);
			free(body);
			if (w->sig_key != NULL)
				imgkey_free(&sig);
			imgkey_free(&dec);
		}
}

/* --clear from dfukit: flag and TLV, body as given; still opens with the key TLV there. */
static void test_clear(void **state)
{
	struct imgkey dec;
	struct imgenc_image im;
	size_t len = 0, blen;
	char err[256];
	int rc;
	uint8_t *body = expected_body("payloads/payload-1000.bin", true, &blen);
	uint8_t *img;

	(void)state;
	load_key(&dec, ENC_DIR "keys/enc-x25519.pem");
	img = build(NULL, &dec, 256, 256, true, &len, &rc);
	assert_int_equal(rc, 0);
	assert_memory_equal(img + 0x200, body, blen);
	assert_int_equal(imgenc_image_open(&im, img, len, NULL, err, sizeof(err)), 0);
	assert_int_equal(im.hdr.flags, 0x08);
	assert_int_equal(im.enc.type, 0x33);
	assert_int_equal(imgenc_image_check(&im, NULL), DFUKIT_IMAGE_OK);
	imgenc_image_close(&im);
	free(img);
	free(body);
	imgkey_free(&dec);
}

/* imgtool's key-family rules and --hmac-sha 512 for X25519 only. */
static void test_key_rules(void **state)
{
	struct imgkey rsa, ec, x, ecenc;
	size_t len = 0;
	int rc;
	uint8_t *img;

	(void)state;
	load_key(&rsa, "keys/rsa-2048.pem");
	load_key(&ec, "keys/ecdsa-p256.pem");
	load_key(&x, ENC_DIR "keys/enc-x25519.pub.pem");
	load_key(&ecenc, ENC_DIR "keys/enc-ec256.pub.pem");
	img = build(&ec, &x, 128, 256, false, &len, &rc);
	assert_int_equal(rc, -EINVAL); /* ECDSA signs, X25519 encrypts */
	assert_null(img);
	img = build(&rsa, &ecenc, 128, 256, false, &len, &rc);
	assert_int_equal(rc, -EINVAL); /* RSA signs, EC encrypts */
	img = build(&ec, &ecenc, 128, 512, false, &len, &rc);
	assert_int_equal(rc, -EINVAL); /* HMAC-SHA512 is X25519 only */
	img = build(&ec, &rsa, 128, 256, false, &len, &rc);
	assert_int_equal(rc, -EINVAL);                     /* ECDSA signs, RSA encrypts */
	img = build(&ec, &ec, 128, 256, false, &len, &rc); /* an EC key may be both */
	assert_int_equal(rc, 0);
	free(img);
	img = build(&rsa, &rsa, 256, 512, false, &len, &rc); /* RSA ignores --hmac-sha */
	assert_int_equal(rc, 0);
	free(img);
	imgkey_free(&rsa);
	imgkey_free(&ec);
	imgkey_free(&x);
	imgkey_free(&ecenc);
}

/* -E keeps imgtool's room for two keys in the trailer (the "exceeds" check and --pad). */
static void test_trailer_size(void **state)
{
	struct imgenc_opts e = {0};
	struct imgsign_opts o;
	uint32_t plain;

	(void)state;
	imgsign_opts_init(&o);
	o.align = 4;
	plain = imgsign_trailer_size(&o);
	o.enc = &e;
	assert_int_equal(imgsign_trailer_size(&o), plain + 32);
	o.max_align = 32;
	plain = (o.enc = NULL, imgsign_trailer_size(&o));
	o.enc = &e;
	assert_int_equal(imgsign_trailer_size(&o), plain + 64);
}

/* Bad input: wrong key, mismatched key type, truncated or missing key TLV, flipped ciphertext. */
static void test_bad_input(void **state)
{
	struct imgkey ec, rsa, x, other;
	struct imgenc_image im;
	uint8_t aes[32], *img;
	char err[256] = "", tmp[] = "/tmp/dfukit-x25519-XXXXXX";
	size_t len = 0;
	int rc, fd;

	(void)state;
	load_key(&ec, ENC_DIR "keys/enc-ec256.pem");
	load_key(&rsa, ENC_DIR "keys/enc-rsa-2048.pem");
	load_key(&x, ENC_DIR "keys/enc-x25519.pem");
	img = build(NULL, &ec, 128, 256, false, &len, &rc);
	assert_int_equal(rc, 0);
	/* Another EC key (the signing fixture's): the HMAC tag refuses it. */
	load_key(&other, "keys/ecdsa-p256.pem");
	assert_int_equal(imgenc_image_open(&im, img, len, &other, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not open"));
	imgenc_image_close(&im);
	imgkey_free(&other);
	/* The wrong key type for the TLV. */
	assert_int_equal(imgenc_image_open(&im, img, len, &rsa, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0x32"));
	imgenc_image_close(&im);
	assert_int_equal(imgenc_image_open(&im, img, len, &x, err, sizeof(err)), -EINVAL);
	imgenc_image_close(&im);
	/* A truncated key TLV (one byte short), and one of the other AES size. */
	assert_int_equal(imgenc_image_open(&im, img, len, NULL, err, sizeof(err)), 0);
	assert_int_equal(imgenc_unwrap(&ec, 0x32, im.buf + im.enc.off, im.enc.len - 1, aes, 16, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(imgenc_unwrap(&ec, 0x32, im.buf + im.enc.off, im.enc.len, aes, 32, err,
				       sizeof(err)),
			 -EINVAL);
	/* A flipped bit in the wrapped key: the tag. */
	im.buf[im.enc.off + im.enc.len - 1] ^= 1;
	assert_int_equal(imgenc_unwrap(&ec, 0x32, im.buf + im.enc.off, im.enc.len, aes, 16, err,
				       sizeof(err)),
			 -EBADMSG);
	/* No key TLV: its type changed to a vendor TLV's. */
	put_le16(img + (im.enc.off - 4), 0xa0);
	imgenc_image_close(&im);
	assert_int_equal(imgenc_image_open(&im, img, len, &ec, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no key TLV"));
	imgenc_image_close(&im);
	free(img);
	/* A flipped ciphertext byte: the key opens, the plaintext hash fails. */
	img = build(NULL, &x, 256, 512, false, &len, &rc);
	assert_int_equal(rc, 0);
	img[0x200 + 100] ^= 0x40;
	assert_int_equal(imgenc_image_open(&im, img, len, &x, err, sizeof(err)), 0);
	assert_int_equal(imgenc_image_check(&im, NULL), DFUKIT_IMAGE_E_BAD_HASH);
	imgenc_image_close(&im);
	img[0x200 + 100] ^= 0x40;
	/* Another X25519 key (made by keygen -t x25519): the tag refuses it. */
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(imgkey_generate(IMGKEY_X25519, tmp, err, sizeof(err)), 0);
	imgkey_init(&other);
	assert_int_equal(imgkey_load_file(&other, tmp, err, sizeof(err)), 0);
	unlink(tmp);
	assert_int_equal(other.type, IMGKEY_X25519);
	assert_true(other.has_private);
	assert_int_equal(imgenc_image_open(&im, img, len, &other, err, sizeof(err)), -EBADMSG);
	imgenc_image_close(&im);
	/* A public key cannot decrypt. */
	imgkey_free(&other);
	load_key(&other, ENC_DIR "keys/enc-x25519.pub.pem");
	assert_int_equal(imgenc_image_open(&im, img, len, &other, err, sizeof(err)), -EINVAL);
	imgenc_image_close(&im);
	imgkey_free(&other);
	free(img);
	imgkey_free(&ec);
	imgkey_free(&rsa);
	imgkey_free(&x);
}

/* X25519 keys: imgtool's public key from its private key, and getpriv's PKCS#8. */
static void test_x25519_keys(void **state)
{
	struct imgkey priv, pub;
	uint8_t der[64];
	size_t n = 0;

	(void)state;
	load_key(&priv, ENC_DIR "keys/enc-x25519.pem");
	load_key(&pub, ENC_DIR "keys/enc-x25519.pub.pem");
	assert_int_equal(priv.type, IMGKEY_X25519);
	assert_false(pub.has_private);
	assert_int_equal(priv.pub_len, 44);
	assert_memory_equal(priv.pub, pub.pub, 44);
	assert_int_equal(imgkey_x25519_private_der(&priv, der, sizeof(der), &n), 0);
	assert_int_equal(n, 48);
	assert_int_equal(imgkey_x25519_private_der(&pub, der, sizeof(der), &n), -EINVAL);
	imgkey_free(&priv);
	imgkey_free(&pub);
}

/* ---- src/image: dfukit_image_validate_encrypted() with a caller's decryptor --------- */

struct ctr_ctx {
	uint8_t key[32];
	size_t key_len;
	unsigned calls;
	int fail; /* returned instead of decrypting when not 0 */
};

static int ctr_decrypt(void *ctx, uint32_t off, uint8_t *buf, uint32_t len)
{
	struct ctr_ctx *c = ctx;

	c->calls++;
	if (c->fail != 0)
		return c->fail;
	return imgenc_ctr_at(c->key, c->key_len, off, buf, len);
}

/* The AES key of an encrypted image, unwrapped by the host code. */
static void unwrap_key(const uint8_t *img, size_t len, const struct imgkey *dec, struct ctr_ctx *c)
{
	struct imgenc_image im;
	char err[256] = "";

	assert_int_equal(imgenc_image_open(&im, img, len, NULL, err, sizeof(err)), 0);
	c->key_len = im.key_len;
	assert_int_equal(imgenc_unwrap(dec, im.enc.type, im.buf + im.enc.off, im.enc.len, c->key,
				       c->key_len, err, sizeof(err)),
			 0);
	imgenc_image_close(&im);
}

/* imgtool's images validate through the image layer, every wrap and AES size; plain refusal kept. */
static void test_library_validate(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		struct ctr_ctx c = {0};
		struct dfukit_image_decryptor dec = {ctr_decrypt, &c};
		struct dfukit_image_result res;
		struct dfukit_image_key table[1];
		struct imgkey enc, sig;
		struct mem_src ms;
		char rel[256];
		size_t len = 0;
		uint8_t *img;

		snprintf(rel, sizeof(rel), ENC_DIR "%s", v->image);
		img = fixture_load(rel, &len);
		assert_non_null(img);
		snprintf(rel, sizeof(rel), ENC_DIR "keys/%s.pem", v->enc_key);
		load_key(&enc, rel);
		unwrap_key(img, len, &enc, &c);
		if (v->sig_key != NULL) {
			snprintf(rel, sizeof(rel), "keys/%s.pem", v->sig_key);
			load_key(&sig, rel);
			assert_int_equal(imgkey_to_table(&sig, &table[0]), 0);
		}
		mem_src_init(&ms, img, len);
		/* Not through the plain entry point: it cannot decrypt. */
		assert_int_equal(dfukit_image_validate(&ms.src, table, v->sig_key ? 1 : 0, &res),
				 -ENOTSUP);
		assert_int_equal(res.status, DFUKIT_IMAGE_E_ENCRYPTED);
		if (dfukit_image_validate_encrypted(&ms.src, &dec, table, v->sig_key ? 1 : 0,
						    &res) != 0)
			fail_msg("%s: %s", v->image, dfukit_image_strerror(res.status));
		assert_true(res.hash_ok);
		assert_true(c.calls > 0);
		if (v->sig_key != NULL) {
			assert_int_equal(res.verdict, FIH_SUCCESS);
			assert_int_equal(res.key_index, 0);
			imgkey_free(&sig);
		}
		/* A flipped ciphertext byte: the plaintext hash fails, no verdict. */
		img[len / 2 < 0x300 ? 0x300 : 0x280] ^= 0x10;
		assert_int_not_equal(dfukit_image_validate_encrypted(&ms.src, &dec, table,
								     v->sig_key ? 1 : 0, &res),
				     0);
		assert_int_equal(res.status, DFUKIT_IMAGE_E_BAD_HASH);
		assert_int_not_equal(res.verdict, FIH_SUCCESS);
		imgkey_free(&enc);
		free(img);
	}
}

/* A wrong AES key, a failing decryptor, a plain image, no decryptor. */
static void test_library_bad_input(void **state)
{
	struct ctr_ctx c = {0};
	struct dfukit_image_decryptor dec = {ctr_decrypt, &c};
	struct dfukit_image_result res;
	struct imgkey enc;
	struct mem_src ms;
	size_t len = 0;
	uint8_t *img = fixture_load(ENC_DIR "unsigned-enc-x25519-aes256.bin", &len);

	(void)state;
	assert_non_null(img);
	load_key(&enc, ENC_DIR "keys/enc-x25519.pem");
	unwrap_key(img, len, &enc, &c);
	mem_src_init(&ms, img, len);
	assert_int_equal(dfukit_image_validate_encrypted(&ms.src, &dec, NULL, 0, &res), 0);
	c.key[0] ^= 1;
	assert_int_equal(dfukit_image_validate_encrypted(&ms.src, &dec, NULL, 0, &res), -EBADMSG);
	assert_int_equal(res.status, DFUKIT_IMAGE_E_BAD_HASH);
	c.key[0] ^= 1;
	c.fail = -EIO;
	assert_int_equal(dfukit_image_validate_encrypted(&ms.src, &dec, NULL, 0, &res), -EIO);
	assert_int_equal(res.status, DFUKIT_IMAGE_E_IO);
	assert_int_equal(dfukit_image_validate_encrypted(&ms.src, NULL, NULL, 0, &res), -EINVAL);
	free(img);
	/* A plain image: validated as stored, the decryptor never called. */
	img = fixture_load("images/unsigned-1000-padhdr.bin", &len);
	assert_non_null(img);
	mem_src_init(&ms, img, len);
	c.fail = 0;
	c.calls = 0;
	assert_int_equal(dfukit_image_validate_encrypted(&ms.src, &dec, NULL, 0, &res), 0);
	assert_int_equal(c.calls, 0);
	free(img);
	imgkey_free(&enc);
}

/* imgenc_ctr_at at any offset is the same keystream as one pass from zero. */
static void test_ctr_at(void **state)
{
	uint8_t key[32] = {1, 2, 3}, whole[100], part[100];

	(void)state;
	for (uint32_t off = 0; off < 40; off++) {
		memset(whole, 0x5a, sizeof(whole));
		memcpy(part, whole, sizeof(part));
		assert_int_equal(imgenc_ctr(key, 32, whole, sizeof(whole)), 0);
		assert_int_equal(imgenc_ctr_at(key, 32, off, part + off, sizeof(part) - off), 0);
		assert_memory_equal(whole + off, part + off, sizeof(whole) - off);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgtool_vectors),  cmocka_unit_test(test_imgtool_clear),
		cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_clear),
		cmocka_unit_test(test_key_rules),        cmocka_unit_test(test_trailer_size),
		cmocka_unit_test(test_bad_input),        cmocka_unit_test(test_x25519_keys),
		cmocka_unit_test(test_library_validate), cmocka_unit_test(test_library_bad_input),
		cmocka_unit_test(test_ctr_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
