/* zcryptfs DEVICE MOUNTPOINT: the FUSE daemon (SPEC §1, §2). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuse_glue.h"
#include "keyfile.h"
#include "options.h"
#include "version.h"
#include "zfs.h"

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2

static void usage(FILE *out)
{
	fprintf(out,
"Usage: zcryptfs DEVICE MOUNTPOINT [-f] [-d] [-s] [-o OPT[,OPT...]]\n"
"Show every zone of DEVICE (a zoned block device, or an emulated zoned device\n"
"directory made by zcryptfs-zones create) as a file under MOUNTPOINT, with the\n"
"rules of the kernel's zonefs, encrypted like dm-crypt plain (aes-xts-plain64).\n"
"\n"
"  -f            stay in the foreground\n"
"  -d            debug: print every FUSE request (implies -f)\n"
"  -s            single-threaded session\n"
"  -h, --help    this text;  -V, --version  the version\n"
"\n"
"Crypto options (as cryptsetup open --type plain):\n"
"  keyfile=PATH            key file, read raw (required unless cipher=null)\n"
"  keyfile_offset=N        bytes to skip in the key file (0)\n"
"  cipher=aes-xts-plain64|null\n"
"  key_size=512|256        bits: AES-256-XTS or AES-128-XTS (512)\n"
"  sector_size=512|1024|2048|4096   encryption unit (512)\n"
"  iv_large_sectors        IV counts sector_size units\n"
"  skip=N                  added to the IV, in 512-byte sectors (0)\n"
"Mount options:\n"
"  errors=remount-ro|zone-ro|zone-offline|repair   (remount-ro)\n"
"  explicit-open  plain  ro  strict_align  uid=N  gid=N  perm=OCTAL\n"
"  and libfuse's: allow_other, default_permissions, max_threads=N, ...\n");
}

/* The daemon's parent waits on this pipe for one status byte. */
static int status_fd = -1;

static void report_status(int code)
{
	if (status_fd < 0)
		return;
	unsigned char c = (unsigned char)code;
	if (write(status_fd, &c, 1) != 1) {
		/* The parent is gone; nobody is left to tell. */
	}
	close(status_fd);
	status_fd = -1;
}

struct run {
	int foreground;
	int reported;
};

static void on_ready(void *arg, int status, const char *msg)
{
	struct run *run = arg;
	if (status) {
		fprintf(stderr, "zcryptfs: %s\n", msg ? msg : "mount failed");
		report_status(EXIT_RUNTIME);
	} else {
		report_status(0);
		if (!run->foreground) {
			/* Detached: nobody reads our terminal any more. */
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0) {
				dup2(fd, 0);
				dup2(fd, 1);
				dup2(fd, 2);
				if (fd > 2)
					close(fd);
			}
		}
	}
	run->reported = 1;
}

/* Fork so that the parent can exit with the child's verdict on the mount. */
static int daemonize(void)
{
	int fds[2];
	if (pipe(fds))
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		unsigned char c;
		close(fds[1]);
		ssize_t n;
		do {
			n = read(fds[0], &c, 1);
		} while (n < 0 && errno == EINTR);
		_exit(n == 1 ? c : EXIT_RUNTIME);
	}
	close(fds[0]);
	status_fd = fds[1];
	setsid();
	return 0;
}

int main(int argc, char **argv)
{
	struct zc_mount_opts mo;
	struct zc_cmdline cl;
	char *rest = NULL, err[512];
	int code = EXIT_USAGE;

	zc_mount_opts_init(&mo);
	if (zc_cmdline_parse(&cl, argc, argv, "zcryptfs", "fds", 0, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs: %s\n", err);
		goto out;
	}
	if (cl.help || cl.version) {
		if (cl.help)
			usage(stdout);
		else
			printf("zcryptfs %s\n", ZC_VERSION);
		code = 0;
		goto out;
	}
	int debug = !!(cl.flags & ZC_FLAG('d'));
	int foreground = debug || (cl.flags & ZC_FLAG('f'));
	int single = !!(cl.flags & ZC_FLAG('s'));
	const char **pos = cl.pos;
	if (cl.npos > 2) {
		fprintf(stderr, "zcryptfs: %s: one DEVICE and one MOUNTPOINT only\n", pos[2]);
		goto out;
	}
	if (cl.npos != 2) {
		fprintf(stderr, "zcryptfs: needs DEVICE and MOUNTPOINT (see zcryptfs --help)\n");
		goto out;
	}
	if (cl.olist && zc_mount_opts_parse(&mo, cl.olist, &rest, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs: %s\n", err);
		goto out;
	}
	if (zc_crypto_opts_check(&mo.crypto, err, sizeof(err)) ||
	    zc_fuse_check_opts(rest, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs: %s\n", err);
		goto out;
	}
	char mnt[PATH_MAX], dev[PATH_MAX];
	struct stat st;
	if (!realpath(pos[1], mnt) || stat(mnt, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "zcryptfs: %s: MOUNTPOINT must be an existing directory\n", pos[1]);
		code = EXIT_RUNTIME;
		goto out;
	}
	if (!realpath(pos[0], dev))
		snprintf(dev, sizeof(dev), "%s", pos[0]);	/* zdev_open says what is wrong */

	code = EXIT_RUNTIME;
	if (!foreground && daemonize()) {
		fprintf(stderr, "zcryptfs: cannot start the daemon: %s\n", strerror(errno));
		goto out;
	}
	/* Key bytes must never reach a core file. */
	zc_set_nondumpable();
	struct zc_fs *fs;
	if (zc_fs_mount(dev, &mo, &fs, err, sizeof(err))) {
		fprintf(stderr, "zcryptfs: %s\n", err);
		report_status(EXIT_RUNTIME);
		goto out;
	}
	struct run run = { .foreground = foreground };
	struct zc_fuse_params p = {
		.device = dev, .mountpoint = mnt, .fuse_opts = rest, .debug = debug,
		.single_thread = single, .foreground = foreground, .ready = on_ready,
		.ready_arg = &run,
	};
	int r = zc_fuse_run(fs, &p, err, sizeof(err));
	if (r && !run.reported) {
		fprintf(stderr, "zcryptfs: %s\n", err);
		report_status(EXIT_RUNTIME);
	}
	zc_fs_unmount(fs);
	code = r ? EXIT_RUNTIME : 0;
out:
	report_status(code);
	zc_mount_opts_free(&mo);
	zc_cmdline_free(&cl);
	free(rest);
	return code;
}
