/* libFuzzer: any zloop.conf, read as opening an emulated device reads it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_conf.h"

static int conf_dir = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct emu_geometry g;
	if (conf_dir < 0) {
		/* make fuzz names a folder it removes afterwards. */
		const char *d = getenv("ZC_FUZZ_TMP");
		if (!d || (conf_dir = open(d, O_RDONLY | O_DIRECTORY)) < 0)
			abort();
	}
	int fd = openat(conf_dir, EMU_GEOMETRY_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	err[0] = 0;
	if (emu_conf_read(conf_dir, "fuzz", &g, err, sizeof(err)) == 0) {
		/* What is accepted obeys the geometry rules. */
		if (emu_geometry_check(&g, err, sizeof(err)))
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap();	/* a refusal always says why */
	}
	return 0;
}
