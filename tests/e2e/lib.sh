# Shared by the end-to-end test scripts: case bookkeeping, temporary folders,
# emulated devices and mounts that are always undone, even when a test fails.
# A script sources this file, then runs cases:
#   t_begin NAME; ...checks...; t_pass      (any t_fail in between fails the case)
# A case that reaches neither t_pass nor t_fail counts as failed.

set -u
: "${ZC_BUILD:?ZC_BUILD must name the build folder (run through make e2e)}"
: "${ZC_RESULTS:=/dev/null}"
# The programs under test; make e2e-san points this at the sanitized build.
: "${ZC_PROGS:=$ZC_BUILD}"
ZCRYPTFS=$ZC_PROGS/zcryptfs
MKZCRYPTFS=$ZC_PROGS/mkzcryptfs
ZONES=$ZC_PROGS/zcryptfs-zones
ZC_IO=$ZC_BUILD/tests/zc_io

T_NAME=""
T_STATE=""          # "", pass or fail
T_SCRIPT=$(basename "$0" .sh)
T_TMPDIRS=()
T_MOUNTS=()

_t_finish() {
	[ -n "$T_NAME" ] || return 0
	case "$T_STATE" in
	pass) echo "ok   $T_SCRIPT/$T_NAME"; echo "PASS $T_SCRIPT/$T_NAME" >>"$ZC_RESULTS" ;;
	fail) echo "FAIL $T_SCRIPT/$T_NAME" >>"$ZC_RESULTS" ;;
	*) echo "FAIL $T_SCRIPT/$T_NAME: no verdict (the case ended without t_pass)"
	   echo "FAIL $T_SCRIPT/$T_NAME" >>"$ZC_RESULTS" ;;
	esac
	T_NAME=""
	T_STATE=""
}

t_begin() {
	_t_finish
	T_NAME=$1
	T_STATE=""
}

t_fail() {
	echo "FAIL $T_SCRIPT/${T_NAME:-setup}: $*"
	# Outside a case (a script's own setup) nothing else would record it.
	[ -n "$T_NAME" ] || echo "FAIL $T_SCRIPT/setup" >>"$ZC_RESULTS"
	T_STATE=fail
	return 1
}

t_pass() {
	[ "$T_STATE" = fail ] || T_STATE=pass
}

# t_check DESCRIPTION cmd...: fails the case when cmd fails.
t_check() {
	local what=$1
	shift
	"$@" || t_fail "$what"
}

# expect_status CODE cmd...: the command's exit status must be CODE; its
# stderr is kept in $T_ERR for message checks.
T_ERR=""
expect_status() {
	local want=$1 got
	shift
	T_ERR=$("$@" 2>&1 >/dev/null)
	got=$?
	if [ "$got" != "$want" ]; then
		t_fail "$* -> exit $got, expected $want${T_ERR:+ (stderr: $T_ERR)}"
		return 1
	fi
	return 0
}

# expect_err_contains TEXT: the last expect_status's stderr holds TEXT.
expect_err_contains() {
	case "$T_ERR" in
	*"$1"*) return 0 ;;
	*) t_fail "message lacks '$1': $T_ERR"; return 1 ;;
	esac
}

# expect_errno NAME zc_io-args...: the zc_io helper must report errno NAME
# (or "ok") for the system call its arguments describe.
expect_errno() {
	local want=$1 got
	shift
	got=$("$ZC_IO" "$@" 2>&1)
	if [ "${got%% *}" != "$want" ]; then
		t_fail "zc_io $* -> $got, expected $want"
		return 1
	fi
	return 0
}

# Every script's folders live under one root made here, so that t_tmpdir
# works through $(...) (a subshell cannot register anything) and one rm at
# exit takes them all.
T_ROOT=$(mktemp -d /tmp/zc-e2e-XXXXXX) || exit 1
T_TMPDIRS+=("$T_ROOT")
t_tmpdir() {
	mktemp -d "$T_ROOT/t-XXXXXX"
}

# zc_newdev DIR [zcryptfs-zones create options]: an emulated device DIR/dev
# (default 8 zones of 4 MiB, 2 conventional) and a 512-byte key DIR/key.
zc_newdev() {
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- --zone-size 4M --zones 8 --conv 2
	"$ZONES" create "$dir/dev" "$@" >/dev/null || { t_fail "zcryptfs-zones create $*"; return 1; }
	head -c 512 /dev/urandom >"$dir/key" && chmod 600 "$dir/key"
}

# zc_mount DEV MNT [zcryptfs options...]: mounts in the background, as users
# do; the mount is recorded and undone at exit.
zc_mount() {
	local dev=$1 mnt=$2
	shift 2
	mkdir -p "$mnt"
	"$ZCRYPTFS" "$dev" "$mnt" "$@" || { t_fail "zcryptfs $dev $mnt $* failed"; return 1; }
	T_MOUNTS+=("$mnt")
	# zcryptfs returns once its mount answers: anything else would let the
	# checks that follow run on the empty folder underneath.
	zc_is_mounted "$mnt" || { t_fail "zcryptfs $dev $mnt returned 0 but nothing is mounted"; return 1; }
	return 0
}

# The daemon writes pending data at unmount; wait until it has gone.
zc_umount() {
	local mnt=$1 pid i
	pid=$(zc_daemon_pid "$mnt")
	umount "$mnt" 2>/dev/null || fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	# Generous: an ASan daemon on a loaded machine may take a while to write
	# its tails and exit, and later checks read the zone files it leaves.
	if [ -n "$pid" ]; then
		for i in $(seq 1 600); do
			_zc_running "$pid" || break
			sleep 0.05
		done
		_zc_running "$pid" && { t_fail "the daemon of $mnt still runs 30 s after umount"; return 1; }
	fi
	grep -q " $mnt fuse" /proc/mounts && { t_fail "$mnt still mounted"; return 1; }
	return 0
}

# A daemon that has exited but is not reaped yet (a zombie: it was reparented
# when it detached) has finished its work: only a live one counts.
_zc_running() {
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# The pid of the daemon serving MNT (the zcryptfs process whose argv names it).
zc_daemon_pid() {
	local p
	for p in $(pgrep -x zcryptfs); do
		if { tr '\0' '\n' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qx -- "$1"; then
			echo "$p"
			return 0
		fi
	done
}

zc_is_mounted() {
	grep -q " $1 fuse" /proc/mounts
}

_t_cleanup() {
	local m d
	_t_finish
	for m in "${T_MOUNTS[@]}"; do
		zc_is_mounted "$m" && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
	done
	for d in "${T_TMPDIRS[@]}"; do
		case "$d" in /tmp/zc-e2e-*) rm -rf "$d" ;; esac
	done
}
trap _t_cleanup EXIT
