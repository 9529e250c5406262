/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-side key handling and image signing for dfukit-image (imgtool
 * compatible).  Host only: uses libc (malloc, stdio) and mbedTLS.
 */
#ifndef DFUKIT_TOOLS_IMGKEY_H
#define DFUKIT_TOOLS_IMGKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "dfukit/image.h"

#define IMGKEY_PUB_MAX 600

enum imgkey_type {
	IMGKEY_NONE = 0,
	IMGKEY_RSA2048,
	IMGKEY_ECDSA_P256,
	IMGKEY_ED25519,
};

struct imgkey {
	enum imgkey_type type;
	bool has_private;
	bool has_public;                /* pub[] is valid (always except Ed25519 private keys) */
	mbedtls_pk_context pk;          /* RSA / EC only */
	uint8_t pub[IMGKEY_PUB_MAX];    /* DER as embedded in MCUboot ("getpub -e raw") */
	size_t pub_len;
};

/* All functions return 0 or a negative errno and write a one-line message to err. */
void imgkey_init(struct imgkey *k);
void imgkey_free(struct imgkey *k);

/* Load a private (PKCS#8, PKCS#1, SEC1) or public (SPKI, PKCS#1) key, PEM or DER. */
int imgkey_load_file(struct imgkey *k, const char *path, char *err, size_t errlen);
int imgkey_load_mem(struct imgkey *k, const uint8_t *data, size_t len, char *err, size_t errlen);

/* Generate a key (rsa-2048 / ecdsa-p256) and write it as a PKCS#8 PEM file. */
int imgkey_generate(enum imgkey_type type, const char *path, char *err, size_t errlen);

/* Public key as PEM (SubjectPublicKeyInfo), NUL terminated. */
int imgkey_pub_pem(const struct imgkey *k, char *out, size_t outlen, char *err, size_t errlen);

/* "rsa", "ecdsa", "ed25519": the prefix imgtool uses for C arrays. */
const char *imgkey_shortname(const struct imgkey *k);

/* Signature TLV type for the key (0x20, 0x22, 0x24). */
uint16_t imgkey_sig_tlv(const struct imgkey *k);

/* Sign a SHA-256 digest (RSA-PSS salt 32 / ECDSA DER). sig must hold 512 bytes. */
int imgkey_sign_digest(const struct imgkey *k, const uint8_t digest[32], uint8_t *sig, size_t *sig_len,
		       char *err, size_t errlen);

/* Key table entry (type + pub DER) for dfukit_image_validate(). */
int imgkey_to_table(const struct imgkey *k, struct dfukit_image_key *out);

enum imgkey_type imgkey_type_from_name(const char *name);

/* ---- signing (imgtool "sign") --------------------------------------------------- */

struct imgsign_opts {
	uint32_t header_size;           /* -H, >= 32 */
	bool pad_header;                /* --pad-header */
	uint32_t slot_size;             /* -S */
	uint32_t align;                 /* --align 1,2,4,8,16,32 (default 1) */
	uint32_t max_align;             /* --max-align 8,16,32, 0 = max(8, align) */
	uint32_t max_sectors;           /* -M, default 128 */
	struct dfukit_image_version version;
	bool pad;                       /* --pad */
	bool confirm;                   /* --confirm (implies pad) */
	bool overwrite_only;            /* --overwrite-only */
	bool has_security_counter;
	bool security_counter_auto;
	uint32_t security_counter;
	bool pubkey_full;               /* --public-key-format full */
	uint8_t erased_val;             /* -R, 0xff default */
	uint32_t load_addr;             /* -L, sets RAM_LOAD */
};

void imgsign_opts_init(struct imgsign_opts *o);

/* Parse "maj.min.rev+build" (later parts optional). */
int imgsign_parse_version(const char *s, struct dfukit_image_version *v);

/*
 * Build a signed image from a raw binary payload.  key may be NULL (hash-only
 * image).  *out is malloc'ed.  digest (may be NULL) receives the SHA-256.
 */
int imgsign_build(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload, size_t plen,
		  uint8_t **out, size_t *out_len, uint8_t digest[32], char *err, size_t errlen);

/* Trailer size as imgtool computes it (for the "exceeds slot" check). */
uint32_t imgsign_trailer_size(const struct imgsign_opts *o);

/* Format a one-line error into err (if given) and return rc: the tools' error style. */
int img_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
