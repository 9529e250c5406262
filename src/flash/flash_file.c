/* SPDX-License-Identifier: Apache-2.0 */
/* Host-only: simulated flash backed by a shared mmap of a file. */
#define _POSIX_C_SOURCE 200809L
#include <dfukit/flash.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int flash_file_open(struct flash_file *ff, const char *path, const struct flash_geometry *geo,
		    uint32_t flags)
{
	struct stat st;

	if (ff == NULL || path == NULL || flash_geometry_check(geo) != 0) {
		return -EINVAL;
	}
	memset(ff, 0, sizeof(*ff));
	ff->fd = -1;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if ((uint64_t)st.st_size > geo->size) {
		close(fd);
		return -EINVAL;
	}
	size_t old = (size_t)st.st_size;

	if (old < geo->size && ftruncate(fd, (off_t)geo->size) != 0) {
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
	/* bytes the file did not have yet read as erased */
	if (old < geo->size) {
		memset(ff->map + old, geo->erased_val, geo->size - old);
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
