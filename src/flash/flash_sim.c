/* SPDX-License-Identifier: Apache-2.0 */
/* Simulated NOR flash with an operation counter and a power-cut injector. */
#include <dfukit/flash.h>

#include <errno.h>
#include <string.h>

/* Count op, decide whether it is the torn one. Returns -EIO if power is off. */
static int sim_begin_op(struct flash_sim *sim, bool *tear_now)
{
	*tear_now = false;
	if (sim->powered_off) {
		return -EIO;
	}
	if (sim->cut_armed && sim->op_count == sim->cut_op) {
		*tear_now = true;
	}
	sim->op_count++;
	return 0;
}

static void sim_spend(struct flash_sim *sim, uint32_t units, uint32_t unit_us)
{
	uint64_t us = (uint64_t)units * unit_us;

	sim->sim_us += us;
	if (sim->delay != NULL && us != 0u) {
		sim->delay(sim->delay_ctx, us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
	}
}

static void sim_lose_power(struct flash_sim *sim)
{
	sim->powered_off = true;
	sim->cut_armed = false;
}

static int sim_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	struct flash_sim *sim = ctx;

	if (sim->powered_off) {
		return -EIO;
	}
	if (off > sim->geo.size || len > sim->geo.size - off) {
		return -EINVAL;
	}
	memcpy(dst, sim->mem + off, len);
	sim->reads++;
	return 0;
}

static bool block_erased(const struct flash_sim *sim, uint32_t off)
{
	for (uint32_t i = 0; i < sim->geo.write_block; i++) {
		if (sim->mem[off + i] != sim->geo.erased_val) {
			return false;
		}
	}
	return true;
}

static int sim_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	struct flash_sim *sim = ctx;
	const uint8_t *s = src;
	uint32_t wb = sim->geo.write_block;
	bool tear;

	if (off > sim->geo.size || len > sim->geo.size - off || (off % wb) != 0u ||
	    (len % wb) != 0u) {
		return -EINVAL;
	}
	/* Reject rule violations before counting: nothing is changed. */
	if (sim->powered_off) {
		return -EIO;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint8_t old = sim->mem[off + i];

		if ((uint8_t)(old & s[i]) != s[i]) {
			return -EIO;
		}
	}
	if ((sim->flags & FLASH_SIM_F_WRITE_ONCE) != 0u) {
		for (uint32_t b = 0; b < len; b += wb) {
			if (!block_erased(sim, off + b)) {
				return -EIO;
			}
		}
	}
	int rc = sim_begin_op(sim, &tear);

	if (rc != 0) {
		return rc;
	}
	sim->writes++;
	sim_spend(sim, len / wb, sim->timing.write_us);
	if (!tear) {
		for (uint32_t i = 0; i < len; i++) {
			sim->mem[off + i] &= s[i];
		}
		return 0;
	}
	switch (sim->tear) {
	case FLASH_SIM_TEAR_PREFIX: {
		uint32_t n = (len / wb / 2u) * wb;

		for (uint32_t i = 0; i < n; i++) {
			sim->mem[off + i] &= s[i];
		}
		break;
	}
	case FLASH_SIM_TEAR_BITS:
		for (uint32_t i = 0; i < len; i++) {
			sim->mem[off + i] &= (uint8_t)(s[i] | 0x55u);
		}
		break;
	case FLASH_SIM_TEAR_NOTHING:
	default: break;
	}
	sim_lose_power(sim);
	return -EIO;
}

static int sim_erase(void *ctx, uint32_t off, uint32_t len)
{
	struct flash_sim *sim = ctx;
	struct flash_sector s;
	bool tear;

	if (off > sim->geo.size || len > sim->geo.size - off) {
		return -EINVAL;
	}
	/* whole sectors only */
	if (len != 0u) {
		if (flash_sector_at(&sim->geo, off, &s) != 0 || s.off != off) {
			return -EINVAL;
		}
		if (off + len != sim->geo.size &&
		    (flash_sector_at(&sim->geo, off + len, &s) != 0 || s.off != off + len)) {
			return -EINVAL;
		}
	}
	if (sim->powered_off) {
		return -EIO;
	}
	int rc = sim_begin_op(sim, &tear);

	if (rc != 0) {
		return rc;
	}
	sim->erases++;
	/* time: one erase per sector in the range */
	uint32_t sectors = 0;

	for (uint32_t p = off; p < off + len; p += s.size) {
		(void)flash_sector_at(&sim->geo, p, &s);
		sectors++;
	}
	sim_spend(sim, sectors, sim->timing.erase_us);
	if (!tear) {
		memset(sim->mem + off, sim->geo.erased_val, len);
		return 0;
	}
	switch (sim->tear) {
	case FLASH_SIM_TEAR_PREFIX: memset(sim->mem + off, sim->geo.erased_val, len / 2u); break;
	case FLASH_SIM_TEAR_BITS:
		for (uint32_t i = 0; i < len; i++) {
			sim->mem[off + i] |= 0x5Au;
		}
		break;
	case FLASH_SIM_TEAR_NOTHING:
	default: break;
	}
	sim_lose_power(sim);
	return -EIO;
}

static const struct flash_ops sim_ops = {
	.read = sim_read,
	.write = sim_write,
	.erase = sim_erase,
};

int flash_sim_init(struct flash_sim *sim, const struct flash_geometry *geo, uint8_t *mem,
		   size_t mem_size, uint32_t flags)
{
	if (sim == NULL || mem == NULL || flash_geometry_check(geo) != 0 || mem_size < geo->size) {
		return -EINVAL;
	}
	memset(sim, 0, sizeof(*sim));
	sim->geo = *geo;
	sim->mem = mem;
	sim->flags = flags;
	sim->dev.ops = &sim_ops;
	sim->dev.ctx = sim;
	sim->dev.geo = &sim->geo;
	sim->dev.mapped = mem;
	return 0;
}

void flash_sim_format(struct flash_sim *sim)
{
	memset(sim->mem, sim->geo.erased_val, sim->geo.size);
}

void flash_sim_set_timing(struct flash_sim *sim, const struct flash_sim_timing *timing,
			  flash_sim_delay_fn delay, void *delay_ctx)
{
	if (timing != NULL) {
		sim->timing = *timing;
	} else {
		sim->timing.erase_us = 0;
		sim->timing.write_us = 0;
	}
	sim->delay = delay;
	sim->delay_ctx = delay_ctx;
}

void flash_sim_cut_at(struct flash_sim *sim, uint32_t op, enum flash_sim_tear tear)
{
	sim->cut_op = op;
	sim->cut_armed = true;
	sim->tear = tear;
}

void flash_sim_power_on(struct flash_sim *sim)
{
	sim->powered_off = false;
	sim->cut_armed = false;
}

void flash_sim_reset_count(struct flash_sim *sim)
{
	sim->op_count = 0;
}
