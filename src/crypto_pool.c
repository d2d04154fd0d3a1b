/* Worker threads that take parts of large crypto requests (crypto_pool.h). */
#include "crypto_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_WORKERS 3

struct zc_pool {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct zc_pool_job *queue[MAX_WORKERS];
	unsigned queued;
	unsigned idle;		/* started workers waiting for a job */
	unsigned started, max;
	int stop;
	unsigned demand;	/* zc_pool_enter minus zc_pool_leave (atomic) */
	pthread_t threads[MAX_WORKERS];
};

unsigned zc_pool_default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 1)
		return 0;
	return n - 1 > MAX_WORKERS ? MAX_WORKERS : (unsigned)(n - 1);
}

struct zc_pool *zc_pool_new(unsigned workers)
{
	if (!workers)
		return NULL;
	struct zc_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->max = workers > MAX_WORKERS ? MAX_WORKERS : workers;
	return p;
}

static void *worker(void *arg)
{
	struct zc_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->queued && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		struct zc_pool_job *j = p->queue[--p->queued];
		pthread_mutex_unlock(&p->lock);
		j->fn(j->arg);
		pthread_mutex_lock(&p->lock);
		j->done = 1;
		p->idle++;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int zc_pool_submit(struct zc_pool *p, struct zc_pool_job *j)
{
	int r = 0;
	j->done = 0;
	pthread_mutex_lock(&p->lock);
	/* Start a worker only when every started one is taken: the pool grows
	 * to what concurrent requests use, never past max. */
	if (!p->idle && p->started < p->max && !p->stop &&
	    pthread_create(&p->threads[p->started], NULL, worker, p) == 0) {
		p->started++;
		p->idle++;
	}
	if (!p->idle || p->stop) {
		r = -EBUSY;
	} else {
		p->idle--;
		p->queue[p->queued++] = j;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

void zc_pool_wait(struct zc_pool *p, struct zc_pool_job *j)
{
	pthread_mutex_lock(&p->lock);
	while (!j->done)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

int zc_pool_enter(struct zc_pool *p)
{
	return __atomic_add_fetch(&p->demand, 1, __ATOMIC_RELAXED) <= p->max;
}

void zc_pool_leave(struct zc_pool *p)
{
	__atomic_sub_fetch(&p->demand, 1, __ATOMIC_RELAXED);
}

int zc_pool_crowded(const struct zc_pool *p)
{
	return __atomic_load_n(&p->demand, __ATOMIC_RELAXED) > p->max;
}

void zc_pool_free(struct zc_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
