/*
 * fuse_glue: the only part of zcryptfs that speaks FUSE (libfuse3 low-level
 * API). It turns requests into zfs.h calls and results into replies, maps
 * inode numbers (FUSE's root is 1; zone files keep their zone index as
 * st_ino), runs a multi-threaded session and tells the kernel when the daemon
 * changed a file's attributes on its own.
 */
#ifndef ZCRYPTFS_FUSE_GLUE_H
#define ZCRYPTFS_FUSE_GLUE_H

#include "zfs.h"

struct zc_fuse_params {
	const char *device;		/* for /proc/mounts (fsname) */
	const char *mountpoint;
	const char *fuse_opts;		/* comma list for libfuse and the kernel, or NULL */
	int debug;
	int single_thread;
	int foreground;			/* log to stderr rather than syslog */
	/* Called once: 0 when the mount answers, or -errno when it does not.
	 * After a failure the mount is already undone. */
	void (*ready)(void *arg, int status, const char *msg);
	void *ready_arg;
};

/*
 * Check a comma list of FUSE/kernel mount options the way the session will,
 * without mounting: 0, or -EINVAL with err naming what libfuse refused.
 */
int zc_fuse_check_opts(const char *fuse_opts, char *err, size_t errlen);

/*
 * Mount fs at the mountpoint and serve requests until it is unmounted or a
 * signal asks to stop. Returns 0, or -errno with err filled when the mount
 * could not be made (nothing is left mounted then).
 */
int zc_fuse_run(struct zc_fs *fs, const struct zc_fuse_params *p, char *err, size_t errlen);

#endif
