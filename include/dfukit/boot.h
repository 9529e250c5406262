/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MCUboot-compatible boot support: image trailer, swap decision table,
 * swap-using-move with power-loss resume, application helpers and the boot
 * entry boot_go().
 *
 * Image trailer at the end of each slot (S = slot size, A = write block of the
 * slot's flash, M = max_align = max(A, 8), MA = 16 if M <= 16 else M,
 * MAXS = max sectors, status elements are A bytes each):
 *
 *   S - trailer_sz      +-------------------------------------------+
 *                       | swap status: MAXS * 3 elements of A bytes  |
 *                       |   [0 .. MAXS-1]           move steps       |
 *                       |   [MAXS + 2(k-1) + st-1]  swap step k, st  |
 *   swap_size_off       | swap_size  u32 LE, padded to M             |
 *   swap_info_off       | swap_info  (image << 4) | swap type, M      |
 *   copy_done_off       | copy_done  0x01 = set, M                   |
 *   image_ok_off        | image_ok   0x01 = set, M                   |
 *   S - MA              | magic (16 bytes at S - 16), MA             |
 *   S                   +-------------------------------------------+
 *
 *   trailer_sz = MAXS * 3 * A + 4 * M + MA
 *   image_ok_off = ALIGN_DOWN(S - 16 - M, M); each field below is M lower.
 *   magic = 77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80 when M == 8,
 *           else u16 LE M followed by 2d e1 5d 29 41 0b 8d 77 67 9c 11 0f 1f 8a.
 *
 * Every field is written once after an erase, padded with the erased value
 * to a multiple of A. The layout is byte-identical to MCUboot's (no
 * encryption, swap-using-move), so trailers written by imgtool --pad/--confirm,
 * by MCUboot or by this code are understood by all of them.
 *
 * With encrypted images (boot_config.enc, MCUboot's MCUBOOT_ENC_IMAGES
 * without MCUBOOT_SWAP_SAVE_ENCTLV) two key fields of KA = ALIGN_UP(key
 * size, M) bytes each lie between the status area and swap_size: the AES
 * keys of the images that were in the primary (slot 0) and the secondary
 * (slot 1) when the swap started, raw, all erased for an image that is not
 * encrypted, in the primary trailer only (a resumed swap reads them there):
 *   enc_key_off[s] = swap_size_off - (s + 1) * KA
 *   trailer_sz = MAXS * 3 * A + 2 * KA + 4 * M + MA
 * The fields above swap_size do not move, so the application side is the
 * same with or without them.
 *
 * Functions returning int return 0 or a negative errno unless their comment
 * says otherwise (boot_swap_type_decide() returns a swap type). No heap, no
 * globals.
 */
#ifndef DFUKIT_BOOT_H
#define DFUKIT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <dfukit/flash.h>

#define BOOT_MAGIC_SZ 16u

/* Encrypted images: dfukit/boot_enc.h. */
struct boot_enc;

/*
 * Upgrade strategy (MCUboot's is a build-time choice, dfukit's a field):
 *   BOOT_MODE_SWAP_MOVE       swap-using-move, test/permanent/revert (above)
 *   BOOT_MODE_OVERWRITE_ONLY  MCUboot's MCUBOOT_OVERWRITE_ONLY(_FAST): the
 *     validated secondary is copied over the primary and its header and
 *     trailer sectors are erased; test and permanent requests alike, no
 *     revert, no status area (imgtool --overwrite-only trailers). A power cut
 *     leaves the secondary intact until the copy is complete, so the next
 *     boot validates it again and restarts the copy; a partial primary never
 *     validates, so it never runs. Largest image: the lower swap_info offset
 *     of the two slots (MCUboot's bootutil_max_image_size()).
 *   BOOT_MODE_SWAP_OFFSET     MCUboot's MCUBOOT_SWAP_USING_OFFSET: the update
 *     is written from the second sector of the secondary slot
 *     (boot_secondary_image_area()); for each sector N the swap copies
 *     primary[N] -> secondary[N], then secondary[N+1] -> primary[N], two
 *     status elements per sector in the primary trailer, which also keeps
 *     the unprotected TLV sizes of both images (the layout below). Test,
 *     permanent and revert as swap-using-move; all sectors of both slots
 *     the same size; the secondary has as many sectors as the primary or
 *     one more. Largest image: the lower of the primary's sectors below its
 *     trailer and the secondary's less one (MCUboot's app_max_size()).
 *   BOOT_MODE_DIRECT_XIP      MCUboot's MCUBOOT_DIRECT_XIP with
 *     MCUBOOT_DIRECT_XIP_REVERT: no copy; the image with the highest version
 *     (primary on a tie) runs from its own slot (boot_result.slot, .offset);
 *     a ROM_FIXED image whose load address is not its slot's offset is
 *     skipped; the slot's trailer must carry the magic (imgtool --pad or
 *     --confirm, boot_request_upgrade()), copy_done marks "booted once", and
 *     an image booted once without image_ok is erased at the next boot, as
 *     is an image that fails validation (src/boot/direct_xip.c). The running
 *     image confirms itself with boot_confirm() on its own slot.
 *   BOOT_MODE_RAM_LOAD        MCUboot's MCUBOOT_RAM_LOAD (without
 *     MCUBOOT_RAM_LOAD_REVERT): the image with the highest version (primary
 *     on a tie) is copied into the executable RAM (boot_config.ram) at the
 *     load address of its header (IMAGE_F_RAM_LOAD, imgtool -L/--load-addr)
 *     and validated there, in the copy that runs (boot_result.load_addr,
 *     .load_size); an image without the flag, with a load address outside
 *     the RAM, or that fails validation is erased and the other slot tried
 *     (src/boot/ram_load.c). No trailer is read or written. Updates go to
 *     the slot the running image was not loaded from.
 */
enum boot_mode {
	BOOT_MODE_SWAP_MOVE = 0,
	BOOT_MODE_OVERWRITE_ONLY = 1,
	BOOT_MODE_SWAP_OFFSET = 2,
	BOOT_MODE_DIRECT_XIP = 3,
	BOOT_MODE_RAM_LOAD = 4,
};

/* Decoded trailer values; numbers match MCUboot's (used in its log lines). */
enum boot_magic_state {
	BOOT_MAGIC_GOOD = 1,
	BOOT_MAGIC_BAD = 2,
	BOOT_MAGIC_UNSET = 3,
};

enum boot_flag_state {
	BOOT_FLAG_SET = 1,
	BOOT_FLAG_BAD = 2,
	BOOT_FLAG_UNSET = 3,
};

enum boot_swap_type {
	BOOT_SWAP_TYPE_NONE = 1,
	BOOT_SWAP_TYPE_TEST = 2,
	BOOT_SWAP_TYPE_PERM = 3,
	BOOT_SWAP_TYPE_REVERT = 4,
	BOOT_SWAP_TYPE_FAIL = 5,
	BOOT_SWAP_TYPE_PANIC = 0xff,
};

/* Offsets (slot-relative) of the trailer fields of one slot. */
struct boot_trailer_layout {
	uint32_t slot_size;
	uint32_t write_sz;    /* A */
	uint32_t max_align;   /* M */
	uint32_t max_sectors; /* MAXS */
	uint32_t magic_area;  /* MA */
	uint32_t trailer_sz;
	uint32_t status_off;
	uint32_t swap_size_off;
	uint32_t swap_info_off;
	uint32_t copy_done_off;
	uint32_t image_ok_off;
	uint32_t magic_off; /* S - 16 */
	/* Status elements per sector: 3 (move), 2 (offset). */
	uint32_t status_per_sector;
	/* Swap-using-offset: the unprotected TLV sizes field; 0 in other modes. */
	uint32_t unprot_tlv_off;
	/* Encrypted images: KA (0 without them) and the key field of each slot. */
	uint32_t enc_key_sz;
	uint32_t enc_key_off[2];
};

struct boot_swap_state {
	uint8_t magic;     /* enum boot_magic_state */
	uint8_t swap_type; /* enum boot_swap_type (low nibble of swap_info) */
	uint8_t copy_done; /* enum boot_flag_state */
	uint8_t image_ok;  /* enum boot_flag_state */
	uint8_t image_num; /* high nibble of swap_info */
};

/*
 * Compute the layout for a slot of slot_size bytes on flash with write block
 * write_sz (1..32, power of two). max_sectors only moves the status area;
 * pass 0 for the field offsets alone (application side).
 */
int boot_trailer_layout_init(struct boot_trailer_layout *lay, uint32_t slot_size, uint32_t write_sz,
			     uint32_t max_sectors);
/*
 * The layout of a mode. Swap-using-offset (MCUboot's with
 * MCUBOOT_SWAP_USING_OFFSET) has two status elements per sector and one
 * more M-sized field, the unprotected TLV sizes (u32 LE: the primary
 * image's in the low 16 bits, the secondary's in the high 16), between
 * swap_info and swap_size:
 *   trailer_sz = MAXS * 2 * A + 5 * M + MA
 *   unprot_tlv_off = swap_info_off - M, swap_size_off = unprot_tlv_off - M
 *   status element of sector k, state s (0, 1): status_off + (2k + s) * A,
 *   holding s + 1.
 * Every other mode has the layout above.
 */
int boot_trailer_layout_init_mode(struct boot_trailer_layout *lay, enum boot_mode mode,
				  uint32_t slot_size, uint32_t write_sz, uint32_t max_sectors);
/*
 * The layout of a mode with the two AES key fields of encrypted images
 * (above) for keys of key_size bytes (16, 32; 0: none, as _init_mode()).
 * Swap-using-move only; -EINVAL for another mode with key_size != 0.
 */
int boot_trailer_layout_init_enc(struct boot_trailer_layout *lay, enum boot_mode mode,
				 uint32_t slot_size, uint32_t write_sz, uint32_t max_sectors,
				 uint32_t key_size);
/* Same, from an area (its size and write block). */
int boot_trailer_layout_for(struct boot_trailer_layout *lay, const struct flash_area *fa,
			    uint32_t max_sectors);
/* The 16 magic bytes for a given max_align. */
void boot_magic_bytes(uint32_t max_align, uint8_t out[BOOT_MAGIC_SZ]);

int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *st);
int boot_read_swap_size(const struct flash_area *fa, uint32_t *swap_size);
int boot_write_magic(const struct flash_area *fa);
int boot_write_image_ok(const struct flash_area *fa);
int boot_write_copy_done(const struct flash_area *fa);
int boot_write_swap_info(const struct flash_area *fa, uint8_t swap_type, uint8_t image_num);
int boot_write_swap_size(const struct flash_area *fa, uint32_t swap_size);

/*
 * MCUboot's decision table (first matching row wins):
 *   secondary magic GOOD, secondary image_ok UNSET                 -> TEST
 *   secondary magic GOOD, secondary image_ok SET                   -> PERM
 *   primary magic GOOD, primary image_ok UNSET, copy_done SET (or BAD),
 *     secondary magic UNSET (or BAD)                               -> REVERT
 *   otherwise                                                      -> NONE
 * Two deliberate relaxations of MCUboot (which wants copy_done SET and the
 * secondary magic UNSET), both only reachable through torn writes:
 *   - secondary magic BAD: a power cut tore the magic written by the revert
 *     fixup; the revert must still happen.
 *   - copy_done BAD: a power cut tore the last write of a completed swap
 *     (copy_done is written after every step); without this an unconfirmed
 *     test image would never be reverted.
 * The secondary image is validated before any revert, so nothing unverified
 * is ever swapped in.
 */
int boot_swap_type_decide(const struct boot_swap_state *primary,
			  const struct boot_swap_state *secondary);
const char *boot_swap_type_str(int swap_type);

/* --- application side ------------------------------------------------------- */

/*
 * Mark the image in the secondary slot for an upgrade at the next boot: test
 * (reverted unless confirmed) or permanent. Already pending: 0.
 * A corrupt secondary trailer (magic BAD): -EBADMSG.
 */
int boot_request_upgrade(const struct flash_area *secondary, bool permanent);
/*
 * Confirm the running image (write image_ok in the primary trailer).
 * No trailer (magic UNSET): nothing to do, 0. Magic BAD: -EBADMSG.
 */
int boot_confirm(const struct flash_area *primary);
/* true if the primary image will not be reverted (confirmed or no trailer). */
bool boot_is_confirmed(const struct flash_area *primary);

/* --- boot entry ------------------------------------------------------------- */

struct boot_image_info {
	uint8_t major;
	uint8_t minor;
	uint16_t revision;
	uint32_t build;
	uint32_t hdr_size;
	uint32_t img_size;
	/* Bytes used from the slot start: header + body + all TLVs. */
	uint32_t total_size;
	/* FIH_SUCCESS (dfukit/fih.h) when hash and signature verified; else not. */
	uint32_t verdict;
	/* The protected security counter TLV (0x50), if the image has one. */
	bool has_security_counter;
	uint32_t security_counter;
};

/*
 * Size of the MCUboot image at the start of fa from its header and TLV infos
 * alone, no hash and no signature (MCUboot's swap sizes the primary the same
 * way): header + body + protected TLVs + TLVs, what validation reports as
 * total_size, bounds-checked against fa. 0 with *size set; -ENOENT for an
 * erased header; -EIO if flash could not be read; -EBADMSG for a malformed
 * header or TLV info; -EFBIG when the image would not fit in fa.
 */
int boot_read_image_size(const struct flash_area *fa, uint32_t *size);

/*
 * Validate the image at the start of `slot` and describe it.
 * Return 0 if it is valid, -ENOENT if the slot holds no image (erased
 * header), -EIO if flash could not be read (boot_go() aborts), any other
 * negative errno if the image is invalid.
 * boot_go() calls it at most twice: for the secondary before a new swap (the
 * image to swap in), and for the primary before the jump. The primary's size
 * for a swap comes from boot_read_image_size(), a resumed swap's from the
 * trailer. Overwrite-only with downgrade prevention validates the primary
 * once more before a copy (the version floor), three calls in all.
 */
typedef int (*boot_validate_fn)(void *ctx, const struct flash_area *slot,
				struct boot_image_info *out);
/* One log line without newline; level is 'I', 'W' or 'E'. */
typedef void (*boot_log_fn)(void *ctx, char level, const char *line);

/* "move", "overwrite-only", "offset", "direct-xip", "ram-load"; NULL for an unknown mode. */
const char *boot_mode_name(enum boot_mode mode);
/* The mode called name; -EINVAL if none is. */
int boot_mode_parse(const char *name, enum boot_mode *mode);
/*
 * Where an update image is written in the secondary slot in this mode: the
 * whole slot, or in swap-using-offset the slot less its first sector (the
 * area ends where the slot does, so boot_request_upgrade() on it writes the
 * same trailer bytes as on the slot). -EINVAL for a slot of one sector or a
 * mode boot_mode_name() does not know.
 */
int boot_secondary_image_area(const struct flash_area *secondary, enum boot_mode mode,
			      struct flash_area *out);

/* dfukit/security_counter.h */
struct boot_security_counter;

/*
 * Ram-load's executable RAM (MCUboot's IMAGE_EXECUTABLE_RAM_START/_SIZE):
 * size bytes at buf, owned by the caller, which the image sees at device
 * address addr. An image loads at buf + (load_addr - addr).
 */
struct boot_ram {
	uint8_t *buf;
	uint32_t addr;
	uint32_t size;
};

struct boot_config {
	const struct flash_area *primary;
	const struct flash_area *secondary;
	/* BOOT_MAX_IMG_SECTORS; 0 = the larger slot's sector count (Zephyr AUTO). */
	uint32_t max_sectors;
	boot_validate_fn validate;
	void *validate_ctx;
	/* Optional. */
	boot_log_fn log;
	void *log_ctx;
	/*
	 * Encrypted images (dfukit/boot_enc.h); NULL: none. Swap-using-move
	 * only (boot_go() returns -ENOTSUP in another mode, and in a Cortex-M
	 * build, which does not carry it yet); the trailer then has the key
	 * fields above.
	 */
	const struct boot_enc *enc;
	/* 0 (zero-initialised) is swap-using-move. */
	enum boot_mode mode;
	/*
	 * MCUBOOT_DOWNGRADE_PREVENTION (overwrite-only only; boot_go() returns
	 * -EINVAL with it in another mode): a secondary image whose version
	 * (major.minor.revision, not the build number) is lower than that of a
	 * valid primary image is erased, not copied ("Insufficient version in
	 * secondary slot"). Equal versions are copied, as MCUboot does. A primary
	 * that does not validate (erased, or cut mid-copy) sets no floor.
	 */
	bool downgrade_prevention;
	/*
	 * MCUBOOT_HW_ROLLBACK_PROT: the monotonic security counter store
	 * (dfukit/security_counter.h); NULL = off. With it, every image
	 * validate accepts (the secondary before a swap or copy, the primary
	 * before the jump) must carry a protected security counter TLV not
	 * below the stored value ("Image security counter value N lower than
	 * monotonic value M"), and the store is raised to the primary's counter
	 * only once that image can no longer be reverted: its trailer has no
	 * magic or image_ok is set, or the mode is overwrite-only or ram-load;
	 * in direct-xip the image picked to run is checked (one below the
	 * counter is erased, as an invalid one) and raises the store only if
	 * its own slot has image_ok set. A Cortex-M
	 * build of the boot library does not carry it yet: boot_go() returns
	 * -ENOTSUP with a store.
	 */
	const struct boot_security_counter *security_counter;
	/* BOOT_MODE_RAM_LOAD only: where images are loaded (unused otherwise). */
	struct boot_ram ram;
};

struct boot_result {
	/* The slot that runs: 0 in the swap modes, 0 or 1 in direct-xip and ram-load. */
	uint32_t slot;
	/* Device offset of the slot (MCUboot's chainload offset). */
	uint32_t offset;
	/*
	 * Ram-load: the device address in boot_config.ram where the image
	 * (header first) was copied and validated, and its bytes there (header,
	 * body, TLVs); 0 in other modes.
	 */
	uint32_t load_addr;
	uint32_t load_size;
	/* The swap type that was acted on (BOOT_SWAP_TYPE_NONE if none). */
	int swap_type;
	struct boot_image_info image;
};

/*
 * Decide, resume or perform a swap, validate and pick the image to run.
 * Returns 0 with *res filled when the primary slot (direct-xip: the chosen
 * slot, res->slot; ram-load: its copy in RAM) holds a valid image;
 * -EINVAL without slots or a validate function; -ENOENT when no bootable
 * image exists; a flash error (-EIO after a power cut) as is: call again
 * after power returns and the swap resumes.
 */
int boot_go(const struct boot_config *cfg, struct boot_result *res);

#endif /* DFUKIT_BOOT_H */
