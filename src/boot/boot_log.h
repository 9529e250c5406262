/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MCUboot-style log lines without printf, shared by the boot sources (private).
 * static inline: each strategy's file builds its lines the same way, and no
 * short name leaves the library.
 */
#ifndef DFUKIT_BOOT_LOG_H
#define DFUKIT_BOOT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <dfukit/boot.h>

struct lbuf {
	char s[120];
	size_t n;
};

static inline void lb_str(struct lbuf *lb, const char *str)
{
	while (*str != '\0' && lb->n + 1u < sizeof(lb->s)) {
		lb->s[lb->n++] = *str++;
	}
	lb->s[lb->n] = '\0';
}

static inline void lb_num(struct lbuf *lb, uint32_t v, uint32_t base)
{
	char tmp[12];
	size_t i = 0;

	do {
		uint32_t d = v % base;

		tmp[i++] = (char)(d < 10u ? '0' + d : 'a' + d - 10u);
		v /= base;
	} while (v != 0u);
	while (i > 0u && lb->n + 1u < sizeof(lb->s)) {
		lb->s[lb->n++] = tmp[--i];
	}
	lb->s[lb->n] = '\0';
}

static inline void lb_hex(struct lbuf *lb, uint32_t v)
{
	lb_str(lb, "0x");
	lb_num(lb, v, 16);
}

static inline void lb_emit(const struct boot_config *cfg, char level, struct lbuf *lb)
{
	if (cfg->log != NULL) {
		cfg->log(cfg->log_ctx, level, lb->s);
	}
	lb->n = 0;
	lb->s[0] = '\0';
}

static inline void log_msg(const struct boot_config *cfg, char level, const char *msg)
{
	if (cfg->log != NULL) {
		cfg->log(cfg->log_ctx, level, msg);
	}
}

static inline void log_swap_type(const struct boot_config *cfg, int type)
{
	struct lbuf lb = {.n = 0};

	lb_str(&lb, "Image index: 0, Swap type: ");
	lb_str(&lb, boot_swap_type_str(type));
	lb_emit(cfg, 'I', &lb);
}

static inline const char *boot_magic_str(uint8_t m)
{
	return m == BOOT_MAGIC_GOOD ? "good" : (m == BOOT_MAGIC_UNSET ? "unset" : "bad");
}

/* "Primary image: magic=good, swap_type=0x2, copy_done=0x1, image_ok=0x3" */
static inline void log_swap_state(const struct boot_config *cfg, const char *which,
				  const struct boot_swap_state *st)
{
	struct lbuf lb = {.n = 0};

	lb_str(&lb, which);
	lb_str(&lb, " image: magic=");
	lb_str(&lb, boot_magic_str(st->magic));
	lb_str(&lb, ", swap_type=");
	lb_hex(&lb, st->swap_type);
	lb_str(&lb, ", copy_done=");
	lb_hex(&lb, st->copy_done);
	lb_str(&lb, ", image_ok=");
	lb_hex(&lb, st->image_ok);
	lb_emit(cfg, 'I', &lb);
}

#endif /* DFUKIT_BOOT_LOG_H */
