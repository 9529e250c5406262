/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash interface: one seam for every flash the project touches.
 *
 * A flash device is an ops table (read/write/erase with a context pointer)
 * plus its geometry: total size, sector map (uniform, or a list of regions of
 * equally sized sectors), write block size and erased value. Offsets are
 * device-relative bytes starting at 0; a board adds its own base address.
 *
 * The flash_dev_*() wrappers check every request before it reaches the ops:
 *   - out of range (off + len > size, or overflow)        -> -EINVAL
 *   - write offset/length not a multiple of write_block   -> -EINVAL
 *   - erase range not made of whole sectors               -> -EINVAL
 * so a driver may assume well-formed requests. Drivers return 0 or a negative
 * errno (-EIO for a failed program/erase).
 *
 * struct flash_area is a window (offset + size) on a device, like MCUboot's
 * flash_area: all offsets passed to flash_area_*() are relative to the window
 * and bounds-checked against it. Areas must start and end on sector
 * boundaries.
 *
 * The simulated flash (flash_sim_*) works on a caller-provided RAM buffer and
 * enforces NOR rules; see the comment above struct flash_sim. The host-only
 * file-backed variant (flash_file_*, library dfukit_flash_file, declared in
 * <dfukit/host/flash_file.h>) maps a file and runs the same simulation on it
 * so that the contents survive restarts.
 *
 * No heap, no globals: every struct here is owned by the caller.
 */
#ifndef DFUKIT_FLASH_H
#define DFUKIT_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A run of `count` sectors of `sector_size` bytes starting at `offset`. */
struct flash_region {
	uint32_t offset;
	uint32_t sector_size;
	uint32_t count;
};

struct flash_geometry {
	/* Total size in bytes. */
	uint32_t size;
	/* Program unit in bytes, a power of two (nRF52840: 4, STM32U5: 16). */
	uint32_t write_block;
	/* Value of an erased byte (0xFF for NOR). */
	uint8_t erased_val;
	/* Uniform sector size, used when regions == NULL. */
	uint32_t sector_size;
	/* Optional non-uniform map: contiguous regions from 0 covering size. */
	const struct flash_region *regions;
	uint32_t region_count;
};

struct flash_ops {
	/* Read len bytes at off into dst. */
	int (*read)(void *ctx, uint32_t off, void *dst, uint32_t len);
	/*
	 * Program len bytes at off. off and len are multiples of write_block.
	 * The target must have been erased; NOR can only clear bits.
	 */
	int (*write)(void *ctx, uint32_t off, const void *src, uint32_t len);
	/* Erase [off, off + len), which covers whole sectors. */
	int (*erase)(void *ctx, uint32_t off, uint32_t len);
};

struct flash_dev {
	const struct flash_ops *ops;
	void *ctx;
	const struct flash_geometry *geo;
	/*
	 * Optional: the device's bytes readable in place (memory-mapped flash,
	 * a simulator's RAM), else NULL. Only a pure signature (imgtool --pure)
	 * needs it: it is verified over the image in one piece, as MCUboot's
	 * flash_device_base().
	 */
	const uint8_t *mapped;
};

/* One sector: offset (device- or area-relative, see the getter) and size. */
struct flash_sector {
	uint32_t off;
	uint32_t size;
};

/* 0 if the geometry is self-consistent, else -EINVAL. */
int flash_geometry_check(const struct flash_geometry *geo);
/* Number of sectors on the device (>= 1), or -EINVAL. */
int flash_sector_count(const struct flash_geometry *geo);
/* Sector number idx; -EINVAL if idx is out of range. */
int flash_sector_get(const struct flash_geometry *geo, uint32_t idx, struct flash_sector *out);
/* Sector containing device offset off; -EINVAL if off >= size. */
int flash_sector_at(const struct flash_geometry *geo, uint32_t off, struct flash_sector *out);

int flash_dev_read(const struct flash_dev *dev, uint32_t off, void *dst, uint32_t len);
int flash_dev_write(const struct flash_dev *dev, uint32_t off, const void *src, uint32_t len);
int flash_dev_erase(const struct flash_dev *dev, uint32_t off, uint32_t len);

/* --- flash areas ---------------------------------------------------------- */

struct flash_area {
	const struct flash_dev *dev;
	/* Device offset of the window and its size. */
	uint32_t off;
	uint32_t size;
};

/* -EINVAL unless [off, off + size) lies on the device on sector boundaries. */
int flash_area_init(struct flash_area *fa, const struct flash_dev *dev, uint32_t off,
		    uint32_t size);
int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len);
int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len);
int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);
/* Write block size (MCUboot's flash_area_align). */
uint32_t flash_area_align(const struct flash_area *fa);
uint8_t flash_area_erased_val(const struct flash_area *fa);
/* Sectors of the area; returned offsets are area-relative. */
int flash_area_sector_count(const struct flash_area *fa);
int flash_area_sector_get(const struct flash_area *fa, uint32_t idx, struct flash_sector *out);
int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out);
/* 1 if [off, off + len) reads as erased, 0 if not, negative errno on error. */
int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len);
/* Copy len bytes from src_fa[src_off] to dst_fa[dst_off] through buf. */
int flash_area_copy(const struct flash_area *dst_fa, uint32_t dst_off,
		    const struct flash_area *src_fa, uint32_t src_off, uint32_t len, uint8_t *buf,
		    uint32_t buf_size);

/* --- simulated NOR flash ---------------------------------------------------- */

/*
 * Simulated NOR flash on a caller-provided buffer of geo->size bytes.
 *
 * Rules (each violation is rejected and nothing is changed):
 *   - misaligned or out-of-range requests, partial-sector erases: -EINVAL
 *   - a write that would turn a 0 bit into 1 (i.e. programming over data
 *     without erasing first): -EIO. Rewriting identical bytes is allowed.
 *   - with FLASH_SIM_F_WRITE_ONCE, programming a write block that is not
 *     fully erased: -EIO (ECC flash such as the STM32U5 quad-word; detected
 *     from the contents, so a block programmed with all-erased data can be
 *     programmed again, which real hardware may reject).
 *
 * Operation counter: every accepted write() and erase() call is one
 * operation, numbered from 0 since init or flash_sim_reset_count(). Reads are
 * not counted.
 *
 * Power-cut injector: flash_sim_cut_at(sim, n, tear) makes operation n tear
 * and "lose power": that operation is applied only partly (see enum
 * flash_sim_tear) and returns -EIO, and every later read/write/erase returns
 * -EIO until flash_sim_power_on(). The contents stay as the tear left them,
 * like a chip that lost power.
 *
 * Timing: with flash_sim_set_timing(), each erased sector adds erase_us and
 * each programmed write block adds write_us to sim->sim_us; an optional delay
 * callback may sleep for real (virtual board). Torn ops count their full
 * time.
 */
enum flash_sim_tear {
	/*
	 * Write: the first half of the write blocks (rounded down) is
	 * programmed; a one-block write is not programmed at all.
	 * Erase: the first half of the range is erased, the rest kept.
	 */
	FLASH_SIM_TEAR_PREFIX = 0,
	/* The op does nothing before power is lost. */
	FLASH_SIM_TEAR_NOTHING = 1,
	/*
	 * Write: only some bits land: every byte becomes old & (new | 0x55)
	 * (bits 0,2,4,6 of the new data are not programmed).
	 * Erase: the range is left as garbage: old | 0x5A per byte.
	 */
	FLASH_SIM_TEAR_BITS = 2,
};

#define FLASH_SIM_F_WRITE_ONCE 0x1u

struct flash_sim_timing {
	/* Simulated time per erased sector and per programmed write block. */
	uint32_t erase_us;
	uint32_t write_us;
};

typedef void (*flash_sim_delay_fn)(void *ctx, uint32_t us);

struct flash_sim {
	/* Hand &sim->dev to users of the flash. Do not copy a flash_sim. */
	struct flash_dev dev;
	struct flash_geometry geo;
	uint8_t *mem;
	uint32_t flags;
	struct flash_sim_timing timing;
	flash_sim_delay_fn delay;
	void *delay_ctx;
	/* Next operation number. */
	uint32_t op_count;
	uint32_t cut_op;
	bool cut_armed;
	bool powered_off;
	enum flash_sim_tear tear;
	/* Statistics. */
	uint64_t sim_us;
	uint32_t reads;
	uint32_t writes;
	uint32_t erases;
};

/*
 * mem must hold geo->size bytes (mem_size is checked). The contents are left
 * as they are: call flash_sim_format() for a factory-erased chip. The geometry
 * is copied (a region list is referenced, not copied).
 */
int flash_sim_init(struct flash_sim *sim, const struct flash_geometry *geo, uint8_t *mem,
		   size_t mem_size, uint32_t flags);
/* Fill the whole chip with the erased value (not counted, no timing). */
void flash_sim_format(struct flash_sim *sim);
void flash_sim_set_timing(struct flash_sim *sim, const struct flash_sim_timing *timing,
			  flash_sim_delay_fn delay, void *delay_ctx);
/* Arm a power cut: operation number op tears, later ops fail. */
void flash_sim_cut_at(struct flash_sim *sim, uint32_t op, enum flash_sim_tear tear);
/* Disarm any cut and restore power (contents unchanged). */
void flash_sim_power_on(struct flash_sim *sim);
void flash_sim_reset_count(struct flash_sim *sim);
static inline uint32_t flash_sim_ops(const struct flash_sim *sim)
{
	return sim->op_count;
}
static inline bool flash_sim_is_off(const struct flash_sim *sim)
{
	return sim->powered_off;
}

#endif /* DFUKIT_FLASH_H */
