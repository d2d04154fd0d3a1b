#!/usr/bin/env bash
# SPEC §1, §2, §4.1: mkzcryptfs, the superblock it writes and what mounts see.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

MiB=1048576

# sb_field OFFSET LENGTH: bytes of the plaintext superblock (cipher=null
# device, zone 0 conventional) as one hex string.
sb_field() {
	od -A n -v -t x1 -j "$1" -N "$2" "$DEV/cnv-000000" | tr -d ' \n'
}

t_begin refuses_formatted_device_without_f
fs_setup --zone-size 4M --zones 6 --conv 2
expect_errno ok write "$MNT/seq/0" 0 65536 seed=1
zc_umount "$MNT"
expect_status 2 "$MKZCRYPTFS" -o "keyfile=$KEY" "$DEV"
expect_err_contains "-f"
expect_out 65536 stat -c %s "$(fs_zone_file 2)"
fs_mount
expect_errno ok read "$MNT/seq/0" 0 65536 verify seed=1
zc_umount "$MNT"
t_pass

t_begin accepts_with_f_and_resets_zones
head -c 512 /dev/urandom >"$D/key2"
chmod 600 "$D/key2"
expect_status 0 "$MKZCRYPTFS" -f -o "keyfile=$D/key2" "$DEV"
expect_out 0 stat -c %s "$(fs_zone_file 2)"
expect_eq "zone 2 condition" "$(fs_zcond 2)" 1
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY"
zc_mount "$DEV" "$MNT" -o "keyfile=$D/key2"
expect_out 0 stat -c %s "$MNT/seq/0"
zc_umount "$MNT"
t_pass

t_begin refuses_device_with_data_without_f
fs_new --zone-size 4M --zones 6 --conv 2
fs_mount plain
expect_errno ok write "$MNT/seq/2" 0 4096
zc_umount "$MNT"
expect_status 2 "$MKZCRYPTFS" -o "keyfile=$KEY" "$DEV"
expect_err_contains "-f"
expect_out 4096 stat -c %s "$(fs_zone_file 4)"
expect_status 0 "$MKZCRYPTFS" -f -o "keyfile=$KEY" "$DEV"
expect_out 0 stat -c %s "$(fs_zone_file 4)"
t_pass

t_begin usage_errors_exit_1
expect_status 1 "$MKZCRYPTFS" -o "keyfile=$KEY,bogus" "$DEV"
expect_status 1 "$MKZCRYPTFS" -f -o "keyfile=$KEY" -o perm=9999 "$DEV"
expect_status 1 "$MKZCRYPTFS" -f -o "keyfile=$KEY" -L "$(printf 'x%.0s' $(seq 65))" "$DEV"
expect_status 1 "$MKZCRYPTFS" -f
expect_status 0 "$MKZCRYPTFS" --help
expect_status 0 "$MKZCRYPTFS" --version
expect_status 2 "$MKZCRYPTFS" -f -o "keyfile=$D/none" "$DEV"
t_pass

t_begin superblock_fields_plaintext
fs_new --zone-size 4M --zones 8 --conv 4
expect_status 0 "$MKZCRYPTFS" -o cipher=null -L mylabel -o aggr_cnv,uid=1000 -o gid=1001,perm=0604 "$DEV"
expect_eq "magic" "$(sb_field 0 4)" 53464f5a
expect_eq "label" "$(sb_field 8 8)" 6d796c6162656c00
expect_eq "features" "$(sb_field 88 8)" 0f00000000000000
expect_eq "uid gid perm" "$(sb_field 96 12)" e8030000e903000084010000
expect_eq "reserved" "$(od -A n -t x1 -j 108 -N 3988 -v "$DEV/cnv-000000" | tr -d ' \n0' | wc -c)" 0
# A label-less, option-less format has no feature bits.
expect_status 0 "$MKZCRYPTFS" -f -o cipher=null "$DEV"
expect_eq "features" "$(sb_field 88 20)" 0000000000000000000000000000000000000000
expect_eq "label" "$(sb_field 8 64 | tr -d 0)" ""
t_pass

t_begin aggr_cnv_one_file
fs_new --zone-size 4M --zones 8 --conv 4
fs_mkfs -o aggr_cnv
fs_mount
expect_out "0" ls "$MNT/cnv"
expect_out "$((12 * MiB)) 24576 1" stat -c '%s %b %i' "$MNT/cnv/0"
expect_out "0 1 2 3" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "4" stat -c %i "$MNT/seq/0"
# Writes cross zone boundaries inside the aggregated file.
expect_errno ok write "$MNT/cnv/0" $((4 * MiB - 100)) 300 seed=2
expect_errno ok write "$MNT/cnv/0" $((8 * MiB - 4096)) 8192 direct seed=2
expect_errno EFBIG write "$MNT/cnv/0" $((12 * MiB)) 4096
zc_umount "$MNT"
fs_mount
expect_errno ok read "$MNT/cnv/0" $((4 * MiB - 100)) 300 verify seed=2
expect_errno ok read "$MNT/cnv/0" $((8 * MiB - 4096)) 8192 verify seed=2
zc_umount "$MNT"
t_pass

t_begin options_accumulate
fs_new --zone-size 4M --zones 4 --conv 2
expect_status 0 "$MKZCRYPTFS" -o "keyfile=$KEY" -o sector_size=4096 -o iv_large_sectors "$DEV"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY"
expect_status 2 "$ZCRYPTFS" "$DEV" "$MNT" -o "keyfile=$KEY,sector_size=4096"
fs_mount sector_size=4096,iv_large_sectors
expect_out 4096 stat -c %o "$MNT/seq/0"
zc_umount "$MNT"
t_pass

t_begin verbose_lists_zones
expect_status 0 "$MKZCRYPTFS" -f -v -o "keyfile=$KEY" "$DEV"
out=$("$MKZCRYPTFS" -f -v -o "keyfile=$KEY" "$DEV" 2>&1)
expect_eq "zone lines of mkzcryptfs -v" "$(grep -c '^Zone [0-9]\{6\}:' <<<"$out")" 4
grep -q '^Zone 000000: CONVENTIONAL' <<<"$out" || t_fail "zone 0 is not listed as conventional: $out"
grep -q '^Zone 000003: SEQ_WRITE_REQUIRED' <<<"$out" || t_fail "the last zone is not listed: $out"
t_pass
