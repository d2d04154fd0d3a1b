/* -o option lists and the command lines around them (SPEC §2), parsed with libfuse's fuse_opt. */
#define FUSE_USE_VERSION 35
#include "options.h"

#include <errno.h>
#include <fuse_opt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key {
	K_KEYFILE = 1, K_KEYFILE_OFFSET, K_CIPHER, K_KEY_SIZE, K_SECTOR_SIZE,
	K_IV_LARGE, K_SKIP,
	K_ERRORS, K_EXPLICIT_OPEN, K_PLAIN, K_RO, K_STRICT_ALIGN,
	K_UID, K_GID, K_PERM, K_AGGR_CNV,
};

#define CRYPTO_KEYS \
	FUSE_OPT_KEY("keyfile=", K_KEYFILE), \
	FUSE_OPT_KEY("keyfile_offset=", K_KEYFILE_OFFSET), \
	FUSE_OPT_KEY("cipher=", K_CIPHER), \
	FUSE_OPT_KEY("key_size=", K_KEY_SIZE), \
	FUSE_OPT_KEY("sector_size=", K_SECTOR_SIZE), \
	FUSE_OPT_KEY("iv_large_sectors", K_IV_LARGE), \
	FUSE_OPT_KEY("skip=", K_SKIP), \
	FUSE_OPT_KEY("uid=", K_UID), \
	FUSE_OPT_KEY("gid=", K_GID), \
	FUSE_OPT_KEY("perm=", K_PERM)

static const struct fuse_opt mount_spec[] = {
	CRYPTO_KEYS,
	FUSE_OPT_KEY("errors=", K_ERRORS),
	FUSE_OPT_KEY("explicit-open", K_EXPLICIT_OPEN),
	FUSE_OPT_KEY("plain", K_PLAIN),
	FUSE_OPT_KEY("ro", K_RO),
	FUSE_OPT_KEY("strict_align", K_STRICT_ALIGN),
	FUSE_OPT_END
};

static const struct fuse_opt format_spec[] = {
	CRYPTO_KEYS,
	FUSE_OPT_KEY("aggr_cnv", K_AGGR_CNV),
	FUSE_OPT_END
};

struct ctx {
	struct zc_crypto_opts *crypto;
	struct zc_mount_opts *m;	/* NULL when formatting */
	struct zc_format_opts *f;
	char **rest;
	struct zc_cmdline *cl;		/* zc_cmdline_parse only */
	const char *prog, *flags;
	int with_label;
	char *err;
	size_t errlen;
	int failed;
};

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (c->err && c->errlen)
		vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	c->failed = 1;
	return -1;
}

int zc_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || *s < '0' || *s > '9')	/* strtoull would take signs and blanks */
		return -EINVAL;
	errno = 0;
	/* Decimal only: uid=010 is ten, as for mount(8) and cryptsetup. */
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;
	if (zc_parse_u64(s, &x) || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int append_rest(struct ctx *c, const char *arg)
{
	size_t old = *c->rest ? strlen(*c->rest) : 0;
	char *n = realloc(*c->rest, old + strlen(arg) + 2);
	if (!n)
		return fail(c, "out of memory");
	if (old)
		n[old++] = ',';
	strcpy(n + old, arg);
	*c->rest = n;
	return 0;
}

/* Ownership options are shared by both programs but live in different structs. */
static int set_owner(struct ctx *c, int key, const char *val, const char *arg)
{
	uint32_t v;
	if (key == K_PERM) {
		char *end;
		errno = 0;
		unsigned long p = strtoul(val, &end, 8);
		if (!*val || *val == '-' || *val == '+' || *end || errno || p > 07777)
			return fail(c, "%s: perm takes an octal mode up to 07777", arg);
		v = (uint32_t)p;
	} else if (parse_u32(val, &v)) {
		return fail(c, "%s: takes a numeric %s", arg, key == K_UID ? "user id" : "group id");
	}
	int *have_uid = c->m ? &c->m->have_uid : &c->f->have_uid;
	int *have_gid = c->m ? &c->m->have_gid : &c->f->have_gid;
	int *have_perm = c->m ? &c->m->have_perm : &c->f->have_perm;
	uint32_t *uid = c->m ? &c->m->uid : &c->f->uid;
	uint32_t *gid = c->m ? &c->m->gid : &c->f->gid;
	uint32_t *perm = c->m ? &c->m->perm : &c->f->perm;
	if (key == K_UID) { *uid = v; *have_uid = 1; }
	if (key == K_GID) { *gid = v; *have_gid = 1; }
	if (key == K_PERM) { *perm = v; *have_perm = 1; }
	return 0;
}

static int proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct ctx *c = data;
	struct zc_crypto_opts *co = c->crypto;
	const char *val = strchr(arg, '=');
	uint64_t n;
	(void)outargs;
	val = val ? val + 1 : "";

	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		return fail(c, "%s: not an option", arg);
	case FUSE_OPT_KEY_OPT:
		if (c->rest)
			return append_rest(c, arg);
		return fail(c, "%s: unknown option", arg);
	case K_KEYFILE:
		if (!*val)
			return fail(c, "keyfile=: needs a path");
		free((char *)co->keyfile);
		co->keyfile = strdup(val);
		return co->keyfile ? 0 : fail(c, "out of memory");
	case K_KEYFILE_OFFSET:
		if (zc_parse_u64(val, &co->keyfile_offset))
			return fail(c, "%s: takes a byte count", arg);
		return 0;
	case K_CIPHER:
		if (!strcmp(val, "aes-xts-plain64"))
			co->cipher = ZC_CIPHER_AES_XTS_PLAIN64;
		else if (!strcmp(val, "null"))
			co->cipher = ZC_CIPHER_NULL;
		else
			return fail(c, "%s: cipher must be aes-xts-plain64 or null", arg);
		return 0;
	case K_KEY_SIZE:
		if (zc_parse_u64(val, &n) || (n != 256 && n != 512))
			return fail(c, "%s: key_size must be 512 (AES-256-XTS) or 256 (AES-128-XTS)", arg);
		co->key_size = (unsigned)n;
		return 0;
	case K_SECTOR_SIZE:
		if (zc_parse_u64(val, &n) || (n != 512 && n != 1024 && n != 2048 && n != 4096))
			return fail(c, "%s: sector_size must be 512, 1024, 2048 or 4096", arg);
		co->sector_size = (unsigned)n;
		return 0;
	case K_IV_LARGE:
		co->iv_large_sectors = 1;
		return 0;
	case K_SKIP:
		if (zc_parse_u64(val, &co->skip))
			return fail(c, "%s: skip takes a number of 512-byte sectors", arg);
		return 0;
	case K_UID:
	case K_GID:
	case K_PERM:
		return set_owner(c, key, val, arg);
	case K_ERRORS:
		if (!strcmp(val, "remount-ro"))
			c->m->errors = ZC_ERRORS_REMOUNT_RO;
		else if (!strcmp(val, "zone-ro"))
			c->m->errors = ZC_ERRORS_ZONE_RO;
		else if (!strcmp(val, "zone-offline"))
			c->m->errors = ZC_ERRORS_ZONE_OFFLINE;
		else if (!strcmp(val, "repair"))
			c->m->errors = ZC_ERRORS_REPAIR;
		else
			return fail(c, "%s: errors must be remount-ro, zone-ro, zone-offline or repair", arg);
		return 0;
	case K_EXPLICIT_OPEN:
		c->m->explicit_open = 1;
		return 0;
	case K_PLAIN:
		c->m->plain = 1;
		return 0;
	case K_RO:
		c->m->ro = 1;
		/* The kernel mount is read-only too, so the page cache never dirties. */
		return c->rest ? append_rest(c, "ro") : 0;
	case K_STRICT_ALIGN:
		c->m->strict_align = 1;
		return 0;
	case K_AGGR_CNV:
		c->f->aggr_cnv = 1;
		return 0;
	}
	return fail(c, "%s: unhandled option", arg);
}

static int parse_list(struct ctx *c, const struct fuse_opt *spec, const char *list)
{
	char *argv[] = { "zcryptfs", "-o", (char *)list, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	int r = fuse_opt_parse(&args, c, spec, proc);
	fuse_opt_free_args(&args);
	if (r || c->failed) {
		if (!c->failed)
			fail(c, "-o %s: malformed option list", list);
		return -EINVAL;
	}
	return 0;
}

void zc_mount_opts_init(struct zc_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	zc_crypto_opts_default(&o->crypto);
	o->errors = ZC_ERRORS_REMOUNT_RO;
}

void zc_format_opts_init(struct zc_format_opts *o)
{
	memset(o, 0, sizeof(*o));
	zc_crypto_opts_default(&o->crypto);
}

void zc_mount_opts_free(struct zc_mount_opts *o)
{
	free((char *)o->crypto.keyfile);
	o->crypto.keyfile = NULL;
}

void zc_format_opts_free(struct zc_format_opts *o)
{
	free((char *)o->crypto.keyfile);
	o->crypto.keyfile = NULL;
}

int zc_mount_opts_parse(struct zc_mount_opts *o, const char *list, char **rest,
			char *err, size_t errlen)
{
	struct ctx c = { .crypto = &o->crypto, .m = o, .rest = rest, .err = err, .errlen = errlen };
	return parse_list(&c, mount_spec, list);
}

int zc_format_opts_parse(struct zc_format_opts *o, const char *list, char *err, size_t errlen)
{
	struct ctx c = { .crypto = &o->crypto, .f = o, .err = err, .errlen = errlen };
	return parse_list(&c, format_spec, list);
}

int zc_crypto_opts_check(const struct zc_crypto_opts *co, char *err, size_t errlen)
{
	if (co->cipher != ZC_CIPHER_NULL && !co->keyfile) {
		snprintf(err, errlen, "no key file: give -o keyfile=PATH (or -o cipher=null for no encryption)");
		return -EINVAL;
	}
	return 0;
}

/* ---- command lines ---------------------------------------------------------------- */

enum { KEY_HELP = 1000, KEY_VERSION, KEY_LABEL };

/* Every flag any program takes; each program accepts only its own letters. */
static const struct fuse_opt cmdline_spec[] = {
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_KEY("-L ", KEY_LABEL),
	FUSE_OPT_KEY("-d", 'd'),
	FUSE_OPT_KEY("-f", 'f'),
	FUSE_OPT_KEY("-s", 's'),
	FUSE_OPT_KEY("-v", 'v'),
	FUSE_OPT_END
};

static int cmdline_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct ctx *c = data;
	struct zc_cmdline *cl = c->cl;
	(void)outargs;
	switch (key) {
	case KEY_HELP:
		cl->help = 1;
		return 0;
	case KEY_VERSION:
		cl->version = 1;
		return 0;
	case KEY_LABEL:
		if (!c->with_label)
			break;
		free(cl->label);	/* the last -L counts */
		if (!(cl->label = strdup(arg + 2)))
			return fail(c, "out of memory");
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		if (cl->npos < 3)
			cl->pos[cl->npos] = arg;
		cl->npos++;
		return 0;
	case FUSE_OPT_KEY_OPT:
		/* A lone "-x" not in the table; anything else is one option of
		 * a -o list, kept for the -o parser (fuse_opt joins them). */
		if (arg[0] != '-')
			return 1;
		break;
	default:
		if (key >= 'a' && key <= 'z' && strchr(c->flags, key)) {
			cl->flags |= ZC_FLAG(key);
			return 0;
		}
		break;
	}
	return fail(c, "%s: unknown option (see %s --help)", arg, c->prog);
}

int zc_cmdline_parse(struct zc_cmdline *cl, int argc, char **argv, const char *prog,
		     const char *flags, int with_label, char *err, size_t errlen)
{
	memset(cl, 0, sizeof(*cl));
	err[0] = 0;
	/* fuse_opt reports a missing value on stderr by itself; say it here,
	 * naming the program, before it gets there. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (i == argc - 1 && (!strcmp(argv[i], "-o") || !strcmp(argv[i], "-L"))) {
			snprintf(err, errlen, "%s%s (see %s --help)", argv[i],
				 argv[i][1] == 'L' && !with_label ? ": unknown option" : " needs a value",
				 prog);
			return -EINVAL;
		}
	}
	struct ctx c = { .cl = cl, .prog = prog, .flags = flags, .with_label = with_label,
			 .err = err, .errlen = errlen };
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	int r = fuse_opt_parse(&args, &c, cmdline_spec, cmdline_proc);
	if (r == 0 && args.argc >= 3 && !strcmp(args.argv[1], "-o")) {
		/* Escaped as fuse_opt escapes: the -o parser splits it the same way. */
		if (!(cl->olist = strdup(args.argv[2])))
			r = fail(&c, "out of memory");
	}
	fuse_opt_free_args(&args);
	if (r == 0)
		return 0;
	if (!c.failed)
		snprintf(err, errlen, "cannot read the command line (see %s --help)", prog);
	return -EINVAL;
}

void zc_cmdline_free(struct zc_cmdline *cl)
{
	free(cl->label);
	free(cl->olist);
	memset(cl, 0, sizeof(*cl));
}
