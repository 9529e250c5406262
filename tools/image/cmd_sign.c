/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image sign (alias create): imgtool's options in, imgsign_build() out. */
#include <stdlib.h>
#include <string.h>

#include "imgenc.h"
#include "sign.h"

static const char sign_help[] =
	"Usage: dfukit-image sign [OPTIONS] INFILE OUTFILE\n"
	"\n"
	"  Create a signed or unsigned MCUboot image, byte compatible with imgtool 2.4\n"
	"  'sign' for the same options (RSA-PSS and ECDSA signatures are randomized).\n"
	"  INFILE and OUTFILE are Intel HEX if their name ends in .hex, else raw binaries.\n"
	"\n"
	"Options:\n"
	"  -k, --key KEY                   rsa-2048 or ecdsa-p256 private key; none = hash-only "
	"image\n"
	"                                  or ed25519 (TLV 0x24 over the SHA-256 digest, "
	"as imgtool)\n"
	"      --pure                      Ed25519 only: sign the image itself, not its digest "
	"(SHA512\n"
	"                                  TLV, SIG_PURE 0x25, SHA-512 KEYHASH; MCUboot's\n"
	"                                  MCUBOOT_SIGN_PURE). Not with -E, --fix-sig or --sha\n"
	"      --public-key-format hash|full  KEYHASH (default) or full PUBKEY TLV\n"
	"  -v, --version VER               maj.min.rev+build, later parts optional (required)\n"
	"  -H, --header-size N             header size incl. padding, >= 32 (required)\n"
	"      --pad-header                prepend N bytes of the erased value instead of "
	"requiring\n"
	"                                  the input to start with N zero bytes\n"
	"  -S, --slot-size N               slot size (required)\n"
	"      --pad                       pad to the slot size and write the trailer magic\n"
	"      --confirm                   like --pad, and set image_ok\n"
	"      --test                      like --pad (image_ok left erased)\n"
	"      --align 1|2|4|8|16|32       flash write alignment (default 1)\n"
	"      --max-align 8|16|32         trailer alignment (default max(8, align))\n"
	"  -M, --max-sectors N             sectors for the trailer size check (default 128)\n"
	"      --overwrite-only            overwrite-only trailer\n"
	"  -s, --security-counter N|auto   add a protected SEC_CNT TLV\n"
	"  -R, --erased-val 0|0xff         erased flash value (default 0xff)\n"
	"  -L, --load-addr ADDR            RAM load address (sets RAM_LOAD)\n"
	"  -F, --rom-fixed ADDR            flash address the image is built for (sets ROM_FIXED;\n"
	"                                  not with -L)\n"
	"      --non-bootable              set the NON_BOOTABLE flag\n"
	"  -x, --hex-addr ADDR             address of a .hex OUTFILE (default: the .hex INFILE's)\n"
	"  -d, --dependencies \"(ID,VER), ...\"  protected DEPENDENCY TLVs on images ID at version "
	"VER\n"
	"      --boot-record SW_TYPE       protected CBOR BOOT_RECORD TLV (SW_TYPE: 12 characters "
	"max)\n"
	"      --custom-tlv TAG VALUE      protected TLV TAG (0xa0..0xfffe): VALUE 0x<hex> or "
	"text;\n"
	"                                  repeatable\n"
	"      --custom-tlv-file TAG FILE  the same with FILE's bytes\n"
	"      --pad-sig                   zero pad ECDSA signatures to 72 bytes (MCUboot < 1.5)\n"
	"  -e, --endian little             only little endian is supported\n"
	"      --sha auto|256              the image hash: SHA-256 (SHA-384/512 are not "
	"supported;\n"
	"                                  --pure writes SHA-512)\n"
	"Signing elsewhere (an HSM: the key never reaches dfukit):\n"
	"      --vector-to-sign payload|digest  write what is signed (the image up to its "
	"protected\n"
	"                                  TLVs, or its SHA-256) to OUTFILE instead of the image\n"
	"      --fix-sig FILE              the signature (base64) to put in the image, for the "
	"key\n"
	"      --fix-sig-pubkey KEY        given here (a public key is enough); not with -k. With\n"
	"                                  --vector-to-sign it names the key of --boot-record\n"
	"      --sig-out FILE              also write the image's signature (base64) to FILE\n"
	"Encryption (MCUboot's encrypted images; hash and signature are over the plaintext):\n"
	"  -E, --encrypt KEY               encrypt the body with a fresh AES key wrapped for KEY\n"
	"                                  (public or private): RSA-2048 -> RSA-OAEP (TLV 0x30),\n"
	"                                  EC P-256 -> ECIES-P256 (0x32), X25519 -> ECIES-X25519\n"
	"                                  (0x33; 0x34 with --hmac-sha 512). An RSA or ECDSA -k "
	"key\n"
	"                                  needs an -E key of its own family (as imgtool)\n"
	"      --encrypt-keylen 128|256    AES-CTR key length (default 128; header flag "
	"0x04/0x08)\n"
	"  -c, --clear                     set the flags and the key TLV but leave the body in\n"
	"                                  clear (a factory image for the primary slot)\n"
	"      --hmac-sha auto|256|512     ECIES's HKDF/HMAC hash (512: X25519 only; RSA ignores "
	"it)\n"
	"  -h, --help                      this help\n"
	"Refused with a reason (exit status 2): --save-enctlv, --compression, --vid, --cid,\n"
	"-e big, --sha 384|512.\n";

enum {
	OPT_PKF = 1000,
	OPT_PAD_HEADER,
	OPT_PAD,
	OPT_CONFIRM,
	OPT_TEST,
	OPT_ALIGN,
	OPT_MAX_ALIGN,
	OPT_OVERWRITE,
	OPT_SHA,
	OPT_VECTOR,
	OPT_FIX_SIG,
	OPT_FIX_SIG_PUBKEY,
	OPT_SIG_OUT,
	OPT_BOOT_RECORD,
	OPT_CUSTOM_TLV,
	OPT_CUSTOM_TLV_FILE,
	OPT_PAD_SIG,
	OPT_NON_BOOTABLE,
	OPT_ENC_KEYLEN,
	OPT_HMAC_SHA,
	OPT_PURE,
};

/* imgtool sign options dfukit refuses, each with its reason. */
static const struct {
	struct option opt;
	const char *why;
} sign_refused[] = {
	{{"save-enctlv", no_argument, NULL, OPT_UNSUPPORTED + 3},
	 "dfukit's trailer keeps MCUboot's default layout (plain keys, no "
	 "MCUBOOT_SWAP_SAVE_ENCTLV)"},
	{{"compression", required_argument, NULL, OPT_UNSUPPORTED + 4},
	 "dfukit's bootloader does not decompress images (no LZMA2)"},
	{{"vid", required_argument, NULL, OPT_UNSUPPORTED + 6},
	 "the UUID_VID TLV (MCUboot's image UUID check) is not in dfukit"},
	{{"cid", required_argument, NULL, OPT_UNSUPPORTED + 7},
	 "the UUID_CID TLV (MCUboot's image UUID check) is not in dfukit"},
	{{"key-ids", required_argument, NULL, OPT_UNSUPPORTED + 8},
	 "key IDs are neither in imgtool 2.4 nor in dfukit"},
};
#define SIGN_REFUSED_N (sizeof(sign_refused) / sizeof(sign_refused[0]))

static const struct option sign_options[] = {
	{"key", required_argument, NULL, 'k'},
	{"public-key-format", required_argument, NULL, OPT_PKF},
	{"version", required_argument, NULL, 'v'},
	{"header-size", required_argument, NULL, 'H'},
	{"pad-header", no_argument, NULL, OPT_PAD_HEADER},
	{"slot-size", required_argument, NULL, 'S'},
	{"pad", no_argument, NULL, OPT_PAD},
	{"confirm", no_argument, NULL, OPT_CONFIRM},
	{"test", no_argument, NULL, OPT_TEST},
	{"align", required_argument, NULL, OPT_ALIGN},
	{"max-align", required_argument, NULL, OPT_MAX_ALIGN},
	{"max-sectors", required_argument, NULL, 'M'},
	{"overwrite-only", no_argument, NULL, OPT_OVERWRITE},
	{"security-counter", required_argument, NULL, 's'},
	{"erased-val", required_argument, NULL, 'R'},
	{"load-addr", required_argument, NULL, 'L'},
	{"rom-fixed", required_argument, NULL, 'F'},
	{"hex-addr", required_argument, NULL, 'x'},
	{"endian", required_argument, NULL, 'e'},
	{"sha", required_argument, NULL, OPT_SHA},
	{"vector-to-sign", required_argument, NULL, OPT_VECTOR},
	{"fix-sig", required_argument, NULL, OPT_FIX_SIG},
	{"fix-sig-pubkey", required_argument, NULL, OPT_FIX_SIG_PUBKEY},
	{"sig-out", required_argument, NULL, OPT_SIG_OUT},
	{"boot-record", required_argument, NULL, OPT_BOOT_RECORD},
	{"dependencies", required_argument, NULL, 'd'},
	{"custom-tlv", required_argument, NULL, OPT_CUSTOM_TLV},
	{"custom-tlv-file", required_argument, NULL, OPT_CUSTOM_TLV_FILE},
	{"pad-sig", no_argument, NULL, OPT_PAD_SIG},
	{"pure", no_argument, NULL, OPT_PURE},
	{"non-bootable", no_argument, NULL, OPT_NON_BOOTABLE},
	{"encrypt", required_argument, NULL, 'E'},
	{"encrypt-keylen", required_argument, NULL, OPT_ENC_KEYLEN},
	{"clear", no_argument, NULL, 'c'},
	{"hmac-sha", required_argument, NULL, OPT_HMAC_SHA},
	{"help", no_argument, NULL, 'h'},
};
#define SIGN_OPTIONS_N (sizeof(sign_options) / sizeof(sign_options[0]))

/* A refused option: its reason on one line, exit status 2; CLI_CONTINUE if c is not one. */
static int refused_option(int c)
{
	for (size_t i = 0; i < SIGN_REFUSED_N; i++)
		if (sign_refused[i].opt.val == c) {
			fprintf(stderr, "%s sign: '--%s' is not supported: %s\n", cli_prog(),
				sign_refused[i].opt.name, sign_refused[i].why);
			return EXIT_USAGE;
		}
	return CLI_CONTINUE;
}

/* Returned by an option group for an option that belongs to the other group. */
#define NOT_THIS_GROUP (-2)

/* Options that place the image in its slot: header area, slot, alignment, trailer. */
static int layout_option(struct sign_args *a, int c)
{
	struct imgsign_opts *o = &a->o;
	uint32_t v;

	switch (c) {
	case 'H':
		if (cli_parse_u32(optarg, &o->header_size) != 0)
			return cli_usage_err("sign", "invalid header size '%s'", optarg);
		if (o->header_size < DFUKIT_IMAGE_HEADER_SIZE)
			return cli_usage_err("sign", "Minimum value for -H/--header-size is %u",
					     DFUKIT_IMAGE_HEADER_SIZE);
		a->have_hdr = true;
		return CLI_CONTINUE;
	case OPT_PAD_HEADER: o->pad_header = true; return CLI_CONTINUE;
	case 'S':
		if (cli_parse_u32(optarg, &o->slot_size) != 0)
			return cli_usage_err("sign", "invalid slot size '%s'", optarg);
		a->have_slot = true;
		return CLI_CONTINUE;
	case OPT_PAD: o->pad = true; return CLI_CONTINUE;
	case OPT_TEST:
		o->test = true;
		o->pad = true;
		return CLI_CONTINUE;
	case OPT_CONFIRM:
		o->confirm = true;
		o->pad = true;
		return CLI_CONTINUE;
	case OPT_ALIGN:
		if (cli_parse_u32(optarg, &o->align) != 0 || o->align == 0 || o->align > 32 ||
		    (o->align & (o->align - 1)) != 0)
			return cli_usage_err("sign", "--align must be one of 1, 2, 4, 8, 16, 32");
		return CLI_CONTINUE;
	case OPT_MAX_ALIGN:
		if (cli_parse_u32(optarg, &o->max_align) != 0 ||
		    (o->max_align != 8 && o->max_align != 16 && o->max_align != 32))
			return cli_usage_err("sign", "--max-align must be one of 8, 16, 32");
		return CLI_CONTINUE;
	case 'M':
		if (cli_parse_u32(optarg, &o->max_sectors) != 0 || o->max_sectors == 0 ||
		    o->max_sectors > IMGSIGN_MAX_SECTORS_LIMIT)
			return cli_usage_err("sign", "invalid -M/--max-sectors '%s'", optarg);
		return CLI_CONTINUE;
	case OPT_OVERWRITE: o->overwrite_only = true; return CLI_CONTINUE;
	case 'R':
		if (cli_parse_u32(optarg, &v) != 0 || (v != 0 && v != 0xff))
			return cli_usage_err("sign", "--erased-val must be 0 or 0xff");
		o->erased_val = (uint8_t)v;
		return CLI_CONTINUE;
	default: return NOT_THIS_GROUP;
	}
}

/* Options that say what the image holds: key, version, counter, addresses, formats. */
static int content_option(struct sign_args *a, int c)
{
	struct imgsign_opts *o = &a->o;

	switch (c) {
	case 'k': a->keypath = optarg; return CLI_CONTINUE;
	case OPT_PKF:
		if (strcmp(optarg, "hash") != 0 && strcmp(optarg, "full") != 0)
			return cli_usage_err("sign", "--public-key-format must be hash or full");
		o->pubkey_full = strcmp(optarg, "full") == 0;
		return CLI_CONTINUE;
	case 'v':
		if (imgsign_parse_version(optarg, &o->version) != 0)
			return cli_usage_err("sign", "invalid version '%s' (maj.min.rev+build)",
					     optarg);
		a->have_ver = true;
		return CLI_CONTINUE;
	case 's':
		o->has_security_counter = true;
		o->security_counter_auto = strcmp(optarg, "auto") == 0;
		if (!o->security_counter_auto && cli_parse_u32(optarg, &o->security_counter) != 0)
			return cli_usage_err(
				"sign", "invalid security counter '%s' (number or auto)", optarg);
		return CLI_CONTINUE;
	case 'L':
	case 'F':
	case 'x':
		if (cli_parse_u32(optarg, c == 'L'   ? &o->load_addr
					  : c == 'F' ? &o->rom_fixed
						     : &a->hex_addr) != 0)
			return cli_usage_err("sign", "invalid address '%s' for -%c", optarg, c);
		a->have_hex_addr |= c == 'x';
		return CLI_CONTINUE;
	case OPT_NON_BOOTABLE: o->non_bootable = true; return CLI_CONTINUE;
	case OPT_PAD_SIG: o->pad_sig = true; return CLI_CONTINUE;
	case OPT_PURE: o->pure = true; return CLI_CONTINUE;
	case 'h': cli_show_help(sign_help, stdout); return 0;
	default: return NOT_THIS_GROUP;
	}
}

/* -E and its options (imgtool ignores the others without -E, and so does dfukit). */
static int encrypt_option(struct sign_args *a, int c)
{
	switch (c) {
	case 'E': a->encpath = optarg; return CLI_CONTINUE;
	case 'c': a->enc.clear = true; return CLI_CONTINUE;
	case OPT_ENC_KEYLEN:
		if (strcmp(optarg, "128") != 0 && strcmp(optarg, "256") != 0)
			return cli_usage_err("sign", "--encrypt-keylen must be 128 or 256");
		a->enc.aes_bits = strcmp(optarg, "256") == 0 ? 256 : 128;
		return CLI_CONTINUE;
	case OPT_HMAC_SHA:
		if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "256") != 0 &&
		    strcmp(optarg, "512") != 0)
			return cli_usage_err("sign", "--hmac-sha must be one of auto, 256, 512");
		a->enc.hmac_sha = strcmp(optarg, "512") == 0 ? 512 : 256;
		return CLI_CONTINUE;
	default: return NOT_THIS_GROUP;
	}
}

/* Formats, signing elsewhere and the protected TLVs; argv for the second word of --custom-tlv. */
static int format_option(struct sign_args *a, int c, int argc, char **argv)
{
	struct imgsign_opts *o = &a->o;

	switch (c) {
	case 'e':
		if (strcmp(optarg, "little") != 0)
			return cli_usage_err(
				"sign",
				"-e %s is not supported: MCUboot and dfukit read little endian "
				"images only",
				optarg);
		return CLI_CONTINUE;
	case OPT_SHA:
		if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "256") != 0 &&
		    strcmp(optarg, "384") != 0 && strcmp(optarg, "512") != 0)
			return cli_usage_err("sign", "--sha must be one of auto, 256, 384, 512");
		a->sha = optarg; /* checked with --pure, once every option is read */
		return CLI_CONTINUE;
	case OPT_VECTOR:
		if (strcmp(optarg, "payload") != 0 && strcmp(optarg, "digest") != 0)
			return cli_usage_err("sign", "--vector-to-sign must be payload or digest");
		o->vector = strcmp(optarg, "payload") == 0 ? IMGSIGN_VECTOR_PAYLOAD
							   : IMGSIGN_VECTOR_DIGEST;
		return CLI_CONTINUE;
	case OPT_FIX_SIG: a->fix_sig = optarg; return CLI_CONTINUE;
	case OPT_FIX_SIG_PUBKEY: a->fix_sig_pubkey = optarg; return CLI_CONTINUE;
	case OPT_SIG_OUT: a->sig_out = optarg; return CLI_CONTINUE;
	case OPT_BOOT_RECORD: o->boot_record = optarg; return CLI_CONTINUE;
	case 'd': return sign_parse_dependencies(&a->tlvs, optarg);
	case OPT_CUSTOM_TLV:
	case OPT_CUSTOM_TLV_FILE:
		if (optind >= argc)
			return cli_usage_err("sign", "--%s needs TAG and %s",
					     c == OPT_CUSTOM_TLV ? "custom-tlv" : "custom-tlv-file",
					     c == OPT_CUSTOM_TLV ? "VALUE" : "FILE");
		return sign_add_custom_tlv(&a->tlvs, optarg, argv[optind++],
					   c == OPT_CUSTOM_TLV_FILE);
	default: return cli_bad_option("sign", argv);
	}
}

/* --sha: imgtool's --pure rule first, then what dfukit writes (SHA-256; SHA-512 only with --pure). */
static int check_sha(const struct sign_args *a)
{
	if (a->sha == NULL || strcmp(a->sha, "auto") == 0)
		return CLI_CONTINUE;
	if (a->o.pure)
		return cli_usage_err("sign", "Pure signatures, currently, enforces preferred hash "
					     "algorithm, and forbids sha selection by user.");
	if (strcmp(a->sha, "256") != 0)
		return cli_usage_err("sign",
				     "--sha %s is not supported: dfukit writes SHA-256 images "
				     "(RSA-2048 and ECDSA-P256 allow only SHA-256; SHA-384/512 go "
				     "with keys dfukit has not; --pure writes SHA-512)",
				     a->sha);
	return CLI_CONTINUE;
}

/* Options that only make sense together; what imgtool leaves to a Python traceback is refused here. */
static int check_combinations(const struct sign_args *a)
{
	bool out_hex = cli_has_hex_ext(a->out), in_hex = cli_has_hex_ext(a->in);

	if (!a->have_ver)
		return cli_usage_err("sign", "missing option -v/--version");
	if (!a->have_hdr)
		return cli_usage_err("sign", "missing option -H/--header-size");
	if (!a->have_slot)
		return cli_usage_err("sign", "missing option -S/--slot-size");
	if (out_hex && !in_hex && !a->have_hex_addr)
		return cli_usage_err(
			"sign", "No address exists in input file neither was it provided by user");
	if (a->fix_sig != NULL && a->keypath != NULL)
		return cli_usage_err(
			"sign",
			"Can not sign using key and provide fixed-signature at the same time");
	if (a->fix_sig != NULL && a->fix_sig_pubkey == NULL)
		return cli_usage_err("sign", "public key of the fixed signature is not specified");
	if (a->fix_sig_pubkey != NULL && a->fix_sig == NULL && a->o.vector == IMGSIGN_VECTOR_NONE)
		return cli_usage_err("sign",
				     "--fix-sig-pubkey goes with --fix-sig (or --vector-to-sign)");
	if (a->sig_out != NULL &&
	    (a->o.vector != IMGSIGN_VECTOR_NONE || (a->keypath == NULL && a->fix_sig == NULL)))
		return cli_usage_err(
			"sign", "--sig-out needs a signature in the image (-k or --fix-sig, not "
				"--vector-to-sign)");
	if (a->o.load_addr != 0 && a->o.rom_fixed != 0)
		return cli_usage_err("sign",
				     "Can not set rom_fixed and load_addr at the same time");
	if (a->o.pure && a->fix_sig != NULL)
		return cli_usage_err("sign", "--pure with --fix-sig: imgtool 2.4 refuses a public "
					     "--fix-sig-pubkey for it (Could not find allowed hash "
					     "algorithms)");
	return check_sha(a);
}

static int parse_sign_args(struct sign_args *a, int argc, char **argv)
{
	struct option all[SIGN_OPTIONS_N + SIGN_REFUSED_N + 1];
	int c;

	memcpy(all, sign_options, sizeof(sign_options));
	for (size_t i = 0; i < SIGN_REFUSED_N; i++)
		all[SIGN_OPTIONS_N + i] = sign_refused[i].opt;
	memset(&all[SIGN_OPTIONS_N + SIGN_REFUSED_N], 0, sizeof(all[0]));
	while ((c = getopt_long(argc, argv, "k:v:H:S:M:s:R:L:F:x:d:e:hE:c", all, NULL)) != -1) {
		/* A refused option missing its argument comes back as '?' with optopt = its value. */
		int rc = refused_option(c == '?' && optopt != 0 ? optopt : c);

		if (rc == CLI_CONTINUE)
			rc = layout_option(a, c);
		if (rc == NOT_THIS_GROUP)
			rc = content_option(a, c);
		if (rc == NOT_THIS_GROUP)
			rc = encrypt_option(a, c);
		if (rc == NOT_THIS_GROUP)
			rc = format_option(a, c, argc, argv);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	if (argc - optind != 2)
		return cli_usage_err("sign", "expected INFILE and OUTFILE");
	a->in = argv[optind];
	a->out = argv[optind + 1];
	c = check_combinations(a);
	return c != CLI_CONTINUE ? c : sign_finish_tlvs(a);
}

/* -k KEY and --fix-sig-pubkey KEY, loaded; then sign_run(). */
static int sign_with_keys(struct sign_args *a)
{
	struct imgkey key, fix, enc;
	bool have_key = false, have_fix = false, have_enc = false;
	char err[256];
	int rc = 0;

	if (a->keypath != NULL) {
		if (cli_load_key("sign", a->keypath, &key) != 0)
			return EXIT_FAILURE;
		have_key = true;
		if (!key.has_private)
			rc = cli_fail("sign", "'%s' is not a private key", a->keypath);
	}
	if (rc == 0 && a->encpath != NULL) {
		if (cli_load_key("sign", a->encpath, &enc) != 0)
			rc = EXIT_FAILURE;
		else
			have_enc = true;
		a->enc.key = &enc;
		a->o.enc = have_enc ? &a->enc : NULL;
	}
	if (rc == 0 && a->fix_sig_pubkey != NULL) {
		if (cli_load_key("sign", a->fix_sig_pubkey, &fix) != 0)
			rc = EXIT_FAILURE;
		else
			have_fix = true;
	}
	/* imgtool's key-family rules are usage errors (exit 2), as there. */
	if (rc == 0 && have_enc &&
	    imgenc_check_keys(&a->enc, have_key ? &key : NULL, err, sizeof(err)))
		rc = cli_usage_err("sign", "%s", err);
	if (rc == 0 && imgsign_check_pure(&a->o, have_key ? &key : NULL, err, sizeof(err)) != 0)
		rc = cli_usage_err("sign", "%s", err);
	if (rc == 0)
		rc = sign_run(a, have_key ? &key : NULL, have_fix ? &fix : NULL);
	if (have_key)
		imgkey_free(&key);
	if (have_fix)
		imgkey_free(&fix);
	if (have_enc)
		imgkey_free(&enc);
	return rc;
}

int cmd_sign(int argc, char **argv)
{
	struct sign_args *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL)
		return cli_fail("sign", "out of memory");
	imgsign_opts_init(&a->o);
	a->enc.aes_bits = 128;
	a->enc.hmac_sha = 256;
	rc = parse_sign_args(a, argc, argv);
	if (rc == CLI_CONTINUE)
		rc = sign_with_keys(a);
	sign_free_tlvs(&a->tlvs);
	free(a);
	return rc;
}
