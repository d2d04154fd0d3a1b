/*
 * crypto: sector encryption exactly as dm-crypt "plain" mode does it (SPEC §3).
 *
 * It owns the crypto options of SPEC §2, turning them into a context that
 * encrypts or decrypts whole sector_size units given the absolute device byte
 * offset of the first one (aes-xts-plain64 or cipher_null). It knows nothing
 * of devices or FUSE: callers pass buffers and offsets.
 */
#ifndef ZCRYPTFS_CRYPTO_H
#define ZCRYPTFS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum zc_cipher {
	ZC_CIPHER_AES_XTS_PLAIN64 = 0,
	ZC_CIPHER_NULL,
};

struct zc_crypto_opts {
	enum zc_cipher cipher;
	unsigned key_size;		/* bits: 512 (AES-256-XTS) or 256 (AES-128-XTS) */
	unsigned sector_size;		/* 512, 1024, 2048 or 4096 */
	int iv_large_sectors;
	uint64_t skip;			/* 512-byte sectors added to the IV */
	const char *keyfile;		/* required unless cipher is null */
	uint64_t keyfile_offset;
	int single_thread;		/* never share a request with other cores */
	unsigned workers;		/* helper threads: 0 = one per other online CPU, at most 3 */
};

/* The defaults of cryptsetup open --type plain for the options above. */
void zc_crypto_opts_default(struct zc_crypto_opts *o);

struct zc_crypto;

/*
 * Build a context: validates the options, reads the key (keyfile.h) and
 * expands it. On failure returns -errno and writes a one-line message that
 * names the file or option and the problem (never key bytes).
 */
int zc_crypto_new(const struct zc_crypto_opts *o, struct zc_crypto **out, char *err, size_t errlen);
/*
 * The same, but the warnings (key file readable by group or others, key
 * memory not lockable) go to warn as one line ("" when none) instead of
 * being printed on stderr by zc_crypto_new.
 */
int zc_crypto_new_ex(const struct zc_crypto_opts *o, struct zc_crypto **out,
		     char *err, size_t errlen, char *warn, size_t warnlen);
void zc_crypto_free(struct zc_crypto *c);	/* wipes every key byte */

unsigned zc_crypto_sector_size(const struct zc_crypto *c);
int zc_crypto_is_null(const struct zc_crypto *c);

/*
 * len and dev_offset must be multiples of the sector size (-EINVAL otherwise).
 * dst may equal src (in place); otherwise they must not overlap.
 */
int zc_encrypt(const struct zc_crypto *c, void *dst, const void *src, size_t len, uint64_t dev_offset);
int zc_decrypt(const struct zc_crypto *c, void *dst, const void *src, size_t len, uint64_t dev_offset);

/*
 * A large request converted chunk by chunk so that device I/O overlaps the
 * cipher: an idle core converts chunks ahead while the caller writes the
 * ones before (encryption), or converts the chunks the caller's reads have
 * brought in (decryption). The caller converts chunks itself whenever it
 * waits for one nobody has taken, so a slow helper costs nothing.
 *
 * A helper is taken only while fewer runs are in progress than there are
 * cores, and it stops taking chunks once that is no longer so.
 *
 * zc_run_start returns NULL when there is nothing to gain (cipher_null, a
 * small request, one CPU); convert in one call then. avail is how many
 * src bytes are there already: len when encrypting a whole buffer, 0 when
 * the buffer is still to be read. Same alignment rules as zc_encrypt.
 */
struct zc_run;

/* Runs convert in chunks of this size (more for requests over 8 MiB): a
 * reader feeding in steps of it lets each chunk start as soon as it is in. */
#define ZC_RUN_CHUNK (128 * 1024)

struct zc_run *zc_run_start(const struct zc_crypto *c, int encrypt, void *dst, const void *src,
			    size_t len, uint64_t dev_offset, size_t avail);
/* The first avail bytes of src are now there (avail only grows). */
void zc_run_feed(struct zc_run *r, size_t avail);
/*
 * Returns once the first want bytes are converted, want being rounded up to
 * whole chunks and cut down to the chunks fed whole (all of len once len
 * is fed): the length of the converted prefix.
 */
size_t zc_run_wait(struct zc_run *r, size_t want);
/* Whether a helper took part: without one, nothing overlaps, and the
 * caller is better off converting all, then doing one device call. */
int zc_run_helped(const struct zc_run *r);
/* Waits for the helper to stop (chunks it has not begun stay as they are) and frees r. */
void zc_run_end(struct zc_run *r);

#endif
