/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ed25519 verification with libsodium 1.0.18 (crypto_common.h), for both
 * crypto backends: neither mbedTLS 2.28 nor BearSSL 0.6 has Ed25519. Built
 * only when DFUKIT_SIGNATURES has ed25519 (DFUKIT_IMAGE_ED25519): on the host
 * against Debian's libsodium-dev, on Cortex-M against the files of
 * scripts/libsodium-target.sh. libsodium's verification allocates nothing and
 * keeps no state: crypto_sign_ed25519_verify_detached() needs no sodium_init().
 */
#include "crypto_common.h"

#include <sodium/crypto_hash_sha512.h>
#include <sodium/crypto_sign_ed25519.h>

_Static_assert(crypto_sign_ed25519_PUBLICKEYBYTES == IMAGE_ED25519_KEY_LEN,
	       "libsodium's Ed25519 public key is not 32 bytes");
_Static_assert(crypto_sign_ed25519_BYTES == IMAGE_ED25519_SIG_LEN,
	       "libsodium's Ed25519 signature is not 64 bytes");
_Static_assert(sizeof(crypto_hash_sha512_state) <= sizeof(struct image_sha512),
	       "libsodium's SHA-512 state does not fit struct image_sha512");

/* A pure image's hash: the SHA-512 libsodium's Ed25519 is built on. Cannot fail. */
int image_sha512_start(struct image_sha512 *s)
{
	return crypto_hash_sha512_init((crypto_hash_sha512_state *)(void *)s->opaque) == 0 ? 0
											   : -EIO;
}

int image_sha512_update(struct image_sha512 *s, const void *data, size_t len)
{
	return crypto_hash_sha512_update((crypto_hash_sha512_state *)(void *)s->opaque, data,
					 len) == 0
		       ? 0
		       : -EIO;
}

int image_sha512_finish(struct image_sha512 *s, uint8_t out[64])
{
	return crypto_hash_sha512_final((crypto_hash_sha512_state *)(void *)s->opaque, out) == 0
		       ? 0
		       : -EIO;
}

enum dfukit_image_status image_ed25519_verify(const struct dfukit_image_key *key,
					      const uint8_t *msg, size_t msg_len,
					      const uint8_t *sig, uint32_t sig_len)
{
	const uint8_t *pk = image_ed25519_spki_key(key->der, key->len);

	if (pk == NULL)
		return DFUKIT_IMAGE_E_BAD_KEY;
	/*
	 * libsodium refuses a non-canonical S, a small-order R or key, and a
	 * key that is not a canonical encoding: a key it cannot use makes every
	 * signature bad.
	 */
	if (sig_len != IMAGE_ED25519_SIG_LEN ||
	    crypto_sign_ed25519_verify_detached(sig, msg, msg_len, pk) != 0)
		return DFUKIT_IMAGE_E_BAD_SIGNATURE;
	return DFUKIT_IMAGE_OK;
}
