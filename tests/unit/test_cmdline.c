/* options.h command lines of zcryptfs and mkzcryptfs: flags, -L, -o lists, words, errors. */
#include <errno.h>

#include "options.h"
#include "testutil.h"

static char err[256];

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static int parse(struct zc_cmdline *cl, char **argv, int argc, const char *flags, int label)
{
	return zc_cmdline_parse(cl, argc, argv, "prog", flags, label, err, sizeof(err));
}

Test(cmdline, flags_words_and_lists)
{
	struct zc_cmdline cl;
	char **v = ARGV("zcryptfs", "-o", "keyfile=/k,ro", "/dev/sdb", "-f", "/mnt",
			"-oerrors=repair", "-s");
	cr_assert_eq(parse(&cl, v, 8, "fds", 0), 0, "%s", err);
	cr_assert_eq(cl.flags, ZC_FLAG('f') | ZC_FLAG('s'));
	cr_assert_eq(cl.npos, 2);
	cr_assert_str_eq(cl.pos[0], "/dev/sdb");
	cr_assert_str_eq(cl.pos[1], "/mnt");
	cr_assert_str_eq(cl.olist, "keyfile=/k,ro,errors=repair", "every -o list, in order");
	cr_assert(!cl.help && !cl.version);
	zc_cmdline_free(&cl);
}

Test(cmdline, joined_list_reads_as_the_lists_did)
{
	/* An escaped comma stays one value through the join. */
	struct zc_cmdline cl;
	char **v = ARGV("mkzcryptfs", "-o", "keyfile=/a\\,b", "-o", "uid=7", "dev");
	cr_assert_eq(parse(&cl, v, 6, "fv", 1), 0, "%s", err);
	struct zc_format_opts fo;
	zc_format_opts_init(&fo);
	cr_assert_eq(zc_format_opts_parse(&fo, cl.olist, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(fo.crypto.keyfile, "/a,b");
	cr_assert(fo.have_uid && fo.uid == 7);
	zc_format_opts_free(&fo);
	zc_cmdline_free(&cl);
}

Test(cmdline, label_both_spellings_last_wins)
{
	struct zc_cmdline cl;
	char **v = ARGV("mkzcryptfs", "-L", "first", "-Lsecond", "dev");
	cr_assert_eq(parse(&cl, v, 5, "fv", 1), 0, "%s", err);
	cr_assert_str_eq(cl.label, "second");
	cr_assert_eq(cl.npos, 1);
	cr_assert_null(cl.olist);
	zc_cmdline_free(&cl);
}

Test(cmdline, help_and_version)
{
	struct zc_cmdline cl;
	char **v = ARGV("p", "--help");
	cr_assert_eq(parse(&cl, v, 2, "f", 0), 0, "%s", err);
	cr_assert(cl.help);
	zc_cmdline_free(&cl);
	char **w = ARGV("p", "x", "-V");
	cr_assert_eq(parse(&cl, w, 3, "f", 0), 0, "%s", err);
	cr_assert(cl.version);
	zc_cmdline_free(&cl);
}

Test(cmdline, double_dash_ends_options)
{
	struct zc_cmdline cl;
	char **v = ARGV("p", "-o", "ro", "--", "-f", "b");
	cr_assert_eq(parse(&cl, v, 6, "f", 0), 0, "%s", err);
	cr_assert_eq(cl.flags, 0);
	cr_assert_eq(cl.npos, 2);
	cr_assert_str_eq(cl.pos[0], "-f");
	cr_assert_str_eq(cl.olist, "ro");
	zc_cmdline_free(&cl);
}

Test(cmdline, counts_every_word)
{
	struct zc_cmdline cl;
	char **v = ARGV("p", "a", "b", "c", "d");
	cr_assert_eq(parse(&cl, v, 5, "", 0), 0, "%s", err);
	cr_assert_eq(cl.npos, 4, "the program says how many is too many");
	cr_assert_str_eq(cl.pos[2], "c");
	zc_cmdline_free(&cl);
}

Test(cmdline, errors_name_the_argument)
{
	struct zc_cmdline cl;
	struct { char **argv; int argc; const char *flags; int label; const char *msg; } bad[] = {
		{ ARGV("p", "-x", "a"), 3, "f", 1, "-x: unknown option (see prog --help)" },
		{ ARGV("p", "-s", "a"), 3, "f", 0, "-s: unknown option" },	/* another program's flag */
		{ ARGV("p", "-L", "l", "a"), 4, "f", 0, "-L" },		/* -L is mkzcryptfs's */
		{ ARGV("p", "--frobnicate"), 2, "f", 0, "--frobnicate: unknown option" },
		{ ARGV("p", "a", "-o"), 3, "f", 0, "-o needs a value (see prog --help)" },
		{ ARGV("p", "a", "-L"), 3, "f", 1, "-L needs a value" },
		{ ARGV("p", "a", "-L"), 3, "f", 0, "-L: unknown option" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		cr_assert_eq(parse(&cl, bad[i].argv, bad[i].argc, bad[i].flags, bad[i].label), -EINVAL,
			     "case %zu accepted", i);
		cr_assert(strstr(err, bad[i].msg), "case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].msg);
		zc_cmdline_free(&cl);
	}
}
