/* libFuzzer: any -o list, as zcryptfs and mkzcryptfs take them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

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
	free(list);
	return 0;
}
