/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ram-load (MCUboot's MCUBOOT_RAM_LOAD, without MCUBOOT_RAM_LOAD_REVERT): the
 * slots are equal, the newest image is copied into the executable RAM and
 * runs there, so each image is linked for its RAM address and signed with
 * imgtool -L/--load-addr (flag RAM_LOAD, the address in the header's
 * load_addr; the header is copied too, the code follows it).
 *
 *   headers  each slot with a well-formed header is available
 *   pick     the highest version (major.minor.revision), the primary on a tie
 *   place    the RAM_LOAD flag, the image's size (header + body + TLVs) and
 *            its load address inside the RAM ("Image 0 RAM load address 0x...
 *            is invalid."); a refused image is erased ("Removing image 0 slot
 *            1 from flash"), as MCUboot does
 *   copy     flash -> RAM ("Image 0 RAM loading to 0x... is succeeded.")
 *   check    validate the copy in RAM, not the flash: what was checked is
 *            what runs, even if the flash changes after the copy. An invalid
 *            image is erased ("Image in the secondary slot is not valid!")
 *            and its copy zeroed ("Removing image 0 from SRAM at address
 *            0x..."); then pick again
 *
 * The only flash operations are the erases of refused images, sector by
 * sector; no trailer is read or written. A flash error (a power cut) is
 * returned as is and erases nothing: the next boot starts over.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/boot.h>
#include <dfukit/image.h>
#include <dfukit/wire.h>

#include "boot_log.h"
#include "boot_priv.h"

/*
 * The copy in RAM as a read-only flash device: the caller's validate reads
 * the copy alone, and nothing past what was copied.
 */
struct ram_copy {
	const uint8_t *base;
	uint32_t len;
};

static int ram_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	const struct ram_copy *c = ctx;

	if (off > c->len || len > c->len - off) {
		return -EINVAL; /* not part of the image that was copied */
	}
	memcpy(dst, c->base + off, len);
	return 0;
}

static int ram_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)src;
	(void)len;
	return -EROFS;
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)len;
	return -EROFS;
}

static const struct flash_ops ram_ops = {.read = ram_read, .write = ram_write, .erase = ram_erase};

static void log_addr(const struct boot_config *cfg, char level, const char *pre, uint32_t addr,
		     const char *post)
{
	struct lbuf lb = {.n = 0};

	lb_str(&lb, pre);
	lb_hex(&lb, addr);
	lb_str(&lb, post);
	lb_emit(cfg, level, &lb);
}

/* Where the image goes: 0 with *size set, -EIO, or another negative errno (refused). */
static int place(const struct boot_config *cfg, const struct boot_slot *s, uint32_t *size)
{
	const struct boot_ram *ram = &cfg->ram;

	if ((s->flags & DFUKIT_IMAGE_F_RAM_LOAD) == 0u) {
		/* not an MCUboot line: MCUboot removes such an image silently */
		log_msg(cfg, 'W', "Image 0 is not built for RAM loading (imgtool --load-addr)");
		return -ENOEXEC;
	}
	int rc = boot_read_image_size(s->fa, size);

	if (rc != 0) {
		return rc;
	}
	if (s->load_addr < ram->addr || s->load_addr - ram->addr > ram->size ||
	    *size > ram->size - (s->load_addr - ram->addr)) {
		log_addr(cfg, 'I', "Image 0 RAM load address ", s->load_addr, " is invalid.");
		return -ERANGE;
	}
	return 0;
}

/* What was validated is what was placed: the copy's own header and extent. */
static bool copy_is_placed(const struct boot_slot *s, const uint8_t *copy, uint32_t size,
			   const struct boot_image_info *info)
{
	uint32_t flags = wire_get_le32(copy + DFUKIT_IMAGE_HDR_OFF_FLAGS);

	return info->total_size == size && (flags & DFUKIT_IMAGE_F_RAM_LOAD) != 0u &&
	       wire_get_le32(copy + DFUKIT_IMAGE_HDR_OFF_LOAD_ADDR) == s->load_addr;
}

/* Validate the copy at dst (size bytes) of slot s; 0 if it may run. */
static int check_copy(const struct boot_config *cfg, const struct boot_slot *s, uint8_t *dst,
		      uint32_t size, struct boot_image_info *info)
{
	struct ram_copy c = {dst, size};
	const struct flash_geometry geo = {.size = s->fa->size,
					   .write_block = 1,
					   .erased_val = 0xff,
					   .sector_size = s->fa->size};
	const struct flash_dev dev = {.ops = &ram_ops, .ctx = &c, .geo = &geo};
	struct flash_area fa;
	int rc = flash_area_init(&fa, &dev, 0, s->fa->size);

	if (rc == 0) {
		rc = cfg->validate(cfg->validate_ctx, &fa, info);
	}
	if (rc == 0 && !copy_is_placed(s, dst, size, info)) {
		rc = -EBADMSG;
	}
	return rc;
}

/* Erase a refused image's slot ("Removing image 0 slot N from flash"). */
static int remove_from_flash(const struct boot_config *cfg, uint32_t idx,
			     const struct flash_area *fa)
{
	log_msg(cfg, 'I',
		idx == 0u ? "Removing image 0 slot 0 from flash"
			  : "Removing image 0 slot 1 from flash");
	return boot_slot_scramble(fa);
}

/*
 * Try slot idx: 1 with res filled if its copy in RAM is to run, 0 if it was
 * refused (and erased), or a negative errno.
 */
static int load_slot(const struct boot_config *cfg, uint32_t idx, struct boot_slot s[2],
		     struct boot_result *res)
{
	struct boot_slot *sl = &s[idx];
	uint32_t size = 0;
	int rc = place(cfg, sl, &size);

	sl->avail = false;
	if (rc == -EIO) {
		return rc;
	}
	if (rc != 0) {
		rc = remove_from_flash(cfg, idx, sl->fa);
		return rc != 0 ? rc : 0;
	}
	uint8_t *dst = cfg->ram.buf + (sl->load_addr - cfg->ram.addr);

	rc = flash_area_read(sl->fa, 0, dst, size);
	log_addr(cfg, 'I', "Image 0 RAM loading to ", sl->load_addr,
		 rc == 0 ? " is succeeded." : " is failed.");
	if (rc != 0) {
		return rc;
	}
	rc = check_copy(cfg, sl, dst, size, &res->image);
	if (rc == 0 || rc == -EIO) {
		/* -EIO: the validate's own store failed (a security counter); erase nothing */
		res->load_addr = sl->load_addr;
		res->load_size = size;
		return rc == 0 ? 1 : rc;
	}
	struct lbuf lb = {.n = 0};

	memset(&res->image, 0, sizeof(res->image));
	lb_str(&lb, "Image in the ");
	lb_str(&lb, boot_slot_name(idx));
	lb_str(&lb, " slot is not valid!");
	lb_emit(cfg, 'E', &lb);
	rc = boot_slot_scramble(sl->fa);
	log_addr(cfg, 'I', "Removing image 0 from SRAM at address ", sl->load_addr, "");
	memset(dst, 0, size);
	return rc != 0 ? rc : 0;
}

int boot_ram_load_go(const struct boot_config *cfg, struct boot_result *res)
{
	struct boot_slot s[2];
	int rc;

	if (cfg->ram.buf == NULL || cfg->ram.size == 0u) {
		log_msg(cfg, 'E', "No executable RAM region for RAM loading");
		return -EINVAL;
	}
	rc = boot_slots_read(cfg, s);
	if (rc != 0) {
		return rc;
	}
	return boot_equal_slots_pick(cfg, s, load_slot, res);
}
