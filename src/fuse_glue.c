/* FUSE low-level glue: requests in, zfs.h calls, replies out. */
#define FUSE_USE_VERSION 312
#include "fuse_glue.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* Names never change and the daemon invalidates what it changes itself,
 * so the kernel may cache; the timeout only bounds damage from outside. */
#define ATTR_TIMEOUT 1.0
#define MAX_IO (1u << 20)

struct glue {
	struct zc_fs *fs;
	struct fuse_session *se;
	const struct zc_fuse_params *p;
	uint64_t root;
	volatile sig_atomic_t stopping;
	pthread_t remount;
	int have_remount;
	dev_t mnt_dev;		/* st_dev of the mount once it answered */
};

static void glue_log(const struct glue *g, int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (g->p->foreground) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

/* FUSE's root is node 1 and node 0 is invalid; zone files keep their zone
 * index as st_ino, so nodes are offset by 2 and the root is special. */
static fuse_ino_t to_node(const struct glue *g, uint64_t ino)
{
	return ino == g->root ? FUSE_ROOT_ID : (fuse_ino_t)ino + 2;
}

static uint64_t to_ino(const struct glue *g, fuse_ino_t node)
{
	return node == FUSE_ROOT_ID ? g->root : (uint64_t)node - 2;
}

static struct glue *G(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void reply_entry(fuse_req_t req, const struct stat *st)
{
	struct fuse_entry_param e;
	memset(&e, 0, sizeof(e));
	e.ino = to_node(G(req), st->st_ino);
	e.attr = *st;
	e.attr_timeout = ATTR_TIMEOUT;
	e.entry_timeout = ATTR_TIMEOUT;
	fuse_reply_entry(req, &e);
}

static void op_init(void *data, struct fuse_conn_info *conn)
{
	(void)data;
	/* Async direct I/O would let the kernel send the pieces of one large
	 * O_DIRECT append at once, out of order: a sequential zone refuses that. */
	conn->want &= ~FUSE_CAP_ASYNC_DIO;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	conn->max_write = MAX_IO;
	conn->max_readahead = MAX_IO;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct stat st;
	int r = zc_fs_lookup(G(req)->fs, to_ino(G(req), parent), name, &st);
	if (r)
		fuse_reply_err(req, -r);
	else
		reply_entry(req, &st);
}

static void op_getattr(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	struct stat st;
	(void)fi;
	int r = zc_fs_getattr(G(req)->fs, to_ino(G(req), node), &st);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

static struct zc_handle *H(struct fuse_file_info *fi)
{
	return (struct zc_handle *)(uintptr_t)fi->fh;
}

static void op_setattr(fuse_req_t req, fuse_ino_t node, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	static const struct { int fuse, zc; } map[] = {
		{ FUSE_SET_ATTR_MODE, ZC_SET_MODE }, { FUSE_SET_ATTR_UID, ZC_SET_UID },
		{ FUSE_SET_ATTR_GID, ZC_SET_GID }, { FUSE_SET_ATTR_SIZE, ZC_SET_SIZE },
		{ FUSE_SET_ATTR_ATIME, ZC_SET_ATIME }, { FUSE_SET_ATTR_MTIME, ZC_SET_MTIME },
		{ FUSE_SET_ATTR_ATIME_NOW, ZC_SET_ATIME_NOW },
		{ FUSE_SET_ATTR_MTIME_NOW, ZC_SET_MTIME_NOW }, { FUSE_SET_ATTR_CTIME, ZC_SET_CTIME },
	};
	int set = 0, r;
	struct stat st;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (to_set & map[i].fuse)
			set |= map[i].zc;
	if ((set & ZC_SET_SIZE) && fi && zc_fs_is_write_undo(G(req)->fs, H(fi), (uint64_t)attr->st_size))
		r = zc_fs_getattr(G(req)->fs, to_ino(G(req), node), &st);
	else
		r = zc_fs_setattr(G(req)->fs, to_ino(G(req), node), attr, set, &st);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

static void op_readdir(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct glue *g = G(req);
	uint64_t dir = to_ino(g, node);
	char *buf = malloc(size);
	size_t used = 0;
	(void)fi;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (uint64_t idx = (uint64_t)off;; idx++) {
		char name[32];
		struct stat st;
		int r = zc_fs_readdir(g->fs, dir, idx, name, sizeof(name), &st);
		if (r == -ENOENT)
			break;
		if (r) {
			free(buf);
			fuse_reply_err(req, -r);
			return;
		}
		size_t need = fuse_add_direntry(req, buf + used, size - used, name, &st, (off_t)idx + 1);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void op_open(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	struct zc_handle *h;
	int r = zc_fs_open(G(req)->fs, to_ino(G(req), node), fi->flags, &h);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) == -ENOENT)
		zc_fs_release(G(req)->fs, h);	/* interrupted: the kernel never saw it */
}

static void op_read(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	const char *data = NULL;
	(void)node;
	ssize_t n = zc_fs_read(G(req)->fs, H(fi), (uint64_t)off, size, &data);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, data, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t node, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)node;
	ssize_t n = zc_fs_write(G(req)->fs, H(fi), buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_flush(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	(void)node;
	fuse_reply_err(req, -zc_fs_flush(G(req)->fs, H(fi)));
}

static void op_release(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	(void)node;
	zc_fs_release(G(req)->fs, H(fi));
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t node, int datasync, struct fuse_file_info *fi)
{
	(void)node;
	(void)datasync;
	fuse_reply_err(req, -zc_fs_fsync(G(req)->fs, H(fi)));
}

static void op_statfs(fuse_req_t req, fuse_ino_t node)
{
	struct statvfs st;
	(void)node;
	int r = zc_fs_statfs(G(req)->fs, &st);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_statfs(req, &st);
}

/* getxattr and listxattr: size 0 asks for the length, else for the bytes. */
static void reply_xattr(fuse_req_t req, fuse_ino_t node, const char *name, size_t size)
{
	char *buf = size ? malloc(size) : NULL;
	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	uint64_t ino = to_ino(G(req), node);
	ssize_t n = name ? zc_fs_getxattr(G(req)->fs, ino, name, buf, size)
			 : zc_fs_listxattr(G(req)->fs, ino, buf, size);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else if (!size)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t node, const char *name, size_t size)
{
	reply_xattr(req, node, name, size);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t node, size_t size)
{
	reply_xattr(req, node, NULL, size);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t node, const char *name, const char *value,
			size_t size, int flags)
{
	(void)node; (void)value; (void)size; (void)flags;
	/* Ours are read-only; nothing else is stored. */
	fuse_reply_err(req, !strncmp(name, "user.zone.", 10) || !strncmp(name, "user.zcryptfs.", 14)
				    ? EPERM : EOPNOTSUPP);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t node, const char *name)
{
	op_setxattr(req, node, name, NULL, 0, 0);
}

/* The namespace is the device's zones: no new names, none removed. */
static void op_mknod(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m, dev_t d)
{
	(void)p; (void)n; (void)m; (void)d;
	fuse_reply_err(req, ENOENT);
}
static void op_mkdir(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m)
{
	(void)p; (void)n; (void)m;
	fuse_reply_err(req, ENOENT);
}
static void op_symlink(fuse_req_t req, const char *l, fuse_ino_t p, const char *n)
{
	(void)l; (void)p; (void)n;
	fuse_reply_err(req, ENOENT);
}
static void op_link(fuse_req_t req, fuse_ino_t i, fuse_ino_t p, const char *n)
{
	(void)i; (void)p; (void)n;
	fuse_reply_err(req, ENOENT);
}
static void op_create(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m,
		      struct fuse_file_info *fi)
{
	(void)p; (void)n; (void)m; (void)fi;
	fuse_reply_err(req, ENOENT);
}
static void op_unlink(fuse_req_t req, fuse_ino_t p, const char *n)
{
	(void)p; (void)n;
	fuse_reply_err(req, EPERM);
}
static void op_rename(fuse_req_t req, fuse_ino_t p, const char *n, fuse_ino_t np, const char *nn,
		      unsigned int flags)
{
	(void)p; (void)n; (void)np; (void)nn; (void)flags;
	fuse_reply_err(req, EPERM);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.statfs = op_statfs,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.setxattr = op_setxattr,
	.removexattr = op_removexattr,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.symlink = op_symlink,
	.link = op_link,
	.create = op_create,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.rename = op_rename,
};

/* ---- notifications from the file layer ------------------------------------------ */

static void notify_inval_attr(void *arg, uint64_t ino)
{
	struct glue *g = arg;
	/* A negative offset drops only the cached attributes: no page locks,
	 * so this is safe from inside a request on the same inode. */
	(void)fuse_lowlevel_notify_inval_inode(g->se, to_node(g, ino), -1, 0);
}

/*
 * Calls that touch the daemon's own mount run in a child process. A thread
 * of the daemon that stats its own mount waits for the other threads to
 * answer, which is fine natively but deadlocks wherever threads are
 * serialised (valgrind holds its one lock across a stat). The child does
 * nothing but the calls and sends back one int and a stat.
 */
struct child_out { int err; struct stat st; };

static int in_child(void (*fn)(const void *arg, struct child_out *out), const void *arg,
		    struct child_out *res)
{
	struct child_out out;
	int fds[2];
	memset(&out, 0, sizeof(out));	/* padding too: it crosses a pipe */
	if (pipe(fds))
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fn(arg, &out);
		_exit(write(fds[1], &out, sizeof(out)) == (ssize_t)sizeof(out) ? 0 : 1);
	}
	int e = pid < 0 ? errno : 0;
	close(fds[1]);
	ssize_t n = -1;
	if (pid > 0) {
		do {
			n = read(fds[0], &out, sizeof(out));
		} while (n < 0 && errno == EINTR);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	if (e)
		return -e;
	if (n != (ssize_t)sizeof(out))
		return -EIO;
	*res = out;
	return 0;
}

static void child_stat(const void *arg, struct child_out *out)
{
	out->err = stat(arg, &out->st) ? errno : 0;
}

static int stat_elsewhere(const char *path, struct stat *st)
{
	struct child_out out;
	int r = in_child(child_stat, path, &out);
	if (r)
		return r;
	if (out.err)
		return -out.err;
	*st = out.st;
	return 0;
}

struct remount_req { const char *path; dev_t dev; };

/*
 * The remount goes through a descriptor of the mount's root, checked to be
 * this mount: a path alone could be unmounted between the check and the
 * call, and the remount would then hit the filesystem underneath. A
 * descriptor keeps pointing at the mount it was opened on; once that mount
 * is detached the kernel refuses to remount it. Per-mount flags are kept.
 */
static void child_remount_ro(const void *arg, struct child_out *out)
{
	const struct remount_req *rq = arg;
	int fd = open(rq->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statvfs vfs;
	if (fd < 0 || fstat(fd, &out->st) || fstatvfs(fd, &vfs) || out->st.st_dev != rq->dev) {
		out->err = ESTALE;
		return;
	}
	unsigned long flags = MS_REMOUNT | MS_RDONLY;
	if (vfs.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (vfs.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (vfs.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	char fdpath[32];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	out->err = mount(NULL, fdpath, NULL, flags, NULL) ? errno : 0;
	/* Detached meanwhile (umount -l): nothing is left to remount. */
	if (out->err == EINVAL && (stat(rq->path, &out->st) || out->st.st_dev != rq->dev))
		out->err = ESTALE;
}

/*
 * The kernel refuses a read-only remount (EBUSY) while a file is open for
 * writing, which is exactly when a write error happens; zonefs can force it
 * from inside the kernel, a daemon cannot. So try again until the writers
 * are gone. Meanwhile the daemon answers every write with EROFS.
 */
static void *remount_ro_thread(void *arg)
{
	struct glue *g = arg;
	struct remount_req rq = { g->p->mountpoint, g->mnt_dev };
	while (!g->stopping) {
		struct child_out out;
		int r = in_child(child_remount_ro, &rq, &out);
		if (r == 0)
			r = -out.err;
		if (r == 0 || r == -ESTALE)
			break;
		if (r != -EBUSY) {
			glue_log(g, LOG_WARNING, "zcryptfs: %s: cannot remount read-only in the kernel: "
				 "%s (the daemon refuses writes with EROFS)", g->p->mountpoint,
				 strerror(-r));
			break;
		}
		usleep(100 * 1000);
	}
	return NULL;
}

static void notify_remount_ro(void *arg)
{
	struct glue *g = arg;
	glue_log(g, LOG_ERR, "zcryptfs: %s: write error, errors=remount-ro: now read-only",
		 g->p->mountpoint);
	/* Remounting syncs the mount, which needs request threads: not from this
	 * one. The file layer calls this once per mount. */
	g->have_remount = pthread_create(&g->remount, NULL, remount_ro_thread, g) == 0;
}

/* ---- readiness and signals ---------------------------------------------------------- */

/*
 * FUSE caps a mount's readahead at 128 KiB whatever max_readahead says; a
 * sequential reader of 1 MiB zones is then held to 128 KiB requests. Root
 * may lift it through the mount's bdi; anyone else keeps the default.
 */
static void raise_readahead(const struct stat *st)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb", major(st->st_dev),
		 minor(st->st_dev));
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", MAX_IO / 1024);
		fclose(f);
	}
}

static void *verify_thread(void *arg)
{
	struct glue *g = arg;
	struct stat st;
	int r = stat_elsewhere(g->p->mountpoint, &st);
	if (r == 0 && st.st_ino == g->root) {
		g->mnt_dev = st.st_dev;
		raise_readahead(&st);
		g->p->ready(g->p->ready_arg, 0, NULL);
		return NULL;
	}
	char msg[256];
	snprintf(msg, sizeof(msg), "%s: the mount does not answer: %s", g->p->mountpoint,
		 r ? strerror(-r) : "another filesystem is there");
	fuse_session_exit(g->se);
	fuse_session_unmount(g->se);
	g->p->ready(g->p->ready_arg, -EIO, msg);
	return NULL;
}

static void *usr1_thread(void *arg)
{
	struct glue *g = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) || g->stopping)
			break;
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (!m)
			continue;
		zc_fs_log_counters(g->fs, m);
		fclose(m);
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			glue_log(g, LOG_INFO, "zcryptfs: %s", line);
		free(text);
	}
	return NULL;
}

/* fsname is shown in /proc/mounts; fuse_opt needs ',' and '\' escaped. */
static char *build_opts(const struct zc_fuse_params *p)
{
	size_t n = strlen(p->device) * 2 + (p->fuse_opts ? strlen(p->fuse_opts) : 0) + 96;
	char *s = malloc(n), *o = s;
	if (!s)
		return NULL;
	o += sprintf(o, "subtype=zcryptfs,default_permissions,fsname=");
	for (const char *c = p->device; *c; c++) {
		if (*c == ',' || *c == '\\')
			*o++ = '\\';
		*o++ = *c;
	}
	*o = 0;
	if (p->fuse_opts && *p->fuse_opts)
		sprintf(o, ",%s", p->fuse_opts);
	return s;
}

/*
 * A session from p's options, parsed as libfuse parses a command line (so
 * max_threads= and the like land in *cl). NULL when libfuse refuses them;
 * it has printed which one.
 */
static struct fuse_session *new_session(const struct zc_fuse_params *p, void *userdata,
					struct fuse_cmdline_opts *cl)
{
	char *optstr = build_opts(p);
	char *argv[] = { "zcryptfs", "-o", optstr, (char *)p->mountpoint, p->debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(p->debug ? 5 : 4, argv);
	struct fuse_session *se = NULL;
	memset(cl, 0, sizeof(*cl));
	if (optstr && fuse_parse_cmdline(&args, cl) == 0)
		se = fuse_session_new(&args, &ops, sizeof(ops), userdata);
	free(cl->mountpoint);
	cl->mountpoint = NULL;
	fuse_opt_free_args(&args);
	free(optstr);
	return se;
}

int zc_fuse_check_opts(const char *fuse_opts, char *err, size_t errlen)
{
	struct zc_fuse_params p = { .device = "check", .mountpoint = "/", .fuse_opts = fuse_opts };
	struct fuse_cmdline_opts cl;
	struct fuse_session *se = new_session(&p, NULL, &cl);
	if (!se) {
		snprintf(err, errlen, "unknown or malformed option in -o %s", fuse_opts ? fuse_opts : "");
		return -EINVAL;
	}
	fuse_session_destroy(se);
	return 0;
}

int zc_fuse_run(struct zc_fs *fs, const struct zc_fuse_params *p, char *err, size_t errlen)
{
	struct glue g = { .fs = fs, .p = p, .root = zc_fs_root_ino(fs) };
	struct fuse_cmdline_opts cl;
	int r = -EINVAL;
	pthread_t usr1, verify;
	int have_usr1 = 0;

	g.se = new_session(p, &g, &cl);
	if (!g.se) {
		snprintf(err, errlen, "FUSE refused the options (see above): %s",
			 p->fuse_opts ? p->fuse_opts : "");
		return -EINVAL;
	}
	struct zc_fs_notify n = { notify_inval_attr, notify_remount_ro, &g };
	zc_fs_set_notify(fs, &n);
	if (fuse_set_signal_handlers(g.se) != 0) {
		snprintf(err, errlen, "cannot install signal handlers");
		goto out_session;
	}
	if (fuse_session_mount(g.se, p->mountpoint) != 0) {
		snprintf(err, errlen, "%s: cannot mount here (is it an existing directory, and "
			 "/dev/fuse usable?)", p->mountpoint);
		goto out_signals;
	}
	/* SIGUSR1 is taken by one thread with sigwait; every other thread,
	 * the request threads included, inherits it blocked. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	have_usr1 = pthread_create(&usr1, NULL, usr1_thread, &g) == 0;
	if (pthread_create(&verify, NULL, verify_thread, &g) != 0) {
		snprintf(err, errlen, "cannot start a thread");
		fuse_session_unmount(g.se);
		goto out_threads;
	}
	if (p->single_thread) {
		r = fuse_session_loop(g.se);
	} else {
		struct fuse_loop_config *cfg = fuse_loop_cfg_create();
		if (cl.max_threads && cl.max_threads != UINT_MAX)
			fuse_loop_cfg_set_max_threads(cfg, cl.max_threads);
		fuse_loop_cfg_set_clone_fd(cfg, (unsigned)cl.clone_fd);
		/* libfuse's default keeps idle workers for good: a destroyed one
		 * would take its I/O buffer with it, faulted in again by the next. */
		if (cl.max_idle_threads && cl.max_idle_threads != UINT_MAX)
			fuse_loop_cfg_set_idle_threads(cfg, cl.max_idle_threads);
		r = fuse_session_loop_mt(g.se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	pthread_join(verify, NULL);
	if (r < 0)
		snprintf(err, errlen, "FUSE session ended with an error: %s", strerror(-r));
	r = r < 0 ? r : 0;
	/* The file layer outlives the session (the caller writes pending tails
	 * at unmount): from here on it must not call into this one. */
	zc_fs_set_notify(fs, &(struct zc_fs_notify){ 0 });
	/* Nor may a read-only remount retry once the mount can go away. */
	g.stopping = 1;
	if (g.have_remount)
		pthread_join(g.remount, NULL);
	g.have_remount = 0;
	fuse_session_unmount(g.se);
out_threads:
	g.stopping = 1;
	if (g.have_remount)
		pthread_join(g.remount, NULL);
	if (have_usr1) {
		pthread_kill(usr1, SIGUSR1);
		pthread_join(usr1, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out_signals:
	fuse_remove_signal_handlers(g.se);
out_session:
	zc_fs_set_notify(fs, &(struct zc_fs_notify){ 0 });
	fuse_session_destroy(g.se);
	return r;
}
