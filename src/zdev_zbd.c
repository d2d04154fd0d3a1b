/*
 * zdev backend for real zoned block devices, through libzbd. Data goes
 * through pread/pwrite on the O_DIRECT descriptor libzbd opened; the
 * kernel enforces the zone rules, so this file only translates.
 *
 * libzbd 2.0 quirks handled here: zbd_open() returns -1 (not -errno) on
 * error, and it keeps per-descriptor state in a fixed 1024-entry table
 * indexed by the fd without a bounds check, so a descriptor >= 1024 would
 * be written past that table.
 */
#include "zdev_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <libzbd/zbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZBD_FD_LIMIT 1024
#define REPORT_CHUNK 1024

struct zbd_dev {
	struct zdev z;
	int fd;
};

static struct zbd_dev *zd(struct zdev *dev)
{
	return (struct zbd_dev *)dev;
}

static void zbd_dev_close(struct zdev *dev)
{
	zbd_close(zd(dev)->fd);
	free(dev);
}

static int zbd_dev_report(struct zdev *dev, uint64_t first, uint64_t nr, struct zdev_zone *zones)
{
	uint64_t zsize = dev->info.zone_size;
	struct zbd_zone *buf;
	uint64_t done = 0;

	buf = calloc(REPORT_CHUNK, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	while (done < nr) {
		unsigned int n = nr - done < REPORT_CHUNK ? (unsigned int)(nr - done) : REPORT_CHUNK;
		int ret;

		errno = 0;
		ret = zbd_report_zones(zd(dev)->fd, (off_t)((first + done) * zsize),
				       (off_t)(n * zsize), ZBD_RO_ALL, buf, &n);
		if (ret != 0) {
			free(buf);
			return ret < -1 ? ret : (errno ? -errno : -EIO);
		}
		if (n == 0)
			break;
		for (unsigned int i = 0; i < n; i++) {
			struct zdev_zone *o = &zones[done + i];

			o->start = buf[i].start;
			o->len = buf[i].len;
			o->capacity = buf[i].capacity;
			o->wp = buf[i].type == ZBD_ZONE_TYPE_CNV ? buf[i].start : buf[i].wp;
			o->type = (uint8_t)buf[i].type;
			o->cond = (uint8_t)buf[i].cond;
		}
		done += n;
	}
	free(buf);
	return (int)done;
}

static int check_io(struct zdev *dev, size_t len, uint64_t off)
{
	uint64_t lb = dev->info.lblock_size;

	if (off % lb || len % lb)
		return -EINVAL;
	return 0;
}

static ssize_t zbd_dev_pread(struct zdev *dev, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	int ret = check_io(dev, len, off);

	if (ret)
		return ret;
	while (done < len) {
		ssize_t n = pread(zd(dev)->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t zbd_dev_pwrite(struct zdev *dev, const void *buf, size_t len, uint64_t off)
{
	int ret = check_io(dev, len, off);

	if (ret)
		return ret;
	/* One call: a sequential zone must see one write at its pointer. */
	for (;;) {
		ssize_t n = pwrite(zd(dev)->fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

static int zbd_dev_zone_op(struct zdev *dev, enum zdev_zone_op op, uint64_t zone)
{
	static const enum zbd_zone_op map[] = {
		[ZDEV_OP_RESET] = ZBD_OP_RESET,
		[ZDEV_OP_OPEN] = ZBD_OP_OPEN,
		[ZDEV_OP_CLOSE] = ZBD_OP_CLOSE,
		[ZDEV_OP_FINISH] = ZBD_OP_FINISH,
	};
	uint64_t zsize = dev->info.zone_size;

	errno = 0;
	if (zbd_zones_operation(zd(dev)->fd, map[op], (off_t)(zone * zsize), (off_t)zsize) != 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int zbd_dev_flush(struct zdev *dev)
{
	return fsync(zd(dev)->fd) < 0 ? -errno : 0;
}

static const struct zdev_ops zbd_ops = {
	.close = zbd_dev_close,
	.report = zbd_dev_report,
	.pread = zbd_dev_pread,
	.pwrite = zbd_dev_pwrite,
	.zone_op = zbd_dev_zone_op,
	.flush = zbd_dev_flush,
};

/* The lowest free descriptor is the one open(2) inside zbd_open() will get. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int count_cnv(struct zbd_dev *d)
{
	struct zdev_zone *zones = calloc(REPORT_CHUNK, sizeof(*zones));
	uint64_t first = 0;
	int ret = 0;

	if (!zones)
		return -ENOMEM;
	while (first < d->z.info.nr_zones) {
		uint64_t n = d->z.info.nr_zones - first;

		ret = zbd_dev_report(&d->z, first, n < REPORT_CHUNK ? n : REPORT_CHUNK, zones);
		if (ret <= 0)
			break;
		for (int i = 0; i < ret; i++)
			d->z.info.nr_cnv_zones += zones[i].type == ZDEV_TYPE_CNV;
		first += (uint64_t)ret;
		ret = 0;
	}
	free(zones);
	return ret < 0 ? ret : 0;
}

static uint32_t limit(unsigned int v)
{
	/* libzbd says -1 for "unknown": treat it as no limit we can rely on. */
	return v == (unsigned int)-1 ? 0 : v;
}

int zdev_zbd_open(const char *path, int flags, struct zdev **out, char *err, size_t errlen)
{
	struct zbd_info info;
	struct zbd_dev *d;
	int fd, ret;

	zbd_set_log_level(ZBD_LOG_NONE);
	ret = zbd_device_is_zoned(path);
	if (ret != 1) {
		snprintf(err, errlen, "%s: not a zoned block device", path);
		return -ENODEV;
	}
	fd = lowest_free_fd();
	if (fd < 0 || fd >= ZBD_FD_LIMIT) {
		snprintf(err, errlen, "%s: too many open files for libzbd (descriptor %d >= %d)",
			 path, fd, ZBD_FD_LIMIT);
		return -EMFILE;
	}
	errno = 0;
	fd = zbd_open(path, ((flags & ZDEV_RDONLY) ? O_RDONLY : O_RDWR) | O_DIRECT | O_CLOEXEC,
		      &info);
	if (fd < 0) {
		ret = errno ? -errno : -ENODEV;
		snprintf(err, errlen, "%s: cannot open zoned block device: %s", path, strerror(-ret));
		return ret;
	}
	if (fd >= ZBD_FD_LIMIT) {
		/* Another thread took the low descriptors; zbd_close would index the table. */
		close(fd);
		snprintf(err, errlen, "%s: too many open files for libzbd (descriptor %d >= %d)",
			 path, fd, ZBD_FD_LIMIT);
		return -EMFILE;
	}
	if (info.zone_size == 0 || (info.zone_size & (info.zone_size - 1)) ||
	    info.lblock_size == 0 || info.lblock_size > ZDEV_BUF_ALIGN) {
		zbd_close(fd);
		snprintf(err, errlen, "%s: unsupported zoned device geometry (zone size %llu, "
			 "logical block %u)", path, info.zone_size, info.lblock_size);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		zbd_close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	d->fd = fd;
	d->z.ops = &zbd_ops;
	d->z.info.zone_size = info.zone_size;
	d->z.info.nr_zones = info.nr_zones;
	d->z.info.lblock_size = info.lblock_size;
	d->z.info.pblock_size = info.pblock_size;
	d->z.info.max_open = limit(info.max_nr_open_zones);
	d->z.info.max_active = limit(info.max_nr_active_zones);
	d->z.info.host_aware = info.model == ZBD_DM_HOST_AWARE;
	d->z.info.backend = "zbd";
	ret = count_cnv(d);
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot report zones: %s", path, strerror(-ret));
		zbd_dev_close(&d->z);
		return ret;
	}
	*out = &d->z;
	return 0;
}
