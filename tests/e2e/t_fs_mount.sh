#!/usr/bin/env bash
# SPEC §1, §2, §4.2, §4.3, §5.5: mounting, refusals, options, explicit-open.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

# expect_refused MNT: nothing is mounted on MNT and it is still an empty folder.
expect_refused() {
	zc_is_mounted "$1" && { t_fail "$1 is mounted"; umount "$1"; return 1; }
	[ -z "$(ls -A "$1")" ] || t_fail "$1 is not an empty folder"
}

t_begin remount_keeps_data
fs_setup --zone-size 4M --zones 6 --conv 2
head -c 200000 /dev/urandom >"$D/a"
cat "$D/a" >"$MNT/seq/0"
expect_errno ok write "$MNT/seq/1" 0 1048576 direct seed=7
expect_errno ok write "$MNT/cnv/0" 12345 54321 seed=8
zc_umount "$MNT"
fs_mount
expect_out 200704 stat -c %s "$MNT/seq/0"
t_check "seq/0 after remount" cmp -n 200000 "$D/a" "$MNT/seq/0"
expect_errno ok read "$MNT/seq/1" 0 1048576 verify seed=7
expect_errno ok read "$MNT/cnv/0" 12345 54321 verify seed=8
expect_out 1048576 stat -c %s "$MNT/seq/1"
# Zones left open are closed at mount.
expect_eq "zone 2 condition" "$(fs_zcond 2)" 4
expect_eq "zone 3 condition" "$(fs_zcond 3)" 4
zc_umount "$MNT"
t_pass

t_begin wrong_key_refused
head -c 512 /dev/urandom >"$D/key2"
chmod 600 "$D/key2"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$D/key2"
expect_err_contains "wrong key"
expect_err_contains "mkzcryptfs"
expect_err_contains "-o plain"
expect_refused "$MNT"
# Wrong crypto options are wrong keys too.
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,key_size=256"
expect_refused "$MNT"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,keyfile_offset=1"
expect_refused "$MNT"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,sector_size=4096"
expect_refused "$MNT"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o cipher=null
expect_refused "$MNT"
# Nothing was written to the device.
expect_out 200704 stat -c %s "$(fs_zone_file 2)"
t_pass

t_begin short_key_refused
head -c 63 "$KEY" >"$D/short"
chmod 600 "$D/short"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$D/short"
expect_err_contains "Cannot read requested amount of data"
expect_refused "$MNT"
head -c 64 "$KEY" >"$D/exact"
chmod 600 "$D/exact"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,keyfile_offset=449"
expect_refused "$MNT"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$D/missing"
expect_refused "$MNT"
# The first 64 bytes are the whole key: a 64-byte file mounts.
zc_mount "$DEV" "$MNT" -o "keyfile=$D/exact" && zc_umount "$MNT"
t_pass

t_begin usage_errors_exit_1
expect_status 1 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,bogus_option"
expect_refused "$MNT"
expect_status 1 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,errors=explode"
expect_refused "$MNT"
expect_status 1 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,sector_size=3000"
expect_refused "$MNT"
expect_status 1 "$ZCRYPTFS" "$DEV"
expect_status 1 "$ZCRYPTFS" --no-such-flag "$DEV" "$MNT"
expect_status 0 "$ZCRYPTFS" --help
expect_status 0 "$ZCRYPTFS" --version
t_pass

t_begin bad_device_exit_2
touch "$D/regular"
for dev in "$D/none" "$D/regular" /dev/null; do
	expect_status 2 "$ZCRYPTFS" "$dev" "$MNT" -o "keyfile=$KEY"
	expect_err_contains "DEVICE must be"
	expect_refused "$MNT"
done
t_pass

t_begin mount_options_accepted
# Grouped, since every mount and unmount costs time.
for o in errors=zone-ro,explicit-open,strict_align,default_permissions,max_threads=4 \
	errors=repair,ro errors=zone-offline,errors=remount-ro; do
	zc_mount "$DEV" "$MNT" -o "keyfile=$KEY,$o" || continue
	expect_out 200704 stat -c %s "$MNT/seq/0"
	zc_umount "$MNT"
done
t_pass

t_begin ownership_from_superblock_and_options
fs_new --zone-size 4M --zones 6 --conv 2
fs_mkfs -o uid=1000,gid=1000,perm=0660
fs_mount
expect_out "660 1000 1000" stat -c '%a %u %g' "$MNT/seq/0"
expect_out "660 1000 1000" stat -c '%a %u %g' "$MNT/cnv/0"
expect_out "555 0 0" stat -c '%a %u %g' "$MNT/seq"
zc_umount "$MNT"
fs_mount uid=5,gid=6,perm=0600
expect_out "600 5 6" stat -c '%a %u %g' "$MNT/seq/3"
expect_out "600 5 6" stat -c '%a %u %g' "$MNT/cnv/0"
zc_umount "$MNT"
fs_mount perm=0444
expect_out "444 1000 1000" stat -c '%a %u %g' "$MNT/seq/0"
zc_umount "$MNT"
t_pass

t_begin plain_mode_zone0_is_a_file
fs_new --zone-size 4M --zones 6 --conv 2
fs_mount plain
expect_out "0 1" bash -c "ls -v '$MNT/cnv' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "0 1 2 3" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "555 2" stat -c '%a %s' "$MNT/cnv"
expect_out "640 0 0 4194304" stat -c '%a %u %g %s' "$MNT/cnv/0"
# Zone 0 cannot have inode 0 (readdir hides it): nr_zones + 3 stands in.
expect_out "9" stat -c %i "$MNT/cnv/0"
expect_out "1" stat -c %i "$MNT/cnv/1"
expect_out "2" stat -c %i "$MNT/seq/0"
expect_out "6" stat -c %i "$MNT"
expect_out "ok 0" "$ZC_IO" getxattr "$MNT/cnv/0" user.zone.start
expect_errno ok write "$MNT/cnv/0" 0 8192 seed=11
expect_errno ok write "$MNT/seq/0" 0 8192 seed=12
zc_umount "$MNT"
fs_mount plain
expect_errno ok read "$MNT/cnv/0" 0 8192 verify seed=11
expect_errno ok read "$MNT/seq/0" 0 8192 verify seed=12
zc_umount "$MNT"
# A device used raw is no formatted filesystem: the normal mount refuses it.
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY"
expect_refused "$MNT"
fs_mount plain,uid=7,gid=8,perm=0604
expect_out "604 7 8" stat -c '%a %u %g' "$MNT/seq/1"
zc_umount "$MNT"
t_pass

# explicit-open on a device with 2 open zones at most: the third write-open
# of a non-full sequential file fails with EBUSY; closing frees the zone.
t_begin explicit_open_ebusy
fs_setup --zone-size 4M --zones 8 --conv 1 --max-open 2
zc_umount "$MNT"
fs_mount explicit-open
expect_out "ok 2" "$ZC_IO" getxattr "$MNT" user.zcryptfs.max_wro_seq_files
expect_out "ok 0" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_wro_seq_files
holders=()
for n in 0 1; do
	"$ZC_IO" hold-open "$MNT/seq/$n" wronly 60 >"$D/hold$n" &
	holders+=($!)
done
for n in 0 1; do
	for _ in $(seq 1 200); do grep -q . "$D/hold$n" && break; sleep 0.05; done
	expect_out ok cat "$D/hold$n"
done
expect_out "ok 2" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_wro_seq_files
expect_errno EBUSY open "$MNT/seq/2" wronly
expect_errno EBUSY write "$MNT/seq/3" 0 4096
expect_errno ok open "$MNT/seq/2" rdonly
# A second writer of an already open zone needs no new zone.
expect_errno ok write "$MNT/seq/0" 0 4096
kill "${holders[@]}"
wait "${holders[@]}" 2>/dev/null
# FUSE sends the last close (RELEASE) in the background: the holders may
# be gone before the daemon has heard of it.
for _ in $(seq 100); do
	[ "$("$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_wro_seq_files)" = "ok 0" ] && break
	sleep 0.1
done
expect_out "ok 0" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_wro_seq_files
expect_errno ok write "$MNT/seq/2" 0 4096
expect_errno ok write "$MNT/seq/3" 0 4096
expect_errno ok write "$MNT/seq/4" 0 4096
# Closed: seq/0 holds data (closed), seq/1 stayed empty (reset: empty).
expect_eq "zone 1 condition" "$(fs_zcond 1)" 4
expect_eq "zone 2 condition" "$(fs_zcond 2)" 1
zc_umount "$MNT"
t_pass

# mount(8) and /etc/fstab go through fuse3's mount.fuse3, which starts
# "PROGRAM DEVICE MOUNTPOINT -o OPTIONS"; the generic mount flags it passes
# along (ro, nosuid, noatime...) must be accepted and applied.
t_begin mount_8_through_mount_fuse3
fs_new --zone-size 4M --zones 4 --conv 2
fs_mkfs
mkdir -p "$MNT"
mount -t fuse "$ZCRYPTFS#$DEV" "$MNT" -o "keyfile=$KEY,ro,nosuid,noatime,uid=4321" 2>"$D/mount.err" ||
	t_fail "mount -t fuse: $(cat "$D/mount.err")"
T_MOUNTS+=("$MNT")
grep -q " $MNT fuse.zcryptfs ro,nosuid,[^ ]*noatime" /proc/mounts ||
	t_fail "mount flags not applied: $(grep " $MNT " /proc/mounts)"
expect_out "cnv seq" bash -c "ls '$MNT' | tr '\n' ' ' | sed 's/ \$//'"
expect_out 4321 stat -c %u "$MNT/seq/0"
expect_errno EROFS write "$MNT/seq/0" 0 4096 direct
zc_umount "$MNT"
# The same from an fstab line (mount -T reads another fstab); nofail is
# mount's own and must not reach the daemon.
printf '%s %s fuse keyfile=%s,nofail,errors=repair 0 0\n' "$ZCRYPTFS#$DEV" "$MNT" "$KEY" >"$D/fstab"
mount -T "$D/fstab" "$MNT" 2>"$D/mount.err" || t_fail "mount from fstab: $(cat "$D/mount.err")"
T_MOUNTS+=("$MNT")
zc_is_mounted "$MNT" || t_fail "the fstab line mounted nothing"
expect_errno ok write "$MNT/seq/0" 0 4096 direct
zc_umount "$MNT"
t_pass
