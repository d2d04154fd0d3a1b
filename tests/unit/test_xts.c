/* xts.h: IEEE P1619 known answers and equality with Nettle's own XTS. */
#include <nettle/xts.h>
#include <stdint.h>

#include "testutil.h"
#include "xts.h"

static void fill_random(uint8_t *p, size_t n, unsigned seed)
{
	srand(seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

static void iv_of(uint8_t iv[16], uint64_t n)
{
	memset(iv, 0, 16);
	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(n >> (8 * i));
}

/*
 * IEEE P1619/D16 Annex B, vectors 1-3 (AES-128 XTS, 32-byte data units):
 * key1 || key2, data unit sequence number, plaintext, ciphertext.
 */
static const struct {
	const char *key, *ptx, *ctx;
	uint64_t seq;
} p1619[] = {
	{ "00000000000000000000000000000000" "00000000000000000000000000000000",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e", 0 },
	{ "11111111111111111111111111111111" "22222222222222222222222222222222",
	  "4444444444444444444444444444444444444444444444444444444444444444",
	  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0", 0x3333333333ULL },
	{ "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" "22222222222222222222222222222222",
	  "4444444444444444444444444444444444444444444444444444444444444444",
	  "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89", 0x3333333333ULL },
};

Test(xts, ieee_p1619_known_answers)
{
	for (size_t v = 0; v < sizeof(p1619) / sizeof(p1619[0]); v++) {
		uint8_t key[32], ptx[32], ctx[32], out[32], iv[16];
		struct xts_aes_key k;

		cr_assert_eq(tu_unhex(p1619[v].key, key, sizeof(key)), 32);
		cr_assert_eq(tu_unhex(p1619[v].ptx, ptx, sizeof(ptx)), 32);
		cr_assert_eq(tu_unhex(p1619[v].ctx, ctx, sizeof(ctx)), 32);
		xts_aes_set_key(&k, 128, key);
		iv_of(iv, p1619[v].seq);
		xts_aes_encrypt_unit(&k, iv, 32, out, ptx);
		cr_assert(memcmp(out, ctx, 32) == 0, "P1619 vector %zu: encrypt", v + 1);
		xts_aes_decrypt_unit(&k, iv, 32, out, ctx);
		cr_assert(memcmp(out, ptx, 32) == 0, "P1619 vector %zu: decrypt", v + 1);
		xts_aes_encrypt_units(&k, p1619[v].seq, 1, 32, 32, out, ptx);
		cr_assert(memcmp(out, ctx, 32) == 0, "P1619 vector %zu: units", v + 1);
	}
}

/* Nettle's xts_aes*_message, one unit at a time: the reference. */
static void nettle_units(unsigned bits, const uint8_t *key, int enc, uint64_t first, uint64_t step,
			 size_t unit, size_t len, uint8_t *dst, const uint8_t *src)
{
	struct xts_aes128_key k128;
	struct xts_aes256_key k256;
	uint8_t iv[16];

	if (bits == 256 && enc)
		xts_aes256_set_encrypt_key(&k256, key);
	else if (bits == 256)
		xts_aes256_set_decrypt_key(&k256, key);
	else if (enc)
		xts_aes128_set_encrypt_key(&k128, key);
	else
		xts_aes128_set_decrypt_key(&k128, key);
	for (size_t o = 0; o < len; o += unit) {
		iv_of(iv, first + (o / unit) * step);
		if (bits == 256 && enc)
			xts_aes256_encrypt_message(&k256, iv, unit, dst + o, src + o);
		else if (bits == 256)
			xts_aes256_decrypt_message(&k256, iv, unit, dst + o, src + o);
		else if (enc)
			xts_aes128_encrypt_message(&k128, iv, unit, dst + o, src + o);
		else
			xts_aes128_decrypt_message(&k128, iv, unit, dst + o, src + o);
	}
}

#define SPAN (64 * 4096)

/* Every unit size the fast path has a different shape for, at low and top sector numbers. */
static void check_against_nettle(enum xts_impl impl)
{
	static const size_t units[] = { 16, 32, 48, 112, 128, 144, 512, 528, 1024, 2048, 4096, 8192 };
	static const uint64_t firsts[] = { 0, 1, 7, 0xfffffffeULL, 0x100000000ULL,
					   (UINT64_MAX - 511) / 512, UINT64_MAX - 70, UINT64_MAX };
	uint8_t *src = malloc(SPAN), *ref = malloc(SPAN), *out = malloc(SPAN), key[64];
	unsigned seed = 1;

	cr_assert(src && ref && out);
	xts_select_impl(impl);
	for (unsigned bits = 128; bits <= 256; bits += 128) {
		struct xts_aes_key k;

		fill_random(key, sizeof(key), seed++);
		xts_aes_set_key(&k, bits, key);
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++) {
				size_t len = SPAN / 4 / units[u] * units[u];
				uint64_t step = units[u] >= 512 ? units[u] / 512 : 1;

				fill_random(src, len, seed++);
				nettle_units(bits, key, 1, firsts[f], step, units[u], len, ref, src);
				xts_aes_encrypt_units(&k, firsts[f], step, units[u], len, out, src);
				cr_assert(memcmp(out, ref, len) == 0, "encrypt bits=%u unit=%zu first=%llu",
					  bits, units[u], (unsigned long long)firsts[f]);
				/* in place */
				xts_aes_decrypt_units(&k, firsts[f], step, units[u], len, out, out);
				cr_assert(memcmp(out, src, len) == 0, "decrypt bits=%u unit=%zu", bits, units[u]);
				nettle_units(bits, key, 0, firsts[f], step, units[u], len, ref, src);
				xts_aes_decrypt_units(&k, firsts[f], step, units[u], len, out, src);
				cr_assert(memcmp(out, ref, len) == 0, "decrypt random bits=%u unit=%zu",
					  bits, units[u]);
			}
	}
	xts_select_impl(XTS_IMPL_AUTO);
	free(src);
	free(ref);
	free(out);
}

/* The path this CPU picks (AVX-512 here). */
Test(xts, fast_path_equals_nettle)
{
	check_against_nettle(XTS_IMPL_AUTO);
}

/* The baseline path, which CPUs without AVX-512 run. */
Test(xts, generic_path_equals_nettle)
{
	check_against_nettle(XTS_IMPL_GENERIC);
}

Test(xts, single_unit_equals_nettle)
{
	uint8_t key[64], src[4096], ref[4096], out[4096], iv[16];
	struct xts_aes_key k;

	fill_random(key, sizeof(key), 99);
	fill_random(src, sizeof(src), 100);
	xts_aes_set_key(&k, 256, key);
	iv_of(iv, 0x0123456789abcdefULL);
	iv[12] = 0x5a;	/* _unit takes any 16-byte tweak, not only plain64 ones */
	{
		struct xts_aes256_key nk;

		xts_aes256_set_encrypt_key(&nk, key);
		xts_aes256_encrypt_message(&nk, iv, sizeof(src), ref, src);
	}
	xts_aes_encrypt_unit(&k, iv, sizeof(src), out, src);
	cr_assert(memcmp(out, ref, sizeof(out)) == 0);
	xts_aes_decrypt_unit(&k, iv, sizeof(out), out, out);
	cr_assert(memcmp(out, src, sizeof(out)) == 0);
}
