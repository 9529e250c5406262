/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit-image: the program name, messages, option helpers and file I/O every command uses. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files are read whole and their size must fit the image format's 32-bit offsets. */
#define IMAGE_FILE_MAX   0xffffffffu
#define READ_CHUNK_FIRST 65536u

static const char *prog = "dfukit-image";

/* -errno of a failed libc call, never 0 (a caller would take that for success). */
static int neg_errno(void)
{
	return errno != 0 ? -errno : -EIO;
}

void cli_set_prog(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == 0)
		return;
	slash = strrchr(argv0, '/');
	prog = slash != NULL && slash[1] != 0 ? slash + 1 : argv0;
}

const char *cli_prog(void)
{
	return prog;
}

void cli_show_help(const char *text, FILE *f)
{
	static const char self[] = "dfukit-image";
	const char *p;

	while ((p = strstr(text, self)) != NULL) {
		fwrite(text, 1, (size_t)(p - text), f);
		fputs(prog, f);
		text = p + sizeof(self) - 1;
	}
	fputs(text, f);
}

static void error_prefix(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s %s: error: ", prog, cmd);
	vfprintf(stderr, fmt, ap);
}

int cli_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_prefix(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s %s --help')\n", prog, cmd);
	return EXIT_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_prefix(cmd, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

int cli_bad_option(const char *cmd, char **argv)
{
	if (optopt > 32 && optopt < 127 && optopt != (int)(unsigned char)'?')
		return cli_usage_err(cmd, "invalid option or missing argument for '-%c'", optopt);
	return cli_usage_err(cmd, "invalid option or missing argument: '%s'", argv[optind - 1]);
}

int cli_unsupported_option(const char *cmd, const struct option *table, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].val == c)
			fprintf(stderr,
				"%s %s: '--%s' is an imgtool option dfukit does not support yet\n",
				prog, cmd, table[i].name);
	return EXIT_USAGE;
}

bool cli_is_unsupported(const struct option *table, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].val == c)
			return true;
	return false;
}

int cli_parse_help_only(const char *cmd, const char *help, int argc, char **argv)
{
	static const struct option lo[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h': cli_show_help(help, stdout); return 0;
		default: return cli_bad_option(cmd, argv);
		}
	}
	return CLI_CONTINUE;
}

int cli_check_stdout(const char *cmd, int rc)
{
	int err = ferror(stdout);

	errno = 0;
	if (fclose(stdout) == 0 && !err)
		return rc;
	if (cmd != NULL)
		fprintf(stderr, "%s %s: error: cannot write to standard output: %s\n", prog, cmd,
			strerror(errno ? errno : EIO));
	else
		fprintf(stderr, "%s: error: cannot write to standard output: %s\n", prog,
			strerror(errno ? errno : EIO));
	return rc == 0 ? EXIT_FAILURE : rc;
}

/* ---- arguments and files -------------------------------------------------------- */

int cli_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == 0 || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != 0 || v > 0xffffffffULL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

bool cli_has_hex_ext(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	/* Python's os.path.splitext: leading dots of the name are not an extension. */
	if (dot == NULL || strspn(base, ".") >= (size_t)(dot - base) + 1)
		return false;
	return strcasecmp(dot, ".hex") == 0;
}

/* Read all of f into a growing buffer, at most IMAGE_FILE_MAX bytes. */
static int read_all(FILE *f, const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	uint8_t *b = NULL;
	size_t cap = 0, n = 0, r;

	do {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : READ_CHUNK_FIRST;
			uint8_t *nb;

			if (cap > IMAGE_FILE_MAX) {
				free(b);
				return img_errf(err, errlen, -EFBIG, "'%s' is too large", path);
			}
			nb = realloc(b, ncap);
			if (nb == NULL) {
				free(b);
				return img_errf(err, errlen, -ENOMEM, "out of memory reading '%s'",
						path);
			}
			b = nb;
			cap = ncap;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
	} while (r != 0);
	*buf = b;
	*len = n;
	return 0;
}

int cli_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	int rc;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return img_errf(err, errlen, neg_errno(), "cannot open '%s': %s", path,
				strerror(errno));
	rc = read_all(f, path, buf, len, err, errlen);
	if (rc == 0 && ferror(f))
		rc = img_errf(err, errlen, -EIO, "cannot read '%s'", path);
	else if (rc == 0 && *len > IMAGE_FILE_MAX)
		rc = img_errf(err, errlen, -EFBIG, "'%s' is too large", path);
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	fclose(f);
	return rc;
}

/* Write all of data to fd; 0 or -errno. */
static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? neg_errno() : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Not a regular file that exists (a device, a FIFO): written in place, not replaced. */
static bool write_in_place(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

int cli_outfile_write(struct cli_outfile *f, const void *data, size_t len, char *err, size_t errlen)
{
	const char *slash = strrchr(f->path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - f->path) + 1 : 0;
	mode_t mask = umask(0);
	int fd, rc;

	umask(mask);
	f->tmp = NULL;
	if (write_in_place(f->path)) {
		fd = open(f->path, O_WRONLY | O_TRUNC);
	} else {
		f->tmp = malloc(strlen(f->path) + sizeof("/.tmp.XXXXXX"));
		if (f->tmp == NULL)
			return img_errf(err, errlen, -ENOMEM, "out of memory");
		sprintf(f->tmp, "%.*s.%s.XXXXXX", (int)dirlen, f->path, f->path + dirlen);
		fd = mkstemp(f->tmp);
		if (fd >= 0 && fchmod(fd, 0666 & ~mask) != 0)
			(void)0; /* the 0600 of mkstemp is a safe fallback */
	}
	if (fd < 0) {
		rc = img_errf(err, errlen, neg_errno(), "cannot create '%s': %s", f->path,
			      strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		return rc;
	}
	rc = write_all(fd, data, len);
	if (close(fd) != 0 && rc == 0)
		rc = neg_errno();
	if (rc != 0) {
		cli_outfile_discard(f);
		return img_errf(err, errlen, rc, "cannot write '%s': %s", f->path, strerror(-rc));
	}
	return 0;
}

int cli_outfile_commit(struct cli_outfile *f, char *err, size_t errlen)
{
	int rc = 0;

	if (f->tmp != NULL && rename(f->tmp, f->path) != 0) {
		rc = img_errf(err, errlen, neg_errno(), "cannot write '%s': %s", f->path,
			      strerror(errno));
		unlink(f->tmp);
	}
	free(f->tmp);
	f->tmp = NULL;
	return rc;
}

void cli_outfile_discard(struct cli_outfile *f)
{
	if (f->tmp != NULL)
		unlink(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
}

int cli_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	struct cli_outfile f = {.path = path};
	int rc = cli_outfile_write(&f, data, len, err, errlen);

	return rc != 0 ? rc : cli_outfile_commit(&f, err, errlen);
}

int cli_load_key(const char *cmd, const char *path, struct imgkey *k)
{
	char err[512];
	int rc;

	imgkey_init(k);
	rc = imgkey_load_file(k, path, err, sizeof(err));
	if (rc != 0) {
		cli_fail(cmd, "%s", err);
		imgkey_free(k);
	}
	return rc;
}

FILE *cli_open_out(const char *cmd, const char *out)
{
	FILE *f;

	if (out == NULL)
		return stdout;
	f = fopen(out, "wb");
	if (f == NULL)
		cli_fail(cmd, "cannot create '%s': %s", out, strerror(errno));
	return f;
}

int cli_close_out(const char *cmd, FILE *f)
{
	int err;

	if (f == stdout)
		return 0;
	err = ferror(f);
	return fclose(f) == 0 && !err ? 0 : cli_fail(cmd, "cannot write output");
}

/* ---- an image file -------------------------------------------------------------- */

int cli_check_image_arg(const char *cmd, int argc, char **argv)
{
	if (argc - optind != 1)
		return cli_usage_err(cmd, "expected one IMAGE file");
	if (cli_has_hex_ext(argv[optind]))
		return cli_usage_err(cmd, "Intel hex files are not supported; use a raw binary");
	return CLI_CONTINUE;
}

int cli_image_load(const char *cmd, const char *path, struct cli_image *im)
{
	char err[512];

	memset(im, 0, sizeof(*im));
	if (cli_read_file(path, &im->buf, &im->len, err, sizeof(err)) != 0)
		return cli_fail(cmd, "%s", err);
	im->mb.data = im->buf;
	im->mb.len = (uint32_t)im->len;
	im->src.read = dfukit_image_membuf_read;
	im->src.ctx = &im->mb;
	im->src.slot_size = (uint32_t)im->len;
	return CLI_CONTINUE;
}

void cli_image_free(struct cli_image *im)
{
	free(im->buf);
	memset(im, 0, sizeof(*im));
}
