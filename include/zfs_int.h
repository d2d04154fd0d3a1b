/*
 * zfs_int: the structures shared by zfs.c (mount, namespace, attributes) and
 * zfile.c (file I/O rules). Nothing outside those two files includes it.
 */
#ifndef ZCRYPTFS_ZFS_INT_H
#define ZCRYPTFS_ZFS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "crypto.h"
#include "zdev.h"
#include "zfs.h"

enum zc_dir { ZC_DIR_CNV = 0, ZC_DIR_SEQ = 1, ZC_DIR_NR };

/* One zone file: a sequential zone, or a run of conventional zones. */
struct zc_file {
	pthread_rwlock_t lock;	/* writers and resets exclusive, readers shared */
	uint64_t zone;		/* first zone index = inode number */
	uint64_t start;		/* device byte offset */
	uint64_t capacity;	/* bytes the file may hold */
	uint64_t wp;		/* seq: bytes on the device, a multiple of the write unit */
	uint8_t *tail;		/* seq: a buffered partial write unit, or NULL */
	uint32_t tail_len;	/* bytes valid in tail; size = wp + tail_len */
	uint32_t nzones;
	uint8_t dir;		/* enum zc_dir */
	uint8_t cond;		/* last condition seen, enum zdev_zone_cond */
	uint8_t offline;	/* errors=zone-offline fired, or the zone is offline */
	uint8_t zone_ro;	/* errors=zone-ro fired, or the zone is read-only */
	uint32_t mode;		/* permission bits */
	uint32_t uid, gid;
	uint32_t writers;	/* open descriptors with write access */
	struct timespec atime, mtime, ctime;
};

struct zc_fs {
	struct zdev *dev;
	const struct zdev_info *info;
	struct zc_crypto *crypto;
	struct zc_mount_opts opts;
	struct zc_fs_notify notify;
	uint32_t wunit;		/* st_blksize: max(device write granularity, sector_size) */
	uint64_t nr_zones;
	uint64_t nfiles[ZC_DIR_NR];
	struct zc_file *files[ZC_DIR_NR];	/* in zone order */
	struct zc_file **by_ino;		/* zone index -> file whose first zone it is */
	atomic_int ro;		/* read-only mount, or errors=remount-ro fired */
	pthread_mutex_t open_lock;	/* explicit-open accounting, dirs[] */
	uint32_t nr_wro_seq;	/* seq files open for writing */
	struct zc_handle *handles;	/* open handles, under open_lock: freed at unmount */
	struct timespec mount_time;
	/* root, cnv, seq: zonefs keeps a chmod/chown of a directory in memory */
	struct { uint32_t mode, uid, gid; struct timespec ctime; } dirs[3];
	atomic_uint_fast64_t bytes_read, bytes_written, read_errors, write_errors;
};

/*
 * The inode number of zone 0's file in plain mode: zonefs would say 0, but
 * readdir(3) skips entries whose d_ino is 0, so the next number after the
 * directories stands in for it (docs/differences.md).
 */
#define ZC_ZONE0_INO(fs) ((fs)->nr_zones + 3)

/* The inode number a file shows (st_ino) and notifications name. */
static inline uint64_t zc_file_ino(const struct zc_fs *fs, const struct zc_file *f)
{
	return f->zone ? f->zone : ZC_ZONE0_INO(fs);
}

/* zfile.c */
struct zc_file *zc_fs_file(struct zc_fs *fs, uint64_t ino);
uint64_t zc_file_size(const struct zc_file *f);
int zc_file_truncate(struct zc_fs *fs, struct zc_file *f, uint64_t size);
int zc_file_flush_tail(struct zc_fs *fs, struct zc_file *f);
void zc_file_sync_zone(struct zc_fs *fs, struct zc_file *f);
void zc_file_free_handles(struct zc_fs *fs);

#endif
