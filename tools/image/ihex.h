/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel HEX for dfukit-image sign, as imgtool reads and writes it (python3-intelhex):
 * input is flattened from its lowest to its highest address with 0xff in the gaps;
 * output has 16-byte data records, a type 04 (extended linear address) record
 * before the first and at each 64 KiB boundary when an address is above 0xffff,
 * no start address record, and ":00000001FF" last, with "\n" line ends.
 */
#ifndef DFUKIT_TOOLS_IHEX_H
#define DFUKIT_TOOLS_IHEX_H

#include <stddef.h>
#include <stdint.h>

/* Largest span (highest - lowest address + 1) of an Intel HEX input. */
#define IHEX_SPAN_MAX (256u * 1024u * 1024u)

/* One run of bytes to write at addr. */
struct ihex_seg {
	uint32_t addr;
	const uint8_t *data;
	size_t len;
};

/*
 * Parse name's text (len bytes): *out (malloc'ed) holds the bytes from *base up,
 * 0xff where no record gave a byte. 0 or a negative errno with a one-line reason in err.
 */
int ihex_parse(const char *name, const char *text, size_t len, uint8_t **out, size_t *out_len,
	       uint32_t *base, char *err, size_t errlen);

/* segs sorted by address, not overlapping, within 4 GiB: *out is malloc'ed text. */
int ihex_format(const struct ihex_seg *segs, size_t n, char **out, size_t *out_len, char *err,
		size_t errlen);

#endif
