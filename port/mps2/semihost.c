/* SPDX-License-Identifier: Apache-2.0 */
#include "semihost.h"

#include <errno.h>
#include <string.h>

enum {
	SYS_OPEN = 0x01,
	SYS_CLOSE = 0x02,
	SYS_WRITE = 0x05,
	SYS_READ = 0x06,
	SYS_SEEK = 0x0A,
	SYS_GET_CMDLINE = 0x15,
	SYS_EXIT_EXTENDED = 0x20,
};
/* ADP_Stopped_ApplicationExit: SYS_EXIT_EXTENDED with an exit status. */
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static int32_t semihost_call(uint32_t op, const void *args)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = args;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return (int32_t)r0;
}

int semihost_open(const char *path, uint32_t mode)
{
	const uint32_t args[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)strlen(path)};
	int32_t fd = semihost_call(SYS_OPEN, args);
	return fd < 0 ? -ENOENT : (int)fd;
}

int semihost_close(int fd)
{
	const uint32_t args[1] = {(uint32_t)fd};
	return semihost_call(SYS_CLOSE, args) == 0 ? 0 : -EIO;
}

static int seek(int fd, uint32_t pos)
{
	const uint32_t args[2] = {(uint32_t)fd, pos};
	return semihost_call(SYS_SEEK, args) == 0 ? 0 : -EIO;
}

/* SYS_WRITE and SYS_READ return the number of bytes NOT transferred. */
int semihost_pwrite(int fd, uint32_t pos, const void *src, uint32_t len)
{
	const uint32_t args[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)src, len};
	if (seek(fd, pos) < 0) {
		return -EIO;
	}
	return semihost_call(SYS_WRITE, args) == 0 ? 0 : -EIO;
}

int semihost_pread(int fd, uint32_t pos, void *dst, uint32_t len)
{
	const uint32_t args[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)dst, len};
	if (seek(fd, pos) < 0) {
		return -EIO;
	}
	return semihost_call(SYS_READ, args) == 0 ? 0 : -EIO;
}

/* SYS_READ or SYS_WRITE until all len bytes moved: a pipe may move fewer at a time. */
static int stream(uint32_t op, int fd, uint8_t *p, uint32_t len)
{
	while (len != 0u) {
		const uint32_t args[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)p, len};
		int32_t left = semihost_call(op, args);
		if (left < 0 || (uint32_t)left >= len) {
			return -EPIPE;
		}
		p += len - (uint32_t)left;
		len = (uint32_t)left;
	}
	return 0;
}

int semihost_read(int fd, void *dst, uint32_t len)
{
	return stream(SYS_READ, fd, dst, len);
}

int semihost_write(int fd, const void *src, uint32_t len)
{
	/* SYS_WRITE only reads the buffer; the cast is for the shared loop. */
	return stream(SYS_WRITE, fd, (uint8_t *)(uintptr_t)src, len);
}

int semihost_cmdline(char *buf, uint32_t size)
{
	uint32_t args[2] = {(uint32_t)(uintptr_t)buf, size};
	if (size == 0u) {
		return -ENOSPC;
	}
	buf[0] = '\0';
	if (semihost_call(SYS_GET_CMDLINE, args) != 0) {
		return -EIO;
	}
	buf[size - 1u] = '\0';
	return 0;
}

void semihost_exit(uint32_t status)
{
	const uint32_t args[2] = {ADP_STOPPED_APPLICATION_EXIT, status};
	(void)semihost_call(SYS_EXIT_EXTENDED, args);
	for (;;) {
	}
}

int semihost_arg(const char *cmdline, const char *key, char *out, uint32_t out_size)
{
	size_t klen = strlen(key);
	for (const char *p = cmdline; *p != '\0';) {
		size_t wlen = strcspn(p, " ");
		if (wlen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = wlen - klen - 1u;
			if (vlen + 1u > out_size) {
				return -ENOSPC;
			}
			memcpy(out, p + klen + 1u, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p += wlen;
		p += strspn(p, " ");
	}
	return -ENOENT;
}
