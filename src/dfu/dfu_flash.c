/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "dfukit/dfu_flash.h"

static int flash_begin(void *ctx)
{
	struct dfu_flash *df = ctx;
	struct flash_sector tail;

	df->received = 0;
	df->erased_end = 0;
	df->carry_len = 0;
	/* No stale upgrade request may outlive the image it was made for. */
	if (flash_area_sector_at(df->area, df->area->size - 1u, &tail) < 0 ||
	    flash_area_erase(df->area, tail.off, tail.size) < 0) {
		return -EFAULT;
	}
	df->tail_sector = tail.off;
	df->cost_us = df->timing ? df->timing->erase_us : 0u;
	return 0;
}

/* Erase the sectors that [.., end) reaches into and that are not erased yet. */
static int erase_up_to(struct dfu_flash *df, uint32_t end)
{
	while (df->erased_end < end) {
		struct flash_sector s;
		int rc = flash_area_sector_at(df->area, df->erased_end, &s);
		if (rc == 0 && s.off != df->tail_sector) {
			rc = flash_area_erase(df->area, s.off, s.size);
			df->cost_us += df->timing ? df->timing->erase_us : 0u;
		}
		if (rc < 0) {
			return -EFAULT; /* errERASE */
		}
		df->erased_end = s.off + s.size;
	}
	return 0;
}

static int program(struct dfu_flash *df, uint32_t off, const uint8_t *data, uint32_t len)
{
	int rc = erase_up_to(df, off + len);
	if (rc == 0 && flash_area_write(df->area, off, data, len) < 0) {
		rc = -EIO; /* errWRITE */
	}
	if (df->timing != NULL) {
		df->cost_us += (uint64_t)df->timing->write_us * (len / flash_area_align(df->area));
	}
	return rc;
}

/* The flash takes the operations issued so far once it is done with earlier ones. */
static void account(struct dfu_flash *df)
{
	if (df->timing != NULL && df->cost_us > 0) {
		uint64_t now = df->timing->now_us(df->timing->ctx);
		df->ready_at = (df->ready_at > now ? df->ready_at : now) + df->cost_us;
	}
	df->cost_us = 0;
}

static int flash_poll(void *ctx, uint32_t *poll_ms)
{
	struct dfu_flash *df = ctx;
	if (df->timing == NULL) {
		return 0;
	}
	uint64_t now = df->timing->now_us(df->timing->ctx);
	if (now >= df->ready_at) {
		return 0;
	}
	uint64_t ms = (df->ready_at - now + 999u) / 1000u;
	*poll_ms = ms > 0xffffffu ? 0xffffffu : (uint32_t)ms;
	return -EINPROGRESS;
}

static int flash_write(void *ctx, uint32_t offset, const uint8_t *data, uint16_t len)
{
	struct dfu_flash *df = ctx;
	uint32_t wb = flash_area_align(df->area);
	int rc;

	/* The class hands blocks over in order; anything else is a bug upstream. */
	if (offset != df->received) {
		return -EPROTO;
	}
	if (offset > df->area->size || len > df->area->size - offset) {
		return -ENOSPC;
	}
	uint32_t at = offset - df->carry_len; /* flash offset of the carried bytes */
	uint16_t used = 0;
	if (df->carry_len > 0) {
		uint16_t take = (uint16_t)(wb - df->carry_len);
		if (take > len) {
			take = len;
		}
		memcpy(df->carry + df->carry_len, data, take);
		df->carry_len = (uint8_t)(df->carry_len + take);
		used = take;
		if (df->carry_len == wb) {
			rc = program(df, at, df->carry, wb);
			if (rc < 0) {
				return rc;
			}
			at += wb;
			df->carry_len = 0;
		}
	}
	uint32_t whole = (uint32_t)(len - used) / wb * wb;
	if (whole > 0) {
		rc = program(df, at, data + used, whole);
		if (rc < 0) {
			return rc;
		}
		used = (uint16_t)(used + whole);
	}
	if (used < len) {
		memcpy(df->carry + df->carry_len, data + used, (size_t)(len - used));
		df->carry_len = (uint8_t)(df->carry_len + (len - used));
	}
	df->received = offset + len;
	account(df);
	return df->on_progress != NULL ? df->on_progress(df->ctx, df->received) : 0;
}

int dfu_flash_read_received(const struct dfu_flash *df, uint32_t off, void *buf, uint32_t len)
{
	if (off > df->received || len > df->received - off) {
		return -ENODATA;
	}
	uint32_t in_flash = df->received - df->carry_len;
	uint32_t from_flash = off < in_flash ? in_flash - off : 0;
	if (from_flash > len) {
		from_flash = len;
	}
	if (from_flash > 0 && flash_area_read(df->area, off, buf, from_flash) < 0) {
		return -EIO;
	}
	if (len > from_flash) {
		uint32_t at = off + from_flash - in_flash;
		memcpy((uint8_t *)buf + from_flash, df->carry + at, len - from_flash);
	}
	return 0;
}

static int flash_manifest(void *ctx, uint32_t total)
{
	struct dfu_flash *df = ctx;
	uint32_t wb = flash_area_align(df->area);

	if (total != df->received) {
		return -EPROTO;
	}
	if (df->carry_len > 0) {
		/* The image's tail: pad the last write block with the erased value. */
		memset(df->carry + df->carry_len, flash_area_erased_val(df->area),
		       wb - df->carry_len);
		int rc = program(df, df->received - df->carry_len, df->carry, wb);
		if (rc < 0) {
			return rc;
		}
		df->carry_len = 0;
	}
	return df->on_complete != NULL ? df->on_complete(df->ctx, total) : 0;
}

static int flash_read(void *ctx, uint32_t offset, uint8_t *data, uint16_t len)
{
	struct dfu_flash *df = ctx;
	if (offset >= df->area->size) {
		return 0;
	}
	uint32_t n = df->area->size - offset < len ? df->area->size - offset : len;
	int rc = flash_area_read(df->area, offset, data, n);
	return rc < 0 ? -EIO : (int)n;
}

static void flash_abort(void *ctx)
{
	struct dfu_flash *df = ctx;
	df->carry_len = 0;
	df->received = 0;
}

const struct dfu_backend_ops dfu_flash_ops = {
	.dnload_begin = flash_begin,
	.write = flash_write,
	.poll = flash_poll,
	.manifest = flash_manifest,
	.read = flash_read,
	.abort = flash_abort,
};

int dfu_flash_init(struct dfu_flash *df, const struct flash_area *area,
		   int (*on_complete)(void *ctx, uint32_t total), void *ctx)
{
	if (flash_area_align(area) > DFU_FLASH_MAX_WRITE_BLOCK) {
		return -EINVAL;
	}
	memset(df, 0, sizeof(*df));
	df->area = area;
	df->on_complete = on_complete;
	df->ctx = ctx;
	return 0;
}
