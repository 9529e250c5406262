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
#define IMGKEY_SIG_MAX 512 /* what imgkey_sign_digest() may write */

/* An Ed25519 signature: R || S. */
#define IMGKEY_ED25519_SIG_LEN 64u

enum imgkey_type {
	IMGKEY_NONE = 0,
	IMGKEY_RSA2048,
	IMGKEY_ECDSA_P256,
	IMGKEY_ED25519,
	IMGKEY_X25519, /* encryption only (ECIES-X25519): imgkey_x25519.c */
};

struct imgkey {
	enum imgkey_type type;
	bool has_private;
	bool has_public;             /* pub[] is valid (always, once a key is loaded) */
	mbedtls_pk_context pk;       /* RSA / EC only */
	uint8_t pub[IMGKEY_PUB_MAX]; /* DER as embedded in MCUboot ("getpub -e raw") */
	size_t pub_len;
	uint8_t ed25519_sk[64];  /* Ed25519: libsodium's secret key, seed || public key */
	uint8_t x25519_priv[32]; /* X25519 private key bytes, as in the PKCS#8 file */
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

/* getpriv's -f: imgtool's default is openssl for RSA, pkcs8 for ECDSA. */
enum imgkey_priv_format {
	IMGKEY_PRIV_DEFAULT = 0,
	IMGKEY_PRIV_OPENSSL, /* PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey */
	IMGKEY_PRIV_PKCS8,   /* ECDSA only (imgtool: "rsa does not support pkcs8") */
};
#define IMGKEY_PRIV_MAX 2048

/*
 * The private key as DER, as imgtool's getpriv prints it; minimal drops RSA's CRT
 * values or the ECDSA public key. -EINVAL for a public key or a format the key type
 * has not (usage errors for the caller), -ENOTSUP for Ed25519.
 */
int imgkey_private_der(const struct imgkey *k, enum imgkey_priv_format fmt, bool minimal,
		       uint8_t *out, size_t cap, size_t *len, char *err, size_t errlen);

/* "rsa", "ecdsa", "ed25519": the prefix imgtool uses for C arrays. */
const char *imgkey_shortname(const struct imgkey *k);

/* Signature TLV type for the key (0x20, 0x22, 0x24). */
uint16_t imgkey_sig_tlv(const struct imgkey *k);

/* Sign a SHA-256 digest (RSA-PSS salt 32 / ECDSA DER). sig must hold IMGKEY_SIG_MAX bytes. */
int imgkey_sign_digest(const struct imgkey *k, const uint8_t digest[32], uint8_t *sig,
		       size_t *sig_len, char *err, size_t errlen);

/*
 * Check a signature of a SHA-256 digest made elsewhere (--fix-sig): RSA-PSS salt 32,
 * or ECDSA DER (trailing --pad-sig zeros ignored). 0, or -EBADMSG if it does not verify.
 */
int imgkey_verify_digest(const struct imgkey *k, const uint8_t digest[32], const uint8_t *sig,
			 size_t sig_len, char *err, size_t errlen);

/* Largest ECDSA-P256 DER signature: --pad-sig pads to this length (imgtool's sig_len()). */
#define IMGKEY_ECDSA_P256_SIG_MAX 72u

/*
 * Ed25519 with libsodium (imgkey_ed25519.c): a key from its SubjectPublicKeyInfo
 * or PKCS#8 DER (false if der is not one), keygen as PKCS#8 PEM, and RFC 8032
 * signatures of msg (a digest, or the image itself for --pure).
 */
bool imgkey_ed25519_spki(struct imgkey *k, const uint8_t *der, size_t len);
bool imgkey_ed25519_pkcs8(struct imgkey *k, const uint8_t *der, size_t len);
int imgkey_ed25519_generate(const char *path, char *err, size_t errlen);
int imgkey_ed25519_sign(const struct imgkey *k, const uint8_t *msg, size_t len,
			uint8_t sig[IMGKEY_ED25519_SIG_LEN], char *err, size_t errlen);
int imgkey_ed25519_verify(const struct imgkey *k, const uint8_t *msg, size_t len,
			  const uint8_t *sig, size_t sig_len, char *err, size_t errlen);

/* Key table entry (type + pub DER) for dfukit_image_validate(). */
int imgkey_to_table(const struct imgkey *k, struct dfukit_image_key *out);

enum imgkey_type imgkey_type_from_name(const char *name);

/* ---- signing (imgtool "sign") --------------------------------------------------- */

/* --vector-to-sign: write what an external signer signs instead of the image. */
enum imgsign_vector {
	IMGSIGN_VECTOR_NONE = 0,
	IMGSIGN_VECTOR_PAYLOAD, /* header, payload and protected TLVs */
	IMGSIGN_VECTOR_DIGEST,  /* their SHA-256 (SHA-512 with --pure) */
};

struct imgenc_opts;

/* A protected TLV given by the caller (dependencies, custom TLVs); value is not copied. */
struct imgsign_tlv {
	uint16_t type;
	uint16_t len;
	const uint8_t *value;
};

struct imgsign_opts {
	uint32_t header_size; /* -H, >= 32 */
	bool pad_header;      /* --pad-header */
	uint32_t slot_size;   /* -S */
	uint32_t align;       /* --align 1,2,4,8,16,32 (default 1) */
	uint32_t max_align;   /* --max-align 8,16,32, 0 = max(8, align) */
	uint32_t max_sectors; /* -M, default 128, at most IMGSIGN_MAX_SECTORS_LIMIT */
	struct dfukit_image_version version;
	bool pad;            /* --pad */
	bool confirm;        /* --confirm (implies pad) */
	bool overwrite_only; /* --overwrite-only */
	bool has_security_counter;
	bool security_counter_auto;
	uint32_t security_counter;
	bool pubkey_full;   /* --public-key-format full */
	uint8_t erased_val; /* -R, 0xff default */
	uint32_t load_addr; /* -L, sets RAM_LOAD */
	uint32_t rom_fixed; /* -F, sets ROM_FIXED; the header's load address */
	bool test;          /* --test (implies pad): only changes Intel HEX output */
	bool non_bootable;  /* --non-bootable */
	bool pad_sig;       /* --pad-sig: ECDSA signature zero padded to 72 bytes */
	bool pure;          /* --pure: Ed25519 over the image itself (SHA512, SIG_PURE) */
	const struct imgenc_opts *enc;  /* -E: encrypt (imgenc.h); NULL: plaintext image */
	enum imgsign_vector vector;     /* --vector-to-sign */
	const struct imgsign_tlv *prot; /* --boot-record is added by the builder; these are */
	size_t nprot;                   /* dependencies then custom TLVs, in this order */
	const char *boot_record;        /* --boot-record SW_TYPE, NULL if none */
	/* --fix-sig: the signature made elsewhere, for fix_sig_key (public part used) */
	const uint8_t *fix_sig;
	size_t fix_sig_len;
	const struct imgkey *fix_sig_key;
};

/* The result of imgsign_build beyond the image itself. */
struct imgsign_result {
	uint8_t digest[DFUKIT_IMAGE_SHA512_SIZE]; /* SHA-256, or SHA-512 with --pure */
	size_t digest_len;
	uint8_t sig[IMGKEY_SIG_MAX]; /* the signature TLV's value (for --sig-out) */
	size_t sig_len;              /* 0: no signature */
	size_t image_len;            /* bytes before the --pad padding */
};

/* Largest -M/--max-sectors, the bound boot_trailer_layout_init() also keeps. */
#define IMGSIGN_MAX_SECTORS_LIMIT 0x10000u

void imgsign_opts_init(struct imgsign_opts *o);

/* Parse "maj.min.rev+build" (later parts optional). */
int imgsign_parse_version(const char *s, struct dfukit_image_version *v);

/*
 * Build a signed image from a raw binary payload.  key may be NULL (hash-only
 * image).  *out is malloc'ed.  digest (may be NULL) receives the SHA-256 (with
 * --pure the first 32 bytes of the SHA-512: imgsign_build_ex() has it whole).
 */
int imgsign_build(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload,
		  size_t plen, uint8_t **out, size_t *out_len, uint8_t digest[32], char *err,
		  size_t errlen);
/* The same, with the digest, the signature and the unpadded length in res (not NULL). */
int imgsign_build_ex(const struct imgsign_opts *o, const struct imgkey *key, const uint8_t *payload,
		     size_t plen, uint8_t **out, size_t *out_len, struct imgsign_result *res,
		     char *err, size_t errlen);

/*
 * --pure's rules: an Ed25519 private key signs (imgtool allows its Ed25519 class
 * only: "Could not find allowed hash algorithms" for any other); not with -E or
 * --fix-sig. 0 or -EINVAL with the reason in err.
 */
int imgsign_check_pure(const struct imgsign_opts *o, const struct imgkey *key, char *err,
		       size_t errlen);

/* Where --confirm/--test put image_ok, counted back from the slot end; its length is the max align. */
uint32_t imgsign_image_ok_from_end(const struct imgsign_opts *o);
uint32_t imgsign_max_align(const struct imgsign_opts *o);

/* Trailer size as imgtool computes it (for the "exceeds slot" check). */
uint32_t imgsign_trailer_size(const struct imgsign_opts *o);

/* Format a one-line error into err (if given) and return rc: the tools' error style. */
int img_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
