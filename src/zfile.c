/*
 * Zone file I/O: the rules of SPEC §5.3-§5.5 for reads, appends, truncates,
 * tails and errors. Each file has one rwlock: appends, resets and tail
 * flushes are exclusive (so appends to one zone are ordered), reads shared.
 * Data is encrypted from the caller's buffer straight into a per-thread
 * aligned buffer and written from there: one pass, no staging copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "zfs_int.h"

struct zc_handle {
	struct zc_file *f;
	struct zc_handle *next, *prev;	/* fs->handles */
	int flags;
	int writable;
	int wrote;
	int undo_armed;		/* zc_fs_is_write_undo; under f->lock */
	uint64_t undo_size;
};

/* ---- per-thread I/O buffer ------------------------------------------------ */

struct tbuf {
	uint8_t *p;
	size_t cap;
};

static pthread_key_t tbuf_key;
static pthread_once_t tbuf_once = PTHREAD_ONCE_INIT;

static void tbuf_free(void *v)
{
	struct tbuf *t = v;
	free(t->p);
	free(t);
}

static void tbuf_init(void)
{
	(void)pthread_key_create(&tbuf_key, tbuf_free);
}

/* An aligned buffer of at least len bytes, owned by the calling thread. */
static uint8_t *tbuf_get(size_t len)
{
	pthread_once(&tbuf_once, tbuf_init);
	struct tbuf *t = pthread_getspecific(tbuf_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || pthread_setspecific(tbuf_key, t)) {
			free(t);
			return NULL;
		}
	}
	if (t->cap < len) {
		/* Grow to the next MiB so a session settles on one allocation. */
		size_t cap = (len + (1u << 20) - 1) & ~(size_t)((1u << 20) - 1);
		void *p;
		if (posix_memalign(&p, ZDEV_BUF_ALIGN, cap))
			return NULL;
		free(t->p);
		t->p = p;
		t->cap = cap;
	}
	return t->p;
}

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t round_down(uint64_t v, uint64_t a) { return v - v % a; }
static uint64_t round_up(uint64_t v, uint64_t a) { return round_down(v + a - 1, a); }

struct zc_file *zc_fs_file(struct zc_fs *fs, uint64_t ino)
{
	if (ino == ZC_ZONE0_INO(fs))
		ino = 0;
	else if (ino == 0)
		return NULL;
	return ino < fs->nr_zones ? fs->by_ino[ino] : NULL;
}

uint64_t zc_file_size(const struct zc_file *f)
{
	if (f->offline)
		return 0;
	if (f->dir == ZC_DIR_CNV)
		return f->capacity;
	return f->wp + f->tail_len;
}

static void touch(struct timespec *a, struct timespec *b)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	*a = now;
	if (b)
		*b = now;
}

/* Device I/O split at zone boundaries: a run of conventional zones is one
 * file, but no zoned device takes a request across a zone boundary. */
static ssize_t dev_io(struct zc_fs *fs, struct zc_file *f, int write, uint8_t *buf,
		      size_t len, uint64_t rel)
{
	size_t done = 0;
	uint64_t zsz = fs->info->zone_size;
	while (done < len) {
		uint64_t dev_off = f->start + rel + done;
		size_t chunk = len - done;
		uint64_t zone_left = zsz - dev_off % zsz;
		if (chunk > zone_left)
			chunk = zone_left;
		ssize_t n = write ? zdev_pwrite(fs->dev, buf + done, chunk, dev_off)
				  : zdev_pread(fs->dev, buf + done, chunk, dev_off);
		if (n < 0)
			return done ? (ssize_t)done : n;
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	if (write)
		atomic_fetch_add(&fs->bytes_written, done);
	else
		atomic_fetch_add(&fs->bytes_read, done);
	return (ssize_t)done;
}

static void notify_attr(struct zc_fs *fs, struct zc_file *f)
{
	if (fs->notify.inval_attr)
		fs->notify.inval_attr(fs->notify.arg, zc_file_ino(fs, f));
}

/*
 * After a failed write (or a bad read), ask the device what the zone is now
 * and apply errors= as zonefs does. Called with f->lock held for writing.
 */
void zc_file_sync_zone(struct zc_fs *fs, struct zc_file *f)
{
	struct zdev_zone z;
	if (zdev_report(fs->dev, f->zone, 1, &z) == 1) {
		f->cond = z.cond;
		if (z.cond == ZDEV_COND_OFFLINE) {
			f->offline = 1;
			f->mode = 0;
		} else if (z.cond == ZDEV_COND_READONLY) {
			f->zone_ro = 1;
			f->mode &= ~0222u;
		}
		/* A read-only zone's write pointer is invalid: keep the size
		 * as last known so that the data can be read back. */
		if (f->dir == ZC_DIR_SEQ && !f->offline && z.cond != ZDEV_COND_READONLY) {
			uint64_t wp = z.cond == ZDEV_COND_FULL ? f->capacity : z.wp - z.start;
			/* A pending tail stays pending unless its whole unit reached the disk. */
			if (wp >= f->wp + fs->wunit && f->tail_len)
				f->tail_len = 0;
			f->wp = round_down(wp < f->capacity ? wp : f->capacity, fs->wunit);
		}
	}
	switch (fs->opts.errors) {
	case ZC_ERRORS_REMOUNT_RO:
		if (!atomic_exchange(&fs->ro, 1) && fs->notify.remount_ro)
			fs->notify.remount_ro(fs->notify.arg);
		break;
	case ZC_ERRORS_ZONE_RO:
		f->zone_ro = 1;
		f->mode &= ~0222u;
		break;
	case ZC_ERRORS_ZONE_OFFLINE:
		f->offline = 1;
		f->mode = 0;
		break;
	case ZC_ERRORS_REPAIR:
		break;
	}
	notify_attr(fs, f);
}

/*
 * A write that failed part way may stop inside an encryption unit when the
 * unit is larger than the device's block. Only whole units decrypt, and a
 * sequential zone takes nothing but appends at its write pointer, so write
 * the rest of that unit from the ciphertext still in hand: the zone then
 * ends on a unit boundary again. Best effort: the error is reported anyway.
 */
static void complete_unit(struct zc_fs *fs, struct zc_file *f, uint8_t *ct, uint64_t rel,
			  size_t len)
{
	struct zdev_zone z;
	if (zdev_report(fs->dev, f->zone, 1, &z) != 1 || z.cond == ZDEV_COND_OFFLINE ||
	    z.cond == ZDEV_COND_READONLY || z.cond == ZDEV_COND_FULL)
		return;
	uint64_t wp = z.wp - z.start;
	if (wp <= rel || wp >= rel + len || wp % fs->wunit == 0)
		return;
	uint64_t end = round_up(wp, fs->wunit);
	(void)dev_io(fs, f, 1, ct + (wp - rel), end - wp, wp);
}

/*
 * Write dst[0, head + len) at rel, where dst[0, head) is ciphertext already
 * and src (len bytes, whole units) is encrypted into the rest. Each chunk
 * goes to the device as soon as it is encrypted, while an idle core
 * encrypts the next ones: the device write and the cipher overlap.
 * Returns the bytes written, or -errno when none were.
 */
static ssize_t encrypt_and_write(struct zc_fs *fs, struct zc_file *f, uint8_t *dst, size_t head,
				 const void *src, size_t len, uint64_t rel)
{
	struct zc_run *run = zc_run_start(fs->crypto, 1, dst + head, src, len,
					  f->start + rel + head, len);
	if (!run) {
		int r = len ? zc_encrypt(fs->crypto, dst + head, src, len, f->start + rel + head) : 0;
		return r ? r : dev_io(fs, f, 1, dst, head + len, rel);
	}
	size_t w = 0, total = head + len;
	ssize_t ret = 0;
	/* Without a helper nothing overlaps: encrypt all, one device write. */
	size_t step = zc_run_helped(run) ? 1 : len;
	while (w < total) {
		size_t ready = head + zc_run_wait(run, w < head ? step : w - head + step);
		size_t want = ready - w;
		ssize_t n = dev_io(fs, f, 1, dst + w, want, rel + w);
		if (n > 0)
			w += (size_t)n;
		if (n != (ssize_t)want) {
			ret = n < 0 ? n : -EIO;
			/* complete_unit may write on to the end of the unit the
			 * device stopped in, past this chunk when a unit is larger
			 * than a chunk: that must be ciphertext too. */
			zc_run_wait(run, ready - head + fs->wunit);
			break;
		}
	}
	zc_run_end(run);
	return w ? (ssize_t)w : ret;
}

/* Encrypt src (len bytes, whole units) into dst and write it at rel. */
static ssize_t write_units(struct zc_fs *fs, struct zc_file *f, uint8_t *dst, const void *src,
			   size_t len, uint64_t rel)
{
	return encrypt_and_write(fs, f, dst, 0, src, len, rel);
}

/* Pad the pending tail with zeros and write it. f->lock held for writing. */
int zc_file_flush_tail(struct zc_fs *fs, struct zc_file *f)
{
	if (!f->tail_len)
		return 0;
	/* Acknowledged bytes still go out after errors=remount-ro fired
	 * elsewhere: only a zone that cannot take them keeps them back. */
	if (f->offline || f->zone_ro)
		return -EPERM;
	uint8_t *buf = tbuf_get(fs->wunit);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, f->tail, f->tail_len);
	memset(buf + f->tail_len, 0, fs->wunit - f->tail_len);
	ssize_t n = write_units(fs, f, buf, buf, fs->wunit, f->wp);
	if (n != (ssize_t)fs->wunit) {
		atomic_fetch_add(&fs->write_errors, 1);
		complete_unit(fs, f, buf, f->wp, fs->wunit);
		zc_file_sync_zone(fs, f);
		return n < 0 ? (int)n : -EIO;
	}
	f->wp += fs->wunit;
	f->tail_len = 0;
	notify_attr(fs, f);
	return 0;
}

/* ---- truncate ---------------------------------------------------------------- */

static int file_writable(struct zc_fs *fs, const struct zc_file *f)
{
	if (atomic_load(&fs->ro))
		return -EROFS;
	if (f->offline || f->zone_ro)
		return -EPERM;
	return 0;
}

/* f->lock held for writing. */
int zc_file_truncate(struct zc_fs *fs, struct zc_file *f, uint64_t size)
{
	if (size == zc_file_size(f) && !f->offline)
		return 0;
	if (f->dir == ZC_DIR_CNV)
		return -EPERM;
	if (size != 0 && size != f->capacity)
		return -EPERM;
	int r = file_writable(fs, f);
	if (r)
		return r;
	if (size == 0) {
		r = zdev_zone_op(fs->dev, ZDEV_OP_RESET, f->zone);
		if (r) {
			zc_file_sync_zone(fs, f);
			return r;
		}
		f->wp = 0;
		f->tail_len = 0;
		f->cond = ZDEV_COND_EMPTY;
		/* zonefs re-opens an explicitly opened zone that a writer reset. */
		pthread_mutex_lock(&fs->open_lock);
		int reopen = fs->opts.explicit_open && f->writers > 0;
		pthread_mutex_unlock(&fs->open_lock);
		if (reopen && zdev_zone_op(fs->dev, ZDEV_OP_OPEN, f->zone) == 0)
			f->cond = ZDEV_COND_EXP_OPEN;
	} else {
		r = zc_file_flush_tail(fs, f);
		if (r)
			return r;
		r = zdev_zone_op(fs->dev, ZDEV_OP_FINISH, f->zone);
		if (r) {
			zc_file_sync_zone(fs, f);
			return r;
		}
		f->wp = f->capacity;
		f->cond = ZDEV_COND_FULL;
	}
	touch(&f->mtime, &f->ctime);
	return 0;
}

/* ---- open / release ------------------------------------------------------------ */

/*
 * The first writer of a sequential file opens its zone with explicit-open.
 * Lock order everywhere: f->lock, then fs->open_lock.
 */
static int writer_open(struct zc_fs *fs, struct zc_file *f)
{
	int r = 0;
	pthread_rwlock_wrlock(&f->lock);
	pthread_mutex_lock(&fs->open_lock);
	if (f->writers == 0) {
		if (fs->opts.explicit_open && f->dir == ZC_DIR_SEQ && zc_file_size(f) < f->capacity) {
			if (fs->info->max_open && fs->nr_wro_seq >= fs->info->max_open) {
				r = -EBUSY;
			} else {
				r = zdev_zone_op(fs->dev, ZDEV_OP_OPEN, f->zone);
				if (r == 0)
					f->cond = ZDEV_COND_EXP_OPEN;
				/* The device's open/active limits, as zonefs reports them. */
				if (r == -ETOOMANYREFS || r == -EOVERFLOW)
					r = -EBUSY;
			}
		}
		if (!r && f->dir == ZC_DIR_SEQ)
			fs->nr_wro_seq++;
	}
	if (!r)
		f->writers++;
	pthread_mutex_unlock(&fs->open_lock);
	pthread_rwlock_unlock(&f->lock);
	return r;
}

/* The last writer's release writes out a tail left behind (a shared mapping
 * writes without FLUSH) and closes an explicitly opened zone. */
static void writer_release(struct zc_fs *fs, struct zc_file *f)
{
	pthread_rwlock_wrlock(&f->lock);
	pthread_mutex_lock(&fs->open_lock);
	int last = --f->writers == 0;
	if (last && f->dir == ZC_DIR_SEQ)
		fs->nr_wro_seq--;
	pthread_mutex_unlock(&fs->open_lock);
	if (last && f->dir == ZC_DIR_SEQ) {
		(void)zc_file_flush_tail(fs, f);
		if (fs->opts.explicit_open && !atomic_load(&fs->ro) && f->cond == ZDEV_COND_EXP_OPEN &&
		    zdev_zone_op(fs->dev, ZDEV_OP_CLOSE, f->zone) == 0)
			/* Closing an empty zone leaves it empty; a written one goes to closed. */
			f->cond = zc_file_size(f) ? ZDEV_COND_CLOSED : ZDEV_COND_EMPTY;
	}
	pthread_rwlock_unlock(&f->lock);
}

int zc_fs_open(struct zc_fs *fs, uint64_t ino, int flags, struct zc_handle **out)
{
	struct zc_file *f = zc_fs_file(fs, ino);
	if (!f)
		return -ENOENT;
	int acc = flags & O_ACCMODE;
	int writable = acc == O_WRONLY || acc == O_RDWR;
	int r;
	if (writable && atomic_load(&fs->ro))
		return -EROFS;
	if (writable && (f->offline || f->zone_ro))
		return -EPERM;	/* immutable, as zonefs marks bad zones */
	/* zonefs fails the read(2) of such a file; FUSE never sends a read of
	 * an empty file, so the open is where the caller can be told. */
	if (f->offline || (f->zone_ro && !(f->mode & 0777)))
		return -EPERM;
	if ((flags & O_TRUNC) && writable) {
		pthread_rwlock_wrlock(&f->lock);
		r = f->dir == ZC_DIR_CNV ? -EPERM : zc_file_truncate(fs, f, 0);
		pthread_rwlock_unlock(&f->lock);
		if (r)
			return r;
	}
	struct zc_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->f = f;
	h->flags = flags;
	h->writable = writable;
	if (writable) {
		r = writer_open(fs, f);
		if (r) {
			free(h);
			return r;
		}
	}
	pthread_mutex_lock(&fs->open_lock);
	h->next = fs->handles;
	if (h->next)
		h->next->prev = h;
	fs->handles = h;
	pthread_mutex_unlock(&fs->open_lock);
	*out = h;
	return 0;
}

static void unlink_handle(struct zc_fs *fs, struct zc_handle *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		fs->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
}

void zc_fs_release(struct zc_fs *fs, struct zc_handle *h)
{
	if (h->writable)
		writer_release(fs, h->f);
	pthread_mutex_lock(&fs->open_lock);
	unlink_handle(fs, h);
	pthread_mutex_unlock(&fs->open_lock);
	free(h);
}

void zc_file_free_handles(struct zc_fs *fs)
{
	pthread_mutex_lock(&fs->open_lock);
	while (fs->handles) {
		struct zc_handle *h = fs->handles;
		unlink_handle(fs, h);
		free(h);
	}
	pthread_mutex_unlock(&fs->open_lock);
}

int zc_fs_flush(struct zc_fs *fs, struct zc_handle *h)
{
	if (!h->wrote)
		return 0;
	pthread_rwlock_wrlock(&h->f->lock);
	int r = zc_file_flush_tail(fs, h->f);
	pthread_rwlock_unlock(&h->f->lock);
	return r;
}

int zc_fs_fsync(struct zc_fs *fs, struct zc_handle *h)
{
	pthread_rwlock_wrlock(&h->f->lock);
	int r = zc_file_flush_tail(fs, h->f);
	pthread_rwlock_unlock(&h->f->lock);
	if (r)
		return r;
	return zdev_flush(fs->dev);
}

/*
 * Read len bytes (whole units) at rel into buf and decrypt them in place.
 * Each chunk is decrypted, by an idle core, while the next ones are read.
 * Returns len, the bytes read when fewer, or -errno.
 */
static ssize_t read_and_decrypt(struct zc_fs *fs, struct zc_file *f, uint8_t *buf, size_t len,
				uint64_t rel)
{
	struct zc_run *run = zc_run_start(fs->crypto, 0, buf, buf, len, f->start + rel, 0);
	if (!run) {
		ssize_t n = dev_io(fs, f, 0, buf, len, rel);
		if (n == (ssize_t)len) {
			int r = zc_decrypt(fs->crypto, buf, buf, len, f->start + rel);
			if (r)
				return r;
		}
		return n;
	}
	size_t got = 0;
	ssize_t ret = (ssize_t)len;
	/* Without a helper nothing overlaps: one device read, then decrypt. */
	size_t step = zc_run_helped(run) ? ZC_RUN_CHUNK : len;
	while (got < len) {
		size_t want = len - got < step ? len - got : step;
		ssize_t n = dev_io(fs, f, 0, buf + got, want, rel + got);
		if (n > 0)
			got += (size_t)n;
		if (n != (ssize_t)want) {
			ret = got ? (ssize_t)got : n < 0 ? n : -EIO;
			break;
		}
		zc_run_feed(run, got);
	}
	/* A short read is reported as such; never hand back bytes not decrypted. */
	if (got == len && zc_run_wait(run, len) != len)
		ret = -EIO;
	zc_run_end(run);
	return ret;
}

/* ---- read ---------------------------------------------------------------------- */

/*
 * zonefs leaves a read error alone while the zone is in good condition and
 * agrees with the file size; otherwise it recovers as for a write error.
 */
static void read_error(struct zc_fs *fs, struct zc_file *f)
{
	struct zdev_zone z;
	pthread_rwlock_wrlock(&f->lock);
	int bad = zdev_report(fs->dev, f->zone, 1, &z) != 1 || z.cond == ZDEV_COND_OFFLINE ||
		  z.cond == ZDEV_COND_READONLY;
	if (!bad && f->dir == ZC_DIR_SEQ) {
		uint64_t wp = z.cond == ZDEV_COND_FULL ? f->capacity : z.wp - z.start;
		bad = wp != f->wp;
	}
	if (bad)
		zc_file_sync_zone(fs, f);
	pthread_rwlock_unlock(&f->lock);
}

ssize_t zc_fs_read(struct zc_fs *fs, struct zc_handle *h, uint64_t off, size_t len,
		   const char **data)
{
	struct zc_file *f = h->f;
	ssize_t ret;
	pthread_rwlock_rdlock(&f->lock);
	/* zonefs: an immutable file with no permission bits left cannot be read. */
	if (f->offline || (f->zone_ro && !(f->mode & 0777))) {
		ret = -EPERM;
		goto out;
	}
	uint64_t size = zc_file_size(f);
	if (off >= size || len == 0) {
		ret = 0;
		goto out;
	}
	if (len > size - off)
		len = size - off;
	uint64_t on_dev = f->dir == ZC_DIR_SEQ ? f->wp : f->capacity;
	uint64_t a0 = round_down(off, fs->wunit);
	uint64_t dev_end = off + len < on_dev ? off + len : on_dev;
	uint64_t a1 = off < on_dev ? round_up(dev_end, fs->wunit) : a0;
	uint8_t *buf = tbuf_get((size_t)(off + len - a0) + fs->wunit);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (a1 > a0) {
		ssize_t n = read_and_decrypt(fs, f, buf, a1 - a0, a0);
		if (n != (ssize_t)(a1 - a0)) {
			atomic_fetch_add(&fs->read_errors, 1);
			ret = n < 0 ? n : -EIO;
			pthread_rwlock_unlock(&f->lock);
			read_error(fs, f);
			return ret;
		}
	}
	if (off + len > on_dev) {
		/* Bytes of the pending tail, which exist only in this daemon. */
		uint64_t from = off > on_dev ? off : on_dev;
		memcpy(buf + (from - a0), f->tail + (from - on_dev), off + len - from);
	}
	*data = (const char *)buf + (off - a0);
	ret = (ssize_t)len;
	touch(&f->atime, NULL);
out:
	pthread_rwlock_unlock(&f->lock);
	return ret;
}

/* ---- write --------------------------------------------------------------------- */

static ssize_t write_cnv(struct zc_fs *fs, struct zc_handle *h, const uint8_t *src, size_t len,
			 uint64_t off)
{
	struct zc_file *f = h->f;
	uint64_t u = fs->wunit;
	uint64_t a0 = round_down(off, u), a1 = round_up(off + len, u);
	uint8_t *buf = tbuf_get(a1 - a0);
	if (!buf)
		return -ENOMEM;
	ssize_t n;
	if (a0 == off && a1 == off + len) {
		n = write_units(fs, f, buf, src, len, off);
	} else {
		/* Read-modify-write of the partial units at either end; one unit
		 * may be both ends. */
		uint64_t last = a1 - u;
		int head = off != a0, tail = off + len != a1;
		uint64_t ends[2] = { a0, last };
		int need[2] = { head || (tail && last == a0), tail && last != a0 };
		for (int i = 0; i < 2; i++) {
			if (!need[i])
				continue;
			n = dev_io(fs, f, 0, buf + (ends[i] - a0), u, ends[i]);
			if (n != (ssize_t)u)
				return n < 0 ? n : -EIO;
			int r = zc_decrypt(fs->crypto, buf + (ends[i] - a0), buf + (ends[i] - a0), u,
					   f->start + ends[i]);
			if (r)
				return r;
		}
		memcpy(buf + (off - a0), src, len);
		n = write_units(fs, f, buf, buf, a1 - a0, a0);
	}
	if (n != (ssize_t)(a1 - a0)) {
		atomic_fetch_add(&fs->write_errors, 1);
		zc_file_sync_zone(fs, f);
		return n < 0 ? n : -EIO;
	}
	return (ssize_t)len;
}

static ssize_t write_seq(struct zc_fs *fs, struct zc_handle *h, const uint8_t *src, size_t len)
{
	struct zc_file *f = h->f;
	uint32_t u = fs->wunit;
	size_t total = f->tail_len + len;
	size_t full = total - total % u;
	if (full) {
		uint8_t *buf = tbuf_get(full);
		if (!buf)
			return -ENOMEM;
		const uint8_t *rest = src;
		size_t head = 0;
		if (f->tail_len) {
			/* The first unit joins the pending tail and the new bytes. */
			memcpy(buf, f->tail, f->tail_len);
			memcpy(buf + f->tail_len, src, u - f->tail_len);
			int r = zc_encrypt(fs->crypto, buf, buf, u, f->start + f->wp);
			if (r)
				return r;
			rest = src + (u - f->tail_len);
			head = u;
		}
		ssize_t n = encrypt_and_write(fs, f, buf, head, rest, full - head, f->wp);
		if (n != (ssize_t)full) {
			atomic_fetch_add(&fs->write_errors, 1);
			complete_unit(fs, f, buf, f->wp, full);
			zc_file_sync_zone(fs, f);
			return n < 0 ? n : -EIO;
		}
		f->wp += full;
		f->tail_len = 0;
	}
	size_t keep = total - full;
	if (keep) {
		if (!f->tail && !(f->tail = malloc(u)))
			return -ENOMEM;
		/* keep < u, and the kept bytes are the last ones of src, or the
		 * old tail followed by all of src when nothing reached the disk. */
		if (full)
			memcpy(f->tail, src + len - keep, keep);
		else
			memcpy(f->tail + f->tail_len, src, len);
		f->tail_len = (uint32_t)keep;
	}
	return (ssize_t)len;
}

int zc_fs_is_write_undo(struct zc_fs *fs, struct zc_handle *h, uint64_t size)
{
	(void)fs;
	pthread_rwlock_wrlock(&h->f->lock);
	int undo = h->undo_armed && size == h->undo_size;
	h->undo_armed = 0;
	pthread_rwlock_unlock(&h->f->lock);
	return undo;
}

ssize_t zc_fs_write(struct zc_fs *fs, struct zc_handle *h, const void *buf, size_t len,
		    uint64_t off)
{
	struct zc_file *f = h->f;
	uint32_t u = fs->wunit;
	int direct = h->flags & O_DIRECT;
	ssize_t ret;

	if (direct && (off % u || len % u))
		return -EINVAL;
	pthread_rwlock_wrlock(&f->lock);
	ret = file_writable(fs, f);
	if (ret)
		goto out;
	uint64_t size = zc_file_size(f);
	if (f->dir == ZC_DIR_SEQ) {
		if (h->flags & O_APPEND)
			off = size;
		if (off != size) {
			ret = -EINVAL;
			goto out;
		}
	} else if (h->flags & O_APPEND) {
		/* Before EFBIG: the kernel hands an O_APPEND write the size, the capacity. */
		ret = -EINVAL;
		goto out;
	}
	if (off >= f->capacity) {
		ret = len ? -EFBIG : 0;
		goto out;
	}
	if (len > f->capacity - off)
		len = f->capacity - off;
	if (len == 0) {
		ret = 0;
		goto out;
	}
	if (f->dir == ZC_DIR_SEQ && (direct || fs->opts.strict_align) && (off % u || len % u)) {
		ret = -EINVAL;
		goto out;
	}
	ret = f->dir == ZC_DIR_SEQ ? write_seq(fs, h, buf, len) : write_cnv(fs, h, buf, len, off);
	/* See zc_fs_is_write_undo: only a failed direct append that moved the
	 * zone needs the kernel's undo ignored. */
	h->undo_armed = ret < 0 && direct && f->dir == ZC_DIR_SEQ && zc_file_size(f) != size;
	h->undo_size = size;
	if (ret > 0) {
		h->wrote = 1;
		touch(&f->mtime, &f->ctime);
		/* A zone that reached its capacity is full however it was opened. */
		if (f->dir == ZC_DIR_SEQ && f->wp >= f->capacity)
			f->cond = ZDEV_COND_FULL;
		else if (f->dir == ZC_DIR_SEQ && f->cond != ZDEV_COND_EXP_OPEN)
			f->cond = ZDEV_COND_IMP_OPEN;
	}
out:
	pthread_rwlock_unlock(&f->lock);
	return ret;
}
