/*
 * crypto_pool: lends idle cores to large requests. A 1 MiB FUSE request is
 * served by one thread; when another core is idle, a worker converts the
 * request's chunks while that thread does the device I/O (crypto.h runs).
 * Workers start on first use (after the daemon has forked) and only idle
 * ones are taken, so a busy machine runs everything inline as before.
 */
#ifndef ZCRYPTFS_CRYPTO_POOL_H
#define ZCRYPTFS_CRYPTO_POOL_H

#include <stddef.h>

struct zc_pool;

struct zc_pool_job {
	void (*fn)(void *arg);
	void *arg;
	int done;		/* set by the pool */
};

/* A pool of up to workers threads; NULL when workers is 0 or on failure. */
struct zc_pool *zc_pool_new(unsigned workers);
void zc_pool_free(struct zc_pool *p);

/* Hand j to an idle worker: 0, or -EBUSY when none is idle (run it yourself). */
int zc_pool_submit(struct zc_pool *p, struct zc_pool_job *j);
/* Wait until a submitted job has run. */
void zc_pool_wait(struct zc_pool *p, struct zc_pool_job *j);

/* Workers worth having on this machine: one per online CPU but the caller's, at most 3. */
unsigned zc_pool_default_workers(void);

#endif
