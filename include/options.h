/*
 * options: the command lines and -o option lists of SPEC §2, parsed with
 * libfuse's fuse_opt (only the option parser; no FUSE session here). Crypto
 * options are shared by zcryptfs and mkzcryptfs; mount and format options
 * are each program's. Values are checked here only for syntax; crypto.h
 * checks what they mean.
 */
#ifndef ZCRYPTFS_OPTIONS_H
#define ZCRYPTFS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto.h"
#include "super.h"

enum zc_errors_mode {
	ZC_ERRORS_REMOUNT_RO = 0,
	ZC_ERRORS_ZONE_RO,
	ZC_ERRORS_ZONE_OFFLINE,
	ZC_ERRORS_REPAIR,
};

struct zc_mount_opts {
	struct zc_crypto_opts crypto;
	enum zc_errors_mode errors;
	int explicit_open;
	int plain;
	int ro;
	int strict_align;
	int have_uid, have_gid, have_perm;
	uint32_t uid, gid, perm;
};

struct zc_format_opts {
	struct zc_crypto_opts crypto;
	int aggr_cnv;
	int have_uid, have_gid, have_perm;
	uint32_t uid, gid, perm;
};

/*
 * Parse one comma-separated option list into o (mount or format). Options
 * not ours are appended, comma-separated, to rest (the FUSE/kernel ones)
 * when rest is not NULL, and are an error otherwise. Returns 0 or -EINVAL
 * with err naming the option and the rule. Lists accumulate: call it once
 * per -o. Strings in o point into memory owned by o (zc_*_opts_free).
 */
int zc_mount_opts_parse(struct zc_mount_opts *o, const char *list, char **rest,
			char *err, size_t errlen);
int zc_format_opts_parse(struct zc_format_opts *o, const char *list, char *err, size_t errlen);

void zc_mount_opts_init(struct zc_mount_opts *o);
void zc_format_opts_init(struct zc_format_opts *o);
void zc_mount_opts_free(struct zc_mount_opts *o);
void zc_format_opts_free(struct zc_format_opts *o);

/* Checks that need the whole list: keyfile given unless cipher=null. */
int zc_crypto_opts_check(const struct zc_crypto_opts *c, char *err, size_t errlen);

/*
 * The command lines of zcryptfs and mkzcryptfs, split with fuse_opt_parse
 * into -h/--help, -V/--version, the single-letter flags a program takes,
 * -L LABEL, the -o lists (for the parsers above) and the positional words.
 */
struct zc_cmdline {
	int help, version;
	unsigned flags;		/* bit c - 'a' for each flag letter c given */
	char *label;		/* -L, when the program takes it */
	char *olist;		/* every -o list, in order, as one list; NULL if none */
	const char *pos[3];	/* the first three positional words */
	int npos;		/* how many there were */
};

#define ZC_FLAG(c) (1u << ((c) - 'a'))

/*
 * prog names the program in messages; flags holds the lowercase letters it
 * takes ("fds"); with_label says whether it takes -L. Returns 0, or -EINVAL
 * with err naming the argument and the fix. cl is filled either way and
 * must be freed with zc_cmdline_free.
 */
int zc_cmdline_parse(struct zc_cmdline *cl, int argc, char **argv, const char *prog,
		     const char *flags, int with_label, char *err, size_t errlen);
void zc_cmdline_free(struct zc_cmdline *cl);

/* Strict decimal number parsing (perm= is parsed as octal by itself). */
int zc_parse_u64(const char *s, uint64_t *v);

#endif
