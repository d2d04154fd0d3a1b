/*
 * zdev: picks the backend for a DEVICE path and forwards every call to it.
 * Only this file decides what a DEVICE may be, so the three commands refuse
 * the same things with the same words.
 */
#include "zdev_backend.h"
#include "emu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define DEVICE_RULE "DEVICE must be a zoned block device or an emulated device directory " \
	"(create one with zcryptfs-zones create)"

int zdev_open(const char *path, int flags, struct zdev **out, char *err, size_t errlen)
{
	struct stat st;
	char dummy[1];

	*out = NULL;
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (stat(path, &st) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s; %s", path, strerror(e), DEVICE_RULE);
		return -e;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!emu_is_device(path)) {
			snprintf(err, errlen, "%s: not an emulated zoned device (no %s); "
				 "create one with zcryptfs-zones create", path, EMU_GEOMETRY_FILE);
			return -ENODEV;
		}
		return zdev_emu_open(path, flags, out, err, errlen);
	}
	if (S_ISBLK(st.st_mode))
		return zdev_zbd_open(path, flags, out, err, errlen);
	snprintf(err, errlen, "%s: is a %s; %s", path,
		 S_ISREG(st.st_mode) ? "regular file" :
		 S_ISCHR(st.st_mode) ? "character device" : "special file", DEVICE_RULE);
	return -ENOTBLK;
}

void zdev_close(struct zdev *dev)
{
	if (dev)
		dev->ops->close(dev);
}

const struct zdev_info *zdev_info(const struct zdev *dev)
{
	return &dev->info;
}

int zdev_report(struct zdev *dev, uint64_t first, uint64_t nr, struct zdev_zone *zones)
{
	if (first >= dev->info.nr_zones)
		return 0;
	if (nr > dev->info.nr_zones - first)
		nr = dev->info.nr_zones - first;
	/* The count is returned as an int. */
	if (nr > 0x7fffffff)
		nr = 0x7fffffff;
	return dev->ops->report(dev, first, nr, zones);
}

ssize_t zdev_pread(struct zdev *dev, void *buf, size_t len, uint64_t off)
{
	return dev->ops->pread(dev, buf, len, off);
}

ssize_t zdev_pwrite(struct zdev *dev, const void *buf, size_t len, uint64_t off)
{
	return dev->ops->pwrite(dev, buf, len, off);
}

int zdev_zone_op(struct zdev *dev, enum zdev_zone_op op, uint64_t zone)
{
	if (zone >= dev->info.nr_zones)
		return -EINVAL;
	if (op < ZDEV_OP_RESET || op > ZDEV_OP_FINISH)
		return -EINVAL;
	return dev->ops->zone_op(dev, op, zone);
}

int zdev_flush(struct zdev *dev)
{
	return dev->ops->flush(dev);
}

const char *zdev_cond_name(unsigned cond)
{
	switch (cond) {
	case ZDEV_COND_NOT_WP: return "not-wp";
	case ZDEV_COND_EMPTY: return "empty";
	case ZDEV_COND_IMP_OPEN: return "imp-open";
	case ZDEV_COND_EXP_OPEN: return "exp-open";
	case ZDEV_COND_CLOSED: return "closed";
	case ZDEV_COND_READONLY: return "read-only";
	case ZDEV_COND_FULL: return "full";
	case ZDEV_COND_OFFLINE: return "offline";
	default: return "unknown";
	}
}

const char *zdev_type_name(unsigned type)
{
	switch (type) {
	case ZDEV_TYPE_CNV: return "CONVENTIONAL";
	case ZDEV_TYPE_SWR: return "SEQ_WRITE_REQUIRED";
	case ZDEV_TYPE_SWP: return "SEQ_WRITE_PREFERRED";
	default: return "RESERVED";
	}
}
