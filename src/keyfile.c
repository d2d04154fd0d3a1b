/*
 * Key file reading as cryptsetup plain's --key-file does it, plus key
 * hygiene: locked memory, wiping, no key bytes in any message.
 */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t page_round(size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t p = pg > 0 ? (size_t)pg : 4096;

	return (len + p - 1) / p * p;
}

/*
 * Pages of its own, so that mlock and MADV_DONTDUMP cover nothing else and
 * munlock cannot unlock a neighbour's memory. *locked tells whether mlock
 * worked: it fails for unprivileged users past RLIMIT_MEMLOCK.
 */
static void *secure_alloc(size_t len, int *locked)
{
	size_t sz = page_round(len ? len : 1);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	*locked = mlock(p, sz) == 0;
	(void)madvise(p, sz, MADV_DONTDUMP);
	return p;
}

void *zc_secure_alloc(size_t len)
{
	int locked;

	/* An mlock failure here is not reported: see keyfile.h. */
	return secure_alloc(len, &locked);
}

void zc_secure_free(void *p, size_t len)
{
	size_t sz = page_round(len ? len : 1);

	if (!p)
		return;
	explicit_bzero(p, sz);
	(void)munlock(p, sz);
	munmap(p, sz);
}

void zc_key_wipe(struct zc_key *key)
{
	if (!key)
		return;
	zc_secure_free(key->bytes, key->len);
	key->bytes = NULL;
	key->len = 0;
}

int zc_set_nondumpable(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -errno;
}

/* Warnings accumulate on one line, separated by "; ". */
__attribute__((format(printf, 3, 4)))
static void add_warning(char *warn, size_t warnlen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!warn || !warnlen)
		return;
	used = strnlen(warn, warnlen);
	if (used + 3 >= warnlen)
		return;
	if (used) {
		memcpy(warn + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(warn + used, warnlen - used, fmt, ap);
	va_end(ap);
}

/* Reads exactly len bytes unless the file ends first; returns bytes or -errno. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* A pipe cannot seek: the offset bytes are read and thrown away, as cryptsetup does. */
static int skip_bytes(int fd, int is_fifo, uint64_t offset)
{
	uint8_t junk[4096];

	if (!is_fifo)
		return lseek(fd, (off_t)offset, SEEK_SET) < 0 ? -errno : 1;
	while (offset) {
		size_t n = offset < sizeof(junk) ? (size_t)offset : sizeof(junk);
		ssize_t r = read_full(fd, junk, n);

		if (r < 0)
			return (int)r;
		if ((size_t)r < n) {
			explicit_bzero(junk, sizeof(junk));
			return 0;
		}
		offset -= n;
	}
	explicit_bzero(junk, sizeof(junk));
	return 1;
}

static int check_type(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (S_ISDIR(st->st_mode)) {
		snprintf(err, errlen, "key file %s is a directory: give the path of a file", path);
		return -EISDIR;
	}
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		snprintf(err, errlen, "key file %s is not a regular file or a named pipe", path);
		return -EINVAL;
	}
	return 0;
}

static int read_key(int fd, const char *path, int is_fifo, uint64_t offset, struct zc_key *key,
		    char *err, size_t errlen)
{
	int r = offset ? skip_bytes(fd, is_fifo, offset) : 1;
	ssize_t got = 0;

	if (r > 0)
		got = read_full(fd, key->bytes, key->len);
	if (r < 0 || got < 0) {
		int e = r < 0 ? r : (int)got;

		snprintf(err, errlen, "key file %s: cannot read: %s", path, strerror(-e));
		return e;
	}
	if (r == 0 || (size_t)got < key->len) {
		snprintf(err, errlen,
			 "key file %s: Cannot read requested amount of data "
			 "(%zu bytes at offset %llu; the file is shorter)",
			 path, key->len, (unsigned long long)offset);
		return -EINVAL;
	}
	return 0;
}

int zc_key_read(const char *path, uint64_t offset, size_t len, struct zc_key *key,
		char *err, size_t errlen, char *warn, size_t warnlen)
{
	struct stat st;
	int fd, r, locked = 0;

	key->bytes = NULL;
	key->len = 0;
	if (warn && warnlen)
		warn[0] = '\0';
	if (stat(path, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "key file %s: %s", path,
			 r == -ENOENT ? "does not exist" : strerror(-r));
		return r;
	}
	/* Checked before open: opening a FIFO blocks until a writer comes. */
	r = check_type(path, &st, err, errlen);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "key file %s cannot be opened: %s", path, strerror(-r));
		return r;
	}
	/* The path may have been swapped between stat and open. */
	if (fstat(fd, &st) < 0 || (r = check_type(path, &st, err, errlen)) < 0) {
		r = r < 0 ? r : -errno;
		close(fd);
		return r;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		add_warning(warn, warnlen,
			    "key file %s is readable by group or others: run chmod 600 %s", path, path);
	key->bytes = secure_alloc(len, &locked);
	if (!key->bytes) {
		close(fd);
		snprintf(err, errlen, "key file %s: out of memory for the key", path);
		return -ENOMEM;
	}
	key->len = len;
	if (!locked)
		add_warning(warn, warnlen,
			    "key memory for %s could not be locked (RLIMIT_MEMLOCK, see ulimit -l): "
			    "the key may reach swap", path);
	r = read_key(fd, path, S_ISFIFO(st.st_mode), offset, key, err, errlen);
	close(fd);
	if (r < 0)
		zc_key_wipe(key);
	return r;
}
