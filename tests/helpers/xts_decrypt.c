/*
 * xts_decrypt: an independent dm-crypt plain64 decryptor for the end-to-end
 * tests (SPEC §3). It uses Nettle's reference XTS functions directly, never
 * include/crypto.h, so that a mistake shared by the filesystem and its own
 * crypto layer cannot hide: the tests decrypt an emulated zone file with it
 * and compare with what was written through the mount.
 *
 *   xts_decrypt KEYFILE DEV_OFFSET SECTOR_SIZE INPUT [iv_large] [key_size=256]
 *               [skip=N] [keyfile_offset=N]
 *
 * INPUT holds the ciphertext that starts at byte DEV_OFFSET of the device;
 * the plaintext goes to stdout. Exit 0, or 2 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/xts.h>

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "xts_decrypt: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 0);
	return *s && !*end ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint64_t dev_off, sector, skip = 0, key_off = 0, key_bits = 512, n;
	int iv_large = 0;
	uint8_t key[64], *in, *out, tweak[16];
	struct xts_aes256_key k256;
	struct xts_aes128_key k128;
	FILE *kf, *f;
	long len;

	if (argc < 5)
		return die("usage: xts_decrypt KEYFILE DEV_OFFSET SECTOR_SIZE INPUT [iv_large] "
			   "[key_size=256] [skip=N] [keyfile_offset=N]", NULL);
	if (parse_u64(argv[2], &dev_off) || parse_u64(argv[3], &sector) ||
	    (sector != 512 && sector != 1024 && sector != 2048 && sector != 4096) || dev_off % sector)
		return die("bad offset or sector size", argv[3]);
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "iv_large"))
			iv_large = 1;
		else if (!strncmp(argv[i], "key_size=", 9) && !parse_u64(argv[i] + 9, &key_bits) &&
			 (key_bits == 256 || key_bits == 512))
			continue;
		else if (!strncmp(argv[i], "skip=", 5) && !parse_u64(argv[i] + 5, &skip))
			continue;
		else if (!strncmp(argv[i], "keyfile_offset=", 15) && !parse_u64(argv[i] + 15, &key_off))
			continue;
		else
			return die("unknown option", argv[i]);
	}

	kf = fopen(argv[1], "rb");
	if (!kf || fseek(kf, (long)key_off, SEEK_SET) || fread(key, 1, key_bits / 8, kf) != key_bits / 8)
		return die("cannot read the key", argv[1]);
	fclose(kf);
	if (key_bits == 512)
		xts_aes256_set_decrypt_key(&k256, key);
	else
		xts_aes128_set_decrypt_key(&k128, key);

	f = fopen(argv[4], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return die("cannot read", argv[4]);
	if ((uint64_t)len % sector)
		return die("input is not a whole number of sectors", argv[4]);
	in = malloc((size_t)len + 1);
	out = malloc((size_t)len + 1);
	if (!in || !out || fread(in, 1, (size_t)len, f) != (size_t)len)
		return die("cannot read", argv[4]);
	fclose(f);

	for (uint64_t pos = 0; pos < (uint64_t)len; pos += sector) {
		uint64_t off = dev_off + pos;

		n = iv_large ? off / sector + skip / (sector / 512) : off / 512 + skip;
		memset(tweak, 0, sizeof(tweak));
		for (int b = 0; b < 8; b++)
			tweak[b] = (uint8_t)(n >> (8 * b));
		if (key_bits == 512)
			xts_aes256_decrypt_message(&k256, tweak, sector, out + pos, in + pos);
		else
			xts_aes128_decrypt_message(&k128, tweak, sector, out + pos, in + pos);
	}
	if (fwrite(out, 1, (size_t)len, stdout) != (size_t)len)
		return die("cannot write stdout", NULL);
	memset(key, 0, sizeof(key));
	free(in);
	free(out);
	return 0;
}
