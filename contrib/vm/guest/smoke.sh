# Kernel-only smoke suite: proves the harness and the kernel facts the
# zcryptfs suites rely on (null_blk zoned devices, dm-crypt plain on a zoned
# device, zonefs on the mapping with O_DIRECT appends, read-only and offline
# zones in zonefs). Needs none of the project's programs.
# vm-timeout: 120
. /zc/guest/lib/common.sh
. /zc/guest/lib/zoned.sh

M=/mnt/z
mkdir -p $M

# --- null_blk with module parameters: 16 zones of 64 MiB, 2 conventional
must nullb-module nullb_module nr_devices=1 zoned=1 zone_size=64 zone_nr_conv=2 gb=1 bs=4096 memory_backed=1
D=/dev/nullb0
check_eq nullb-host-managed host-managed "$(qattr $D zoned)"
check_eq nullb-nr-zones 16 "$(nr_zones $D)"
rep=$(blkzone report $D)
check_eq blkzone-report-conv 2 "$(echo "$rep" | grep -c 'CONVENTIONAL')"
check_eq blkzone-report-seq 14 "$(echo "$rep" | grep -c 'SEQ_WRITE_REQUIRED')"

# --- dm-crypt plain on the zoned device
head -c 64 /dev/urandom >/tmp/key
must dmcrypt-open dmcrypt_open $D zs /tmp/key
check_eq dmcrypt-zoned host-managed "$(qattr /dev/mapper/zs zoned)"
check_eq dmcrypt-nr-zones 16 "$(nr_zones /dev/mapper/zs)"

# --- kernel zonefs on the mapping, superblock written through it
zonefs_sb /tmp/sb smoke 14 7 8 0640
must zonefs-format-encrypted zonefs_format /dev/mapper/zs /tmp/sb
must zonefs-mount-encrypted mount -t zonefs /dev/mapper/zs $M
check_eq zonefs-seq-files 14 "$(ls $M/seq | wc -l)"
check_eq zonefs-cnv-files 1 "$(ls $M/cnv | wc -l)"
check_eq zonefs-sb-perm 640 "$(fmode $M/seq/0)"
check_eq zonefs-sb-owner 7:8 "$(fowner $M/seq/3)"
check_eq zonefs-seq-blocks $((64 * MiB / 512)) "$(stat -c %b $M/seq/0)"

randfile /tmp/d1 $MiB
randfile /tmp/d2 $((512 * 1024))
check zonefs-append-direct dd if=/tmp/d1 of=$M/seq/0 bs=64k oflag=direct conv=notrunc status=none
check_eq zonefs-size-after-append $MiB "$(fsize $M/seq/0)"
check zonefs-append-oappend dd if=/tmp/d2 of=$M/seq/0 bs=4096 oflag=direct,append conv=notrunc status=none
cat /tmp/d1 /tmp/d2 >/tmp/d12
check_same zonefs-read-back /tmp/d12 $M/seq/0
# 6.12's zonefs answers EIO here (the device refuses it), not EINVAL.
check_fails zonefs-write-not-at-wp \
	dd if=/tmp/d2 of=$M/seq/0 bs=4096 count=1 oflag=direct conv=notrunc status=none
check_eq zonefs-size-after-bad-write $((MiB + 512 * 1024)) "$(fsize $M/seq/0)"
check_err zonefs-truncate-other-eperm "Operation not permitted" truncate -s 4096 $M/seq/0
check zonefs-cnv-write dd if=/tmp/d2 of=$M/cnv/0 bs=4096 seek=3 conv=notrunc status=none
check umount-encrypted umount $M

# Ciphertext on the device, plaintext through the mapping; seq/0 is zone 2.
dd if=$D of=/tmp/raw bs=$MiB skip=128 count=1 status=none
if cmp -s /tmp/raw /tmp/d1; then fail dmcrypt-ciphertext "plaintext found on the raw device"; else pass dmcrypt-ciphertext; fi
dd if=/dev/mapper/zs of=/tmp/plain bs=$MiB skip=128 count=1 status=none
check_same dmcrypt-plaintext /tmp/d1 /tmp/plain

check remount-encrypted mount -t zonefs /dev/mapper/zs $M
check_same remount-read-back /tmp/d12 $M/seq/0
dd if=$M/cnv/0 of=/tmp/c bs=4096 skip=3 count=128 status=none
check_same remount-cnv-read-back /tmp/d2 /tmp/c
umount $M
check dmcrypt-close dmcrypt_close zs

# --- configfs device: no conventional zones, 512-byte blocks, capacity < size
must nullb-configfs nullb_new z1 blocksize=512 size=256 zone_size=16 zone_capacity=8 zone_nr_conv=0 zone_max_open=4
Z=$(nullb_dev z1)
check_eq configfs-nr-zones 16 "$(nr_zones $Z)"
check_eq configfs-max-open 4 "$(qattr $Z max_open_zones)"
check_eq configfs-lbs 512 "$(qattr $Z logical_block_size)"
zonefs_sb /tmp/sb1 plain
must zonefs-format-seq-zone0 zonefs_format $Z /tmp/sb1
check_eq zone0-finished "14(fu)" "$(zone_cond $Z 0)"
must zonefs-mount-plain mount -t zonefs $Z $M
check_eq zonefs-plain-seq-files 15 "$(ls $M/seq | wc -l)"
check_eq zonefs-capacity-blocks $((8 * MiB / 512)) "$(stat -c %b $M/seq/0)"
check zonefs-append-512 dd if=/tmp/d2 of=$M/seq/1 bs=512 count=3 oflag=direct conv=notrunc status=none
check_eq zonefs-size-512 1536 "$(fsize $M/seq/1)"
head -c $((8 * MiB - 1536)) /dev/zero >/tmp/fill
check zonefs-fill-to-capacity dd if=/tmp/fill of=$M/seq/1 bs=$((8 * MiB - 1536)) oflag=direct,append conv=notrunc status=none
check_err zonefs-efbig "File too large" dd if=/tmp/d2 of=$M/seq/1 bs=4096 count=1 oflag=direct,append conv=notrunc status=none
check zonefs-reset truncate -s 0 $M/seq/1
check_eq zonefs-reset-size 0 "$(fsize $M/seq/1)"
check zonefs-finish truncate -s $((8 * MiB)) $M/seq/2
check_eq zonefs-finish-size $((8 * MiB)) "$(fsize $M/seq/2)"
umount $M

# --- zones the device reports read-only or offline. At mount 6.12's zonefs
# clears all permission bits of both (ZONEFS_ZONE_INIT_MODE; a zone that goes
# read-only later loses only its write bits) and, the write pointer of such
# zones being invalid, shows them empty. seq/N is zone N+1 here.
check zone-readonly-set nullb_zone_cond z1 readonly 4
check zone-offline-set nullb_zone_cond z1 offline 5
must zonefs-mount-bad-zones mount -t zonefs $Z $M
check_eq zonefs-readonly-mode 0 "$(fmode $M/seq/3)"
check_eq zonefs-readonly-size 0 "$(fsize $M/seq/3)"
check_fails zonefs-readonly-no-write \
	dd if=/tmp/d2 of=$M/seq/3 bs=4096 count=1 oflag=direct,append conv=notrunc status=none
check_eq zonefs-offline-mode 0 "$(fmode $M/seq/4)"
check_eq zonefs-offline-size 0 "$(fsize $M/seq/4)"
check_eq zonefs-healthy-mode 640 "$(fmode $M/seq/5)"
umount $M
