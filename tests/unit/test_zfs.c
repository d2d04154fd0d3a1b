/*
 * The zone-file rules (zfs.h) without FUSE, on an emulated device: the same
 * code the daemon runs, here under the sanitizers and with exact errnos.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu.h"
#include "zfs.h"
#include "testutil.h"

#define MiB (1024u * 1024u)

static char dir[64], dev[128], key[128];
static struct zc_fs *fs;
static uint64_t nr_zones;

/* 8 zones of 1 MiB, 2 conventional, 4096-byte blocks; a 512-byte key. */
static uint32_t lblock = 4096;	/* set before make_device for other geometries */

static void make_device(uint64_t cap)
{
	char err[256];
	struct emu_geometry g = { .zone_size = MiB, .zone_capacity = cap, .nr_zones = 8,
				  .nr_cnv_zones = 2, .lblock_size = lblock };
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	snprintf(key, sizeof(key), "%s/key", dir);
	cr_assert_eq(emu_create(dev, &g, err, sizeof(err)), 0, "%s", err);
	FILE *f = fopen(key, "w");
	cr_assert(f);
	for (int i = 0; i < 512; i++)
		fputc((i * 7 + 3) & 0xff, f);
	fclose(f);
	chmod(key, 0600);
	nr_zones = 8;
}

static void mount_plain(const char *extra)
{
	char err[256];
	struct zc_mount_opts o;
	zc_mount_opts_init(&o);
	cr_assert_eq(zc_mount_opts_parse(&o, "plain", NULL, err, sizeof(err)), 0, "%s", err);
	char opts[256];
	snprintf(opts, sizeof(opts), "keyfile=%s%s%s", key, extra ? "," : "", extra ? extra : "");
	cr_assert_eq(zc_mount_opts_parse(&o, opts, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_mount(dev, &o, &fs, err, sizeof(err)), 0, "%s", err);
	zc_mount_opts_free(&o);
}

static void setup(void)
{
	make_device(0);
	mount_plain(NULL);
}

static void teardown(void)
{
	zc_fs_unmount(fs);
	fs = NULL;
	tu_rmdir_r(dir);
}

TestSuite(zfs, .init = setup, .fini = teardown);

/* In plain mode zone i is file i: cnv/0, cnv/1, seq/0 = zone 2 ... */
static uint64_t seq_ino(int n) { return 2 + (uint64_t)n; }
/* Zone 0's file cannot be inode 0 (readdir hides it): nr_zones + 3. */
static uint64_t cnv0_ino(void) { return nr_zones + 3; }

static struct zc_handle *open_h(uint64_t ino, int flags)
{
	struct zc_handle *h = NULL;
	int r = zc_fs_open(fs, ino, flags, &h);
	cr_assert_eq(r, 0, "open ino %lu: %s", (unsigned long)ino, strerror(-r));
	return h;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + seed);
}

static uint64_t size_of(uint64_t ino)
{
	struct stat st;
	cr_assert_eq(zc_fs_getattr(fs, ino, &st), 0);
	return (uint64_t)st.st_size;
}

static off_t backing_size(uint64_t zone)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof(p), "%s/seq-%06lu", dev, (unsigned long)zone);
	cr_assert_eq(stat(p, &st), 0, "%s", p);
	return st.st_size;
}

Test(zfs, layout_and_attributes)
{
	struct stat st;
	cr_assert_eq(zc_fs_root_ino(fs), nr_zones);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones, "seq", &st), 0);
	cr_assert_eq(st.st_ino, nr_zones + 2);
	cr_assert_eq(st.st_size, 6);
	cr_assert_eq(st.st_mode, S_IFDIR | 0555);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "5", &st), 0);
	cr_assert_eq(st.st_ino, 7);
	cr_assert_eq(st.st_blocks, MiB / 512);
	cr_assert_eq(st.st_blksize, 4096);
	cr_assert_eq(st.st_mode, S_IFREG | 0640);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "6", &st), -ENOENT);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "01", &st), -ENOENT);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "1a", &st), -ENOENT);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "-1", &st), -ENOENT);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 2, "12345678901234567", &st), -ENAMETOOLONG);
	cr_assert_eq(zc_fs_lookup(fs, nr_zones + 1, "0", &st), 0);
	cr_assert_eq(st.st_ino, cnv0_ino(), "plain mode: zone 0 is cnv/0, numbered past the directories");
	cr_assert_eq(st.st_size, MiB);
}

Test(zfs, appends_only_at_the_end)
{
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 1);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), -EINVAL);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 12288), -EINVAL);
	cr_assert_eq(size_of(seq_ino(0)), 8192, "a refused write changes nothing");
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), 4096, "still writable at its end");
	cr_assert_eq(backing_size(2), 12288);
	zc_fs_release(fs, h);
}

Test(zfs, unaligned_tail_visible_then_padded_at_flush)
{
	struct zc_handle *h = open_h(seq_ino(1), O_RDWR);
	uint8_t buf[10000], back[12288];
	const char *data;
	fill(buf, sizeof(buf), 2);
	cr_assert_eq(zc_fs_write(fs, h, buf, 5000, 0), 5000);
	cr_assert_eq(zc_fs_write(fs, h, buf + 5000, 5000, 5000), 5000);
	cr_assert_eq(size_of(seq_ino(1)), 10000);
	cr_assert_eq(backing_size(3), 8192, "two whole units on the device, the rest pending");
	cr_assert_eq(zc_fs_read(fs, h, 0, sizeof(back), &data), 10000);
	cr_assert_arr_eq(data, buf, 10000);
	cr_assert_eq(zc_fs_read(fs, h, 7000, 100, &data), 100, "a read across the device and the tail");
	cr_assert_arr_eq(data, buf + 7000, 100);
	cr_assert_eq(zc_fs_flush(fs, h), 0);
	cr_assert_eq(size_of(seq_ino(1)), 12288);
	cr_assert_eq(backing_size(3), 12288);
	cr_assert_eq(zc_fs_read(fs, h, 0, sizeof(back), &data), 12288);
	memcpy(back, data, sizeof(back));
	cr_assert_arr_eq(back, buf, 10000);
	for (int i = 10000; i < 12288; i++)
		cr_assert_eq(back[i], 0, "padding byte %d", i);
	zc_fs_release(fs, h);
}

Test(zfs, flush_of_a_reader_writes_nothing)
{
	struct zc_handle *w = open_h(seq_ino(1), O_WRONLY), *r = open_h(seq_ino(1), O_RDONLY);
	uint8_t buf[100];
	fill(buf, sizeof(buf), 3);
	cr_assert_eq(zc_fs_write(fs, w, buf, 100, 0), 100);
	cr_assert_eq(zc_fs_flush(fs, r), 0);
	cr_assert_eq(size_of(seq_ino(1)), 100, "only a descriptor that wrote pads");
	zc_fs_release(fs, r);
	cr_assert_eq(zc_fs_flush(fs, w), 0);
	cr_assert_eq(size_of(seq_ino(1)), 4096);
	zc_fs_release(fs, w);
}

Test(zfs, o_append_ignores_the_offset)
{
	struct zc_handle *h = open_h(seq_ino(2), O_WRONLY | O_APPEND);
	uint8_t buf[4096];
	fill(buf, sizeof(buf), 4);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	cr_assert_eq(size_of(seq_ino(2)), 8192);
	zc_fs_release(fs, h);
}

Test(zfs, direct_alignment)
{
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY | O_DIRECT);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 5);
	cr_assert_eq(zc_fs_write(fs, h, buf, 512, 0), -EINVAL);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192 + 512), -EINVAL);
	zc_fs_release(fs, h);
	struct zc_handle *c = open_h(cnv0_ino(), O_RDWR | O_DIRECT);
	cr_assert_eq(zc_fs_write(fs, c, buf, 4096, 100), -EINVAL, "O_DIRECT alignment holds for cnv too");
	zc_fs_release(fs, c);
}

Test(zfs, efbig_at_capacity_and_short_write_across_it)
{
	struct zc_handle *h = open_h(seq_ino(3), O_WRONLY);
	uint8_t *buf = calloc(1, MiB);
	cr_assert_eq(zc_fs_write(fs, h, buf, MiB - 4096, 0), MiB - 4096);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, MiB - 4096), 4096, "cut short at capacity");
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, MiB), -EFBIG);
	cr_assert_eq(size_of(seq_ino(3)), MiB);
	zc_fs_release(fs, h);
	free(buf);
}

Test(zfs, truncate_rules)
{
	struct stat a, out;
	struct zc_handle *h = open_h(seq_ino(4), O_WRONLY);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 6);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	zc_fs_release(fs, h);
	memset(&a, 0, sizeof(a));
	a.st_size = 8192;
	cr_assert_eq(zc_fs_setattr(fs, seq_ino(4), &a, ZC_SET_SIZE, &out), 0, "same size: no-op");
	a.st_size = 4096;
	cr_assert_eq(zc_fs_setattr(fs, seq_ino(4), &a, ZC_SET_SIZE, &out), -EPERM);
	a.st_size = 0;
	cr_assert_eq(zc_fs_setattr(fs, seq_ino(4), &a, ZC_SET_SIZE, &out), 0);
	cr_assert_eq(out.st_size, 0);
	cr_assert_eq(backing_size(6), 0, "reset empties the zone file");
	a.st_size = MiB;
	cr_assert_eq(zc_fs_setattr(fs, seq_ino(4), &a, ZC_SET_SIZE, &out), 0);
	cr_assert_eq(out.st_size, MiB, "truncate to capacity finishes");
	a.st_size = 0;
	cr_assert_eq(zc_fs_setattr(fs, cnv0_ino(), &a, ZC_SET_SIZE, &out), -EPERM, "cnv files never truncate");
	a.st_size = MiB;
	cr_assert_eq(zc_fs_setattr(fs, cnv0_ino(), &a, ZC_SET_SIZE, &out), 0, "cnv to its size: no-op");
	struct zc_handle *t = NULL;
	cr_assert_eq(zc_fs_open(fs, cnv0_ino(), O_WRONLY | O_TRUNC, &t), -EPERM);
	t = open_h(seq_ino(4), O_WRONLY | O_TRUNC);
	cr_assert_eq(size_of(seq_ino(4)), 0, "O_TRUNC resets");
	zc_fs_release(fs, t);
}

Test(zfs, cnv_read_modify_write)
{
	struct zc_handle *h = open_h(1, O_RDWR);
	uint8_t buf[9000];
	const char *data;
	fill(buf, sizeof(buf), 7);
	cr_assert_eq(zc_fs_write(fs, h, buf, 9000, 1000), 9000);
	cr_assert_eq(zc_fs_write(fs, h, "XY", 2, 4095), 2);
	cr_assert_eq(zc_fs_read(fs, h, 1000, 9000, &data), 9000);
	cr_assert_arr_eq(data, buf, 3095);
	cr_assert_eq(data[3095], 'X');
	cr_assert_eq(data[3096], 'Y');
	cr_assert_arr_eq(data + 3097, buf + 3097, 9000 - 3097);
	/* Bytes around the write were read, decrypted and written back unchanged. */
	uint8_t before[1000];
	cr_assert_eq(zc_fs_read(fs, h, 0, 1000, &data), 1000);
	memcpy(before, data, sizeof(before));
	cr_assert_eq(zc_fs_write(fs, h, "Z", 1, 999), 1);
	cr_assert_eq(zc_fs_read(fs, h, 0, 1000, &data), 1000);
	cr_assert_arr_eq(data, before, 999);
	cr_assert_eq(data[999], 'Z');
	zc_fs_release(fs, h);
	struct zc_handle *a = open_h(1, O_WRONLY | O_APPEND);
	cr_assert_eq(zc_fs_write(fs, a, buf, 10, 0), -EINVAL, "O_APPEND on a cnv file");
	cr_assert_eq(zc_fs_write(fs, a, buf, 10, MiB), -EINVAL, "at the size the kernel sends");
	zc_fs_release(fs, a);
}

Test(zfs, reads_never_pass_the_write_pointer)
{
	struct zc_handle *h = open_h(seq_ino(5), O_RDWR);
	uint8_t buf[4096];
	const char *data;
	fill(buf, sizeof(buf), 8);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	cr_assert_eq(zc_fs_read(fs, h, 0, 65536, &data), 4096);
	cr_assert_eq(zc_fs_read(fs, h, 4096, 10, &data), 0);
	cr_assert_eq(zc_fs_read(fs, h, 1 << 20, 10, &data), 0);
	zc_fs_release(fs, h);
}

Test(zfs, write_error_remounts_read_only)
{
	char err[256];
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY);
	uint8_t buf[4096];
	fill(buf, sizeof(buf), 9);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	cr_assert_eq(emu_fault(dev, 2, EMU_FAULT_FAIL_WRITES, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 4096), -EIO);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 4096), -EROFS, "errors=remount-ro");
	cr_assert_eq(size_of(seq_ino(0)), 4096, "acknowledged data kept");
	char v[8];
	cr_assert_eq(zc_fs_getxattr(fs, nr_zones, "user.zcryptfs.ro", v, sizeof(v)), 1);
	cr_assert_eq(v[0], '1');
	zc_fs_release(fs, h);
}

Test(zfs, partial_write_resyncs_the_size)
{
	char err[256];
	zc_fs_unmount(fs);
	mount_plain("errors=repair");
	struct zc_handle *h = open_h(seq_ino(1), O_WRONLY);
	uint8_t *buf = calloc(1, 65536);
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_PARTIAL_WRITE, 3, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 65536, 0), -EIO);
	cr_assert_eq(size_of(seq_ino(1)), 3 * 4096, "the size is the device's write pointer");
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 3 * 4096), 4096, "repair leaves it writable");
	zc_fs_release(fs, h);
	free(buf);
}

/* A 1 MiB write is encrypted and written chunk by chunk (crypto.h runs): a
 * device error part way stops it, and what reached the zone decrypts. */
Test(zfs, partial_large_write_keeps_a_readable_prefix)
{
	char err[256];
	zc_fs_unmount(fs);
	mount_plain("errors=repair");
	struct zc_handle *h = open_h(seq_ino(2), O_WRONLY);
	uint8_t *buf = malloc(MiB);
	cr_assert_not_null(buf);
	fill(buf, MiB, 21);
	cr_assert_eq(emu_fault(dev, 4, EMU_FAULT_PARTIAL_WRITE, 20, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, MiB, 0), -EIO);
	cr_assert_eq(size_of(seq_ino(2)), 20 * 4096, "the size is the device's write pointer");
	const char *data;
	cr_assert_eq(zc_fs_read(fs, h, 0, 20 * 4096, &data), 20 * 4096);
	cr_assert_arr_eq(data, buf, 20 * 4096, "the stored prefix does not decrypt to what was written");
	/* The rest goes on where the zone stopped, again as one large write. */
	cr_assert_eq(zc_fs_write(fs, h, buf + 20 * 4096, MiB - 20 * 4096, 20 * 4096),
		     (ssize_t)(MiB - 20 * 4096));
	cr_assert_eq(zc_fs_read(fs, h, 0, MiB, &data), (ssize_t)MiB);
	cr_assert_arr_eq(data, buf, MiB);
	zc_fs_release(fs, h);
	free(buf);
}

/* The kernel's truncate that undoes a failed direct append is recognised
 * once, only for the size before that write, only after the zone moved. */
Test(zfs, write_undo_after_a_partial_direct_append)
{
	char err[256];
	zc_fs_unmount(fs);
	mount_plain("errors=repair");
	struct zc_handle *h = open_h(seq_ino(1), O_WRONLY | O_DIRECT);
	uint8_t *buf = aligned_alloc(4096, 65536);
	cr_assert_not_null(buf);
	memset(buf, 7, 65536);
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 0), 0, "nothing failed yet");
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), -EINVAL);
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 0), 0, "a refused write moved nothing");
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_PARTIAL_WRITE, 2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 16384, 0), -EIO);
	cr_assert_eq(size_of(seq_ino(1)), 8192);
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 4096), 0, "not the size before the write");
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_PARTIAL_WRITE, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 16384, 8192), -EIO);
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 8192), 1, "the kernel's undo");
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 8192), 0, "consumed");
	cr_assert_eq(size_of(seq_ino(1)), 12288);
	zc_fs_release(fs, h);
	/* Buffered writes are never undone by the kernel. */
	h = open_h(seq_ino(1), O_WRONLY);
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_PARTIAL_WRITE, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 16384, 12288), -EIO);
	cr_assert_eq(zc_fs_is_write_undo(fs, h, 12288), 0);
	zc_fs_release(fs, h);
	free(buf);
}

Test(zfs, zone_xattrs)
{
	char v[64];
	ssize_t n = zc_fs_getxattr(fs, seq_ino(0), "user.zone.cond", v, sizeof(v));
	cr_assert_eq(n, 5);
	cr_assert_eq(memcmp(v, "empty", 5), 0);
	n = zc_fs_getxattr(fs, seq_ino(0), "user.zone.start", v, sizeof(v) - 1);
	cr_assert(n > 0);
	v[n] = 0;
	cr_assert_str_eq(v, "2097152");
	cr_assert_eq(zc_fs_getxattr(fs, seq_ino(0), "user.other", v, sizeof(v)), -EOPNOTSUPP);
	cr_assert_eq(zc_fs_getxattr(fs, seq_ino(0), "trusted.x", v, sizeof(v)), -EOPNOTSUPP);
	cr_assert_eq(zc_fs_getxattr(fs, seq_ino(0), "user.zone.cond", v, 2), -ERANGE);
}

Test(zfs, statfs_counts)
{
	struct statvfs st;
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY);
	uint8_t buf[8192] = { 0 };
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	zc_fs_release(fs, h);
	cr_assert_eq(zc_fs_statfs(fs, &st), 0);
	cr_assert_eq(st.f_bsize, 4096);
	cr_assert_eq(st.f_blocks, 8 * 256);
	cr_assert_eq(st.f_bfree, 8 * 256 - 2 * 256 - 2);
	cr_assert_eq(st.f_files, (2 + 1) + (6 + 1));
	cr_assert_eq(st.f_ffree, 0);
	cr_assert_eq(st.f_namemax, 16);
}

Test(zfs, superblock_checks_refuse_the_mount)
{
	char err[512];
	struct zc_mount_opts o;
	/* The suite's device was never formatted: only -o plain mounts it. */
	zc_fs_unmount(fs);
	fs = NULL;
	zc_mount_opts_init(&o);
	char opts[256];
	snprintf(opts, sizeof(opts), "keyfile=%s", key);
	cr_assert_eq(zc_mount_opts_parse(&o, opts, NULL, err, sizeof(err)), 0);
	struct zc_fs *f = NULL;
	cr_assert_neq(zc_fs_mount(dev, &o, &f, err, sizeof(err)), 0, "an unformatted device mounts");
	cr_assert(strstr(err, "mkzcryptfs") && strstr(err, "-o plain"), "message names the way out: %s", err);
	cr_assert_null(f);
	zc_mount_opts_free(&o);
}

Test(zfs, read_error_on_a_good_zone_changes_nothing)
{
	char err[256];
	const char *data;
	struct zc_handle *h = open_h(seq_ino(2), O_RDWR);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 10);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	cr_assert_eq(emu_fault(dev, 4, EMU_FAULT_FAIL_READS, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_read(fs, h, 0, 4096, &data), -EIO);
	cr_assert_eq(zc_fs_read(fs, h, 0, 8192, &data), 8192, "the next read works");
	cr_assert_arr_eq(data, buf, 8192);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), 4096, "still writable: no errors= action");
	zc_fs_release(fs, h);
}

Test(zfs, read_error_on_a_moved_write_pointer_recovers)
{
	char err[256];
	const char *data;
	zc_fs_unmount(fs);
	mount_plain("errors=zone-ro");
	struct zc_handle *h = open_h(seq_ino(2), O_RDWR);
	uint8_t buf[16384];
	fill(buf, sizeof(buf), 11);
	cr_assert_eq(zc_fs_write(fs, h, buf, 16384, 0), 16384);
	cr_assert_eq(emu_fault(dev, 4, EMU_FAULT_MOVE_WP, 8192, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_fault(dev, 4, EMU_FAULT_FAIL_READS, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_read(fs, h, 0, 4096, &data), -EIO);
	cr_assert_eq(size_of(seq_ino(2)), 8192, "size resynchronised from the device");
	struct stat st;
	cr_assert_eq(zc_fs_getattr(fs, seq_ino(2), &st), 0);
	cr_assert_eq(st.st_mode & 0222, 0, "errors=zone-ro took the write bits");
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), -EPERM);
	zc_fs_release(fs, h);
}

Test(zfs, bad_zones_at_mount_as_zonefs_shows_them)
{
	char err[256];
	struct stat st;
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 12);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	zc_fs_release(fs, h);
	zc_fs_unmount(fs);
	cr_assert_eq(emu_fault(dev, 2, EMU_FAULT_READONLY, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_OFFLINE, 0, err, sizeof(err)), 0, "%s", err);
	mount_plain(NULL);
	for (int n = 0; n < 2; n++) {
		cr_assert_eq(zc_fs_getattr(fs, seq_ino(n), &st), 0);
		cr_assert_eq(st.st_size, 0, "seq/%d: a bad zone's file is empty at mount", n);
		cr_assert_eq(st.st_mode & 07777, 0, "seq/%d: mode 000", n);
		cr_assert_eq(zc_fs_open(fs, seq_ino(n), O_RDONLY, &h), -EPERM);
		cr_assert_eq(zc_fs_open(fs, seq_ino(n), O_WRONLY, &h), -EPERM);
		struct stat a = { .st_mode = 0644 }, out;
		cr_assert_eq(zc_fs_setattr(fs, seq_ino(n), &a, ZC_SET_MODE, &out), -EPERM, "immutable");
	}
}

Test(zfs, zone_going_read_only_while_mounted_keeps_its_data)
{
	char err[256];
	const char *data;
	zc_fs_unmount(fs);
	mount_plain("errors=repair");
	struct zc_handle *h = open_h(seq_ino(1), O_RDWR);
	uint8_t buf[8192];
	fill(buf, sizeof(buf), 13);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	cr_assert_eq(emu_fault(dev, 3, EMU_FAULT_READONLY, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), -EIO);
	struct stat st;
	cr_assert_eq(zc_fs_getattr(fs, seq_ino(1), &st), 0);
	cr_assert_eq(st.st_size, 8192, "the size as last known");
	cr_assert_eq(st.st_mode & 0777, 0440, "write bits cleared, read bits kept");
	cr_assert_eq(zc_fs_read(fs, h, 0, 8192, &data), 8192);
	cr_assert_arr_eq(data, buf, 8192);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 8192), -EPERM);
	zc_fs_release(fs, h);
}

Test(zfs, cnv_partial_unit_at_either_end_alone)
{
	struct zc_handle *h = open_h(1, O_RDWR);
	uint8_t base[8192], out[8192];
	const char *data;
	fill(base, sizeof(base), 14);
	cr_assert_eq(zc_fs_write(fs, h, base, 8192, 0), 8192);
	/* Aligned start, end inside the same unit: the unit's rest survives. */
	cr_assert_eq(zc_fs_write(fs, h, "ab", 2, 4096), 2);
	/* Start inside a unit, aligned end. */
	cr_assert_eq(zc_fs_write(fs, h, "cd", 2, 4094), 2);
	memcpy(out, base, sizeof(out));
	memcpy(out + 4096, "ab", 2);
	memcpy(out + 4094, "cd", 2);
	cr_assert_eq(zc_fs_read(fs, h, 0, 8192, &data), 8192);
	cr_assert_arr_eq(data, out, 8192);
	zc_fs_release(fs, h);
}

Test(zfs, directory_attributes_kept_in_memory)
{
	struct stat a, out;
	memset(&a, 0, sizeof(a));
	a.st_mode = 0500;
	cr_assert_eq(zc_fs_setattr(fs, nr_zones + 2, &a, ZC_SET_MODE, &out), 0);
	cr_assert_eq(out.st_mode, S_IFDIR | 0500);
	a.st_uid = 42;
	cr_assert_eq(zc_fs_setattr(fs, nr_zones + 2, &a, ZC_SET_UID, &out), 0);
	cr_assert_eq(zc_fs_getattr(fs, nr_zones + 2, &out), 0);
	cr_assert_eq(out.st_mode, S_IFDIR | 0500);
	cr_assert_eq(out.st_uid, 42);
	a.st_mode = 0755;
	cr_assert_eq(zc_fs_setattr(fs, nr_zones + 2, &a, ZC_SET_MODE, &out), -EPERM, "no write bits");
	cr_assert_eq(zc_fs_getattr(fs, nr_zones + 1, &out), 0);
	cr_assert_eq(out.st_mode, S_IFDIR | 0555, "other directories untouched");
}

Test(zfs, errors_zone_offline_makes_the_file_inaccessible)
{
	char err[256];
	const char *data;
	zc_fs_unmount(fs);
	mount_plain("errors=zone-offline");
	struct zc_handle *h = open_h(seq_ino(3), O_RDWR);
	uint8_t buf[4096];
	fill(buf, sizeof(buf), 15);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	cr_assert_eq(emu_fault(dev, 5, EMU_FAULT_FAIL_WRITES, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 4096), -EIO);
	struct stat st;
	cr_assert_eq(zc_fs_getattr(fs, seq_ino(3), &st), 0);
	cr_assert_eq(st.st_size, 0);
	cr_assert_eq(st.st_mode & 07777, 0);
	cr_assert_eq(zc_fs_read(fs, h, 0, 4096, &data), -EPERM);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), -EPERM);
	zc_fs_release(fs, h);
	cr_assert_eq(zc_fs_open(fs, seq_ino(3), O_RDONLY, &h), -EPERM);
	/* Other files are untouched. */
	h = open_h(seq_ino(4), O_WRONLY);
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	zc_fs_release(fs, h);
}

/* A fresh device of 512-byte blocks instead of the suite's (4096-byte units on it). */
static void remake_512_byte_blocks(void)
{
	zc_fs_unmount(fs);
	tu_rmdir_r(dir);
	lblock = 512;
	make_device(0);
	lblock = 4096;
}

Test(zfs, torn_write_inside_a_large_sector_is_completed)
{
	char err[256];
	const char *data;
	remake_512_byte_blocks();
	mount_plain("sector_size=4096,errors=repair");
	struct zc_handle *h = open_h(seq_ino(0), O_RDWR | O_DIRECT);
	uint8_t buf[16384];
	fill(buf, sizeof(buf), 16);
	cr_assert_eq(emu_fault(dev, 2, EMU_FAULT_PARTIAL_WRITE, 3, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), -EIO);
	/* The device stopped 1536 bytes into the first unit; its rest was written
	 * from the same ciphertext, so the file holds one whole unit. */
	cr_assert_eq(size_of(seq_ino(0)), 4096);
	cr_assert_eq(backing_size(2), 4096);
	cr_assert_eq(zc_fs_read(fs, h, 0, 4096, &data), 4096);
	cr_assert_arr_eq(data, buf, 4096);
	cr_assert_eq(zc_fs_write(fs, h, buf + 4096, 4096, 4096), 4096, "appendable again");
	cr_assert_eq(zc_fs_read(fs, h, 0, 8192, &data), 8192);
	cr_assert_arr_eq(data, buf, 8192);
	zc_fs_release(fs, h);
}

Test(zfs, torn_sector_found_at_mount_is_left_out_of_the_file)
{
	char err[256];
	remake_512_byte_blocks();
	mount_plain("sector_size=4096");
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY | O_DIRECT);
	uint8_t buf[8192] = { 0 };
	cr_assert_eq(zc_fs_write(fs, h, buf, 8192, 0), 8192);
	zc_fs_release(fs, h);
	zc_fs_unmount(fs);
	/* As if the daemon died in the middle of a sector. */
	cr_assert_eq(emu_fault(dev, 2, EMU_FAULT_MOVE_WP, 8192 + 1024, err, sizeof(err)), 0, "%s", err);
	mount_plain("sector_size=4096");
	cr_assert_eq(size_of(seq_ino(0)), 8192, "only whole units are file data");
}

Test(zfs, explicit_open_reset_by_a_writer_reopens_the_zone)
{
	char v[32];
	zc_fs_unmount(fs);
	mount_plain("explicit-open");
	struct zc_handle *h = open_h(seq_ino(0), O_WRONLY);
	uint8_t buf[4096] = { 1 };
	cr_assert_eq(zc_fs_write(fs, h, buf, 4096, 0), 4096);
	struct stat a = { .st_size = 0 }, out;
	cr_assert_eq(zc_fs_setattr(fs, seq_ino(0), &a, ZC_SET_SIZE, &out), 0);
	ssize_t n = zc_fs_getxattr(fs, seq_ino(0), "user.zone.cond", v, sizeof(v));
	cr_assert_eq(n, 8);
	cr_assert_eq(memcmp(v, "exp-open", 8), 0, "the reset zone is opened again for its writer");
	zc_fs_release(fs, h);
	n = zc_fs_getxattr(fs, seq_ino(0), "user.zone.cond", v, sizeof(v));
	cr_assert_eq(memcmp(v, "empty", 5), 0, "the last close closes it");
}

Test(zfs, explicit_open_zone_filled_is_not_active)
{
	char v[32];
	zc_fs_unmount(fs);
	mount_plain("explicit-open");
	struct zc_handle *h = open_h(seq_ino(1), O_WRONLY);
	uint8_t *buf = calloc(1, MiB);
	cr_assert_eq(zc_fs_write(fs, h, buf, MiB, 0), MiB);
	zc_fs_release(fs, h);
	free(buf);
	ssize_t n = zc_fs_getxattr(fs, nr_zones, "user.zcryptfs.nr_active_seq_files", v, sizeof(v));
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0], '0', "a full zone is not active");
	n = zc_fs_getxattr(fs, nr_zones, "user.zcryptfs.nr_wro_seq_files", v, sizeof(v));
	cr_assert_eq(v[0], '0');
}

Test(zfs, unmount_frees_handles_the_kernel_never_released)
{
	struct zc_handle *h = open_h(seq_ino(2), O_WRONLY);
	uint8_t buf[100] = { 7 };
	cr_assert_eq(zc_fs_write(fs, h, buf, 100, 0), 100);
	/* No release: teardown's unmount writes the tail and frees h, and
	 * LeakSanitizer fails the test otherwise. */
	zc_fs_unmount(fs);
	fs = NULL;
	cr_assert_eq(backing_size(4), 4096, "the pending tail was written at unmount");
}
