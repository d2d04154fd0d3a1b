/*
 * zc_io: performs one system call scenario on a file and prints "ok [value]"
 * or the errno's name, so that the shell end-to-end tests can assert the
 * exact errno of each zonefs rule (SPEC §5). Data written comes from a
 * pattern that depends only on a seed and the byte's file offset, so any
 * later read can be checked without keeping a copy.
 *
 *   zc_io write FILE OFF LEN [direct] [append] [rwf_append] [seed=N] [bs=N] [rdwr]
 *   zc_io read FILE OFF LEN [direct] [verify] [seed=N]
 *   zc_io pattern OFF LEN [seed=N]          (the pattern on stdout)
 *   zc_io open FILE FLAG[,FLAG...]          (rdonly wronly rdwr trunc append creat excl direct)
 *   zc_io truncate FILE SIZE | ftruncate FILE SIZE
 *   zc_io getxattr FILE NAME | setxattr FILE NAME VALUE | listxattr FILE
 *   zc_io mkdir|mknod|unlink|rmdir|create|stat PATH
 *   zc_io link|symlink|rename OLD NEW
 *   zc_io chmod PATH OCTAL | chown PATH UID GID | utimes PATH SECONDS
 *   zc_io fsync FILE
 *   zc_io mmap-write FILE
 *   zc_io append-threads FILE NTHREADS NWRITES BS   (appends after what is there)
 *   zc_io hold-open FILE FLAGS SECONDS      (opens, prints ok, sleeps, closes)
 *   zc_io tail-open FILE LEN BACKING [fsync] [seed=N]
 *
 * tail-open appends LEN bytes with a buffered O_APPEND write and reports, from
 * this one process (a forked child closing an inherited descriptor would make
 * FUSE flush the tail), the sizes seen while the descriptor is open, the
 * backing zone file's size then, and the size after fsync (optional) and close.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ALIGN 4096

static const char *errname(int e)
{
	static char other[32];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(other, sizeof(other), "ERRNO%d", e);
	return other;
}

static int fail(int e)
{
	printf("%s\n", errname(e));
	return 1;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The byte at file offset pos of the pattern for seed. */
static uint8_t pattern_byte(uint64_t seed, uint64_t pos)
{
	return (uint8_t)(mix((seed << 40) ^ (pos >> 3)) >> ((pos & 7) * 8));
}

static void fill_pattern(uint8_t *buf, size_t len, uint64_t seed, uint64_t pos)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(seed, pos + i);
}

static void *aligned_buf(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, ALIGN, len ? len : 1)) {
		fprintf(stderr, "zc_io: out of memory\n");
		exit(2);
	}
	return p;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "zc_io: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* Options after the positional arguments: words and name=value pairs. */
struct opts {
	int direct, append, rwf_append, verify, rdwr;
	uint64_t seed, bs;
};

static void parse_opts(struct opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "direct"))
			o->direct = 1;
		else if (!strcmp(a, "append"))
			o->append = 1;
		else if (!strcmp(a, "rwf_append"))
			o->rwf_append = 1;
		else if (!strcmp(a, "verify"))
			o->verify = 1;
		else if (!strcmp(a, "rdwr"))
			o->rdwr = 1;
		else if (!strncmp(a, "seed=", 5))
			o->seed = num(a + 5);
		else if (!strncmp(a, "bs=", 3))
			o->bs = num(a + 3);
		else {
			fprintf(stderr, "zc_io: unknown option %s\n", a);
			exit(2);
		}
	}
}

static int parse_flags(const char *list)
{
	static const struct { const char *name; int flag; } names[] = {
		{ "rdonly", O_RDONLY }, { "wronly", O_WRONLY }, { "rdwr", O_RDWR },
		{ "trunc", O_TRUNC }, { "append", O_APPEND }, { "creat", O_CREAT },
		{ "excl", O_EXCL }, { "direct", O_DIRECT },
	};
	char *copy = strdup(list), *save = NULL;
	int flags = 0;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(t, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "zc_io: unknown open flag %s\n", t);
			exit(2);
		}
		flags |= names[i].flag;
	}
	free(copy);
	return flags;
}

/*
 * Writes LEN bytes of the pattern in bs-sized calls. With append or
 * rwf_append the pattern offset follows the file size seen before each call,
 * so that what lands in the file is still the pattern at its own offset.
 */
static int cmd_write(const char *file, uint64_t off, uint64_t len, struct opts *o)
{
	int flags = (o->rdwr ? O_RDWR : O_WRONLY) | (o->direct ? O_DIRECT : 0) | (o->append ? O_APPEND : 0);
	uint64_t bs = o->bs ? o->bs : (len ? len : 1), done = 0;
	uint8_t *buf = aligned_buf(bs);
	int fd = open(file, flags);

	if (fd < 0)
		return fail(errno);
	do {
		size_t n = (size_t)(len - done < bs ? len - done : bs);
		uint64_t at = off + done;
		struct iovec iov = { buf, n };
		ssize_t r;

		if (o->append || o->rwf_append) {
			struct stat st;

			if (fstat(fd, &st))
				return fail(errno);
			at = (uint64_t)st.st_size;
		}
		fill_pattern(buf, n, o->seed, at);
		if (o->rwf_append)
			r = pwritev2(fd, &iov, 1, (off_t)(off + done), RWF_APPEND);
		else
			r = pwrite(fd, buf, n, (off_t)at);
		if (r < 0) {
			int e = errno;

			if (done)
				printf("%s after %" PRIu64 "\n", errname(e), done);
			else
				printf("%s\n", errname(e));
			close(fd);
			return 1;
		}
		done += (uint64_t)r;
		if ((size_t)r < n)
			break;
	} while (done < len);
	if (close(fd))
		return fail(errno);
	printf("ok %" PRIu64 "\n", done);
	return 0;
}

static int cmd_read(const char *file, uint64_t off, uint64_t len, struct opts *o)
{
	uint8_t *buf = aligned_buf(len);
	int fd = open(file, O_RDONLY | (o->direct ? O_DIRECT : 0));
	uint64_t done = 0;

	if (fd < 0)
		return fail(errno);
	while (done < len) {
		ssize_t r = pread(fd, buf + done, len - done, (off_t)(off + done));

		if (r < 0)
			return fail(errno);
		if (r == 0)
			break;
		done += (uint64_t)r;
	}
	close(fd);
	if (o->verify)
		for (uint64_t i = 0; i < done; i++)
			if (buf[i] != pattern_byte(o->seed, off + i)) {
				printf("mismatch at %" PRIu64 "\n", off + i);
				return 1;
			}
	printf("ok %" PRIu64 "\n", done);
	return 0;
}

static int cmd_pattern(uint64_t off, uint64_t len, struct opts *o)
{
	uint8_t buf[65536];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

		fill_pattern(buf, n, o->seed, off);
		if (fwrite(buf, 1, n, stdout) != n)
			return 2;
		off += n;
		len -= n;
	}
	return 0;
}

static int cmd_open(const char *file, const char *flags, unsigned hold)
{
	int fd = open(file, parse_flags(flags), 0644);

	if (fd < 0)
		return fail(errno);
	if (hold) {
		printf("ok\n");
		fflush(stdout);
		sleep(hold);
	}
	if (close(fd))
		return fail(errno);
	if (!hold)
		printf("ok\n");
	return 0;
}

static int cmd_fsync(const char *file)
{
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return fail(errno);
	if (fsync(fd))
		return fail(errno);
	close(fd);
	printf("ok\n");
	return 0;
}

static int result(int r)
{
	if (r)
		return fail(errno);
	printf("ok\n");
	return 0;
}

static int cmd_getxattr(const char *file, const char *name)
{
	char buf[256];
	ssize_t n = getxattr(file, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return fail(errno);
	buf[n] = 0;
	printf("ok %s\n", buf);
	return 0;
}

static int cmd_listxattr(const char *file)
{
	char buf[4096];
	ssize_t n = listxattr(file, buf, sizeof(buf));

	if (n < 0)
		return fail(errno);
	printf("ok");
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		printf(" %s", buf + i);
	printf("\n");
	return 0;
}

/*
 * Changes the first page through a shared mapping and asks for write-back:
 * prints the first error of msync or fsync (a sequential zone must refuse).
 */
static int cmd_mmap_write(const char *file)
{
	int fd = open(file, O_RDWR);
	uint8_t *p;
	int e = 0;

	if (fd < 0)
		return fail(errno);
	p = mmap(NULL, ALIGN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail(errno);
	for (int i = 0; i < 16; i++)
		p[i] ^= 0xff;
	if (msync(p, ALIGN, MS_SYNC))
		e = errno;
	munmap(p, ALIGN);
	if (fsync(fd) && !e)
		e = errno;
	if (close(fd) && !e)
		e = errno;
	if (e)
		return fail(e);
	printf("ok\n");
	return 0;
}

/* Each block of append-threads starts with this header, then its fill byte. */
struct blk_hdr {
	uint32_t magic, thread, seq, pad;
};
#define BLK_MAGIC 0x7a63696fU

struct appender {
	const char *file;
	unsigned id, nwrites;
	size_t bs;
	int err;
	unsigned done;
};

static uint8_t blk_fill(unsigned thread, unsigned seq)
{
	return (uint8_t)(thread * 31 + seq * 7 + 1);
}

static void *appender_run(void *arg)
{
	struct appender *a = arg;
	uint8_t *buf = aligned_buf(a->bs);
	int fd = open(a->file, O_WRONLY | O_DIRECT | O_APPEND);

	if (fd < 0) {
		a->err = errno;
		return NULL;
	}
	for (unsigned s = 0; s < a->nwrites; s++) {
		struct blk_hdr h = { BLK_MAGIC, a->id, s, 0 };
		ssize_t r;

		memset(buf, blk_fill(a->id, s), a->bs);
		memcpy(buf, &h, sizeof(h));
		r = write(fd, buf, a->bs);
		if (r != (ssize_t)a->bs) {
			a->err = r < 0 ? errno : EIO;
			break;
		}
		a->done++;
	}
	close(fd);
	free(buf);
	return NULL;
}

static int check_blocks(const char *file, uint64_t start, unsigned nthreads, unsigned nwrites, size_t bs)
{
	uint8_t *buf = aligned_buf(bs);
	unsigned *next = calloc(nthreads, sizeof(*next));
	int fd = open(file, O_RDONLY);
	uint64_t total = (uint64_t)nthreads * nwrites;

	if (fd < 0 || !next)
		return fail(errno);
	for (uint64_t b = 0; b < total; b++) {
		struct blk_hdr h;

		if (pread(fd, buf, bs, (off_t)(start + b * bs)) != (ssize_t)bs) {
			printf("short read at block %" PRIu64 "\n", b);
			return 1;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.magic != BLK_MAGIC || h.thread >= nthreads || h.seq != next[h.thread]) {
			printf("block %" PRIu64 ": bad header (thread %u seq %u)\n", b, h.thread, h.seq);
			return 1;
		}
		for (size_t i = sizeof(h); i < bs; i++)
			if (buf[i] != blk_fill(h.thread, h.seq)) {
				printf("block %" PRIu64 ": torn at byte %zu\n", b, i);
				return 1;
			}
		next[h.thread]++;
	}
	close(fd);
	free(next);
	free(buf);
	return 0;
}

/* Splits the threads' work from the checks so that every exit frees. */
static int run_appenders(const char *file, struct appender *a, pthread_t *t, unsigned nthreads,
			 unsigned nwrites, size_t bs)
{
	uint64_t want = (uint64_t)nthreads * nwrites * bs, start;
	struct stat st;

	if (stat(file, &st))
		return fail(errno);
	start = (uint64_t)st.st_size;
	for (unsigned i = 0; i < nthreads; i++) {
		a[i] = (struct appender){ .file = file, .id = i, .nwrites = nwrites, .bs = bs };
		if (pthread_create(&t[i], NULL, appender_run, &a[i]))
			return fail(EAGAIN);	/* earlier threads end with the process */
	}
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	for (unsigned i = 0; i < nthreads; i++)
		if (a[i].err) {
			printf("%s in thread %u after %u writes\n", errname(a[i].err), i, a[i].done);
			return 1;
		}
	if (stat(file, &st))
		return fail(errno);
	if ((uint64_t)st.st_size != start + want) {
		printf("size %jd, expected %" PRIu64 "\n", (intmax_t)st.st_size, start + want);
		return 1;
	}
	if (check_blocks(file, start, nthreads, nwrites, bs))
		return 1;
	printf("ok %" PRIu64 "\n", want);
	return 0;
}

static int cmd_append_threads(const char *file, unsigned nthreads, unsigned nwrites, size_t bs)
{
	struct appender *a = calloc(nthreads, sizeof(*a));
	pthread_t *t = calloc(nthreads, sizeof(*t));
	int r = a && t && bs >= sizeof(struct blk_hdr) ? run_appenders(file, a, t, nthreads, nwrites, bs)
						       : fail(EINVAL);

	free(a);
	free(t);
	return r;
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/* Reads the whole file through a read-only descriptor and compares it with
 * the pattern up to end, zeros after it; returns the length read or -1. */
static int64_t check_content(const char *file, uint64_t base, uint64_t end, uint64_t seed)
{
	uint8_t buf[4096];
	int fd = open(file, O_RDONLY);
	uint64_t pos = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++, pos++) {
			uint8_t want = pos < base ? buf[i] : pos < end ? pattern_byte(seed, pos) : 0;

			if (buf[i] != want) {
				close(fd);
				printf("content differs at %" PRIu64 "\n", pos);
				return -1;
			}
		}
	}
	close(fd);
	return r < 0 ? -1 : (int64_t)pos;
}

static int cmd_tail_open(const char *file, uint64_t len, const char *backing, struct opts *o, int do_fsync)
{
	uint8_t *buf = aligned_buf(len);
	int fd = open(file, O_WRONLY | O_APPEND);
	off_t base, open_size, back, synced = -1, closed;
	int64_t seen;

	if (fd < 0)
		return fail(errno);
	base = size_of(file);
	fill_pattern(buf, len, o->seed, (uint64_t)base);
	if (write(fd, buf, len) != (ssize_t)len)
		return fail(errno);
	open_size = size_of(file);
	back = size_of(backing);
	seen = check_content(file, (uint64_t)base, (uint64_t)base + len, o->seed);
	if (seen < 0)
		return 1;
	if (do_fsync) {
		if (fsync(fd))
			return fail(errno);
		synced = size_of(file);
	}
	if (close(fd))
		return fail(errno);
	closed = size_of(file);
	if (check_content(file, (uint64_t)base, (uint64_t)base + len, o->seed) != closed)
		return 1;
	printf("ok open=%jd read=%jd backing=%jd synced=%jd closed=%jd\n", (intmax_t)open_size,
	       (intmax_t)seen, (intmax_t)back, (intmax_t)synced, (intmax_t)closed);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: zc_io COMMAND FILE ... (see the comment at the top of zc_io.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o;
	const char *cmd, *f;

	if (argc < 3)
		return usage();
	cmd = argv[1];
	f = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "write") && argc >= 5) {
		parse_opts(&o, argc - 5, argv + 5);
		return cmd_write(f, num(argv[3]), num(argv[4]), &o);
	}
	if (!strcmp(cmd, "read") && argc >= 5) {
		parse_opts(&o, argc - 5, argv + 5);
		return cmd_read(f, num(argv[3]), num(argv[4]), &o);
	}
	if (!strcmp(cmd, "pattern") && argc >= 4) {
		parse_opts(&o, argc - 4, argv + 4);
		return cmd_pattern(num(argv[2]), num(argv[3]), &o);
	}
	if (!strcmp(cmd, "tail-open") && argc >= 5) {
		int do_fsync = argc >= 6 && !strcmp(argv[5], "fsync");

		parse_opts(&o, argc - 5 - do_fsync, argv + 5 + do_fsync);
		return cmd_tail_open(f, num(argv[3]), argv[4], &o, do_fsync);
	}
	if (!strcmp(cmd, "open") && argc == 4)
		return cmd_open(f, argv[3], 0);
	if (!strcmp(cmd, "hold-open") && argc == 5)
		return cmd_open(f, argv[3], (unsigned)num(argv[4]));
	if (!strcmp(cmd, "truncate") && argc == 4)
		return result(truncate(f, (off_t)num(argv[3])));
	if (!strcmp(cmd, "ftruncate") && argc == 4) {
		int fd = open(f, O_WRONLY);

		if (fd < 0)
			return fail(errno);
		return result(ftruncate(fd, (off_t)num(argv[3])));
	}
	if (!strcmp(cmd, "getxattr") && argc == 4)
		return cmd_getxattr(f, argv[3]);
	if (!strcmp(cmd, "setxattr") && argc == 5)
		return result(setxattr(f, argv[3], argv[4], strlen(argv[4]), 0));
	if (!strcmp(cmd, "listxattr") && argc == 3)
		return cmd_listxattr(f);
	if (!strcmp(cmd, "mkdir") && argc == 3)
		return result(mkdir(f, 0755));
	if (!strcmp(cmd, "mknod") && argc == 3)
		return result(mknod(f, S_IFREG | 0644, 0));
	if (!strcmp(cmd, "create") && argc == 3) {
		int fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0644);

		return result(fd < 0 ? -1 : close(fd));
	}
	if (!strcmp(cmd, "unlink") && argc == 3)
		return result(unlink(f));
	if (!strcmp(cmd, "rmdir") && argc == 3)
		return result(rmdir(f));
	if (!strcmp(cmd, "stat") && argc == 3) {
		struct stat st;

		return result(stat(f, &st));
	}
	if (!strcmp(cmd, "link") && argc == 4)
		return result(link(f, argv[3]));
	if (!strcmp(cmd, "symlink") && argc == 4)
		return result(symlink(f, argv[3]));
	if (!strcmp(cmd, "rename") && argc == 4)
		return result(rename(f, argv[3]));
	if (!strcmp(cmd, "chmod") && argc == 4)
		return result(chmod(f, (mode_t)strtoul(argv[3], NULL, 8)));
	if (!strcmp(cmd, "chown") && argc == 5)
		return result(chown(f, (uid_t)num(argv[3]), (gid_t)num(argv[4])));
	if (!strcmp(cmd, "utimes") && argc == 4) {
		struct timeval tv[2] = { { (time_t)num(argv[3]), 0 }, { (time_t)num(argv[3]), 0 } };

		return result(utimes(f, tv));
	}
	if (!strcmp(cmd, "fsync") && argc == 3)
		return cmd_fsync(f);
	if (!strcmp(cmd, "mmap-write") && argc == 3)
		return cmd_mmap_write(f);
	if (!strcmp(cmd, "append-threads") && argc == 6)
		return cmd_append_threads(f, (unsigned)num(argv[3]), (unsigned)num(argv[4]), (size_t)num(argv[5]));
	return usage();
}
