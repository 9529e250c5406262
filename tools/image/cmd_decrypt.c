/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-image decrypt, and verify of an encrypted image (verify --decrypt):
 * the image opened with the device's private key (enc_image.c), checked over
 * its plaintext, and for decrypt the plaintext body written atomically.
 */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "enc_image.h"

static const char decrypt_help[] =
	"Usage: dfukit-image decrypt -k KEY IN OUT\n"
	"\n"
	"  Decrypt an encrypted MCUboot image (imgtool sign -E) with the device's private\n"
	"  key: the AES key is unwrapped from the key TLV (ENCRSA2048 0x30, ENCEC256 0x32,\n"
	"  ENCX25519 0x33 / ENCX25519_SHA512 0x34), the body decrypted with AES-CTR, and its\n"
	"  SHA-256 checked against the image's SHA256 TLV (hash is over the plaintext).\n"
	"  OUT gets the decrypted body: the ih_img_size bytes after the header. OUT is written\n"
	"  atomically (a temporary file renamed), and never when anything fails; IN is never\n"
	"  written (OUT naming the same file is refused).\n"
	"\n"
	"Options:\n"
	"  -k, --key KEY   the private key (RSA-2048, EC P-256 or X25519; PEM or DER)\n"
	"  -h, --help      this help\n";

static const char *status_message(enum dfukit_image_status st)
{
	/* imgtool reports any signature failure this way. */
	if (st == DFUKIT_IMAGE_E_BAD_SIGNATURE)
		st = DFUKIT_IMAGE_E_NO_SIGNATURE;
	return dfukit_image_strerror(st);
}

int cli_verify_encrypted(const struct cli_image *in, const struct imgkey *sign,
			 const struct imgkey *dec)
{
	struct imgenc_image im;
	char err[512] = "";
	enum dfukit_image_status st;
	int rc = imgenc_image_open(&im, in->buf, in->len, dec, err, sizeof(err));

	if (rc != 0) {
		printf("%s\n", err);
		imgenc_image_close(&im);
		return EXIT_FAILURE;
	}
	st = imgenc_image_check(&im, sign);
	if (st != DFUKIT_IMAGE_OK) {
		printf("%s%s\n", status_message(st),
		       st == DFUKIT_IMAGE_E_BAD_HASH && dec == NULL
			       ? " (the image is encrypted: give --decrypt KEY)"
			       : "");
		imgenc_image_close(&im);
		return EXIT_FAILURE;
	}
	printf("Image was correctly validated\n");
	printf("Image version: %u.%u.%u+%lu\n", im.hdr.version.major, im.hdr.version.minor,
	       im.hdr.version.revision, (unsigned long)im.hdr.version.build_num);
	printf("Image digest: ");
	for (size_t i = 0; i < sizeof(im.digest); i++)
		printf("%02x", im.digest[i]);
	printf("\n");
	imgenc_image_close(&im);
	return 0;
}

/* OUT must not be IN: the same path, or another name of the same file. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int decrypt_to(const char *inpath, const char *outpath, const struct imgkey *dec)
{
	struct imgenc_image im;
	struct cli_image in;
	char err[512] = "";
	int rc = cli_image_load("decrypt", inpath, &in);

	if (rc != CLI_CONTINUE)
		return rc;
	rc = imgenc_image_open(&im, in.buf, in.len, dec, err, sizeof(err));
	cli_image_free(&in);
	if (rc != 0)
		rc = cli_fail("decrypt", "%s: %s", inpath, err);
	else if (imgenc_image_check(&im, NULL) != DFUKIT_IMAGE_OK)
		rc = cli_fail("decrypt",
			      "%s: %s after decryption (a damaged body, or a --clear image); "
			      "'%s' not written",
			      inpath, status_message(im.status), outpath);
	else if (cli_write_file(outpath, im.buf + im.hdr.hdr_size, im.hdr.img_size, err,
				sizeof(err)) != 0)
		rc = cli_fail("decrypt", "%s", err);
	imgenc_image_close(&im);
	return rc;
}

int cmd_decrypt(int argc, char **argv)
{
	static const struct option lo[] = {{"key", required_argument, NULL, 'k'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *keypath = NULL;
	struct imgkey key;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'h': cli_show_help(decrypt_help, stdout); return 0;
		default: return cli_bad_option("decrypt", argv);
		}
	}
	if (keypath == NULL)
		return cli_usage_err("decrypt", "-k/--key (the private key) is required");
	if (argc - optind != 2)
		return cli_usage_err("decrypt", "expected IN and OUT");
	if (same_file(argv[optind], argv[optind + 1]))
		return cli_usage_err("decrypt", "OUT '%s' is IN: the input is never overwritten",
				     argv[optind + 1]);
	if (cli_load_key("decrypt", keypath, &key) != 0)
		return EXIT_FAILURE;
	rc = key.has_private ? decrypt_to(argv[optind], argv[optind + 1], &key)
			     : cli_fail("decrypt", "'%s' is not a private key", keypath);
	imgkey_free(&key);
	return rc;
}
