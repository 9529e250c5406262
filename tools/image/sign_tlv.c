/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image sign: -d/--dependencies and --custom-tlv[-file] as imgtool reads them. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/wire.h"
#include "sign.h"

#define DEP_VALUE_LEN 12u /* image id, 3 zero bytes, major, minor, revision u16, build u32 */
#define MAX_DEPS      (sizeof(((struct sign_tlvs *)0)->deps) / sizeof(((struct sign_tlvs *)0)->deps[0]))
#define MAX_CUSTOM                                                                                 \
	(sizeof(((struct sign_tlvs *)0)->custom) / sizeof(((struct sign_tlvs *)0)->custom[0]))

/* Every match of re in s (group 1 of each), as Python's re.findall: the count, or -1. */
static int find_all(const char *pattern, const char *s, regmatch_t *out, int max)
{
	regex_t re;
	regmatch_t m[2];
	int n = 0;
	size_t off = 0;

	if (regcomp(&re, pattern, REG_EXTENDED) != 0)
		return -1;
	while (regexec(&re, s + off, 2, m, off != 0 ? REG_NOTBOL : 0) == 0) {
		if (n == max) {
			n = -1;
			break;
		}
		out[n].rm_so = m[1].rm_so + (regoff_t)off;
		out[n].rm_eo = m[1].rm_eo + (regoff_t)off;
		n++;
		off += (size_t)(m[0].rm_eo > 0 ? m[0].rm_eo : 1);
		if (off > strlen(s))
			break;
	}
	regfree(&re);
	return n;
}

static int one_dependency(struct sign_tlvs *t, const char *arg, regmatch_t id, regmatch_t ver)
{
	char buf[64];
	struct dfukit_image_version v;
	uint32_t image;
	uint8_t *p = t->dep_values[t->ndeps];

	snprintf(buf, sizeof(buf), "%.*s", (int)(id.rm_eo - id.rm_so), arg + id.rm_so);
	if (cli_parse_u32(buf, &image) != 0 || image > 0xff)
		return cli_usage_err("sign", "image ID %s of -d/--dependencies is not 0..255", buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)(ver.rm_eo - ver.rm_so), arg + ver.rm_so);
	if (imgsign_parse_version(buf, &v) != 0)
		return cli_usage_err(
			"sign", "Invalid version number, should be maj.min.rev+build with later "
				"parts optional");
	memset(p, 0, DEP_VALUE_LEN);
	p[0] = (uint8_t)image;
	p[4] = v.major;
	p[5] = v.minor;
	wire_put_le16(p + 6, v.revision);
	wire_put_le32(p + 8, v.build_num);
	t->deps[t->ndeps].type = DFUKIT_IMAGE_TLV_DEPENDENCY;
	t->deps[t->ndeps].len = DEP_VALUE_LEN;
	t->deps[t->ndeps].value = p;
	t->ndeps++;
	return CLI_CONTINUE;
}

int sign_parse_dependencies(struct sign_tlvs *t, const char *arg)
{
	regmatch_t ids[MAX_DEPS + 1], vers[MAX_DEPS + 1];
	int nid = find_all("\\(([0-9]+)", arg, ids, (int)MAX_DEPS + 1);
	int nver = find_all(",[[:space:]]*([0-9.+]+)\\)", arg, vers, (int)MAX_DEPS + 1);

	t->ndeps = 0; /* like any click option given twice, the last one counts */
	if (nid == 0)
		return cli_usage_err("sign", "Image dependency format is invalid: %s", arg);
	if (nid < 0 || nver < 0)
		return cli_usage_err("sign", "more than %zu dependencies in: %s", MAX_DEPS, arg);
	if (nid != nver)
		return cli_usage_err(
			"sign",
			"There's a mismatch between the number of dependency images and "
			"versions in: %s",
			arg);
	for (int i = 0; i < nid; i++) {
		int rc = one_dependency(t, arg, ids[i], vers[i]);

		if (rc != CLI_CONTINUE)
			return rc;
	}
	return CLI_CONTINUE;
}

/* "0x0102..": the bytes; anything else is the text itself (imgtool's rule). */
static int custom_value(const char *value, uint8_t **out, size_t *len)
{
	size_t n = strlen(value);

	if (strncmp(value, "0x", 2) != 0) {
		*out = malloc(n + 1);
		if (*out == NULL)
			return -ENOMEM;
		memcpy(*out, value, n);
		*len = n;
		return 0;
	}
	if ((n - 2) % 2 != 0)
		return -EINVAL;
	*out = malloc(n / 2 + 1);
	if (*out == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < (n - 2) / 2; i++) {
		char byte[3] = {value[2 + 2 * i], value[3 + 2 * i], 0};
		char *end;

		(*out)[i] = (uint8_t)strtoul(byte, &end, 16);
		if (*end != 0 || byte[0] == '-' || byte[0] == '+' || byte[0] == ' ') {
			free(*out);
			return -EBADMSG;
		}
	}
	*len = (n - 2) / 2;
	return 0;
}

static int custom_file(const char *path, uint8_t **out, size_t *len)
{
	char err[512];

	if (cli_read_file(path, out, len, err, sizeof(err)) != 0) {
		cli_fail("sign", "%s", err);
		return -EIO;
	}
	return 0;
}

int sign_add_custom_tlv(struct sign_tlvs *t, const char *tag, const char *value, bool is_file)
{
	uint32_t type;
	size_t len = 0;
	uint8_t *v = NULL;
	int rc;

	if (t->ncustom == MAX_CUSTOM)
		return cli_usage_err("sign", "more than %zu custom TLVs", MAX_CUSTOM);
	if (cli_parse_u32(tag, &type) != 0 || type > 0xffff)
		return cli_usage_err("sign", "invalid custom TLV tag '%s'", tag);
	rc = is_file ? custom_file(value, &v, &len) : custom_value(value, &v, &len);
	if (rc == -EIO)
		return EXIT_FAILURE;
	if (rc == -EINVAL)
		return cli_usage_err("sign", "Custom TLV length is odd.");
	if (rc == -EBADMSG)
		return cli_usage_err("sign", "custom TLV value '%s' is not hexadecimal", value);
	if (rc != 0)
		return cli_fail("sign", "out of memory");
	if (len > 0xffff) {
		free(v);
		return cli_usage_err("sign", "custom TLV 0x%x is %zu bytes (at most 65535)", type,
				     len);
	}
	t->custom[t->ncustom] = (struct imgsign_tlv){(uint16_t)type, (uint16_t)len, v};
	t->custom_values[t->ncustom] = v;
	t->custom_is_file[t->ncustom] = is_file;
	t->ncustom++;
	return CLI_CONTINUE;
}

/* imgtool's TLV_VALUES: a custom TLV may not take one of these types. */
static bool predefined_tlv(uint16_t type)
{
	static const uint16_t known[] = {
		DFUKIT_IMAGE_TLV_KEYHASH,
		DFUKIT_IMAGE_TLV_PUBKEY,
		DFUKIT_IMAGE_TLV_SHA256,
		DFUKIT_IMAGE_TLV_SHA384,
		DFUKIT_IMAGE_TLV_SHA512,
		DFUKIT_IMAGE_TLV_RSA2048_PSS,
		DFUKIT_IMAGE_TLV_ECDSA_SIG,
		DFUKIT_IMAGE_TLV_RSA3072_PSS,
		DFUKIT_IMAGE_TLV_ED25519,
		DFUKIT_IMAGE_TLV_SIG_PURE,
		DFUKIT_IMAGE_TLV_ENC_RSA2048,
		DFUKIT_IMAGE_TLV_ENC_KW,
		DFUKIT_IMAGE_TLV_ENC_EC256,
		DFUKIT_IMAGE_TLV_ENC_X25519,
		DFUKIT_IMAGE_TLV_ENC_X25519_SHA512,
		DFUKIT_IMAGE_TLV_DEPENDENCY,
		DFUKIT_IMAGE_TLV_SEC_CNT,
		DFUKIT_IMAGE_TLV_BOOT_RECORD,
		DFUKIT_IMAGE_TLV_DECOMP_SIZE,
		DFUKIT_IMAGE_TLV_DECOMP_SHA,
		DFUKIT_IMAGE_TLV_DECOMP_SIGNATURE,
		DFUKIT_IMAGE_TLV_COMP_DEC_SIZE,
		DFUKIT_IMAGE_TLV_UUID_VID,
		DFUKIT_IMAGE_TLV_UUID_CID,
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == type)
			return true;
	return false;
}

/* The order imgtool checks in: duplicate, predefined, then the vendor range. */
static int check_custom(const struct sign_tlvs *t, size_t i)
{
	uint16_t type = t->custom[i].type;

	for (size_t j = 0; j < i; j++)
		if (t->custom[j].type == type)
			return cli_usage_err("sign", "Custom TLV 0x%x already exists.", type);
	if (predefined_tlv(type))
		return cli_usage_err("sign", "Custom TLV 0x%x conflicts with predefined TLV.",
				     type);
	if (type < DFUKIT_IMAGE_TLV_VENDOR_MIN || type > DFUKIT_IMAGE_TLV_VENDOR_MAX)
		return cli_usage_err(
			"sign",
			"Invalid custom TLV type value '0x%04x', allowed value should be between "
			"0x%04x and 0x%04x",
			type, DFUKIT_IMAGE_TLV_VENDOR_MIN, DFUKIT_IMAGE_TLV_VENDOR_MAX);
	return CLI_CONTINUE;
}

int sign_finish_tlvs(struct sign_args *a)
{
	struct sign_tlvs *t = &a->tlvs;
	size_t n = 0;

	/* imgtool takes every --custom-tlv, then every --custom-tlv-file. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->ncustom; i++)
			if (t->custom_is_file[i] == (pass == 1))
				t->all[t->ndeps + n++] = t->custom[i];
	memcpy(t->custom, t->all + t->ndeps, n * sizeof(t->custom[0]));
	for (size_t i = 0; i < t->ncustom; i++) {
		int rc = check_custom(t, i);

		if (rc != CLI_CONTINUE)
			return rc;
	}
	memcpy(t->all, t->deps, t->ndeps * sizeof(t->deps[0]));
	a->o.prot = t->all;
	a->o.nprot = t->ndeps + t->ncustom;
	return CLI_CONTINUE;
}

void sign_free_tlvs(struct sign_tlvs *t)
{
	for (size_t i = 0; i < t->ncustom; i++)
		free(t->custom_values[i]);
	t->ncustom = 0;
}
