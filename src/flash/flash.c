/* SPDX-License-Identifier: Apache-2.0 */
/* Flash geometry, checked device access and flash areas. */
#include <dfukit/flash.h>

#include <errno.h>
#include <string.h>

static bool is_pow2(uint32_t v)
{
	return v != 0u && (v & (v - 1u)) == 0u;
}

/* true if [off, off + len) fits in [0, size) without overflow */
static bool range_ok(uint32_t size, uint32_t off, uint32_t len)
{
	return off <= size && len <= size - off;
}

int flash_geometry_check(const struct flash_geometry *geo)
{
	if (geo == NULL || geo->size == 0u || !is_pow2(geo->write_block)) {
		return -EINVAL;
	}
	if (geo->regions == NULL) {
		if (geo->sector_size == 0u || geo->sector_size % geo->write_block != 0u ||
		    geo->size % geo->sector_size != 0u) {
			return -EINVAL;
		}
		return 0;
	}
	uint32_t next = 0;
	for (uint32_t i = 0; i < geo->region_count; i++) {
		const struct flash_region *r = &geo->regions[i];

		if (r->offset != next || r->sector_size == 0u || r->count == 0u ||
		    r->sector_size % geo->write_block != 0u ||
		    r->count > (geo->size - next) / r->sector_size) {
			return -EINVAL;
		}
		next += r->sector_size * r->count;
	}
	return next == geo->size ? 0 : -EINVAL;
}

int flash_sector_count(const struct flash_geometry *geo)
{
	if (flash_geometry_check(geo) != 0) {
		return -EINVAL;
	}
	if (geo->regions == NULL) {
		return (int)(geo->size / geo->sector_size);
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < geo->region_count; i++) {
		n += geo->regions[i].count;
	}
	return (int)n;
}

int flash_sector_get(const struct flash_geometry *geo, uint32_t idx, struct flash_sector *out)
{
	if (geo->regions == NULL) {
		if (geo->sector_size == 0u || idx >= geo->size / geo->sector_size) {
			return -EINVAL;
		}
		out->off = idx * geo->sector_size;
		out->size = geo->sector_size;
		return 0;
	}
	for (uint32_t i = 0; i < geo->region_count; i++) {
		const struct flash_region *r = &geo->regions[i];

		if (idx < r->count) {
			out->off = r->offset + idx * r->sector_size;
			out->size = r->sector_size;
			return 0;
		}
		idx -= r->count;
	}
	return -EINVAL;
}

int flash_sector_at(const struct flash_geometry *geo, uint32_t off, struct flash_sector *out)
{
	if (off >= geo->size) {
		return -EINVAL;
	}
	if (geo->regions == NULL) {
		if (geo->sector_size == 0u) {
			return -EINVAL;
		}
		out->off = off - off % geo->sector_size;
		out->size = geo->sector_size;
		return 0;
	}
	for (uint32_t i = 0; i < geo->region_count; i++) {
		const struct flash_region *r = &geo->regions[i];
		uint32_t end = r->offset + r->sector_size * r->count;

		if (off >= r->offset && off < end) {
			out->off = off - (off - r->offset) % r->sector_size;
			out->size = r->sector_size;
			return 0;
		}
	}
	return -EINVAL;
}

/* true if off is the first byte of a sector (or the end of the device) */
static bool on_sector_boundary(const struct flash_geometry *geo, uint32_t off)
{
	struct flash_sector s;

	if (off == geo->size) {
		return true;
	}
	return flash_sector_at(geo, off, &s) == 0 && s.off == off;
}

int flash_dev_read(const struct flash_dev *dev, uint32_t off, void *dst, uint32_t len)
{
	if (dev == NULL || dev->ops == NULL || (dst == NULL && len != 0u) ||
	    !range_ok(dev->geo->size, off, len)) {
		return -EINVAL;
	}
	if (len == 0u) {
		return 0;
	}
	return dev->ops->read(dev->ctx, off, dst, len);
}

int flash_dev_write(const struct flash_dev *dev, uint32_t off, const void *src, uint32_t len)
{
	if (dev == NULL || dev->ops == NULL || (src == NULL && len != 0u) ||
	    !range_ok(dev->geo->size, off, len)) {
		return -EINVAL;
	}
	uint32_t wb = dev->geo->write_block;

	if ((off & (wb - 1u)) != 0u || (len & (wb - 1u)) != 0u) {
		return -EINVAL;
	}
	if (len == 0u) {
		return 0;
	}
	return dev->ops->write(dev->ctx, off, src, len);
}

int flash_dev_erase(const struct flash_dev *dev, uint32_t off, uint32_t len)
{
	if (dev == NULL || dev->ops == NULL || !range_ok(dev->geo->size, off, len)) {
		return -EINVAL;
	}
	if (!on_sector_boundary(dev->geo, off) || !on_sector_boundary(dev->geo, off + len)) {
		return -EINVAL;
	}
	if (len == 0u) {
		return 0;
	}
	return dev->ops->erase(dev->ctx, off, len);
}

/* --- areas ------------------------------------------------------------------ */

int flash_area_init(struct flash_area *fa, const struct flash_dev *dev, uint32_t off, uint32_t size)
{
	if (fa == NULL || dev == NULL || flash_geometry_check(dev->geo) != 0 || size == 0u ||
	    !range_ok(dev->geo->size, off, size) || !on_sector_boundary(dev->geo, off) ||
	    !on_sector_boundary(dev->geo, off + size)) {
		return -EINVAL;
	}
	fa->dev = dev;
	fa->off = off;
	fa->size = size;
	return 0;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
	if (!range_ok(fa->size, off, len)) {
		return -EINVAL;
	}
	return flash_dev_read(fa->dev, fa->off + off, dst, len);
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len)
{
	if (!range_ok(fa->size, off, len)) {
		return -EINVAL;
	}
	return flash_dev_write(fa->dev, fa->off + off, src, len);
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
	if (!range_ok(fa->size, off, len)) {
		return -EINVAL;
	}
	return flash_dev_erase(fa->dev, fa->off + off, len);
}

uint32_t flash_area_align(const struct flash_area *fa)
{
	return fa->dev->geo->write_block;
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
	return fa->dev->geo->erased_val;
}

int flash_area_sector_at(const struct flash_area *fa, uint32_t off, struct flash_sector *out)
{
	if (off >= fa->size) {
		return -EINVAL;
	}
	int rc = flash_sector_at(fa->dev->geo, fa->off + off, out);

	if (rc == 0) {
		out->off -= fa->off;
	}
	return rc;
}

int flash_area_sector_count(const struct flash_area *fa)
{
	struct flash_sector s;
	uint32_t off = 0;
	int n = 0;

	while (off < fa->size) {
		int rc = flash_area_sector_at(fa, off, &s);

		if (rc != 0) {
			return rc;
		}
		off = s.off + s.size;
		n++;
	}
	return n;
}

int flash_area_sector_get(const struct flash_area *fa, uint32_t idx, struct flash_sector *out)
{
	uint32_t off = 0;

	while (off < fa->size) {
		int rc = flash_area_sector_at(fa, off, out);

		if (rc != 0) {
			return rc;
		}
		if (idx == 0u) {
			return 0;
		}
		idx--;
		off = out->off + out->size;
	}
	return -EINVAL;
}

int flash_area_is_erased(const struct flash_area *fa, uint32_t off, uint32_t len)
{
	uint8_t buf[64];
	uint8_t ev = flash_area_erased_val(fa);

	if (!range_ok(fa->size, off, len)) {
		return -EINVAL;
	}
	while (len > 0u) {
		uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
		int rc = flash_area_read(fa, off, buf, n);

		if (rc != 0) {
			return rc;
		}
		/* cppcheck-suppress knownConditionTrueFalse ; n >= 1 here (len > 0), cppcheck 2.10 misses it */
		for (uint32_t i = 0; i < n; i++) {
			if (buf[i] != ev) {
				return 0;
			}
		}
		off += n;
		len -= n;
	}
	return 1;
}

int flash_area_copy(const struct flash_area *dst_fa, uint32_t dst_off,
		    const struct flash_area *src_fa, uint32_t src_off, uint32_t len, uint8_t *buf,
		    uint32_t buf_size)
{
	uint32_t wb = flash_area_align(dst_fa);

	if (buf == NULL || buf_size < wb) {
		return -EINVAL;
	}
	buf_size -= buf_size % wb;
	while (len > 0u) {
		uint32_t n = len < buf_size ? len : buf_size;
		int rc = flash_area_read(src_fa, src_off, buf, n);

		if (rc != 0) {
			return rc;
		}
		rc = flash_area_write(dst_fa, dst_off, buf, n);
		if (rc != 0) {
			return rc;
		}
		src_off += n;
		dst_off += n;
		len -= n;
	}
	return 0;
}
