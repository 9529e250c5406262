/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DfuSe over a flash area (see include/dfukit/dfuse.h). The DFU class runs
 * the appendix-A state machine as for any backend; this backend turns the
 * wBlockNum that write() and read() receive into commands and addresses.
 */
#include <errno.h>
#include <string.h>

#include "dfukit/dfuse.h"
#include "dfukit/wire.h"

static const uint8_t dfuse_commands[] = {DFUSE_CMD_GET_COMMANDS, DFUSE_CMD_SET_ADDRESS,
					 DFUSE_CMD_ERASE};

/* The flash works on what was issued once it is done with earlier work. */
static void account(struct dfuse *df, uint64_t cost_us)
{
	if (df->timing != NULL && cost_us > 0) {
		uint64_t now = df->timing->now_us(df->timing->ctx);
		df->ready_at = (df->ready_at > now ? df->ready_at : now) + cost_us;
	}
}

static uint64_t erase_cost(const struct dfuse *df, uint32_t sectors)
{
	return df->timing != NULL ? (uint64_t)df->timing->erase_us * sectors : 0u;
}

/* Area offset of a bus address, or -ERANGE (errADDRESS) outside the area. */
static int64_t area_offset(const struct dfuse *df, uint64_t addr)
{
	if (addr < df->base || addr - df->base >= df->area->size) {
		return -ERANGE;
	}
	return (int64_t)(addr - df->base);
}

static int erase_all(struct dfuse *df, uint64_t *cost)
{
	int n = flash_area_sector_count(df->area);
	if (n <= 0 || flash_area_erase(df->area, 0, df->area->size) < 0) {
		return -EFAULT; /* errERASE */
	}
	*cost += erase_cost(df, (uint32_t)n);
	return 0;
}

/* A command block: its code, then for some a bus address (32 bits, little-endian). */
#define CMD_OFF_CODE         0u
#define CMD_OFF_ADDRESS      1u
#define CMD_LEN_WITH_ADDRESS 5u

static int command(struct dfuse *df, const uint8_t *data, uint16_t len, uint64_t *cost)
{
	uint8_t code = data[CMD_OFF_CODE];

	if (len == 1) {
		switch (code) {
		case DFUSE_CMD_ERASE:
			/* "Mass erase": the exposed area only, never the rest of the chip. */
			df->written = true;
			return erase_all(df, cost);
		case DFUSE_CMD_READ_UNPROTECT:
			return -EACCES; /* errTARGET: there is no read protection to remove */
		default: return -EPIPE;
		}
	}
	if (len != CMD_LEN_WITH_ADDRESS ||
	    (code != DFUSE_CMD_SET_ADDRESS && code != DFUSE_CMD_ERASE)) {
		return -EPIPE; /* errSTALLEDPKT: not a command this device knows */
	}
	uint32_t addr = wire_get_le32(data + CMD_OFF_ADDRESS);
	int64_t off = area_offset(df, addr);
	if (off < 0) {
		return (int)off;
	}
	if (code == DFUSE_CMD_SET_ADDRESS) {
		df->pointer = addr;
		df->stride = 0;
		return 0;
	}
	struct flash_sector s;
	df->written = true;
	if (flash_area_sector_at(df->area, (uint32_t)off, &s) < 0 ||
	    flash_area_erase(df->area, s.off, s.size) < 0) {
		return -EFAULT;
	}
	*cost += erase_cost(df, 1);
	return 0;
}

/*
 * Area offset of data block `block` (>= 2) of len bytes, checked against the
 * stride and the area; the stride is set by the first block after a command.
 */
static int64_t block_offset(struct dfuse *df, uint16_t block, uint16_t len)
{
	if (block < 2u) {
		return -EPIPE; /* block 1 means nothing in DfuSe */
	}
	if (df->stride == 0) {
		df->stride = len;
	}
	if (len > df->stride) {
		return -EPIPE;
	}
	uint64_t addr = (uint64_t)df->pointer + (uint64_t)(block - 2u) * df->stride;
	if (addr < df->base || addr - df->base > df->area->size) {
		return -ERANGE;
	}
	return (int64_t)(addr - df->base);
}

static int program(struct dfuse *df, uint16_t block, const uint8_t *data, uint16_t len,
		   uint64_t *cost)
{
	int64_t at = block_offset(df, block, len);
	uint32_t wb = flash_area_align(df->area);

	if (at < 0) {
		return (int)at;
	}
	uint32_t off = (uint32_t)at;
	if (len > df->area->size - off || off % wb != 0) {
		return -ERANGE;
	}
	/* Programming needs erased flash: say so rather than fail the write. */
	int erased = flash_area_is_erased(df->area, off, len);
	if (erased <= 0) {
		return erased < 0 ? -EIO : -ENOTEMPTY;
	}
	df->written = true;
	uint32_t whole = len / wb * wb;
	if (whole > 0 && flash_area_write(df->area, off, data, whole) < 0) {
		return -EIO;
	}
	if (whole < len) {
		/* The tail's write block, padded with the erased value (sizes are multiples of wb). */
		uint8_t tail[DFU_FLASH_MAX_WRITE_BLOCK];
		memset(tail, flash_area_erased_val(df->area), wb);
		memcpy(tail, data + whole, (size_t)(len - whole));
		if (flash_area_write(df->area, off + whole, tail, wb) < 0) {
			return -EIO;
		}
	}
	if (df->timing != NULL) {
		*cost += (uint64_t)df->timing->write_us * ((len + wb - 1u) / wb);
	}
	return 0;
}

static int dfuse_begin(void *ctx)
{
	struct dfuse *df = ctx;
	df->stride = 0;
	return 0;
}

static int dfuse_write(void *ctx, uint32_t offset, const uint8_t *data, uint16_t len,
		       uint16_t block)
{
	struct dfuse *df = ctx;
	uint64_t cost = 0;
	int rc;

	(void)offset; /* DfuSe addresses by wBlockNum */
	if (block == 0) {
		rc = command(df, data, len, &cost);
		df->busy_once = true;
	} else {
		rc = program(df, block, data, len, &cost);
	}
	account(df, cost);
	return rc;
}

static int dfuse_poll(void *ctx, uint32_t *poll_ms)
{
	struct dfuse *df = ctx;
	uint32_t ms = 0;

	if (df->timing != NULL) {
		uint64_t now = df->timing->now_us(df->timing->ctx);
		if (now < df->ready_at) {
			uint64_t left = (df->ready_at - now + 999u) / 1000u;
			ms = left > 0xffffffu ? 0xffffffu : (uint32_t)left;
		}
	}
	if (ms == 0 && !df->busy_once && !df->leaving) {
		return 0;
	}
	df->busy_once = false;
	*poll_ms = ms;
	return -EINPROGRESS;
}

static int dfuse_manifest(void *ctx, uint32_t total)
{
	struct dfuse *df = ctx;
	(void)total;

	int rc = df->on_leave != NULL ? df->on_leave(df->ctx, df->written) : 0;
	if (rc == 0) {
		df->leaving = true;
		df->written = false;
	}
	return rc;
}

static int dfuse_read(void *ctx, uint32_t offset, uint8_t *data, uint16_t len, uint16_t block)
{
	struct dfuse *df = ctx;

	if (block == 0) {
		uint16_t n =
			(uint16_t)(len < sizeof(dfuse_commands) ? len : sizeof(dfuse_commands));
		memcpy(data, dfuse_commands, n);
		df->stride = 0;
		return n;
	}
	if (offset == 0) {
		df->stride = 0; /* an upload starts: its first block sets the stride */
	}
	int64_t at = block_offset(df, block, len);
	if (at < 0) {
		return (int)at;
	}
	uint32_t off = (uint32_t)at;
	uint32_t n = df->area->size - off < len ? df->area->size - off : len;
	if (n > 0 && flash_area_read(df->area, off, data, n) < 0) {
		return -EIO;
	}
	return (int)n;
}

static void dfuse_abort(void *ctx)
{
	struct dfuse *df = ctx;
	/* The address pointer stays: dfu-util sets it, then aborts to dfuIDLE to upload. */
	df->stride = 0;
	df->busy_once = false;
	df->leaving = false;
}

const struct dfu_backend_ops dfuse_ops = {
	.dnload_begin = dfuse_begin,
	.write = dfuse_write,
	.poll = dfuse_poll,
	.manifest = dfuse_manifest,
	.read = dfuse_read,
	.abort = dfuse_abort,
};

int dfuse_init(struct dfuse *df, const struct flash_area *area, uint32_t base,
	       int (*on_leave)(void *ctx, bool written), void *ctx)
{
	if (flash_area_align(area) > DFU_FLASH_MAX_WRITE_BLOCK || area->size == 0 ||
	    base > UINT32_MAX - (area->size - 1u)) {
		return -EINVAL;
	}
	memset(df, 0, sizeof(*df));
	df->area = area;
	df->base = base;
	df->pointer = base;
	df->on_leave = on_leave;
	df->ctx = ctx;
	return 0;
}

/* ---- the memory-layout name ------------------------------------------- */

struct out {
	char *p;
	size_t room;
	size_t len;
};

static void put_char(struct out *o, char c)
{
	if (o->len + 1u < o->room) {
		o->p[o->len] = c;
	}
	o->len++;
}

static void put_str(struct out *o, const char *s)
{
	while (*s != '\0') {
		put_char(o, *s++);
	}
}

/* v in base 10 (or 16), at least `width` digits. */
static void put_num(struct out *o, uint32_t v, unsigned base, unsigned width)
{
	char digits[10];
	unsigned n = 0;
	do {
		digits[n++] = "0123456789ABCDEF"[v % base];
		v /= base;
	} while (v != 0);
	while (width > n) {
		put_char(o, '0');
		width--;
	}
	while (n > 0) {
		put_char(o, digits[--n]);
	}
}

static void put_run(struct out *o, uint32_t count, uint32_t size)
{
	put_num(o, count, 10, 2);
	put_char(o, '*');
	bool kib = size % 1024u == 0;
	put_num(o, kib ? size / 1024u : size, 10, 3);
	put_char(o, kib ? 'K' : 'B');
	put_char(o, 'g'); /* readable, erasable, writable */
}

int dfuse_layout(const struct dfuse *df, const char *name, char *out, size_t room)
{
	struct out o = {out, room, 0};
	struct flash_sector s;
	uint32_t run_size = 0, run_count = 0;

	put_char(&o, '@');
	put_str(&o, name);
	put_str(&o, " /0x");
	put_num(&o, df->base, 16, 8);
	put_char(&o, '/');
	for (uint32_t off = 0; off < df->area->size; off += s.size) {
		if (flash_area_sector_at(df->area, off, &s) < 0 || s.size == 0) {
			return -EINVAL;
		}
		if (s.size != run_size && run_count > 0) {
			put_run(&o, run_count, run_size);
			put_char(&o, ',');
			run_count = 0;
		}
		run_size = s.size;
		run_count++;
	}
	put_run(&o, run_count, run_size);
	if (room > 0) {
		out[o.len < room ? o.len : room - 1u] = '\0';
	}
	return o.len < room ? (int)o.len : -ENOSPC;
}
