/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image verify: imgtool's result lines for an image, checked by the image layer. */
#include <string.h>

#include "cli.h"

static const char verify_help[] =
	"Usage: dfukit-image verify [-k KEY] [--decrypt ENCKEY] IMAGE\n"
	"\n"
	"  Check an image like imgtool verify: header, TLV structure, SHA-256 and, with\n"
	"  -k, a signature by that key (selected through the KEYHASH/PUBKEY TLV, as\n"
	"  MCUboot does). Prints 'Image was correctly validated', the version and the\n"
	"  digest and exits 0; otherwise prints the reason and exits 1.\n"
	"  An imgtool --pure image (SIG_PURE TLV): its SHA512 TLV, and an Ed25519\n"
	"  signature over the image itself (printed instead of the digest, as imgtool).\n"
	"  IMAGE is a raw binary (Intel hex is not supported); the file size is the slot size.\n"
	"  Keys: RSA-2048, ECDSA-P256, Ed25519 (a build whose DFUKIT_SIGNATURES leaves a type\n"
	"  out checks the hash and then reports 'Unsupported signature type').\n"
	"\n"
	"Options:\n"
	"  -k, --key KEY   public or private key (PEM or DER)\n"
	"      --decrypt ENCKEY  an encrypted image (ENCRYPTED_AES128/256 flag): unwrap its\n"
	"                  AES key with this private key, decrypt the body and check hash\n"
	"                  and signature over the plaintext (as MCUboot's secondary slot).\n"
	"                  Without it an encrypted-flag image is checked as stored (a\n"
	"                  --clear image, or MCUboot's primary slot)\n"
	"  -h, --help      this help\n";

static const char *verify_message(enum dfukit_image_status st)
{
	/* imgtool reports any signature failure this way. */
	if (st == DFUKIT_IMAGE_E_BAD_SIGNATURE)
		return dfukit_image_strerror(DFUKIT_IMAGE_E_NO_SIGNATURE);
	return dfukit_image_strerror(st);
}

/* The key given with -k, as the one-entry table the image layer checks against. */
struct verify_key {
	bool loaded;
	struct imgkey key;
	struct dfukit_image_key table[1];
	size_t nkeys;
};

static int load_verify_key(const char *path, struct verify_key *vk)
{
	if (path == NULL)
		return CLI_CONTINUE;
	if (cli_load_key("verify", path, &vk->key) != 0)
		return EXIT_FAILURE;
	vk->loaded = true;
	if (imgkey_to_table(&vk->key, &vk->table[0]) == 0)
		vk->nkeys = 1;
	return CLI_CONTINUE;
}

/* A pure image's signature (imgtool prints it instead of the digest): the first TLV of sig_type. */
static void print_pure_signature(const struct cli_image *im, const struct dfukit_image_result *res)
{
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;

	if (dfukit_image_tlv_iter_begin(&it, &im->src, &res->hdr, DFUKIT_IMAGE_TLV_AREA_ALL) != 0)
		return;
	while (dfukit_image_tlv_iter_next(&it, &tlv) > 0) {
		if (tlv.type != res->sig_type)
			continue;
		printf("Image signature over image: ");
		for (uint32_t i = 0; i < tlv.len; i++)
			printf("%02x", im->buf[tlv.off + i]);
		printf("\n");
		return;
	}
}

/* imgtool's lines on stdout: the reason and 1, or the version and digest (signature) and 0. */
static int report(const struct cli_image *im, const struct verify_key *vk)
{
	struct dfukit_image_result res;

	/* In one piece: a pure signature (SIG_PURE) is verified over the image in place. */
	if (dfukit_image_validate_mapped(im->buf, (uint32_t)im->len, vk->table, vk->nkeys, &res) !=
	    0) {
		/* imgtool: a pure image's SHA512 TLV goes with Ed25519 keys only. */
		bool mismatch =
			res.pure && vk->nkeys > 0 && vk->table[0].type != DFUKIT_IMAGE_KEY_ED25519;

		printf("%s\n", mismatch ? "Key type does not match TLV record"
					: verify_message(res.status));
		return EXIT_FAILURE;
	}
	printf("Image was correctly validated\n");
	printf("Image version: %u.%u.%u+%lu\n", res.hdr.version.major, res.hdr.version.minor,
	       res.hdr.version.revision, (unsigned long)res.hdr.version.build_num);
	if (res.pure && vk->nkeys > 0) {
		print_pure_signature(im, &res);
		return 0;
	}
	printf("Image digest: ");
	for (size_t i = 0; i < res.hash_len; i++)
		printf("%02x", res.hash[i]);
	printf("\n");
	return 0;
}

/* --decrypt KEY: a private key, or EXIT_FAILURE after the error. */
static int load_decrypt_key(const char *path, struct imgkey *dec, bool *loaded)
{
	if (cli_load_key("verify", path, dec) != 0)
		return EXIT_FAILURE;
	*loaded = true;
	if (!dec->has_private)
		return cli_fail("verify", "--decrypt '%s' is not a private key", path);
	return CLI_CONTINUE;
}

/* The header's ENCRYPTED_AES128/256 flags: the image layer refuses those, enc_image.c checks them. */
static bool is_encrypted(const struct cli_image *im)
{
	struct dfukit_image_header hdr;

	if (im->len < DFUKIT_IMAGE_HEADER_SIZE)
		return false;
	dfukit_image_header_decode(im->buf, &hdr);
	return hdr.magic == DFUKIT_IMAGE_MAGIC &&
	       (hdr.flags & (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256));
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {{"key", required_argument, NULL, 'k'},
					   {"decrypt", required_argument, NULL, 'D'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *keypath = NULL, *decpath = NULL;
	struct verify_key vk = {0};
	struct imgkey dec;
	bool have_dec = false;
	struct cli_image im;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'D': decpath = optarg; break;
		case 'h': cli_show_help(verify_help, stdout); return 0;
		default: return cli_bad_option("verify", argv);
		}
	}
	rc = cli_check_image_arg("verify", argc, argv);
	if (rc == CLI_CONTINUE)
		rc = load_verify_key(keypath, &vk);
	if (rc == CLI_CONTINUE && decpath != NULL)
		rc = load_decrypt_key(decpath, &dec, &have_dec);
	if (rc == CLI_CONTINUE)
		rc = cli_image_load("verify", argv[optind], &im);
	if (rc == CLI_CONTINUE) {
		rc = decpath != NULL || is_encrypted(&im)
			     ? cli_verify_encrypted(&im, vk.loaded ? &vk.key : NULL,
						    have_dec ? &dec : NULL)
			     : report(&im, &vk);
		cli_image_free(&im);
	}
	if (have_dec)
		imgkey_free(&dec);
	if (vk.loaded)
		imgkey_free(&vk.key);
	return rc;
}
