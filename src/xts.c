/*
 * AES-XTS (IEEE 1619) on Nettle's AES, without ciphertext stealing.
 *
 * Nettle's xts_aes*_message calls AES once per 16-byte block, which leaves
 * its AES-NI code idle between calls (~0.8 GB/s). Here the tweaks of a run
 * of blocks are computed first, the data is whitened with them into a small
 * staging buffer, the whole run goes through one aes*_encrypt call there
 * (where AES-NI pipelines the independent blocks), and it is whitened again
 * on its way to dst. dst is written once: whitening it in place cost 5%, as
 * each line was stored three times and the first store missed the cache.
 */
#include "xts.h"

#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#endif

/*
 * Blocks per AES call, a multiple of LANES. Measured on Zen 4 with Nettle
 * 3.8's AES-NI and the staging buffers: 16 beats 32 by 1-2% and 64 by 6%
 * (the call overhead is under 1% even at 16 blocks; smaller runs keep the
 * staged blocks and their tweaks in L1 between the two whitenings).
 */
#define RUN_BLOCKS 16

/*
 * Four blocks per vector (GCC vector extension): one AVX-512 register, four
 * SSE2 ones, plain words elsewhere. Each 128-bit block is {low word, high
 * word} of the tweak as a little-endian number.
 */
#define VB 4
typedef uint64_t v8 __attribute__((vector_size(16 * VB)));
typedef uint64_t v2 __attribute__((vector_size(16)));

/*
 * Helpers taking vectors are always inlined: no vector crosses a call, so
 * no ABI question arises, and GCC's -Wpsabi note about one is moot.
 */
#define VINLINE static inline __attribute__((always_inline))
#ifdef __clang__
#define SHUFFLE(v, ...) __builtin_shufflevector(v, v, __VA_ARGS__)
#else
#define SHUFFLE(v, ...) __builtin_shuffle(v, (__typeof__(v)){ __VA_ARGS__ })
#endif
#pragma GCC diagnostic ignored "-Wpsabi"

/*
 * LANES consecutive tweaks, VB per vector: block i's tweak is block
 * (i - LANES)'s times x^LANES, so the lanes are independent of each other.
 */
#define LANES 8
#define NV (LANES / VB)		/* xts_run holds exactly two */

/*
 * x86-64 CPUs with AVX-512 get the body compiled for it, where a v8 is one
 * register and the word swap one instruction. Elsewhere the same body is
 * compiled for the baseline ISA with the swap done per 16-byte block (GCC
 * rebuilds a 64-byte shuffle word by word when no register holds it).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_WIDE 1
#define WIDE_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,vpclmulqdq")))
#else
#define HAVE_WIDE 0
#endif

VINLINE v8 ld8(const uint8_t *p)
{
	v8 v;
	memcpy(&v, p, sizeof(v));
	return v;
}

VINLINE void st8(uint8_t *p, const v8 *v)
{
	memcpy(p, v, sizeof(*v));
}

VINLINE v2 ld2(const uint8_t *p)
{
	v2 v;
	memcpy(&v, p, sizeof(v));
	return v;
}

VINLINE void st2(uint8_t *p, v2 v)
{
	memcpy(p, &v, sizeof(v));
}

/* Between the tweak's numeric words and its IEEE 1619 (little-endian) bytes. */
static inline uint64_t le(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

VINLINE void le8(v8 *v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	for (int i = 0; i < 2 * VB; i++)
		(*v)[i] = __builtin_bswap64((*v)[i]);
#else
	(void)v;
#endif
}

/* {lo, hi} -> {hi, lo} in every block. */
VINLINE void swap_words(v8 *c, int wide)
{
	v2 b[VB];

	if (wide) {
		*c = SHUFFLE(*c, 1, 0, 3, 2, 5, 4, 7, 6);
		return;
	}
	memcpy(b, c, sizeof(b));
	for (int i = 0; i < VB; i++)
		b[i] = SHUFFLE(b[i], 1, 0);
	memcpy(c, b, sizeof(b));
}

/*
 * Multiply each block by x^k in GF(2^128) mod x^128 + x^7 + x^2 + x + 1
 * (1 <= k <= 56): the k bits shifted out of the high word come back into the
 * low word as their carry-less product with 0x87 (which fits in 64 bits for
 * k <= 56); those shifted out of the low word move into the high word.
 */
#if HAVE_WIDE
/*
 * The same for k = 8 in four instructions: a byte shift of each block, the
 * byte shifted out folded back with one carry-less multiply. The shift-based
 * fold above takes ten, and its shifts and permutes compete with AES for the
 * same vector pipes on Zen 4 (measured +4% at 4096-byte units). Not
 * always_inline: a target function cannot be inlined into mul_xk, but GCC
 * inlines it into xts_wide, whose target matches (a pointer, so that no
 * vector crosses the call where it is not inlined, at -O0).
 */
WIDE_TARGET static inline void mul_x8_clmul(v8 *t)
{
	__m512i x = (__m512i)*t;
	__m512i top = _mm512_bsrli_epi128(x, 15);

	*t = (v8)(_mm512_bslli_epi128(x, 1) ^
		  _mm512_clmulepi64_epi128(top, _mm512_set1_epi64(0x87), 0x00));
}
#endif

VINLINE void mul_xk(v8 *t, unsigned k, int wide)
{
#if HAVE_WIDE
	if (wide && k == 8) {
		mul_x8_clmul(t);
		return;
	}
#endif
	const v8 low = { ~0ULL, 0, ~0ULL, 0, ~0ULL, 0, ~0ULL, 0 };
	v8 s = *t >> (64 - k), fold;

	swap_words(&s, wide);
	fold = s ^ (s << 1) ^ (s << 2) ^ (s << 7);
	*t = (*t << k) ^ (fold & low) ^ (s & ~low);
}

/* The first LANES tweaks of a unit, from its encrypted initial tweak. */
VINLINE void tw_init(v8 t[NV], const uint8_t tweak[16])
{
	uint64_t lo = le(ld2(tweak)[0]), hi = le(ld2(tweak)[1]);
	/* Words first, vectors after: lane stores into a vector read as a
	 * read-modify-write of an uninitialised one to GCC's -O3 warnings. */
	uint64_t w[2 * LANES];

	for (unsigned j = 0; j < LANES; j++) {
		uint64_t c = hi >> 63;

		w[2 * j] = lo;
		w[2 * j + 1] = hi;
		hi = (hi << 1) | (lo >> 63);
		lo = (lo << 1) ^ (0x87 & -c);
	}
	for (unsigned i = 0; i < NV; i++)
		t[i] = ld8((const uint8_t *)(w + 2 * VB * i));
}

static void aes_run(const struct xts_aes_key *k, int enc, size_t len, uint8_t *dst)
{
	if (k->bits == 256) {
		if (enc)
			aes256_encrypt(&k->enc.a256, len, dst, dst);
		else
			aes256_decrypt(&k->dec.a256, len, dst, dst);
	} else {
		if (enc)
			aes128_encrypt(&k->enc.a128, len, dst, dst);
		else
			aes128_decrypt(&k->dec.a128, len, dst, dst);
	}
}

/* dst = a ^ b over n blocks; dst may equal a. */
VINLINE void xor_blocks(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t o = 0, len = n * XTS_BLOCK_SIZE;

	for (; o + sizeof(v8) <= len; o += sizeof(v8)) {
		v8 x = ld8(a + o) ^ ld8(b + o);

		st8(dst + o, &x);
	}
	for (; o < len; o += XTS_BLOCK_SIZE)
		st2(dst + o, ld2(a + o) ^ ld2(b + o));
}

/*
 * First half of a run of n (<= RUN_BLOCKS) blocks: stage = E(src ^ T), the
 * tweaks T left in buf for the second half, dst = stage ^ T.
 */
VINLINE void xts_run(const struct xts_aes_key *k, int enc, v8 t[NV], size_t n,
		     uint8_t *stage, const uint8_t *src, uint8_t *buf, int wide)
{
	v8 t0 = t[0], t1 = t[1];	/* in registers: the array would live in memory */
	size_t i = 0;

	for (; i + LANES <= n; i += LANES) {
		size_t o0 = i * XTS_BLOCK_SIZE, o1 = (i + VB) * XTS_BLOCK_SIZE;
		v8 w0 = t0, w1 = t1, d0, d1;

		le8(&w0);
		le8(&w1);
		d0 = ld8(src + o0) ^ w0;
		d1 = ld8(src + o1) ^ w1;
		st8(buf + o0, &w0);
		st8(buf + o1, &w1);
		st8(stage + o0, &d0);
		st8(stage + o1, &d1);
		mul_xk(&t0, LANES, wide);
		mul_xk(&t1, LANES, wide);
	}
	if (i < n) {	/* a unit that is not a multiple of LANES blocks */
		v8 w0 = t0, w1 = t1;

		le8(&w0);
		le8(&w1);
		st8(buf + i * XTS_BLOCK_SIZE, &w0);
		st8(buf + (i + VB) * XTS_BLOCK_SIZE, &w1);
		xor_blocks(stage + i * XTS_BLOCK_SIZE, src + i * XTS_BLOCK_SIZE,
			   buf + i * XTS_BLOCK_SIZE, n - i);
	}
	t[0] = t0;
	t[1] = t1;
	aes_run(k, enc, n * XTS_BLOCK_SIZE, stage);
}

/*
 * units data units of unit_len bytes; tweaks[] holds their encrypted initial
 * tweaks. The final XOR of a run waits until the next run has been through
 * AES: read right away, the blocks AES just stored would stall the loads
 * (a 64-byte load cannot be forwarded from four 16-byte stores). dst may
 * equal src: a run's source is read before its destination is written.
 */
VINLINE void xts_body(const struct xts_aes_key *k, int enc, const uint8_t *tweaks, size_t units,
		      size_t unit_len, uint8_t *dst, const uint8_t *src, int wide)
{
	uint8_t buf[2][RUN_BLOCKS * XTS_BLOCK_SIZE] __attribute__((aligned(64)));
	uint8_t stage[2][RUN_BLOCKS * XTS_BLOCK_SIZE] __attribute__((aligned(64)));
	size_t n = unit_len / XTS_BLOCK_SIZE, prev_n = 0, cur = 0;
	uint8_t *prev_dst = NULL;

	for (size_t u = 0; u < units; u++, dst += unit_len, src += unit_len) {
		v8 t[NV];

		tw_init(t, tweaks + 16 * u);
		for (size_t i = 0; i < n; i += RUN_BLOCKS) {
			size_t m = n - i < RUN_BLOCKS ? n - i : RUN_BLOCKS;
			uint8_t *d = dst + i * XTS_BLOCK_SIZE;

			xts_run(k, enc, t, m, stage[cur], src + i * XTS_BLOCK_SIZE, buf[cur], wide);
			if (prev_dst)
				xor_blocks(prev_dst, stage[!cur], buf[!cur], prev_n);
			prev_dst = d;
			prev_n = m;
			cur = !cur;
		}
	}
	if (prev_dst)
		xor_blocks(prev_dst, stage[!cur], buf[!cur], prev_n);
}

static void xts_generic(const struct xts_aes_key *k, int enc, const uint8_t *tweaks, size_t units,
			size_t unit_len, uint8_t *dst, const uint8_t *src)
{
	xts_body(k, enc, tweaks, units, unit_len, dst, src, 0);
}

#if HAVE_WIDE
WIDE_TARGET
static void xts_wide(const struct xts_aes_key *k, int enc, const uint8_t *tweaks, size_t units,
		     size_t unit_len, uint8_t *dst, const uint8_t *src)
{
	xts_body(k, enc, tweaks, units, unit_len, dst, src, 1);
}
#endif

static enum xts_impl impl = XTS_IMPL_AUTO;

void xts_select_impl(enum xts_impl which)
{
	impl = which;
}

static void xts_crypt(const struct xts_aes_key *k, int enc, const uint8_t *tweaks, size_t units,
		      size_t unit_len, uint8_t *dst, const uint8_t *src)
{
#if HAVE_WIDE
	if (impl == XTS_IMPL_AUTO && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("vpclmulqdq")) {
		xts_wide(k, enc, tweaks, units, unit_len, dst, src);
		return;
	}
#endif
	xts_generic(k, enc, tweaks, units, unit_len, dst, src);
}

static void tweak_encrypt(const struct xts_aes_key *k, size_t len, uint8_t *dst, const uint8_t *src)
{
	if (k->bits == 256)
		aes256_encrypt(&k->tweak.a256, len, dst, src);
	else
		aes128_encrypt(&k->tweak.a128, len, dst, src);
}

void xts_aes_set_key(struct xts_aes_key *k, unsigned bits, const uint8_t *key)
{
	k->bits = bits;
	if (bits == 256) {
		aes256_set_encrypt_key(&k->enc.a256, key);
		aes256_invert_key(&k->dec.a256, &k->enc.a256);
		aes256_set_encrypt_key(&k->tweak.a256, key + 32);
	} else {
		aes128_set_encrypt_key(&k->enc.a128, key);
		aes128_invert_key(&k->dec.a128, &k->enc.a128);
		aes128_set_encrypt_key(&k->tweak.a128, key + 16);
	}
}

void xts_aes_encrypt_unit(const struct xts_aes_key *k, const uint8_t iv[16],
			  size_t len, uint8_t *dst, const uint8_t *src)
{
	uint8_t t[16];

	tweak_encrypt(k, 16, t, iv);
	xts_crypt(k, 1, t, 1, len, dst, src);
}

void xts_aes_decrypt_unit(const struct xts_aes_key *k, const uint8_t iv[16],
			  size_t len, uint8_t *dst, const uint8_t *src)
{
	uint8_t t[16];

	tweak_encrypt(k, 16, t, iv);
	xts_crypt(k, 0, t, 1, len, dst, src);
}

/*
 * Units in a row: the initial tweaks of up to BATCH units are encrypted in
 * one call, which hides the latency of the per-unit tweak encryption.
 */
#define BATCH 32

static void xts_units(const struct xts_aes_key *k, int enc, uint64_t first, uint64_t step,
		      size_t unit_len, size_t len, uint8_t *dst, const uint8_t *src)
{
	uint8_t tw[BATCH * 16];
	size_t units = len / unit_len;

	for (size_t u = 0; u < units; u += BATCH) {
		size_t m = units - u < BATCH ? units - u : BATCH;

		for (size_t j = 0; j < m; j++) {
			/* plain64: the number modulo 2^64, upper half zero */
			st2(tw + 16 * j, (v2){ le(first + (u + j) * step), 0 });
		}
		tweak_encrypt(k, m * 16, tw, tw);
		xts_crypt(k, enc, tw, m, unit_len, dst + u * unit_len, src + u * unit_len);
	}
}

void xts_aes_encrypt_units(const struct xts_aes_key *k, uint64_t first, uint64_t step,
			   size_t unit_len, size_t len, uint8_t *dst, const uint8_t *src)
{
	xts_units(k, 1, first, step, unit_len, len, dst, src);
}

void xts_aes_decrypt_units(const struct xts_aes_key *k, uint64_t first, uint64_t step,
			   size_t unit_len, size_t len, uint8_t *dst, const uint8_t *src)
{
	xts_units(k, 0, first, step, unit_len, len, dst, src);
}
