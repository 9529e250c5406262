/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-image sign, in three files: cmd_sign.c parses the command line,
 * sign_tlv.c turns -d/--dependencies and --custom-tlv[-file] into protected TLVs,
 * sign_io.c reads the input (binary or Intel HEX) and writes the outputs.
 */
#ifndef DFUKIT_TOOLS_SIGN_H
#define DFUKIT_TOOLS_SIGN_H

#include "cli.h"
#include "imgenc.h"

/* The protected TLVs from the command line: dependencies first, then custom TLVs. */
struct sign_tlvs {
	struct imgsign_tlv deps[16]; /* -d: at most 16 images */
	size_t ndeps;
	uint8_t dep_values[16][12];
	struct imgsign_tlv custom[64]; /* --custom-tlv then --custom-tlv-file, as imgtool */
	uint8_t *custom_values[64];    /* malloc'ed */
	bool custom_is_file[64];
	size_t ncustom;
	struct imgsign_tlv all[16 + 64]; /* what imgsign_opts.prot points to */
};

struct sign_args {
	struct imgsign_opts o;
	const char *keypath;
	const char *fix_sig, *fix_sig_pubkey, *sig_out;
	const char *sha;        /* --sha as given, NULL if not */
	const char *encpath;    /* -E */
	struct imgenc_opts enc; /* -E's options; o.enc points here once the key is loaded */
	bool have_ver, have_hdr, have_slot, have_hex_addr;
	uint32_t hex_addr; /* -x */
	const char *in, *out;
	struct sign_tlvs tlvs;
};

/* -d "(ID,VER), ...", as imgtool's regular expressions read it: CLI_CONTINUE or EXIT_USAGE. */
int sign_parse_dependencies(struct sign_tlvs *t, const char *arg);
/* --custom-tlv TAG VALUE and --custom-tlv-file TAG FILE: CLI_CONTINUE or an exit status. */
int sign_add_custom_tlv(struct sign_tlvs *t, const char *tag, const char *value, bool is_file);
/* imgtool's checks over all custom TLVs, then o->prot = deps + custom: CLI_CONTINUE or EXIT_USAGE. */
int sign_finish_tlvs(struct sign_args *a);
void sign_free_tlvs(struct sign_tlvs *t);

/* Read INFILE, build, write OUTFILE (and --sig-out): the exit status. */
int sign_run(struct sign_args *a, const struct imgkey *key, const struct imgkey *fix_key);

#endif
