/*
 * zdev_backend: what a device backend (libzbd, emulator) provides to zdev.c.
 * Only zdev.c and the backends include this; everything else uses zdev.h.
 */
#ifndef ZCRYPTFS_ZDEV_BACKEND_H
#define ZCRYPTFS_ZDEV_BACKEND_H

#include "zdev.h"

struct zdev_ops {
	void (*close)(struct zdev *dev);
	int (*report)(struct zdev *dev, uint64_t first, uint64_t nr, struct zdev_zone *zones);
	ssize_t (*pread)(struct zdev *dev, void *buf, size_t len, uint64_t off);
	ssize_t (*pwrite)(struct zdev *dev, const void *buf, size_t len, uint64_t off);
	int (*zone_op)(struct zdev *dev, enum zdev_zone_op op, uint64_t zone);
	int (*flush)(struct zdev *dev);
};

/* Every backend's device struct starts with this. */
struct zdev {
	const struct zdev_ops *ops;
	struct zdev_info info;
};

/* Backend constructors: same contract as zdev_open. */
int zdev_zbd_open(const char *path, int flags, struct zdev **out, char *err, size_t errlen);
int zdev_emu_open(const char *dir, int flags, struct zdev **out, char *err, size_t errlen);

#endif
