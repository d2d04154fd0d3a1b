/* mkzcryptfs: format a zoned device as an encrypted zonefs (SPEC §1, §4.1). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "crypto.h"
#include "keyfile.h"
#include "options.h"
#include "super.h"
#include "version.h"
#include "zdev.h"
#include "zfs.h"

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mkzcryptfs [-f] [-v] [-L LABEL] [-o OPT[,OPT...]]... DEVICE\n"
"Format DEVICE (a zoned block device, or an emulated zoned device directory)\n"
"as an encrypted zonefs: reset every sequential zone and write the zonefs\n"
"superblock, encrypted, to zone 0. cryptsetup open --type plain with the same\n"
"key and options gives a device the kernel mounts with mount -t zonefs.\n"
"\n"
"  -f        overwrite a device that is already formatted or holds data\n"
"  -L LABEL  filesystem label (up to 64 bytes)\n"
"  -v        verbose: print the zones\n"
"  -h        this text;  -V, --version  the version\n"
"  -o aggr_cnv,uid=N,gid=N,perm=OCTAL   format options (as mkzonefs)\n"
"  -o keyfile=PATH,keyfile_offset=N,cipher=aes-xts-plain64|null,key_size=512|256,\n"
"     sector_size=512|1024|2048|4096,iv_large_sectors,skip=N   crypto options\n"
"Repeated -o lists accumulate.\n");
}

struct mkfs {
	const char *path;
	struct zdev *dev;
	const struct zdev_info *info;
	struct zc_crypto *crypto;
	struct zdev_zone *zones;
	uint8_t *sb;		/* ZC_SUPER_SIZE, aligned */
};

/* Refuse to destroy data unless -f: a valid superblock, or written seq zones. */
static int check_unused(struct mkfs *m, char *err, size_t errlen)
{
	struct zc_super sb;
	enum zc_super_err why;
	if (zc_super_read(m->dev, m->crypto, &m->zones[0], &sb, &why) == 0) {
		snprintf(err, errlen, "%s: already formatted (zone 0 holds a valid superblock, "
			 "label \"%.64s\"): use -f to overwrite it", m->path, sb.label);
		return -EEXIST;
	}
	/* Zone 0 counts too when it holds no superblock: a -o plain user's data. */
	for (uint64_t i = 0; i < m->info->nr_zones; i++) {
		const struct zdev_zone *z = &m->zones[i];
		if (z->type != ZDEV_TYPE_CNV && z->cond != ZDEV_COND_OFFLINE &&
		    (z->cond == ZDEV_COND_FULL || z->wp > z->start)) {
			snprintf(err, errlen, "%s: sequential zone %" PRIu64 " holds data: use -f to "
				 "overwrite the device", m->path, i);
			return -EEXIST;
		}
	}
	return 0;
}

static int reset_zones(struct mkfs *m, int verbose, char *err, size_t errlen)
{
	uint64_t n = m->info->nr_zones;
	int progress = isatty(STDERR_FILENO) && n >= 1024;
	for (uint64_t i = 0; i < n; i++) {
		const struct zdev_zone *z = &m->zones[i];
		if (progress && (i % 256 == 0 || i + 1 == n))
			fprintf(stderr, "\rResetting zones: %" PRIu64 "/%" PRIu64, i + 1, n);
		if (z->type == ZDEV_TYPE_CNV || z->cond == ZDEV_COND_EMPTY)
			continue;
		if (z->cond == ZDEV_COND_OFFLINE || z->cond == ZDEV_COND_READONLY) {
			if (verbose)
				printf("zone %" PRIu64 " is %s: left as it is\n", i, zdev_cond_name(z->cond));
			continue;
		}
		int r = zdev_zone_op(m->dev, ZDEV_OP_RESET, i);
		if (r) {
			if (progress)
				fputc('\n', stderr);
			snprintf(err, errlen, "%s: cannot reset zone %" PRIu64 ": %s", m->path, i,
				 strerror(-r));
			return r;
		}
	}
	if (progress)
		fputc('\n', stderr);
	return 0;
}

static int write_super(struct mkfs *m, const struct zc_format_opts *fo, const char *label,
		       char *err, size_t errlen)
{
	struct zc_super sb;
	memset(&sb, 0, sizeof(sb));
	if (label)
		memcpy(sb.label, label, strlen(label));
	if (getrandom(sb.uuid, sizeof(sb.uuid), 0) != sizeof(sb.uuid)) {
		snprintf(err, errlen, "cannot get random bytes for the uuid: %s", strerror(errno));
		return -errno;
	}
	/* RFC 4122 version 4, as libuuid's uuid_generate makes for mkzonefs. */
	sb.uuid[6] = (uint8_t)((sb.uuid[6] & 0x0f) | 0x40);
	sb.uuid[8] = (uint8_t)((sb.uuid[8] & 0x3f) | 0x80);
	if (fo->aggr_cnv)
		sb.features |= ZC_F_AGGRCNV;
	if (fo->have_uid) {
		sb.features |= ZC_F_UID;
		sb.uid = fo->uid;
	}
	if (fo->have_gid) {
		sb.features |= ZC_F_GID;
		sb.gid = fo->gid;
	}
	if (fo->have_perm) {
		sb.features |= ZC_F_PERM;
		sb.perm = fo->perm;
	}
	zc_super_encode(&sb, m->sb);
	int r = zc_encrypt(m->crypto, m->sb, m->sb, ZC_SUPER_SIZE, 0);
	if (r) {
		snprintf(err, errlen, "cannot encrypt the superblock: %s", strerror(-r));
		return r;
	}
	ssize_t n = zdev_pwrite(m->dev, m->sb, ZC_SUPER_SIZE, 0);
	if (n != ZC_SUPER_SIZE) {
		r = n < 0 ? (int)n : -EIO;
		snprintf(err, errlen, "%s: cannot write the superblock: %s", m->path, strerror(-r));
		return r;
	}
	/* A sequential zone 0 is finished, as mkzonefs does, so nothing appends to it. */
	if (m->zones[0].type != ZDEV_TYPE_CNV && (r = zdev_zone_op(m->dev, ZDEV_OP_FINISH, 0))) {
		snprintf(err, errlen, "%s: cannot finish zone 0: %s", m->path, strerror(-r));
		return r;
	}
	if ((r = zdev_flush(m->dev))) {
		snprintf(err, errlen, "%s: cannot flush the device: %s", m->path, strerror(-r));
		return r;
	}
	return 0;
}

static void print_zones(const struct mkfs *m)
{
	for (uint64_t i = 0; i < m->info->nr_zones; i++) {
		const struct zdev_zone *z = &m->zones[i];
		printf("Zone %06" PRIu64 ": %s, start %" PRIu64 ", capacity %" PRIu64 ", %s\n", i,
		       zdev_type_name(z->type), z->start, z->capacity, zdev_cond_name(z->cond));
	}
}

static int format(const char *path, const struct zc_format_opts *fo, const char *label,
		  int force, int verbose, char *err, size_t errlen)
{
	struct mkfs m = { .path = path };
	int r = zdev_open(path, 0, &m.dev, err, errlen);
	if (r)
		return r;
	m.info = zdev_info(m.dev);
	if ((r = zc_crypto_new(&fo->crypto, &m.crypto, err, errlen)))
		goto out;
	r = -EINVAL;
	if (m.info->nr_zones < 2) {
		snprintf(err, errlen, "%s: a zonefs needs at least 2 zones", path);
		goto out;
	}
	if (m.info->lblock_size > ZC_SUPER_SIZE) {
		snprintf(err, errlen, "%s: logical blocks over 4096 bytes are not supported", path);
		goto out;
	}
	m.zones = calloc(m.info->nr_zones, sizeof(*m.zones));
	if (!m.zones || posix_memalign((void **)&m.sb, ZDEV_BUF_ALIGN, ZC_SUPER_SIZE)) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	int got = zdev_report(m.dev, 0, m.info->nr_zones, m.zones);
	if (got < 0 || (uint64_t)got != m.info->nr_zones) {
		r = got < 0 ? got : -EIO;
		snprintf(err, errlen, "%s: zone report failed: %s", path, strerror(-r));
		goto out;
	}
	if (m.zones[0].capacity < ZC_SUPER_SIZE) {
		snprintf(err, errlen, "%s: zone 0 is too small for the superblock", path);
		goto out;
	}
	if (!force && (r = check_unused(&m, err, errlen)))
		goto out;
	if ((r = reset_zones(&m, verbose, err, errlen)))
		goto out;
	if ((r = write_super(&m, fo, label, err, errlen)))
		goto out;
	if (verbose && (r = zdev_report(m.dev, 0, m.info->nr_zones, m.zones)) > 0)
		print_zones(&m);
	printf("%s: formatted: %" PRIu64 " zones of %" PRIu64 " MiB, %" PRIu64 " conventional, "
	       "%s%s\n", path, m.info->nr_zones, m.info->zone_size >> 20, m.info->nr_cnv_zones,
	       fo->crypto.cipher == ZC_CIPHER_NULL ? "not encrypted (cipher=null)" : "aes-xts-plain64",
	       fo->aggr_cnv ? ", aggr_cnv" : "");
	r = 0;
out:
	free(m.sb);
	free(m.zones);
	zc_crypto_free(m.crypto);
	zdev_close(m.dev);
	return r;
}

int main(int argc, char **argv)
{
	struct zc_format_opts fo;
	struct zc_cmdline cl;
	char err[512];
	int code = EXIT_USAGE;

	zc_format_opts_init(&fo);
	if (zc_cmdline_parse(&cl, argc, argv, "mkzcryptfs", "fv", 1, err, sizeof(err))) {
		fprintf(stderr, "mkzcryptfs: %s\n", err);
		goto out;
	}
	if (cl.help || cl.version) {
		if (cl.help)
			usage(stdout);
		else
			printf("mkzcryptfs %s\n", ZC_VERSION);
		code = 0;
		goto out;
	}
	int force = !!(cl.flags & ZC_FLAG('f')), verbose = !!(cl.flags & ZC_FLAG('v'));
	const char *label = cl.label, *path = cl.pos[0];
	if (label && strlen(label) > ZC_SUPER_LABEL_LEN) {
		fprintf(stderr, "mkzcryptfs: -L %s: a label has at most 64 bytes\n", label);
		goto out;
	}
	if (cl.npos > 1) {
		fprintf(stderr, "mkzcryptfs: %s: one DEVICE only\n", cl.pos[1]);
		goto out;
	}
	if (!path) {
		fprintf(stderr, "mkzcryptfs: needs a DEVICE (see mkzcryptfs --help)\n");
		goto out;
	}
	if (cl.olist && zc_format_opts_parse(&fo, cl.olist, err, sizeof(err))) {
		fprintf(stderr, "mkzcryptfs: %s\n", err);
		goto out;
	}
	if (zc_crypto_opts_check(&fo.crypto, err, sizeof(err))) {
		fprintf(stderr, "mkzcryptfs: %s\n", err);
		goto out;
	}
	zc_set_nondumpable();
	code = format(path, &fo, label, force, verbose, err, sizeof(err)) ? EXIT_RUNTIME : 0;
	if (code)
		fprintf(stderr, "mkzcryptfs: %s\n", err);
out:
	zc_format_opts_free(&fo);
	zc_cmdline_free(&cl);
	return code;
}
