/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the dfukit-image commands share: the program name, help and error
 * lines, option-parsing helpers and file I/O, and the commands main() runs.
 *
 * Exit status of every command (like imgtool/click): 0 success, EXIT_FAILURE
 * (1) for a bad image, key or I/O, EXIT_USAGE (2) for a usage error. Every
 * error is a single line on stderr.
 */
#ifndef DFUKIT_TOOLS_IMAGE_CLI_H
#define DFUKIT_TOOLS_IMAGE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dfukit/image.h"
#include "imgkey.h"

#define EXIT_USAGE 2

/*
 * imgtool options dfukit does not implement yet are known by name, so that a
 * user coming from imgtool is told that, not "invalid option" (exit 2, as for
 * any usage error). Their getopt values are their short option or >= OPT_UNSUPPORTED.
 */
enum { OPT_UNSUPPORTED = 2000 };

/* Returned by the option helpers below when parsing goes on. */
#define CLI_CONTINUE (-1)

/* ---- program name, help and errors ---------------------------------------------- */

/*
 * The command as the user typed it: "dfukit image" when run through dfukit
 * (which passes that as argv[0]), the program's own name when run directly.
 */
void cli_set_prog(const char *argv0);
const char *cli_prog(void);

/* A help text, with each "dfukit-image" in it naming the command the user typed. */
void cli_show_help(const char *text, FILE *f);

/* "PROG CMD: error: ... (try 'PROG CMD --help')"; returns EXIT_USAGE. */
int cli_usage_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "PROG CMD: error: ..."; returns EXIT_FAILURE. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long runs with opterr = 0: report the bad option on one line (EXIT_USAGE). */
int cli_bad_option(const char *cmd, char **argv);
/* c is one of table's imgtool-only options: say so (EXIT_USAGE). */
int cli_unsupported_option(const char *cmd, const struct option *table, size_t n, int c);
bool cli_is_unsupported(const struct option *table, size_t n, int c);

/* A command whose only option is -h/--help: CLI_CONTINUE after parsing, else the exit status. */
int cli_parse_help_only(const char *cmd, const char *help, int argc, char **argv);

/*
 * Everything a command prints on stdout (verify's result, dumpinfo, getpub, help)
 * must reach it: a full disk or a closed pipe is an error, not a success.
 * cmd is NULL for the top-level help. Returns rc, or EXIT_FAILURE instead of 0.
 */
int cli_check_stdout(const char *cmd, int rc);

/* ---- arguments and files -------------------------------------------------------- */

int cli_parse_u32(const char *s, uint32_t *out);
/* The extension is .hex in any case (imgtool's test, Python's os.path.splitext). */
bool cli_has_hex_ext(const char *path);

/* Whole file into a malloc'ed buffer; 0 or -1 with a one-line reason in err. */
int cli_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen);
/* Written atomically: a temporary file next to path, renamed over it (see cli_outfile). */
int cli_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen);

/*
 * An output file written atomically, so that a failure leaves the old file (or none):
 * cli_outfile_write() fills a temporary file next to path, cli_outfile_commit()
 * renames it over path, cli_outfile_discard() removes it. A path that exists and is
 * not a regular file (/dev/stdout, a FIFO) is written in place.
 */
struct cli_outfile {
	const char *path;
	char *tmp;
};
int cli_outfile_write(struct cli_outfile *f, const void *data, size_t len, char *err,
		      size_t errlen);
int cli_outfile_commit(struct cli_outfile *f, char *err, size_t errlen);
void cli_outfile_discard(struct cli_outfile *f);

/* Load a key, printing the error for cmd: 0, or -1 (k is then freed). */
int cli_load_key(const char *cmd, const char *path, struct imgkey *k);

/* -o FILE or stdout (out == NULL); NULL after printing the error. */
FILE *cli_open_out(const char *cmd, const char *out);
/* 0, or EXIT_FAILURE after printing the error; stdout is checked once, at exit. */
int cli_close_out(const char *cmd, FILE *f);

/* An image file read whole, as a source for the image layer (the file size is the slot size). */
struct cli_image {
	uint8_t *buf;
	size_t len;
	struct dfukit_image_membuf mb;
	struct dfukit_image_src src;
};

/* The one IMAGE argument of verify and dumpinfo: CLI_CONTINUE, or EXIT_USAGE after the error. */
int cli_check_image_arg(const char *cmd, int argc, char **argv);
/* CLI_CONTINUE, or EXIT_FAILURE after printing the error; free with cli_image_free(). */
int cli_image_load(const char *cmd, const char *path, struct cli_image *im);
void cli_image_free(struct cli_image *im);

/* ---- the commands (argv[0] is the command name; getopt is reset) ---------------- */

int cmd_keygen(int argc, char **argv);
int cmd_getpub(int argc, char **argv);
int cmd_getpubhash(int argc, char **argv);
int cmd_getpriv(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dumpinfo(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
/* verify of an image with ENCRYPTED flags (cmd_decrypt.c): dec NULL = body as stored. */
int cli_verify_encrypted(const struct cli_image *im, const struct imgkey *sign,
			 const struct imgkey *dec);

#endif
