/* crypto.h: dm-crypt plain known answers (../shared/vectors), IV rules, options. */
#include <errno.h>
#include <nettle/xts.h>

#include "crypto.h"
#include "testutil.h"

#define MAXSPAN 8192

struct vec {
	char name[64];
	struct zc_crypto_opts o;
	uint64_t offset;
	unsigned char ptx[MAXSPAN], ctx[MAXSPAN];
	long len;
};

static char keyfile[PATH_MAX];

/* The vectors' key file is world-readable: take the warning rather than print it. */
static int new_ctx(const struct zc_crypto_opts *o, struct zc_crypto **c, char *err, size_t errlen)
{
	char warn[512];

	return zc_crypto_new_ex(o, c, err, errlen, warn, sizeof(warn));
}

static void set_field(struct vec *v, const char *k, const char *val)
{
	unsigned long long n = strtoull(val, NULL, 10);

	if (!strcmp(k, "name"))
		snprintf(v->name, sizeof(v->name), "%s", val);
	else if (!strcmp(k, "cipher"))
		v->o.cipher = !strcmp(val, "null") ? ZC_CIPHER_NULL : ZC_CIPHER_AES_XTS_PLAIN64;
	else if (!strcmp(k, "key_size"))
		v->o.key_size = (unsigned)n;
	else if (!strcmp(k, "sector_size"))
		v->o.sector_size = (unsigned)n;
	else if (!strcmp(k, "iv_large_sectors"))
		v->o.iv_large_sectors = (int)n;
	else if (!strcmp(k, "skip"))
		v->o.skip = n;
	else if (!strcmp(k, "keyfile_offset"))
		v->o.keyfile_offset = n;
	else if (!strcmp(k, "offset"))
		v->offset = n;
	else if (!strcmp(k, "plaintext"))
		v->len = tu_unhex(val, v->ptx, sizeof(v->ptx));
	else if (!strcmp(k, "ciphertext"))
		cr_assert_eq(tu_unhex(val, v->ctx, sizeof(v->ctx)), v->len, "%s: ciphertext length", v->name);
	else
		cr_assert_fail("unknown field %s in xts-plain64.txt", k);
}

static void check_vector(const struct vec *v)
{
	struct zc_crypto *c;
	char err[256];
	unsigned char *buf = malloc(MAXSPAN);

	cr_assert(buf);
	cr_assert(v->len > 0 && v->len % 512 == 0, "%s: plaintext", v->name);
	cr_assert_eq(new_ctx(&v->o, &c, err, sizeof(err)), 0, "%s: %s", v->name, err);
	cr_assert_eq(zc_encrypt(c, buf, v->ptx, (size_t)v->len, v->offset), 0);
	cr_assert(memcmp(buf, v->ctx, (size_t)v->len) == 0, "%s: encrypt", v->name);
	cr_assert_eq(zc_decrypt(c, buf, buf, (size_t)v->len, v->offset), 0);
	cr_assert(memcmp(buf, v->ptx, (size_t)v->len) == 0, "%s: decrypt in place", v->name);
	cr_assert_eq(zc_decrypt(c, buf, v->ctx, (size_t)v->len, v->offset), 0);
	cr_assert(memcmp(buf, v->ptx, (size_t)v->len) == 0, "%s: decrypt", v->name);
	/* one sector at a time: each sector's IV comes from its own offset */
	for (long o = 0; o < v->len; o += v->o.sector_size)
		cr_assert_eq(zc_encrypt(c, buf + o, v->ptx + o, v->o.sector_size, v->offset + (uint64_t)o), 0);
	cr_assert(memcmp(buf, v->ctx, (size_t)v->len) == 0, "%s: sector by sector", v->name);
	zc_crypto_free(c);
	free(buf);
}

Test(crypto, xts_plain64_vectors)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int blocks = 0, open_block = 0;
	struct vec *v = calloc(1, sizeof(*v));
	FILE *f;

	tu_vector_path(path, sizeof(path), "xts-plain64.txt");
	tu_vector_path(keyfile, sizeof(keyfile), "keyfile-512B.bin");
	f = fopen(path, "r");
	cr_assert(f && v, "cannot open %s", path);
	for (;;) {
		ssize_t n = getline(&line, &cap, f);
		char *colon;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < 0 || n == 0) {
			if (open_block) {
				check_vector(v);
				blocks++;
				open_block = 0;
			}
			if (n < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (!open_block) {
			memset(v, 0, sizeof(*v));
			zc_crypto_opts_default(&v->o);
			v->o.keyfile = keyfile;
			open_block = 1;
		}
		colon = strstr(line, ": ");
		cr_assert(colon, "bad line in %s: %.40s", path, line);
		*colon = '\0';
		set_field(v, line, colon + 2);
	}
	fclose(f);
	free(line);
	free(v);
	cr_assert_geq(blocks, 11, "only %d vector blocks in %s", blocks, path);
}

static long sb_field(const char *name, unsigned char *out, size_t cap)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap_line = 0, nl = strlen(name);
	long r = -1;
	FILE *f;

	tu_vector_path(path, sizeof(path), "superblock.txt");
	f = fopen(path, "r");
	cr_assert(f, "cannot open %s", path);
	while (r < 0 && getline(&line, &cap_line, f) > 0)
		if (!strncmp(line, name, nl) && line[nl] == ':')
			r = tu_unhex(line + nl + 2, out, cap);
	fclose(f);
	free(line);
	return r;
}

Test(crypto, encrypted_superblock)
{
	static unsigned char sb[4096], want[4096], got[4096];
	static const unsigned sizes[] = { 512, 4096 };
	char field[64];

	tu_vector_path(keyfile, sizeof(keyfile), "keyfile-512B.bin");
	cr_assert_eq(sb_field("plaintext", sb, sizeof(sb)), 4096);
	for (int i = 0; i < 2; i++) {
		struct zc_crypto_opts o;
		struct zc_crypto *c;
		char err[256];

		snprintf(field, sizeof(field), "encrypted_sector_size_%u", sizes[i]);
		cr_assert_eq(sb_field(field, want, sizeof(want)), 4096, "%s", field);
		zc_crypto_opts_default(&o);
		o.keyfile = keyfile;
		o.sector_size = sizes[i];
		cr_assert_eq(new_ctx(&o, &c, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(zc_encrypt(c, got, sb, sizeof(sb), 0), 0);
		cr_assert(memcmp(got, want, sizeof(got)) == 0, "%s", field);
		cr_assert_eq(zc_decrypt(c, got, got, sizeof(got), 0), 0);
		cr_assert(memcmp(got, sb, sizeof(got)) == 0, "%s: decrypt", field);
		zc_crypto_free(c);
	}
}

/* The IV rules of SPEC §3, checked against Nettle with IVs computed here. */
static void check_iv_rule(unsigned sector, int large, uint64_t skip, uint64_t offset)
{
	struct xts_aes256_key nk;
	struct zc_crypto_opts o;
	struct zc_crypto *c;
	unsigned char key[64], src[2 * 4096], want[2 * 4096], got[2 * 4096], iv[16] = { 0 };
	char err[256];
	FILE *f = fopen(keyfile, "rb");

	cr_assert(f && fread(key, 1, 64, f) == 64);
	fclose(f);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7);
	xts_aes256_set_encrypt_key(&nk, key);
	for (unsigned s = 0; s < 2; s++) {
		uint64_t n = large ? (offset / sector + s) + skip / (sector / 512)
				   : (offset + (uint64_t)s * sector) / 512 + skip;

		for (int b = 0; b < 8; b++)
			iv[b] = (unsigned char)(n >> (8 * b));
		xts_aes256_encrypt_message(&nk, iv, sector, want + s * sector, src + s * sector);
	}
	zc_crypto_opts_default(&o);
	o.keyfile = keyfile;
	o.sector_size = sector;
	o.iv_large_sectors = large;
	o.skip = skip;
	cr_assert_eq(new_ctx(&o, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_encrypt(c, got, src, 2 * sector, offset), 0);
	cr_assert(memcmp(got, want, 2 * sector) == 0, "sector=%u large=%d skip=%llu offset=%llu",
		  sector, large, (unsigned long long)skip, (unsigned long long)offset);
	zc_crypto_free(c);
}

Test(crypto, iv_rules)
{
	tu_vector_path(keyfile, sizeof(keyfile), "keyfile-512B.bin");
	for (unsigned sector = 512; sector <= 4096; sector *= 2)
		for (int large = 0; large <= 1; large++) {
			check_iv_rule(sector, large, 0, 0);
			check_iv_rule(sector, large, 24, (uint64_t)sector * 1000);
			check_iv_rule(sector, large, 7, 1ULL << 40);
			/* the top of a 64-bit device: the sector number wraps as plain64 does */
			check_iv_rule(sector, large, 1000, UINT64_MAX - 2 * sector + 1);
		}
}

Test(crypto, cipher_null_needs_no_key)
{
	struct zc_crypto_opts o;
	struct zc_crypto *c;
	unsigned char src[4096], dst[4096];
	char err[256];

	zc_crypto_opts_default(&o);
	o.cipher = ZC_CIPHER_NULL;
	o.keyfile = NULL;
	o.sector_size = 4096;
	cr_assert_eq(new_ctx(&o, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert(zc_crypto_is_null(c));
	cr_assert_eq(zc_crypto_sector_size(c), 4096);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 13 + 1);
	memset(dst, 0, sizeof(dst));
	cr_assert_eq(zc_encrypt(c, dst, src, sizeof(src), 8192), 0);
	cr_assert(memcmp(dst, src, sizeof(src)) == 0);
	cr_assert_eq(zc_decrypt(c, dst, dst, sizeof(dst), 8192), 0);
	cr_assert(memcmp(dst, src, sizeof(src)) == 0);
	cr_assert_eq(zc_encrypt(c, dst, src, 512, 8192), -EINVAL);
	zc_crypto_free(c);
}

static int try_new(struct zc_crypto_opts *o, char *err, size_t errlen)
{
	static char sentinel;
	struct zc_crypto *c = (struct zc_crypto *)(void *)&sentinel;	/* NULL after a failure */
	int r = new_ctx(o, &c, err, errlen);

	if (r == 0)
		zc_crypto_free(c);
	else
		cr_assert_null(c);
	return r;
}

Test(crypto, invalid_options)
{
	struct zc_crypto_opts o;
	char err[256];

	tu_vector_path(keyfile, sizeof(keyfile), "keyfile-512B.bin");
	zc_crypto_opts_default(&o);
	o.keyfile = keyfile;
	o.sector_size = 768;
	cr_assert_eq(try_new(&o, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "sector_size"), "%s", err);
	zc_crypto_opts_default(&o);
	o.keyfile = keyfile;
	o.key_size = 384;
	cr_assert_eq(try_new(&o, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "key_size"), "%s", err);
	zc_crypto_opts_default(&o);
	cr_assert_eq(try_new(&o, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "keyfile"), "%s", err);
}

Test(crypto, unaligned_requests)
{
	struct zc_crypto_opts o;
	struct zc_crypto *c;
	unsigned char buf[8192] = { 0 };
	char err[256];

	tu_vector_path(keyfile, sizeof(keyfile), "keyfile-512B.bin");
	zc_crypto_opts_default(&o);
	o.keyfile = keyfile;
	o.sector_size = 4096;
	cr_assert_eq(new_ctx(&o, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_encrypt(c, buf, buf, 4096, 512), -EINVAL);
	cr_assert_eq(zc_decrypt(c, buf, buf, 4096, 512), -EINVAL);
	cr_assert_eq(zc_encrypt(c, buf, buf, 512, 0), -EINVAL);
	cr_assert_eq(zc_decrypt(c, buf, buf, 4097, 0), -EINVAL);
	cr_assert_eq(zc_encrypt(c, buf, buf, 8192, 4096), 0);
	zc_crypto_free(c);
}
