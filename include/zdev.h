/*
 * zdev: the one interface the rest of zcryptfs uses for a zoned device.
 *
 * It owns opening a DEVICE path (a zoned block device through libzbd, or a
 * directory holding an emulated zloop-layout device), its geometry, zone
 * reports, whole-logical-block reads and writes, zone management and flush.
 * It knows nothing of encryption or FUSE. Every call returns 0 (or a byte
 * count) on success and a negative errno on failure; open errors also fill a
 * message that names the path and what DEVICE must be.
 */
#ifndef ZCRYPTFS_ZDEV_H
#define ZCRYPTFS_ZDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Values are the kernel's BLK_ZONE_TYPE_* / BLK_ZONE_COND_* (and libzbd's). */
enum zdev_zone_type {
	ZDEV_TYPE_CNV = 0x1,
	ZDEV_TYPE_SWR = 0x2,
	ZDEV_TYPE_SWP = 0x3,
};

enum zdev_zone_cond {
	ZDEV_COND_NOT_WP = 0x0,
	ZDEV_COND_EMPTY = 0x1,
	ZDEV_COND_IMP_OPEN = 0x2,
	ZDEV_COND_EXP_OPEN = 0x3,
	ZDEV_COND_CLOSED = 0x4,
	ZDEV_COND_READONLY = 0xD,
	ZDEV_COND_FULL = 0xE,
	ZDEV_COND_OFFLINE = 0xF,
};

/* One zone, in bytes from the start of the device (like struct zbd_zone). */
struct zdev_zone {
	uint64_t start;
	uint64_t len;
	uint64_t capacity;
	uint64_t wp;		/* absolute; start for conventional zones */
	uint8_t type;		/* enum zdev_zone_type */
	uint8_t cond;		/* enum zdev_zone_cond */
};

struct zdev_info {
	uint64_t zone_size;	/* bytes, a power of two */
	uint64_t nr_zones;
	uint64_t nr_cnv_zones;	/* conventional zones (emulator: the first ones) */
	uint32_t lblock_size;	/* logical block: the unit of every read/write */
	uint32_t pblock_size;
	uint32_t max_open;	/* 0 = no limit */
	uint32_t max_active;	/* 0 = no limit */
	int host_aware;		/* 1 for a host-aware SMR disk (SWP zones) */
	const char *backend;	/* "zbd" or "emulated" */
};

enum zdev_zone_op {
	ZDEV_OP_RESET = 1,
	ZDEV_OP_OPEN,
	ZDEV_OP_CLOSE,
	ZDEV_OP_FINISH,
};

#define ZDEV_RDONLY 0x1

struct zdev;

/*
 * Open DEVICE. flags: ZDEV_RDONLY or 0. On failure returns -errno and, when
 * err is not NULL, writes a one-line message naming the path and the fix.
 */
int zdev_open(const char *path, int flags, struct zdev **out, char *err, size_t errlen);
void zdev_close(struct zdev *dev);
const struct zdev_info *zdev_info(const struct zdev *dev);

/*
 * Report up to nr zones starting at zone index first into zones[]. Returns
 * the number reported (fewer at the end of the device) or -errno.
 */
int zdev_report(struct zdev *dev, uint64_t first, uint64_t nr, struct zdev_zone *zones);

/*
 * Read/write whole logical blocks at an absolute byte offset. buf must be
 * aligned to the logical block size (ZDEV_BUF_ALIGN is always enough).
 * Writes to sequential zones must start at the write pointer (-EIO otherwise,
 * as the kernel's unaligned-write error). Returns bytes done or -errno. A
 * write that failed part way returns -EIO like a block device does, having
 * stored some blocks: the zone's write pointer (zdev_report) tells how many.
 */
#define ZDEV_BUF_ALIGN 4096
ssize_t zdev_pread(struct zdev *dev, void *buf, size_t len, uint64_t off);
ssize_t zdev_pwrite(struct zdev *dev, const void *buf, size_t len, uint64_t off);

/* Zone management on zone index zone. */
int zdev_zone_op(struct zdev *dev, enum zdev_zone_op op, uint64_t zone);

/* Make acknowledged writes durable (the device write cache). */
int zdev_flush(struct zdev *dev);

const char *zdev_cond_name(unsigned cond);	/* "empty", "imp-open", ... */
const char *zdev_type_name(unsigned type);	/* "CONVENTIONAL", "SEQ_WRITE_REQUIRED", ... */

#endif
