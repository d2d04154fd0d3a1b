/*
 * XTS throughput, one core: zcryptfs's zc_encrypt/zc_decrypt against Nettle's
 * xts_aes256_*_message and OpenSSL 3's EVP aes-256-xts, side by side in the
 * same run. Every engine gets the IV per sector as dm-crypt does (OpenSSL:
 * EVP_CipherInit_ex with the sector's IV, then one update). 1 MiB buffers,
 * GB/s = 1e9 bytes/s, the median of ROUNDS rounds, engines interleaved
 * within each round so that drifting clocks hurt all of them alike.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/xts.h>
#include <openssl/evp.h>

#include "crypto.h"

#define BUF (1u << 20)
#define ROUNDS 9
#define PASSES 24		/* 1 MiB passes per timed round */
#define KEY_BYTES 64

enum { ZC, NETTLE, OSSL, ENGINES };

struct ctx {
	unsigned sector;
	int enc;
	struct zc_crypto *zc;
	struct xts_aes256_key nk;
	EVP_CIPHER_CTX *ev;
	uint8_t *in, *out;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void iv_for(uint8_t iv[16], uint64_t sector)
{
	memset(iv, 0, 16);
	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(sector >> (8 * i));
}

static int pass_zc(struct ctx *c)
{
	return c->enc ? zc_encrypt(c->zc, c->out, c->in, BUF, 0)
		      : zc_decrypt(c->zc, c->out, c->in, BUF, 0);
}

static int pass_nettle(struct ctx *c)
{
	uint8_t iv[16];

	for (size_t o = 0; o < BUF; o += c->sector) {
		iv_for(iv, o / 512);
		if (c->enc)
			xts_aes256_encrypt_message(&c->nk, iv, c->sector, c->out + o, c->in + o);
		else
			xts_aes256_decrypt_message(&c->nk, iv, c->sector, c->out + o, c->in + o);
	}
	return 0;
}

static int pass_openssl(struct ctx *c)
{
	uint8_t iv[16];
	int n;

	for (size_t o = 0; o < BUF; o += c->sector) {
		iv_for(iv, o / 512);
		if (EVP_CipherInit_ex(c->ev, NULL, NULL, NULL, iv, -1) != 1 ||
		    EVP_CipherUpdate(c->ev, c->out + o, &n, c->in + o, (int)c->sector) != 1)
			return -EIO;
	}
	return 0;
}

static int (*const pass[ENGINES])(struct ctx *) = { pass_zc, pass_nettle, pass_openssl };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int run(struct ctx *c, double gbps[ENGINES])
{
	double t[ENGINES][ROUNDS];

	for (int e = 0; e < ENGINES; e++)	/* warm-up */
		if (pass[e](c))
			return -EIO;
	for (int r = 0; r < ROUNDS; r++) {
		for (int e = 0; e < ENGINES; e++) {
			double t0 = now();

			for (int p = 0; p < PASSES; p++)
				if (pass[e](c))
					return -EIO;
			t[e][r] = (double)BUF * PASSES / (now() - t0) / 1e9;
		}
	}
	for (int e = 0; e < ENGINES; e++) {
		qsort(t[e], ROUNDS, sizeof(double), cmp_double);
		gbps[e] = t[e][ROUNDS / 2];
	}
	return 0;
}

/* zc_crypto reads its key from a file, as the daemon does. */
static int make_keyfile(char *path, size_t len, uint8_t key[KEY_BYTES])
{
	int fd;

	snprintf(path, len, "/tmp/zc-bench-key-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, key, KEY_BYTES) != KEY_BYTES) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int bench(unsigned sector, int enc, const char *keyfile, const uint8_t key[KEY_BYTES],
		 uint8_t *in, uint8_t *out)
{
	struct zc_crypto_opts o;
	struct ctx c = { .sector = sector, .enc = enc, .in = in, .out = out };
	double g[ENGINES];
	char err[256];
	int r;

	zc_crypto_opts_default(&o);
	o.keyfile = keyfile;
	o.sector_size = sector;
	o.single_thread = 1;	/* SPEC §7 compares one core against one core */
	r = zc_crypto_new(&o, &c.zc, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "xts_bench: %s\n", err);
		return r;
	}
	if (enc)
		xts_aes256_set_encrypt_key(&c.nk, key);
	else
		xts_aes256_set_decrypt_key(&c.nk, key);
	c.ev = EVP_CIPHER_CTX_new();
	r = -EIO;
	if (c.ev && EVP_CipherInit_ex(c.ev, EVP_aes_256_xts(), NULL, key, NULL, enc) == 1)
		r = run(&c, g);
	if (r == 0)
		printf("xts sector=%u op=%s zcryptfs=%.2f nettle=%.2f openssl=%.2f\n",
		       sector, enc ? "enc" : "dec", g[ZC], g[NETTLE], g[OSSL]);
	else
		fprintf(stderr, "xts_bench: sector=%u %s failed\n", sector, enc ? "enc" : "dec");
	fflush(stdout);
	EVP_CIPHER_CTX_free(c.ev);
	zc_crypto_free(c.zc);
	return r;
}

int main(void)
{
	static const unsigned sectors[] = { 512, 4096 };
	uint8_t key[KEY_BYTES];
	char keyfile[64];
	uint8_t *in = malloc(BUF), *out = malloc(BUF);
	int r = 0;

	if (!in || !out)
		return 2;
	srand(1);
	for (unsigned i = 0; i < BUF; i++)
		in[i] = (uint8_t)rand();
	for (unsigned i = 0; i < KEY_BYTES; i++)	/* halves differ: OpenSSL refuses equal ones */
		key[i] = (uint8_t)(i * 37 + 11);
	if (make_keyfile(keyfile, sizeof(keyfile), key) < 0) {
		fprintf(stderr, "xts_bench: cannot write a key file in /tmp\n");
		return 2;
	}
	for (unsigned s = 0; s < 2 && r == 0; s++)
		for (int enc = 1; enc >= 0 && r == 0; enc--)
			r = bench(sectors[s], enc, keyfile, key, in, out);
	unlink(keyfile);
	free(in);
	free(out);
	return r ? 2 : 0;
}
