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
	df->pending_len = 0;
	df->hold = false;
	df->error = 0;
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

/* Time until the flash is done with what was issued so far, rounded up to ms. */
static bool flash_busy(const struct dfu_flash *df, uint32_t *poll_ms)
{
	if (df->timing == NULL) {
		return false;
	}
	uint64_t now = df->timing->now_us(df->timing->ctx);
	if (now >= df->ready_at) {
		return false;
	}
	/* Never tell the host less than the flash needs. */
	uint64_t ms = (df->ready_at - now + 999u) / 1000u;
	*poll_ms = ms > 0xffffffu ? 0xffffffu : (uint32_t)ms;
	return true;
}

/*
 * Program a block received at offset: complete the carried partial write
 * block first, program the whole write blocks, carry the rest. data may be
 * the class's buffer or the staging buffer.
 */
static int ingest(struct dfu_flash *df, uint32_t offset, const uint8_t *data, uint16_t len)
{
	uint32_t wb = flash_area_align(df->area);
	int rc;

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
	account(df);
	return 0;
}

/*
 * Hand the pending block to the flash: staged first, since the class
 * reuses its buffer for the next block once poll() has returned 0.
 */
static int start_pending(struct dfu_flash *df)
{
	uint16_t len = df->pending_len;
	df->pending_len = 0;
	memcpy(df->staging, df->pending, len);
	return ingest(df, df->received - len, df->staging, len);
}

static int flash_poll(void *ctx, uint32_t *poll_ms)
{
	struct dfu_flash *df = ctx;
	uint32_t ms = 0;

	if (df->error < 0) {
		return df->error; /* of a block that dfu_flash_service() started */
	}
	if (df->pending_len > 0) {
		/* The staging buffer is free once the flash is done with its block. */
		if (flash_busy(df, &ms)) {
			*poll_ms = ms;
			return -EINPROGRESS;
		}
		int rc = start_pending(df);
		if (rc < 0) {
			return rc;
		}
	}
	/* Unstaged blocks, the image's last block and manifestation wait for the flash. */
	if ((df->staging == NULL || df->hold) && flash_busy(df, &ms)) {
		*poll_ms = ms;
		return -EINPROGRESS;
	}
	return 0;
}

static int flash_write(void *ctx, uint32_t offset, const uint8_t *data, uint16_t len,
		       uint16_t block_num)
{
	struct dfu_flash *df = ctx;
	(void)block_num; /* stored by the device-counted offset */
	uint32_t ms;
	int rc = 0;

	/* The class hands blocks over in order; anything else is a bug upstream. */
	if (offset != df->received) {
		return -EPROTO;
	}
	/* A pending block still sits in the class's buffer: the class waits for poll(). */
	if (df->pending_len > 0) {
		return -EBUSY;
	}
	if (offset > df->area->size || len > df->area->size - offset) {
		return -ENOSPC;
	}
	if (df->staging == NULL || len > df->staging_len) {
		/* Programmed from the class's buffer, which poll() holds until it is done. */
		df->hold = true;
		rc = ingest(df, offset, data, len);
	} else if (!flash_busy(df, &ms)) {
		/* The flash is free: it takes this block from the staging buffer, and
		 * the host may send the next one into the class's buffer meanwhile. */
		df->hold = false;
		memcpy(df->staging, data, len);
		rc = ingest(df, offset, df->staging, len);
	} else {
		/* Still programming the previous block: this one waits where it is. */
		df->hold = false;
		df->pending = data;
		df->pending_len = len;
	}
	if (rc < 0) {
		return rc;
	}
	df->received = offset + len;
	rc = df->on_progress != NULL ? df->on_progress(df->ctx, df->received) : 0;
	if (rc < 0) {
		return rc;
	}
	if (rc == DFU_FLASH_END_OF_IMAGE) {
		/* Finish it before dfuDNLOAD-IDLE: manifestation then finds the flash idle. */
		df->hold = true;
	}
	return 0;
}

int dfu_flash_read_received(const struct dfu_flash *df, uint32_t off, void *buf, uint32_t len)
{
	if (off > df->received || len > df->received - off) {
		return -ENODATA;
	}
	/*
	 * In order: flash (a staged block is there as soon as flash_area_write
	 * returns), the carried partial write block, the pending block.
	 */
	uint32_t pending_at = df->received - df->pending_len;
	uint32_t in_flash = pending_at - df->carry_len;
	uint8_t *out = buf;
	while (len > 0) {
		uint32_t n;
		if (off < in_flash) {
			n = in_flash - off < len ? in_flash - off : len;
			if (flash_area_read(df->area, off, out, n) < 0) {
				return -EIO;
			}
		} else if (off < pending_at) {
			n = pending_at - off < len ? pending_at - off : len;
			memcpy(out, df->carry + (off - in_flash), n);
		} else {
			n = len;
			memcpy(out, df->pending + (off - pending_at), n);
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int flash_manifest(void *ctx, uint32_t total)
{
	struct dfu_flash *df = ctx;
	uint32_t wb = flash_area_align(df->area);
	int rc;

	if (total != df->received) {
		return -EPROTO;
	}
	/* From here poll() reports the flash busy until everything is programmed. */
	df->hold = true;
	if (df->pending_len > 0) {
		/* No more blocks come: the flash takes it from the class's buffer when free. */
		uint16_t len = df->pending_len;
		df->pending_len = 0;
		rc = ingest(df, df->received - len, df->pending, len);
		if (rc < 0) {
			return rc;
		}
	}
	if (df->carry_len > 0) {
		/* The image's tail: pad the last write block with the erased value. */
		memset(df->carry + df->carry_len, flash_area_erased_val(df->area),
		       wb - df->carry_len);
		rc = program(df, df->received - df->carry_len, df->carry, wb);
		if (rc < 0) {
			return rc;
		}
		df->carry_len = 0;
		/*
		 * One write block (tens of us) is done within this request, well under
		 * bwPollTimeout's 1 ms: no dfuMANIFEST wait for it (dfu-util sleeps a
		 * second there). A sector it had to erase first does count.
		 */
		if (df->timing != NULL && df->cost_us > df->timing->write_us) {
			account(df);
		}
		df->cost_us = 0;
	}
	return df->on_complete != NULL ? df->on_complete(df->ctx, total) : 0;
}

static int flash_read(void *ctx, uint32_t offset, uint8_t *data, uint16_t len, uint16_t block_num)
{
	struct dfu_flash *df = ctx;
	(void)block_num;
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
	df->pending_len = 0; /* dropped: it never reaches the flash */
	df->error = 0;
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

int dfu_flash_set_staging(struct dfu_flash *df, uint8_t *buf, uint32_t len)
{
	if ((buf == NULL) != (len == 0)) {
		return -EINVAL;
	}
	df->staging = buf;
	df->staging_len = len;
	return 0;
}

uint64_t dfu_flash_service(struct dfu_flash *df)
{
	uint32_t ms;

	if (df->pending_len == 0 || df->error < 0) {
		return 0;
	}
	if (flash_busy(df, &ms)) {
		return df->ready_at;
	}
	/* The host hears of an error at its next GETSTATUS, via poll(). */
	int rc = start_pending(df);
	df->error = rc < 0 ? rc : 0;
	return 0;
}
