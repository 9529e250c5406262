/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM semihosting (BKPT 0xAB on M-profile), the calls the emulated board
 * uses: the flash file and the command line the board passes (QEMU
 * -semihosting-config arg=...), and the exit status that tells the board
 * whether to reset or power off. Results are as the ARM semihosting
 * specification gives them; wrappers turn them into 0 / negative errno.
 */
#ifndef DFUKIT_SEMIHOST_H
#define DFUKIT_SEMIHOST_H

#include <stdint.h>

/* Open mode "r+b": read and write an existing file, binary. */
#define SEMIHOST_MODE_RW_BINARY 3u

/* A handle (>= 0) or -ENOENT. */
int semihost_open(const char *path, uint32_t mode);
int semihost_close(int fd);
/* 0 when all len bytes went to/came from the file at pos, else -EIO. */
int semihost_pwrite(int fd, uint32_t pos, const void *src, uint32_t len);
int semihost_pread(int fd, uint32_t pos, void *dst, uint32_t len);
/*
 * A stream (a FIFO the board made): all len bytes, blocking, or -EPIPE when
 * the other end is gone (no progress: end of file).
 */
int semihost_read(int fd, void *dst, uint32_t len);
int semihost_write(int fd, const void *src, uint32_t len);
/* The command line (NUL-terminated) into buf, or -ENOSPC / -EIO. */
int semihost_cmdline(char *buf, uint32_t size);
/* End the emulation with this exit status. */
__attribute__((noreturn)) void semihost_exit(uint32_t status);

/*
 * The value of "key=value" among the space-separated words of cmdline, copied
 * into out (NUL-terminated); -ENOENT if absent, -ENOSPC if it does not fit.
 */
int semihost_arg(const char *cmdline, const char *key, char *out, uint32_t out_size);

#endif /* DFUKIT_SEMIHOST_H */
