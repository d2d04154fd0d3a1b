/* The zonefs superblock, byte-compatible with the kernel's struct zonefs_super. */
#include "super.h"

#include <string.h>
#include <zlib.h>

/* Field offsets of struct zonefs_super (packed, little-endian). */
enum {
	OFF_MAGIC = 0,
	OFF_CRC = 4,
	OFF_LABEL = 8,
	OFF_UUID = 72,
	OFF_FEATURES = 88,
	OFF_UID = 96,
	OFF_GID = 100,
	OFF_PERM = 104,
	OFF_RESERVED = 108,
};

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

uint32_t zc_super_crc(const uint8_t *buf)
{
	static const uint8_t zero[4];
	/* The kernel seeds with ~0 and does not invert at the end; zlib seeds
	 * with 0 and inverts both ways, hence the final ~. */
	uLong crc = crc32(0L, buf, OFF_CRC);
	crc = crc32(crc, zero, sizeof(zero));
	crc = crc32(crc, buf + OFF_CRC + 4, ZC_SUPER_SIZE - OFF_CRC - 4);
	return ~(uint32_t)crc;
}

void zc_super_encode(const struct zc_super *sb, uint8_t *buf)
{
	memset(buf, 0, ZC_SUPER_SIZE);
	put_le32(buf + OFF_MAGIC, ZC_SUPER_MAGIC);
	memcpy(buf + OFF_LABEL, sb->label, ZC_SUPER_LABEL_LEN);
	memcpy(buf + OFF_UUID, sb->uuid, ZC_SUPER_UUID_LEN);
	put_le64(buf + OFF_FEATURES, sb->features);
	put_le32(buf + OFF_UID, sb->uid);
	put_le32(buf + OFF_GID, sb->gid);
	put_le32(buf + OFF_PERM, sb->perm);
	put_le32(buf + OFF_CRC, zc_super_crc(buf));
}

enum zc_super_err zc_super_decode(const uint8_t *buf, struct zc_super *sb)
{
	if (get_le32(buf + OFF_MAGIC) != ZC_SUPER_MAGIC)
		return ZC_SUPER_BAD_MAGIC;
	if (get_le32(buf + OFF_CRC) != zc_super_crc(buf))
		return ZC_SUPER_BAD_CRC;
	uint64_t features = get_le64(buf + OFF_FEATURES);
	if (features & ~ZC_F_DEFINED)
		return ZC_SUPER_BAD_FEATURES;
	for (size_t i = OFF_RESERVED; i < ZC_SUPER_SIZE; i++)
		if (buf[i])
			return ZC_SUPER_BAD_RESERVED;
	memcpy(sb->label, buf + OFF_LABEL, ZC_SUPER_LABEL_LEN);
	memcpy(sb->uuid, buf + OFF_UUID, ZC_SUPER_UUID_LEN);
	sb->features = features;
	sb->uid = get_le32(buf + OFF_UID);
	sb->gid = get_le32(buf + OFF_GID);
	sb->perm = get_le32(buf + OFF_PERM);
	return ZC_SUPER_OK;
}

const char *zc_super_strerror(enum zc_super_err e)
{
	switch (e) {
	case ZC_SUPER_OK: return "valid superblock";
	case ZC_SUPER_BAD_MAGIC: return "bad magic";
	case ZC_SUPER_BAD_CRC: return "bad checksum";
	case ZC_SUPER_BAD_FEATURES: return "unknown feature bits";
	case ZC_SUPER_BAD_RESERVED: return "reserved area not zero";
	}
	return "unknown error";
}
