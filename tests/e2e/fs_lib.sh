# shellcheck shell=bash
# Sourced by the t_fs_*.sh scripts (after lib.sh): fresh formatted devices,
# mounts and small assertions shared by the filesystem end-to-end tests.
XTS_DECRYPT=$ZC_BUILD/tests/xts_decrypt
export LC_ALL=C

# One folder per script, registered in the current shell so that lib.sh
# removes it at exit (t_tmpdir called through $(...) could not register it).
FS_BASE=$(mktemp -d /tmp/zc-e2e-XXXXXX) || exit 1
T_TMPDIRS+=("$FS_BASE")
FS_N=0

# fs_new [zcryptfs-zones create options...]: a fresh emulated device with a
# key, not formatted. Sets D (its folder), DEV, KEY and MNT.
fs_new() {
	FS_N=$((FS_N + 1))
	D=$FS_BASE/$FS_N
	mkdir -p "$D"
	DEV=$D/dev KEY=$D/key MNT=$D/mnt
	zc_newdev "$D" "$@"
}

# fs_mkfs [mkzcryptfs arguments...]: formats $DEV with $KEY.
fs_mkfs() {
	"$MKZCRYPTFS" -o "keyfile=$KEY" "$@" "$DEV" >/dev/null 2>"$D/mkfs.err" ||
		{ t_fail "mkzcryptfs $* $DEV: $(cat "$D/mkfs.err")"; return 1; }
}

# fs_mount [extra -o options]: mounts $DEV on $MNT with $KEY.
fs_mount() {
	zc_mount "$DEV" "$MNT" -o "keyfile=$KEY${1:+,$1}"
}

# fs_setup [zcryptfs-zones create options...]: fs_new, fs_mkfs and fs_mount.
fs_setup() {
	fs_new "$@" && fs_mkfs && fs_mount
}

# fs_zone_file INDEX: the emulated zone file of zone INDEX in $DEV.
fs_zone_file() {
	ls "$DEV"/*-"$(printf %06d "$1")"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || { t_fail "$1: got '$2', expected '$3'"; return 1; }
}

# expect_out WANT cmd...: the command's stdout must be WANT.
expect_out() {
	local want=$1 got
	shift
	got=$("$@" 2>&1)
	expect_eq "$*" "$got" "$want"
}

# fs_zcond ZONE: the condition number blkzone-style report gives the zone.
fs_zcond() {
	"$ZONES" report "$DEV" "$1" 1 | sed -n 's/.*zcond: *\([0-9]*\)(.*/\1/p'
}

# fs_patfile FILE OFF LEN [seed=N]: the zc_io pattern in a file.
fs_patfile() {
	local f=$1
	shift
	"$ZC_IO" pattern "$@" >"$f"
}
