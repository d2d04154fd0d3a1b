/*
 * keyfile: reads a key exactly as cryptsetup plain's --key-file does (raw
 * bytes at an offset, the rest ignored) into mlock()ed memory, and wipes it.
 * Checks SPEC §3's hygiene: regular file or FIFO, warns when group or others
 * can read it. Messages name the file and the problem, never key bytes.
 */
#ifndef ZCRYPTFS_KEYFILE_H
#define ZCRYPTFS_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

struct zc_key {
	uint8_t *bytes;		/* mlock()ed; len bytes */
	size_t len;
};

/*
 * Read len bytes at offset from path into a fresh locked buffer. A warning
 * (world/group readable) goes to warn when not NULL, as a one-line message.
 * Returns 0 or -errno with err filled.
 */
int zc_key_read(const char *path, uint64_t offset, size_t len, struct zc_key *key,
		char *err, size_t errlen, char *warn, size_t warnlen);
void zc_key_wipe(struct zc_key *key);	/* explicit_bzero, munlock, free */

/*
 * mlock failures are not fatal: an unprivileged user past RLIMIT_MEMLOCK can
 * still mount. zc_key_read reports one through warn (the key's own pages are
 * the first locked allocation, so the limit shows there); zc_secure_alloc
 * says nothing, since the limit was already reported by the key read that
 * precedes every key schedule. The pages are always MADV_DONTDUMP.
 */

/* Locked, wiped scratch memory for expanded key schedules (page-granular). */
void *zc_secure_alloc(size_t len);
void zc_secure_free(void *p, size_t len);

/* prctl(PR_SET_DUMPABLE, 0): keeps key bytes out of core dumps. */
int zc_set_nondumpable(void);

#endif
