/* The zonefs superblock against the shared vector and every refusal. */
#include <zlib.h>

#include "super.h"
#include "testutil.h"

/* Reads one "key: hex" field of superblock.txt. */
static long read_field(const char *key, unsigned char *out, size_t cap)
{
	char path[PATH_MAX], *line = NULL;
	size_t n = 0;
	long got = -1;
	tu_vector_path(path, sizeof(path), "superblock.txt");
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot open %s", path);
	while (getline(&line, &n, f) > 0) {
		size_t kl = strlen(key);
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			got = tu_unhex(line + kl + 2, out, cap);
			break;
		}
	}
	free(line);
	fclose(f);
	cr_assert(got >= 0, "no field %s in superblock.txt", key);
	return got;
}

static unsigned char vec[ZC_SUPER_SIZE];

static void load(void)
{
	cr_assert_eq(read_field("plaintext", vec, sizeof(vec)), ZC_SUPER_SIZE);
}

TestSuite(super, .init = load);

Test(super, decodes_the_vector)
{
	struct zc_super sb;
	cr_assert_eq(zc_super_decode(vec, &sb), ZC_SUPER_OK);
	cr_assert_str_eq(sb.label, "zcryptfs-test");
	cr_assert_eq(sb.features, ZC_F_UID | ZC_F_GID | ZC_F_PERM);
	cr_assert_eq(sb.uid, 1000);
	cr_assert_eq(sb.gid, 1000);
	cr_assert_eq(sb.perm, 0660);
}

Test(super, crc_matches_the_vector_and_zlib)
{
	unsigned char crc[4];
	cr_assert_eq(read_field("crc", crc, sizeof(crc)), 4);
	uint32_t want = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 | (uint32_t)crc[2] << 8 | crc[3];
	cr_assert_eq(zc_super_crc(vec), want, "crc %08x, vector %08x", zc_super_crc(vec), want);
	/* Independently: ~zlib crc over the block with the crc field zeroed. */
	unsigned char copy[ZC_SUPER_SIZE];
	memcpy(copy, vec, sizeof(copy));
	memset(copy + 4, 0, 4);
	cr_assert_eq((uint32_t)~crc32(0, copy, sizeof(copy)), want);
}

Test(super, encode_round_trips_byte_for_byte)
{
	struct zc_super sb;
	unsigned char out[ZC_SUPER_SIZE];
	cr_assert_eq(zc_super_decode(vec, &sb), ZC_SUPER_OK);
	zc_super_encode(&sb, out);
	cr_assert_arr_eq(out, vec, sizeof(out));
}

static enum zc_super_err decode_patched(size_t off, unsigned char val, int fix_crc)
{
	unsigned char b[ZC_SUPER_SIZE];
	struct zc_super sb;
	memcpy(b, vec, sizeof(b));
	b[off] ^= val;
	if (fix_crc) {
		uint32_t c = zc_super_crc(b);
		for (int i = 0; i < 4; i++)
			b[4 + i] = (unsigned char)(c >> (8 * i));
	}
	return zc_super_decode(b, &sb);
}

Test(super, refusals_in_spec_order)
{
	cr_assert_eq(decode_patched(0, 0x01, 1), ZC_SUPER_BAD_MAGIC);
	cr_assert_eq(decode_patched(20, 0x01, 0), ZC_SUPER_BAD_CRC);
	cr_assert_eq(decode_patched(5, 0x80, 0), ZC_SUPER_BAD_CRC);
	cr_assert_eq(decode_patched(88, 0x10, 1), ZC_SUPER_BAD_FEATURES);
	cr_assert_eq(decode_patched(88 + 7, 0x80, 1), ZC_SUPER_BAD_FEATURES);
	cr_assert_eq(decode_patched(108, 0x01, 1), ZC_SUPER_BAD_RESERVED);
	cr_assert_eq(decode_patched(ZC_SUPER_SIZE - 1, 0x01, 1), ZC_SUPER_BAD_RESERVED);
	/* Magic is checked before the crc: a wrong key gives random bytes. */
	cr_assert_eq(decode_patched(1, 0xff, 0), ZC_SUPER_BAD_MAGIC);
}

Test(super, every_field_lands_at_its_offset)
{
	struct zc_super sb;
	unsigned char b[ZC_SUPER_SIZE];
	memset(&sb, 0, sizeof(sb));
	memset(sb.label, 'L', sizeof(sb.label));	/* a full label has no NUL */
	for (int i = 0; i < ZC_SUPER_UUID_LEN; i++)
		sb.uuid[i] = (uint8_t)(0xa0 + i);
	sb.features = ZC_F_AGGRCNV;
	sb.uid = 0x01020304;
	sb.gid = 0x05060708;
	sb.perm = 0x0a0b0c0d;
	zc_super_encode(&sb, b);
	cr_assert_eq(b[0], 0x53);
	cr_assert_eq(b[3], 0x5a);
	cr_assert_eq(b[8], 'L');
	cr_assert_eq(b[71], 'L');
	cr_assert_eq(b[72], 0xa0);
	cr_assert_eq(b[87], 0xaf);
	cr_assert_eq(b[88], 0x01);
	cr_assert_eq(b[96], 0x04);
	cr_assert_eq(b[99], 0x01);
	cr_assert_eq(b[100], 0x08);
	cr_assert_eq(b[104], 0x0d);
	for (int i = 108; i < ZC_SUPER_SIZE; i++)
		cr_assert_eq(b[i], 0, "reserved byte %d", i);
	struct zc_super back;
	cr_assert_eq(zc_super_decode(b, &back), ZC_SUPER_OK);
	cr_assert_arr_eq(back.label, sb.label, sizeof(sb.label));
	cr_assert_eq(back.perm, sb.perm);
}
