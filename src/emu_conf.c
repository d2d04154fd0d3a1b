/*
 * The emulated device's geometry file and the creation of a device
 * directory (format and rules in emu.h). Parsing is strict: the file may
 * have been truncated or tampered with, and a wrong geometry would read the
 * zone files at the wrong offsets.
 */
#include "emu_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX 4096

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int emu_geometry_check(const struct emu_geometry *g, char *err, size_t errlen)
{
	uint64_t cap = g->zone_capacity ? g->zone_capacity : g->zone_size;
	uint64_t nseq = g->nr_zones - g->nr_cnv_zones;

	if (!is_pow2(g->zone_size) || g->zone_size % EMU_SIZE_UNIT ||
	    g->zone_size > EMU_MAX_ZONE_SIZE) {
		snprintf(err, errlen, "zone size %llu: must be a power of two from 1 MiB to 16 GiB",
			 (unsigned long long)g->zone_size);
		return -EINVAL;
	}
	if (cap % EMU_SIZE_UNIT || cap > g->zone_size) {
		snprintf(err, errlen, "zone capacity %llu: must be a whole number of MiB, at most "
			 "the zone size", (unsigned long long)cap);
		return -EINVAL;
	}
	if (g->nr_zones == 0 || g->nr_zones > (1ULL << 32) ||
	    g->nr_zones > (UINT64_MAX >> 1) / g->zone_size) {
		snprintf(err, errlen, "%llu zones: must be from 1 to 4294967296 and fit in 2^63 bytes",
			 (unsigned long long)g->nr_zones);
		return -EINVAL;
	}
	if (g->nr_cnv_zones >= g->nr_zones) {
		snprintf(err, errlen, "%llu conventional zones: must be fewer than the %llu zones",
			 (unsigned long long)g->nr_cnv_zones, (unsigned long long)g->nr_zones);
		return -EINVAL;
	}
	if (g->lblock_size != 512 && g->lblock_size != 4096) {
		snprintf(err, errlen, "logical block size %u: must be 512 or 4096", g->lblock_size);
		return -EINVAL;
	}
	if (g->max_open > nseq || g->max_active > nseq) {
		snprintf(err, errlen, "max open %u / max active %u: must not exceed the %llu "
			 "sequential zones", g->max_open, g->max_active, (unsigned long long)nseq);
		return -EINVAL;
	}
	if (g->max_open && g->max_active && g->max_open > g->max_active) {
		snprintf(err, errlen, "max open %u: must not exceed max active %u", g->max_open,
			 g->max_active);
		return -EINVAL;
	}
	return 0;
}

enum {
	K_CAPACITY, K_ZONE_SIZE, K_ZONE_CAP, K_CONV, K_NR_ZONES, K_LBA, K_MAX_OPEN,
	K_MAX_ACTIVE, K_NKEYS
};

static const char *const keys[K_NKEYS] = {
	"capacity_mb", "zone_size_mb", "zone_capacity_mb", "conv_zones", "nr_zones",
	"lba_size", "max_open", "max_active",
};

/* zloop options that say nothing about the zones themselves. */
static const char *const ignored[] = {
	"id", "base_dir", "nr_queues", "queue_depth", "buffered_io",
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

static int parse_line(char *line, uint64_t *val, unsigned *seen, char *why, size_t whylen)
{
	char *save = NULL;

	for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		size_t i;

		if (eq)
			*eq = '\0';
		for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
			if (!strcmp(tok, ignored[i]))
				break;
		if (i < sizeof(ignored) / sizeof(ignored[0]))
			continue;
		for (i = 0; i < K_NKEYS; i++)
			if (!strcmp(tok, keys[i]))
				break;
		if (i == K_NKEYS) {
			snprintf(why, whylen, "unknown option '%.40s'", tok);
			return -1;
		}
		if (*seen & (1U << i)) {
			snprintf(why, whylen, "option %s given twice", keys[i]);
			return -1;
		}
		if (!eq || parse_u64(eq + 1, &val[i])) {
			snprintf(why, whylen, "option %s needs a decimal number", keys[i]);
			return -1;
		}
		*seen |= 1U << i;
	}
	return 0;
}

static int to_u32(uint64_t v, uint32_t *out)
{
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int conf_geometry(const uint64_t *val, unsigned seen, struct emu_geometry *g,
			 char *why, size_t whylen)
{
	static const int required[] = { K_CAPACITY, K_ZONE_SIZE, K_CONV, K_NR_ZONES, K_LBA };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!(seen & (1U << required[i]))) {
			snprintf(why, whylen, "option %s is missing", keys[required[i]]);
			return -1;
		}
	}
	if (val[K_ZONE_SIZE] > EMU_MAX_ZONE_SIZE / EMU_SIZE_UNIT ||
	    val[K_ZONE_CAP] > EMU_MAX_ZONE_SIZE / EMU_SIZE_UNIT ||
	    to_u32(val[K_LBA], &g->lblock_size) || to_u32(val[K_MAX_OPEN], &g->max_open) ||
	    to_u32(val[K_MAX_ACTIVE], &g->max_active)) {
		snprintf(why, whylen, "a value is out of range");
		return -1;
	}
	g->zone_size = val[K_ZONE_SIZE] * EMU_SIZE_UNIT;
	g->zone_capacity = (seen & (1U << K_ZONE_CAP)) ? val[K_ZONE_CAP] * EMU_SIZE_UNIT :
		g->zone_size;
	g->nr_zones = val[K_NR_ZONES];
	g->nr_cnv_zones = val[K_CONV];
	if (seen & (1U << K_ZONE_CAP) && val[K_ZONE_CAP] == 0) {
		snprintf(why, whylen, "zone_capacity_mb must not be 0");
		return -1;
	}
	if (emu_geometry_check(g, why, whylen))
		return -1;
	if (val[K_CAPACITY] / val[K_ZONE_SIZE] != val[K_NR_ZONES] ||
	    val[K_CAPACITY] % val[K_ZONE_SIZE]) {
		snprintf(why, whylen, "capacity_mb %llu is not nr_zones %llu x zone_size_mb %llu",
			 (unsigned long long)val[K_CAPACITY], (unsigned long long)val[K_NR_ZONES],
			 (unsigned long long)val[K_ZONE_SIZE]);
		return -1;
	}
	return 0;
}

int emu_conf_read(int dirfd, const char *dir, struct emu_geometry *geo, char *err,
		  size_t errlen)
{
	uint64_t val[K_NKEYS] = { 0 };
	char buf[CONF_MAX + 1], why[200];
	unsigned seen = 0;
	struct stat st;
	ssize_t n;
	int fd;

	memset(geo, 0, sizeof(*geo));
	fd = openat(dirfd, EMU_GEOMETRY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s/%s: %s", dir, EMU_GEOMETRY_FILE,
			 e == ELOOP ? "is a symbolic link" : strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONF_MAX) {
		close(fd);
		snprintf(err, errlen, "%s/%s: not a regular file of at most %d bytes", dir,
			 EMU_GEOMETRY_FILE, CONF_MAX);
		return -EINVAL;
	}
	n = pread(fd, buf, CONF_MAX, 0);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, EMU_GEOMETRY_FILE, strerror(errno));
		return -EIO;
	}
	buf[n] = '\0';
	if (n == 0 || buf[n - 1] != '\n' || memchr(buf, '\n', (size_t)n - 1) ||
	    strlen(buf) != (size_t)n) {
		snprintf(why, sizeof(why), "must be exactly one line ending in a newline");
		goto bad;
	}
	buf[n - 1] = '\0';
	if (parse_line(buf, val, &seen, why, sizeof(why)) ||
	    conf_geometry(val, seen, geo, why, sizeof(why)))
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "%s/%s: bad geometry: %s", dir, EMU_GEOMETRY_FILE, why);
	return -EINVAL;
}

int emu_is_device(const char *dir)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, EMU_GEOMETRY_FILE) >= (int)sizeof(path))
		return 0;
	return lstat(path, &st) == 0;
}

DIR *emu_opendir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = fd < 0 ? NULL : fdopendir(fd);

	if (!dp && fd >= 0)
		close(fd);
	return dp;
}

static int dir_is_empty(int dirfd)
{
	DIR *dp = emu_opendir(dirfd);
	struct dirent *de;
	int empty = 1;

	if (!dp)
		return -1;
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(dp);
	return empty;
}

static int create_zone_files(int dirfd, const char *dir, const struct emu_geometry *g,
			     char *err, size_t errlen)
{
	for (uint64_t z = 0; z < g->nr_zones; z++) {
		int cnv = z < g->nr_cnv_zones;
		char name[32];
		int fd;

		snprintf(name, sizeof(name), "%s-%06llu", cnv ? "cnv" : "seq", (unsigned long long)z);
		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || (cnv && ftruncate(fd, (off_t)g->zone_size) < 0)) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(e));
			return -e;
		}
		close(fd);
	}
	return 0;
}

static int write_conf(int dirfd, const char *dir, const struct emu_geometry *g, char *err,
		      size_t errlen)
{
	uint64_t mb = g->zone_size / EMU_SIZE_UNIT;
	uint64_t cap = (g->zone_capacity ? g->zone_capacity : g->zone_size) / EMU_SIZE_UNIT;
	char line[512], tmp[64];
	int fd, len, ret = 0;

	len = snprintf(line, sizeof(line), "capacity_mb=%llu,zone_size_mb=%llu,"
		       "zone_capacity_mb=%llu,conv_zones=%llu,nr_zones=%llu,lba_size=%u,"
		       "max_open=%u,max_active=%u\n", (unsigned long long)(mb * g->nr_zones),
		       (unsigned long long)mb, (unsigned long long)cap,
		       (unsigned long long)g->nr_cnv_zones, (unsigned long long)g->nr_zones,
		       g->lblock_size, g->max_open, g->max_active);
	/* Written aside and renamed: the directory becomes a device only when complete. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", EMU_GEOMETRY_FILE);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)len) != len || fsync(fd) < 0 ||
	    renameat(dirfd, tmp, dirfd, EMU_GEOMETRY_FILE) < 0)
		ret = errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	if (ret)
		snprintf(err, errlen, "%s/%s: %s", dir, EMU_GEOMETRY_FILE, strerror(-ret));
	return ret;
}

int emu_create(const char *dir, const struct emu_geometry *geo, char *err, size_t errlen)
{
	struct emu_geometry g = *geo;
	char why[200];
	int dirfd, ret;

	if (!g.zone_capacity)
		g.zone_capacity = g.zone_size;
	if (emu_geometry_check(&g, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", dir, why);
		return -EINVAL;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
		return ret;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	ret = dir_is_empty(dirfd);
	if (ret != 1) {
		snprintf(err, errlen, "%s: %s", dir, ret < 0 ? "cannot list it" :
			 "not empty; an emulated device needs a new or empty directory");
		close(dirfd);
		return ret < 0 ? -EIO : -EEXIST;
	}
	ret = create_zone_files(dirfd, dir, &g, err, errlen);
	if (!ret) {
		ret = emu_state_create(dirfd, g.nr_zones);
		if (ret)
			snprintf(err, errlen, "%s/%s: %s", dir, EMU_STATE_FILE, strerror(-ret));
	}
	if (!ret)
		ret = write_conf(dirfd, dir, &g, err, errlen);
	close(dirfd);
	return ret;
}
