/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-image dumpinfo -f yaml|json: imgtool 2.4's image info (filename, header,
 * tlv_area, trailer) as PyYAML's yaml.dump(sort_keys=False) and Python's
 * json.dump(indent=2) write it: bytes are !!binary base64 / lowercase hex.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "dfukit/boot.h"
#include "dfukit/wire.h"
#include "dumpinfo.h"
#include "imgformat.h"

#define B64_LINE        76 /* Python's base64.encodebytes */
#define TRAILER_FIELDS  5
#define BOOT_MAGIC2_OFF 2 /* the aligned magic: max_align (u16), then a fixed tail */

enum kind { K_INT, K_STR, K_BIN, K_MAP, K_LIST };

/* One key of a mapping: a number, a string, bytes, a mapping or a list of mappings. */
struct field {
	const char *key;
	enum kind kind;
	uint64_t i;
	const char *s;
	const uint8_t *b;
	size_t n;                /* bytes, or fields / items */
	const struct field *sub; /* K_MAP: n fields; K_LIST: n items of sub_n fields each */
	size_t sub_n;
};

/* ---- YAML ---------------------------------------------------------------------------- */

/* PyYAML's implicit resolvers: a string they match is quoted to stay a string. */
static bool yaml_resolves(const char *s)
{
	static const char *const pats[] = {
		"^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
		"^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
		"[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
		"^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?|"
		"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))"
		"$",
		"^(~|null|Null|NULL|<<|=)?$",
		"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ "
		"\t]+)[0-9]{1,2}:"
		"[0-9]{2}:[0-9]{2}(\\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$",
	};
	bool hit = false;

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]) && !hit; i++) {
		regex_t re;

		if (regcomp(&re, pats[i], REG_EXTENDED | REG_NOSUB) != 0)
			return true; /* cannot tell: quoting is always correct */
		hit = regexec(&re, s, 0, NULL, 0) == 0;
		regfree(&re);
	}
	return hit;
}

static bool is_ws(char c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* PyYAML's analyze_scalar, for one line: 0 plain, 1 single quoted, 2 double quoted. */
static int yaml_style(const char *s)
{
	size_t n = strlen(s);
	bool special = false, indicator = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool next_ws = is_ws(s[i + 1]);

		if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
			special = true;
		if (i == 0 && (strchr("#,[]{}&*!|>'\"%@`", c) != NULL ||
			       (strchr("?:-", c) != NULL && next_ws)))
			indicator = true;
		if (i > 0 && ((c == ':' && next_ws) || (c == '#' && s[i - 1] == ' ')))
			indicator = true;
	}
	if (special)
		return 2;
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || indicator || strncmp(s, "---", 3) == 0 ||
	    strncmp(s, "...", 3) == 0 || yaml_resolves(s))
		return 1;
	return 0;
}

/* One code point of s (UTF-8; a stray byte b is Python's surrogateescape 0xdc00 + b). */
static uint32_t next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	int more = s[0] >= 0xf0 && s[0] < 0xf5 ? 3 : s[0] >= 0xe0 ? 2 : s[0] >= 0xc2 ? 1 : 0;
	uint32_t cp = more == 3 ? s[0] & 7u : more == 2 ? s[0] & 15u : s[0] & 31u;

	if (s[0] < 0x80 || more == 0 || s[0] >= 0xf5) {
		*p = s + 1;
		return s[0] < 0x80 ? s[0] : 0xdc00u + s[0];
	}
	for (int i = 1; i <= more; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return 0xdc00u + s[0];
		}
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	*p = s + more + 1;
	return cp;
}

static void yaml_double_quoted(FILE *o, const char *s)
{
	static const char esc_from[] = "\a\b\t\n\v\f\r\x1b\"\\";
	static const char esc_to[] = "abtnvfre\"\\";
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', o);
	while (*p != 0) {
		uint32_t cp = next_cp(&p);
		const char *e = cp != 0 && cp < 0x80 ? strchr(esc_from, (int)cp) : NULL;

		if (e != NULL)
			fprintf(o, "\\%c", esc_to[e - esc_from]);
		else if (cp >= 0x20 && cp <= 0x7e)
			fputc((int)cp, o);
		else if (cp == 0x85 || cp == 0xa0 || cp == 0x2028 || cp == 0x2029)
			fprintf(o, "\\%c",
				cp == 0x85     ? 'N'
				: cp == 0xa0   ? '_'
				: cp == 0x2028 ? 'L'
					       : 'P');
		else if (cp <= 0xff)
			fprintf(o, "\\x%02X", (unsigned)cp);
		else if (cp <= 0xffff)
			fprintf(o, "\\u%04X", (unsigned)cp);
		else
			fprintf(o, "\\U%08X", (unsigned)cp);
	}
	fputc('"', o);
}

static void yaml_scalar(FILE *o, const char *s)
{
	int style = yaml_style(s);

	if (style == 0) {
		fputs(s, o);
	} else if (style == 1) {
		fputc('\'', o);
		for (; *s != 0; s++)
			fputs(*s == '\'' ? "''" : (char[]){*s, 0}, o);
		fputc('\'', o);
	} else {
		yaml_double_quoted(o, s);
	}
}

/* !!binary: base64 in 76-character lines, indented. */
static void yaml_binary(FILE *o, const uint8_t *b, size_t n, int indent)
{
	size_t cap = (n + 2) / 3 * 4 + 1, len = 0;
	unsigned char *t = malloc(cap);

	if (n == 0 || t == NULL || mbedtls_base64_encode(t, cap, &len, b, n) != 0) {
		fputs(n == 0 ? " !!binary \"\"\n" : " !!binary \"\"\n", o);
		free(t);
		return;
	}
	fputs(" !!binary |\n", o);
	for (size_t i = 0; i < len; i += B64_LINE)
		fprintf(o, "%*s%.*s\n", indent, "", (int)(len - i < B64_LINE ? len - i : B64_LINE),
			t + i);
	free(t);
}

static void yaml_fields(FILE *o, const struct field *f, size_t n, int indent, bool first_dash);

static void yaml_value(FILE *o, const struct field *f, int indent)
{
	switch (f->kind) {
	case K_INT: fprintf(o, " %llu\n", (unsigned long long)f->i); break;
	case K_STR:
		fputc(' ', o);
		yaml_scalar(o, f->s);
		fputc('\n', o);
		break;
	case K_BIN: yaml_binary(o, f->b, f->n, indent + 2); break;
	case K_MAP:
		fputs(f->n == 0 ? " {}\n" : "\n", o);
		yaml_fields(o, f->sub, f->n, indent + 2, false);
		break;
	case K_LIST:
		fputs(f->n == 0 ? " []\n" : "\n", o);
		for (size_t i = 0; i < f->n; i++) /* PyYAML's indentless sequence */
			yaml_fields(o, f->sub + i * f->sub_n, f->sub_n, indent + 2, true);
		break;
	}
}

static void yaml_fields(FILE *o, const struct field *f, size_t n, int indent, bool first_dash)
{
	for (size_t i = 0; i < n; i++) {
		if (first_dash && i == 0)
			fprintf(o, "%*s- %s:", indent - 2, "", f[i].key);
		else
			fprintf(o, "%*s%s:", indent, "", f[i].key);
		yaml_value(o, &f[i], indent);
	}
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* Python's json.dumps of a str (ensure_ascii): \uXXXX beyond ASCII, surrogate pairs above. */
static void json_string(FILE *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', o);
	while (*p != 0) {
		uint32_t cp = next_cp(&p);

		if (cp == '"' || cp == '\\')
			fprintf(o, "\\%c", (char)cp);
		else if (cp == '\n' || cp == '\r' || cp == '\t' || cp == '\b' || cp == '\f')
			fprintf(o, "\\%c",
				cp == '\n'   ? 'n'
				: cp == '\r' ? 'r'
				: cp == '\t' ? 't'
				: cp == '\b' ? 'b'
					     : 'f');
		else if (cp >= 0x20 && cp < 0x7f)
			fputc((int)cp, o);
		else if (cp > 0xffff)
			fprintf(o, "\\u%04x\\u%04x", 0xd800u + ((cp - 0x10000u) >> 10),
				0xdc00u + ((cp - 0x10000u) & 0x3ffu));
		else
			fprintf(o, "\\u%04x", (unsigned)cp);
	}
	fputc('"', o);
}

static void json_object(FILE *o, const struct field *f, size_t n, int indent);

static void json_value(FILE *o, const struct field *f, int indent)
{
	switch (f->kind) {
	case K_INT: fprintf(o, "%llu", (unsigned long long)f->i); break;
	case K_STR: json_string(o, f->s); break;
	case K_BIN:
		fputc('"', o);
		for (size_t i = 0; i < f->n; i++)
			fprintf(o, "%02x", f->b[i]);
		fputc('"', o);
		break;
	case K_MAP: json_object(o, f->sub, f->n, indent); break;
	case K_LIST:
		if (f->n == 0) {
			fputs("[]", o);
			break;
		}
		fputs("[\n", o);
		for (size_t i = 0; i < f->n; i++) {
			fprintf(o, "%*s", indent + 2, "");
			json_object(o, f->sub + i * f->sub_n, f->sub_n, indent + 2);
			fputs(i + 1 < f->n ? ",\n" : "\n", o);
		}
		fprintf(o, "%*s]", indent, "");
		break;
	}
}

static void json_object(FILE *o, const struct field *f, size_t n, int indent)
{
	if (n == 0) {
		fputs("{}", o);
		return;
	}
	fputs("{\n", o);
	for (size_t i = 0; i < n; i++) {
		fprintf(o, "%*s", indent + 2, "");
		json_string(o, f[i].key);
		fputs(": ", o);
		json_value(o, &f[i], indent + 2);
		fputs(i + 1 < n ? ",\n" : "\n", o);
	}
	fprintf(o, "%*s}", indent, "");
}

/* ---- imgtool's image info -------------------------------------------------------------- */

#define F_INT(k, v)                                                                                \
	{                                                                                          \
		.key = (k), .kind = K_INT, .i = (v)                                                \
	}

/* One TLV area's TLVs as list items of type, type_name, len, data; NULL if out of memory. */
static struct field *area_tlvs(const struct cli_image *im, const struct dfukit_image_header *hdr,
			       enum dfukit_image_tlv_area area, size_t *count)
{
	struct dfukit_image_tlv_iter it;
	struct dfukit_image_tlv tlv;
	struct field *f = NULL, *nf;
	size_t n = 0;

	*count = 0;
	if (dfukit_image_tlv_iter_begin(&it, &im->src, hdr, area) != 0)
		return calloc(1, sizeof(*f));
	while (dfukit_image_tlv_iter_next(&it, &tlv) > 0) {
		nf = realloc(f, (n + 1) * 4 * sizeof(*f));
		if (nf == NULL) {
			free(f);
			return NULL;
		}
		f = nf;
		f[n * 4 + 0] = (struct field)F_INT("type", tlv.type);
		f[n * 4 + 1] = (struct field){
			.key = "type_name", .kind = K_STR, .s = dumpinfo_tlv_name(tlv.type)};
		f[n * 4 + 2] = (struct field)F_INT("len", tlv.len);
		f[n * 4 + 3] = (struct field){
			.key = "len", .kind = K_BIN, .b = im->buf + tlv.off, .n = tlv.len};
		f[n * 4 + 3].key = "data";
		n++;
	}
	*count = n;
	return f != NULL ? f : calloc(1, sizeof(*f));
}

/* A u32 at off counted back from the end (imgtool's negative index), if it is in the file. */
static bool back(size_t len, size_t *off, size_t by)
{
	if (*off < by)
		return false;
	*off -= by;
	return *off < len;
}

/*
 * imgtool's trailer: the last 16 bytes as magic if anything follows the TLVs; with
 * a known magic (8-byte alignment, or the aligned one naming max_align) image_ok,
 * copy_done, swap_info (one max_align apart) and swap_size below it.
 */
static size_t trailer_fields(FILE *warn, const struct cli_image *im,
			     const struct dfukit_image_header *hdr, size_t end, struct field *t)
{
	static const char *const names[] = {"image_ok", "copy_done", "swap_info"};
	const uint8_t *magic = im->buf + im->len - BOOT_MAGIC_SZ;
	uint8_t m8[BOOT_MAGIC_SZ], m16[BOOT_MAGIC_SZ];
	size_t n = 0, off = im->len - BOOT_MAGIC_SZ, ma;

	if (im->len <= end || im->len < BOOT_MAGIC_SZ)
		return 0;
	t[n++] = (struct field){.key = "magic", .kind = K_BIN, .b = magic, .n = BOOT_MAGIC_SZ};
	boot_magic_bytes(8, m8);
	boot_magic_bytes(16, m16);
	if (memcmp(magic, m8, BOOT_MAGIC_SZ) == 0) {
		ma = 8;
	} else if (memcmp(magic + BOOT_MAGIC2_OFF, m16 + BOOT_MAGIC2_OFF,
			  BOOT_MAGIC_SZ - BOOT_MAGIC2_OFF) == 0) {
		ma = wire_get_le16(magic);
	} else {
		fprintf(warn, "Warning: the trailer magic value is invalid!\n");
		return n;
	}
	if (ma > BOOT_MAGIC_SZ && !back(im->len, &off, ma - BOOT_MAGIC_SZ))
		return n;
	for (size_t i = 0; i < 3; i++) {
		if (!back(im->len, &off, ma))
			return n;
		t[n++] = (struct field)F_INT(names[i], im->buf[off]);
	}
	if (!back(im->len, &off, ma) || off + 4 > im->len)
		return n;
	t[n++] = (struct field)F_INT("swap_size", wire_get_le32(im->buf + off));
	if (hdr->flags & (DFUKIT_IMAGE_F_ENCRYPTED_AES128 | DFUKIT_IMAGE_F_ENCRYPTED_AES256))
		t[n++] = (struct field)F_INT("key_field_len", ((16 + ma - 1) & ~(ma - 1)) * 2);
	return n;
}

static void info_header(const struct dfukit_image_header *hdr, char *version, size_t vlen,
			struct field *h)
{
	snprintf(version, vlen, "%u.%u.%u+%lu", hdr->version.major, hdr->version.minor,
		 hdr->version.revision, (unsigned long)hdr->version.build_num);
	h[0] = (struct field)F_INT("magic", hdr->magic);
	h[1] = (struct field)F_INT("load_addr", hdr->load_addr);
	h[2] = (struct field)F_INT("hdr_size", hdr->hdr_size);
	h[3] = (struct field)F_INT("protected_tlv_size", hdr->protect_tlv_size);
	h[4] = (struct field)F_INT("img_size", hdr->img_size);
	h[5] = (struct field)F_INT("flags", hdr->flags);
	h[6] = (struct field){.key = "version", .kind = K_STR, .s = version};
}

/* A TLV info header (magic, tlv_tot) at off. */
static void info_tlv_hdr(const uint8_t *info, struct field *f)
{
	f[0] = (struct field)F_INT("magic", wire_get_le16(info + IMG_TLV_INFO_OFF_MAGIC));
	f[1] = (struct field)F_INT("tlv_tot", wire_get_le16(info + IMG_TLV_INFO_OFF_TOTAL));
}

static void write_info(FILE *o, const struct field *top, size_t n, enum dumpinfo_format fmt,
		       bool to_stdout)
{
	if (fmt == DUMPINFO_YAML) {
		yaml_fields(o, top, n, 0, false);
		return;
	}
	json_object(o, top, n, 0);
	if (to_stdout)
		fputc('\n', o);
}

int dumpinfo_structured(FILE *o, const char *path, const struct cli_image *im,
			enum dumpinfo_format fmt, bool to_stdout)
{
	struct dfukit_image_header hdr;
	struct dfukit_image_tlv_iter it;
	struct field h[7], ph[2], uh[2], tr[TRAILER_FIELDS + 1], area[4], top[4];
	struct field *prot, *unprot;
	size_t np, nu, nt;
	char version[64];

	if (dumpinfo_check_structure(im, &hdr, &it) != 0)
		return EXIT_FAILURE;
	prot = area_tlvs(im, &hdr, DFUKIT_IMAGE_TLV_AREA_PROTECTED, &np);
	unprot = area_tlvs(im, &hdr, DFUKIT_IMAGE_TLV_AREA_UNPROTECTED, &nu);
	if (prot == NULL || unprot == NULL) {
		free(prot);
		free(unprot);
		return cli_fail("dumpinfo", "out of memory");
	}
	info_header(&hdr, version, sizeof(version), h);
	if (hdr.protect_tlv_size != 0)
		info_tlv_hdr(im->buf + it.prot_off, ph);
	info_tlv_hdr(im->buf + it.unprot_off, uh);
	nt = trailer_fields(to_stdout ? o : stdout, im, &hdr, it.end, tr);
	area[0] = (struct field){.key = "tlv_hdr_prot",
				 .kind = K_MAP,
				 .sub = ph,
				 .n = hdr.protect_tlv_size != 0 ? 2 : 0};
	area[1] = (struct field){
		.key = "tlvs_prot", .kind = K_LIST, .sub = prot, .n = np, .sub_n = 4};
	area[2] = (struct field){.key = "tlv_hdr", .kind = K_MAP, .sub = uh, .n = 2};
	area[3] = (struct field){.key = "tlvs", .kind = K_LIST, .sub = unprot, .n = nu, .sub_n = 4};
	top[0] = (struct field){.key = "filename", .kind = K_STR, .s = dumpinfo_base_name(path)};
	top[1] = (struct field){.key = "header", .kind = K_MAP, .sub = h, .n = 7};
	top[2] = (struct field){.key = "tlv_area", .kind = K_MAP, .sub = area, .n = 4};
	top[3] = (struct field){.key = "trailer", .kind = K_MAP, .sub = tr, .n = nt};
	write_info(o, top, 4, fmt, to_stdout);
	free(prot);
	free(unprot);
	return 0;
}
