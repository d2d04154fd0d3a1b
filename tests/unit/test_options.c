/* -o option lists: values, accumulation, and the errors users see. */
#include <errno.h>

#include "options.h"
#include "testutil.h"

static char err[256];

Test(options, defaults_are_cryptsetup_plain)
{
	struct zc_mount_opts o;
	zc_mount_opts_init(&o);
	cr_assert_eq(o.crypto.cipher, ZC_CIPHER_AES_XTS_PLAIN64);
	cr_assert_eq(o.crypto.key_size, 512);
	cr_assert_eq(o.crypto.sector_size, 512);
	cr_assert_eq(o.crypto.iv_large_sectors, 0);
	cr_assert_eq(o.crypto.skip, 0);
	cr_assert_eq(o.crypto.keyfile_offset, 0);
	cr_assert_eq(o.errors, ZC_ERRORS_REMOUNT_RO);
	zc_mount_opts_free(&o);
}

Test(options, every_mount_option)
{
	struct zc_mount_opts o;
	char *rest = NULL;
	zc_mount_opts_init(&o);
	cr_assert_eq(zc_mount_opts_parse(&o, "keyfile=/k,keyfile_offset=64,key_size=256,"
				"sector_size=4096,iv_large_sectors,skip=16,errors=zone-offline",
				&rest, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_mount_opts_parse(&o, "explicit-open,plain,strict_align,uid=7,gid=8,perm=0600,"
				"allow_other,max_threads=4", &rest, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.crypto.keyfile, "/k");
	cr_assert_eq(o.crypto.keyfile_offset, 64);
	cr_assert_eq(o.crypto.key_size, 256);
	cr_assert_eq(o.crypto.sector_size, 4096);
	cr_assert_eq(o.crypto.iv_large_sectors, 1);
	cr_assert_eq(o.crypto.skip, 16);
	cr_assert_eq(o.errors, ZC_ERRORS_ZONE_OFFLINE);
	cr_assert(o.explicit_open && o.plain && o.strict_align);
	cr_assert(o.have_uid && o.uid == 7 && o.have_gid && o.gid == 8 && o.have_perm && o.perm == 0600);
	cr_assert_str_eq(rest, "allow_other,max_threads=4");
	zc_mount_opts_free(&o);
	free(rest);
}

Test(options, ro_is_ours_and_the_kernels)
{
	struct zc_mount_opts o;
	char *rest = NULL;
	zc_mount_opts_init(&o);
	cr_assert_eq(zc_mount_opts_parse(&o, "ro", &rest, err, sizeof(err)), 0);
	cr_assert(o.ro);
	cr_assert_str_eq(rest, "ro");
	free(rest);
}

Test(options, cipher_null_needs_no_keyfile)
{
	struct zc_format_opts o;
	zc_format_opts_init(&o);
	cr_assert_neq(zc_crypto_opts_check(&o.crypto, err, sizeof(err)), 0);
	cr_assert(strstr(err, "keyfile="), "message names the option: %s", err);
	cr_assert_eq(zc_format_opts_parse(&o, "cipher=null", err, sizeof(err)), 0);
	cr_assert_eq(zc_crypto_opts_check(&o.crypto, err, sizeof(err)), 0);
}

Test(options, format_lists_accumulate)
{
	struct zc_format_opts o;
	zc_format_opts_init(&o);
	cr_assert_eq(zc_format_opts_parse(&o, "aggr_cnv,uid=1000", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_format_opts_parse(&o, "keyfile=/a", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(zc_format_opts_parse(&o, "keyfile=/b,gid=5,perm=660", err, sizeof(err)), 0);
	cr_assert(o.aggr_cnv && o.uid == 1000 && o.gid == 5 && o.perm == 0660);
	cr_assert_str_eq(o.crypto.keyfile, "/b");
	zc_format_opts_free(&o);
}

static void refused_mount(const char *list, const char *needle)
{
	struct zc_mount_opts o;
	char *rest = NULL;
	zc_mount_opts_init(&o);
	cr_assert_eq(zc_mount_opts_parse(&o, list, &rest, err, sizeof(err)), -EINVAL, "%s accepted", list);
	cr_assert(strstr(err, needle), "%s: message '%s' lacks '%s'", list, err, needle);
	zc_mount_opts_free(&o);
	free(rest);
}

Test(options, bad_values_name_the_option_and_rule)
{
	refused_mount("key_size=384", "key_size");
	refused_mount("sector_size=768", "sector_size");
	refused_mount("sector_size=", "sector_size");
	refused_mount("cipher=aes-cbc-essiv", "cipher");
	refused_mount("errors=panic", "errors");
	refused_mount("skip=-1", "skip");
	refused_mount("skip=12x", "skip");
	refused_mount("keyfile_offset=1e3", "keyfile_offset");
	refused_mount("uid=root", "uid");
	refused_mount("perm=0999", "perm");
	refused_mount("perm=17777", "perm");
	refused_mount("keyfile=", "keyfile");
}

Test(options, unknown_format_option_is_an_error)
{
	struct zc_format_opts o;
	zc_format_opts_init(&o);
	cr_assert_eq(zc_format_opts_parse(&o, "aggr_cnv,bogus", err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "bogus"), "%s", err);
	/* Mount-only options are not format options. */
	cr_assert_eq(zc_format_opts_parse(&o, "explicit-open", err, sizeof(err)), -EINVAL);
	zc_format_opts_free(&o);
}

Test(options, strict_numbers)
{
	uint64_t v;
	cr_assert_eq(zc_parse_u64("18446744073709551615", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_neq(zc_parse_u64("18446744073709551616", &v), 0);
	cr_assert_neq(zc_parse_u64("", &v), 0);
	cr_assert_neq(zc_parse_u64(" 1", &v), 0);
	cr_assert_neq(zc_parse_u64("0x10", &v), 0, "decimal only");
	cr_assert_eq(zc_parse_u64("010", &v), 0);
	cr_assert_eq(v, 10, "a leading zero is not octal");
}
