#!/usr/bin/env bash
# SPEC §5.4, truncate rows: reset, finish, no-op, EPERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

CAP=$((4 * 1048576))

fs_setup --zone-size 4M --zones 8 --conv 2
# cnv/0 = zone 1, seq/N = zone N+2.

t_begin truncate_zero_resets_zone
head -c 65536 /dev/urandom >"$D/a"
head -c 16384 /dev/urandom >"$D/b"
cat "$D/a" >"$MNT/seq/0"
t_check "seq/0 written" cmp "$D/a" "$MNT/seq/0"
t_check "truncate -s 0" truncate -s 0 "$MNT/seq/0"
expect_out 0 stat -c %s "$MNT/seq/0"
expect_out 0 stat -c %s "$(fs_zone_file 2)"
expect_eq "zone 2 condition" "$(fs_zcond 2)" 1
expect_out "ok 0" "$ZC_IO" read "$MNT/seq/0" 0 4096
# The zone takes new data at 0, and no stale cached page shows through.
cat "$D/b" >>"$MNT/seq/0"
t_check "new content" cmp "$D/b" "$MNT/seq/0"
expect_out 16384 stat -c %s "$MNT/seq/0"
t_pass

t_begin o_trunc_rewrites_zone
cat "$D/a" >"$MNT/seq/0"
t_check "rewritten by cat >" cmp "$D/a" "$MNT/seq/0"
expect_out 65536 stat -c %s "$(fs_zone_file 2)"
expect_errno ok open "$MNT/seq/0" wronly,trunc
expect_out 0 stat -c %s "$MNT/seq/0"
expect_out 0 stat -c %s "$(fs_zone_file 2)"
t_pass

t_begin truncate_to_capacity_finishes_zone
expect_errno ok write "$MNT/seq/1" 0 8192
t_check "truncate -s capacity" truncate -s $CAP "$MNT/seq/1"
expect_out $CAP stat -c %s "$MNT/seq/1"
expect_eq "zone 3 condition" "$(fs_zcond 3)" 14
expect_errno EFBIG write "$MNT/seq/1" $CAP 4096
expect_errno ok read "$MNT/seq/1" 0 8192 verify
# An empty zone can be finished too.
expect_errno ok truncate "$MNT/seq/2" $CAP
expect_eq "zone 4 condition" "$(fs_zcond 4)" 14
# A full zone truncated to 0 is empty again and writable.
expect_errno ok truncate "$MNT/seq/1" 0
expect_eq "zone 3 condition" "$(fs_zcond 3)" 1
expect_errno ok write "$MNT/seq/1" 0 4096 direct seed=2
expect_errno ok read "$MNT/seq/1" 0 4096 verify seed=2
t_pass

t_begin truncate_to_current_size_noop
expect_errno ok write "$MNT/seq/3" 0 12288
expect_errno ok truncate "$MNT/seq/3" 12288
expect_errno ok truncate "$MNT/seq/4" 0
expect_out 12288 stat -c %s "$MNT/seq/3"
expect_out 12288 stat -c %s "$(fs_zone_file 5)"
expect_errno ok read "$MNT/seq/3" 0 12288 verify
expect_errno ok truncate "$MNT/cnv/0" $CAP
t_pass

t_begin truncate_elsewhere_eperm
expect_errno EPERM truncate "$MNT/seq/3" 4096
expect_errno EPERM truncate "$MNT/seq/3" 16384
expect_errno EPERM truncate "$MNT/seq/3" 12289
expect_errno EPERM truncate "$MNT/seq/3" $((CAP + 4096))
expect_errno EPERM ftruncate "$MNT/seq/3" 4096
expect_out 12288 stat -c %s "$MNT/seq/3"
expect_errno ok read "$MNT/seq/3" 0 12288 verify
t_pass

t_begin truncate_cnv_eperm
cp "$MNT/cnv/0" "$D/c"
expect_errno EPERM truncate "$MNT/cnv/0" 0
expect_errno EPERM truncate "$MNT/cnv/0" 4096
expect_errno EPERM ftruncate "$MNT/cnv/0" 0
expect_errno EPERM open "$MNT/cnv/0" wronly,trunc
expect_errno EPERM open "$MNT/cnv/0" rdwr,trunc
expect_out $CAP stat -c %s "$MNT/cnv/0"
t_check "cnv/0 unchanged" cmp "$D/c" "$MNT/cnv/0"
t_pass

t_begin truncate_survives_remount
zc_umount "$MNT"
fs_mount
expect_out "0 4096 4194304 12288" bash -c "stat -c %s '$MNT'/seq/[0-3] | tr '\n' ' ' | sed 's/ \$//'"
expect_errno ok read "$MNT/seq/1" 0 4096 verify seed=2
expect_errno ok read "$MNT/seq/3" 0 12288 verify
t_pass
