/*
 * Sector encryption as dm-crypt plain does it: aes-xts-plain64 or
 * cipher_null, with plain64 IVs derived from the absolute device offset.
 */
#include "crypto.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_pool.h"
#include "keyfile.h"
#include "xts.h"

/*
 * Runs (zc_run_start) start from this size: below it, waking a worker costs
 * more than the part it would take (1 MiB takes ~0.2 ms here).
 */
#define SPLIT_MIN (256 * 1024)

struct zc_crypto {
	enum zc_cipher cipher;
	unsigned sector_size;
	unsigned iv_shift;		/* log2(sector_size / 512) with iv_large_sectors, else 0 */
	uint64_t iv_skip;		/* skip, in IV units */
	struct xts_aes_key *key;	/* zc_secure_alloc'ed; NULL for cipher_null */
	struct zc_pool *pool;		/* NULL on one CPU or for cipher_null */
};

void zc_crypto_opts_default(struct zc_crypto_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cipher = ZC_CIPHER_AES_XTS_PLAIN64;
	o->key_size = 512;
	o->sector_size = 512;
}

static int check_opts(const struct zc_crypto_opts *o, char *err, size_t errlen)
{
	if (o->cipher != ZC_CIPHER_AES_XTS_PLAIN64 && o->cipher != ZC_CIPHER_NULL) {
		snprintf(err, errlen, "cipher: unknown cipher, use aes-xts-plain64 or null");
		return -EINVAL;
	}
	if (o->sector_size != 512 && o->sector_size != 1024 &&
	    o->sector_size != 2048 && o->sector_size != 4096) {
		snprintf(err, errlen, "sector_size=%u: must be 512, 1024, 2048 or 4096", o->sector_size);
		return -EINVAL;
	}
	if (o->cipher == ZC_CIPHER_NULL)
		return 0;
	if (o->key_size != 512 && o->key_size != 256) {
		snprintf(err, errlen, "key_size=%u: must be 512 (AES-256-XTS) or 256 (AES-128-XTS)",
			 o->key_size);
		return -EINVAL;
	}
	if (!o->keyfile || !*o->keyfile) {
		snprintf(err, errlen, "cipher aes-xts-plain64 needs keyfile=PATH (or use cipher=null)");
		return -EINVAL;
	}
	return 0;
}

static int load_key(struct zc_crypto *c, const struct zc_crypto_opts *o,
		    char *err, size_t errlen, char *warn, size_t warnlen)
{
	struct zc_key key;
	int r = zc_key_read(o->keyfile, o->keyfile_offset, o->key_size / 8, &key,
			    err, errlen, warn, warnlen);

	if (r < 0)
		return r;
	c->key = zc_secure_alloc(sizeof(*c->key));
	if (!c->key) {
		zc_key_wipe(&key);
		snprintf(err, errlen, "out of memory for the key schedule");
		return -ENOMEM;
	}
	xts_aes_set_key(c->key, o->key_size / 2, key.bytes);
	zc_key_wipe(&key);
	return 0;
}

int zc_crypto_new_ex(const struct zc_crypto_opts *o, struct zc_crypto **out,
		     char *err, size_t errlen, char *warn, size_t warnlen)
{
	struct zc_crypto *c;
	int r;

	*out = NULL;
	if (warn && warnlen)
		warn[0] = '\0';
	r = check_opts(o, err, errlen);
	if (r < 0)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->cipher = o->cipher;
	c->sector_size = o->sector_size;
	if (o->iv_large_sectors)
		c->iv_shift = (unsigned)__builtin_ctz(o->sector_size / 512);
	c->iv_skip = o->skip >> c->iv_shift;
	if (c->cipher == ZC_CIPHER_AES_XTS_PLAIN64) {
		r = load_key(c, o, err, errlen, warn, warnlen);
		if (r < 0) {
			free(c);
			return r;
		}
	}
	unsigned workers = o->workers ? o->workers : zc_pool_default_workers();
	c->pool = c->key && !o->single_thread ? zc_pool_new(workers) : NULL;
	*out = c;
	return 0;
}

int zc_crypto_new(const struct zc_crypto_opts *o, struct zc_crypto **out, char *err, size_t errlen)
{
	char warn[512];
	int r = zc_crypto_new_ex(o, out, err, errlen, warn, sizeof(warn));

	/* SPEC §3 wants the warning printed; this caller gave no place for it. */
	if (r == 0 && warn[0])
		fprintf(stderr, "%s: warning: %s\n", program_invocation_short_name, warn);
	return r;
}

void zc_crypto_free(struct zc_crypto *c)
{
	if (!c)
		return;
	zc_pool_free(c->pool);
	zc_secure_free(c->key, sizeof(*c->key));
	explicit_bzero(c, sizeof(*c));
	free(c);
}

unsigned zc_crypto_sector_size(const struct zc_crypto *c)
{
	return c->sector_size;
}

int zc_crypto_is_null(const struct zc_crypto *c)
{
	return c->cipher == ZC_CIPHER_NULL;
}

/* Whole sectors of an aes-xts-plain64 context, on the calling thread. */
static void xts_span(const struct zc_crypto *c, int enc, uint8_t *dst, const uint8_t *src,
		     size_t len, uint64_t dev_offset)
{
	/*
	 * plain64 counts 512-byte sectors; iv_large_sectors counts sector_size
	 * units. Both wrap modulo 2^64 as the kernel's sector_t does.
	 */
	uint64_t first = (dev_offset >> 9 >> c->iv_shift) + c->iv_skip;
	uint64_t step = (uint64_t)(c->sector_size >> 9) >> c->iv_shift;
	if (enc)
		xts_aes_encrypt_units(c->key, first, step, c->sector_size, len, dst, src);
	else
		xts_aes_decrypt_units(c->key, first, step, c->sector_size, len, dst, src);
}

static int convert(const struct zc_crypto *c, int enc, void *dst, const void *src,
		   size_t len, uint64_t dev_offset)
{
	if (len % c->sector_size || dev_offset % c->sector_size)
		return -EINVAL;
	if (c->cipher == ZC_CIPHER_NULL) {
		if (dst != src)
			memcpy(dst, src, len);
		return 0;
	}
	xts_span(c, enc, dst, src, len, dev_offset);
	return 0;
}

int zc_encrypt(const struct zc_crypto *c, void *dst, const void *src, size_t len, uint64_t dev_offset)
{
	return convert(c, 1, dst, src, len, dev_offset);
}

int zc_decrypt(const struct zc_crypto *c, void *dst, const void *src, size_t len, uint64_t dev_offset)
{
	return convert(c, 0, dst, src, len, dev_offset);
}

/* ---- pipelined runs ---------------------------------------------------------------- */

/*
 * Chunks are small enough that the first one is ready soon after the
 * request arrives (~20 us), large enough that their syscalls stay cheap.
 */
#define RUN_MAX_CHUNKS 64

struct zc_run {
	struct zc_pool_job job;
	const struct zc_crypto *c;
	int enc;
	uint8_t *dst;
	const uint8_t *src;
	size_t len, chunk;
	uint64_t off;
	unsigned n;		/* chunks */
	int helped;		/* the job went to the pool */
	pthread_mutex_t lock;
	pthread_cond_t cv;	/* any change below */
	unsigned next;		/* first chunk nobody has taken */
	uint64_t done;		/* bit i: chunk i converted */
	size_t avail;
	int stop;
};

static size_t chunk_len(const struct zc_run *r, unsigned i)
{
	size_t at = (size_t)i * r->chunk;
	return r->len - at < r->chunk ? r->len - at : r->chunk;
}

/* r->lock held. */
static int can_take(const struct zc_run *r)
{
	return r->next < r->n && (size_t)r->next * r->chunk + chunk_len(r, r->next) <= r->avail;
}

/* Convert the chunk taken under r->lock; the lock is dropped meanwhile. */
static void run_chunk(struct zc_run *r)
{
	unsigned i = r->next++;
	size_t at = (size_t)i * r->chunk;
	pthread_mutex_unlock(&r->lock);
	xts_span(r->c, r->enc, r->dst + at, r->src + at, chunk_len(r, i), r->off + at);
	pthread_mutex_lock(&r->lock);
	r->done |= 1ULL << i;
	pthread_cond_broadcast(&r->cv);
}

static void run_helper(void *arg)
{
	struct zc_run *r = arg;
	pthread_mutex_lock(&r->lock);
	while (!r->stop && r->next < r->n && !zc_pool_crowded(r->c->pool)) {
		if (can_take(r))
			run_chunk(r);
		else
			pthread_cond_wait(&r->cv, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
}

struct zc_run *zc_run_start(const struct zc_crypto *c, int encrypt, void *dst, const void *src,
			    size_t len, uint64_t dev_offset, size_t avail)
{
	if (c->cipher == ZC_CIPHER_NULL || !c->pool || len < SPLIT_MIN ||
	    len % c->sector_size || dev_offset % c->sector_size)
		return NULL;
	struct zc_run *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->c = c;
	r->enc = encrypt;
	r->dst = dst;
	r->src = src;
	r->len = len;
	r->off = dev_offset;
	r->avail = avail;
	/* Chunks are whole sectors; a sector size divides ZC_RUN_CHUNK. */
	r->chunk = ZC_RUN_CHUNK;
	size_t per = (len + RUN_MAX_CHUNKS - 1) / RUN_MAX_CHUNKS;
	if (per > r->chunk)
		r->chunk = (per + ZC_RUN_CHUNK - 1) / ZC_RUN_CHUNK * ZC_RUN_CHUNK;
	r->n = (unsigned)((len + r->chunk - 1) / r->chunk);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->job.fn = run_helper;
	r->job.arg = r;
	/* Without a helper the run still counts as demand (so that other
	 * runs' helpers step back), and its caller converts every chunk. */
	r->helped = zc_pool_enter(c->pool) && zc_pool_submit(c->pool, &r->job) == 0;
	return r;
}

void zc_run_feed(struct zc_run *r, size_t avail)
{
	pthread_mutex_lock(&r->lock);
	if (avail > r->avail) {
		r->avail = avail > r->len ? r->len : avail;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->lock);
}

/* r->lock held: bytes converted from the start without a gap. */
static size_t done_prefix(const struct zc_run *r)
{
	unsigned k = 0;
	while (k < r->n && (r->done >> k & 1))
		k++;
	return k == r->n ? r->len : (size_t)k * r->chunk;
}

size_t zc_run_wait(struct zc_run *r, size_t want)
{
	pthread_mutex_lock(&r->lock);
	/* Only whole fed chunks can ever be converted: wait for no more. */
	size_t fed = r->avail == r->len ? r->len : r->avail / r->chunk * r->chunk;
	if (want > fed)
		want = fed;
	size_t p;
	while ((p = done_prefix(r)) < want) {
		/* Take a chunk only if it is one the caller waits for; otherwise
		 * the helper is on the one it needs, and that comes first. */
		if (can_take(r) && (size_t)r->next * r->chunk < want)
			run_chunk(r);
		else
			pthread_cond_wait(&r->cv, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return p;
}

int zc_run_helped(const struct zc_run *r)
{
	return r->helped;
}

void zc_run_end(struct zc_run *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->lock);
	if (r->helped)
		zc_pool_wait(r->c->pool, &r->job);
	zc_pool_leave(r->c->pool);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
