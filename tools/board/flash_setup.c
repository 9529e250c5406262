/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boards' flash files: an existing one must be dfukit's, each is locked
 * for its board's lifetime, and a blank board is factory-programmed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "board.h"
#include "dfukit/boot.h"
#include "dfukit/flash.h"
#include "dfukit/host/board_env.h"
#include "dfukit/host/flash_file.h"

/* 24 hex digits, like the 96-bit unique ID a chip reports, stable per board + flash file. */
void derive_serial(char out[25], const char *board, const char *flash)
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
	for (const char *s = board; *s; s++) {
		h1 = (h1 ^ (uint8_t)*s) * 1099511628211ull;
	}
	for (const char *s = flash; *s; s++) {
		h1 = (h1 ^ (uint8_t)*s) * 1099511628211ull;
		h2 = (h2 ^ (uint8_t)*s) * 0x100000001b3ull;
	}
	snprintf(out, 25, "%016llX%08X", (unsigned long long)h1, (unsigned)(h2 & 0xffffffffu));
}

/* Board i's flash file of a fleet: FILE with "-i" before a ".flash" suffix, else after it. */
void fleet_flash_name(char *out, size_t n, const char *flash, int i)
{
	size_t len = strlen(flash);
	const char *suffix = ".flash";
	size_t sl = strlen(suffix);
	if (len > sl && strcmp(flash + len - sl, suffix) == 0) {
		snprintf(out, n, "%.*s-%d%s", (int)(len - sl), flash, i, suffix);
	} else {
		snprintf(out, n, "%s-%d", flash, i);
	}
}

/*
 * An existing --flash file must be a dfukit flash file (or an old one of the
 * exact flash size, which flash_file_open adopts): anything else is most
 * likely an image passed to the wrong option, and is never grown or written.
 */
int check_flash_file(const struct board_profile *bp, const char *path)
{
	char why[160];
	int kind = flash_file_probe(path, &bp->flash, why, sizeof(why));
	if (kind < 0) {
		fprintf(stderr, "dfukit board: flash %s: %s\n", path, strerror(-kind));
		return kind;
	}
	if (kind != FLASH_FILE_FOREIGN) {
		return kind;
	}
	fprintf(stderr,
		"dfukit board: %s is not a dfukit flash file for %s (%s);\n"
		"  refusing to touch it. --flash names the board's own flash storage, which\n"
		"  dfukit creates and keeps (default ./%s.flash). To put a signed image\n"
		"  into slot 0, as 'west flash' would, use --image FILE instead.\n"
		"  (Flash files of dfukit 0.1, exactly %u bytes, are still accepted.)\n",
		path, bp->id, why, bp->id, (unsigned)bp->flash.size);
	return -EINVAL;
}

/*
 * The pid holding an flock() on the file with inode ino, from /proc/locks
 * (flock locks are listed with the pid that took them); 0 if none is listed
 * or /proc/locks cannot be read.
 */
pid_t flock_holder(ino_t ino)
{
	FILE *f = fopen("/proc/locks", "r");
	char line[256];
	pid_t holder = 0;
	if (f == NULL) {
		return 0;
	}
	while (holder == 0 && fgets(line, sizeof(line), f) != NULL) {
		char type[16], mode[16];
		int pid;
		unsigned maj, min;
		unsigned long long inode;
		/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters have "->" first. */
		const char *p = strchr(line, ':');
		if (p == NULL || sscanf(p + 1, "%15s %*s %15s %d %x:%x:%llu", type, mode, &pid,
					&maj, &min, &inode) != 6) {
			continue;
		}
		if (strcmp(type, "FLOCK") == 0 && strcmp(mode, "WRITE") == 0 &&
		    inode == (unsigned long long)ino && pid > 0) {
			holder = (pid_t)pid;
		}
	}
	fclose(f);
	return holder;
}

/*
 * Take the board's exclusive lock on its flash file, kept until the board
 * exits (or is killed: the kernel drops it). A second board on the same flash
 * would corrupt it, so it is refused.
 */
int lock_flash(int fd, const char *path)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		return 0;
	}
	if (errno != EWOULDBLOCK) {
		fprintf(stderr, "dfukit board: cannot lock flash %s: %s\n", path, strerror(errno));
		return -errno;
	}
	struct stat st;
	pid_t holder = fstat(fd, &st) == 0 ? flock_holder(st.st_ino) : 0;
	char who[32] = "";
	if (holder > 0) {
		snprintf(who, sizeof(who), " (pid %d)", (int)holder);
	}
	fprintf(stderr,
		"dfukit board: another board is running on flash %s%s;\n"
		"  two boards on one flash would corrupt it. Stop that one first\n"
		"  (dfukit board stop --flash %s) or give this one its own --flash.\n",
		path, who, path);
	return -EBUSY;
}

/*
 * Direct-xip with revert erases an image whose trailer has no magic: a
 * factory image goes in confirmed there (magic and image_ok, what imgtool
 * --confirm writes), unless it brought its own trailer.
 */
static int confirm_for_direct_xip(const struct flash_area *slot0)
{
	const char *mode = getenv(BOARD_ENV_BOOT_MODE);
	struct boot_swap_state st;

	if (mode == NULL || strcmp(mode, "direct-xip") != 0) {
		return 0;
	}
	int rc = boot_read_swap_state(slot0, &st);
	if (rc == 0 && st.magic == BOOT_MAGIC_UNSET) {
		rc = boot_write_magic(slot0);
	}
	if (rc == 0 && st.magic == BOOT_MAGIC_UNSET) {
		rc = boot_write_image_ok(slot0);
	}
	return rc;
}

int program_slot0(const struct board_profile *bp, const struct board_slot *b, const char *image,
		  bool only_if_blank, bool fresh)
{
	const char *flash_path = b->flash;
	struct flash_file ff;
	struct flash_area slot0;
	int rc = flash_file_open(&ff, flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &ff.sim.dev, &slot0, NULL);
	}
	if (rc < 0) {
		fprintf(stderr, "dfukit board: flash %s: %s\n", flash_path, strerror(-rc));
		return rc;
	}
	if (only_if_blank && !fresh) {
		struct flash_area all;
		rc = flash_area_init(&all, &ff.sim.dev, 0, bp->flash.size);
		if (rc < 0 || flash_area_is_erased(&all, 0, bp->flash.size) != 1) {
			flash_file_close(&ff);
			return 0;
		}
	}
	FILE *f = fopen(image, "rb");
	if (f == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", image, strerror(errno));
		flash_file_close(&ff);
		return -errno;
	}
	uint32_t wb = bp->flash.write_block;
	uint8_t *buf = malloc(slot0.size);
	size_t n = buf ? fread(buf, 1, slot0.size, f) : 0;
	bool too_big = buf && n == slot0.size && fgetc(f) != EOF;
	fclose(f);
	if (buf == NULL || n == 0 || too_big) {
		fprintf(stderr, "dfukit board: %s: %s\n", image,
			too_big ? "larger than slot 0" : "empty or unreadable");
		free(buf);
		flash_file_close(&ff);
		return -EINVAL;
	}
	uint32_t padded = (uint32_t)((n + wb - 1) / wb * wb);
	memset(buf + n, bp->flash.erased_val, padded - n);
	rc = flash_area_erase(&slot0, 0, slot0.size);
	if (rc == 0) {
		rc = flash_area_write(&slot0, 0, buf, padded);
	}
	if (rc == 0) {
		rc = confirm_for_direct_xip(&slot0);
	}
	free(buf);
	flash_file_close(&ff);
	if (rc < 0) {
		fprintf(stderr, "dfukit board: programming slot 0: %s\n", strerror(-rc));
		return rc;
	}
	printf("%s[board] programmed %s (%zu bytes) into slot 0 at 0x%x\n", b->prefix, image, n,
	       (unsigned)bp->slot0.off);
	return 0;
}
