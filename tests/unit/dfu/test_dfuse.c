/* SPDX-License-Identifier: Apache-2.0 */
/* DfuSe (dfukit/dfuse.h) under the DFU class, on simulated NOR flash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfuse.h"
#include "dfukit/sample/device.h"

#define SECTOR     4096u
#define FLASH_SIZE (16u * SECTOR)
/* The exposed area: sectors 4..11 at bus address BASE; neighbours must never change. */
#define SLOT_OFF   (4u * SECTOR)
#define SLOT_SIZE  (8u * SECTOR)
#define FLASH_BUS  0x08000000u
#define BASE       (FLASH_BUS + SLOT_OFF)
#define XFER       1024u

struct rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area slot;
	struct dfuse dfuse;
	struct vudc v;
	struct sample_device dev;
	struct dfu_alt alt;
	struct dfu_flash_timing timing;
	uint64_t now_us;
	uint8_t buf[4096];
	uint8_t mem[FLASH_SIZE];
	char layout[64];
	const char *names[1];
	unsigned leaves;
	bool leave_written;
	int leave_rc;
};

static struct rig *R;

static int on_leave(void *ctx, bool written)
{
	struct rig *r = ctx;
	r->leaves++;
	r->leave_written = written;
	return r->leave_rc;
}

static uint64_t fake_now(void *ctx)
{
	return ((struct rig *)ctx)->now_us;
}

static void rig_start(uint32_t write_block, bool timed)
{
	struct rig *r = R;
	memset(r, 0, sizeof(*r));
	r->geo = (struct flash_geometry){.size = FLASH_SIZE,
					 .write_block = write_block,
					 .erased_val = 0xff,
					 .sector_size = SECTOR};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem),
					write_block == 16 ? FLASH_SIM_F_WRITE_ONCE : 0),
			 0);
	memset(r->mem, 0x5a, sizeof(r->mem));
	assert_int_equal(flash_area_init(&r->slot, &r->sim.dev, SLOT_OFF, SLOT_SIZE), 0);
	assert_int_equal(dfuse_init(&r->dfuse, &r->slot, BASE, on_leave, r), 0);
	if (timed) {
		r->timing = (struct dfu_flash_timing){fake_now, r, 1500u, 100u};
		r->dfuse.timing = &r->timing;
	}
	assert_true(dfuse_layout(&r->dfuse, "SLOT-1", r->layout, sizeof(r->layout)) > 0);
	r->names[0] = r->layout;
	r->alt = (struct dfu_alt){&dfuse_ops, &r->dfuse};
	struct sample_params p = {.transfer_size = XFER,
				  .buffer = r->buf,
				  .manufacturer = "m",
				  .product = "p",
				  .serial = "s",
				  .alt_names = r->names,
				  .alts = &r->alt,
				  .num_alts = 1,
				  .dfuse = true};
	assert_int_equal(dfu_host_attach(&r->v, &r->dev, &p), 0);
}

static int setup(void **state)
{
	(void)state;
	R = test_calloc(1, sizeof(*R));
	return R == NULL;
}

static int teardown(void **state)
{
	(void)state;
	test_free(R);
	return 0;
}

static void assert_neighbours_untouched(void)
{
	for (uint32_t i = 0; i < SLOT_OFF; i++) {
		assert_int_equal(R->mem[i], 0x5a);
	}
	for (uint32_t i = SLOT_OFF + SLOT_SIZE; i < FLASH_SIZE; i++) {
		assert_int_equal(R->mem[i], 0x5a);
	}
}

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
	}
}

/*
 * A failed GETSTATUS leaves st unwritten; the assertion then ends the test with
 * a longjmp GCC cannot see, so st gets a defined value on that path too.
 */
static struct dfu_host_status status(void)
{
	struct dfu_host_status st = {0};
	assert_int_equal(dfu_host_getstatus(&R->v, &st), 0);
	return st;
}

/* A DNLOAD of len bytes with wBlockNum block; returns the control transfer's result. */
static int dnload(uint16_t block, const uint8_t *data, uint16_t len)
{
	return host_ctl(&R->v, DFU_REQ_OUT, DFU_DNLOAD, block, 0, len, (uint8_t *)(uintptr_t)data);
}

static int upload(uint16_t block, uint8_t *data, uint16_t len)
{
	return host_ctl(&R->v, DFU_REQ_IN, DFU_UPLOAD, block, 0, len, data);
}

/*
 * A command as dfu-util sends it: DNLOAD block 0, the first GETSTATUS must say
 * dfuDNBUSY, then poll until it is over. Returns the final status.
 */
static struct dfu_host_status cmd(const uint8_t *bytes, uint16_t len)
{
	assert_int_equal(dnload(0, bytes, len), 0);
	struct dfu_host_status st = status();
	if (st.state == DFU_STATE_ERROR) {
		return st;
	}
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	while (st.state == DFU_STATE_DNBUSY) {
		R->now_us += (uint64_t)st.poll_ms * 1000u;
		st = status();
	}
	return st;
}

static struct dfu_host_status cmd_addr(uint8_t code, uint32_t addr)
{
	uint8_t b[5] = {code, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
			(uint8_t)(addr >> 24)};
	return cmd(b, 5);
}

static void assert_ok(struct dfu_host_status st)
{
	assert_int_equal(st.status, DFU_STATUS_OK);
	assert_int_equal(st.state, DFU_STATE_DNLOAD_IDLE);
}

static void assert_error(struct dfu_host_status st, uint8_t status_code)
{
	assert_int_equal(st.state, DFU_STATE_ERROR);
	assert_int_equal(st.status, status_code);
	/* CLRSTATUS leaves dfuERROR, as for any DFU error. */
	assert_int_equal(host_ctl(&R->v, DFU_REQ_OUT, DFU_CLRSTATUS, 0, 0, 0, NULL), 0);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_IDLE);
}

/* A data block, polled to its end. */
static struct dfu_host_status write_block(uint16_t block, const uint8_t *data, uint16_t len)
{
	assert_int_equal(dnload(block, data, len), 0);
	struct dfu_host_status st;
	do {
		R->now_us += 100000u;
		st = status();
	} while (st.state == DFU_STATE_DNBUSY || st.state == DFU_STATE_DNLOAD_SYNC);
	return st;
}

static void abort_to_idle(void)
{
	assert_int_equal(host_ctl(&R->v, DFU_REQ_OUT, DFU_ABORT, 0, 0, 0, NULL), 0);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_IDLE);
}

/* ---- descriptors and names ---------------------------------------------- */

static void test_version_and_layout(void **state)
{
	(void)state;
	rig_start(4, false);
	assert_string_equal(R->layout, "@SLOT-1 /0x08004000/08*004Kg");
	/* The first alternate's functional descriptor: bcdDFUVersion 0x011A. */
	const uint8_t *functional = R->dev.config_desc + USBD_CONFIG_DESC_LEN + USBD_IFACE_DESC_LEN;
	assert_int_equal(functional[1], DFU_FUNCTIONAL_DESC_TYPE);
	assert_int_equal(functional[7], 0x1a);
	assert_int_equal(functional[8], 0x01);

	/* The boards' areas: nucleo_u575zi_q's SLOT-1 (116 pages of 8 KiB), reel_board's. */
	static uint8_t big[1];
	struct flash_geometry g = {
		.size = 0x200000u, .write_block = 16, .erased_val = 0xff, .sector_size = 0x2000u};
	struct flash_dev dev = {NULL, big, &g, NULL};
	struct flash_area a;
	struct dfuse d;
	char out[64];
	assert_int_equal(flash_area_init(&a, &dev, 0xF8000u, 0xE8000u), 0);
	assert_int_equal(dfuse_init(&d, &a, 0x08000000u + 0xF8000u, NULL, NULL), 0);
	assert_int_equal(dfuse_layout(&d, "SLOT-1", out, sizeof(out)), 29);
	assert_string_equal(out, "@SLOT-1 /0x080F8000/116*008Kg");
	g = (struct flash_geometry){
		.size = 0x100000u, .write_block = 4, .erased_val = 0xff, .sector_size = 0x1000u};
	assert_int_equal(flash_area_init(&a, &dev, 0x82000u, 0x76000u), 0);
	assert_int_equal(dfuse_init(&d, &a, 0x82000u, NULL, NULL), 0);
	assert_true(dfuse_layout(&d, "SLOT-1", out, sizeof(out)) > 0);
	assert_string_equal(out, "@SLOT-1 /0x00082000/118*004Kg");
	/* Too small a buffer: -ENOSPC, still terminated. */
	assert_int_equal(dfuse_layout(&d, "SLOT-1", out, 10), -ENOSPC);
	assert_int_equal(strlen(out), 9);

	/* Non-uniform sectors become runs, as in ST's "04*016Kg,01*064Kg,07*128Kg". */
	static const struct flash_region regions[] = {
		{0, 0x4000u, 4}, {0x10000u, 0x10000u, 1}, {0x20000u, 0x20000u, 7}};
	g = (struct flash_geometry){.size = 0x100000u,
				    .write_block = 4,
				    .erased_val = 0xff,
				    .regions = regions,
				    .region_count = 3};
	assert_int_equal(flash_area_init(&a, &dev, 0, 0x100000u), 0);
	assert_int_equal(dfuse_init(&d, &a, 0x08000000u, NULL, NULL), 0);
	assert_true(dfuse_layout(&d, "Internal Flash", out, sizeof(out)) > 0);
	assert_string_equal(out, "@Internal Flash /0x08000000/04*016Kg,01*064Kg,07*128Kg");

	/* An area that would end beyond 4 GiB is refused. */
	assert_int_equal(dfuse_init(&d, &a, 0xfff80000u, NULL, NULL), -EINVAL);
}

/* ---- commands ------------------------------------------------------------ */

static void test_get_commands(void **state)
{
	uint8_t b[64];
	(void)state;
	rig_start(4, false);
	assert_int_equal(upload(0, b, sizeof(b)), 3);
	assert_int_equal(b[0], DFUSE_CMD_GET_COMMANDS);
	assert_int_equal(b[1], DFUSE_CMD_SET_ADDRESS);
	assert_int_equal(b[2], DFUSE_CMD_ERASE);
	/* A short reply: the upload is over. */
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_IDLE);
}

static void test_set_address_and_refusals(void **state)
{
	static const uint8_t unprotect[] = {DFUSE_CMD_READ_UNPROTECT};
	static const uint8_t unknown[] = {0x55, 0, 0, 0, 0};
	static const uint8_t short_cmd[] = {DFUSE_CMD_SET_ADDRESS, 0, 0x40};
	(void)state;
	rig_start(4, false);

	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x100u));
	assert_int_equal(R->dfuse.pointer, BASE + 0x100u);
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE - 1u));
	abort_to_idle();

	/* Outside the exposed area: errADDRESS; the pointer is kept. */
	assert_error(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE - 1u), DFU_STATUS_ERR_ADDRESS);
	assert_error(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE), DFU_STATUS_ERR_ADDRESS);
	assert_error(cmd_addr(DFUSE_CMD_SET_ADDRESS, 0), DFU_STATUS_ERR_ADDRESS);
	assert_error(cmd_addr(DFUSE_CMD_ERASE, FLASH_BUS), DFU_STATUS_ERR_ADDRESS);
	assert_int_equal(R->dfuse.pointer, BASE + SLOT_SIZE - 1u);

	/* Read unprotect: refused with errTARGET. Unknown commands: errSTALLEDPKT. */
	assert_error(cmd(unprotect, 1), DFU_STATUS_ERR_TARGET);
	assert_error(cmd(unknown, 5), DFU_STATUS_ERR_STALLEDPKT);
	assert_error(cmd(short_cmd, 3), DFU_STATUS_ERR_STALLEDPKT);
	assert_neighbours_untouched();
	assert_int_equal(R->leaves, 0);
}

static void test_erase_page_and_mass_erase(void **state)
{
	static const uint8_t mass[] = {DFUSE_CMD_ERASE};
	(void)state;
	rig_start(4, false);

	/* Any address inside a page erases that page. */
	assert_ok(cmd_addr(DFUSE_CMD_ERASE, BASE + SECTOR + 123u));
	for (uint32_t i = 0; i < SLOT_SIZE; i++) {
		bool in_page = i >= SECTOR && i < 2u * SECTOR;
		assert_int_equal(R->mem[SLOT_OFF + i], in_page ? 0xff : 0x5a);
	}
	abort_to_idle();
	/* "Mass erase" erases the exposed area only. */
	assert_ok(cmd(mass, 1));
	for (uint32_t i = 0; i < SLOT_SIZE; i++) {
		assert_int_equal(R->mem[SLOT_OFF + i], 0xff);
	}
	assert_neighbours_untouched();
}

/* ---- data blocks: address = pointer + (wBlockNum - 2) * stride ---------- */

static void test_download_addressing(void **state)
{
	static uint8_t data[3 * XFER];
	static const uint8_t mass[] = {DFUSE_CMD_ERASE};
	(void)state;
	rig_start(4, false);
	fill(data, sizeof(data), 1);
	assert_ok(cmd(mass, 1));

	/* dfu-util: set the pointer, then block 2 (no offset). */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x800u));
	assert_ok(write_block(2, data, XFER));
	assert_memory_equal(&R->mem[SLOT_OFF + 0x800u], data, XFER);

	/* ST's DfuSe Demo: consecutive blocks after one pointer; wBlockNum may skip. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x2000u));
	assert_ok(write_block(2, data, XFER));
	assert_ok(write_block(3, data + XFER, XFER));
	assert_ok(write_block(5, data + 2 * XFER, 100));
	assert_memory_equal(&R->mem[SLOT_OFF + 0x2000u], data, 2 * XFER);
	for (uint32_t i = 0; i < XFER; i++) {
		assert_int_equal(R->mem[SLOT_OFF + 0x2000u + 2 * XFER + i], 0xff);
	}
	assert_memory_equal(&R->mem[SLOT_OFF + 0x2000u + 3 * XFER], data + 2 * XFER, 100);

	/* A smaller transfer size (dfu-util -t 64): the first block sets the stride. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x4000u));
	assert_ok(write_block(2, data, 64));
	assert_ok(write_block(3, data + 64, 64));
	assert_memory_equal(&R->mem[SLOT_OFF + 0x4000u], data, 128);
	/* A block longer than the stride would overlap the next one. */
	assert_error(write_block(4, data, 128), DFU_STATUS_ERR_STALLEDPKT);

	/* Block 1 means nothing. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x6000u));
	assert_error(write_block(1, data, 64), DFU_STATUS_ERR_STALLEDPKT);

	/* wBlockNum carrying a block beyond the area: errADDRESS, nothing written. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE - XFER));
	assert_ok(write_block(2, data, XFER));
	assert_error(write_block(3, data, XFER), DFU_STATUS_ERR_ADDRESS);
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_error(write_block(0xffff, data, XFER), DFU_STATUS_ERR_ADDRESS);
	/* A block straddling the end. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE - 100u));
	assert_error(write_block(2, data, 128), DFU_STATUS_ERR_ADDRESS);
	/* Not on a write block. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x6002u));
	assert_error(write_block(2, data, 64), DFU_STATUS_ERR_ADDRESS);
	/* Programming flash that was not erased: errCHECK_ERASED, flash unchanged. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x800u));
	assert_error(write_block(2, data + 1, 64), DFU_STATUS_ERR_CHECK_ERASED);
	assert_memory_equal(&R->mem[SLOT_OFF + 0x800u], data, XFER);
	assert_neighbours_untouched();
}

static void test_unaligned_tail_padded(void **state)
{
	static uint8_t data[64];
	(void)state;
	rig_start(16, false); /* STM32U5: 16-byte write-once blocks */
	fill(data, sizeof(data), 2);
	assert_ok(cmd_addr(DFUSE_CMD_ERASE, BASE));
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_ok(write_block(2, data, 37));
	assert_memory_equal(&R->mem[SLOT_OFF], data, 37);
	for (uint32_t i = 37; i < 64; i++) {
		assert_int_equal(R->mem[SLOT_OFF + i], 0xff);
	}
}

/* ---- upload --------------------------------------------------------------- */

static void test_upload_addressing(void **state)
{
	static uint8_t out[XFER];
	(void)state;
	rig_start(4, false);
	fill(&R->mem[SLOT_OFF], SLOT_SIZE, 3);

	/* dfu-util: set the pointer, abort to dfuIDLE (the pointer stays), blocks 2, 3, ... */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + 0x1000u));
	abort_to_idle();
	assert_int_equal(upload(2, out, XFER), XFER);
	assert_memory_equal(out, &R->mem[SLOT_OFF + 0x1000u], XFER);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_UPLOAD_IDLE);
	assert_int_equal(upload(3, out, XFER), XFER);
	assert_memory_equal(out, &R->mem[SLOT_OFF + 0x1000u + XFER], XFER);
	/* dfu-util's last request is shorter: still at pointer + (n - 2) * stride. */
	assert_int_equal(upload(4, out, 100), 100);
	assert_memory_equal(out, &R->mem[SLOT_OFF + 0x1000u + 2 * XFER], 100);
	/* A full reply (wLength bytes) keeps dfuUPLOAD-IDLE; dfu-util stops and aborts. */
	abort_to_idle();

	/* A new upload sets its own stride (dfu-util -t 64). */
	assert_int_equal(upload(2, out, 64), 64);
	assert_int_equal(upload(5, out, 64), 64);
	assert_memory_equal(out, &R->mem[SLOT_OFF + 0x1000u + 3 * 64], 64);
	/* Longer than the stride: STALL, errSTALLEDPKT. */
	assert_int_equal(upload(6, out, 128), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_STALLEDPKT);

	/* The end of the area ends the upload with a short reply. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE - 2 * XFER));
	abort_to_idle();
	assert_int_equal(upload(2, out, XFER), XFER);
	assert_int_equal(upload(3, out, XFER), XFER);
	assert_memory_equal(out, &R->mem[SLOT_OFF + SLOT_SIZE - XFER], XFER);
	assert_int_equal(upload(4, out, XFER), 0);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_IDLE);
	/* Partly beyond: only the bytes inside. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE + SLOT_SIZE - 10u));
	abort_to_idle();
	assert_int_equal(upload(2, out, XFER), 10);
	/* Beyond the end: errADDRESS; block 1: errSTALLEDPKT. */
	assert_int_equal(upload(9, out, XFER), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_ADDRESS);
	assert_int_equal(upload(1, out, XFER), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_STALLEDPKT);
}

/* ---- leave, timing, state ---------------------------------------------- */

static void test_leave(void **state)
{
	static uint8_t data[XFER];
	(void)state;
	rig_start(4, false);
	fill(data, sizeof(data), 4);

	/* Leave without writing anything. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_int_equal(dnload(2, NULL, 0), 0);
	struct dfu_host_status st = status();
	assert_int_equal(st.status, DFU_STATUS_OK);
	assert_int_equal(st.state, DFU_STATE_MANIFEST); /* dfu-util's loop ends here */
	assert_int_equal(R->leaves, 1);
	assert_false(R->leave_written);
	/* The device stays in dfuMANIFEST until the reset it asked for. */
	assert_int_equal(status().state, DFU_STATE_MANIFEST);
	vudc_bus_reset(&R->v);
	assert_int_equal(host_ctl(&R->v, 0, USB_REQ_SET_ADDRESS, 1, 0, 0, NULL), 0);
	assert_int_equal(host_ctl(&R->v, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_IDLE);

	/* A download, then leave: on_leave learns the area changed; its refusal is the status. */
	assert_ok(cmd_addr(DFUSE_CMD_ERASE, BASE));
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_ok(write_block(2, data, XFER));
	R->leave_rc = -EBADMSG;
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_int_equal(dnload(2, NULL, 0), 0);
	assert_error(status(), DFU_STATUS_ERR_FILE);
	assert_true(R->leave_written);
	/* A zero-length DNLOAD in dfuIDLE is refused as in DFU 1.1. */
	assert_int_equal(dnload(2, NULL, 0), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_STALLEDPKT);
}

static void test_timing_reported(void **state)
{
	static const uint8_t mass[] = {DFUSE_CMD_ERASE};
	static uint8_t data[XFER];
	(void)state;
	rig_start(4, true);

	/* A page erase: 1.5 ms -> dfuDNBUSY with bwPollTimeout 2 ms. */
	assert_int_equal(dnload(0, (const uint8_t[]){DFUSE_CMD_ERASE, 0x00, 0x40, 0x00, 0x08}, 5),
			 0);
	struct dfu_host_status st = status();
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 2);
	/* Asked again too early: still busy, with the time left. */
	R->now_us += 1000u;
	st = status();
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 1);
	R->now_us += 1000u;
	assert_ok(status());

	/* Mass erase of 8 pages: 12 ms. */
	assert_int_equal(dnload(0, mass, 1), 0);
	st = status();
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 12);
	R->now_us += 12000u;
	assert_ok(status());

	/* Set address is instant, still dfuDNBUSY once (dfu-util checks it) with 0 ms. */
	assert_int_equal(
		dnload(0, (const uint8_t[]){DFUSE_CMD_SET_ADDRESS, 0x00, 0x40, 0x00, 0x08}, 5), 0);
	st = status();
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 0);
	assert_ok(status());

	/* A data block: 256 write blocks of 100 us. */
	assert_int_equal(dnload(2, data, XFER), 0);
	st = status();
	assert_int_equal(st.state, DFU_STATE_DNBUSY);
	assert_int_equal(st.poll_ms, 26);
	R->now_us += 26000u;
	assert_ok(status());
}

static void test_requests_in_wrong_states(void **state)
{
	uint8_t b[8];
	(void)state;
	rig_start(4, false);
	/* DNLOAD while an upload is going on: STALL, dfuERROR (appendix A as usual). */
	assert_int_equal(upload(0, b, 2), 2);
	assert_int_equal(dfu_host_getstate(&R->v), DFU_STATE_UPLOAD_IDLE);
	assert_int_equal(dnload(0, (const uint8_t[]){DFUSE_CMD_ERASE}, 1), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_STALLEDPKT);
	/* UPLOAD during a download sequence. */
	assert_ok(cmd_addr(DFUSE_CMD_SET_ADDRESS, BASE));
	assert_int_equal(upload(2, b, 8), -EPIPE);
	assert_error(status(), DFU_STATUS_ERR_STALLEDPKT);
	/* A request other than GETSTATUS while the command runs. */
	assert_int_equal(dnload(0, (const uint8_t[]){DFUSE_CMD_SET_ADDRESS, 0, 0x40, 0, 8}, 5), 0);
	assert_int_equal(status().state, DFU_STATE_DNBUSY);
	assert_ok(status());
	assert_neighbours_untouched();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_and_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_address_and_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_page_and_mass_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_download_addressing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_tail_padded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upload_addressing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_in_wrong_states, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
