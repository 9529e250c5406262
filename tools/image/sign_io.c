/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-image sign: INFILE in (raw binary, or Intel HEX by its extension), the
 * image built, OUTFILE (and --sig-out) written atomically: both or neither.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "ihex.h"
#include "sign.h"

/* Base64 of the largest signature, with room for line ends in a --fix-sig file. */
#define SIG_B64_MAX 4096u

struct sign_job {
	struct sign_args *a;
	uint8_t *payload;
	size_t plen;
	bool in_hex;
	uint32_t base; /* the input's lowest address (Intel HEX input) */
	uint8_t *img;
	size_t ilen;
	struct imgsign_result res;
	uint8_t fix_sig[IMGKEY_SIG_MAX];
	char err[512];
};

/* --fix-sig FILE: base64, as imgtool's base64.b64decode (whitespace ignored). */
static int read_fix_sig(struct sign_job *j)
{
	struct sign_args *a = j->a;
	uint8_t *raw, clean[SIG_B64_MAX];
	size_t len, n = 0, out = 0;

	if (cli_read_file(a->fix_sig, &raw, &len, j->err, sizeof(j->err)) != 0)
		return cli_fail("sign", "%s", j->err);
	for (size_t i = 0; i < len && n < sizeof(clean); i++)
		if (raw[i] != ' ' && raw[i] != '\n' && raw[i] != '\r' && raw[i] != '\t')
			clean[n++] = raw[i];
	free(raw);
	if (n == sizeof(clean) ||
	    mbedtls_base64_decode(j->fix_sig, sizeof(j->fix_sig), &out, clean, n) != 0 || out == 0)
		return cli_fail("sign", "'%s' is not a base64 signature of at most %u bytes",
				a->fix_sig, IMGKEY_SIG_MAX);
	a->o.fix_sig = j->fix_sig;
	a->o.fix_sig_len = out;
	return 0;
}

static int read_input(struct sign_job *j)
{
	struct sign_args *a = j->a;
	uint8_t *text;
	size_t len;
	int rc;

	if (cli_read_file(a->in, &j->payload, &j->plen, j->err, sizeof(j->err)) != 0)
		return cli_fail("sign", "%s", j->err);
	j->in_hex = cli_has_hex_ext(a->in);
	if (!j->in_hex)
		return 0;
	text = j->payload;
	len = j->plen;
	rc = ihex_parse(a->in, (const char *)text, len, &j->payload, &j->plen, &j->base, j->err,
			sizeof(j->err));
	free(text);
	if (rc != 0)
		return cli_fail("sign", "%s", j->err);
	/* imgtool moves a non-zero base address down by the header it prepends. */
	if (a->o.pad_header && j->base != 0) {
		if (j->base < a->o.header_size)
			return cli_fail(
				"sign",
				"'%s' starts at 0x%x, below the %u header bytes --pad-header adds",
				a->in, j->base, a->o.header_size);
		j->base -= a->o.header_size;
	}
	return 0;
}

/*
 * Intel HEX output, as imgtool writes it: the image at the base address; with
 * --pad, not the padding but only the trailer's image_ok field (--confirm/--test)
 * and its boot magic, at the end of the slot.
 */
static int hex_output(struct sign_job *j, char **text, size_t *len)
{
	const struct imgsign_opts *o = &j->a->o;
	uint32_t base = j->a->have_hex_addr ? j->a->hex_addr : j->base;
	struct ihex_seg segs[3] = {{base, j->img, j->res.image_len}};
	size_t n = 1;

	if (o->pad) {
		uint32_t ok = imgsign_image_ok_from_end(o), slot = o->slot_size;

		if ((o->confirm || o->test) && !o->overwrite_only)
			segs[n++] = (struct ihex_seg){base + (slot - ok), j->img + (j->ilen - ok),
						      imgsign_max_align(o)};
		segs[n++] = (struct ihex_seg){base + (slot - 16), j->img + (j->ilen - 16), 16};
		if ((uint64_t)base + slot > 0x100000000ull)
			return img_errf(j->err, sizeof(j->err), -EFBIG,
					"the slot ends beyond 4 GiB");
	}
	return ihex_format(segs, n, text, len, j->err, sizeof(j->err));
}

/* OUTFILE, then --sig-out (base64, no line end), both renamed into place at the end. */
static int write_outputs(struct sign_job *j)
{
	struct sign_args *a = j->a;
	struct cli_outfile out = {.path = a->out}, sig = {.path = a->sig_out};
	char *text = NULL;
	unsigned char b64[SIG_B64_MAX];
	size_t tlen = 0, blen = 0;
	int rc = 0;

	if (cli_has_hex_ext(a->out))
		rc = hex_output(j, &text, &tlen);
	if (rc == 0)
		rc = text != NULL
			     ? cli_outfile_write(&out, text, tlen, j->err, sizeof(j->err))
			     : cli_outfile_write(&out, j->img, j->ilen, j->err, sizeof(j->err));
	free(text);
	if (rc == 0 && a->sig_out != NULL) {
		if (mbedtls_base64_encode(b64, sizeof(b64), &blen, j->res.sig, j->res.sig_len) != 0)
			rc = img_errf(j->err, sizeof(j->err), -EIO, "base64 encoding failed");
		if (rc == 0)
			rc = cli_outfile_write(&sig, b64, blen, j->err, sizeof(j->err));
		if (rc != 0)
			cli_outfile_discard(&out);
	}
	if (rc == 0)
		rc = cli_outfile_commit(&out, j->err, sizeof(j->err));
	if (rc == 0 && a->sig_out != NULL)
		rc = cli_outfile_commit(&sig, j->err, sizeof(j->err));
	else
		cli_outfile_discard(&sig);
	return rc != 0 ? cli_fail("sign", "%s", j->err) : 0;
}

int sign_run(struct sign_args *a, const struct imgkey *key, const struct imgkey *fix_key)
{
	struct sign_job *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL)
		return cli_fail("sign", "out of memory");
	j->a = a;
	a->o.fix_sig_key = fix_key;
	rc = a->fix_sig != NULL ? read_fix_sig(j) : 0;
	if (rc == 0)
		rc = read_input(j);
	if (rc == 0 && imgsign_build_ex(&a->o, key, j->payload, j->plen, &j->img, &j->ilen, &j->res,
					j->err, sizeof(j->err)) != 0)
		rc = cli_fail("sign", "%s", j->err);
	if (rc == 0)
		rc = write_outputs(j);
	free(j->payload);
	free(j->img);
	free(j);
	return rc;
}
