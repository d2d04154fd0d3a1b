#!/usr/bin/env bash
# SPEC §5.4, namespace and metadata rows: no new names, no removal, mode and
# owner changes kept in memory, xattrs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

fs_setup --zone-size 4M --zones 6 --conv 2

t_begin new_names_enoent
expect_errno ENOENT create "$MNT/seq/9"
expect_errno ENOENT create "$MNT/seq/x"
expect_errno ENOENT create "$MNT/new"
expect_errno ENOENT open "$MNT/seq/7" wronly,creat
expect_errno ENOENT mkdir "$MNT/dir"
expect_errno ENOENT mkdir "$MNT/seq/9"
expect_errno ENOENT mknod "$MNT/seq/9"
expect_errno ENOENT link "$MNT/seq/0" "$MNT/seq/9"
expect_errno ENOENT link "$MNT/seq/0" "$MNT/hard"
expect_errno ENOENT symlink "$MNT/seq/0" "$MNT/seq/9"
expect_errno ENOENT symlink seq/0 "$MNT/soft"
expect_out "cnv seq" bash -c "ls '$MNT' | tr '\n' ' ' | sed 's/ \$//'"
expect_out "0 1 2 3" bash -c "ls -v '$MNT/seq' | tr '\n' ' ' | sed 's/ \$//'"
t_pass

t_begin removal_eperm
expect_errno EPERM unlink "$MNT/seq/0"
expect_errno EPERM unlink "$MNT/cnv/0"
expect_errno EPERM rmdir "$MNT/seq"
expect_errno EPERM rmdir "$MNT/cnv"
expect_errno EPERM rename "$MNT/seq/0" "$MNT/seq/1"
expect_errno EPERM rename "$MNT/seq/0" "$MNT/seq/9"
expect_errno EPERM rename "$MNT/seq" "$MNT/other"
expect_errno ok stat "$MNT/seq/0"
expect_errno ok stat "$MNT/seq"
t_pass

t_begin chmod_chown_utimes_kept_until_unmount
expect_errno ok chmod "$MNT/seq/0" 600
expect_errno ok chown "$MNT/seq/0" 1234 5678
expect_errno ok utimes "$MNT/seq/0" 1000000000
expect_out "600 1234 5678 1000000000" stat -c '%a %u %g %Y' "$MNT/seq/0"
expect_errno ok chmod "$MNT/cnv/0" 444
expect_out "444" stat -c '%a' "$MNT/cnv/0"
# Other files keep the defaults.
expect_out "640 0 0" stat -c '%a %u %g' "$MNT/seq/1"
zc_umount "$MNT"
fs_mount
expect_out "640 0 0" stat -c '%a %u %g' "$MNT/seq/0"
expect_out "640" stat -c '%a' "$MNT/cnv/0"
t_pass

t_begin dir_write_bit_eperm
expect_errno EPERM chmod "$MNT/seq" 755
expect_errno EPERM chmod "$MNT/cnv" 775
expect_errno EPERM chmod "$MNT" 700
expect_errno ok chmod "$MNT/seq" 555
expect_errno ok chmod "$MNT/seq" 500
expect_out 500 stat -c %a "$MNT/seq"
expect_errno ok chmod "$MNT/seq" 555
t_pass

t_begin xattr_eopnotsupp
expect_errno EOPNOTSUPP setxattr "$MNT/seq/0" user.test value
expect_errno EOPNOTSUPP setxattr "$MNT" user.test value
expect_errno EOPNOTSUPP getxattr "$MNT/seq/0" user.test
expect_errno EOPNOTSUPP getxattr "$MNT/seq/0" trusted.test
expect_errno EOPNOTSUPP getxattr "$MNT" user.test
# The zone attributes still answer afterwards.
expect_out "ok empty" "$ZC_IO" getxattr "$MNT/seq/0" user.zone.cond
t_pass

t_begin xattr_zone_read_only
expect_out EPERM "$ZC_IO" setxattr "$MNT/seq/0" user.zone.wp 0
expect_out "ok $((2 * 4194304))" "$ZC_IO" getxattr "$MNT/seq/0" user.zone.wp
t_pass
