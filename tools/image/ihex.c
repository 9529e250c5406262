/* SPDX-License-Identifier: Apache-2.0 */
/* Intel HEX in and out, record for record as python3-intelhex (imgtool) reads and writes it. */
#include "ihex.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgkey.h" /* img_errf */

/* Record types. */
enum {
	REC_DATA = 0,
	REC_EOF = 1,
	REC_EXT_SEG = 2,
	REC_START_SEG = 3,
	REC_EXT_LIN = 4,
	REC_START_LIN = 5
};

/* Bytes of a record without its data: length, address (2), type, checksum. */
#define REC_OVERHEAD   5u
#define REC_DATA_MAX   16u /* intelhex's byte_count */
#define ADDR_SPACE_END 0x100000000ull

/* One decoded line: bin[] = length, address, type, data, checksum. */
struct rec {
	uint8_t bin[REC_OVERHEAD + 255];
	size_t n;
};

struct parser {
	const char *name;
	uint64_t offset; /* from type 02/04 records */
	bool have_start;
	uint64_t lo, hi; /* lowest address, highest + 1 (lo == hi: no data yet) */
	uint8_t *buf;    /* pass 2: the span, 0xff filled */
	uint8_t *seen;   /* pass 2: one bit per byte, for overlaps */
	char *err;
	size_t errlen;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int bad_line(struct parser *p, size_t line, const char *what)
{
	return img_errf(p->err, p->errlen, -EINVAL, "'%s' line %zu: %s", p->name, line, what);
}

/* ":LLAAAATT...CC" into r; the checksum makes the byte sum 0. */
static int decode_line(struct parser *p, const char *s, size_t len, size_t line, struct rec *r)
{
	unsigned sum = 0;

	if (s[0] != ':' || (len - 1) % 2 != 0 || (len - 1) / 2 > sizeof(r->bin))
		return bad_line(p, line, "not an Intel HEX record");
	r->n = (len - 1) / 2;
	for (size_t i = 0; i < r->n; i++) {
		int h = hexval(s[1 + 2 * i]), l = hexval(s[2 + 2 * i]);

		if (h < 0 || l < 0)
			return bad_line(p, line, "not an Intel HEX record");
		r->bin[i] = (uint8_t)(h * 16 + l);
		sum += r->bin[i];
	}
	if (r->n < REC_OVERHEAD)
		return bad_line(p, line, "record too short");
	if (r->n != REC_OVERHEAD + r->bin[0])
		return bad_line(p, line, "record length does not match its data");
	if (r->bin[3] > REC_START_LIN)
		return bad_line(p, line, "unknown record type");
	if ((sum & 0xffu) != 0)
		return bad_line(p, line, "checksum error");
	return 0;
}

static int data_record(struct parser *p, const struct rec *r, size_t line)
{
	uint64_t addr = p->offset + (uint64_t)(r->bin[1] << 8 | r->bin[2]);
	size_t n = r->bin[0];

	if (addr + n > ADDR_SPACE_END)
		return bad_line(p, line, "data beyond 4 GiB");
	if (p->buf == NULL) { /* pass 1: the extent */
		if (n != 0 && (p->lo == p->hi || addr < p->lo))
			p->lo = addr;
		if (n != 0 && addr + n > p->hi)
			p->hi = addr + n;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t at = addr + i - p->lo;

		if (p->seen[at / 8] & (1u << (at % 8)))
			return img_errf(p->err, p->errlen, -EINVAL,
					"'%s' line %zu: data at 0x%llx given twice", p->name, line,
					(unsigned long long)(addr + i));
		p->seen[at / 8] |= (uint8_t)(1u << (at % 8));
		p->buf[at] = r->bin[4 + i];
	}
	return 0;
}

/* Records other than data: 1 when the EOF record ends the file, 0 to go on. */
static int other_record(struct parser *p, const struct rec *r, size_t line)
{
	uint8_t type = r->bin[3], len = r->bin[0];
	bool at0 = r->bin[1] == 0 && r->bin[2] == 0;

	switch (type) {
	case REC_EOF: return len == 0 ? 1 : bad_line(p, line, "bad end of file record");
	case REC_EXT_SEG:
	case REC_EXT_LIN:
		if (len != 2 || !at0)
			return bad_line(p, line, "bad extended address record");
		p->offset = (uint64_t)(r->bin[4] << 8 | r->bin[5]) *
			    (type == REC_EXT_SEG ? 16u : 65536u);
		return 0;
	default: /* start address: checked, not kept (imgtool's output has none) */
		if (len != 4 || !at0)
			return bad_line(p, line, "bad start address record");
		if (p->have_start)
			return bad_line(p, line, "second start address record");
		p->have_start = true;
		return 0;
	}
}

static int run_pass(struct parser *p, const char *text, size_t len)
{
	struct rec r;
	size_t line = 0, pos = 0;

	p->offset = 0;
	p->have_start = false;
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		int rc;

		pos += n + (nl != NULL);
		line++;
		while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		if (n == 0)
			continue;
		rc = decode_line(p, s, n, line, &r);
		if (rc == 0)
			rc = r.bin[3] == REC_DATA ? data_record(p, &r, line)
						  : other_record(p, &r, line);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

int ihex_parse(const char *name, const char *text, size_t len, uint8_t **out, size_t *out_len,
	       uint32_t *base, char *err, size_t errlen)
{
	struct parser p = {.name = name, .err = err, .errlen = errlen};
	size_t span;
	int rc = run_pass(&p, text, len);

	*out = NULL;
	*out_len = 0;
	if (rc != 0)
		return rc;
	if (p.lo == p.hi)
		return img_errf(err, errlen, -EINVAL, "'%s' holds no data", name);
	if (p.hi - p.lo > IHEX_SPAN_MAX)
		return img_errf(err, errlen, -EFBIG, "'%s' spans 0x%llx bytes (at most 0x%x)", name,
				(unsigned long long)(p.hi - p.lo), IHEX_SPAN_MAX);
	span = (size_t)(p.hi - p.lo);
	p.buf = malloc(span);
	p.seen = calloc(span / 8 + 1, 1);
	if (p.buf == NULL || p.seen == NULL)
		rc = img_errf(err, errlen, -ENOMEM, "out of memory reading '%s'", name);
	else {
		memset(p.buf, 0xff, span);
		rc = run_pass(&p, text, len);
	}
	free(p.seen);
	if (rc != 0) {
		free(p.buf);
		return rc;
	}
	*out = p.buf;
	*out_len = span;
	*base = (uint32_t)p.lo;
	return 0;
}

/* ---- output ------------------------------------------------------------------ */

struct outbuf {
	char *s;
	size_t len, cap;
};

/* One record: ':' + hex of length, address, type, data, checksum, "\n". */
static int put_record(struct outbuf *o, uint16_t addr, uint8_t type, const uint8_t *data, size_t n)
{
	uint8_t bin[REC_OVERHEAD + REC_DATA_MAX];
	unsigned sum = 0;
	size_t need = 1 + 2 * (REC_OVERHEAD + n) + 1;

	if (o->cap - o->len < need + 1) {
		size_t cap = o->cap * 2 + need + 1;
		char *s = realloc(o->s, cap);

		if (s == NULL)
			return -ENOMEM;
		o->s = s;
		o->cap = cap;
	}
	bin[0] = (uint8_t)n;
	bin[1] = (uint8_t)(addr >> 8);
	bin[2] = (uint8_t)addr;
	bin[3] = type;
	if (n > 0)
		memcpy(bin + 4, data, n); /* an end-of-file record has no data (data may be NULL) */
	for (size_t i = 0; i < 4 + n; i++)
		sum += bin[i];
	bin[4 + n] = (uint8_t)(0x100u - (sum & 0xffu));
	o->s[o->len++] = ':';
	for (size_t i = 0; i < REC_OVERHEAD + n; i++)
		o->len += (size_t)snprintf(o->s + o->len, 3, "%02X", bin[i]);
	o->s[o->len++] = '\n';
	return 0;
}

static int put_segment(struct outbuf *o, const struct ihex_seg *sg, bool need_ofs, int64_t *high)
{
	size_t done = 0;
	int rc = 0;

	while (rc == 0 && done < sg->len) {
		uint32_t addr = sg->addr + (uint32_t)done;
		size_t n = sg->len - done, to64k = 0x10000u - (addr & 0xffffu);

		if (need_ofs && (int64_t)(addr >> 16) != *high) {
			uint8_t hi[2] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16)};

			*high = addr >> 16;
			rc = put_record(o, 0, REC_EXT_LIN, hi, sizeof(hi));
			if (rc != 0)
				break;
		}
		n = n < REC_DATA_MAX ? n : REC_DATA_MAX;
		n = n < to64k ? n : to64k;
		rc = put_record(o, (uint16_t)addr, REC_DATA, sg->data + done, n);
		done += n;
	}
	return rc;
}

/* Segments that touch are one run of records, as intelhex (a byte per address) sees them. */
static int put_run(struct outbuf *o, const struct ihex_seg *segs, size_t n, bool need_ofs,
		   int64_t *high)
{
	struct ihex_seg run = segs[0];
	uint8_t *joined = NULL;
	int rc;

	if (n > 1) {
		size_t len = 0;

		for (size_t i = 0; i < n; i++)
			len += segs[i].len;
		joined = malloc(len);
		if (joined == NULL)
			return -ENOMEM;
		len = 0;
		for (size_t i = 0; i < n; i++) {
			memcpy(joined + len, segs[i].data, segs[i].len);
			len += segs[i].len;
		}
		run.data = joined;
		run.len = len;
	}
	rc = put_segment(o, &run, need_ofs, high);
	free(joined);
	return rc;
}

int ihex_format(const struct ihex_seg *segs, size_t n, char **out, size_t *out_len, char *err,
		size_t errlen)
{
	struct outbuf o = {0};
	uint64_t max_end = 0;
	int64_t high = -1;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if ((uint64_t)segs[i].addr + segs[i].len > ADDR_SPACE_END)
			return img_errf(err, errlen, -EFBIG,
					"Intel HEX output beyond 4 GiB (address 0x%x + 0x%zx)",
					segs[i].addr, segs[i].len);
		if (segs[i].len != 0 && segs[i].addr + (uint64_t)segs[i].len > max_end)
			max_end = segs[i].addr + (uint64_t)segs[i].len;
	}
	for (size_t i = 0; rc == 0 && i < n;) {
		size_t k = i + 1;

		while (k < n && segs[k - 1].addr + (uint64_t)segs[k - 1].len == segs[k].addr)
			k++;
		rc = put_run(&o, segs + i, k - i, max_end > 0x10000u, &high);
		i = k;
	}
	if (rc == 0)
		rc = put_record(&o, 0, REC_EOF, NULL, 0);
	if (rc != 0) {
		free(o.s);
		return img_errf(err, errlen, -ENOMEM, "out of memory");
	}
	*out = o.s;
	*out_len = o.len;
	return 0;
}
