/* zdev_open's dispatch: what DEVICE may be, and the words used to refuse it. */
#include "testutil.h"
#include "emu.h"
#include "zdev.h"

#include <errno.h>
#include <sys/stat.h>

static char dir[64];
static char err[512];

static void setup(void)
{
	tu_mkdtemp(dir, sizeof(dir));
}

static void teardown(void)
{
	tu_rmdir_r(dir);
}

TestSuite(zdev, .init = setup, .fini = teardown);

static void expect_refused(const char *path, const char *needle)
{
	struct zdev *dev = (struct zdev *)&dev;

	err[0] = '\0';
	cr_assert_lt(zdev_open(path, 0, &dev, err, sizeof(err)), 0, "%s accepted", path);
	cr_assert_null(dev);
	cr_assert(strstr(err, path), "message '%s' does not name %s", err, path);
	cr_assert(strstr(err, needle), "message '%s' does not say '%s'", err, needle);
}

Test(zdev, refuses_missing_path)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/nope", dir);
	expect_refused(path, "DEVICE must be a zoned block device or an emulated device directory");
}

Test(zdev, refuses_regular_file)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fclose(f);
	expect_refused(path, "DEVICE must be a zoned block device or an emulated device directory");
}

Test(zdev, refuses_char_device)
{
	expect_refused("/dev/null", "DEVICE must be a zoned block device");
}

Test(zdev, refuses_directory_without_geometry)
{
	expect_refused(dir, "not an emulated zoned device (no zloop.conf)");
	cr_assert(strstr(err, "zcryptfs-zones create"), "%s", err);
}

Test(zdev, opens_emulated_directory)
{
	struct emu_geometry g = { .zone_size = 1 << 20, .nr_zones = 4, .nr_cnv_zones = 1,
				  .lblock_size = 512 };
	char path[PATH_MAX];
	struct zdev *dev = NULL;

	snprintf(path, sizeof(path), "%s/dev", dir);
	cr_assert_eq(emu_create(path, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(emu_is_device(path), 1);
	cr_assert_eq(emu_is_device(dir), 0);
	cr_assert_eq(zdev_open(path, ZDEV_RDONLY, &dev, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(zdev_info(dev)->backend, "emulated");
	cr_assert_eq(zdev_info(dev)->lblock_size, 512);
	{
		char buf[512] __attribute__((aligned(4096))) = { 0 };

		cr_assert_eq(zdev_pwrite(dev, buf, 512, 1 << 20), -EROFS, "read-only handle");
	}
	cr_assert_eq(zdev_zone_op(dev, ZDEV_OP_RESET, 4), -EINVAL, "zone out of range");
	zdev_close(dev);
}

Test(zdev, names)
{
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_EMPTY), "empty");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_IMP_OPEN), "imp-open");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_EXP_OPEN), "exp-open");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_CLOSED), "closed");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_FULL), "full");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_READONLY), "read-only");
	cr_assert_str_eq(zdev_cond_name(ZDEV_COND_OFFLINE), "offline");
	cr_assert_str_eq(zdev_type_name(ZDEV_TYPE_CNV), "CONVENTIONAL");
	cr_assert_str_eq(zdev_type_name(ZDEV_TYPE_SWR), "SEQ_WRITE_REQUIRED");
	cr_assert_str_eq(zdev_type_name(ZDEV_TYPE_SWP), "SEQ_WRITE_PREFERRED");
}
