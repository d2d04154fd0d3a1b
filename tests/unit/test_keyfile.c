/* keyfile.h: cryptsetup plain --key-file semantics and SPEC §3 hygiene. */
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "keyfile.h"
#include "testutil.h"

static char dir[256];
static unsigned char data[200];

static void setup(void)
{
	tu_mkdtemp(dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 3 + 5);
}

static void teardown(void)
{
	tu_rmdir_r(dir);
}

// cppcheck-suppress unknownMacro
TestSuite(keyfile, .init = setup, .fini = teardown);

static void make_file(char *path, size_t cap, const char *name, size_t len, mode_t mode)
{
	int fd;

	snprintf(path, cap, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

static int read_key(const char *path, uint64_t off, size_t len, struct zc_key *k,
		    char *err, char *warn)
{
	err[0] = '\0';
	return zc_key_read(path, off, len, k, err, 256, warn, 256);
}

Test(keyfile, reads_exact_bytes_at_offset_and_ignores_the_rest)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	make_file(path, sizeof(path), "key", sizeof(data), 0600);
	cr_assert_eq(read_key(path, 10, 64, &k, err, warn), 0, "%s", err);
	cr_assert_eq(k.len, 64);
	cr_assert(memcmp(k.bytes, data + 10, 64) == 0);
	cr_assert_str_empty(warn);	/* 0600, and root can mlock */
	zc_key_wipe(&k);
	cr_assert_null(k.bytes);
	cr_assert_eq(k.len, 0);
	/* the key may end exactly at the end of the file */
	cr_assert_eq(read_key(path, sizeof(data) - 32, 32, &k, err, warn), 0, "%s", err);
	cr_assert(memcmp(k.bytes, data + sizeof(data) - 32, 32) == 0);
	zc_key_wipe(&k);
}

Test(keyfile, missing)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	snprintf(path, sizeof(path), "%s/nope", dir);
	cr_assert_eq(read_key(path, 0, 64, &k, err, warn), -ENOENT);
	cr_assert(strstr(err, path) && strstr(err, "does not exist"), "%s", err);
	cr_assert_null(k.bytes);
}

Test(keyfile, directory)
{
	char err[256], warn[256];
	struct zc_key k;

	cr_assert_eq(read_key(dir, 0, 64, &k, err, warn), -EISDIR);
	cr_assert(strstr(err, dir) && strstr(err, "directory"), "%s", err);
}

Test(keyfile, not_a_file_or_fifo)
{
	char err[256], warn[256];
	struct zc_key k;

	cr_assert_eq(read_key("/dev/null", 0, 64, &k, err, warn), -EINVAL);
	cr_assert(strstr(err, "/dev/null") && strstr(err, "regular file"), "%s", err);
}

Test(keyfile, short_file_at_offset)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	make_file(path, sizeof(path), "short", 100, 0600);
	cr_assert_eq(read_key(path, 40, 64, &k, err, warn), -EINVAL);
	cr_assert(strstr(err, path) && strstr(err, "Cannot read requested amount of data"), "%s", err);
	cr_assert_null(k.bytes);
	cr_assert_eq(read_key(path, 0, 101, &k, err, warn), -EINVAL);
	cr_assert(strstr(err, "Cannot read requested amount of data"), "%s", err);
}

Test(keyfile, offset_past_end)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	make_file(path, sizeof(path), "key", 100, 0600);
	cr_assert_eq(read_key(path, 1000, 32, &k, err, warn), -EINVAL);
	cr_assert(strstr(err, "Cannot read requested amount of data"), "%s", err);
}

Test(keyfile, group_or_other_readable_warns)
{
	static const mode_t modes[] = { 0640, 0604, 0444 };
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	for (int i = 0; i < 3; i++) {
		make_file(path, sizeof(path), "key", 64, modes[i]);
		cr_assert_eq(read_key(path, 0, 64, &k, err, warn), 0, "%s", err);
		cr_assert(strstr(warn, path) && strstr(warn, "readable by group or others"),
			  "mode %o: '%s'", (unsigned)modes[i], warn);
		cr_assert(strstr(warn, "chmod 600"), "%s", warn);
		zc_key_wipe(&k);
	}
}

/* The warning reaches zc_crypto_new_ex's caller; an error for an unreadable key reaches zc_crypto_new's. */
Test(keyfile, warning_through_crypto)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_crypto_opts o;
	struct zc_crypto *c;

	make_file(path, sizeof(path), "key", 64, 0644);
	zc_crypto_opts_default(&o);
	o.keyfile = path;
	cr_assert_eq(zc_crypto_new_ex(&o, &c, err, sizeof(err), warn, sizeof(warn)), 0, "%s", err);
	cr_assert(strstr(warn, "readable by group or others"), "%s", warn);
	zc_crypto_free(c);
	o.keyfile_offset = 1;
	cr_assert_eq(zc_crypto_new(&o, &c, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, path) && strstr(err, "Cannot read requested amount of data"), "%s", err);
}

/* A named pipe in dir, and a child that writes the first len bytes of data into it. */
static pid_t fifo_writer(char *path, size_t cap, size_t len)
{
	pid_t pid;

	snprintf(path, cap, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY);

		_exit(fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : 1);
	}
	return pid;
}

Test(keyfile, fifo_works_with_offset)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;
	pid_t pid = fifo_writer(path, sizeof(path), sizeof(data));
	int st;

	cr_assert_eq(read_key(path, 100, 64, &k, err, warn), 0, "%s", err);
	cr_assert(memcmp(k.bytes, data + 100, 64) == 0);
	zc_key_wipe(&k);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
}

Test(keyfile, short_fifo)
{
	char path[PATH_MAX], err[256], warn[256];
	struct zc_key k;
	pid_t pid = fifo_writer(path, sizeof(path), 40);
	int st;

	cr_assert_eq(read_key(path, 0, 64, &k, err, warn), -EINVAL);
	cr_assert(strstr(err, "Cannot read requested amount of data"), "%s", err);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
}

Test(keyfile, symlink_to_regular_file)
{
	char path[PATH_MAX], link[PATH_MAX], err[256], warn[256];
	struct zc_key k;

	make_file(path, sizeof(path), "key", 64, 0600);
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(read_key(link, 0, 64, &k, err, warn), 0, "%s", err);
	cr_assert(memcmp(k.bytes, data, 64) == 0);
	zc_key_wipe(&k);
}

/*
 * Unreadable: we run as root, who reads every file, so a child drops to
 * nobody (65534) and reads a 0600 root-owned key in a searchable directory.
 */
Test(keyfile, unreadable)
{
	char path[PATH_MAX];
	pid_t pid;
	int st;

	make_file(path, sizeof(path), "key", 64, 0600);
	cr_assert_eq(chmod(dir, 0755), 0);
	if (geteuid() != 0)
		cr_skip_test("needs root to drop to another user");
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char err[256], warn[256];
		struct zc_key k;
		int r;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		r = read_key(path, 0, 64, &k, err, warn);
		_exit(r == -EACCES && strstr(err, path) && strstr(err, "Permission denied") ? 0 : 11);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}

Test(keyfile, secure_memory_and_nondumpable)
{
	unsigned char *p = zc_secure_alloc(100);

	cr_assert_not_null(p);
	memset(p, 0xa5, 100);
	zc_secure_free(p, 100);
	zc_secure_free(NULL, 100);
	cr_assert_eq(zc_set_nondumpable(), 0);
	cr_assert_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}
