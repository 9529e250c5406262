/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual board's bootloader: MCUboot's job with dfukit's boot core.
 * It opens the board's flash, decides and performs the swap (test, revert,
 * permanent; resuming one a power cut interrupted), validates the primary
 * slot (direct-xip: picks a slot) and "jumps": the payload of the image is a host program,
 * which is copied out of flash into memory and executed. Nothing that did
 * not verify is ever run.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dfukit/host/board_env.h"
#include "dfukit/port/board_image.h"
#include "dfukit/board_profile.h"
#include "dfukit/boot.h"
#include "dfukit/host/flash_file.h"
#include "dfukit/host/board_otp.h"

extern char **environ;

static void boot_log(void *ctx, char level, const char *line)
{
	(void)ctx;
	printf("%c: %s\n", level, line);
	fflush(stdout);
}

/* ctx: the secondary slot when updates are decrypted (boot_config.enc), else NULL. */
static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	const char *why;
	int rc = board_validate_slot_at(slot, slot == ctx, out, &why);
	if (rc < 0 && rc != -ENOENT) {
		printf("E: Image in slot at 0x%x is not valid: %s\n", (unsigned)slot->off, why);
		fflush(stdout);
	}
	return rc;
}

/*
 * True if p (len bytes) starts like an ELF executable for this host: the same
 * class, byte order and machine as this bootloader's own program.
 */
static bool is_host_program(const uint8_t *p, uint32_t len)
{
	uint8_t self[20];
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t n = f ? fread(self, 1, sizeof(self), f) : 0;
	if (f) {
		fclose(f);
	}
	if (len < sizeof(self) || memcmp(p, "\177ELF", 4) != 0) {
		return false;
	}
	if (n != sizeof(self)) {
		return true; /* cannot compare: let exec decide */
	}
	/* e_ident[EI_CLASS], e_ident[EI_DATA], e_machine (offset 18, 2 bytes). */
	return p[4] == self[4] && p[5] == self[5] && p[18] == self[18] && p[19] == self[19];
}

/*
 * Copy the verified payload out of the slot that boot_go() chose (slot 0,
 * or either in direct-xip; in ram-load take it from the RAM copy boot_go()
 * validated) and run it in place of this process; the image
 * learns its slot from DFUKIT_BOOT_SLOT (MCUboot hands it over as shared
 * data).
 */
static int jump(const struct flash_area *slot, const struct boot_result *res,
		const struct boot_ram *ram)
{
	uint32_t len = res->image.img_size;
	uint8_t *copy = NULL;
	const uint8_t *payload = NULL;
	if (res->load_size != 0u) {
		/* ram-load: the copy in RAM that boot_go() validated, not the flash again */
		payload = ram->buf + (res->load_addr - ram->addr) + res->image.hdr_size;
	} else if ((copy = malloc(len)) != NULL &&
		   flash_area_read(slot, res->image.hdr_size, copy, len) == 0) {
		payload = copy;
	}
	if (payload == NULL || !is_host_program(payload, len)) {
		free(copy);
		return payload == NULL ? -EIO : -ENOEXEC;
	}
	int fd = memfd_create("slot0-image", MFD_CLOEXEC);
	if (fd < 0 || write(fd, payload, len) != (ssize_t)len) {
		return -errno;
	}
	free(copy);
	char *const argv[] = {"zephyr.elf", NULL};
	setenv(BOARD_ENV_BOOT_SLOT, res->slot == 1u ? "1" : "0", 1);
	/* What was printed so far must reach the console before this process is replaced. */
	fflush(stdout);
	fflush(stderr);
	fexecve(fd, argv, environ);
	return -errno;
}

/*
 * DFUKIT_POWER_CUT (tests): the board loses power at a chosen point of the
 * swap, and stays off until it is killed and started again.
 *   erase:OFF  right after the first erase of the sector at flash offset OFF
 *   op:N       at flash operation N (it does nothing)
 * The flash is reached through cut_dev, which watches the erases.
 */
struct power_cut {
	struct flash_sim *sim;
	struct flash_dev dev;
	uint32_t erase_off;
	bool on_erase;
};

static int cut_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	struct power_cut *pc = ctx;
	return flash_dev_read(&pc->sim->dev, off, dst, len);
}

static int cut_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	struct power_cut *pc = ctx;
	return flash_dev_write(&pc->sim->dev, off, src, len);
}

static int cut_erase(void *ctx, uint32_t off, uint32_t len)
{
	struct power_cut *pc = ctx;
	int rc = flash_dev_erase(&pc->sim->dev, off, len);
	if (rc == 0 && pc->on_erase && off <= pc->erase_off && pc->erase_off - off < len) {
		pc->on_erase = false;
		flash_sim_cut_at(pc->sim, flash_sim_ops(pc->sim), FLASH_SIM_TEAR_NOTHING);
		printf("I: Power cut after erasing 0x%x..0x%x (DFUKIT_POWER_CUT)\n", (unsigned)off,
		       (unsigned)(off + len));
		fflush(stdout);
	}
	return rc;
}

static const struct flash_ops cut_ops = {.read = cut_read, .write = cut_write, .erase = cut_erase};

/* The device the boot code is to use: the flash, or cut_dev with a cut armed. */
static const struct flash_dev *power_cut_setup(struct power_cut *pc, struct flash_sim *sim)
{
	const char *spec = getenv("DFUKIT_POWER_CUT");
	char *end = NULL;
	if (spec == NULL) {
		return &sim->dev;
	}
	pc->sim = sim;
	pc->dev = (struct flash_dev){
		.ops = &cut_ops, .ctx = pc, .geo = sim->dev.geo, .mapped = sim->dev.mapped};
	if (strncmp(spec, "erase:", 6) == 0) {
		unsigned long v = strtoul(spec + 6, &end, 0);
		if (*end == '\0' && end != spec + 6 && v < sim->geo.size) {
			pc->erase_off = (uint32_t)v;
			pc->on_erase = true;
			return &pc->dev;
		}
	} else if (strncmp(spec, "op:", 3) == 0) {
		unsigned long v = strtoul(spec + 3, &end, 0);
		if (*end == '\0' && end != spec + 3 && v <= UINT32_MAX) {
			flash_sim_cut_at(sim, (uint32_t)v, FLASH_SIM_TEAR_NOTHING);
			return &pc->dev;
		}
	}
	printf("E: DFUKIT_POWER_CUT=%s: want erase:OFFSET or op:N\n", spec);
	fflush(stdout);
	return NULL;
}

/*
 * The upgrade strategy the board asked for (dfukit board run --mode,
 * --downgrade-prevention): DFUKIT_BOOT_MODE, DFUKIT_DOWNGRADE_PREVENTION=1.
 */
static int boot_mode_from_env(struct boot_config *cfg)
{
	const char *mode = getenv(BOARD_ENV_BOOT_MODE);
	const char *dp = getenv(BOARD_ENV_DOWNGRADE_PREVENTION);

	if (mode != NULL && boot_mode_parse(mode, &cfg->mode) < 0) {
		printf("E: %s=%s: not an upgrade mode\n", BOARD_ENV_BOOT_MODE, mode);
		fflush(stdout);
		return -EINVAL;
	}
	cfg->downgrade_prevention = dp != NULL && strcmp(dp, "1") == 0;
	return 0;
}

/*
 * dfukit board run --security-counter (DFUKIT_SECURITY_COUNTER=1): MCUboot's
 * hardware rollback protection, the counter in the board's OTP file.
 */
static int security_counter_from_env(struct boot_config *cfg, struct board_otp *otp,
				     const char *flash_path, const struct board_profile *bp)
{
	const char *on = getenv(BOARD_ENV_SECURITY_COUNTER);

	if (on == NULL || strcmp(on, "1") != 0) {
		return 0;
	}
	int rc = board_otp_open(otp, flash_path, bp);

	if (rc < 0) {
		printf("E: Security counter store %s.otp: %s\n", flash_path, strerror(-rc));
		fflush(stdout);
		return rc;
	}
	cfg->security_counter = &otp->store;
	return 0;
}

/*
 * Encrypted updates (DFUKIT_ENC_KEY built in): swap-using-move decrypts them,
 * and validate() checks the secondary decrypted.
 */
static void enc_setup(struct boot_config *cfg, struct boot_enc_device *enc,
		      struct flash_area *secondary)
{
	if (cfg->mode == BOOT_MODE_SWAP_MOVE && board_enc_init(enc) == 0) {
		cfg->enc = &enc->enc;
		cfg->validate_ctx = secondary;
	}
}

static void sleep_us(void *ctx, uint32_t us)
{
	(void)ctx;
	usleep(us);
}

static void halt(void)
{
	/* A real bootloader spins here until reset; so does this one. */
	for (;;) {
		pause();
	}
}

int main(int argc, char **argv)
{
	struct board_env env;
	struct flash_file flash;
	struct flash_area slot0, slot1;
	struct power_cut cut = {0};
	(void)argc;

	if (board_env_load(&env, argv[0]) < 0) {
		return 2;
	}
	const struct board_profile *bp = board_profile_find(env.board_id);
	printf("*** Booting dfukit bootloader v" DFUKIT_VERSION " ***\n");
	fflush(stdout);
	int rc = flash_file_open(&flash, env.flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		const struct flash_dev *dev = power_cut_setup(&cut, &flash.sim);
		rc = dev ? board_profile_slots(bp, dev, &slot0, &slot1) : -EINVAL;
	}
	if (rc < 0) {
		printf("E: Flash %s: %s\n", env.flash_path, strerror(-rc));
		halt();
	}
	/* DFUKIT_FLASH_TIMING=1: erase and program take as long as on the chip. */
	bool timed = getenv("DFUKIT_FLASH_TIMING") != NULL;
	flash_sim_set_timing(&flash.sim, &bp->timing, timed ? sleep_us : NULL, NULL);
	struct boot_config cfg = {
		.primary = &slot0,
		.secondary = &slot1,
		.validate = validate,
		.log = boot_log,
	};
	if (boot_mode_from_env(&cfg) < 0) {
		halt();
	}
	/* ram-load: the board's executable SRAM, where the image is copied and checked */
	cfg.ram = (struct boot_ram){NULL, bp->exec_ram_addr, bp->exec_ram_size};
	if (cfg.mode == BOOT_MODE_RAM_LOAD && (cfg.ram.buf = malloc(cfg.ram.size)) == NULL) {
		halt();
	}
	struct board_otp otp;

	if (security_counter_from_env(&cfg, &otp, env.flash_path, bp) < 0) {
		halt();
	}
	struct boot_enc_device enc;

	enc_setup(&cfg, &enc, &slot1);
	struct boot_result res;
	rc = boot_go(&cfg, &res);
	flash_file_sync(&flash);
	if (timed) {
		/* Not an MCUboot line: what the swap cost, for docs/performance.md. */
		printf("I: Flash: %u sector erases, %u writes, %llu ms of flash time\n",
		       (unsigned)flash.sim.erases, (unsigned)flash.sim.writes,
		       (unsigned long long)(flash.sim.sim_us / 1000u));
	}
	if (flash_sim_is_off(&flash.sim)) {
		printf("I: Power is off (DFUKIT_POWER_CUT); kill the board and start it again\n");
		fflush(stdout);
		halt();
	}
	if (rc < 0) {
		/* boot_go said why ("Unable to find bootable image"). */
		flash_file_close(&flash);
		halt();
	}
	rc = jump(res.slot == 1u ? &slot1 : &slot0, &res, &cfg.ram);
	if (rc == -ENOEXEC) {
		printf("E: The image in the primary slot is not a host program (no executable for\n"
		       "E: this machine), so the host-native board cannot run it.\n"
		       "E: Target images (e.g. Cortex-M builds) run on the emulated board:\n"
		       "E: dfukit board run --emulate (coming)\n");
	} else {
		printf("E: Cannot start the image in the primary slot: %s\n", strerror(-rc));
	}
	fflush(stdout);
	halt();
}
