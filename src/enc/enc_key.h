/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's private key (dfukit/enc.h's struct dfukit_enc_key) into
 * mbedTLS's contexts, for the key unwraps (enc_unwrap.c). Each: 0, or
 * -EINVAL for a key that is not of that kind (or PEM where mbedTLS has no
 * PEM parser). The contexts are the caller's, initialised and freed by it.
 */
#ifndef DFUKIT_ENC_KEY_H
#define DFUKIT_ENC_KEY_H

#include <stdint.h>

#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include <dfukit/enc.h>

int enc_key_rsa(const struct dfukit_enc_key *k, mbedtls_rsa_context *rsa);
int enc_key_p256(const struct dfukit_enc_key *k, mbedtls_ecp_keypair *kp);
/* The P-256 private scalar, big endian (for a DH outside mbedTLS). */
int enc_key_p256_scalar(const struct dfukit_enc_key *k, uint8_t d[32]);
int enc_key_x25519(const struct dfukit_enc_key *k, uint8_t out[DFUKIT_ENC_X25519_LEN]);

#endif /* DFUKIT_ENC_KEY_H */
