/* Large requests shared with worker threads give the same bytes as small ones. */
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>

#include "crypto.h"
#include "crypto_pool.h"
#include "testutil.h"

#define BIG (2u << 20)
#define PIECE (64u << 10)	/* below the size that is ever split */

static struct zc_crypto *ctx(unsigned sector, int iv_large)
{
	char path[PATH_MAX], err[256];
	struct zc_crypto_opts o;
	struct zc_crypto *c;
	tu_vector_path(path, sizeof(path), "keyfile-512B.bin");
	zc_crypto_opts_default(&o);
	o.keyfile = path;
	o.sector_size = sector;
	o.iv_large_sectors = iv_large;
	char warn[256];	/* the shared vector key is world-readable: expected */
	cr_assert_eq(zc_crypto_new_ex(&o, &c, err, sizeof(err), warn, sizeof(warn)), 0, "%s", err);
	return c;
}

static void same_as_pieces(unsigned sector, int iv_large, uint64_t off)
{
	struct zc_crypto *c = ctx(sector, iv_large);
	uint8_t *plain = malloc(BIG), *whole = malloc(BIG), *pieces = malloc(BIG);
	cr_assert(plain && whole && pieces);
	cr_assert_eq(getrandom(plain, BIG, 0), (ssize_t)BIG);
	cr_assert_eq(zc_encrypt(c, whole, plain, BIG, off), 0);
	for (size_t o = 0; o < BIG; o += PIECE)
		cr_assert_eq(zc_encrypt(c, pieces + o, plain + o, PIECE, off + o), 0);
	cr_assert_arr_eq(whole, pieces, BIG, "sector %u: split encryption differs", sector);
	cr_assert_eq(zc_decrypt(c, whole, whole, BIG, off), 0, "in place");
	cr_assert_arr_eq(whole, plain, BIG, "sector %u: split decryption differs", sector);
	free(plain);
	free(whole);
	free(pieces);
	zc_crypto_free(c);
}

Test(crypto_pool, large_requests_equal_small_ones)
{
	same_as_pieces(512, 0, 0);
	same_as_pieces(4096, 0, 1ull << 40);
	same_as_pieces(4096, 1, 268435456);
	same_as_pieces(1024, 0, UINT64_MAX - BIG - 1023);
}

static void bump(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

Test(crypto_pool, only_idle_workers_take_jobs)
{
	struct zc_pool *p = zc_pool_new(2);
	int count = 0;
	struct zc_pool_job a = { .fn = bump, .arg = &count }, b = a, c = a;
	cr_assert_not_null(p);
	cr_assert_eq(zc_pool_submit(p, &a), 0);
	cr_assert_eq(zc_pool_submit(p, &b), 0);
	/* Both workers may still be busy: a third job is either refused or run. */
	int r = zc_pool_submit(p, &c);
	cr_assert(r == 0 || r == -EBUSY);
	zc_pool_wait(p, &a);
	zc_pool_wait(p, &b);
	if (r == 0)
		zc_pool_wait(p, &c);
	cr_assert_eq(count, r == 0 ? 3 : 2);
	cr_assert(a.done && b.done);
	zc_pool_free(p);
	cr_assert_null(zc_pool_new(0), "no workers, no pool");
}

struct share { struct zc_crypto *c; int bad; };

static void *round_trips(void *v)
{
	struct share *a = v;
	uint8_t *buf = malloc(1u << 20), *ref = malloc(1u << 20);
	if (!buf || !ref) {
		a->bad = 1;
	} else {
		for (int round = 0; round < 8; round++) {
			memset(buf, round, 1u << 20);
			memcpy(ref, buf, 1u << 20);
			if (zc_encrypt(a->c, buf, buf, 1u << 20, (uint64_t)round << 20) ||
			    zc_decrypt(a->c, buf, buf, 1u << 20, (uint64_t)round << 20) ||
			    memcmp(buf, ref, 1u << 20))
				a->bad = 1;
		}
	}
	free(buf);
	free(ref);
	return NULL;
}

Test(crypto_pool, many_threads_share_one_context)
{
	/* The daemon's request threads all use one context and one pool. */
	struct zc_crypto *c = ctx(512, 0);
	enum { T = 4 };
	pthread_t th[T];
	struct share args[T];
	for (int i = 0; i < T; i++) {
		args[i].c = c;
		args[i].bad = 0;
		cr_assert_eq(pthread_create(&th[i], NULL, round_trips, &args[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(args[i].bad, 0, "thread %d saw a wrong round trip", i);
	}
	zc_crypto_free(c);
}
