/*
 * zfs: the zone files (SPEC §4.2, §5): zonefs's rules stated once, with no
 * FUSE in sight. It owns the mount (device, key, superblock check, the file
 * table), the namespace (cnv/ and seq/, inode numbers), attributes, statfs,
 * xattrs, and every read, write, truncate and flush with its errno. The FUSE
 * glue translates requests into these calls and their results into replies.
 * Every call returns 0 (or a count) or a negative errno.
 */
#ifndef ZCRYPTFS_ZFS_H
#define ZCRYPTFS_ZFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include "crypto.h"
#include "options.h"
#include "super.h"
#include "zdev.h"

struct zc_fs;
struct zc_handle;

/* What the daemon asks of the layer above when it changes things itself. */
struct zc_fs_notify {
	void (*inval_attr)(void *arg, uint64_t ino);	/* size/mode changed on our own */
	void (*remount_ro)(void *arg);			/* errors=remount-ro fired */
	void *arg;
};

/*
 * Read, decrypt and check the superblock at the start of zone 0 (z0 as the
 * device reports it). 0 with *sb filled; -ENODATA when zone 0 does not hold
 * a superblock's worth; -EINVAL when a check fails (*why says which);
 * another -errno when it cannot be read. mkzcryptfs asks it too.
 */
int zc_super_read(struct zdev *dev, const struct zc_crypto *c, const struct zdev_zone *z0,
		  struct zc_super *sb, enum zc_super_err *why);

int zc_fs_mount(const char *device, const struct zc_mount_opts *o, struct zc_fs **out,
		char *err, size_t errlen);
/* Writes out pending tails, closes the device, wipes the key. */
void zc_fs_unmount(struct zc_fs *fs);
void zc_fs_set_notify(struct zc_fs *fs, const struct zc_fs_notify *n);

uint64_t zc_fs_root_ino(const struct zc_fs *fs);
int zc_fs_lookup(struct zc_fs *fs, uint64_t parent, const char *name, struct stat *st);
int zc_fs_getattr(struct zc_fs *fs, uint64_t ino, struct stat *st);
/* Entry idx of a directory, "." and ".." first; -ENOENT past the end. */
int zc_fs_readdir(struct zc_fs *fs, uint64_t dir, uint64_t idx, char *name, size_t namelen,
		  struct stat *st);

#define ZC_SET_MODE 0x01
#define ZC_SET_UID 0x02
#define ZC_SET_GID 0x04
#define ZC_SET_SIZE 0x08
#define ZC_SET_ATIME 0x10
#define ZC_SET_MTIME 0x20
#define ZC_SET_ATIME_NOW 0x40
#define ZC_SET_MTIME_NOW 0x80
#define ZC_SET_CTIME 0x100
int zc_fs_setattr(struct zc_fs *fs, uint64_t ino, const struct stat *attr, int to_set,
		  struct stat *out);

/* flags: the open(2) flags. O_TRUNC on a seq file resets it. */
int zc_fs_open(struct zc_fs *fs, uint64_t ino, int flags, struct zc_handle **h);
void zc_fs_release(struct zc_fs *fs, struct zc_handle *h);

/*
 * Read up to len bytes at off. *data points into a per-thread buffer that
 * stays valid until this thread's next zc_fs_read. Returns the byte count.
 */
ssize_t zc_fs_read(struct zc_fs *fs, struct zc_handle *h, uint64_t off, size_t len,
		   const char **data);
ssize_t zc_fs_write(struct zc_fs *fs, struct zc_handle *h, const void *buf, size_t len,
		    uint64_t off);
/*
 * The kernel undoes a failed O_DIRECT write past the end of a file by
 * truncating it, through the same descriptor and before the write returns,
 * to the size it had before (fuse_direct_IO). When the device had already
 * taken part of that write, the truncate would reset or refuse a zone whose
 * size now follows the device. Returns 1 when a size change through h is
 * that undo: the caller answers it with the current attributes and changes
 * nothing. Any size change through h, undo or not, disarms it.
 */
int zc_fs_is_write_undo(struct zc_fs *fs, struct zc_handle *h, uint64_t size);
/* close(2) of a descriptor: writes the pending tail out if it wrote. */
int zc_fs_flush(struct zc_fs *fs, struct zc_handle *h);
int zc_fs_fsync(struct zc_fs *fs, struct zc_handle *h);

int zc_fs_statfs(struct zc_fs *fs, struct statvfs *st);

/* size 0 asks for the length. -EOPNOTSUPP for a name we do not have. */
ssize_t zc_fs_getxattr(struct zc_fs *fs, uint64_t ino, const char *name, char *buf, size_t size);
ssize_t zc_fs_listxattr(struct zc_fs *fs, uint64_t ino, char *buf, size_t size);

/* The counters of SPEC §5.6, one "name value" line each. */
void zc_fs_log_counters(struct zc_fs *fs, FILE *out);

#endif
