/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image dumpinfo: an image's header, TLV areas and trailer in imgtool's human format
 * (yaml and json: dumpinfo_fmt.c). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dumpinfo.h"
#include "dfukit/boot.h"
#include "dfukit/wire.h"
#include "imgformat.h"

/* Width of imgtool's banners and of the payload box inside them. */
#define BANNER_WIDTH    60
#define BOX_INNER_WIDTH 58

/* The aligned boot magic starts with max_align as a u16, then a fixed tail. */
#define MAGIC_ALIGN_FIELD 2

static const char dumpinfo_help[] =
	"Usage: dfukit-image dumpinfo [-f human|yaml|json] [-o FILE] [-s] IMAGE\n"
	"\n"
	"  Print the header, the TLV areas and (for padded images) the trailer, as\n"
	"  imgtool 2.4 does (byte identical). A malformed image is a one-line error,\n"
	"  exit 1, and nothing is written. IMAGE is a raw binary (not Intel hex).\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT     human (default on stdout) | yaml (default with -o) | json\n"
	"  -o, --outfile FILE   write to FILE (atomically) instead of stdout\n"
	"  -s, --silent         accepted and ignored, as by imgtool 2.4\n"
	"  -h, --help           this help\n";

static void banner(FILE *o, const char *text)
{
	char line[128];
	size_t n;

	snprintf(line, sizeof(line), "#### %s ", text);
	n = strlen(line);
	while (n < BANNER_WIDTH && n + 1 < sizeof(line))
		line[n++] = '#';
	line[n] = 0;
	fprintf(o, "%s\n", line);
}

static void rule(FILE *o)
{
	fprintf(o, "############################################################\n");
}

/* Python's str.center() for the payload box. */
static void centered_row(FILE *o, const char *text)
{
	size_t width = BOX_INNER_WIDTH, n = strlen(text), pad, left;

	if (n >= width) {
		fprintf(o, "|%s|\n", text);
		return;
	}
	pad = width - n;
	left = pad / 2 + (pad & width & 1);
	fprintf(o, "|%*s%s%*s|\n", (int)left, "", text, (int)(pad - left), "");
}

/* imgtool's names; the 0x7x types (compression, UUIDs) are ones dfukit has no use for. */
const char *dumpinfo_tlv_name(uint16_t type)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{DFUKIT_IMAGE_TLV_KEYHASH, "KEYHASH"},
		{DFUKIT_IMAGE_TLV_PUBKEY, "PUBKEY"},
		{DFUKIT_IMAGE_TLV_SHA256, "SHA256"},
		{DFUKIT_IMAGE_TLV_SHA384, "SHA384"},
		{DFUKIT_IMAGE_TLV_SHA512, "SHA512"},
		{DFUKIT_IMAGE_TLV_RSA2048_PSS, "RSA2048"},
		{DFUKIT_IMAGE_TLV_ECDSA_SIG, "ECDSASIG"},
		{DFUKIT_IMAGE_TLV_RSA3072_PSS, "RSA3072"},
		{DFUKIT_IMAGE_TLV_ED25519, "ED25519"},
		{DFUKIT_IMAGE_TLV_SIG_PURE, "SIG_PURE"},
		{DFUKIT_IMAGE_TLV_ENC_RSA2048, "ENCRSA2048"},
		{DFUKIT_IMAGE_TLV_ENC_KW, "ENCKW"},
		{DFUKIT_IMAGE_TLV_ENC_EC256, "ENCEC256"},
		{DFUKIT_IMAGE_TLV_ENC_X25519, "ENCX25519"},
		{DFUKIT_IMAGE_TLV_ENC_X25519_SHA512, "ENCX25519_SHA512"},
		{DFUKIT_IMAGE_TLV_DEPENDENCY, "DEPENDENCY"},
		{DFUKIT_IMAGE_TLV_SEC_CNT, "SEC_CNT"},
		{DFUKIT_IMAGE_TLV_BOOT_RECORD, "BOOT_RECORD"},
		{0x70, "DECOMP_SIZE"},
		{0x71, "DECOMP_SHA"},
		{0x72, "DECOMP_SIGNATURE"},
		{0x73, "COMP_DEC_SIZE"},
		{0x74, "UUID_VID"},
		{0x75, "UUID_CID"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return "UNKNOWN";
}

static void print_bytes(FILE *o, const uint8_t *b, size_t n, const char *cont)
{
	for (size_t j = 0; j < n; j++) {
		fprintf(o, "0x%02x ", b[j]);
		if ((j + 1) % 8 == 0 && j + 1 != n)
			fprintf(o, "\n%s", cont);
	}
	fprintf(o, "\n");
}

static int dump_area(FILE *o, const struct cli_image *im, const struct dfukit_image_header *hdr,
		     enum dfukit_image_tlv_area area, uint32_t info_off)
{
	const uint8_t *info = im->buf + info_off;
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;
	char title[80];
	int rc;

	if (dfukit_image_tlv_iter_begin(&it, &im->src, hdr, area) != 0)
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(it.status));
	snprintf(title, sizeof(title), "%s (offset: 0x%x)",
		 area == DFUKIT_IMAGE_TLV_AREA_PROTECTED ? "Protected TLV area" : "TLV area",
		 info_off);
	banner(o, title);
	fprintf(o, "magic:     0x%x\n", (unsigned)wire_get_le16(info + IMG_TLV_INFO_OFF_MAGIC));
	fprintf(o, "area size: 0x%x\n", (unsigned)wire_get_le16(info + IMG_TLV_INFO_OFF_TOTAL));
	while ((rc = dfukit_image_tlv_iter_next(&it, &tlv)) > 0) {
		fprintf(o, "        ---------------------------------------------\n");
		fprintf(o, "        type: %s (0x%x)\n", dumpinfo_tlv_name(tlv.type), tlv.type);
		fprintf(o, "        len:  0x%x\n", tlv.len);
		fprintf(o, "        data: ");
		print_bytes(o, im->buf + tlv.off, tlv.len, "              ");
	}
	if (rc < 0) {
		fflush(o);
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(it.status));
	}
	rule(o);
	return 0;
}

static const char *flag_str(uint8_t v, char *tmp, size_t n)
{
	const char *name = v == 1 ? "SET" : v == 2 ? "BAD" : v == 3 ? "UNSET" : "INVALID";

	snprintf(tmp, n, "%s (0x%x)", name, v);
	return tmp;
}

/* The trailer's max_align: 8 unless the magic is the aligned one for 16 or 32. */
static uint32_t trailer_max_align(const uint8_t *magic)
{
	uint8_t aligned[BOOT_MAGIC_SZ];
	uint32_t v;

	boot_magic_bytes(16, aligned);
	if (memcmp(magic + MAGIC_ALIGN_FIELD, aligned + MAGIC_ALIGN_FIELD,
		   BOOT_MAGIC_SZ - MAGIC_ALIGN_FIELD) != 0)
		return 8;
	v = wire_get_le16(magic);
	return v == 16 || v == 32 ? v : 8;
}

static void dump_trailer(FILE *o, const uint8_t *buf, size_t len, uint32_t image_end)
{
	const uint8_t *magic = buf + len - BOOT_MAGIC_SZ;
	size_t extra = len - image_end;
	uint32_t ma = extra >= BOOT_MAGIC_SZ ? trailer_max_align(magic) : 8;
	/* image_ok at -(align_up(16, ma) + ma), then copy_done and swap_info ma bytes below */
	size_t magic_area = ma <= BOOT_MAGIC_SZ ? BOOT_MAGIC_SZ : ma;
	size_t ok_back = magic_area + ma;

	banner(o, "Image trailer (offset: unknown)");
	fprintf(o, "(Note: some fields may not be used, depending on the update \nstrategy)\n\n");
	fprintf(o, "swap status: (len: unknown)\n");
	fprintf(o, "enc. keys:   Image not encrypted\n");
	fprintf(o, "swap size:   unknown\n");
	if (extra >= ok_back + 2 * ma) {
		char t1[32], t2[32], t3[32];

		fprintf(o, "swap_info:   %s\n",
			flag_str(buf[len - ok_back - 2 * ma], t1, sizeof(t1)));
		fprintf(o, "copy_done:   %s\n", flag_str(buf[len - ok_back - ma], t2, sizeof(t2)));
		fprintf(o, "image_ok:    %s\n", flag_str(buf[len - ok_back], t3, sizeof(t3)));
	} else {
		fprintf(o, "swap_info:   unknown\ncopy_done:   unknown\nimage_ok:    unknown\n");
	}
	if (extra >= BOOT_MAGIC_SZ) {
		fprintf(o, "boot magic:  ");
		print_bytes(o, magic, BOOT_MAGIC_SZ, "             ");
	} else {
		fprintf(o, "boot magic:  unknown\n");
	}
	fprintf(o, "\n");
}

const char *dumpinfo_base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Structure first, so that nothing is printed for a malformed image. */
int dumpinfo_check_structure(const struct cli_image *im, struct dfukit_image_header *hdr,
			     struct dfukit_image_tlv_iter *it)
{
	struct dfukit_image_tlv tlv;
	int r;

	if (im->len < DFUKIT_IMAGE_HEADER_SIZE)
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(DFUKIT_IMAGE_E_TRUNCATED));
	dfukit_image_header_decode(im->buf, hdr);
	if (hdr->magic != DFUKIT_IMAGE_MAGIC)
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(DFUKIT_IMAGE_E_BAD_MAGIC));
	if (dfukit_image_tlv_iter_begin(it, &im->src, hdr, DFUKIT_IMAGE_TLV_AREA_ALL) != 0)
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(it->status));
	while ((r = dfukit_image_tlv_iter_next(it, &tlv)) > 0)
		;
	if (r < 0)
		return cli_fail("dumpinfo", "%s", dfukit_image_strerror(it->status));
	return 0;
}

/* imgtool's IMAGE_F, in its order: each set flag by name, one per line. */
static void print_flags(FILE *o, uint32_t flags)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{"PIC", DFUKIT_IMAGE_F_PIC},
		{"ENCRYPTED_AES128", DFUKIT_IMAGE_F_ENCRYPTED_AES128},
		{"ENCRYPTED_AES256", DFUKIT_IMAGE_F_ENCRYPTED_AES256},
		{"NON_BOOTABLE", DFUKIT_IMAGE_F_NON_BOOTABLE},
		{"RAM_LOAD", DFUKIT_IMAGE_F_RAM_LOAD},
		{"ROM_FIXED", DFUKIT_IMAGE_F_ROM_FIXED},
		{"COMPRESSED_LZMA1", DFUKIT_IMAGE_F_COMPRESSED_LZMA1},
		{"COMPRESSED_LZMA2", DFUKIT_IMAGE_F_COMPRESSED_LZMA2},
		{"COMPRESSED_ARM_THUMB", DFUKIT_IMAGE_F_COMPRESSED_ARM_THUMB},
	};
	bool first = true;

	fprintf(o, "flags:              ");
	if (flags == 0)
		fprintf(o, "0x0");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bit) == 0)
			continue;
		fprintf(o, "%s%s (0x%x)", first ? "" : "\n                    ", names[i].name,
			names[i].bit);
		first = false;
	}
	fprintf(o, "\n");
}

static void dump_header(FILE *o, const char *path, const struct dfukit_image_header *hdr)
{
	char text[96];

	fprintf(o, "Printing content of signed image: %s \n\n", dumpinfo_base_name(path));
	banner(o, "Image header (offset: 0x0)");
	fprintf(o, "magic:              0x%x\n", hdr->magic);
	fprintf(o, "load_addr:          0x%x\n", hdr->load_addr);
	fprintf(o, "hdr_size:           0x%x\n", hdr->hdr_size);
	fprintf(o, "protected_tlv_size: 0x%x\n", hdr->protect_tlv_size);
	fprintf(o, "img_size:           0x%x\n", hdr->img_size);
	print_flags(o, hdr->flags);
	fprintf(o, "version:            %u.%u.%u+%lu\n", hdr->version.major, hdr->version.minor,
		hdr->version.revision, (unsigned long)hdr->version.build_num);
	rule(o);
	snprintf(text, sizeof(text), "Payload (offset: 0x%x)", hdr->hdr_size);
	banner(o, text);
	centered_row(o, "");
	snprintf(text, sizeof(text), "FW image (size: 0x%x Bytes)", hdr->img_size);
	centered_row(o, text);
	centered_row(o, "");
	rule(o);
}

static int dump_image(FILE *o, const char *path, const struct cli_image *im)
{
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv_iter it;

	if (dumpinfo_check_structure(im, &hdr, &it) != 0)
		return EXIT_FAILURE;
	dump_header(o, path, &hdr);
	if (hdr.protect_tlv_size != 0 &&
	    dump_area(o, im, &hdr, DFUKIT_IMAGE_TLV_AREA_PROTECTED, it.prot_off) != 0)
		return EXIT_FAILURE;
	if (dump_area(o, im, &hdr, DFUKIT_IMAGE_TLV_AREA_UNPROTECTED, it.unprot_off) != 0)
		return EXIT_FAILURE;
	if (im->len > it.end)
		dump_trailer(o, im->buf, im->len, it.end);
	fprintf(o, "#### End of Image  #########################################\n");
	return 0;
}

/* -h, -f human|yaml|json, -o FILE (yaml unless -f says), -s (ignored, as by imgtool 2.4). */
static int parse_dumpinfo_args(int argc, char **argv, struct dumpinfo_args *a)
{
	static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
					   {"format", required_argument, NULL, 'f'},
					   {"outfile", required_argument, NULL, 'o'},
					   {"silent", no_argument, NULL, 's'},
					   {NULL, 0, NULL, 0}};
	const char *fmt = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "hf:o:s", lo, NULL)) != -1) {
		switch (c) {
		case 'h': cli_show_help(dumpinfo_help, stdout); return 0;
		case 'f': fmt = optarg; break;
		case 'o': a->outfile = optarg; break;
		case 's': break;
		default: return cli_bad_option("dumpinfo", argv);
		}
	}
	if (fmt == NULL)
		fmt = a->outfile != NULL ? "yaml" : "human";
	if (strcmp(fmt, "human") == 0)
		a->format = DUMPINFO_HUMAN;
	else if (strcmp(fmt, "yaml") == 0)
		a->format = DUMPINFO_YAML;
	else if (strcmp(fmt, "json") == 0)
		a->format = DUMPINFO_JSON;
	else
		return cli_usage_err("dumpinfo", "-f must be human, yaml or json");
	return CLI_CONTINUE;
}

/* The whole output in memory first: nothing is written for a malformed image. */
static int run_dumpinfo(const struct dumpinfo_args *a, const char *path, const struct cli_image *im)
{
	char *text = NULL, err[512];
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	int rc;

	if (o == NULL)
		return cli_fail("dumpinfo", "out of memory");
	if (a->format == DUMPINFO_HUMAN)
		rc = dump_image(o, path, im);
	else
		rc = dumpinfo_structured(o, path, im, a->format, a->outfile == NULL);
	if (fclose(o) != 0 && rc == 0)
		rc = cli_fail("dumpinfo", "out of memory");
	if (rc == 0 && a->outfile == NULL)
		fwrite(text, 1, len, stdout);
	else if (rc == 0 && cli_write_file(a->outfile, text, len, err, sizeof(err)) != 0)
		rc = cli_fail("dumpinfo", "%s", err);
	free(text);
	return rc;
}

int cmd_dumpinfo(int argc, char **argv)
{
	struct dumpinfo_args a = {.format = DUMPINFO_HUMAN, .outfile = NULL};
	struct cli_image im;
	int rc = parse_dumpinfo_args(argc, argv, &a);

	if (rc == CLI_CONTINUE)
		rc = cli_check_image_arg("dumpinfo", argc, argv);
	if (rc == CLI_CONTINUE)
		rc = cli_image_load("dumpinfo", argv[optind], &im);
	if (rc == CLI_CONTINUE) {
		rc = run_dumpinfo(&a, argv[optind], &im);
		cli_image_free(&im);
	}
	return rc;
}
