#!/usr/bin/env bash
# SPEC §5.3: writes to sequential and conventional zone files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

MiB=1048576
CAP=$((4 * MiB))

fs_setup --zone-size 4M --zones 16 --conv 3
# cnv/0 = zone 1, cnv/1 = zone 2, seq/N = zone N+3.

t_begin cat_aligned_file
head -c $((MiB + 8192)) /dev/urandom >"$D/a"
t_check "cat > seq/0" cat "$D/a" >"$MNT/seq/0"
t_check "cmp seq/0" cmp "$D/a" "$MNT/seq/0"
expect_out $((MiB + 8192)) stat -c %s "$MNT/seq/0"
expect_out $((MiB + 8192)) stat -c %s "$(fs_zone_file 3)"
# What lies on the backing store is not the plaintext.
cmp -s "$D/a" "$(fs_zone_file 3)" && t_fail "zone file holds the plaintext"
t_pass

t_begin cat_unaligned_file_padded_at_close
head -c 10000 /dev/urandom >"$D/u"
cat "$D/u" >"$MNT/seq/1"
expect_out 12288 stat -c %s "$MNT/seq/1"
expect_out 12288 stat -c %s "$(fs_zone_file 4)"
t_check "first 10000 bytes" cmp -n 10000 "$D/u" "$MNT/seq/1"
expect_out 2288 bash -c "tail -c +10001 '$MNT/seq/1' | wc -c"
expect_out 0 bash -c "tail -c +10001 '$MNT/seq/1' | tr -d '\\0' | wc -c"
t_pass

t_begin unaligned_tail_visible_while_open
# 100 bytes: st_size 100 and readable while open, nothing on the device yet,
# 4096 after close with zeros after the data.
expect_out "ok open=100 read=100 backing=0 synced=-1 closed=4096" \
	"$ZC_IO" tail-open "$MNT/seq/2" 100 "$(fs_zone_file 5)" seed=5
# Appending after the padded block continues at 4096.
expect_out "ok open=9096 read=9096 backing=8192 synced=-1 closed=12288" \
	"$ZC_IO" tail-open "$MNT/seq/2" 5000 "$(fs_zone_file 5)" seed=5
t_pass

t_begin unaligned_tail_written_at_fsync
expect_out "ok open=300 read=300 backing=0 synced=4096 closed=4096" \
	"$ZC_IO" tail-open "$MNT/seq/3" 300 "$(fs_zone_file 6)" fsync seed=6
expect_out 4096 stat -c %s "$(fs_zone_file 6)"
expect_errno ok read "$MNT/seq/3" 0 300 verify seed=6
t_pass

t_begin buffered_odd_sized_appends_one_descriptor
# Every write lands at the unaligned end the previous one left.
expect_out "ok 30000" "$ZC_IO" write "$MNT/seq/10" 0 30000 bs=1000 seed=10
expect_out 32768 stat -c %s "$MNT/seq/10"
expect_errno ok read "$MNT/seq/10" 0 30000 verify seed=10
expect_out 0 bash -c "tail -c +30001 '$MNT/seq/10' | tr -d '\\0' | wc -c"
# Through a pipe, cat writes whatever sizes the pipe hands it.
"$ZC_IO" pattern 0 200000 seed=11 | cat >"$MNT/seq/11"
expect_errno ok read "$MNT/seq/11" 0 200000 verify seed=11
expect_out 200704 stat -c %s "$MNT/seq/11"
t_pass

t_begin cat_append
head -c 8192 /dev/urandom >"$D/b1"
head -c 4096 /dev/urandom >"$D/b2"
cat "$D/b1" >"$MNT/seq/4"
cat "$D/b2" >>"$MNT/seq/4"
cat "$D/b1" >>"$MNT/seq/4"
cat "$D/b1" "$D/b2" "$D/b1" >"$D/b"
t_check "cmp appended" cmp "$D/b" "$MNT/seq/4"
expect_out 20480 stat -c %s "$MNT/seq/4"
t_pass

t_begin write_at_wrong_offset_einval
expect_errno EINVAL write "$MNT/seq/4" 0 4096
expect_errno EINVAL write "$MNT/seq/4" 16384 4096
expect_errno EINVAL write "$MNT/seq/4" 24576 4096
expect_errno EINVAL write "$MNT/seq/4" 20481 10
expect_errno EINVAL write "$MNT/seq/4" 0 4096 direct
expect_errno EINVAL write "$MNT/seq/4" 24576 4096 direct
expect_out 20480 stat -c %s "$MNT/seq/4"
t_check "content unchanged" cmp "$D/b" "$MNT/seq/4"
# Still writable at its end, buffered and direct.
expect_errno ok write "$MNT/seq/4" 20480 4096 seed=9
expect_errno ok write "$MNT/seq/4" 24576 4096 direct seed=9
expect_errno ok read "$MNT/seq/4" 20480 8192 verify seed=9
t_check "old content kept" cmp -n 20480 "$D/b" "$MNT/seq/4"
t_pass

t_begin direct_unaligned_einval
expect_errno EINVAL write "$MNT/seq/5" 0 512 direct
expect_errno EINVAL write "$MNT/seq/5" 0 6144 direct
expect_errno EINVAL write "$MNT/cnv/0" 512 4096 direct
expect_errno EINVAL write "$MNT/cnv/0" 0 1000 direct
expect_out 0 stat -c %s "$MNT/seq/5"
expect_errno ok write "$MNT/seq/5" 0 8192 direct
expect_errno ok write "$MNT/cnv/0" 8192 8192 direct
expect_errno ok read "$MNT/cnv/0" 8192 8192 direct verify
t_pass

t_begin o_append_and_rwf_append
# O_APPEND (buffered and direct): the offset passed is irrelevant.
expect_errno ok write "$MNT/seq/6" 0 4096 append seed=3
expect_errno ok write "$MNT/seq/6" 0 8192 append direct seed=3
# RWF_APPEND on a descriptor opened without O_APPEND, offset 0 given.
expect_errno ok write "$MNT/seq/6" 0 4096 rwf_append seed=3
expect_errno ok write "$MNT/seq/6" 0 4096 rwf_append direct seed=3
expect_errno ok write "$MNT/seq/6" 0 12288 rwf_append bs=4096 seed=3
expect_out 32768 stat -c %s "$MNT/seq/6"
expect_errno "ok" read "$MNT/seq/6" 0 32768 verify seed=3
t_pass

t_begin direct_append_two_threads
expect_out "ok 1048576" "$ZC_IO" append-threads "$MNT/seq/7" 2 128 4096
expect_out "ok 1048576" "$ZC_IO" append-threads "$MNT/seq/7" 4 16 16384
expect_out 2097152 stat -c %s "$MNT/seq/7"
t_pass

t_begin efbig_at_capacity_and_cut_short
# seq: a write crossing capacity is cut short, then EFBIG.
expect_errno ok write "$MNT/seq/8" 0 $((CAP - 4096)) bs=1048576
expect_out "ok 4096" "$ZC_IO" write "$MNT/seq/8" $((CAP - 4096)) 8192 seed=1
expect_out $CAP stat -c %s "$MNT/seq/8"
expect_errno EFBIG write "$MNT/seq/8" $CAP 4096
expect_errno EFBIG write "$MNT/seq/8" $CAP 4096 direct
expect_errno EFBIG write "$MNT/seq/8" 0 4096 append
expect_errno ok read "$MNT/seq/8" $((CAP - 4096)) 4096 verify seed=1
# cnv: the same at any offset.
expect_out "ok 100" "$ZC_IO" write "$MNT/cnv/1" $((CAP - 100)) 1000
expect_errno EFBIG write "$MNT/cnv/1" $CAP 1
expect_errno EFBIG write "$MNT/cnv/1" $((CAP + 8192)) 4096 direct
expect_out $CAP stat -c %s "$MNT/cnv/1"
t_pass

t_begin cnv_read_modify_write
cp "$MNT/cnv/0" "$D/model" || t_fail "read cnv/0"
for w in "1 1" "100 5000" "4095 2" "8191 4098" "3000 17" "$((CAP - 700)) 700" "123456 200000"; do
	set -- $w
	head -c "$2" /dev/urandom >"$D/chunk"
	dd if="$D/chunk" of="$MNT/cnv/0" bs=65536 seek="$1" oflag=seek_bytes conv=notrunc status=none ||
		t_fail "dd to cnv/0 at $1"
	dd if="$D/chunk" of="$D/model" bs=65536 seek="$1" oflag=seek_bytes conv=notrunc status=none
done
t_check "cnv/0 equals the model" cmp "$D/model" "$MNT/cnv/0"
expect_out $CAP stat -c %s "$MNT/cnv/0"
t_pass

t_begin cnv_write_aligned_start_ending_mid_unit
# One unit, start aligned, end not: the rest of the unit must be kept.
cp "$MNT/cnv/1" "$D/c1" || t_fail "read cnv/1"
expect_errno ok write "$MNT/cnv/1" 8192 1000 seed=12
expect_errno ok read "$MNT/cnv/1" 8192 1000 direct verify seed=12
t_check "bytes after the write kept" cmp -i 9192 -n 3096 "$D/c1" "$MNT/cnv/1"
t_check "bytes before the write kept" cmp -n 8192 "$D/c1" "$MNT/cnv/1"
t_pass

t_begin cnv_o_append_einval
cp "$MNT/cnv/0" "$D/model" || t_fail "read cnv/0"
expect_errno EINVAL write "$MNT/cnv/0" 0 4096 append
expect_errno EINVAL write "$MNT/cnv/0" 0 4096 append direct
t_check "cnv/0 unchanged" cmp "$D/model" "$MNT/cnv/0"
t_pass

t_begin read_at_and_beyond_size
expect_out "ok 0" "$ZC_IO" read "$MNT/seq/5" 8192 4096
expect_out "ok 0" "$ZC_IO" read "$MNT/seq/5" 1048576 4096
expect_out "ok 4096" "$ZC_IO" read "$MNT/seq/5" 4096 65536
expect_out "ok 0" "$ZC_IO" read "$MNT/seq/9" 0 4096 direct
expect_out "ok 0" "$ZC_IO" read "$MNT/cnv/0" $CAP 4096
t_pass

t_begin mmap_write_seq_refused
expect_errno ok write "$MNT/seq/9" 0 8192 seed=4
# Write-back of the page is an in-place write, refused as any write not at
# the end is; msync reports it.
expect_out EINVAL "$ZC_IO" mmap-write "$MNT/seq/9"
expect_out 8192 stat -c %s "$MNT/seq/9"
expect_errno ok read "$MNT/seq/9" 0 8192 verify seed=4
expect_out 8192 stat -c %s "$(fs_zone_file 12)"
t_pass

t_begin mmap_write_cnv_allowed
cp "$MNT/cnv/1" "$D/c1"
expect_errno ok mmap-write "$MNT/cnv/1"
cmp -s "$D/c1" "$MNT/cnv/1" && t_fail "the mapping's change did not reach cnv/1"
cmp -n 16 "$D/c1" "$MNT/cnv/1" >/dev/null && t_fail "first bytes of cnv/1 unchanged"
t_check "rest of cnv/1 unchanged" cmp -i 16 "$D/c1" "$MNT/cnv/1"
t_pass

t_begin fsync_ok
expect_errno ok fsync "$MNT/seq/5"
expect_errno ok fsync "$MNT/cnv/0"
t_pass
zc_umount "$MNT"

t_begin strict_align_refuses_unaligned
fs_setup --zone-size 4M --zones 4 --conv 1
zc_umount "$MNT"
fs_mount strict_align
expect_errno EINVAL write "$MNT/seq/0" 0 100
expect_errno EINVAL write "$MNT/seq/0" 0 5000
expect_out 0 stat -c %s "$MNT/seq/0"
expect_errno ok write "$MNT/seq/0" 0 8192
expect_out 8192 stat -c %s "$MNT/seq/0"
zc_umount "$MNT"
t_pass

t_begin read_only_mount_erofs
fs_new --zone-size 4M --zones 4 --conv 2
fs_mkfs
fs_mount
expect_errno ok write "$MNT/seq/0" 0 4096
zc_umount "$MNT"
fs_mount ro
expect_errno EROFS write "$MNT/seq/0" 4096 4096
expect_errno EROFS write "$MNT/cnv/0" 0 4096
expect_errno EROFS open "$MNT/seq/1" wronly
expect_errno EROFS truncate "$MNT/seq/0" 0
expect_errno ok read "$MNT/seq/0" 0 4096 verify
expect_out 4096 stat -c %s "$(fs_zone_file 2)"
zc_umount "$MNT"
t_pass

t_begin remount_ro_after_write_error_erofs
fs_setup --zone-size 4M --zones 4 --conv 1
expect_errno ok write "$MNT/seq/0" 0 4096 direct
"$ZONES" fault "$DEV" 1 fail-writes 1 >/dev/null || t_fail "fault injection"
expect_errno EIO write "$MNT/seq/0" 4096 4096 direct
expect_errno EROFS write "$MNT/seq/1" 0 4096 direct
expect_errno EROFS write "$MNT/seq/0" 4096 4096
expect_out "ok 1" "$ZC_IO" getxattr "$MNT" user.zcryptfs.ro
expect_errno ok read "$MNT/seq/0" 0 4096 direct verify
zc_umount "$MNT"
t_pass

# Faults set with zcryptfs-zones reach a running daemon at once (SPEC §6.3):
# a read error, then a write stopped part way, under errors=repair so the
# mount stays writable and the size follows the device.
t_begin cli_faults_reach_the_daemon
fs_new --zone-size 4M --zones 4 --conv 1
fs_mkfs
fs_mount errors=repair
expect_errno ok write "$MNT/seq/0" 0 8192 direct
"$ZONES" fault "$DEV" 1 fail-reads 1 >/dev/null || t_fail "fault fail-reads"
expect_errno EIO read "$MNT/seq/0" 0 4096 direct
expect_errno ok read "$MNT/seq/0" 0 8192 direct verify
"$ZONES" fault "$DEV" 2 partial-write 2 >/dev/null || t_fail "fault partial-write"
expect_errno EIO write "$MNT/seq/1" 0 16384 direct
expect_out 8192 stat -c %s "$MNT/seq/1"
expect_errno ok write "$MNT/seq/1" 8192 4096 direct
expect_out 12288 stat -c %s "$MNT/seq/1"
zc_umount "$MNT"
t_pass
