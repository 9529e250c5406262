/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers shared by the boot sources. */
#ifndef DFUKIT_BOOT_PRIV_H
#define DFUKIT_BOOT_PRIV_H

#include <errno.h>

#include <dfukit/boot.h>

/* a must be a power of two */
#define ALIGN_UP(v, a)   (((v) + ((a)-1u)) & ~((a)-1u))
#define ALIGN_DOWN(v, a) ((v) & ~((a)-1u))

/* Largest supported max_align (MCUboot allows 8..32). */
#define BOOT_MAX_ALIGN_LIMIT 32u

/* Bytes moved per flash read/write by the strategies (a multiple of 32). */
#ifndef BOOT_COPY_BUF_SIZE
#define BOOT_COPY_BUF_SIZE 256u
#endif

/*
 * The strategies this build carries: all on the host; one on Cortex-M
 * (DFUKIT_BOOT_ONLY_*, src/boot/CMakeLists.txt). Constants, not #if: the
 * dispatch in boot_go() folds, and the linker drops the other strategies.
 */
#if defined(DFUKIT_BOOT_ONLY_MOVE)
#define BOOT_HAS_MOVE      1
#define BOOT_HAS_OFFSET    0
#define BOOT_HAS_OVERWRITE 0
#define BOOT_HAS_XIP       0
#define BOOT_HAS_RAM_LOAD  0
#elif defined(DFUKIT_BOOT_ONLY_OFFSET)
#define BOOT_HAS_MOVE      0
#define BOOT_HAS_OFFSET    1
#define BOOT_HAS_OVERWRITE 0
#define BOOT_HAS_XIP       0
#define BOOT_HAS_RAM_LOAD  0
#elif defined(DFUKIT_BOOT_ONLY_OVERWRITE_ONLY)
#define BOOT_HAS_MOVE      0
#define BOOT_HAS_OFFSET    0
#define BOOT_HAS_OVERWRITE 1
#define BOOT_HAS_XIP       0
#define BOOT_HAS_RAM_LOAD  0
#elif defined(DFUKIT_BOOT_ONLY_DIRECT_XIP)
#define BOOT_HAS_MOVE      0
#define BOOT_HAS_OFFSET    0
#define BOOT_HAS_OVERWRITE 0
#define BOOT_HAS_XIP       1
#define BOOT_HAS_RAM_LOAD  0
#elif defined(DFUKIT_BOOT_ONLY_RAM_LOAD)
#define BOOT_HAS_MOVE      0
#define BOOT_HAS_OFFSET    0
#define BOOT_HAS_OVERWRITE 0
#define BOOT_HAS_XIP       0
#define BOOT_HAS_RAM_LOAD  1
#else
#define BOOT_HAS_MOVE      1
#define BOOT_HAS_OFFSET    1
#define BOOT_HAS_OVERWRITE 1
#define BOOT_HAS_XIP       1
#define BOOT_HAS_RAM_LOAD  1
#endif

/* Write len (<= M) bytes of val at off, padded with the erased value to A. */
int boot_write_field(const struct flash_area *fa, const struct boot_trailer_layout *lay,
		     uint32_t off, const void *val, uint32_t len);

/*
 * The overwrite-only strategy (overwrite.c): decide on the trailers, check
 * the secondary and copy it over the primary. *type is the request acted on
 * (BOOT_SWAP_TYPE_NONE if none). 0 or a negative errno (a flash error as is).
 */
int boot_overwrite_upgrade(const struct boot_config *cfg, int *type);

/* Sector size if all sectors of fa have the same size, else 0; count in *n (boot.c). */
uint32_t boot_uniform_sectors(const struct flash_area *fa, uint32_t *n);

/*
 * boot_read_image_size() that also gives the length of the unprotected TLV
 * area (its info's total, what MCUboot's swap-using-offset keeps in the
 * trailer) (boot.c).
 */
int boot_image_extent(const struct flash_area *fa, uint32_t *size, uint32_t *unprot_tlv);

/*
 * The swap-using-offset strategy (offset.c): resume an interrupted swap or
 * revert, or decide, validate and run a new one. *type as above.
 */
int boot_offset_upgrade(const struct boot_config *cfg, int *type);

/*
 * Direct-xip with revert (direct_xip.c): pick, mark, validate the slot to
 * run; fills *res (slot, offset, image) and logs MCUboot's lines up to
 * "Image 0 loaded from the ... slot". 0, -ENOENT if no slot holds a bootable
 * image, or a flash error as is.
 */
int boot_direct_xip_go(const struct boot_config *cfg, struct boot_result *res);

/*
 * Ram-load (ram_load.c): pick the newest image, copy it into cfg->ram,
 * validate the copy; fills *res (slot, offset, load_addr, load_size, image)
 * and logs MCUboot's lines up to "Image 0 loaded from the ... slot". 0,
 * -ENOENT if no slot holds a bootable image, -EINVAL without a RAM region,
 * or a flash error as is.
 */
int boot_ram_load_go(const struct boot_config *cfg, struct boot_result *res);

/*
 * The slots of the equal-slot strategies (direct-xip, ram-load;
 * equal_slots.c): each slot's header as read from flash, whether it holds one
 * (MCUboot's boot_check_header_valid(): magic, header and body inside the
 * slot), the highest version, erasing a slot.
 */
struct boot_slot {
	const struct flash_area *fa;
	bool avail;
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build;
	uint32_t flags;
	uint32_t load_addr;
};

/* "primary" or "secondary" */
const char *boot_slot_name(uint32_t idx);
/* Both headers, logged as MCUboot does ("Primary   slot: version=1.2.3+4"). */
int boot_slots_read(const struct boot_config *cfg, struct boot_slot s[2]);
/* The available slot with the highest major.minor.revision (the primary on a tie), or 2. */
uint32_t boot_slot_highest(const struct boot_slot s[2]);
/*
 * Erase a slot sector by sector, its trailer sectors first (a cut erase
 * never leaves a stale trailer behind an erased header), then from sector 0.
 */
int boot_slot_scramble(const struct flash_area *fa);
/*
 * Try slot idx: 1 when it is the one to run (res filled but slot, offset and
 * swap type), 0 when it is out (the strategy marked s[idx] unavailable), or
 * a negative errno that ends the boot.
 */
typedef int (*boot_slot_try_fn)(const struct boot_config *cfg, uint32_t idx, struct boot_slot s[2],
				struct boot_result *res);
/*
 * Try the slots highest version first until one runs; log MCUboot's "Image 0
 * loaded from the ... slot" or, with none left, "Unable to find bootable
 * image" and return -ENOENT.
 */
int boot_equal_slots_pick(const struct boot_config *cfg, struct boot_slot s[2],
			  boot_slot_try_fn try, struct boot_result *res);

/*
 * Hardware rollback protection (security_counter.c). boot_seccnt_config():
 * cfg itself without a store, else *wrapped, a copy whose validate also
 * checks the security counter. boot_seccnt_commit(): raise the store to the
 * counter of img, validated in slot (the slot it runs from: the primary but
 * in direct-xip and ram-load), once it cannot be reverted (slot's trailer);
 * 0 or a negative errno (the boot then fails, as MCUboot's does).
 */
const struct boot_config *boot_seccnt_config(const struct boot_config *cfg,
					     struct boot_config *wrapped);
int boot_seccnt_commit(const struct boot_config *cfg, const struct flash_area *slot,
		       const struct boot_image_info *img);
/*
 * A Cortex-M build (DFUKIT_BOOT_ONLY_*) carries it with
 * DFUKIT_SECURITY_COUNTER (DFUKIT_BOOT_SECCNT); without, these calls fold
 * away, the linker drops the file, and a configuration with a store is
 * refused (boot_seccnt_use() returns NULL).
 */
#if defined(DFUKIT_BOOT_SECCNT)
#define BOOT_HAS_SECCNT 1
#elif defined(DFUKIT_BOOT_ONLY_MOVE) || defined(DFUKIT_BOOT_ONLY_OFFSET) ||                        \
	defined(DFUKIT_BOOT_ONLY_OVERWRITE_ONLY) || defined(DFUKIT_BOOT_ONLY_DIRECT_XIP) ||        \
	defined(DFUKIT_BOOT_ONLY_RAM_LOAD)
#define BOOT_HAS_SECCNT 0
#else
#define BOOT_HAS_SECCNT 1
#endif

static inline const struct boot_config *boot_seccnt_use(const struct boot_config *cfg,
							struct boot_config *wrapped)
{
	if (!BOOT_HAS_SECCNT) {
		return cfg->security_counter == NULL ? cfg : NULL;
	}
	return boot_seccnt_config(cfg, wrapped);
}

static inline int boot_seccnt_raise(const struct boot_config *cfg, const struct flash_area *slot,
				    const struct boot_image_info *img)
{
	return BOOT_HAS_SECCNT ? boot_seccnt_commit(cfg, slot, img) : 0;
}

/*
 * Encrypted images in swap-using-move (swap_enc.c, dfukit/boot_enc.h). A
 * Cortex-M build carries them when it has a key (DFUKIT_BOOT_ENC, from
 * DFUKIT_ENC_KEY, swap-using-move only); otherwise the calls fold away and
 * boot_go() refuses a configuration with cfg->enc.
 */
#if defined(DFUKIT_BOOT_ONLY_MOVE) && defined(DFUKIT_BOOT_ENC)
#define BOOT_HAS_ENC 1
#elif defined(DFUKIT_BOOT_ONLY_MOVE) || defined(DFUKIT_BOOT_ONLY_OFFSET) ||                        \
	defined(DFUKIT_BOOT_ONLY_OVERWRITE_ONLY) || defined(DFUKIT_BOOT_ONLY_DIRECT_XIP) ||        \
	defined(DFUKIT_BOOT_ONLY_RAM_LOAD)
#define BOOT_HAS_ENC 0
#else
#define BOOT_HAS_ENC 1
#endif

/* The AES keys of a swap and where each image's encrypted body lies. */
struct swap_enc {
	uint8_t key[2][32];
	bool has_key[2];
	/* slot-relative body of the image that was in slot s at the start: [lo, hi) */
	uint32_t lo[2];
	uint32_t hi[2];
};

/* 0 if cfg->enc is usable: none, or swap-using-move in a build that has it. */
int boot_enc_check(const struct boot_config *cfg);
/* cfg->enc's key size; 0 without encrypted images. */
uint32_t boot_enc_key_size(const struct boot_config *cfg);

/* What boot.c calls: folded to constants without BOOT_HAS_ENC (the linker drops swap_enc.c). */
static inline int boot_enc_use(const struct boot_config *cfg)
{
	if (!BOOT_HAS_ENC) {
		return cfg->enc == NULL ? 0 : -ENOTSUP;
	}
	return boot_enc_check(cfg);
}

static inline uint32_t boot_enc_size(const struct boot_config *cfg)
{
	return BOOT_HAS_ENC ? boot_enc_key_size(cfg) : 0u;
}
/* The body of image s from its header at off in fa (empty if not encrypted). */
int boot_enc_swap_range(struct swap_enc *e, uint32_t s, const struct flash_area *fa, uint32_t off);
/*
 * A new swap: both images' bodies and keys (slot[0] primary, slot[1]
 * secondary). -EBADMSG if the secondary's key does not load; a primary
 * whose key does not load moves back as it is (logged).
 */
int boot_enc_swap_load(const struct boot_config *cfg, const struct flash_area *slot[2],
		       struct swap_enc *e);
/* Write the keys into the primary trailer's fields / read them back (resume). */
int boot_enc_swap_store(const struct flash_area *pri, const struct boot_trailer_layout *lay,
			const struct swap_enc *e, uint32_t key_size);
int boot_enc_swap_restore(const struct flash_area *pri, const struct boot_trailer_layout *lay,
			  struct swap_enc *e, uint32_t key_size);
/*
 * AES-CTR over what of n bytes at image offset off (destination offset, as
 * MCUboot's boot_copy_region()) lies in image s's body, with its key.
 */
int boot_enc_swap_chunk(const struct boot_config *cfg, const struct swap_enc *e, uint32_t s,
			uint32_t off, uint8_t *buf, uint32_t n);
/* Zero the keys once the swap is over (as MCUboot's boot_enc_zeroize()). */
void boot_enc_swap_forget(struct swap_enc *e);

#endif /* DFUKIT_BOOT_PRIV_H */
