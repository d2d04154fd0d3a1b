#!/usr/bin/env bash
# SPEC §5.1 layout and §5.2 attributes of a mounted zcryptfs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

MiB=1048576

# Default device: 8 zones of 4 MiB, 2 conventional; zone 0 holds the superblock.
fs_setup
t_begin layout_names
expect_out "cnv seq" bash -c "ls '$MNT' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "0" ls "$MNT/cnv"
expect_out "0 1 2 3 4 5" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
t_pass

t_begin layout_inodes
expect_out 8 stat -c %i "$MNT"
expect_out 9 stat -c %i "$MNT/cnv"
expect_out 10 stat -c %i "$MNT/seq"
expect_out 1 stat -c %i "$MNT/cnv/0"
for n in 0 1 2 3 4 5; do
	expect_out $((n + 2)) stat -c %i "$MNT/seq/$n"
done
t_pass

t_begin layout_dirs_0555_size_is_file_count
expect_out "555 2" stat -c '%a %s' "$MNT"
expect_out "555 1" stat -c '%a %s' "$MNT/cnv"
expect_out "555 6" stat -c '%a %s' "$MNT/seq"
expect_out "640 0 0 regular empty file" stat -c '%a %u %g %F' "$MNT/seq/0"
t_pass

t_begin layout_bad_names_enoent
for name in 00 01 006 x 1a +1 -1 " 1" 6 7 99999999 0x1 9999999999999999 1844674407370955; do
	expect_errno ENOENT stat "$MNT/seq/$name"
done
expect_errno ENOENT stat "$MNT/cnv/1"
expect_errno ENOENT stat "$MNT/cnv/00"
expect_errno ENOENT stat "$MNT/0"
expect_errno ENOENT stat "$MNT/seqx"
expect_errno ENOENT stat "$MNT/0000000000000001"     # 16 bytes: still a lookup
t_pass

t_begin layout_long_name_enametoolong
expect_errno ENAMETOOLONG stat "$MNT/seq/00000000000000001"
expect_errno ENAMETOOLONG stat "$MNT/seq/aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
expect_errno ENAMETOOLONG stat "$MNT/00000000000000001"
t_pass

t_begin attr_sizes_blocks_blksize
expect_out "0 8192 512 4096" stat -c '%s %b %B %o' "$MNT/seq/0"
expect_out "4194304 8192 4096" stat -c '%s %b %o' "$MNT/cnv/0"
expect_errno ok write "$MNT/seq/3" 0 12288
expect_out "12288 8192" stat -c '%s %b' "$MNT/seq/3"
t_pass

t_begin attr_statfs
# 7 files of 4 MiB in 4 KiB units; free = all - seq sizes - cnv capacities.
expect_out "4096 4096 16 7168 6141 6141 9 0" stat -f -c '%s %S %l %b %f %a %c %d' "$MNT"
expect_errno ok write "$MNT/seq/0" 0 8192
expect_out "7168 6139" stat -f -c '%b %f' "$MNT"
t_pass

t_begin xattr_zone
expect_out "ok $((5 * 4 * MiB))" "$ZC_IO" getxattr "$MNT/seq/3" user.zone.start
expect_out "ok $((4 * MiB))" "$ZC_IO" getxattr "$MNT/seq/3" user.zone.capacity
expect_out "ok $((5 * 4 * MiB + 12288))" "$ZC_IO" getxattr "$MNT/seq/3" user.zone.wp
expect_out "ok empty" "$ZC_IO" getxattr "$MNT/seq/5" user.zone.cond
expect_out "ok $((4 * MiB))" "$ZC_IO" getxattr "$MNT/cnv/0" user.zone.start
expect_errno ok truncate "$MNT/seq/5" $((4 * MiB))
expect_out "ok full" "$ZC_IO" getxattr "$MNT/seq/5" user.zone.cond
list=$("$ZC_IO" listxattr "$MNT/seq/1")
for a in start capacity wp cond; do
	case "$list" in *" user.zone.$a"*) ;; *) t_fail "listxattr lacks user.zone.$a: $list" ;; esac
done
t_pass

t_begin xattr_root_counters
for a in nr_wro_seq_files max_wro_seq_files nr_active_seq_files max_active_seq_files; do
	v=$("$ZC_IO" getxattr "$MNT" "user.zcryptfs.$a")
	case "$v" in "ok "[0-9]*) ;; *) t_fail "user.zcryptfs.$a: $v" ;; esac
done
expect_out "ok 0" "$ZC_IO" getxattr "$MNT" user.zcryptfs.ro
zc_umount "$MNT"
# The counters follow the zones: limits from the device, the active count
# from written zones, back down when a zone is finished.
fs_setup --zone-size 4M --zones 6 --conv 1 --max-open 2 --max-active 3
expect_out "ok 2" "$ZC_IO" getxattr "$MNT" user.zcryptfs.max_wro_seq_files
expect_out "ok 3" "$ZC_IO" getxattr "$MNT" user.zcryptfs.max_active_seq_files
expect_out "ok 0" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_active_seq_files
expect_errno ok write "$MNT/seq/0" 0 4096 direct
expect_errno ok write "$MNT/seq/1" 0 4096 direct
expect_out "ok 2" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_active_seq_files
truncate -s $((4 * MiB)) "$MNT/seq/0"
expect_out "ok 1" "$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_active_seq_files
t_pass
zc_umount "$MNT"

# No conventional zone at all: zone 0 is sequential (finished by mkzcryptfs)
# and there is no cnv/ directory.
t_begin layout_no_conv
fs_setup --zone-size 4M --zones 6 --conv 0
expect_out "seq" ls "$MNT"
expect_out "555 1" stat -c '%a %s' "$MNT"
expect_out "0 1 2 3 4" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "6" stat -c %i "$MNT"
expect_out "8" stat -c %i "$MNT/seq"
expect_out "1" stat -c %i "$MNT/seq/0"
expect_errno ENOENT stat "$MNT/cnv"
expect_eq "zone 0 condition" "$(fs_zcond 0)" 14
expect_out "6" stat -f -c '%c' "$MNT"
zc_umount "$MNT"
t_pass

# Only zone 0 is conventional: still no cnv/ in formatted mode.
t_begin layout_only_zone0_conv
fs_setup --zone-size 4M --zones 4 --conv 1
expect_out "seq" ls "$MNT"
expect_out "0 1 2" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
zc_umount "$MNT"
t_pass

# Zone capacity below the zone size: sizes and st_blocks follow the capacity.
t_begin attr_zone_capacity
fs_setup --zone-size 4M --zones 6 --conv 2 --zone-capacity 3M
expect_out "0 6144" stat -c '%s %b' "$MNT/seq/0"
expect_out "ok $((3 * MiB))" "$ZC_IO" getxattr "$MNT/seq/0" user.zone.capacity
expect_errno ok write "$MNT/seq/0" 0 $((3 * MiB)) bs=1048576
expect_errno EFBIG write "$MNT/seq/0" $((3 * MiB)) 4096
expect_out "$((3 * MiB)) 6144" stat -c '%s %b' "$MNT/seq/0"
expect_errno ok read "$MNT/seq/0" 0 $((3 * MiB)) verify
expect_errno ok truncate "$MNT/seq/1" $((3 * MiB))
expect_out "$((3 * MiB))" stat -c %s "$MNT/seq/1"
expect_eq "zone 3 condition" "$(fs_zcond 3)" 14
zc_umount "$MNT"
t_pass

# 512-byte logical blocks: the write unit is 512 with 512-byte crypto sectors,
# sector_size when that is larger.
t_begin attr_lba512_blksize
fs_new --zone-size 4M --zones 4 --conv 1 --lba 512
fs_mkfs
fs_mount
expect_out "512" stat -c %o "$MNT/seq/0"
expect_out "512" stat -f -c %S "$MNT"
expect_errno ok write "$MNT/seq/0" 0 512 direct
expect_errno ok write "$MNT/seq/0" 512 1536 direct
expect_errno EINVAL write "$MNT/seq/0" 2048 100 direct
expect_errno ok read "$MNT/seq/0" 0 2048 direct verify
zc_umount "$MNT"
"$MKZCRYPTFS" -f -o "keyfile=$KEY,sector_size=4096" "$DEV" >/dev/null || t_fail "mkzcryptfs sector_size=4096"
fs_mount sector_size=4096
expect_out "4096" stat -c %o "$MNT/seq/0"
expect_errno EINVAL write "$MNT/seq/0" 0 512 direct
expect_errno ok write "$MNT/seq/0" 0 4096 direct
zc_umount "$MNT"
t_pass

# Sizes follow the zone state found at mount: FULL = capacity, OFFLINE = 0.
t_begin attr_size_full_and_offline_zones
fs_new --zone-size 4M --zones 6 --conv 1
fs_mkfs
fs_mount
expect_errno ok write "$MNT/seq/2" 0 8192
zc_umount "$MNT"
"$ZONES" finish "$DEV" 2 >/dev/null || t_fail "zcryptfs-zones finish"
"$ZONES" fault "$DEV" 3 offline >/dev/null || t_fail "zcryptfs-zones fault offline"
fs_mount
expect_out "$((4 * MiB))" stat -c %s "$MNT/seq/1"
expect_out 0 stat -c %s "$MNT/seq/2"
expect_out 0 stat -c %s "$MNT/seq/0"
expect_out "ok offline" "$ZC_IO" getxattr "$MNT/seq/2" user.zone.cond
expect_out "ok full" "$ZC_IO" getxattr "$MNT/seq/1" user.zone.cond
zc_umount "$MNT"
t_pass
