/*
 * zcryptfs-zones: create an emulated zoned device, report and manage zones
 * of any DEVICE (blkzone's output format), inject faults into an emulated
 * one. Exit 0 on success, 1 on a usage error, 2 on a runtime failure.
 */
#include "emu.h"
#include "options.h"
#include "version.h"
#include "zdev.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2
#define REPORT_CHUNK 4096

static const char usage_text[] =
	"Usage:\n"
	"  zcryptfs-zones create DIR --zone-size SIZE --zones N [--conv N]\n"
	"                 [--zone-capacity SIZE] [--lba 512|4096] [--max-open N] [--max-active N]\n"
	"  zcryptfs-zones report DEVICE [ZONE [COUNT]]\n"
	"  zcryptfs-zones reset|finish|open|close DEVICE ZONE|all\n"
	"  zcryptfs-zones fault DIR ZONE offline|readonly|clear|fail-writes N|fail-reads N|\n"
	"                 partial-write BLOCKS|move-wp BYTES\n"
	"  zcryptfs-zones --help | --version\n"
	"\n"
	"DEVICE is a zoned block device or an emulated device directory; DIR is an\n"
	"emulated device directory (zloop layout). SIZE takes a K, M or G suffix.\n"
	"create defaults: 8 conventional zones, capacity = zone size, 4096-byte blocks,\n"
	"no open/active limits; the zone size is a power of two of at least 1M.\n"
	"report prints blkzone's format, in 512-byte sectors. ZONE is a zone index.\n";

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "zcryptfs-zones: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\nTry 'zcryptfs-zones --help'.\n");
	return EXIT_USAGE;
}


/* A byte count with an optional K, M or G (binary) suffix. */
static int parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end || (*v << shift >> shift) != *v)
		return -1;
	*v <<= shift;
	return 0;
}

static int size_arg(const char *opt, const char *s, uint64_t *v)
{
	if (parse_size(s, v))
		return usage_error("%s %s: not a size (a number with an optional K, M or G suffix)",
				   opt, s);
	return 0;
}

static int u32_arg(const char *opt, const char *s, uint32_t *v)
{
	uint64_t n;

	if (zc_parse_u64(s, &n) || n > UINT32_MAX)
		return usage_error("%s %s: must be a whole number", opt, s);
	*v = (uint32_t)n;
	return 0;
}

/* ---- create ------------------------------------------------------------ */

static int check_create(const struct emu_geometry *g, const char *zs, const char *zc,
			const char *conv, const char *zones)
{
	uint64_t nseq = g->nr_zones - g->nr_cnv_zones;
	char buf[32];

	if (g->zone_size & (g->zone_size - 1) || !g->zone_size)
		return usage_error("--zone-size %s: must be a power of two%s", zs, "");
	if (g->zone_size % EMU_SIZE_UNIT)
		return usage_error("--zone-size %s: must be at least 1M%s", zs, "");
	if (g->zone_size > EMU_MAX_ZONE_SIZE)
		return usage_error("--zone-size %s: must be at most 16G%s", zs, "");
	if (g->nr_zones == 0)
		return usage_error("--zones %s: must be at least 1%s", zones, "");
	if (g->nr_cnv_zones >= g->nr_zones)
		return usage_error(conv ? "--conv %s: must be fewer than --zones %s" :
				   "the default 8 conventional zones%s need more than --zones %s; "
				   "give --conv", conv ? conv : "", zones);
	if (zc && (g->zone_capacity == 0 || g->zone_capacity % EMU_SIZE_UNIT))
		return usage_error("--zone-capacity %s: must be a non-zero whole number of M%s", zc,
				   "");
	if (zc && g->zone_capacity > g->zone_size)
		return usage_error("--zone-capacity %s: must not exceed --zone-size %s", zc, zs);
	if (g->lblock_size != 512 && g->lblock_size != 4096) {
		snprintf(buf, sizeof(buf), "%u", g->lblock_size);
		return usage_error("--lba %s: must be 512 or 4096%s", buf, "");
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)nseq);
	if (g->max_open > nseq)
		return usage_error("--max-open: must not exceed the %s sequential zones%s", buf, "");
	if (g->max_active > nseq)
		return usage_error("--max-active: must not exceed the %s sequential zones%s", buf, "");
	if (g->max_open && g->max_active && g->max_open > g->max_active)
		return usage_error("--max-open: must not exceed --max-active%s%s", "", "");
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zone-size", required_argument, NULL, 's' },
		{ "zones", required_argument, NULL, 'n' },
		{ "conv", required_argument, NULL, 'c' },
		{ "zone-capacity", required_argument, NULL, 'C' },
		{ "lba", required_argument, NULL, 'l' },
		{ "max-open", required_argument, NULL, 'o' },
		{ "max-active", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct emu_geometry g = { .nr_cnv_zones = 8, .lblock_size = 4096 };
	const char *zs = NULL, *zc = NULL, *conv = NULL, *zones = NULL;
	char err[512];
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's': zs = optarg; ret = size_arg("--zone-size", optarg, &g.zone_size); break;
		case 'C': zc = optarg; ret = size_arg("--zone-capacity", optarg, &g.zone_capacity);
			break;
		case 'n':
			zones = optarg;
			ret = zc_parse_u64(optarg, &g.nr_zones) ?
				usage_error("--zones %s: must be a whole number%s", optarg, "") : 0;
			break;
		case 'c':
			conv = optarg;
			ret = zc_parse_u64(optarg, &g.nr_cnv_zones) ?
				usage_error("--conv %s: must be a whole number%s", optarg, "") : 0;
			break;
		case 'l': ret = u32_arg("--lba", optarg, &g.lblock_size); break;
		case 'o': ret = u32_arg("--max-open", optarg, &g.max_open); break;
		case 'a': ret = u32_arg("--max-active", optarg, &g.max_active); break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':': return usage_error("create: %s needs a value%s", argv[optind - 1], "");
		default: return usage_error("create: unknown option %s%s", argv[optind - 1], "");
		}
		if (ret)
			return ret;
	}
	if (optind != argc - 1)
		return usage_error("create: needs exactly one DIR%s%s", "", "");
	if (!zs || !zones)
		return usage_error("create: --zone-size SIZE and --zones N are required%s%s", "", "");
	ret = check_create(&g, zs, zc, conv, zones);
	if (ret)
		return ret;
	if (emu_create(argv[optind], &g, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs-zones: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* ---- report and zone operations ------------------------------------------ */

static const char *const cond_str[16] = {
	"nw", "em", "oi", "oe", "cl", "x5", "x6", "x7", "x8", "x9", "xA", "xB", "xC", "ro",
	"fu", "of",
};

static void print_zone(const struct zdev_zone *z)
{
	uint64_t wp = z->type == ZDEV_TYPE_CNV ? 0 : (z->wp - z->start) >> 9;

	printf("  start: 0x%09" PRIx64 ", len 0x%06" PRIx64 ", cap 0x%06" PRIx64 ", wptr 0x%06"
	       PRIx64 " reset:%u non-seq:%u, zcond:%2u(%s) [type: %u(%s)]\n", z->start >> 9,
	       z->len >> 9, z->capacity >> 9, wp, 0u, 0u, (unsigned)z->cond,
	       cond_str[z->cond & 0xf], (unsigned)z->type, zdev_type_name(z->type));
}

static int open_dev(const char *path, int flags, struct zdev **dev)
{
	char err[512];

	if (zdev_open(path, flags, dev, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs-zones: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int zone_arg(const char *s, const struct zdev *dev, const char *path, uint64_t *z)
{
	char n[32];

	snprintf(n, sizeof(n), "%llu", (unsigned long long)zdev_info(dev)->nr_zones);
	if (zc_parse_u64(s, z))
		return usage_error("ZONE %s: must be a zone index%s", s, "");
	if (*z >= zdev_info(dev)->nr_zones) {
		fprintf(stderr, "zcryptfs-zones: ZONE %s: out of range (%s has %s zones)\n", s, path,
			n);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	uint64_t first = 0, count = UINT64_MAX;
	struct zdev_zone *zones;
	struct zdev *dev;
	int ret;

	if (argc < 2 || argc > 4)
		return usage_error("report: needs DEVICE [ZONE [COUNT]]%s%s", "", "");
	if (argc == 4 && zc_parse_u64(argv[3], &count))
		return usage_error("COUNT %s: must be a whole number%s", argv[3], "");
	ret = open_dev(argv[1], ZDEV_RDONLY, &dev);
	if (ret)
		return ret;
	if (argc >= 3 && (ret = zone_arg(argv[2], dev, argv[1], &first))) {
		zdev_close(dev);
		return ret;
	}
	zones = calloc(REPORT_CHUNK, sizeof(*zones));
	if (!zones) {
		zdev_close(dev);
		fprintf(stderr, "zcryptfs-zones: out of memory\n");
		return EXIT_RUNTIME;
	}
	while (count) {
		int n = zdev_report(dev, first, count < REPORT_CHUNK ? count : REPORT_CHUNK, zones);

		if (n < 0) {
			fprintf(stderr, "zcryptfs-zones: %s: zone report failed: %s\n", argv[1],
				strerror(-n));
			ret = EXIT_RUNTIME;
			break;
		}
		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
			print_zone(&zones[i]);
		first += (uint64_t)n;
		count -= (uint64_t)n;
	}
	free(zones);
	zdev_close(dev);
	if (fflush(stdout) != 0)
		ret = EXIT_RUNTIME;
	return ret;
}

/* With "all", the zones the ZBC ALL bit would select for the operation. */
static int all_selects(enum zdev_zone_op op, const struct zdev_zone *z)
{
	unsigned c = z->cond;
	int open = c == ZDEV_COND_IMP_OPEN || c == ZDEV_COND_EXP_OPEN;

	if (z->type == ZDEV_TYPE_CNV)
		return 0;
	switch (op) {
	case ZDEV_OP_RESET: return open || c == ZDEV_COND_CLOSED || c == ZDEV_COND_FULL;
	case ZDEV_OP_OPEN: return c == ZDEV_COND_CLOSED;
	case ZDEV_OP_CLOSE: return open;
	case ZDEV_OP_FINISH: return open || c == ZDEV_COND_CLOSED;
	}
	return 0;
}

static int op_all(struct zdev *dev, enum zdev_zone_op op, const char *name, const char *path)
{
	uint64_t nr = zdev_info(dev)->nr_zones;
	struct zdev_zone *zones = calloc(REPORT_CHUNK, sizeof(*zones));
	int ret = 0;

	if (!zones) {
		fprintf(stderr, "zcryptfs-zones: out of memory\n");
		return EXIT_RUNTIME;
	}
	for (uint64_t first = 0; first < nr && !ret;) {
		int n = zdev_report(dev, first, nr - first < REPORT_CHUNK ? nr - first : REPORT_CHUNK,
				    zones);

		if (n <= 0) {
			fprintf(stderr, "zcryptfs-zones: %s: zone report failed: %s\n", path,
				strerror(n ? -n : EIO));
			ret = EXIT_RUNTIME;
			break;
		}
		for (int i = 0; i < n && !ret; i++) {
			int r = all_selects(op, &zones[i]) ? zdev_zone_op(dev, op, first + i) : 0;

			if (r) {
				fprintf(stderr, "zcryptfs-zones: %s: zone %llu: %s failed: %s\n", path,
					(unsigned long long)(first + i), name, strerror(-r));
				ret = EXIT_RUNTIME;
			}
		}
		first += (uint64_t)n;
	}
	free(zones);
	return ret;
}

static int cmd_zone_op(int argc, char **argv, enum zdev_zone_op op)
{
	struct zdev *dev;
	uint64_t z;
	int ret;

	if (argc != 3)
		return usage_error("%s: needs DEVICE and ZONE or all%s", argv[0], "");
	ret = open_dev(argv[1], 0, &dev);
	if (ret)
		return ret;
	if (!strcmp(argv[2], "all")) {
		ret = op_all(dev, op, argv[0], argv[1]);
	} else if (!(ret = zone_arg(argv[2], dev, argv[1], &z))) {
		int r = zdev_zone_op(dev, op, z);

		if (r) {
			fprintf(stderr, "zcryptfs-zones: %s: zone %s: %s failed: %s\n", argv[1], argv[2],
				argv[0], strerror(-r));
			ret = EXIT_RUNTIME;
		}
	}
	zdev_close(dev);
	return ret;
}

/* ---- fault --------------------------------------------------------------- */

static const struct {
	const char *name;
	enum emu_fault_kind kind;
	const char *arg;	/* NULL: takes no argument */
} faults[] = {
	{ "offline", EMU_FAULT_OFFLINE, NULL },
	{ "readonly", EMU_FAULT_READONLY, NULL },
	{ "clear", EMU_FAULT_CLEAR, NULL },
	{ "fail-writes", EMU_FAULT_FAIL_WRITES, "N" },
	{ "fail-reads", EMU_FAULT_FAIL_READS, "N" },
	{ "partial-write", EMU_FAULT_PARTIAL_WRITE, "BLOCKS" },
	{ "move-wp", EMU_FAULT_MOVE_WP, "BYTES" },
};

static int cmd_fault(int argc, char **argv)
{
	uint64_t zone, arg = 0;
	char err[512];
	size_t i;
	int ret;

	if (argc < 4 || argc > 5)
		return usage_error("fault: needs DIR ZONE KIND [ARG]%s%s", "", "");
	if (zc_parse_u64(argv[2], &zone))
		return usage_error("ZONE %s: must be a zone index%s", argv[2], "");
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (!strcmp(argv[3], faults[i].name))
			break;
	if (i == sizeof(faults) / sizeof(faults[0]))
		return usage_error("fault %s: unknown; use offline, readonly, clear, fail-writes, "
				   "fail-reads, partial-write or move-wp%s", argv[3], "");
	if (!faults[i].arg != (argc == 4))
		return usage_error(faults[i].arg ? "fault %s: needs %s" : "fault %s: takes no "
				   "argument%s", faults[i].name, faults[i].arg ? faults[i].arg : "");
	if (faults[i].arg && (faults[i].kind == EMU_FAULT_MOVE_WP ? parse_size(argv[4], &arg) :
			      zc_parse_u64(argv[4], &arg)))
		return usage_error("%s %s: must be a whole number", faults[i].arg, argv[4]);
	if (!emu_is_device(argv[1])) {
		struct zdev *dev;

		/* Let zdev_open say what the path is; faults need an emulated device. */
		if (open_dev(argv[1], ZDEV_RDONLY, &dev))
			return EXIT_RUNTIME;
		zdev_close(dev);
		fprintf(stderr, "zcryptfs-zones: %s: faults can only be injected into an emulated "
			"device\n", argv[1]);
		return EXIT_RUNTIME;
	}
	ret = emu_fault(argv[1], zone, faults[i].kind, arg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "zcryptfs-zones: %s\n", err);
		return ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum zdev_zone_op op;
	} ops[] = {
		{ "reset", ZDEV_OP_RESET },
		{ "open", ZDEV_OP_OPEN },
		{ "close", ZDEV_OP_CLOSE },
		{ "finish", ZDEV_OP_FINISH },
	};

	if (argc < 2)
		return usage_error("a subcommand is required%s%s", "", "");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		puts("zcryptfs-zones " ZC_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fault"))
		return cmd_fault(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(argv[1], ops[i].name))
			return cmd_zone_op(argc - 1, argv + 1, ops[i].op);
	return usage_error("%s: unknown subcommand%s", argv[1], "");
}
