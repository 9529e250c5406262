/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ed25519 keys and signatures for dfukit-image, with libsodium (mbedTLS 2.28
 * has no Ed25519): the PKCS#8 / SubjectPublicKeyInfo files imgtool writes
 * (OID 1.3.101.112), keygen, and RFC 8032 signatures, which are deterministic,
 * so dfukit's images are imgtool's byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/pem.h>
#include <sodium/core.h>
#include <sodium/crypto_sign_ed25519.h>
#include <sodium/utils.h>

#include "imgkey.h"

/* SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo of an Ed25519 key, up to the key bytes. */
static const uint8_t spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
static const uint8_t pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

_Static_assert(sizeof(spki_prefix) + crypto_sign_ed25519_PUBLICKEYBYTES <= IMGKEY_PUB_MAX,
	       "an Ed25519 SubjectPublicKeyInfo fits imgkey.pub");
_Static_assert(crypto_sign_ed25519_BYTES == IMGKEY_ED25519_SIG_LEN, "64-byte signatures");
_Static_assert(crypto_sign_ed25519_SECRETKEYBYTES == sizeof(((struct imgkey *)0)->ed25519_sk),
	       "libsodium's secret key is seed || public key");

bool imgkey_ed25519_spki(struct imgkey *k, const uint8_t *der, size_t len)
{
	if (len != sizeof(spki_prefix) + crypto_sign_ed25519_PUBLICKEYBYTES ||
	    memcmp(der, spki_prefix, sizeof(spki_prefix)) != 0)
		return false;
	k->type = IMGKEY_ED25519;
	memcpy(k->pub, der, len);
	k->pub_len = len;
	k->has_public = true;
	return true;
}

bool imgkey_ed25519_pkcs8(struct imgkey *k, const uint8_t *der, size_t len)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES];

	if (len != sizeof(pkcs8_prefix) + crypto_sign_ed25519_SEEDBYTES ||
	    memcmp(der, pkcs8_prefix, sizeof(pkcs8_prefix)) != 0 || sodium_init() < 0 ||
	    crypto_sign_ed25519_seed_keypair(pk, k->ed25519_sk, der + sizeof(pkcs8_prefix)) != 0)
		return false;
	k->type = IMGKEY_ED25519;
	k->has_private = true;
	memcpy(k->pub, spki_prefix, sizeof(spki_prefix));
	memcpy(k->pub + sizeof(spki_prefix), pk, sizeof(pk));
	k->pub_len = sizeof(spki_prefix) + sizeof(pk);
	k->has_public = true;
	return true;
}

/* PKCS#8 PrivateKeyInfo as PEM, as imgtool's keygen writes it (no password). */
int imgkey_ed25519_generate(const char *path, char *err, size_t errlen)
{
	uint8_t pk[crypto_sign_ed25519_PUBLICKEYBYTES], sk[crypto_sign_ed25519_SECRETKEYBYTES];
	uint8_t der[sizeof(pkcs8_prefix) + crypto_sign_ed25519_SEEDBYTES];
	unsigned char pem[256];
	size_t olen = 0;
	ssize_t w;
	int fd, rc = 0;

	if (sodium_init() < 0 || crypto_sign_ed25519_keypair(pk, sk) != 0)
		return img_errf(err, errlen, -EIO, "Ed25519 key generation failed");
	memcpy(der, pkcs8_prefix, sizeof(pkcs8_prefix));
	crypto_sign_ed25519_sk_to_seed(der + sizeof(pkcs8_prefix), sk);
	if (mbedtls_pem_write_buffer("-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n",
				     der, sizeof(der), pem, sizeof(pem), &olen) != 0 ||
	    olen == 0) {
		rc = img_errf(err, errlen, -EIO, "cannot encode the private key as PEM");
		goto out;
	}
	olen--; /* olen counts the terminating NUL */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		rc = img_errf(err, errlen, -errno, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	w = write(fd, pem, olen);
	if (close(fd) != 0 || w != (ssize_t)olen)
		rc = img_errf(err, errlen, -EIO, "cannot write '%s'", path);
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(der, sizeof(der));
	sodium_memzero(pem, sizeof(pem));
	return rc;
}

int imgkey_ed25519_sign(const struct imgkey *k, const uint8_t *msg, size_t len,
			uint8_t sig[IMGKEY_ED25519_SIG_LEN], char *err, size_t errlen)
{
	if (!k->has_private)
		return img_errf(err, errlen, -EINVAL, "signing needs a private key");
	if (crypto_sign_ed25519_detached(sig, NULL, msg, len, k->ed25519_sk) != 0)
		return img_errf(err, errlen, -EIO, "Ed25519 signing failed");
	return 0;
}

int imgkey_ed25519_verify(const struct imgkey *k, const uint8_t *msg, size_t len,
			  const uint8_t *sig, size_t sig_len, char *err, size_t errlen)
{
	if (sig_len != crypto_sign_ed25519_BYTES ||
	    crypto_sign_ed25519_verify_detached(sig, msg, len, k->pub + sizeof(spki_prefix)) != 0)
		return img_errf(err, errlen, -EBADMSG, "signature does not verify");
	return 0;
}
