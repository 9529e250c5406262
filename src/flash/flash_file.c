/* SPDX-License-Identifier: Apache-2.0 */
/* Host-only: simulated flash backed by a shared mmap of a file. */
#define _POSIX_C_SOURCE 200809L
#include <dfukit/host/flash_file.h>
#include <dfukit/wire.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char trailer_magic[16] = "DFUKIT-FLASH\n\0\0";
#define TRAILER_VERSION         1u
/* The trailer's little-endian u32 fields, after the 16-byte marker. */
#define TRAILER_OFF_VERSION     16u
#define TRAILER_OFF_SIZE        20u
#define TRAILER_OFF_WRITE_BLOCK 24u
#define TRAILER_OFF_SECTORS     28u
#define TRAILER_OFF_ERASED_VAL  32u

static void make_trailer(uint8_t t[FLASH_FILE_TRAILER_SIZE], const struct flash_geometry *geo)
{
	memset(t, 0, FLASH_FILE_TRAILER_SIZE);
	memcpy(t, trailer_magic, sizeof(trailer_magic));
	wire_put_le32(t + TRAILER_OFF_VERSION, TRAILER_VERSION);
	wire_put_le32(t + TRAILER_OFF_SIZE, geo->size);
	wire_put_le32(t + TRAILER_OFF_WRITE_BLOCK, geo->write_block);
	wire_put_le32(t + TRAILER_OFF_SECTORS, (uint32_t)flash_sector_count(geo));
	wire_put_le32(t + TRAILER_OFF_ERASED_VAL, geo->erased_val);
}

__attribute__((format(printf, 3, 4))) static void say_why(char *why, size_t why_len,
							  const char *fmt, ...)
{
	if (why != NULL && why_len > 0) {
		va_list ap;

		va_start(ap, fmt);
		(void)vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
}

/* Classify the open file fd for geo (see flash_file_probe). */
static int probe_fd(int fd, const struct flash_geometry *geo, char *why, size_t why_len)
{
	struct stat st;
	uint8_t t[FLASH_FILE_TRAILER_SIZE], want[FLASH_FILE_TRAILER_SIZE];

	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		say_why(why, why_len, "not a regular file");
		return FLASH_FILE_FOREIGN;
	}
	uint64_t size = (uint64_t)st.st_size;
	if (size == 0) {
		return FLASH_FILE_EMPTY;
	}
	if (size == geo->size) {
		return FLASH_FILE_LEGACY;
	}
	if (size != (uint64_t)geo->size + FLASH_FILE_TRAILER_SIZE) {
		say_why(why, why_len, "%llu bytes, a flash file for this board has %llu",
			(unsigned long long)size,
			(unsigned long long)geo->size + FLASH_FILE_TRAILER_SIZE);
		return FLASH_FILE_FOREIGN;
	}
	ssize_t n = pread(fd, t, sizeof(t), (off_t)geo->size);
	if (n < 0) {
		return -errno;
	}
	make_trailer(want, geo);
	if (n != (ssize_t)sizeof(t) || memcmp(t, trailer_magic, sizeof(trailer_magic)) != 0) {
		say_why(why, why_len, "no dfukit flash marker at its end (%llu bytes)",
			(unsigned long long)size);
		return FLASH_FILE_FOREIGN;
	}
	if (memcmp(t, want, sizeof(t)) != 0) {
		say_why(why, why_len,
			"a dfukit flash file for another flash (%lu bytes, %lu sectors)",
			(unsigned long)wire_get_le32(t + TRAILER_OFF_SIZE),
			(unsigned long)wire_get_le32(t + TRAILER_OFF_SECTORS));
		return FLASH_FILE_FOREIGN;
	}
	return FLASH_FILE_DFUKIT;
}

int flash_file_probe(const char *path, const struct flash_geometry *geo, char *why, size_t why_len)
{
	if (path == NULL || flash_geometry_check(geo) != 0) {
		return -EINVAL;
	}
	if (why != NULL && why_len > 0) {
		why[0] = '\0';
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? FLASH_FILE_ABSENT : -errno;
	}
	int kind = probe_fd(fd, geo, why, why_len);
	close(fd);
	return kind;
}

int flash_file_open(struct flash_file *ff, const char *path, const struct flash_geometry *geo,
		    uint32_t flags)
{
	if (ff == NULL || path == NULL || flash_geometry_check(geo) != 0) {
		return -EINVAL;
	}
	memset(ff, 0, sizeof(*ff));
	ff->fd = -1;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		return -errno;
	}
	int kind = probe_fd(fd, geo, NULL, 0);

	if (kind < 0 || kind == FLASH_FILE_FOREIGN) {
		close(fd);
		return kind < 0 ? kind : -EINVAL;
	}
	bool fresh = kind == FLASH_FILE_EMPTY;

	/* A new file: the flash first (all erased), the trailer last. */
	if (fresh && ftruncate(fd, (off_t)geo->size) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	void *map = mmap(NULL, geo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	ff->fd = fd;
	ff->map = map;
	ff->size = geo->size;
	if (fresh) {
		memset(ff->map, geo->erased_val, geo->size);
		if (msync(ff->map, ff->size, MS_SYNC) != 0) {
			int err = -errno;

			flash_file_close(ff);
			return err;
		}
	}
	if (kind != FLASH_FILE_DFUKIT) {
		/* New, or an old dfukit file of the exact size: mark it as ours. */
		uint8_t t[FLASH_FILE_TRAILER_SIZE];

		make_trailer(t, geo);
		if (pwrite(fd, t, sizeof(t), (off_t)geo->size) != (ssize_t)sizeof(t)) {
			int err = errno ? -errno : -EIO;

			flash_file_close(ff);
			return err;
		}
	}
	return flash_sim_init(&ff->sim, geo, ff->map, geo->size, flags);
}

int flash_file_sync(struct flash_file *ff)
{
	if (ff->map == NULL) {
		return -EINVAL;
	}
	return msync(ff->map, ff->size, MS_SYNC) == 0 ? 0 : -errno;
}

int flash_file_close(struct flash_file *ff)
{
	int rc = 0;

	if (ff->map != NULL) {
		rc = flash_file_sync(ff);
		if (munmap(ff->map, ff->size) != 0 && rc == 0) {
			rc = -errno;
		}
		ff->map = NULL;
	}
	if (ff->fd >= 0) {
		if (close(ff->fd) != 0 && rc == 0) {
			rc = -errno;
		}
		ff->fd = -1;
	}
	return rc;
}
