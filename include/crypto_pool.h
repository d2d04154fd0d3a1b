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

/*
 * Requests in progress that might use a worker. Once there are as many as
 * cores (workers + 1), every core has a request thread of its own and a
 * worker would only take turns with them (two zones written at once ran
 * ~10% slower that way). zc_pool_enter counts one in and returns whether a
 * core was left for a worker; zc_pool_leave counts it out.
 */
int zc_pool_enter(struct zc_pool *p);
void zc_pool_leave(struct zc_pool *p);
/* Every core has a request: workers should stop taking parts. */
int zc_pool_crowded(const struct zc_pool *p);

/* Workers worth having on this machine: one per online CPU but the caller's, at most 3. */
unsigned zc_pool_default_workers(void);

#endif
