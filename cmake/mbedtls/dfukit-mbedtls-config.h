/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal mbedTLS 2.28 configuration for the Cortex-M bootloader: SHA-256,
 * RSA-2048 (PSS) and ECDSA-P256 signature verification of MCUboot images,
 * and for a bootloader that decrypts (DFUKIT_ENC_KEY, src/enc) the key
 * unwraps RSA-OAEP-2048 and ECIES-P256 with AES-CTR; nothing else. Which of
 * them a bootloader uses is dfukit's choice (DFUKIT_SIGNATURES,
 * DFUKIT_ENC_KEY); --gc-sections drops the rest.
 * scripts/mbedtls-target.sh installs it as mbedtls/config.h of the target
 * prefix, so the library and every user of its headers see the same options.
 *
 * No malloc: mbedTLS's bignums allocate, so they get a static buffer through
 * MEMORY_BUFFER_ALLOC (the bootloader hands it over at start, as MCUboot does).
 */
#ifndef DFUKIT_MBEDTLS_CONFIG_H
#define DFUKIT_MBEDTLS_CONFIG_H

/* System support: bare metal, no entropy, no file system, no time. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
/* A corrupted heap stops the bootloader (HardFault) instead of calling exit(). */
#define MBEDTLS_PLATFORM_EXIT_MACRO(status) __builtin_trap()
/* platform.c wants an snprintf; nothing in the bootloader formats text. */
#include <stdio.h>
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_NO_PLATFORM_ENTROPY
/* Verification needs no randomness (no blinding of secret data to do). */
#define MBEDTLS_ECP_NO_INTERNAL_RNG

/* Hash. */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_MD_C

/*
 * ECDSA-P256 verification. image.c parses the key itself: the public-key
 * layer (PK_C) would link the signing code through its key type tables.
 */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* RSA-2048 PSS verification (the seed's key type); rsa.c wants the OID tables. */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_OID_C

/*
 * Encrypted images (src/enc): the device's private key read from DER with the
 * ASN.1 parser (src/enc/enc_key.c; PEM would cost 2.5 KB), RSA-OAEP (PKCS1_V21 above) or the ECIES-P256
 * DH, HKDF and HMAC (MD_C), AES-CTR over the body. ECIES-X25519 needs
 * Curve25519 in ECP, whose Montgomery code every ECP user would link: left
 * out, so src/enc refuses TLV 0x33/0x34 here. Without a TRNG the private-key
 * operations are not blinded (ECP_NO_INTERNAL_RNG; RSA with no f_rng).
 */
#define MBEDTLS_ECDH_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_AES_C
#define MBEDTLS_CIPHER_MODE_CTR
/* AES tables in flash, one of each direction (2.5 KB instead of 11 KB). */
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES

/* Small and slow rather than big and fast: this runs once per boot. */
/* No 64-bit division helper from libgcc (about 750 B) for bignum. */
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_MPI_WINDOW_SIZE       1
/* An RSA-2048 modulus: 256 bytes (P-256 needs 32). */
#define MBEDTLS_MPI_MAX_SIZE          256
#define MBEDTLS_ECP_MAX_BITS          256
#define MBEDTLS_ECP_WINDOW_SIZE       2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

#include "mbedtls/check_config.h"

#endif /* DFUKIT_MBEDTLS_CONFIG_H */
