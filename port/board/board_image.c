/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "dfukit/board_image.h"

static int read_slot(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	return flash_area_read(ctx, off, buf, len);
}

int board_validate_slot(const struct flash_area *slot, struct boot_image_info *info,
			const char **why)
{
	struct dfukit_image_src src = {read_slot, (void *)(uintptr_t)slot, slot->size};
	struct dfukit_image_result res;

	int rc = dfukit_image_validate(&src, board_trusted_keys, board_trusted_key_count, &res);
	*why = dfukit_image_strerror(res.status);
	if (rc < 0) {
		return rc;
	}
	memset(info, 0, sizeof(*info));
	info->major = res.hdr.version.major;
	info->minor = res.hdr.version.minor;
	info->revision = res.hdr.version.revision;
	info->build = res.hdr.version.build_num;
	info->hdr_size = res.hdr.hdr_size;
	info->img_size = res.hdr.img_size;
	info->total_size = res.image_end;
	return 0;
}
