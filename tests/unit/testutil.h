/* Helpers shared by the Criterion unit tests. */
#ifndef ZCRYPTFS_TESTUTIL_H
#define ZCRYPTFS_TESTUTIL_H

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The folder of known-answer vectors (ZC_VECTORS, set by the Makefile). */
static inline const char *tu_vectors_dir(void)
{
	const char *d = getenv("ZC_VECTORS");
	cr_assert(d && *d, "ZC_VECTORS is not set: run the tests through make");
	return d;
}

static inline void tu_vector_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tu_vectors_dir(), name);
}

/* A fresh empty directory under /tmp; removed by tu_rmdir_r. */
static inline void tu_mkdtemp(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/zc-unit-XXXXXX");
	cr_assert(mkdtemp(buf) != NULL, "mkdtemp");
}

static inline void tu_rmdir_r(const char *dir)
{
	char cmd[PATH_MAX + 16];
	if (!dir || strncmp(dir, "/tmp/zc-unit-", 13) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Hex string to bytes; returns the byte count or -1. */
static inline long tu_unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = strlen(hex);
	while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r' || hex[n - 1] == ' '))
		n--;
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return (long)(n / 2);
}

#endif
