/* libFuzzer: any -o list, and any command line (words split at NUL bytes),
 * as zcryptfs and mkzcryptfs take them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* The input as argv: words separated by NUL bytes, after a program name. */
static void command_line(char *buf, size_t size)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = "zcryptfs";
	for (size_t i = 0; i < size && argc < 63; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	struct zc_cmdline cl;
	char err[256];
	err[0] = 0;
	for (int with_label = 0; with_label < 2; with_label++) {
		if (zc_cmdline_parse(&cl, argc, argv, "p", with_label ? "fv" : "fds", with_label,
				     err, sizeof(err)) == 0) {
			/* Words are the caller's, in order; flags only its letters. */
			if (cl.npos > argc - 1 || (cl.flags & ~(ZC_FLAG('f') | ZC_FLAG('v') |
							      ZC_FLAG('d') | ZC_FLAG('s'))))
				__builtin_trap();
			if (!with_label && cl.label)
				__builtin_trap();
		} else if (!err[0]) {
			__builtin_trap();	/* a refusal always says why */
		}
		zc_cmdline_free(&cl);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = malloc(size + 1), err[256], *rest = NULL;
	if (!list)
		return 0;
	memcpy(list, data, size);
	list[size] = 0;
	struct zc_mount_opts m;
	zc_mount_opts_init(&m);
	if (zc_mount_opts_parse(&m, list, &rest, err, sizeof(err)) == 0)
		(void)zc_crypto_opts_check(&m.crypto, err, sizeof(err));
	else if (!err[0])
		__builtin_trap();	/* a refusal always says why */
	zc_mount_opts_free(&m);
	free(rest);
	struct zc_format_opts f;
	zc_format_opts_init(&f);
	(void)zc_format_opts_parse(&f, list, err, sizeof(err));
	zc_format_opts_free(&f);
	command_line(list, size);
	free(list);
	return 0;
}
