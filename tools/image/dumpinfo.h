/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image dumpinfo: what the human format (cmd_dumpinfo.c) and yaml/json (dumpinfo_fmt.c) share. */
#ifndef DFUKIT_TOOLS_IMAGE_DUMPINFO_H
#define DFUKIT_TOOLS_IMAGE_DUMPINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

enum dumpinfo_format { DUMPINFO_HUMAN, DUMPINFO_YAML, DUMPINFO_JSON };

struct dumpinfo_args {
	enum dumpinfo_format format;
	const char *outfile; /* NULL: stdout */
};

/* imgtool's TLV type names ("UNKNOWN" for the others). */
const char *dumpinfo_tlv_name(uint16_t type);
/* Python's os.path.basename. */
const char *dumpinfo_base_name(const char *p);
/* The header and the TLV areas are sound: 0, or EXIT_FAILURE after the error. */
int dumpinfo_check_structure(const struct cli_image *im, struct dfukit_image_header *hdr,
			     struct dfukit_image_tlv_iter *it);

/*
 * imgtool's yaml.dump / json.dump of its image info into o; to_stdout adds the line
 * end imgtool prints after json on stdout only. 0, or EXIT_FAILURE after the error.
 */
int dumpinfo_structured(FILE *o, const char *path, const struct cli_image *im,
			enum dumpinfo_format fmt, bool to_stdout);

#endif
