/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: MCUboot trailer reader, decision table, application
 * helpers and boot_go() (each strategy: swap-using-move, swap-using-offset,
 * overwrite-only with and without downgrade prevention, direct-xip with
 * revert, ram-load; power-cut resume) on a simulated NOR flash whose geometry and
 * contents come from the input.
 *
 * Flash: [guard sector][primary: np sectors][secondary: ns sectors][guard].
 * Input: a 9-byte header, then content records until the input ends.
 *   h[0] write block 2^(h % 6) (1..32)      h[1] sector 2^(8 + h % 3) (256..1024)
 *   h[2] np = 3 + h % 8, bits 3-4 mode (h/8 & 3: enum boot_mode, 0 move,
 *        1 overwrite-only, 2 offset, 3 direct-xip), bit 5 downgrade
 *        prevention (overwrite-only only), bit 6 ram-load instead (into
 *        the harness's RAM, device address 0, MAX_FLASH bytes)
 *   h[3] ns = np - (h & 1), in offset mode np + 1 - (h & 1)
 *        (bit 1: ns = 2 + h/4 % 9)
 *   h[4] bit 0 FLASH_SIM_F_WRITE_ONCE, bit 1 app helpers, bit 2 boot_go,
 *        bit 3 power cut in boot_go, bits 4-5 tear kind, bit 6 erased value
 *        0x00 (then only the read side runs: flash_sim programs NOR-style),
 *        bit 7 encrypted images (swap-using-move only: boot_config.enc with
 *        a fixed key and an XOR keystream, the secondary validated
 *        decrypted, the trailer with its two key fields)
 *   h[5..6] cut operation number (LE)       h[7] max_sectors (0 = auto, else np + h % 4)
 *   h[8] layout probe: write block / max_sectors for boot_trailer_layout_init
 *   record: sel, off (2 bytes LE), len, len bytes. sel bit 0 secondary,
 *           bit 1 offset counts back from the slot end. The bytes are the
 *           initial flash contents (written to the chip memory directly).
 *
 * Images are validated by dfukit_image_validate() without keys (structure +
 * SHA-256), reading through the flash area: so both unchecked images and
 * real ones (seeds) take part.
 *
 * Invariants (abort() on violation):
 *   - decoded trailer values are within their enums; the decision table
 *     returns NONE/TEST/PERM/REVERT; layouts keep every field in the slot;
 *   - app helpers (the request through boot_secondary_image_area() of the
 *     mode): after boot_request_upgrade() on an unset trailer (magic
 *     and image_ok erased) the
 *     decision is TEST or PERM (PERM if asked); boot_confirm() on a good,
 *     unset trailer makes boot_is_confirmed() true;
 *   - boot_go(): the guard sectors outside both slots are never touched; on
 *     success the slot it reports (the primary; direct-xip: either) holds a
 *     valid image of the reported size at the reported offset;
 *   - direct-xip: the slot run had its trailer magic and was not booted
 *     once already without being confirmed (that one is reverted);
 *   - ram-load: what runs is the copy in RAM of the reported slot's image,
 *     byte for byte, inside the RAM and flagged RAM_LOAD; the boot programs
 *     nothing (it only erases refused images);
 *   - overwrite-only: never a revert; after an upgrade the secondary holds
 *     no valid image (the request is consumed); with downgrade prevention
 *     the image run is never older (major.minor.revision) than a primary
 *     that validated before the boot, with or without a power cut;
 *   - power cut (from a resting primary trailer: unset, or copy_done set):
 *     after the cut, power comes back and boot_go() is called
 *     again; it must finish (no -EIO with power on, unless the uncut run
 *     met the same unprogrammable garbage) and, if the same flash
 *     without the cut booted, boot as well (a power cut never bricks).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/boot.h"
#include "dfukit/boot_enc.h"
#include "dfukit/boot_image.h"
#include "dfukit/flash.h"
#include "dfukit/image.h"

#include "fuzz_check.h"

#define MAX_SECTORS (2u + 10u + 11u) /* offset: ns = np + 1 */
#define MAX_FLASH   (MAX_SECTORS * 1024u)

struct chip {
	struct flash_sim sim;
	struct flash_area pri;
	struct flash_area sec;
	uint8_t mem[MAX_FLASH];
};

/* The strategy under test and what its checks need. */
struct run {
	enum boot_mode mode;
	bool downgrade_prevention;
	bool enc; /* encrypted images (swap-using-move) */
	uint32_t max_sectors;
	/* the primary validated before the boot: the downgrade floor */
	bool has_floor;
	struct boot_image_info floor;
};

static struct chip chip_a, chip_b;
/* ram-load's executable RAM, at device address 0 */
static uint8_t ram[MAX_FLASH];
static uint8_t initial[MAX_FLASH];

/* Encrypted images (h[4] bit 7): a fixed key, a keystream of it and the offset. */
static int fuzz_load_key(void *ctx, const struct flash_area *slot, uint8_t *key)
{
	(void)ctx;
	(void)slot;
	for (uint32_t i = 0; i < 16u; i++) {
		key[i] = (uint8_t)(0xa5u ^ i * 29u);
	}
	return 0;
}

static int fuzz_crypt(void *ctx, const uint8_t *key, uint32_t off, uint8_t *buf, uint32_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < len; i++) {
		buf[i] ^= (uint8_t)(key[(off + i) % 16u] ^ ((off + i) >> 4));
	}
	return 0;
}

static const struct boot_enc fuzz_enc = {16, fuzz_load_key, fuzz_crypt, NULL};

/* ctx: the secondary when its images are decrypted (encrypted runs), else NULL */
static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	int rc = ctx != NULL
			 ? boot_image_validate_enc(slot, slot == ctx, &fuzz_enc, NULL, 0, out, NULL)
			 : boot_image_validate(slot, NULL, 0, out, NULL);
	return rc == 0 || rc == -EIO || rc == -ENOENT ? rc : -EBADMSG;
}

static void check_state(const struct boot_swap_state *st)
{
	CHECK(st->magic >= BOOT_MAGIC_GOOD && st->magic <= BOOT_MAGIC_UNSET);
	CHECK(st->copy_done >= BOOT_FLAG_SET && st->copy_done <= BOOT_FLAG_UNSET);
	CHECK(st->image_ok >= BOOT_FLAG_SET && st->image_ok <= BOOT_FLAG_UNSET);
	/* 0 is kept as MCUboot keeps it (swap_info 0x00 or 0xN0): no swap */
	CHECK(st->swap_type <= BOOT_SWAP_TYPE_REVERT);
	CHECK(st->image_num <= 15);
}

static void probe_layout(uint32_t slot, uint8_t h, enum boot_mode mode)
{
	struct boot_trailer_layout lay;
	uint32_t a = 1u << (h % 7u); /* 64 is refused */
	uint32_t maxs = (uint32_t)(h >> 3) * 7u;
	bool offset = mode == BOOT_MODE_SWAP_OFFSET;

	if (boot_trailer_layout_init_mode(&lay, mode, slot, a, maxs) != 0) {
		return;
	}
	CHECK(a <= 32u);
	CHECK(lay.status_off + lay.trailer_sz == slot);
	CHECK(lay.magic_off + BOOT_MAGIC_SZ == slot);
	CHECK(lay.image_ok_off % lay.max_align == 0 &&
	      lay.image_ok_off + lay.max_align <= lay.magic_off);
	CHECK(lay.status_per_sector == (offset ? 2u : 3u));
	CHECK(lay.swap_size_off >= lay.status_off + maxs * lay.status_per_sector * a);
	CHECK(lay.copy_done_off + lay.max_align == lay.image_ok_off);
	CHECK(lay.swap_info_off + lay.max_align == lay.copy_done_off);
	if (offset) {
		CHECK(lay.unprot_tlv_off + lay.max_align == lay.swap_info_off);
		CHECK(lay.swap_size_off + lay.max_align == lay.unprot_tlv_off);
	} else {
		CHECK(lay.unprot_tlv_off == 0u);
		CHECK(lay.swap_size_off + lay.max_align == lay.swap_info_off);
	}
	/* with the two AES key fields of encrypted images: below swap_size, aligned to M */
	struct boot_trailer_layout enc;
	uint32_t key = (h & 0x80u) != 0u ? 32u : 16u;

	if (boot_trailer_layout_init_enc(&enc, mode, slot, a, maxs, key) != 0) {
		CHECK(mode != BOOT_MODE_SWAP_MOVE || slot < lay.trailer_sz + 2u * 32u);
		return;
	}
	CHECK(mode == BOOT_MODE_SWAP_MOVE);
	CHECK(enc.enc_key_sz >= key && enc.enc_key_sz % enc.max_align == 0u);
	CHECK(enc.swap_size_off == lay.swap_size_off && enc.image_ok_off == lay.image_ok_off);
	CHECK(enc.enc_key_off[0] + enc.enc_key_sz == enc.swap_size_off);
	CHECK(enc.enc_key_off[1] + enc.enc_key_sz == enc.enc_key_off[0]);
	CHECK(enc.status_off + maxs * 3u * a == enc.enc_key_off[1]);
	CHECK(enc.trailer_sz == lay.trailer_sz + 2u * enc.enc_key_sz);
}

static void app_helpers(struct chip *c, enum boot_mode mode, bool permanent)
{
	struct boot_swap_state ps, ss;
	struct flash_area upd;

	/* where the application writes the update (offset: from sector 1) */
	CHECK(boot_secondary_image_area(&c->sec, mode, &upd) == 0);
	CHECK(upd.off + upd.size == c->sec.off + c->sec.size);
	CHECK(mode == BOOT_MODE_SWAP_OFFSET ? upd.off > c->sec.off : upd.off == c->sec.off);
	if (boot_read_swap_state(&c->sec, &ss) == 0) {
		int rc = boot_request_upgrade(&upd, permanent);
		CHECK(rc == 0 || rc == -EBADMSG || rc == -EIO);
		CHECK(rc != -EBADMSG || ss.magic == BOOT_MAGIC_BAD);
		/*
		 * Only from a clean trailer: with the magic unset but a stray
		 * image_ok byte, the request "succeeds" and decides nothing, as
		 * MCUboot's boot_set_pending() does (see docs/reliability.md).
		 */
		if (rc == 0 && ss.magic == BOOT_MAGIC_UNSET && ss.image_ok == BOOT_FLAG_UNSET &&
		    boot_read_swap_state(&c->pri, &ps) == 0 &&
		    boot_read_swap_state(&c->sec, &ss) == 0) {
			int t = boot_swap_type_decide(&ps, &ss);
			CHECK(ss.magic == BOOT_MAGIC_GOOD);
			CHECK(t == BOOT_SWAP_TYPE_TEST || t == BOOT_SWAP_TYPE_PERM);
			CHECK(!permanent || t == BOOT_SWAP_TYPE_PERM);
		}
	}
	if (boot_read_swap_state(&c->pri, &ps) == 0) {
		int rc = boot_confirm(&c->pri);
		CHECK(rc == 0 || rc == -EBADMSG || rc == -EIO);
		if (rc == 0 && ps.magic == BOOT_MAGIC_GOOD && ps.image_ok == BOOT_FLAG_UNSET) {
			CHECK(boot_is_confirmed(&c->pri));
		}
	}
}

/* FUZZ_BOOT_VERBOSE=1 prints boot_go()'s log, to study a reproducer. */
static void print_log(void *ctx, char level, const char *line)
{
	(void)ctx;
	fprintf(stderr, "  boot %c: %s\n", level, line);
}

static int version_cmp(const struct boot_image_info *a, const struct boot_image_info *b)
{
	uint32_t va = (uint32_t)a->major << 24 | (uint32_t)a->minor << 16 | a->revision;
	uint32_t vb = (uint32_t)b->major << 24 | (uint32_t)b->minor << 16 | b->revision;

	return va < vb ? -1 : (va > vb ? 1 : 0);
}

/* The strategy's own promises after a boot that succeeded. */
static void check_mode(struct chip *c, const struct run *r, const struct boot_result *res)
{
	struct boot_image_info info;

	if (r->mode != BOOT_MODE_OVERWRITE_ONLY) {
		return;
	}
	CHECK(res->swap_type != BOOT_SWAP_TYPE_REVERT);
	if (res->swap_type != BOOT_SWAP_TYPE_NONE) {
		CHECK(validate(NULL, &c->sec, &info) != 0); /* request consumed */
	}
	if (r->downgrade_prevention && r->has_floor) {
		CHECK(version_cmp(&res->image, &r->floor) >= 0);
	}
}

/* Whether the image in fa could run from it: it validates, and no ROM_FIXED elsewhere. */
static bool xip_runnable(const struct flash_area *fa)
{
	struct boot_image_info info;
	uint8_t h[DFUKIT_IMAGE_HEADER_SIZE];

	if (validate(NULL, fa, &info) != 0 || flash_area_read(fa, 0, h, sizeof(h)) != 0) {
		return false;
	}
	uint32_t flags = (uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 |
			 (uint32_t)h[19] << 24;
	uint32_t load =
		(uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	return (flags & DFUKIT_IMAGE_F_ROM_FIXED) == 0u || load == fa->off;
}

/*
 * Direct-xip's pick, from the trailers before the boot (no cut): the slot
 * that runs had its magic, and was not an image booted once (copy_done set)
 * without image_ok, which the revert erases instead. A torn mark (copy_done
 * BAD) without image_ok is booted only when the other slot could not run
 * (direct_xip.c: otherwise it counts as booted once).
 */
static void check_xip_pick(const struct chip *c, const struct boot_result *res,
			   const struct boot_swap_state *pri, const struct boot_swap_state *sec)
{
	const struct boot_swap_state *was = res->slot == 1u ? sec : pri;

	CHECK(was->magic == BOOT_MAGIC_GOOD);
	CHECK(was->copy_done != BOOT_FLAG_SET || was->image_ok == BOOT_FLAG_SET);
	if (was->copy_done == BOOT_FLAG_BAD && was->image_ok != BOOT_FLAG_SET) {
		CHECK(!xip_runnable(res->slot == 1u ? &c->pri : &c->sec));
	}
}

/* Ram-load: the RAM holds the image of the slot that runs, where its header says. */
static void check_ram_copy(const struct flash_area *run, const struct run *r,
			   const struct boot_result *res)
{
	static uint8_t flash[MAX_FLASH];

	if (r->mode != BOOT_MODE_RAM_LOAD) {
		CHECK(res->load_addr == 0u && res->load_size == 0u);
		return;
	}
	CHECK(res->load_size == res->image.total_size && res->load_size <= run->size);
	CHECK(res->load_addr <= sizeof(ram) && res->load_size <= sizeof(ram) - res->load_addr);
	CHECK(flash_area_read(run, 0, flash, res->load_size) == 0);
	CHECK(memcmp(ram + res->load_addr, flash, res->load_size) == 0);
	CHECK((ram[res->load_addr + 16] & DFUKIT_IMAGE_F_RAM_LOAD) != 0u);
}

static int run_boot(struct chip *c, const struct run *r, struct boot_result *res)
{
	static int verbose = -1;
	if (verbose < 0) {
		verbose = getenv("FUZZ_BOOT_VERBOSE") != NULL;
	}
	struct boot_config cfg = {
		.primary = &c->pri,
		.secondary = &c->sec,
		.max_sectors = r->max_sectors,
		.ram = {ram, 0, sizeof(ram)},
		.validate = validate,
		.log = verbose ? print_log : NULL,
		.mode = r->mode,
		.downgrade_prevention = r->downgrade_prevention,
		.enc = r->enc ? &fuzz_enc : NULL,
		.validate_ctx = r->enc ? &c->sec : NULL,
	};
	int rc = boot_go(&cfg, res);

	if (rc == 0) {
		struct boot_image_info info;
		/* direct-xip runs the image in place, from either slot */
		const struct flash_area *run = res->slot == 1u ? &c->sec : &c->pri;
		CHECK(res->slot == 0u || (res->slot == 1u && (r->mode == BOOT_MODE_DIRECT_XIP ||
							      r->mode == BOOT_MODE_RAM_LOAD)));
		CHECK(!flash_sim_is_off(&c->sim));
		CHECK(validate(r->enc ? &c->sec : NULL, run, &info) == 0);
		CHECK(info.total_size == res->image.total_size);
		CHECK(res->offset == run->off);
		CHECK(res->swap_type >= BOOT_SWAP_TYPE_NONE &&
		      res->swap_type <= BOOT_SWAP_TYPE_REVERT);
		check_mode(c, r, res);
		check_ram_copy(run, r, res);
	}
	return rc;
}

static void setup_chip(struct chip *c, const struct flash_geometry *geo, uint32_t flags,
		       uint32_t ss, uint32_t np, uint32_t ns)
{
	memcpy(c->mem, initial, geo->size);
	CHECK(flash_sim_init(&c->sim, geo, c->mem, geo->size, flags) == 0);
	CHECK(flash_area_init(&c->pri, &c->sim.dev, ss, np * ss) == 0);
	CHECK(flash_area_init(&c->sec, &c->sim.dev, ss + np * ss, ns * ss) == 0);
}

static void check_guards(const struct chip *c, uint32_t ss, uint32_t size)
{
	CHECK(memcmp(c->mem, initial, ss) == 0);
	CHECK(memcmp(c->mem + size - ss, initial + size - ss, ss) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[9] = {0};

	if (size < sizeof(h)) {
		return 0;
	}
	memcpy(h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);

	uint32_t wb = 1u << (h[0] % 6u);
	uint32_t ss = 1u << (8u + h[1] % 3u);
	uint32_t np = 3u + h[2] % 8u;
	struct run r = {
		.mode = (h[2] & 0x40u) != 0u ? BOOT_MODE_RAM_LOAD
					     : (enum boot_mode)((h[2] >> 3) & 3u),
		.max_sectors = h[7] == 0 ? 0u : np + h[7] % 4u,
	};
	r.downgrade_prevention = r.mode == BOOT_MODE_OVERWRITE_ONLY && (h[2] & 0x20u) != 0;
	r.enc = r.mode == BOOT_MODE_SWAP_MOVE && (h[4] & 0x80u) != 0;
	uint32_t same = r.mode == BOOT_MODE_SWAP_OFFSET ? np + 1u : np;
	uint32_t ns = (h[3] & 2u) ? 2u + (uint32_t)(h[3] >> 2) % 9u : same - (h[3] & 1u);
	uint32_t flags = (h[4] & 1u) ? FLASH_SIM_F_WRITE_ONCE : 0u;
	uint8_t ev = (h[4] & 0x40u) ? 0x00 : 0xff;
	uint32_t cut_op = (uint32_t)h[5] | (uint32_t)h[6] << 8;
	struct flash_geometry geo = {
		.size = (2u + np + ns) * ss,
		.write_block = wb,
		.erased_val = ev,
		.sector_size = ss,
	};
	CHECK(geo.size <= MAX_FLASH);
	CHECK(flash_geometry_check(&geo) == 0);

	/* initial contents: erased, then the records */
	memset(initial, ev, geo.size);
	while (size >= 4) {
		uint8_t sel = data[0];
		uint32_t off = (uint32_t)data[1] | (uint32_t)data[2] << 8;
		uint32_t len = data[3];
		data += 4;
		size -= 4;
		if (len > size) {
			len = (uint32_t)size;
		}
		uint32_t base = (sel & 1u) ? ss + np * ss : ss;
		uint32_t slot = ((sel & 1u) ? ns : np) * ss;
		off %= slot;
		if (sel & 2u) {
			off = slot - 1u - off; /* counted back from the slot end */
			off = off >= len ? off - len + 1u : 0u;
		}
		uint32_t n = slot - off < len ? slot - off : len;
		memcpy(initial + base + off, data, n);
		data += len;
		size -= len;
	}

	struct chip *a = &chip_a;
	setup_chip(a, &geo, flags, ss, np, ns);
	probe_layout(np * ss, h[8], r.mode);

	struct boot_swap_state ps, ss_state;
	CHECK(boot_read_swap_state(&a->pri, &ps) == 0);
	CHECK(boot_read_swap_state(&a->sec, &ss_state) == 0);
	check_state(&ps);
	check_state(&ss_state);
	int t = boot_swap_type_decide(&ps, &ss_state);
	CHECK(t >= BOOT_SWAP_TYPE_NONE && t <= BOOT_SWAP_TYPE_REVERT);
	uint32_t swap_size;
	CHECK(boot_read_swap_size(&a->pri, &swap_size) == 0);
	(void)boot_is_confirmed(&a->pri);

	if (ev != 0xffu) {
		/*
		 * flash_sim programs NOR-style (bits only go 1 -> 0), so a chip
		 * that erases to 0x00 is only read here: trailer decoding above.
		 */
		return 0;
	}
	if (h[4] & 2u) {
		app_helpers(a, r.mode, (h[8] & 1u) != 0);
		memcpy(initial + ss, a->mem + ss, (np + ns) * ss); /* boot what the app left */
		setup_chip(a, &geo, flags, ss, np, ns);
		CHECK(boot_read_swap_state(&a->pri, &ps) == 0);
	}
	if (!(h[4] & 4u)) {
		return 0;
	}

	struct boot_result res_a, res_b;
	r.has_floor = validate(NULL, &a->pri, &r.floor) == 0;
	CHECK(boot_read_swap_state(&a->sec, &ss_state) == 0);
	uint32_t writes = a->sim.writes;
	int rc_a = run_boot(a, &r, &res_a);

	CHECK(r.mode != BOOT_MODE_RAM_LOAD || a->sim.writes == writes);

	if (rc_a == 0 && r.mode == BOOT_MODE_DIRECT_XIP) {
		check_xip_pick(a, &res_a, &ps, &ss_state);
	}
	/*
	 * -EIO without a cut: a trailer write met non-erased bytes that the
	 * input put in a field's padding (flash_sim refuses to program over
	 * them). Unreachable from real histories; accepted, see reliability.md.
	 */
	CHECK(rc_a == 0 || rc_a < 0);
	check_guards(a, ss, geo.size);
	if (!(h[4] & 8u)) {
		return 0;
	}

	/* the same flash, with a power cut at operation cut_op, then power back */
	struct chip *b = &chip_b;
	setup_chip(b, &geo, flags, ss, np, ns);
	flash_sim_cut_at(&b->sim, cut_op, (enum flash_sim_tear)((h[4] >> 4) % 3u));
	int rc_b = run_boot(b, &r, &res_b);
	check_guards(b, ss, geo.size);
	if (!flash_sim_is_off(&b->sim)) {
		return 0; /* the boot needed fewer operations than cut_op */
	}
	CHECK(rc_b == -EIO);
	flash_sim_power_on(&b->sim);
	rc_b = run_boot(b, &r, &res_b);
	check_guards(b, ss, geo.size);
	/*
	 * The no-brick rule is checked from the states a device rests in
	 * between updates: primary trailer unset, or a finished swap
	 * (copy_done set). A primary trailer that claims a swap in progress
	 * is an interrupted swap already; with a secondary that claims a
	 * request too but holds no valid image (needs corruption on top of a
	 * cut), the resume trusts the primary's swap_size as MCUboot does.
	 */
	bool rest = ps.magic == BOOT_MAGIC_UNSET ||
		    (ps.magic == BOOT_MAGIC_GOOD && ps.copy_done == BOOT_FLAG_SET);
	if (!rest) {
		return 0;
	}
	CHECK(rc_b != -EIO || rc_a == -EIO);
	if (rc_a == 0) {
		CHECK(rc_b == 0); /* a power cut never bricks a device that would have booted */
	}
	return 0;
}
