/* The emulated zoned device: SPEC §6.2 rules, §6.3 faults, hostile directories. */
#include "testutil.h"
#include "emu.h"
#include "zdev.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1024 * 1024ULL)
#define ZS (1 * MiB)

static char dir[64];
static char err[512];
static unsigned char *wbuf, *rbuf;

static void setup(void)
{
	tu_mkdtemp(dir, sizeof(dir));
	cr_assert(posix_memalign((void **)&wbuf, ZDEV_BUF_ALIGN, 4 * MiB) == 0);
	cr_assert(posix_memalign((void **)&rbuf, ZDEV_BUF_ALIGN, 4 * MiB) == 0);
	for (size_t i = 0; i < 4 * MiB; i++)
		wbuf[i] = (unsigned char)(i * 7 + i / 4096);
}

static void teardown(void)
{
	free(wbuf);
	free(rbuf);
	tu_rmdir_r(dir);
}

TestSuite(emu, .init = setup, .fini = teardown);

/* A device in dir/sub: 2 conventional + 6 sequential zones of 1 MiB by default. */
static void mkdev_in(const char *sub, struct emu_geometry *g)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	cr_assert_eq(emu_create(path, g, err, sizeof(err)), 0, "emu_create: %s", err);
}

static struct zdev *opendev_in(const char *sub)
{
	char path[PATH_MAX];
	struct zdev *dev = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	cr_assert_eq(zdev_open(path, 0, &dev, err, sizeof(err)), 0, "zdev_open: %s", err);
	return dev;
}

static struct zdev *mkdev(uint32_t max_open, uint32_t max_active, uint64_t cap)
{
	struct emu_geometry g = {
		.zone_size = ZS, .zone_capacity = cap, .nr_zones = 8, .nr_cnv_zones = 2,
		.lblock_size = 4096, .max_open = max_open, .max_active = max_active,
	};

	mkdev_in("d", &g);
	return opendev_in("d");
}

static void devpath(char *buf, size_t len)
{
	snprintf(buf, len, "%s/d", dir);
}

static struct zdev_zone zone(struct zdev *dev, uint64_t z)
{
	struct zdev_zone zn;

	cr_assert_eq(zdev_report(dev, z, 1, &zn), 1);
	return zn;
}

static uint8_t cond(struct zdev *dev, uint64_t z)
{
	return zone(dev, z).cond;
}

static uint64_t wp(struct zdev *dev, uint64_t z)
{
	struct zdev_zone zn = zone(dev, z);
	return zn.wp - zn.start;
}

static long long file_size(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/d/%s", dir, name);
	cr_assert_eq(stat(path, &st), 0, "stat %s", path);
	return st.st_size;
}

static void fault(uint64_t z, enum emu_fault_kind k, uint64_t arg)
{
	char path[PATH_MAX];

	devpath(path, sizeof(path));
	cr_assert_eq(emu_fault(path, z, k, arg, err, sizeof(err)), 0, "emu_fault: %s", err);
}

static ssize_t wr(struct zdev *dev, uint64_t z, uint64_t off, size_t len)
{
	return zdev_pwrite(dev, wbuf + off, len, z * ZS + off);
}

/* ---- geometry and layout -------------------------------------------------- */

Test(emu, create_layout_and_info)
{
	struct zdev *dev = mkdev(3, 4, 0);
	const struct zdev_info *in = zdev_info(dev);
	struct zdev_zone zs[8];

	cr_assert_eq(in->zone_size, ZS);
	cr_assert_eq(in->nr_zones, 8);
	cr_assert_eq(in->nr_cnv_zones, 2);
	cr_assert_eq(in->lblock_size, 4096);
	cr_assert_eq(in->max_open, 3);
	cr_assert_eq(in->max_active, 4);
	cr_assert_str_eq(in->backend, "emulated");
	cr_assert_eq(file_size("cnv-000000"), (long long)ZS);
	cr_assert_eq(file_size("cnv-000001"), (long long)ZS);
	cr_assert_eq(file_size("seq-000002"), 0);
	cr_assert_eq(file_size("seq-000007"), 0);
	cr_assert_eq(zdev_report(dev, 0, 100, zs), 8);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(zs[i].start, i * ZS);
		cr_assert_eq(zs[i].len, ZS);
		cr_assert_eq(zs[i].type, i < 2 ? ZDEV_TYPE_CNV : ZDEV_TYPE_SWR);
		cr_assert_eq(zs[i].cond, i < 2 ? ZDEV_COND_NOT_WP : ZDEV_COND_EMPTY);
		cr_assert_eq(zs[i].wp, zs[i].start);
	}
	zdev_close(dev);
}

Test(emu, geometry_file_is_zloop_options_plus_extras)
{
	char path[PATH_MAX], line[256] = "";
	FILE *f;

	zdev_close(mkdev(0, 0, 0));
	snprintf(path, sizeof(path), "%s/d/%s", dir, EMU_GEOMETRY_FILE);
	f = fopen(path, "r");
	cr_assert(f);
	cr_assert(fgets(line, sizeof(line), f));
	fclose(f);
	cr_assert(strstr(line, "capacity_mb=8,"), "%s", line);
	cr_assert(strstr(line, "zone_size_mb=1,"), "%s", line);
	cr_assert(strstr(line, "conv_zones=2,"), "%s", line);
	cr_assert(strstr(line, "nr_zones=8,"), "%s", line);
}

Test(emu, create_refuses_bad_geometry_and_nonempty_dir)
{
	struct emu_geometry g = { .zone_size = 3 * MiB, .nr_zones = 8, .nr_cnv_zones = 2,
				  .lblock_size = 4096 };
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/x", dir);
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "power of two"), "%s", err);
	g.zone_size = 512 * 1024;
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), -EINVAL);
	g.zone_size = 4 * MiB;
	g.nr_cnv_zones = 8;
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), -EINVAL);
	g.nr_cnv_zones = 2;
	g.lblock_size = 1024;
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), -EINVAL);
	g.lblock_size = 512;
	g.max_open = 4;
	g.max_active = 3;
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), -EINVAL);
	g.max_open = 0;
	g.max_active = 0;
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_neq(emu_create(path, &g, err, sizeof(err)), 0);
	cr_assert(strstr(err, "not empty"), "%s", err);
}

/* ---- writes and reads (§6.2) ------------------------------------------------ */

Test(emu, seq_write_at_wp_only)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(wr(dev, 2, 0, 8192), 8192);
	cr_assert_eq(wp(dev, 2), 8192);
	cr_assert_eq(file_size("seq-000002"), 8192);
	cr_assert_eq(wr(dev, 2, 0, 4096), -EIO, "rewrite below wp");
	cr_assert_eq(wr(dev, 2, 16384, 4096), -EIO, "write beyond wp");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 4096, 2 * ZS + 8192 + 512), -EIO, "unaligned offset");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 1000, 2 * ZS + 8192), -EIO, "partial block");
	cr_assert_eq(wp(dev, 2), 8192, "failed writes change nothing");
	cr_assert_eq(wr(dev, 2, 8192, 4096), 4096);
	zdev_close(dev);
}

Test(emu, writes_never_pass_capacity_or_zone_boundary)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(zdev_pwrite(dev, wbuf, 2 * ZS, 2 * ZS), -EIO, "crosses into zone 3");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 8192, 1 * ZS + ZS - 4096), -EIO, "cnv crossing");
	cr_assert_eq(wr(dev, 2, 0, ZS), (ssize_t)ZS);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_FULL);
	cr_assert_eq(wr(dev, 2, ZS - 4096, 4096), -EIO, "full zone");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 4096, 8 * ZS), -ENOSPC, "past the device");
	zdev_close(dev);
}

Test(emu, capacity_below_zone_size)
{
	struct zdev *dev = mkdev(0, 0, 0);
	char path[PATH_MAX];

	zdev_close(dev);
	tu_rmdir_r(dir);
	tu_mkdtemp(dir, sizeof(dir));
	{
		struct emu_geometry g = { .zone_size = 4 * MiB, .zone_capacity = 3 * MiB,
					  .nr_zones = 4, .nr_cnv_zones = 1, .lblock_size = 512 };
		mkdev_in("d", &g);
	}
	devpath(path, sizeof(path));
	dev = opendev_in("d");
	cr_assert_eq(zone(dev, 1).capacity, 3 * MiB);
	cr_assert_eq(zdev_pwrite(dev, wbuf, 3 * MiB + 512, 4 * MiB), -EIO, "past capacity");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 3 * MiB, 4 * MiB), (ssize_t)(3 * MiB));
	cr_assert_eq(cond(dev, 1), ZDEV_COND_FULL);
	cr_assert_eq(zone(dev, 1).wp, 4 * MiB + 4 * MiB, "full wp at zone end, like zloop");
	cr_assert_eq(file_size("seq-000001"), (long long)(4 * MiB), "full file has the zone size");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 512, 4 * MiB + 3 * MiB), -EIO);
	cr_assert_eq(zdev_pread(dev, rbuf, 3 * MiB, 4 * MiB), (ssize_t)(3 * MiB));
	cr_assert_eq(memcmp(rbuf, wbuf, 3 * MiB), 0);
	/* 512-byte blocks: a 512-byte append is whole. */
	cr_assert_eq(zdev_pwrite(dev, wbuf, 512, 8 * MiB), 512);
	cr_assert_eq(zdev_pwrite(dev, wbuf, 512, 8 * MiB + 512), 512);
	zdev_close(dev);
	/* Reopening accepts both full sizes (capacity and zone size). */
	cr_assert_eq(truncate(strcat(path, "/seq-000001"), 3 * MiB), 0);
	dev = opendev_in("d");
	cr_assert_eq(cond(dev, 1), ZDEV_COND_FULL);
	zdev_close(dev);
}

Test(emu, reads_past_wp_are_zeros)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(wr(dev, 3, 0, 8192), 8192);
	memset(rbuf, 0xAA, 3 * 4096);
	cr_assert_eq(zdev_pread(dev, rbuf, 3 * 4096, 3 * ZS), 3 * 4096);
	cr_assert_eq(memcmp(rbuf, wbuf, 8192), 0);
	for (int i = 8192; i < 3 * 4096; i++)
		cr_assert_eq(rbuf[i], 0, "byte %d beyond wp", i);
	cr_assert_eq(zdev_pread(dev, rbuf, 100, 3 * ZS), -EINVAL, "partial block read");
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 3 * ZS + 100), -EINVAL, "unaligned read");
	/* A read may span zones, as on a block device. */
	cr_assert_eq(zdev_pread(dev, rbuf, 2 * ZS, 2 * ZS + ZS / 2), (ssize_t)(2 * ZS));
	cr_assert_eq(memcmp(rbuf + ZS / 2, wbuf, 8192), 0);
	zdev_close(dev);
}

Test(emu, conventional_zone_random_writes)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(zdev_pwrite(dev, wbuf, 8192, ZS + 65536), 8192);
	cr_assert_eq(zdev_pwrite(dev, wbuf + 8192, 4096, ZS + 4096), 4096);
	cr_assert_eq(zdev_pwrite(dev, wbuf, 8192, ZS + 65536), 8192, "overwrite");
	cr_assert_eq(zdev_pwrite(dev, wbuf, 4096, ZS + 100), -EINVAL);
	cr_assert_eq(zdev_pread(dev, rbuf, 8192, ZS + 65536), 8192);
	cr_assert_eq(memcmp(rbuf, wbuf, 8192), 0);
	cr_assert_eq(file_size("cnv-000001"), (long long)ZS);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 1), -EIO, "zone ops on cnv");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 0), -EIO);
	zdev_close(dev);
}

/* ---- state machine ------------------------------------------------------------ */

Test(emu, state_transitions)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(wr(dev, 2, 0, 4096), 4096);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_IMP_OPEN);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 2), 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_CLOSED);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 2), 0, "close of closed: no-op");
	cr_assert_eq(wr(dev, 2, 4096, 4096), 4096);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_IMP_OPEN, "write reopens implicitly");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 2), 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_EXP_OPEN);
	cr_assert_eq(wr(dev, 2, 8192, 4096), 4096);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_EXP_OPEN, "writes keep it explicitly open");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 2), 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_FULL);
	cr_assert_eq(file_size("seq-000002"), (long long)ZS);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 2), 0, "finish of full: no-op");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 2), -EIO, "open of full");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 2), -EIO, "close of full");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 2), 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_EMPTY);
	cr_assert_eq(file_size("seq-000002"), 0);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 2), -EIO, "close of empty");
	/* An open zone without data closes to empty. */
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 3), 0);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 3), 0);
	cr_assert_eq(cond(dev, 3), ZDEV_COND_EMPTY);
	/* Finish of an empty zone fills it. */
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 4), 0);
	cr_assert_eq(cond(dev, 4), ZDEV_COND_FULL);
	cr_assert_eq(zone(dev, 4).wp, 5 * ZS);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 5), 0, "reset of empty: no-op");
	zdev_close(dev);
}

Test(emu, open_states_are_shared_and_closed_zones_survive_reopen)
{
	struct zdev *a = mkdev(0, 0, 0), *b;

	cr_assert_eq(zdev_zone_op(a, ZDEV_OP_OPEN, 2), 0);
	cr_assert_eq(wr(a, 3, 0, 4096), 4096);
	b = opendev_in("d");
	cr_assert_eq(cond(b, 2), ZDEV_COND_EXP_OPEN, "a second handle sees the open state");
	cr_assert_eq(cond(b, 3), ZDEV_COND_IMP_OPEN);
	cr_assert_eq(zdev_zone_op(b, ZDEV_OP_CLOSE, 3), 0);
	cr_assert_eq(cond(a, 3), ZDEV_COND_CLOSED, "and the first sees the second's close");
	zdev_close(a);
	zdev_close(b);
}

/* ---- limits (null_blk's rules) --------------------------------------------------- */

Test(emu, max_open_closes_an_implicitly_open_zone)
{
	struct zdev *dev = mkdev(2, 0, 0);

	cr_assert_eq(wr(dev, 2, 0, 4096), 4096);
	cr_assert_eq(wr(dev, 3, 0, 4096), 4096);
	cr_assert_eq(wr(dev, 4, 0, 4096), 4096, "third implicit open closes one");
	cr_assert_eq(cond(dev, 4), ZDEV_COND_IMP_OPEN);
	cr_assert_eq((cond(dev, 2) == ZDEV_COND_CLOSED) + (cond(dev, 3) == ZDEV_COND_CLOSED), 1);
	zdev_close(dev);
}

Test(emu, max_open_with_explicit_opens)
{
	struct zdev *dev = mkdev(2, 0, 0);

	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 2), 0);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 3), 0);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 4), -ETOOMANYREFS);
	cr_assert_eq(wr(dev, 4, 0, 4096), -ETOOMANYREFS);
	cr_assert_eq(cond(dev, 4), ZDEV_COND_EMPTY);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 2), 0, "re-open of exp-open: no-op");
	cr_assert_eq(wr(dev, 2, 0, 4096), 4096, "open zones still take writes");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 3), 0);
	cr_assert_eq(wr(dev, 4, 0, 4096), 4096, "a closed slot frees room");
	/* An explicit open may displace an implicitly open zone. */
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 5), 0);
	cr_assert_eq(cond(dev, 4), ZDEV_COND_CLOSED);
	zdev_close(dev);
}

Test(emu, max_active_counts_closed_zones)
{
	struct zdev *dev = mkdev(0, 2, 0);

	cr_assert_eq(wr(dev, 2, 0, 4096), 4096);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_CLOSE, 2), 0);
	cr_assert_eq(wr(dev, 3, 0, 4096), 4096);
	cr_assert_eq(wr(dev, 4, 0, 4096), -EOVERFLOW, "closed + open = max active");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 4), -EOVERFLOW);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 4), -EOVERFLOW, "finish of empty needs room");
	cr_assert_eq(wr(dev, 2, 4096, 4096), 4096, "a closed zone may reopen");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 3), 0);
	cr_assert_eq(wr(dev, 4, 0, 4096), 4096, "a full zone is not active");
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 4), 0);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 5), 0, "a reset zone is not active");
	zdev_close(dev);
}

Test(emu, filling_a_zone_releases_its_open_slot)
{
	struct zdev *dev = mkdev(1, 1, 0);

	cr_assert_eq(wr(dev, 2, 0, ZS), (ssize_t)ZS);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_FULL);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_OPEN, 3), 0);
	cr_assert_eq(wr(dev, 4, 0, 4096), -EOVERFLOW);
	zdev_close(dev);
}

/* ---- faults (§6.3) ------------------------------------------------------------------ */

Test(emu, fault_offline)
{
	struct zdev *dev = mkdev(0, 0, 0);

	cr_assert_eq(wr(dev, 2, 0, 4096), 4096);
	fault(2, EMU_FAULT_OFFLINE, 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_OFFLINE, "seen by the open handle at once");
	cr_assert_eq(zone(dev, 2).wp, 2 * ZS);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 2 * ZS), -EIO);
	cr_assert_eq(wr(dev, 2, 4096, 4096), -EIO);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 2), -EIO);
	fault(2, EMU_FAULT_CLEAR, 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_CLOSED);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 2 * ZS), 4096);
	cr_assert_eq(memcmp(rbuf, wbuf, 4096), 0, "data kept");
	fault(0, EMU_FAULT_OFFLINE, 0);
	cr_assert_eq(cond(dev, 0), ZDEV_COND_OFFLINE);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 0), -EIO, "conventional zones too");
	zdev_close(dev);
}

Test(emu, fault_readonly)
{
	struct zdev *dev = mkdev(1, 1, 0);

	cr_assert_eq(wr(dev, 2, 0, 8192), 8192);
	fault(2, EMU_FAULT_READONLY, 0);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_READONLY);
	cr_assert_eq(wp(dev, 2), 8192);
	cr_assert_eq(zdev_pread(dev, rbuf, 8192, 2 * ZS), 8192);
	cr_assert_eq(memcmp(rbuf, wbuf, 8192), 0);
	cr_assert_eq(wr(dev, 2, 8192, 4096), -EIO);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 2), -EIO);
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_FINISH, 2), -EIO);
	cr_assert_eq(wr(dev, 3, 0, 4096), 4096, "a read-only zone is not open or active");
	zdev_close(dev);
}

Test(emu, fault_fail_writes_and_reads)
{
	struct zdev *dev = mkdev(0, 0, 0);

	fault(2, EMU_FAULT_FAIL_WRITES, 2);
	cr_assert_eq(wr(dev, 2, 0, 4096), -EIO);
	cr_assert_eq(wr(dev, 2, 0, 4096), -EIO);
	cr_assert_eq(wp(dev, 2), 0, "failed writes store nothing");
	cr_assert_eq(wr(dev, 2, 0, 4096), 4096, "the third succeeds");
	fault(2, EMU_FAULT_FAIL_READS, 1);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 2 * ZS), -EIO);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 2 * ZS), 4096);
	fault(3, EMU_FAULT_FAIL_READS, 5);
	fault(3, EMU_FAULT_CLEAR, 0);
	cr_assert_eq(zdev_pread(dev, rbuf, 4096, 3 * ZS), 4096, "clear drops pending faults");
	zdev_close(dev);
}

Test(emu, fault_partial_write)
{
	struct zdev *dev = mkdev(0, 0, 0);

	fault(2, EMU_FAULT_PARTIAL_WRITE, 3);
	cr_assert_eq(wr(dev, 2, 0, 8 * 4096), -EIO);
	cr_assert_eq(wp(dev, 2), 3 * 4096, "wp advanced by what was stored");
	cr_assert_eq(zdev_pread(dev, rbuf, 3 * 4096, 2 * ZS), 3 * 4096);
	cr_assert_eq(memcmp(rbuf, wbuf, 3 * 4096), 0);
	cr_assert_eq(wr(dev, 2, 3 * 4096, 4096), 4096, "one-shot");
	fault(2, EMU_FAULT_PARTIAL_WRITE, 0);
	cr_assert_eq(wr(dev, 2, 4 * 4096, 4096), -EIO);
	cr_assert_eq(wp(dev, 2), 4 * 4096);
	zdev_close(dev);
}

Test(emu, fault_move_wp)
{
	struct zdev *dev = mkdev(0, 0, 0);
	char path[PATH_MAX];

	cr_assert_eq(wr(dev, 2, 0, 8192), 8192);
	fault(2, EMU_FAULT_MOVE_WP, 4096);
	cr_assert_eq(wp(dev, 2), 4096);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_IMP_OPEN, "an open zone stays open");
	cr_assert_eq(wr(dev, 2, 8192, 4096), -EIO, "the old wp is gone");
	cr_assert_eq(wr(dev, 2, 4096, 4096), 4096);
	fault(3, EMU_FAULT_MOVE_WP, 65536);
	cr_assert_eq(cond(dev, 3), ZDEV_COND_CLOSED);
	cr_assert_eq(file_size("seq-000003"), 65536);
	fault(3, EMU_FAULT_MOVE_WP, ZS);
	cr_assert_eq(cond(dev, 3), ZDEV_COND_FULL);
	devpath(path, sizeof(path));
	cr_assert_eq(emu_fault(path, 3, EMU_FAULT_MOVE_WP, 100, err, sizeof(err)), -EINVAL);
	cr_assert_eq(emu_fault(path, 3, EMU_FAULT_MOVE_WP, 2 * ZS, err, sizeof(err)), -EINVAL);
	cr_assert_eq(emu_fault(path, 0, EMU_FAULT_MOVE_WP, 0, err, sizeof(err)), -EINVAL);
	cr_assert_eq(emu_fault(path, 8, EMU_FAULT_OFFLINE, 0, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "out of range"), "%s", err);
	zdev_close(dev);
}

Test(emu, fault_from_another_process_reaches_a_running_handle)
{
	struct zdev *dev = mkdev(0, 0, 0);
	char path[PATH_MAX];
	pid_t pid;
	int st;

	devpath(path, sizeof(path));
	cr_assert_eq(wr(dev, 2, 0, 4096), 4096);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		_exit(emu_fault(path, 2, EMU_FAULT_FAIL_WRITES, 1, err, sizeof(err)) ? 1 : 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(wr(dev, 2, 4096, 4096), -EIO);
	cr_assert_eq(wr(dev, 2, 4096, 4096), 4096);
	zdev_close(dev);
}

/* ---- durability ---------------------------------------------------------------------- */

Test(emu, acknowledged_writes_survive_kill_9)
{
	struct zdev *dev;
	int pfd[2];
	pid_t pid;
	char c;
	int st;

	zdev_close(mkdev(0, 0, 0));
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct zdev *cd;
		char path[PATH_MAX];

		close(pfd[0]);
		devpath(path, sizeof(path));
		if (zdev_open(path, 0, &cd, err, sizeof(err)))
			_exit(1);
		if (zdev_pwrite(cd, wbuf, 65536, 2 * ZS) != 65536 ||
		    zdev_pwrite(cd, wbuf, 8192, ZS) != 8192)
			_exit(1);
		if (write(pfd[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, 1), 1, "child failed to write");
	close(pfd[0]);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st));
	dev = opendev_in("d");
	cr_assert_eq(wp(dev, 2), 65536);
	cr_assert_eq(cond(dev, 2), ZDEV_COND_IMP_OPEN);
	cr_assert_eq(zdev_pread(dev, rbuf, 65536, 2 * ZS), 65536);
	cr_assert_eq(memcmp(rbuf, wbuf, 65536), 0);
	cr_assert_eq(zdev_pread(dev, rbuf, 8192, ZS), 8192);
	cr_assert_eq(memcmp(rbuf, wbuf, 8192), 0);
	zdev_close(dev);
}

/* ---- concurrency ------------------------------------------------------------------------- */

struct writer {
	struct zdev *dev;
	uint64_t zone;
	int ok;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	w->ok = 1;
	for (uint64_t off = 0; off < ZS; off += 65536)
		if (zdev_pwrite(w->dev, wbuf + off, 65536, w->zone * ZS + off) != 65536)
			w->ok = 0;
	return NULL;
}

Test(emu, concurrent_writers_in_different_zones)
{
	struct zdev *dev = mkdev(0, 0, 0);
	struct writer w[6];
	pthread_t t[6];

	for (int i = 0; i < 6; i++) {
		w[i] = (struct writer){ .dev = dev, .zone = 2 + (uint64_t)i };
		cr_assert_eq(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		cr_assert(w[i].ok, "writer %d", i);
		cr_assert_eq(cond(dev, 2 + (uint64_t)i), ZDEV_COND_FULL);
		cr_assert_eq(zdev_pread(dev, rbuf, ZS, (2 + (uint64_t)i) * ZS), (ssize_t)ZS);
		cr_assert_eq(memcmp(rbuf, wbuf, ZS), 0);
	}
	zdev_close(dev);
}

/* ---- hostile directories ------------------------------------------------------------------- */

/* Each case spoils a fresh device in its own way; open must name the file. */
static const struct {
	const char *what, *cmd, *needle;
} hostile[] = {
	{ "missing zone file", "rm seq-000005", "seq-000005" },
	{ "extra zone file", "touch seq-000008", "seq-000008" },
	{ "cnv name for a seq zone", "truncate -s 1M cnv-000002", "cnv-000002" },
	{ "cnv file not the zone size", "truncate -s 4096 cnv-000001", "cnv-000001" },
	{ "seq file beyond capacity", "truncate -s 2M seq-000003", "seq-000003" },
	{ "seq file not whole blocks", "truncate -s 1000 seq-000003", "seq-000003" },
	{ "zone file is a symlink", "mv seq-000004 x && ln -s x seq-000004", "seq-000004" },
	{ "zone file is a directory", "rm seq-000004 && mkdir seq-000004", "seq-000004" },
	{ "zone file is a fifo", "rm seq-000004 && mkfifo seq-000004", "seq-000004" },
	{ "truncated geometry", "truncate -s 30 " EMU_GEOMETRY_FILE, EMU_GEOMETRY_FILE },
	{ "garbage geometry", "head -c 200 /dev/urandom > " EMU_GEOMETRY_FILE, EMU_GEOMETRY_FILE },
	{ "geometry without newline", "truncate -s -1 " EMU_GEOMETRY_FILE, EMU_GEOMETRY_FILE },
	{ "capacity mismatch", "sed -i s/capacity_mb=8,/capacity_mb=9,/ " EMU_GEOMETRY_FILE,
	  EMU_GEOMETRY_FILE },
	{ "unknown key", "sed -i s/^/zone_size=1,/ " EMU_GEOMETRY_FILE, EMU_GEOMETRY_FILE },
	{ "geometry is a symlink", "mv " EMU_GEOMETRY_FILE " g && ln -s g " EMU_GEOMETRY_FILE,
	  EMU_GEOMETRY_FILE },
	{ "truncated state", "truncate -s 10 " EMU_STATE_FILE, EMU_STATE_FILE },
	{ "garbage state", "head -c 192 /dev/urandom > " EMU_STATE_FILE, EMU_STATE_FILE },
	{ "bad state record", "printf '\\011' | dd of=" EMU_STATE_FILE " bs=1 seek=80 conv=notrunc",
	  EMU_STATE_FILE },
};

Test(emu, hostile_directories_are_refused_naming_the_file)
{
	struct emu_geometry g = {
		.zone_size = ZS, .nr_zones = 8, .nr_cnv_zones = 2, .lblock_size = 4096,
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char sub[16], path[PATH_MAX], cmd[PATH_MAX + 256];
		struct zdev *dev = NULL;

		snprintf(sub, sizeof(sub), "h%zu", i);
		mkdev_in(sub, &g);
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		snprintf(cmd, sizeof(cmd), "cd '%s' && %s 2>/dev/null", path, hostile[i].cmd);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		cr_assert_lt(zdev_open(path, 0, &dev, err, sizeof(err)), 0, "%s: accepted",
			     hostile[i].what);
		cr_assert_null(dev);
		cr_assert(strstr(err, hostile[i].needle), "%s: message '%s' does not name %s",
			  hostile[i].what, err, hostile[i].needle);
	}
}

Test(emu, a_missing_state_file_is_recreated_clear)
{
	struct zdev *dev = mkdev(0, 0, 0);
	char path[PATH_MAX];

	fault(2, EMU_FAULT_OFFLINE, 0);
	zdev_close(dev);
	snprintf(path, sizeof(path), "%s/d/%s", dir, EMU_STATE_FILE);
	cr_assert_eq(unlink(path), 0);
	dev = opendev_in("d");
	cr_assert_eq(cond(dev, 2), ZDEV_COND_EMPTY);
	zdev_close(dev);
}
