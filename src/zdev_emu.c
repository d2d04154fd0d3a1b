/*
 * zdev backend for the emulated zoned device: a directory in the kernel's
 * zloop layout plus a shared state file (see emu.h for the rules and why).
 *
 * Locking: the device-wide lock (global) is taken only for transitions that
 * count against max_open/max_active, always before a zone lock. Data I/O to
 * an already open zone holds only that zone's lock, so writes to different
 * zones run in parallel. Each lock is a mutex (threads of this process; the
 * zone mutexes are striped) plus an OFD lock on one byte of the state file
 * (other processes; OFD locks never exclude threads sharing a descriptor).
 */
#include "zdev_backend.h"
#include "emu.h"
#include "emu_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "ZCEMUST1"
#define STATE_VERSION 1
#define LOCK_STRIPES 256
#define FD_CACHE 64

/* Shared, little-endian host layout; the file never leaves the machine. */
struct emu_hdr {
	char magic[8];
	uint32_t version;
	uint32_t rec_size;
	uint64_t nr_zones;
	uint32_t nr_imp_open;
	uint32_t nr_exp_open;
	uint32_t nr_closed;
	uint32_t pad0;
	uint64_t close_rr;	/* where the next implicit-close search starts */
	uint8_t pad[16];
};

struct emu_rec {
	uint8_t open;		/* 0, ZDEV_COND_IMP_OPEN or ZDEV_COND_EXP_OPEN */
	uint8_t override;	/* 0, ZDEV_COND_READONLY or ZDEV_COND_OFFLINE */
	uint16_t pad;
	uint32_t fail_writes;
	uint32_t fail_reads;
	uint32_t partial;	/* blocks + 1; 0 = no partial-write fault */
};

struct fd_slot {
	uint64_t zone;
	int fd;
	int ref;
};

struct emu_dev {
	struct zdev z;
	struct emu_geometry geo;
	int dirfd;
	int statefd;
	int rdonly;
	unsigned zshift;
	struct emu_hdr *hdr;
	struct emu_rec *rec;
	size_t maplen;
	pthread_mutex_t glock;
	pthread_mutex_t zlock[LOCK_STRIPES];
	pthread_mutex_t cache_lock;
	struct fd_slot cache[FD_CACHE];
};

static struct emu_dev *ed(struct zdev *dev)
{
	return (struct emu_dev *)dev;
}

/* ---- locks ------------------------------------------------------------ */

static void ofd_lock(struct emu_dev *d, uint64_t byte, short type)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = (off_t)byte,
		.l_len = 1,
	};

	/* ENOLCK and the like leave only the in-process mutex: still correct for one process. */
	while (fcntl(d->statefd, F_OFD_SETLKW, &fl) < 0 && errno == EINTR)
		;
}

static void global_lock(struct emu_dev *d)
{
	pthread_mutex_lock(&d->glock);
	ofd_lock(d, 0, F_WRLCK);
}

static void global_unlock(struct emu_dev *d)
{
	ofd_lock(d, 0, F_UNLCK);
	pthread_mutex_unlock(&d->glock);
}

static void zone_lock(struct emu_dev *d, uint64_t z)
{
	pthread_mutex_lock(&d->zlock[z % LOCK_STRIPES]);
	ofd_lock(d, 1 + z, F_WRLCK);
}

static void zone_unlock(struct emu_dev *d, uint64_t z)
{
	ofd_lock(d, 1 + z, F_UNLCK);
	pthread_mutex_unlock(&d->zlock[z % LOCK_STRIPES]);
}

/* A second zone lock, taken only with the global lock and zone `held` locked. */
static void victim_lock(struct emu_dev *d, uint64_t z, uint64_t held)
{
	if (z % LOCK_STRIPES != held % LOCK_STRIPES)
		pthread_mutex_lock(&d->zlock[z % LOCK_STRIPES]);
	ofd_lock(d, 1 + z, F_WRLCK);
}

static void victim_unlock(struct emu_dev *d, uint64_t z, uint64_t held)
{
	ofd_lock(d, 1 + z, F_UNLCK);
	if (z % LOCK_STRIPES != held % LOCK_STRIPES)
		pthread_mutex_unlock(&d->zlock[z % LOCK_STRIPES]);
}

/* ---- zone files ------------------------------------------------------- */

static int zone_name(const struct emu_dev *d, uint64_t z, char *buf, size_t len)
{
	return snprintf(buf, len, "%s-%06llu", z < d->geo.nr_cnv_zones ? "cnv" : "seq",
			(unsigned long long)z);
}

static int open_zone_file(struct emu_dev *d, uint64_t z)
{
	char name[32];
	struct stat st;
	int fd;

	zone_name(d, z, name, sizeof(name));
	/* O_NONBLOCK: a FIFO planted in place of a zone file must not hang us. */
	fd = openat(d->dirfd, name, (d->rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	if (fd < 0)
		return -EIO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * A small direct-mapped cache of zone descriptors: a busy slot makes the
 * caller use a private descriptor, so the number of open files stays bounded.
 * *slot is set to -1 for a private descriptor.
 */
static int get_fd(struct emu_dev *d, uint64_t z, int *slot)
{
	struct fd_slot *s = &d->cache[z % FD_CACHE];
	int fd;

	pthread_mutex_lock(&d->cache_lock);
	if (s->fd >= 0 && s->zone == z) {
		s->ref++;
		fd = s->fd;
		pthread_mutex_unlock(&d->cache_lock);
		*slot = (int)(z % FD_CACHE);
		return fd;
	}
	if (s->ref == 0) {
		if (s->fd >= 0)
			close(s->fd);
		s->fd = open_zone_file(d, z);
		fd = s->fd;
		if (fd >= 0) {
			s->zone = z;
			s->ref = 1;
		}
		pthread_mutex_unlock(&d->cache_lock);
		*slot = (int)(z % FD_CACHE);
		return fd;
	}
	pthread_mutex_unlock(&d->cache_lock);
	*slot = -1;
	return open_zone_file(d, z);
}

static void put_fd(struct emu_dev *d, int fd, int slot)
{
	if (slot < 0) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&d->cache_lock);
	d->cache[slot].ref--;
	pthread_mutex_unlock(&d->cache_lock);
}

static int64_t fd_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -EIO;
	return st.st_size;
}

static int64_t zone_file_size(struct emu_dev *d, uint64_t z)
{
	char name[32];
	struct stat st;

	zone_name(d, z, name, sizeof(name));
	if (fstatat(d->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -EIO;
	return st.st_size;
}

static int set_size(int fd, uint64_t size)
{
	return ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
}

/* ---- conditions and resources (null_blk's rules) ------------------------ */

static uint8_t ld8(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st8(uint8_t *p, uint8_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint8_t seq_cond(struct emu_dev *d, uint64_t z, uint64_t size)
{
	const struct emu_rec *r = &d->rec[z];
	uint8_t ov = ld8(&r->override), op = ld8(&r->open);

	if (ov)
		return ov;
	if (size >= d->geo.zone_capacity)
		return ZDEV_COND_FULL;
	if (op)
		return op;
	return size ? ZDEV_COND_CLOSED : ZDEV_COND_EMPTY;
}

static int check_active(struct emu_dev *d)
{
	const struct emu_hdr *h = d->hdr;

	if (!d->geo.max_active)
		return 0;
	if (h->nr_exp_open + h->nr_imp_open + h->nr_closed < d->geo.max_active)
		return 0;
	return -EOVERFLOW;
}

/* Close one implicitly open zone other than `self`; under the global lock. */
static int close_imp_open(struct emu_dev *d, uint64_t self)
{
	uint64_t n = d->geo.nr_zones, cnv = d->geo.nr_cnv_zones, nseq = n - cnv;
	uint64_t start = d->hdr->close_rr;

	if (start < cnv || start >= n)
		start = cnv;
	for (uint64_t i = 0; i < nseq; i++) {
		uint64_t z = cnv + (start - cnv + i) % nseq;
		struct emu_rec *r = &d->rec[z];
		int64_t size;

		if (z == self || ld8(&r->open) != ZDEV_COND_IMP_OPEN)
			continue;
		victim_lock(d, z, self);
		size = zone_file_size(d, z);
		st8(&r->open, 0);
		d->hdr->nr_imp_open--;
		if (size > 0)
			d->hdr->nr_closed++;
		victim_unlock(d, z, self);
		d->hdr->close_rr = z + 1;
		return 0;
	}
	return -1;
}

static int check_open(struct emu_dev *d, uint64_t self)
{
	const struct emu_hdr *h = d->hdr;

	if (!d->geo.max_open)
		return 0;
	if (h->nr_exp_open + h->nr_imp_open < d->geo.max_open)
		return 0;
	if (h->nr_imp_open && check_active(d) == 0 && close_imp_open(d, self) == 0)
		return 0;
	return -ETOOMANYREFS;
}

/* May an empty or closed zone become open (or full)? Under the global lock. */
static int check_resources(struct emu_dev *d, uint64_t z, uint8_t cond)
{
	if (cond == ZDEV_COND_EMPTY) {
		int ret = check_active(d);

		if (ret)
			return ret;
	}
	return check_open(d, z);
}

/* Leave the open/closed accounting of zone z (whose condition is cond). */
static void drop_accounting(struct emu_dev *d, uint64_t z, uint8_t cond)
{
	if (cond == ZDEV_COND_IMP_OPEN)
		d->hdr->nr_imp_open--;
	else if (cond == ZDEV_COND_EXP_OPEN)
		d->hdr->nr_exp_open--;
	else if (cond == ZDEV_COND_CLOSED)
		d->hdr->nr_closed--;
	st8(&d->rec[z].open, 0);
}

/* ---- report ------------------------------------------------------------ */

static void fill_zone(struct emu_dev *d, uint64_t z, int64_t size, struct zdev_zone *o)
{
	o->start = z << d->zshift;
	o->len = d->geo.zone_size;
	if (z < d->geo.nr_cnv_zones) {
		uint8_t ov = ld8(&d->rec[z].override);

		o->type = ZDEV_TYPE_CNV;
		o->capacity = d->geo.zone_size;
		o->cond = ov ? ov : ZDEV_COND_NOT_WP;
		o->wp = o->start;
		return;
	}
	o->type = ZDEV_TYPE_SWR;
	o->capacity = d->geo.zone_capacity;
	o->cond = seq_cond(d, z, (uint64_t)size);
	if (o->cond == ZDEV_COND_FULL)
		o->wp = o->start + o->len;
	else if (o->cond == ZDEV_COND_OFFLINE)
		o->wp = o->start;
	else
		o->wp = o->start + (uint64_t)size;
}

static int emu_report(struct zdev *dev, uint64_t first, uint64_t nr, struct zdev_zone *zones)
{
	struct emu_dev *d = ed(dev);

	for (uint64_t i = 0; i < nr; i++) {
		uint64_t z = first + i;
		int64_t size = 0;

		if (z >= d->geo.nr_cnv_zones) {
			size = zone_file_size(d, z);
			if (size < 0)
				return (int)size;
		}
		fill_zone(d, z, size, &zones[i]);
	}
	return (int)nr;
}

/* ---- data -------------------------------------------------------------- */

static int take_fault(uint32_t *counter)
{
	uint32_t v = __atomic_load_n(counter, __ATOMIC_ACQUIRE);

	while (v) {
		if (__atomic_compare_exchange_n(counter, &v, v - 1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 1;
	}
	return 0;
}

static ssize_t read_zone(struct emu_dev *d, uint64_t z, char *buf, size_t len, uint64_t zoff)
{
	struct emu_rec *r = &d->rec[z];
	size_t done = 0;
	int slot, fd;

	if (ld8(&r->override) == ZDEV_COND_OFFLINE || take_fault(&r->fail_reads))
		return -EIO;
	fd = get_fd(d, z, &slot);
	if (fd < 0)
		return fd;
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(zoff + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			put_fd(d, fd, slot);
			return -e;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	put_fd(d, fd, slot);
	/* Beyond the write pointer (the file end) a zone reads as zeros. */
	memset(buf + done, 0, len - done);
	return (ssize_t)len;
}

static ssize_t emu_pread(struct zdev *dev, void *buf, size_t len, uint64_t off)
{
	struct emu_dev *d = ed(dev);
	uint64_t devsize = d->geo.nr_zones << d->zshift, lb = d->geo.lblock_size;
	size_t done = 0;

	if (off % lb || len % lb)
		return -EINVAL;
	if (off >= devsize)
		return 0;
	if (len > devsize - off)
		len = (size_t)(devsize - off);
	while (done < len) {
		uint64_t pos = off + done, z = pos >> d->zshift;
		uint64_t zoff = pos & (d->geo.zone_size - 1);
		size_t n = len - done;
		ssize_t ret;

		if (n > d->geo.zone_size - zoff)
			n = (size_t)(d->geo.zone_size - zoff);
		ret = read_zone(d, z, (char *)buf + done, n, zoff);
		if (ret < 0)
			return ret;
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t write_all(int fd, const char *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Store the data, honouring a pending partial-write fault. */
static ssize_t store(struct emu_dev *d, uint64_t z, int fd, const void *buf, size_t len,
		     uint64_t zoff)
{
	struct emu_rec *r = &d->rec[z];
	uint32_t partial = __atomic_exchange_n(&r->partial, 0, __ATOMIC_ACQ_REL);
	ssize_t n;

	if (!partial)
		return write_all(fd, buf, len, zoff);
	if ((uint64_t)(partial - 1) * d->geo.lblock_size < len)
		len = (size_t)(partial - 1) * d->geo.lblock_size;
	n = write_all(fd, buf, len, zoff);
	return n < 0 ? n : -EIO;
}

static ssize_t write_cnv(struct emu_dev *d, uint64_t z, const void *buf, size_t len,
			 uint64_t zoff)
{
	struct emu_rec *r = &d->rec[z];
	uint64_t lb = d->geo.lblock_size;
	ssize_t ret;
	int slot, fd;

	if (ld8(&r->override))
		return -EIO;
	if (take_fault(&r->fail_writes))
		return -EIO;
	if (zoff % lb || len % lb)
		return -EINVAL;
	fd = get_fd(d, z, &slot);
	if (fd < 0)
		return fd;
	zone_lock(d, z);
	ret = store(d, z, fd, buf, len, zoff);
	zone_unlock(d, z);
	put_fd(d, fd, slot);
	return ret;
}

/*
 * Write to sequential zone z with its lock held (and the global lock when
 * `global`). Sets *need_global instead of writing when the write changes
 * the zone's accounting and the global lock is not held.
 */
static ssize_t write_seq_locked(struct emu_dev *d, uint64_t z, int fd, const void *buf,
				size_t len, uint64_t zoff, int global, int *need_global)
{
	struct emu_rec *r = &d->rec[z];
	uint64_t lb = d->geo.lblock_size, cap = d->geo.zone_capacity;
	int64_t size;
	uint8_t cond;
	ssize_t ret;

	*need_global = 0;
	if (ld8(&r->override))
		return -EIO;
	if (take_fault(&r->fail_writes))
		return -EIO;
	if (zoff % lb || len % lb)
		return -EIO;
	size = fd_size(fd);
	if (size < 0)
		return -EIO;
	cond = seq_cond(d, z, (uint64_t)size);
	/* A full zone's pointer is past the capacity, so this also refuses it. */
	if (zoff != (uint64_t)size || zoff + len > cap)
		return -EIO;
	if (!global && (cond == ZDEV_COND_EMPTY || cond == ZDEV_COND_CLOSED ||
			zoff + len == cap)) {
		*need_global = 1;
		return 0;
	}
	if (cond == ZDEV_COND_EMPTY || cond == ZDEV_COND_CLOSED) {
		int res = check_resources(d, z, cond);

		if (res)
			return res;
		if (cond == ZDEV_COND_CLOSED)
			d->hdr->nr_closed--;
		d->hdr->nr_imp_open++;
		st8(&r->open, ZDEV_COND_IMP_OPEN);
	}
	ret = store(d, z, fd, buf, len, zoff);
	size = fd_size(fd);
	if (global && size >= (int64_t)cap) {
		/* Full: leaves the open accounting; the file gets zloop's full size. */
		drop_accounting(d, z, ld8(&r->open));
		if (d->geo.zone_size > cap && set_size(fd, d->geo.zone_size) < 0 && ret >= 0)
			ret = -EIO;
	}
	return ret;
}

static ssize_t emu_pwrite(struct zdev *dev, const void *buf, size_t len, uint64_t off)
{
	struct emu_dev *d = ed(dev);
	uint64_t z = off >> d->zshift, zoff = off & (d->geo.zone_size - 1);
	int slot, fd, need_global;
	ssize_t ret;

	if (d->rdonly)
		return -EROFS;
	if (len == 0)
		return 0;
	if (z >= d->geo.nr_zones)
		return -ENOSPC;
	if (len > d->geo.zone_size - zoff)
		return -EIO;
	if (z < d->geo.nr_cnv_zones)
		return write_cnv(d, z, buf, len, zoff);
	fd = get_fd(d, z, &slot);
	if (fd < 0)
		return fd;
	zone_lock(d, z);
	ret = write_seq_locked(d, z, fd, buf, len, zoff, 0, &need_global);
	zone_unlock(d, z);
	if (need_global) {
		global_lock(d);
		zone_lock(d, z);
		ret = write_seq_locked(d, z, fd, buf, len, zoff, 1, &need_global);
		zone_unlock(d, z);
		global_unlock(d);
	}
	put_fd(d, fd, slot);
	return ret;
}

static int emu_flush(struct zdev *dev)
{
	struct emu_dev *d = ed(dev);

	/* Zone files are written in place; syncfs makes all of them durable at once. */
	if (syncfs(d->dirfd) < 0)
		return -errno;
	return 0;
}

/* ---- zone management ---------------------------------------------------- */

static int do_zone_op(struct emu_dev *d, enum zdev_zone_op op, uint64_t z, int fd)
{
	struct emu_rec *r = &d->rec[z];
	int64_t size = fd_size(fd);
	uint8_t cond;
	int ret;

	if (size < 0)
		return -EIO;
	cond = seq_cond(d, z, (uint64_t)size);
	if (cond == ZDEV_COND_READONLY || cond == ZDEV_COND_OFFLINE)
		return -EIO;
	switch (op) {
	case ZDEV_OP_RESET:
		if (cond == ZDEV_COND_EMPTY)
			return 0;
		drop_accounting(d, z, cond);
		return set_size(fd, 0) < 0 ? -EIO : 0;
	case ZDEV_OP_OPEN:
		if (cond == ZDEV_COND_EXP_OPEN)
			return 0;
		if (cond == ZDEV_COND_FULL)
			return -EIO;
		if (cond == ZDEV_COND_EMPTY || cond == ZDEV_COND_CLOSED) {
			ret = check_resources(d, z, cond);
			if (ret)
				return ret;
		}
		drop_accounting(d, z, cond);
		d->hdr->nr_exp_open++;
		st8(&r->open, ZDEV_COND_EXP_OPEN);
		return 0;
	case ZDEV_OP_CLOSE:
		if (cond == ZDEV_COND_CLOSED)
			return 0;
		if (cond != ZDEV_COND_IMP_OPEN && cond != ZDEV_COND_EXP_OPEN)
			return -EIO;
		drop_accounting(d, z, cond);
		if (size > 0)
			d->hdr->nr_closed++;
		return 0;
	case ZDEV_OP_FINISH:
		if (cond == ZDEV_COND_FULL)
			return 0;
		if (cond == ZDEV_COND_EMPTY || cond == ZDEV_COND_CLOSED) {
			ret = check_resources(d, z, cond);
			if (ret)
				return ret;
		}
		drop_accounting(d, z, cond);
		return set_size(fd, d->geo.zone_size) < 0 ? -EIO : 0;
	}
	return -EINVAL;
}

static int emu_zone_op(struct zdev *dev, enum zdev_zone_op op, uint64_t z)
{
	struct emu_dev *d = ed(dev);
	int slot, fd, ret;

	if (d->rdonly)
		return -EROFS;
	if (z < d->geo.nr_cnv_zones)
		return -EIO;
	fd = get_fd(d, z, &slot);
	if (fd < 0)
		return fd;
	global_lock(d);
	zone_lock(d, z);
	ret = do_zone_op(d, op, z, fd);
	zone_unlock(d, z);
	global_unlock(d);
	put_fd(d, fd, slot);
	return ret;
}

/* ---- faults ------------------------------------------------------------- */

static int do_fault(struct emu_dev *d, uint64_t z, enum emu_fault_kind kind, uint64_t arg,
		    int fd, char *err, size_t errlen)
{
	struct emu_rec *r = &d->rec[z];
	int seq = z >= d->geo.nr_cnv_zones;
	int64_t size = seq ? fd_size(fd) : 0;
	uint8_t cond;

	if (size < 0) {
		snprintf(err, errlen, "zone %llu: cannot read its file", (unsigned long long)z);
		return -EIO;
	}
	cond = seq ? seq_cond(d, z, (uint64_t)size) : ZDEV_COND_NOT_WP;
	switch (kind) {
	case EMU_FAULT_CLEAR:
		__atomic_store_n(&r->fail_writes, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&r->fail_reads, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&r->partial, 0, __ATOMIC_RELEASE);
		if (ld8(&r->override)) {
			st8(&r->override, 0);
			if (seq && seq_cond(d, z, (uint64_t)size) == ZDEV_COND_CLOSED)
				d->hdr->nr_closed++;
		}
		return 0;
	case EMU_FAULT_OFFLINE:
	case EMU_FAULT_READONLY:
		if (seq)
			drop_accounting(d, z, cond);
		st8(&r->override, kind == EMU_FAULT_OFFLINE ? ZDEV_COND_OFFLINE : ZDEV_COND_READONLY);
		return 0;
	case EMU_FAULT_FAIL_WRITES:
	case EMU_FAULT_FAIL_READS:
	case EMU_FAULT_PARTIAL_WRITE:
		if (arg > UINT32_MAX - 1) {
			snprintf(err, errlen, "%llu: too large (at most %u)", (unsigned long long)arg,
				 UINT32_MAX - 1);
			return -EINVAL;
		}
		__atomic_store_n(kind == EMU_FAULT_FAIL_WRITES ? &r->fail_writes :
				 kind == EMU_FAULT_FAIL_READS ? &r->fail_reads : &r->partial,
				 (uint32_t)(kind == EMU_FAULT_PARTIAL_WRITE ? arg + 1 : arg),
				 __ATOMIC_RELEASE);
		return 0;
	case EMU_FAULT_MOVE_WP:
		if (!seq) {
			snprintf(err, errlen, "zone %llu is conventional: it has no write pointer",
				 (unsigned long long)z);
			return -EINVAL;
		}
		if (arg % d->geo.lblock_size || arg > d->geo.zone_capacity) {
			snprintf(err, errlen, "move-wp %llu: must be a multiple of the %u-byte block "
				 "and at most the zone capacity %llu", (unsigned long long)arg,
				 d->geo.lblock_size, (unsigned long long)d->geo.zone_capacity);
			return -EINVAL;
		}
		if (cond == ZDEV_COND_CLOSED)
			d->hdr->nr_closed--;
		if (arg == d->geo.zone_capacity) {
			if (cond == ZDEV_COND_IMP_OPEN || cond == ZDEV_COND_EXP_OPEN)
				drop_accounting(d, z, cond);
			arg = d->geo.zone_size;
		}
		if (set_size(fd, arg) < 0) {
			snprintf(err, errlen, "zone %llu: cannot resize its file: %s",
				 (unsigned long long)z, strerror(errno));
			return -EIO;
		}
		if (seq_cond(d, z, arg) == ZDEV_COND_CLOSED)
			d->hdr->nr_closed++;
		return 0;
	}
	snprintf(err, errlen, "unknown fault kind %d", (int)kind);
	return -EINVAL;
}

int emu_fault(const char *dir, uint64_t zone, enum emu_fault_kind kind, uint64_t arg,
	      char *err, size_t errlen)
{
	struct zdev *dev;
	struct emu_dev *d;
	int slot, fd, ret;
	char msg[256] = "";

	ret = zdev_emu_open(dir, 0, &dev, err, errlen);
	if (ret)
		return ret;
	d = ed(dev);
	if (zone >= d->geo.nr_zones) {
		snprintf(err, errlen, "%s: zone %llu: out of range (the device has %llu zones)", dir,
			 (unsigned long long)zone, (unsigned long long)d->geo.nr_zones);
		zdev_close(dev);
		return -EINVAL;
	}
	fd = get_fd(d, zone, &slot);
	if (fd < 0) {
		snprintf(err, errlen, "%s: zone %llu: cannot open its file", dir,
			 (unsigned long long)zone);
		zdev_close(dev);
		return fd;
	}
	global_lock(d);
	zone_lock(d, zone);
	ret = do_fault(d, zone, kind, arg, fd, msg, sizeof(msg));
	zone_unlock(d, zone);
	global_unlock(d);
	put_fd(d, fd, slot);
	if (ret)
		snprintf(err, errlen, "%s: %s", dir, msg);
	zdev_close(dev);
	return ret;
}

/* ---- open / close ------------------------------------------------------- */

static void emu_close(struct zdev *dev)
{
	struct emu_dev *d = ed(dev);

	for (int i = 0; i < FD_CACHE; i++)
		if (d->cache[i].fd >= 0)
			close(d->cache[i].fd);
	if (d->hdr)
		munmap(d->hdr, d->maplen);
	if (d->statefd >= 0)
		close(d->statefd);
	if (d->dirfd >= 0)
		close(d->dirfd);
	for (int i = 0; i < LOCK_STRIPES; i++)
		pthread_mutex_destroy(&d->zlock[i]);
	pthread_mutex_destroy(&d->glock);
	pthread_mutex_destroy(&d->cache_lock);
	free(d);
}

static const struct zdev_ops emu_ops = {
	.close = emu_close,
	.report = emu_report,
	.pread = emu_pread,
	.pwrite = emu_pwrite,
	.zone_op = emu_zone_op,
	.flush = emu_flush,
};

static size_t state_len(uint64_t nr_zones)
{
	return sizeof(struct emu_hdr) + nr_zones * sizeof(struct emu_rec);
}

/* A fresh state file appears complete or not at all: written aside, then linked. */
int emu_state_create(int dirfd, uint64_t nr_zones)
{
	struct emu_hdr h;
	char tmp[64];
	int fd, ret = 0;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, STATE_MAGIC, sizeof(h.magic));
	h.version = STATE_VERSION;
	h.rec_size = sizeof(struct emu_rec);
	h.nr_zones = nr_zones;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", EMU_STATE_FILE, (long)getpid());
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    ftruncate(fd, (off_t)state_len(nr_zones)) < 0)
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret && linkat(dirfd, tmp, dirfd, EMU_STATE_FILE, 0) < 0 && errno != EEXIST)
		ret = -errno;
	unlinkat(dirfd, tmp, 0);
	return ret;
}

static int open_state(struct emu_dev *d, const char *dir, char *err, size_t errlen)
{
	size_t len = state_len(d->geo.nr_zones);
	struct stat st;
	void *map;
	int ret;

	d->statefd = openat(d->dirfd, EMU_STATE_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (d->statefd < 0 && errno == ENOENT) {
		ret = emu_state_create(d->dirfd, d->geo.nr_zones);
		if (ret) {
			snprintf(err, errlen, "%s/%s: cannot create: %s", dir, EMU_STATE_FILE,
				 strerror(-ret));
			return ret;
		}
		d->statefd = openat(d->dirfd, EMU_STATE_FILE,
				    O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	}
	if (d->statefd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s/%s: %s", dir, EMU_STATE_FILE, strerror(errno));
		return ret;
	}
	if (fstat(d->statefd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != len)
		goto corrupt;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->statefd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "%s/%s: cannot map: %s", dir, EMU_STATE_FILE, strerror(errno));
		return ret;
	}
	d->hdr = map;
	d->maplen = len;
	d->rec = (struct emu_rec *)(d->hdr + 1);
	if (memcmp(d->hdr->magic, STATE_MAGIC, sizeof(d->hdr->magic)) ||
	    d->hdr->version != STATE_VERSION || d->hdr->rec_size != sizeof(struct emu_rec) ||
	    d->hdr->nr_zones != d->geo.nr_zones)
		goto corrupt;
	return 0;
corrupt:
	snprintf(err, errlen, "%s/%s: corrupt zone state file (remove it to drop every open "
		 "state and injected fault)", dir, EMU_STATE_FILE);
	return -EINVAL;
}

static int bad_file(const char *dir, const char *name, const char *why, char *err,
		    size_t errlen)
{
	snprintf(err, errlen, "%s/%s: %s", dir, name, why);
	return -EINVAL;
}

/* Every zone file present with a size zloop would accept; returns its size. */
static int64_t check_zone_file(struct emu_dev *d, const char *dir, uint64_t z, char *err,
			       size_t errlen)
{
	const struct emu_geometry *g = &d->geo;
	char name[32], why[160];
	struct stat st;

	zone_name(d, z, name, sizeof(name));
	if (fstatat(d->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;

		snprintf(why, sizeof(why), "%s", e == ENOENT ? "missing zone file" : strerror(e));
		bad_file(dir, name, why, err, errlen);
		return -e;
	}
	if (!S_ISREG(st.st_mode))
		return bad_file(dir, name, S_ISLNK(st.st_mode) ? "zone file is a symbolic link" :
				S_ISDIR(st.st_mode) ? "zone file is a directory" :
				"zone file is not a regular file", err, errlen);
	if (z < g->nr_cnv_zones) {
		if ((uint64_t)st.st_size != g->zone_size) {
			snprintf(why, sizeof(why), "conventional zone file of %lld bytes, "
				 "must be the zone size %llu", (long long)st.st_size,
				 (unsigned long long)g->zone_size);
			return bad_file(dir, name, why, err, errlen);
		}
		return st.st_size;
	}
	if (st.st_size % g->lblock_size ||
	    ((uint64_t)st.st_size > g->zone_capacity && (uint64_t)st.st_size != g->zone_size)) {
		snprintf(why, sizeof(why), "sequential zone file of %lld bytes, must be a multiple "
			 "of %u up to the capacity %llu, or the zone size", (long long)st.st_size,
			 g->lblock_size, (unsigned long long)g->zone_capacity);
		return bad_file(dir, name, why, err, errlen);
	}
	return st.st_size;
}

/* Files that look like zone files but are not part of this geometry. */
static int check_extra_files(struct emu_dev *d, const char *dir, char *err, size_t errlen)
{
	DIR *dp = emu_opendir(d->dirfd);
	struct dirent *de;
	int ret = 0;

	if (!dp) {
		snprintf(err, errlen, "%s: cannot list: %s", dir, strerror(errno));
		return -EIO;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *n = de->d_name, *p;
		char *end;
		char expect[32];
		unsigned long long z;

		if (strncmp(n, "cnv-", 4) && strncmp(n, "seq-", 4))
			continue;
		p = n + 4;
		errno = 0;
		z = (*p >= '0' && *p <= '9') ? strtoull(p, &end, 10) : 0;
		if (*p < '0' || *p > '9' || errno || *end || z >= d->geo.nr_zones ||
		    (zone_name(d, z, expect, sizeof(expect)), strcmp(expect, n))) {
			ret = bad_file(dir, n, "unexpected zone file for this geometry", err, errlen);
			break;
		}
	}
	closedir(dp);
	return ret;
}

/*
 * Check every zone file and rebuild the shared accounting from the files and
 * records, under the global lock so no transition runs meanwhile. A writer
 * killed halfway through a transition leaves nothing worse than counts this
 * rebuild corrects.
 */
static int scan(struct emu_dev *d, const char *dir, char *err, size_t errlen)
{
	uint32_t imp = 0, exp = 0, closed = 0;
	int ret = 0;

	global_lock(d);
	for (uint64_t z = 0; z < d->geo.nr_zones; z++) {
		struct emu_rec *r = &d->rec[z];
		uint8_t op = ld8(&r->open), ov = ld8(&r->override);
		int64_t size = check_zone_file(d, dir, z, err, errlen);

		if (size < 0) {
			ret = (int)size;
			break;
		}
		if ((op && op != ZDEV_COND_IMP_OPEN && op != ZDEV_COND_EXP_OPEN) ||
		    (ov && ov != ZDEV_COND_READONLY && ov != ZDEV_COND_OFFLINE) ||
		    (op && z < d->geo.nr_cnv_zones)) {
			snprintf(err, errlen, "%s/%s: corrupt record for zone %llu (remove the file "
				 "to drop every open state and injected fault)", dir, EMU_STATE_FILE,
				 (unsigned long long)z);
			ret = -EINVAL;
			break;
		}
		if (z < d->geo.nr_cnv_zones)
			continue;
		if (op && (ov || (uint64_t)size >= d->geo.zone_capacity)) {
			st8(&r->open, 0);
			op = 0;
		}
		if (ov)
			continue;
		if (op == ZDEV_COND_IMP_OPEN)
			imp++;
		else if (op == ZDEV_COND_EXP_OPEN)
			exp++;
		else if (size > 0 && (uint64_t)size < d->geo.zone_capacity)
			closed++;
	}
	if (!ret) {
		d->hdr->nr_imp_open = imp;
		d->hdr->nr_exp_open = exp;
		d->hdr->nr_closed = closed;
	}
	global_unlock(d);
	if (!ret)
		ret = check_extra_files(d, dir, err, errlen);
	return ret;
}

static unsigned ilog2_u64(uint64_t v)
{
	unsigned s = 0;

	while ((1ULL << s) < v)
		s++;
	return s;
}

int zdev_emu_open(const char *dir, int flags, struct zdev **out, char *err, size_t errlen)
{
	struct emu_dev *d;
	char dummy[1];
	int ret;

	*out = NULL;
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	d->statefd = -1;
	pthread_mutex_init(&d->glock, NULL);
	pthread_mutex_init(&d->cache_lock, NULL);
	for (int i = 0; i < LOCK_STRIPES; i++)
		pthread_mutex_init(&d->zlock[i], NULL);
	for (int i = 0; i < FD_CACHE; i++)
		d->cache[i].fd = -1;
	d->rdonly = !!(flags & ZDEV_RDONLY);
	d->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	ret = emu_conf_read(d->dirfd, dir, &d->geo, err, errlen);
	if (ret)
		goto fail;
	d->zshift = ilog2_u64(d->geo.zone_size);
	ret = open_state(d, dir, err, errlen);
	if (ret)
		goto fail;
	ret = scan(d, dir, err, errlen);
	if (ret)
		goto fail;
	d->z.ops = &emu_ops;
	d->z.info.zone_size = d->geo.zone_size;
	d->z.info.nr_zones = d->geo.nr_zones;
	d->z.info.nr_cnv_zones = d->geo.nr_cnv_zones;
	d->z.info.lblock_size = d->geo.lblock_size;
	d->z.info.pblock_size = d->geo.lblock_size;
	d->z.info.max_open = d->geo.max_open;
	d->z.info.max_active = d->geo.max_active;
	d->z.info.host_aware = 0;
	d->z.info.backend = "emulated";
	*out = &d->z;
	return 0;
fail:
	emu_close(&d->z);
	return ret;
}
