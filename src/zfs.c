/*
 * The mount and the namespace: superblock check (SPEC §4.2), the file table
 * (§5.1), attributes (§5.2), setattr, statfs and xattrs (§5.6).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "super.h"
#include "zfs_int.h"

#define ZC_NAME_MAX 16
#define ZC_DEFAULT_PERM 0640u

static const char *const dir_names[ZC_DIR_NR] = { "cnv", "seq" };

static int set_err(char *err, size_t len, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && len)
		vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return r;
}

uint64_t zc_fs_root_ino(const struct zc_fs *fs)
{
	return fs->nr_zones;
}

static int is_dir_ino(const struct zc_fs *fs, uint64_t ino)
{
	return ino >= fs->nr_zones && ino <= fs->nr_zones + 2;
}

void zc_fs_set_notify(struct zc_fs *fs, const struct zc_fs_notify *n)
{
	fs->notify = *n;
}

/* ---- mount ------------------------------------------------------------------- */

int zc_super_read(struct zdev *dev, const struct zc_crypto *c, const struct zdev_zone *z0,
		  struct zc_super *sb, enum zc_super_err *why)
{
	if (z0->capacity < ZC_SUPER_SIZE ||
	    (z0->type != ZDEV_TYPE_CNV && z0->cond != ZDEV_COND_FULL &&
	     z0->wp - z0->start < ZC_SUPER_SIZE))
		return -ENODATA;
	uint8_t *buf;
	if (posix_memalign((void **)&buf, ZDEV_BUF_ALIGN, ZC_SUPER_SIZE))
		return -ENOMEM;
	ssize_t n = zdev_pread(dev, buf, ZC_SUPER_SIZE, 0);
	int r = n == ZC_SUPER_SIZE ? zc_decrypt(c, buf, buf, ZC_SUPER_SIZE, 0) : n < 0 ? (int)n : -EIO;
	if (r == 0) {
		*why = zc_super_decode(buf, sb);
		r = *why == ZC_SUPER_OK ? 0 : -EINVAL;
	}
	free(buf);
	return r;
}

static int read_super(struct zc_fs *fs, const struct zdev_zone *z0, const char *device,
		      struct zc_super *sb, char *err, size_t errlen)
{
	const char *fix = "wrong key or crypto options, or a device not formatted by mkzcryptfs; "
			  "format it with mkzcryptfs, or mount it with -o plain";
	enum zc_super_err why = ZC_SUPER_OK;
	int r = zc_super_read(fs->dev, fs->crypto, z0, sb, &why);
	if (r == -ENODATA)
		return set_err(err, errlen, -EINVAL, "%s: zone 0 holds no superblock: %s", device, fix);
	if (r == -EINVAL)
		return set_err(err, errlen, r, "%s: no valid zcryptfs superblock in zone 0 (%s): %s",
			       device, zc_super_strerror(why), fix);
	if (r)
		return set_err(err, errlen, r, "%s: cannot read the superblock: %s", device,
			       strerror(-r));
	return 0;
}

static void file_init(struct zc_fs *fs, struct zc_file *f, const struct zdev_zone *z,
		      uint32_t nzones, enum zc_dir dir, uint32_t mode, uint32_t uid, uint32_t gid)
{
	pthread_rwlock_init(&f->lock, NULL);
	f->zone = z->start / fs->info->zone_size;
	f->start = z->start;
	f->nzones = nzones;
	f->dir = (uint8_t)dir;
	f->cond = z->cond;
	f->mode = mode;
	f->uid = uid;
	f->gid = gid;
	f->atime = f->mtime = f->ctime = fs->mount_time;
	uint64_t cap = 0;
	for (uint32_t i = 0; i < nzones; i++)
		cap += z[i].capacity;
	/* A written sector can never be rewritten, so a file holds whole units. */
	f->capacity = cap - cap % fs->wunit;
	if (dir == ZC_DIR_SEQ) {
		uint64_t wp = z->cond == ZDEV_COND_FULL ? f->capacity : z->wp - z->start;
		f->wp = wp > f->capacity ? f->capacity : wp;
	}
	/* A write pointer inside an encryption unit is a torn write of a
	 * sector larger than the device's block: only whole units decrypt.
	 * The zone then refuses appends until it is reset (docs/design.md). */
	f->wp -= f->wp % fs->wunit;
	/* As zonefs at mount: a bad zone is immutable and mode 000, and a
	 * read-only zone's write pointer is invalid, so its file is empty. */
	if (z->cond == ZDEV_COND_OFFLINE) {
		f->offline = 1;
		f->mode = 0;
		f->wp = 0;
	} else if (z->cond == ZDEV_COND_READONLY) {
		f->zone_ro = 1;
		f->mode = 0;
		f->wp = 0;
	}
}

/* At mount, zones left open by a previous user are closed, empty ones reset. */
static void close_open_zones(struct zc_fs *fs, struct zdev_zone *zones)
{
	for (uint64_t i = 0; i < fs->nr_zones; i++) {
		struct zdev_zone *z = &zones[i];
		if (z->cond != ZDEV_COND_IMP_OPEN && z->cond != ZDEV_COND_EXP_OPEN)
			continue;
		int empty = z->wp == z->start;
		if (zdev_zone_op(fs->dev, empty ? ZDEV_OP_RESET : ZDEV_OP_CLOSE, i) == 0)
			z->cond = empty ? ZDEV_COND_EMPTY : ZDEV_COND_CLOSED;
	}
}

static int build_files(struct zc_fs *fs, const struct zdev_zone *zones, int aggr_cnv,
		       uint32_t mode, uint32_t uid, uint32_t gid)
{
	uint64_t first = fs->opts.plain ? 0 : 1;
	uint64_t n[ZC_DIR_NR] = { 0, 0 };
	for (uint64_t i = first; i < fs->nr_zones; i++) {
		if (zones[i].type != ZDEV_TYPE_CNV)
			n[ZC_DIR_SEQ]++;
		else if (!aggr_cnv || i == first || zones[i - 1].type != ZDEV_TYPE_CNV)
			n[ZC_DIR_CNV]++;
	}
	for (int d = 0; d < ZC_DIR_NR; d++) {
		fs->files[d] = n[d] ? calloc(n[d], sizeof(struct zc_file)) : NULL;
		if (n[d] && !fs->files[d])
			return -ENOMEM;
	}
	fs->by_ino = calloc(fs->nr_zones, sizeof(*fs->by_ino));
	if (!fs->by_ino)
		return -ENOMEM;
	for (uint64_t i = first; i < fs->nr_zones; i++) {
		if (zones[i].type != ZDEV_TYPE_CNV) {
			struct zc_file *f = &fs->files[ZC_DIR_SEQ][fs->nfiles[ZC_DIR_SEQ]++];
			file_init(fs, f, &zones[i], 1, ZC_DIR_SEQ, mode, uid, gid);
			fs->by_ino[i] = f;
			continue;
		}
		uint32_t run = 1;
		while (aggr_cnv && i + run < fs->nr_zones && zones[i + run].type == ZDEV_TYPE_CNV)
			run++;
		struct zc_file *f = &fs->files[ZC_DIR_CNV][fs->nfiles[ZC_DIR_CNV]++];
		file_init(fs, f, &zones[i], run, ZC_DIR_CNV, mode, uid, gid);
		fs->by_ino[i] = f;
		i += run - 1;
	}
	return 0;
}

int zc_fs_mount(const char *device, const struct zc_mount_opts *o, struct zc_fs **out,
		char *err, size_t errlen)
{
	int r = zc_crypto_opts_check(&o->crypto, err, errlen);
	if (r)
		return r;
	struct zc_fs *fs = calloc(1, sizeof(*fs));
	struct zdev_zone *zones = NULL;
	if (!fs)
		return set_err(err, errlen, -ENOMEM, "out of memory");
	fs->opts = *o;
	fs->opts.crypto.keyfile = NULL;	/* not needed after the key is read */
	pthread_mutex_init(&fs->open_lock, NULL);
	clock_gettime(CLOCK_REALTIME, &fs->mount_time);
	atomic_init(&fs->ro, o->ro);
	for (int d = 0; d < 3; d++) {
		fs->dirs[d].mode = 0555;
		fs->dirs[d].ctime = fs->mount_time;
	}

	r = zdev_open(device, o->ro ? ZDEV_RDONLY : 0, &fs->dev, err, errlen);
	if (r)
		goto fail;
	fs->info = zdev_info(fs->dev);
	fs->nr_zones = fs->info->nr_zones;
	r = zc_crypto_new(&o->crypto, &fs->crypto, err, errlen);
	if (r)
		goto fail;
	uint32_t u = fs->info->pblock_size > fs->info->lblock_size ? fs->info->pblock_size
								   : fs->info->lblock_size;
	unsigned ss = zc_crypto_sector_size(fs->crypto);
	fs->wunit = u > ss ? u : ss;
	if (fs->wunit > fs->info->zone_size) {
		r = set_err(err, errlen, -EINVAL, "%s: sector_size=%u is larger than a zone", device, ss);
		goto fail;
	}
	zones = calloc(fs->nr_zones ? fs->nr_zones : 1, sizeof(*zones));
	if (!zones) {
		r = set_err(err, errlen, -ENOMEM, "out of memory for %" PRIu64 " zones", fs->nr_zones);
		goto fail;
	}
	int got = zdev_report(fs->dev, 0, fs->nr_zones, zones);
	if (got < 0 || (uint64_t)got != fs->nr_zones) {
		r = set_err(err, errlen, got < 0 ? got : -EIO, "%s: zone report failed: %s", device,
			    strerror(got < 0 ? -got : EIO));
		goto fail;
	}
	if (fs->nr_zones < (o->plain ? 1u : 2u)) {
		r = set_err(err, errlen, -EINVAL, "%s: too few zones for a filesystem", device);
		goto fail;
	}

	uint32_t mode = ZC_DEFAULT_PERM, uid = 0, gid = 0;
	int aggr = 0;
	if (!o->plain) {
		struct zc_super sb;
		r = read_super(fs, &zones[0], device, &sb, err, errlen);
		if (r)
			goto fail;
		aggr = !!(sb.features & ZC_F_AGGRCNV);
		if (sb.features & ZC_F_UID)
			uid = sb.uid;
		if (sb.features & ZC_F_GID)
			gid = sb.gid;
		if (sb.features & ZC_F_PERM)
			mode = sb.perm & 07777;
	}
	if (o->have_uid)
		uid = o->uid;
	if (o->have_gid)
		gid = o->gid;
	if (o->have_perm)
		mode = o->perm & 07777;
	if (!o->ro)
		close_open_zones(fs, zones);
	r = build_files(fs, zones, aggr, mode, uid, gid);
	if (r) {
		set_err(err, errlen, r, "out of memory for the file table");
		goto fail;
	}
	free(zones);
	*out = fs;
	return 0;
fail:
	free(zones);
	zc_fs_unmount(fs);
	return r;
}

void zc_fs_unmount(struct zc_fs *fs)
{
	if (!fs)
		return;
	/* Handles the kernel never released (the session ended under them). */
	zc_file_free_handles(fs);
	for (int d = 0; d < ZC_DIR_NR; d++) {
		for (uint64_t i = 0; i < fs->nfiles[d]; i++) {
			struct zc_file *f = &fs->files[d][i];
			if (f->tail_len)
				(void)zc_file_flush_tail(fs, f);
			free(f->tail);
			pthread_rwlock_destroy(&f->lock);
		}
		free(fs->files[d]);
	}
	free(fs->by_ino);
	if (fs->dev) {
		if (!atomic_load(&fs->ro))
			(void)zdev_flush(fs->dev);
		zdev_close(fs->dev);
	}
	zc_crypto_free(fs->crypto);
	pthread_mutex_destroy(&fs->open_lock);
	free(fs);
}

/* ---- namespace and attributes --------------------------------------------------- */

static void fill_dir_stat(struct zc_fs *fs, uint64_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	int d = (int)(ino - fs->nr_zones);
	st->st_ino = ino;
	pthread_mutex_lock(&fs->open_lock);
	st->st_mode = S_IFDIR | fs->dirs[d].mode;
	st->st_uid = fs->dirs[d].uid;
	st->st_gid = fs->dirs[d].gid;
	st->st_ctim = fs->dirs[d].ctime;
	pthread_mutex_unlock(&fs->open_lock);
	st->st_blksize = fs->wunit;
	st->st_atim = st->st_mtim = fs->mount_time;
	if (ino == zc_fs_root_ino(fs)) {
		int ndirs = !!fs->nfiles[ZC_DIR_CNV] + !!fs->nfiles[ZC_DIR_SEQ];
		st->st_nlink = 2 + ndirs;
		st->st_size = ndirs;
	} else {
		st->st_nlink = 2;
		st->st_size = (off_t)fs->nfiles[ino - fs->nr_zones - 1];
	}
}

static void fill_file_stat(struct zc_fs *fs, struct zc_file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	pthread_rwlock_rdlock(&f->lock);
	st->st_ino = zc_file_ino(fs, f);
	st->st_mode = S_IFREG | f->mode;
	st->st_nlink = 1;
	st->st_uid = f->uid;
	st->st_gid = f->gid;
	st->st_size = (off_t)zc_file_size(f);
	st->st_blocks = (blkcnt_t)(f->capacity / 512);
	st->st_blksize = fs->wunit;
	st->st_atim = f->atime;
	st->st_mtim = f->mtime;
	st->st_ctim = f->ctime;
	pthread_rwlock_unlock(&f->lock);
}

int zc_fs_getattr(struct zc_fs *fs, uint64_t ino, struct stat *st)
{
	if (is_dir_ino(fs, ino)) {
		if (ino != zc_fs_root_ino(fs) && !fs->nfiles[ino - fs->nr_zones - 1])
			return -ENOENT;
		fill_dir_stat(fs, ino, st);
		return 0;
	}
	struct zc_file *f = zc_fs_file(fs, ino);
	if (!f)
		return -ENOENT;
	fill_file_stat(fs, f, st);
	return 0;
}

/* "0".."N-1" only: no sign, no leading zero, no other characters. */
static int parse_index(const char *name, uint64_t n, uint64_t *idx)
{
	uint64_t v = 0;
	if (!*name || (name[0] == '0' && name[1]))
		return -ENOENT;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -ENOENT;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v >= n)
		return -ENOENT;
	*idx = v;
	return 0;
}

int zc_fs_lookup(struct zc_fs *fs, uint64_t parent, const char *name, struct stat *st)
{
	if (strlen(name) > ZC_NAME_MAX)
		return -ENAMETOOLONG;
	if (parent == zc_fs_root_ino(fs)) {
		for (int d = 0; d < ZC_DIR_NR; d++)
			if (fs->nfiles[d] && !strcmp(name, dir_names[d]))
				return zc_fs_getattr(fs, fs->nr_zones + 1 + (uint64_t)d, st);
		return -ENOENT;
	}
	if (!is_dir_ino(fs, parent))
		return -ENOTDIR;
	int d = (int)(parent - fs->nr_zones - 1);
	uint64_t idx;
	if (parse_index(name, fs->nfiles[d], &idx))
		return -ENOENT;
	fill_file_stat(fs, &fs->files[d][idx], st);
	return 0;
}

int zc_fs_readdir(struct zc_fs *fs, uint64_t dir, uint64_t idx, char *name, size_t namelen,
		  struct stat *st)
{
	if (!is_dir_ino(fs, dir))
		return -ENOTDIR;
	if (idx < 2) {
		snprintf(name, namelen, "%s", idx ? ".." : ".");
		fill_dir_stat(fs, idx ? zc_fs_root_ino(fs) : dir, st);
		return 0;
	}
	idx -= 2;
	if (dir == zc_fs_root_ino(fs)) {
		for (int d = 0; d < ZC_DIR_NR; d++) {
			if (!fs->nfiles[d])
				continue;
			if (idx-- == 0) {
				snprintf(name, namelen, "%s", dir_names[d]);
				fill_dir_stat(fs, fs->nr_zones + 1 + (uint64_t)d, st);
				return 0;
			}
		}
		return -ENOENT;
	}
	int d = (int)(dir - fs->nr_zones - 1);
	if (idx >= fs->nfiles[d])
		return -ENOENT;
	snprintf(name, namelen, "%" PRIu64, idx);
	fill_file_stat(fs, &fs->files[d][idx], st);
	return 0;
}

static void set_time(struct timespec *t, const struct timespec *v, int now)
{
	if (now)
		clock_gettime(CLOCK_REALTIME, t);
	else
		*t = *v;
}

int zc_fs_setattr(struct zc_fs *fs, uint64_t ino, const struct stat *a, int to_set,
		  struct stat *out)
{
	if (is_dir_ino(fs, ino)) {
		if ((to_set & ZC_SET_MODE) && (a->st_mode & 0222))
			return -EPERM;	/* nothing can be created in them */
		if (to_set & ZC_SET_SIZE)
			return -EISDIR;
		if (atomic_load(&fs->ro))
			return -EROFS;
		int d = (int)(ino - fs->nr_zones);
		pthread_mutex_lock(&fs->open_lock);
		if (to_set & ZC_SET_MODE)
			fs->dirs[d].mode = a->st_mode & 07777;
		if (to_set & ZC_SET_UID)
			fs->dirs[d].uid = a->st_uid;
		if (to_set & ZC_SET_GID)
			fs->dirs[d].gid = a->st_gid;
		if (to_set & (ZC_SET_MODE | ZC_SET_UID | ZC_SET_GID))
			clock_gettime(CLOCK_REALTIME, &fs->dirs[d].ctime);
		pthread_mutex_unlock(&fs->open_lock);
		return zc_fs_getattr(fs, ino, out);
	}
	struct zc_file *f = zc_fs_file(fs, ino);
	if (!f)
		return -ENOENT;
	if (atomic_load(&fs->ro))
		return -EROFS;
	int r = 0;
	pthread_rwlock_wrlock(&f->lock);
	if (f->offline || f->zone_ro)
		r = -EPERM;	/* immutable, as zonefs marks bad zones */
	else if (to_set & ZC_SET_SIZE)
		r = zc_file_truncate(fs, f, (uint64_t)a->st_size);
	if (!r) {
		if (to_set & ZC_SET_MODE)
			f->mode = a->st_mode & 07777;
		if (to_set & ZC_SET_UID)
			f->uid = a->st_uid;
		if (to_set & ZC_SET_GID)
			f->gid = a->st_gid;
		if (to_set & (ZC_SET_ATIME | ZC_SET_ATIME_NOW))
			set_time(&f->atime, &a->st_atim, to_set & ZC_SET_ATIME_NOW);
		if (to_set & (ZC_SET_MTIME | ZC_SET_MTIME_NOW))
			set_time(&f->mtime, &a->st_mtim, to_set & ZC_SET_MTIME_NOW);
		if (to_set & (ZC_SET_MODE | ZC_SET_UID | ZC_SET_GID | ZC_SET_ATIME | ZC_SET_MTIME |
			      ZC_SET_ATIME_NOW | ZC_SET_MTIME_NOW))
			clock_gettime(CLOCK_REALTIME, &f->ctime);
	}
	pthread_rwlock_unlock(&f->lock);
	if (r)
		return r;
	fill_file_stat(fs, f, out);
	return 0;
}

/* ---- statfs, xattrs, counters ------------------------------------------------------ */

int zc_fs_statfs(struct zc_fs *fs, struct statvfs *st)
{
	uint64_t blocks = 0, used = 0, files = 0;
	for (int d = 0; d < ZC_DIR_NR; d++) {
		if (!fs->nfiles[d])
			continue;
		files += fs->nfiles[d] + 1;
		for (uint64_t i = 0; i < fs->nfiles[d]; i++) {
			struct zc_file *f = &fs->files[d][i];
			blocks += f->capacity / fs->wunit;
			if (d == ZC_DIR_CNV) {
				used += f->capacity / fs->wunit;
			} else {
				pthread_rwlock_rdlock(&f->lock);
				used += (zc_file_size(f) + fs->wunit - 1) / fs->wunit;
				pthread_rwlock_unlock(&f->lock);
			}
		}
	}
	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = fs->wunit;
	st->f_blocks = blocks;
	st->f_bfree = st->f_bavail = blocks - used;
	st->f_files = files;
	st->f_ffree = st->f_favail = 0;
	st->f_namemax = ZC_NAME_MAX;
	return 0;
}

struct counters {
	uint64_t nr_wro, max_wro, nr_active, max_active;
};

static void get_counters(struct zc_fs *fs, struct counters *c)
{
	pthread_mutex_lock(&fs->open_lock);
	c->nr_wro = fs->nr_wro_seq;
	pthread_mutex_unlock(&fs->open_lock);
	c->max_wro = fs->info->max_open;
	c->max_active = fs->info->max_active;
	c->nr_active = 0;
	for (uint64_t i = 0; i < fs->nfiles[ZC_DIR_SEQ]; i++) {
		const struct zc_file *f = &fs->files[ZC_DIR_SEQ][i];
		uint8_t cond = f->cond;
		if (cond == ZDEV_COND_IMP_OPEN || cond == ZDEV_COND_EXP_OPEN || cond == ZDEV_COND_CLOSED)
			c->nr_active++;
	}
}

static const char *const root_xattrs[] = {
	"user.zcryptfs.nr_wro_seq_files", "user.zcryptfs.max_wro_seq_files",
	"user.zcryptfs.nr_active_seq_files", "user.zcryptfs.max_active_seq_files",
	"user.zcryptfs.bytes_read", "user.zcryptfs.bytes_written",
	"user.zcryptfs.read_errors", "user.zcryptfs.write_errors", "user.zcryptfs.ro",
};
static const char *const file_xattrs[] = {
	"user.zone.start", "user.zone.capacity", "user.zone.wp", "user.zone.cond",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void root_values(struct zc_fs *fs, uint64_t v[NELEM(root_xattrs)])
{
	struct counters c;
	get_counters(fs, &c);
	v[0] = c.nr_wro;
	v[1] = c.max_wro;
	v[2] = c.nr_active;
	v[3] = c.max_active;
	v[4] = atomic_load(&fs->bytes_read);
	v[5] = atomic_load(&fs->bytes_written);
	v[6] = atomic_load(&fs->read_errors);
	v[7] = atomic_load(&fs->write_errors);
	v[8] = (uint64_t)atomic_load(&fs->ro);
}

static ssize_t put_value(const char *val, char *buf, size_t size)
{
	size_t n = strlen(val);
	if (!size)
		return (ssize_t)n;
	if (size < n)
		return -ERANGE;
	memcpy(buf, val, n);
	return (ssize_t)n;
}

ssize_t zc_fs_getxattr(struct zc_fs *fs, uint64_t ino, const char *name, char *buf, size_t size)
{
	char val[64];
	if (ino == zc_fs_root_ino(fs)) {
		uint64_t v[NELEM(root_xattrs)];
		for (size_t i = 0; i < NELEM(root_xattrs); i++) {
			if (strcmp(name, root_xattrs[i]))
				continue;
			root_values(fs, v);
			snprintf(val, sizeof(val), "%" PRIu64, v[i]);
			return put_value(val, buf, size);
		}
		return -EOPNOTSUPP;
	}
	struct zc_file *f = zc_fs_file(fs, ino);
	if (!f)
		return is_dir_ino(fs, ino) ? -EOPNOTSUPP : -ENOENT;
	size_t i;
	for (i = 0; i < NELEM(file_xattrs); i++)
		if (!strcmp(name, file_xattrs[i]))
			break;
	if (i == NELEM(file_xattrs))
		return -EOPNOTSUPP;	/* SPEC §5.4: nothing else is stored */
	/* Ask the device: the condition is what it says now, not at mount. */
	struct zdev_zone z;
	uint8_t cond = f->cond;
	uint64_t wp;
	pthread_rwlock_rdlock(&f->lock);
	wp = f->dir == ZC_DIR_SEQ ? f->start + f->wp : f->start;
	pthread_rwlock_unlock(&f->lock);
	if (zdev_report(fs->dev, f->zone, 1, &z) == 1) {
		cond = z.cond;
		wp = z.wp;
	}
	switch (i) {
	case 0: snprintf(val, sizeof(val), "%" PRIu64, f->start); break;
	case 1: snprintf(val, sizeof(val), "%" PRIu64, f->capacity); break;
	case 2: snprintf(val, sizeof(val), "%" PRIu64, wp); break;
	default: snprintf(val, sizeof(val), "%s", zdev_cond_name(cond)); break;
	}
	return put_value(val, buf, size);
}

ssize_t zc_fs_listxattr(struct zc_fs *fs, uint64_t ino, char *buf, size_t size)
{
	const char *const *names;
	size_t n, total = 0;
	if (ino == zc_fs_root_ino(fs)) {
		names = root_xattrs;
		n = NELEM(root_xattrs);
	} else if (zc_fs_file(fs, ino)) {
		names = file_xattrs;
		n = NELEM(file_xattrs);
	} else {
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(names[i]) + 1;
	if (!size)
		return (ssize_t)total;
	if (size < total)
		return -ERANGE;
	for (size_t i = 0, o = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;
		memcpy(buf + o, names[i], l);
		o += l;
	}
	return (ssize_t)total;
}

void zc_fs_log_counters(struct zc_fs *fs, FILE *out)
{
	uint64_t v[NELEM(root_xattrs)];
	root_values(fs, v);
	for (size_t i = 0; i < NELEM(root_xattrs); i++)
		fprintf(out, "%s %" PRIu64 "\n", root_xattrs[i] + strlen("user.zcryptfs."), v[i]);
}
