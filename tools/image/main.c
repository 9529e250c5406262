/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-image: host tool compatible with MCUboot's imgtool for keygen,
 * getpub, getpubhash, getpriv, sign, verify and dumpinfo on raw binary images.
 * This file picks the command; each command group has its own file
 * (cmd_keys.c, cmd_sign.c, cmd_verify.c, cmd_dumpinfo.c), sharing cli.c.
 *
 * Exit status: 0 success, 1 failure (bad image, bad key, I/O), 2 usage error
 * (like imgtool/click).  Every error is a single line on stderr, except
 * verify's result which goes to stdout exactly like imgtool.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char version_help[] =
	"Usage: dfukit-image version\n"
	"\n"
	"  Print dfukit's version (imgtool's 'version' prints imgtool's).\n"
	"\n"
	"Options:\n"
	"  -h, --help   this help\n";

static int cmd_version(int argc, char **argv)
{
	int rc = cli_parse_help_only("version", version_help, argc, argv);

	if (rc != CLI_CONTINUE)
		return rc;
	if (optind != argc)
		return cli_usage_err("version", "unexpected argument '%s'", argv[optind]);
	printf("dfukit %s\n", DFUKIT_VERSION);
	return 0;
}

static const char main_help[] =
	"Usage: dfukit-image COMMAND [OPTIONS] ...\n"
	"\n"
	"  MCUboot image tool (imgtool compatible subset), raw binaries only.\n"
	"\n"
	"Commands:\n"
	"  keygen      generate a private key (rsa-2048, ecdsa-p256, ed25519, x25519)\n"
	"  getpub      print the public key (lang-c, pem, raw)\n"
	"  getpubhash  print the SHA-256 of the public key (lang-c, raw)\n"
	"  getpriv     print the private key as a C array (openssl, pkcs8)\n"
	"  sign        create a signed image (alias: create)\n"
	"  verify      check an image (--decrypt KEY: an encrypted one)\n"
	"  decrypt     write an encrypted image's decrypted body\n"
	"  dumpinfo    print the image structure (human, yaml, json)\n"
	"  version     print dfukit's version (also --version)\n"
	"\n"
	"'dfukit-image COMMAND --help' describes each command.\n"
	"Exit status: 0 success; 1 failure (bad image, bad key, I/O, including output\n"
	"that cannot be written); 2 usage error, or an imgtool option or command that\n"
	"dfukit does not support yet.\n"
	"Keys: rsa-2048, ecdsa-p256, ed25519 (libsodium; sign --pure: Ed25519 over the image\n"
	"itself, as imgtool --pure and MCUboot's MCUBOOT_SIGN_PURE).\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"keygen", cmd_keygen},   {"getpub", cmd_getpub},     {"getpubhash", cmd_getpubhash},
	{"getpriv", cmd_getpriv}, {"sign", cmd_sign},         {"create", cmd_sign},
	{"verify", cmd_verify},   {"dumpinfo", cmd_dumpinfo}, {"version", cmd_version},
	{"decrypt", cmd_decrypt},
};

static int run_command(const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		cli_show_help(main_help, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cmd = "version";
	optind = 1;
	opterr = 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc, argv);
	if (strcmp(cmd, "keyinfo") == 0) {
		fprintf(stderr, "%s: '%s' is not supported yet: %s\n", cli_prog(), cmd,
			"dfukit does not classify key files (use 'dfukit image getpub')");
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s: error: unknown command '%s' (try '%s --help')\n", cli_prog(), cmd,
		cli_prog());
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int rc;

	cli_set_prog(argv[0]);
	if (argc < 2) {
		cli_show_help(main_help, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	rc = run_command(cmd, argc - 1, argv + 1);
	return cli_check_stdout(cmd[0] == '-' || strcmp(cmd, "help") == 0 ? NULL : cmd, rc);
}
