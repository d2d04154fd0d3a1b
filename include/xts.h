/*
 * xts: AES-XTS (IEEE 1619) on Nettle's AES, fast: the tweak sequence of a
 * sector is computed first and the blocks are handed to Nettle's AES in
 * batches, instead of one block per call as nettle's xts_aes*_message do.
 * One data unit (sector) per call; no ciphertext stealing (length must be a
 * multiple of 16). Output equals nettle's xts_aes256_encrypt_message.
 */
#ifndef ZCRYPTFS_XTS_H
#define ZCRYPTFS_XTS_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/aes.h>

#define XTS_BLOCK_SIZE 16

struct xts_aes_key {
	unsigned bits;			/* 128 or 256: the AES key size (half the XTS key) */
	union { struct aes128_ctx a128; struct aes256_ctx a256; } enc, dec, tweak;
};

/* key: 2 * bits/8 bytes, data key then tweak key. */
void xts_aes_set_key(struct xts_aes_key *k, unsigned bits, const uint8_t *key);

/* One data unit; iv is the 16-byte initial tweak (before encryption). */
void xts_aes_encrypt_unit(const struct xts_aes_key *k, const uint8_t iv[16],
			  size_t len, uint8_t *dst, const uint8_t *src);
void xts_aes_decrypt_unit(const struct xts_aes_key *k, const uint8_t iv[16],
			  size_t len, uint8_t *dst, const uint8_t *src);

/*
 * Consecutive data units of unit_len bytes (len a multiple of it) whose
 * tweaks are the 128-bit little-endian numbers first, first + step, ...
 * taken modulo 2^64 with the upper 8 bytes zero: dm-crypt's plain64 IV.
 * Faster than a loop over the _unit calls: the tweaks are encrypted in batches.
 */
void xts_aes_encrypt_units(const struct xts_aes_key *k, uint64_t first, uint64_t step,
			   size_t unit_len, size_t len, uint8_t *dst, const uint8_t *src);
void xts_aes_decrypt_units(const struct xts_aes_key *k, uint64_t first, uint64_t step,
			   size_t unit_len, size_t len, uint8_t *dst, const uint8_t *src);

/*
 * Which code runs: AUTO picks the widest the CPU has (AVX-512 with
 * VPCLMULQDQ on x86-64),
 * GENERIC forces the baseline one. Both give the same output; this is for
 * tests and benchmarks, to exercise the path the machine would not pick.
 */
enum xts_impl { XTS_IMPL_AUTO = 0, XTS_IMPL_GENERIC };
void xts_select_impl(enum xts_impl which);

#endif
