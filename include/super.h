/*
 * super: the zonefs superblock (struct zonefs_super of the kernel, SPEC §4.1)
 * in plaintext: encode into and decode from a 4096-byte block. Encryption of
 * that block and where it lives on the device are the callers' business.
 */
#ifndef ZCRYPTFS_SUPER_H
#define ZCRYPTFS_SUPER_H

#include <stddef.h>
#include <stdint.h>

#define ZC_SUPER_SIZE 4096
#define ZC_SUPER_MAGIC 0x5A4F4653u
#define ZC_SUPER_LABEL_LEN 64
#define ZC_SUPER_UUID_LEN 16

#define ZC_F_AGGRCNV 0x1ull
#define ZC_F_UID 0x2ull
#define ZC_F_GID 0x4ull
#define ZC_F_PERM 0x8ull
#define ZC_F_DEFINED (ZC_F_AGGRCNV | ZC_F_UID | ZC_F_GID | ZC_F_PERM)

struct zc_super {
	char label[ZC_SUPER_LABEL_LEN];		/* not necessarily NUL-terminated */
	uint8_t uuid[ZC_SUPER_UUID_LEN];
	uint64_t features;
	uint32_t uid, gid, perm;
};

/* Why a block is not a valid superblock, in the order they are checked. */
enum zc_super_err {
	ZC_SUPER_OK = 0,
	ZC_SUPER_BAD_MAGIC,
	ZC_SUPER_BAD_CRC,
	ZC_SUPER_BAD_FEATURES,
	ZC_SUPER_BAD_RESERVED,
};

/* Fill buf (ZC_SUPER_SIZE bytes) with the encoded superblock and its crc. */
void zc_super_encode(const struct zc_super *sb, uint8_t *buf);

/* Decode and check magic, crc, feature bits and the reserved area. */
enum zc_super_err zc_super_decode(const uint8_t *buf, struct zc_super *sb);

/* The kernel's crc32(~0U, buf, 4096) with the crc field taken as zero. */
uint32_t zc_super_crc(const uint8_t *buf);

const char *zc_super_strerror(enum zc_super_err e);

#endif
