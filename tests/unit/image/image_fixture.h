/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the image unit tests: fixture files and sources. */
#ifndef DFUKIT_TEST_IMAGE_FIXTURE_H
#define DFUKIT_TEST_IMAGE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/image.h"

/* Path of a file under $DFUKIT_FIXTURES/mcuboot/. */
static inline void fixture_path(char *out, size_t n, const char *rel)
{
	const char *root = getenv("DFUKIT_FIXTURES");

	snprintf(out, n, "%s/mcuboot/%s", root ? root : "tests/fixtures", rel);
}

/* Whole fixture file, malloc'ed (NUL appended, not counted); NULL if absent. */
static inline uint8_t *fixture_load(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	long sz;
	uint8_t *buf;

	fixture_path(path, sizeof(path), rel);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)sz + 1);
	if (buf != NULL && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL) {
		buf[sz] = 0;
		*len = (size_t)sz;
	}
	return buf;
}

struct mem_src {
	struct dfukit_image_membuf mb;
	struct dfukit_image_src src;
};

static inline const struct dfukit_image_src *mem_src_init(struct mem_src *m, const uint8_t *data,
							  size_t len)
{
	m->mb.data = data;
	m->mb.len = (uint32_t)len;
	m->src.read = dfukit_image_membuf_read;
	m->src.ctx = &m->mb;
	m->src.slot_size = (uint32_t)len;
	return &m->src;
}

static inline void put_le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

static inline unsigned get_le16(const uint8_t *p)
{
	return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

#endif
