/*
 * libFuzzer: any zcryptfs-state file beside the zone files of a valid emulated
 * device, opened through zdev as the programs open a DEVICE, then reported,
 * read and written at each write pointer, checking what zdev.h and emu.h
 * promise: sane reports, only the listed errors, writes stored only at the
 * write pointer of their own zone, open/active limits kept, and a state the
 * library leaves behind opening again unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu.h"
#include "zdev.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define NZ 8			/* 2 conventional + 6 sequential zones */
#define NCNV 2
#define ZS (2 * EMU_SIZE_UNIT)	/* above the capacity, so filling a zone extends its file */
#define CAP EMU_SIZE_UNIT
#define LB 512
#define IO 4096			/* 8 blocks, so a partial-write fault can split a write */
#define MAX_OPEN 2
#define MAX_ACTIVE 4

/*
 * Sequential zone files get these sizes back before every input, so an input
 * reproduces alone: closed (one a write short of full), empty and full, three
 * of the four active zones used, and closed zones written before empty ones so
 * that a miscount of the first shows in the active limit of the second.
 */
static const uint64_t base_size[NZ] = { ZS, ZS, 8192, 0, 65536, CAP - IO, 0, ZS };

static char dev[4096];
static int dir_fd = -1, zfd[NZ];
static struct stat fixed_st[NZ + 1];	/* conventional zones and zloop.conf: never written */
static char pat[IO] __attribute__((aligned(ZDEV_BUF_ALIGN)));

static void setup(void)
{
	struct emu_geometry g = { .zone_size = ZS, .zone_capacity = CAP, .nr_zones = NZ,
				  .nr_cnv_zones = NCNV, .lblock_size = LB,
				  .max_open = MAX_OPEN, .max_active = MAX_ACTIVE };
	const char *t = getenv("ZC_FUZZ_TMP");	/* make fuzz names a folder it removes */
	char err[512], name[32];

	/* A fresh subfolder, so a reproducer run can reuse the same ZC_FUZZ_TMP. */
	if (!t || snprintf(dev, sizeof(dev), "%s/devXXXXXX", t) >= (int)sizeof(dev) ||
	    !mkdtemp(dev) || emu_create(dev, &g, err, sizeof(err)) ||
	    (dir_fd = open(dev, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	for (int z = 0; z < NZ; z++) {
		snprintf(name, sizeof(name), "%s-%06d", z < NCNV ? "cnv" : "seq", z);
		if ((zfd[z] = openat(dir_fd, name, O_RDWR)) < 0 || fstat(zfd[z], &fixed_st[z]))
			abort();
	}
	if (fstatat(dir_fd, EMU_GEOMETRY_FILE, &fixed_st[NZ], 0))
		abort();
	memset(pat, 0xA5, sizeof(pat));
}

static uint64_t fsize(int z)
{
	struct stat st;

	CHECK(fstat(zfd[z], &st) == 0);
	return (uint64_t)st.st_size;
}

/* Report every zone, check it against the files; count open and active zones. */
static void report(struct zdev *d, struct zdev_zone *r, int *open, int *active)
{
	*open = *active = 0;
	CHECK(zdev_report(d, 0, NZ, r) == NZ);
	for (int i = 0; i < NZ; i++) {
		uint64_t s = (uint64_t)i * ZS, size = fsize(i);

		CHECK(r[i].start == s && r[i].len == ZS);
		if (i < NCNV) {
			CHECK(r[i].type == ZDEV_TYPE_CNV && r[i].capacity == ZS && r[i].wp == s);
			CHECK(r[i].cond == ZDEV_COND_NOT_WP || r[i].cond == ZDEV_COND_READONLY ||
			      r[i].cond == ZDEV_COND_OFFLINE);
			CHECK(size == ZS);
			continue;
		}
		CHECK(r[i].type == ZDEV_TYPE_SWR && r[i].capacity == CAP);
		/* The file size is the write pointer: a multiple of LB up to CAP, or ZS when full. */
		CHECK(size % LB == 0 && (size <= CAP || size == ZS));
		switch (r[i].cond) {
		case ZDEV_COND_IMP_OPEN:
		case ZDEV_COND_EXP_OPEN:
			++*open;
			/* fall through */
		case ZDEV_COND_CLOSED:
			++*active;
			CHECK(size < CAP && (size || r[i].cond != ZDEV_COND_CLOSED));
			break;
		case ZDEV_COND_EMPTY:
			CHECK(size == 0);
			break;
		case ZDEV_COND_READONLY:
			break;
		case ZDEV_COND_FULL:
			CHECK(size >= CAP && r[i].wp == s + ZS);
			continue;
		case ZDEV_COND_OFFLINE:
			CHECK(r[i].wp == s);
			continue;
		default:
			__builtin_trap();	/* not a condition */
		}
		CHECK(r[i].wp == s + size);
	}
}

/* The same zone state (report() has checked the fields that never change). */
static int same(const struct zdev_zone *x, const struct zdev_zone *y)
{
	return x->wp == y->wp && x->cond == y->cond;
}

static int same_all(const struct zdev_zone *x, const struct zdev_zone *y)
{
	for (int i = 0; i < NZ; i++)
		if (!same(&x[i], &y[i]))
			return 0;
	return 1;
}

/* Did the write of zone i leave every other zone as it was, but one implicit close? */
static void others_kept(const struct zdev_zone *a, const struct zdev_zone *b, int i)
{
	int closed = 0;

	for (int j = 0; j < NZ; j++) {
		if (j == i || same(&a[j], &b[j]))
			continue;
		CHECK(!closed++ && a[j].cond == ZDEV_COND_IMP_OPEN && a[j].wp == b[j].wp &&
		      b[j].cond == (b[j].wp > b[j].start ? ZDEV_COND_CLOSED : ZDEV_COND_EMPTY));
	}
}

/* Stored bytes of zone i from offset wp: the pattern, in the zone's own file. */
static void stored_ok(int i, uint64_t wp, uint64_t n)
{
	static char buf[IO];

	CHECK(n <= IO && n % LB == 0);
	CHECK(pread(zfd[i], buf, n, (off_t)(wp - (uint64_t)i * ZS)) == (ssize_t)n);
	CHECK(!memcmp(buf, pat, n));
}

/* A write off the write pointer, then one at it, to sequential zone i. */
static void write_zone(struct zdev *d, struct zdev_zone *a, int *open, int *active, int i)
{
	struct zdev_zone b[NZ];
	uint64_t s = a[i].start, wp = a[i].wp, end;
	uint8_t c = a[i].cond;
	int ob, ab;
	ssize_t r;

	/* Never stored anywhere (a pending fail-writes fault may be used up). */
	CHECK(zdev_pwrite(d, pat, IO, wp == s ? s + LB : s) == -EIO);
	report(d, b, &ob, &ab);
	CHECK(same_all(a, b));
	if (wp + IO > s + ZS)
		return;		/* full: its write pointer is the next zone's start */
	r = zdev_pwrite(d, pat, IO, wp);
	report(d, b, &ob, &ab);
	others_kept(a, b, i);
	/* What reached the zone: up to the new write pointer, or the capacity once full. */
	end = b[i].cond == ZDEV_COND_FULL ? s + CAP : b[i].wp;
	if (c == ZDEV_COND_READONLY || c == ZDEV_COND_OFFLINE) {
		CHECK(r == -EIO && same(&a[i], &b[i]));
	} else if (r == IO || r == -EIO) {
		CHECK(end >= wp);
		stored_ok(i, wp, end - wp);
		CHECK(r == -EIO || (end - wp == IO && (c != ZDEV_COND_EMPTY || *active < MAX_ACTIVE)));
		CHECK(end == wp || b[i].cond == ZDEV_COND_FULL || b[i].cond == ZDEV_COND_IMP_OPEN ||
		      (b[i].cond == ZDEV_COND_EXP_OPEN && c == ZDEV_COND_EXP_OPEN));
	} else if (r == -EOVERFLOW) {
		CHECK(c == ZDEV_COND_EMPTY && *active >= MAX_ACTIVE);
	} else {
		CHECK(r == -ETOOMANYREFS && *open >= MAX_OPEN);
		CHECK(c == ZDEV_COND_EMPTY || c == ZDEV_COND_CLOSED);
	}
	if (r != IO && r != -EIO)
		CHECK(same(&a[i], &b[i]));
	/* A device within its limits stays within them. */
	CHECK(*open > MAX_OPEN || ob <= MAX_OPEN);
	CHECK(*active > MAX_ACTIVE || ab <= MAX_ACTIVE);
	memcpy(a, b, sizeof(b));
	*open = ob;
	*active = ab;
}

/* Nothing but the zone files and the state file changed in the folder. */
static void files_kept(void)
{
	DIR *dp = opendir(dev);
	struct dirent *de;
	struct stat st;
	int n = 0;

	CHECK(dp != NULL);
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	CHECK(n == NZ + 2);
	for (int z = 0; z <= NZ; z++) {
		if (z >= NCNV && z < NZ)
			continue;
		CHECK((z < NZ ? fstat(zfd[z], &st) : fstatat(dir_fd, EMU_GEOMETRY_FILE, &st, 0)) == 0);
		CHECK(st.st_ino == fixed_st[z].st_ino && st.st_size == fixed_st[z].st_size &&
		      !memcmp(&st.st_mtim, &fixed_st[z].st_mtim, sizeof(st.st_mtim)));
	}
}

/* The state file as the open device sees it (it is mapped shared). */
static ssize_t state_bytes(uint8_t *buf)
{
	int fd = openat(dir_fd, EMU_STATE_FILE, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, 4096, 0);

	CHECK(n > 0 && n < 4096);
	close(fd);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[IO] __attribute__((aligned(ZDEV_BUF_ALIGN)));
	static uint8_t state[2][4096];
	struct zdev_zone a[NZ], again[NZ];
	struct zdev *d;
	char err[512];
	int fd, open, active, o2, a2, ret;
	ssize_t n;

	if (dir_fd < 0)
		setup();
	for (int z = NCNV; z < NZ; z++)	/* through 0: drop anything written */
		if (ftruncate(zfd[z], 0) || ftruncate(zfd[z], (off_t)base_size[z]))
			abort();
	fd = openat(dir_fd, EMU_STATE_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	err[0] = 0;
	ret = zdev_open(dev, 0, &d, err, sizeof(err));
	if (ret) {
		CHECK(ret < 0 && err[0] && !d);	/* a refusal always says why */
		files_kept();
		return 0;
	}
	CHECK(zdev_info(d)->nr_zones == NZ && zdev_info(d)->zone_size == ZS);
	report(d, a, &open, &active);
	for (int z = NCNV; z < NZ; z++)	/* opening never moves a write pointer */
		CHECK(fsize(z) == base_size[z]);
	/* Every zone reads as zeros at its write pointer, or fails with EIO. */
	for (int z = 0; z < NZ; z++) {
		uint64_t off = a[z].wp + IO <= a[z].start + ZS ? a[z].wp : a[z].start + ZS - IO;
		ssize_t r = zdev_pread(d, buf, IO, off);

		CHECK(r == -EIO || (r == IO && buf[0] == 0 && !memcmp(buf, buf + 1, IO - 1)));
	}
	for (int z = NCNV; z < NZ; z++)
		write_zone(d, a, &open, &active, z);
	n = state_bytes(state[0]);
	zdev_close(d);
	/*
	 * What the library leaves, it opens again, seeing the same zones; and as
	 * opening rebuilds the open/closed counts, a state file it kept right
	 * comes out of that byte for byte the same.
	 */
	CHECK(zdev_open(dev, 0, &d, err, sizeof(err)) == 0);
	report(d, again, &o2, &a2);
	CHECK(same_all(a, again));
	CHECK(state_bytes(state[1]) == n && !memcmp(state[0], state[1], (size_t)n));
	zdev_close(d);
	files_kept();
	return 0;
}
