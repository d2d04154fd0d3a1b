/* The worker pool, and runs (crypto.h): requests converted chunk by chunk
 * with an idle core give the same bytes as one call. */
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

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
	o.workers = 1;	/* as on two cores, whatever this machine has */
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
			/* A run when the pool's worker is free, else one call,
			 * as the file layer does. */
			struct zc_run *r = zc_run_start(a->c, 1, buf, buf, 1u << 20,
							(uint64_t)round << 20, 1u << 20);
			if (r) {
				if (zc_run_wait(r, 1u << 20) != 1u << 20)
					a->bad = 1;
				zc_run_end(r);
			} else if (zc_encrypt(a->c, buf, buf, 1u << 20, (uint64_t)round << 20)) {
				a->bad = 1;
			}
			if (zc_decrypt(a->c, buf, buf, 1u << 20, (uint64_t)round << 20) ||
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
	/* The daemon's request threads all use one context and one pool, with
	 * runs competing for its worker. */
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

/* ---- pipelined runs ---- */

static uint8_t *random_buf(size_t len)
{
	uint8_t *p = malloc(len);
	cr_assert_not_null(p);
	for (size_t o = 0; o < len; o += 1u << 16) {
		size_t n = len - o < (1u << 16) ? len - o : (1u << 16);
		cr_assert_eq(getrandom(p + o, n, 0), (ssize_t)n);
	}
	return p;
}

/* The caller's write loop: take whatever prefix is ready, ask for more. */
static void encrypt_run_matches(unsigned sector, size_t len, uint64_t off)
{
	struct zc_crypto *c = ctx(sector, 0);
	uint8_t *plain = random_buf(len), *ref = malloc(len), *out = malloc(len);
	cr_assert(ref && out);
	memset(out, 0xa5, len);
	cr_assert_eq(zc_encrypt(c, ref, plain, len, off), 0);
	struct zc_run *r = zc_run_start(c, 1, out, plain, len, off, len);
	cr_assert_not_null(r, "a %zu-byte request on an idle machine gets a helper", len);
	size_t w = 0;
	while (w < len) {
		size_t p = zc_run_wait(r, w + 1);
		cr_assert_gt(p, w, "wait(%zu) returned %zu: no progress", w + 1, p);
		cr_assert_eq(p % sector, 0);
		cr_assert_arr_eq(out + w, ref + w, p - w, "sector %u, len %zu: bytes [%zu, %zu) differ",
				 sector, len, w, p);
		w = p;
	}
	cr_assert_eq(w, len);
	zc_run_end(r);
	free(plain);
	free(ref);
	free(out);
	zc_crypto_free(c);
}

Test(crypto_run, encrypted_chunks_equal_one_call)
{
	encrypt_run_matches(512, 256u << 10, 0);
	encrypt_run_matches(512, 1u << 20, 7ull << 30);
	encrypt_run_matches(4096, (1u << 20) + 3 * 4096, 1ull << 40);	/* a short last chunk */
	encrypt_run_matches(512, 10u << 20, 4096);	/* over 64 chunks: larger ones */
}

/* The caller's read loop: bytes arrive in steps that are not chunks. */
Test(crypto_run, decryption_follows_the_fed_bytes)
{
	size_t len = (1u << 20) + 512 * 5;
	uint64_t off = 3ull << 20;
	struct zc_crypto *c = ctx(512, 0);
	uint8_t *plain = random_buf(len), *ct = malloc(len), *buf = malloc(len);
	cr_assert(ct && buf);
	cr_assert_eq(zc_encrypt(c, ct, plain, len, off), 0);
	memset(buf, 0, len);
	struct zc_run *r = zc_run_start(c, 0, buf, buf, len, off, 0);
	cr_assert_not_null(r);
	for (size_t fed = 0; fed < len;) {
		size_t step = len - fed < 100000 ? len - fed : 100000;
		memcpy(buf + fed, ct + fed, step);
		fed += step;
		zc_run_feed(r, fed);
		/* Only whole fed chunks are ever converted. */
		size_t p = zc_run_wait(r, fed / ZC_RUN_CHUNK * ZC_RUN_CHUNK);
		cr_assert(p <= fed, "converted %zu bytes of %zu fed", p, fed);
	}
	cr_assert_eq(zc_run_wait(r, len), len);
	zc_run_end(r);
	cr_assert_arr_eq(buf, plain, len, "run decryption differs from the plaintext");
	free(plain);
	free(ct);
	free(buf);
	zc_crypto_free(c);
}

Test(crypto_run, waiting_for_unfed_bytes_returns_what_is_there)
{
	size_t len = 1u << 20;
	struct zc_crypto *c = ctx(512, 0);
	uint8_t *buf = random_buf(len), *ref = malloc(len);
	cr_assert_not_null(ref);
	cr_assert_eq(zc_decrypt(c, ref, buf, len, 0), 0);
	struct zc_run *r = zc_run_start(c, 0, buf, buf, len, 0, 0);
	cr_assert_not_null(r);
	zc_run_feed(r, ZC_RUN_CHUNK + 1000);	/* chunk 1 is not all there */
	cr_assert_eq(zc_run_wait(r, len), ZC_RUN_CHUNK);
	zc_run_end(r);
	cr_assert_arr_eq(buf, ref, ZC_RUN_CHUNK);
	cr_assert_arr_neq(buf + ZC_RUN_CHUNK, ref + ZC_RUN_CHUNK, ZC_RUN_CHUNK,
			  "an unfed chunk was converted");
	free(buf);
	free(ref);
	zc_crypto_free(c);
}

Test(crypto_run, ending_part_way_leaves_the_converted_prefix)
{
	size_t len = 4u << 20;
	struct zc_crypto *c = ctx(4096, 0);
	uint8_t *plain = random_buf(len), *ref = malloc(len), *out = malloc(len);
	cr_assert(ref && out);
	cr_assert_eq(zc_encrypt(c, ref, plain, len, 0), 0);
	struct zc_run *r = zc_run_start(c, 1, out, plain, len, 0, len);
	cr_assert_not_null(r);
	size_t p = zc_run_wait(r, 1);
	cr_assert_geq(p, ZC_RUN_CHUNK);
	zc_run_end(r);	/* a write failed: the helper stops, nothing hangs */
	cr_assert_arr_eq(out, ref, p);
	/* The pool's one worker is free again for the next request. */
	struct zc_run *again = zc_run_start(c, 1, out, plain, len, 0, len);
	cr_assert_not_null(again);
	cr_assert(zc_run_helped(again), "the helper of an ended run was not given back");
	cr_assert_eq(zc_run_wait(again, len), len);
	zc_run_end(again);
	cr_assert_arr_eq(out, ref, len);
	free(plain);
	free(ref);
	free(out);
	zc_crypto_free(c);
}

Test(crypto_run, nothing_to_gain_starts_no_run)
{
	struct zc_crypto *c = ctx(4096, 0);
	static uint8_t buf[1u << 20];
	cr_assert_null(zc_run_start(c, 1, buf, buf, 64u << 10, 0, 64u << 10), "small request");
	cr_assert_null(zc_run_start(c, 1, buf, buf, sizeof(buf), 512, sizeof(buf)), "misaligned offset");
	cr_assert_null(zc_run_start(c, 1, buf, buf, sizeof(buf) - 512, 0, 0), "misaligned length");
	zc_crypto_free(c);

	struct zc_crypto_opts o;
	char err[256];
	zc_crypto_opts_default(&o);
	o.cipher = ZC_CIPHER_NULL;
	o.keyfile = NULL;
	cr_assert_eq(zc_crypto_new(&o, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(zc_run_start(c, 1, buf, buf, sizeof(buf), 0, sizeof(buf)), "cipher_null");
	zc_crypto_free(c);
}

Test(crypto_pool, workers_only_while_a_core_is_free)
{
	struct zc_pool *p = zc_pool_new(1);	/* two cores: a request thread and a worker */
	cr_assert_not_null(p);
	cr_assert(!zc_pool_crowded(p));
	cr_assert(zc_pool_enter(p), "one request: the other core is free");
	cr_assert(!zc_pool_crowded(p));
	cr_assert(!zc_pool_enter(p), "two requests: no core left for a worker");
	cr_assert(zc_pool_crowded(p));
	zc_pool_leave(p);
	cr_assert(!zc_pool_crowded(p));
	zc_pool_leave(p);
	zc_pool_free(p);
}

/* Two runs at once on two cores: the second gets no helper, its caller
 * converts every chunk, and both give the bytes of one call. */
Test(crypto_run, runs_without_a_free_core_convert_on_the_caller)
{
	size_t len = 1u << 20;
	struct zc_crypto *c = ctx(512, 0);
	uint8_t *plain = random_buf(len), *ref = malloc(len), *a = malloc(len), *b = malloc(len);
	cr_assert(ref && a && b);
	cr_assert_eq(zc_encrypt(c, ref, plain, len, 1u << 20), 0);
	struct zc_run *ra = zc_run_start(c, 1, a, plain, len, 1u << 20, len);
	struct zc_run *rb = zc_run_start(c, 1, b, plain, len, 1u << 20, len);
	cr_assert(ra && rb, "a run starts with or without a helper");
	cr_assert(zc_run_helped(ra));
	cr_assert(!zc_run_helped(rb), "a second run on two cores took a helper");
	cr_assert_eq(zc_run_wait(rb, len), len);
	cr_assert_eq(zc_run_wait(ra, len), len);
	zc_run_end(rb);
	zc_run_end(ra);
	cr_assert_arr_eq(a, ref, len);
	cr_assert_arr_eq(b, ref, len);
	free(plain);
	free(ref);
	free(a);
	free(b);
	zc_crypto_free(c);
}

/* The caller waits while the helper converts the one fed chunk: asking for
 * more than was fed returns that chunk, never less (1 MiB chunks here, as
 * the request is over 8 MiB; the pause lets the helper take it first). */
Test(crypto_run, waiting_returns_all_fed_chunks)
{
	size_t len = 64u << 20, chunk = 1u << 20;
	struct zc_crypto *c = ctx(512, 0);
	uint8_t *ct = random_buf(len), *buf = malloc(len), *ref = malloc(chunk);
	cr_assert(buf && ref);
	cr_assert_eq(zc_decrypt(c, ref, ct, chunk, 0), 0);
	for (int round = 0; round < 5; round++) {
		memcpy(buf, ct, chunk + 100);
		struct zc_run *r = zc_run_start(c, 0, buf, buf, len, 0, chunk + 100);
		cr_assert_not_null(r);
		usleep(200);
		cr_assert_eq(zc_run_wait(r, 2 * chunk), chunk, "round %d", round);
		zc_run_end(r);
		cr_assert_arr_eq(buf, ref, chunk);
	}
	free(ct);
	free(buf);
	free(ref);
	zc_crypto_free(c);
}
