/* SPDX-License-Identifier: Apache-2.0 */
#include "dfukit/sample/slot1.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dfukit/port/board_image.h"
#include "dfukit/port/board_log.h"
#include "dfukit/boot.h"
#include "dfukit/wire.h"

/* The TLV info header: its magic, then the TLV area's total length (both LE16). */
#define TLV_INFO_TOTAL_LENGTH 2u

static int read_received(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	return dfu_flash_read_received(ctx, off, buf, len);
}

/*
 * Bytes the image needs in all (header, body, TLVs), 0 if not known yet from
 * what has arrived (or the header is no image's: validation says why).
 */
static int image_end(struct sample_slot1 *s, uint32_t received, uint64_t *end)
{
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE], info[DFUKIT_IMAGE_TLV_INFO_SIZE];
	struct dfukit_image_header hdr;

	*end = 0;
	if (dfu_flash_read_received(&s->backend, 0, raw, sizeof(raw)) < 0) {
		return -EIO;
	}
	dfukit_image_header_decode(raw, &hdr);
	uint64_t tlv_info = (uint64_t)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size;
	if (hdr.magic != DFUKIT_IMAGE_MAGIC || tlv_info + sizeof(info) > s->slot->size) {
		*end = received; /* validate now: it fails and says why */
		return 0;
	}
	if (received < tlv_info + sizeof(info)) {
		return 0;
	}
	if (dfu_flash_read_received(&s->backend, (uint32_t)tlv_info, info, sizeof(info)) < 0) {
		return -EIO;
	}
	*end = tlv_info + wire_get_le16(&info[TLV_INFO_TOTAL_LENGTH]);
	return 0;
}

static int slot1_progress(void *ctx, uint32_t received)
{
	struct sample_slot1 *s = ctx;
	uint64_t end;

	if (received < DFUKIT_IMAGE_HEADER_SIZE || s->verdict != 1) {
		if (s->verdict < 0) {
			return s->verdict;
		}
		/* A full slot: nothing more can come. */
		return received == s->slot->size ? DFU_FLASH_END_OF_IMAGE : 0;
	}
	int rc = image_end(s, received, &end);
	if (rc < 0 || end == 0 || received < end) {
		return rc;
	}
	struct dfukit_image_src src = {read_received, &s->backend, s->slot->size};
	struct dfukit_image_result res;
	/* an encrypted download is checked decrypted, as the bootloader will check it */
	rc = board_validate_src(&src, &res);
	if (res.status == DFUKIT_IMAGE_E_PURE_UNMAPPED) {
		/* verified over the slot in place at the end (slot1_complete), as the bootloader does */
		board_log("inf", "main", "SLOT-1: pure signature, verified once all is in flash");
		s->verdict = 0;
		return DFU_FLASH_END_OF_IMAGE;
	}
	s->verdict = rc < 0 ? -EBADMSG : 0;
	if (rc < 0) {
		board_log("err", "main", "SLOT-1: image refused after %u bytes: %s",
			  (unsigned)received, dfukit_image_strerror(res.status));
		return s->verdict;
	}
	/* Probably the last block (a padded image goes on to the slot's end). */
	return DFU_FLASH_END_OF_IMAGE;
}

static int slot1_begin(void *ctx)
{
	struct dfu_flash *df = ctx;
	struct sample_slot1 *s = df->ctx;
	s->verdict = 1;
	return dfu_flash_ops.dnload_begin(df);
}

int sample_slot1_request_swap(struct sample_slot1 *s, const char *what)
{
	struct boot_image_info info;
	struct boot_swap_state st;
	const char *why;

	if (board_validate_slot_at(s->slot, true, &info, &why) < 0) {
		board_log("err", "main", "SLOT-1: %s, image refused: %s", what, why);
		return -EBADMSG;
	}
	int rc = boot_request_upgrade(s->slot, false);
	if (rc < 0) {
		board_log("err", "main", "SLOT-1: cannot request the upgrade: %s", strerror(-rc));
		return -EIO;
	}
	if (s->sync != NULL) {
		s->sync(s->sync_ctx);
	}
	bool permanent = boot_read_swap_state(s->slot, &st) == 0 && st.image_ok == BOOT_FLAG_SET;
	board_log("inf", "main", "SLOT-1: image v%u.%u.%u verified, %s swap at the next reset",
		  info.major, info.minor, info.revision, permanent ? "permanent" : "test");
	return 0;
}

/* A download is complete (the bootloader would erase a bad image anyway). */
static int slot1_complete(void *ctx, uint32_t total)
{
	struct sample_slot1 *s = ctx;
	char what[48];

	if (s->verdict < 0) {
		return s->verdict;
	}
	snprintf(what, sizeof(what), "%u bytes received", (unsigned)total);
	return sample_slot1_request_swap(s, what);
}

int sample_slot1_init(struct sample_slot1 *s, const struct flash_area *slot, uint8_t *staging,
		      uint32_t staging_len)
{
	s->slot = slot;
	s->verdict = 1;
	int rc = dfu_flash_init(&s->backend, slot, slot1_complete, s);
	if (rc == 0 && staging != NULL) {
		rc = dfu_flash_set_staging(&s->backend, staging, staging_len);
	}
	s->backend.on_progress = slot1_progress;
	/* The flash backend, with a begin hook that resets the image check. */
	s->ops = dfu_flash_ops;
	s->ops.dnload_begin = slot1_begin;
	return rc;
}
