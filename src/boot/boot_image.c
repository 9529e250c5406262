/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dfukit/boot_image.h"

static int read_slot(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	return flash_area_read(ctx, off, buf, len);
}

int boot_image_validate(const struct flash_area *slot, const struct dfukit_image_key *keys,
			size_t nkeys, struct boot_image_info *info,
			enum dfukit_image_status *status)
{
	return boot_image_validate_dec(slot, NULL, keys, nkeys, info, status);
}

int boot_image_validate_dec(const struct flash_area *slot, const struct dfukit_image_decryptor *dec,
			    const struct dfukit_image_key *keys, size_t nkeys,
			    struct boot_image_info *info, enum dfukit_image_status *status)
{
	struct dfukit_image_src src = {read_slot, (void *)(uintptr_t)slot, slot->size};
	struct dfukit_image_result res;

	memset(info, 0, sizeof(*info));
	int rc = dec == NULL ? dfukit_image_validate(&src, keys, nkeys, &res)
			     : dfukit_image_validate_encrypted(&src, dec, keys, nkeys, &res);
	/* A pure signature (imgtool --pure) is checked over the slot in place, if it is mapped. */
	if (res.status == DFUKIT_IMAGE_E_PURE_UNMAPPED && dec == NULL && slot->dev->mapped != NULL)
		rc = dfukit_image_validate_mapped(slot->dev->mapped + slot->off, slot->size, keys,
						  nkeys, &res);
	if (status != NULL) {
		*status = res.status;
	}
	/* Whatever rc says: the bootloader decides on the verdict (fih.h). */
	info->verdict = res.verdict;
	if (rc < 0) {
		return res.status == DFUKIT_IMAGE_E_ERASED ? -ENOENT : rc;
	}
	info->major = res.hdr.version.major;
	info->minor = res.hdr.version.minor;
	info->revision = res.hdr.version.revision;
	info->build = res.hdr.version.build_num;
	info->hdr_size = res.hdr.hdr_size;
	info->img_size = res.hdr.img_size;
	info->total_size = res.image_end;
	info->has_security_counter = res.has_security_counter;
	info->security_counter = res.security_counter;
	return 0;
}
