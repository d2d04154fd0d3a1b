# kernel -> zcryptfs (SPEC §3, §4.2): data appended through cryptsetup open
# --type plain + the kernel's zonefs (O_DIRECT), and data written straight
# into the dm-crypt mapping, read back identical through zcryptfs, for every
# dm-crypt variant in ZC_CRYPTO_CONFIGS. The superblock is written here by
# the shell (lib/zoned.sh), not by mkzcryptfs: an independent encoder.
# vm-timeout: 240
. /zc/guest/lib/zc-suite.sh

from_kernel() {
	local t=$1 lbs=$2 opts=$3 Z
	xdevice "$t" "$lbs" || { fail "$t/device" "null_blk configfs refused it"; return; }
	Z=$(nullb_dev "$t")
	check "$t/cryptsetup-open" dmcrypt_open "$Z" zk /tmp/key $(cs_args "$opts") || { nullb_del "$t"; return; }
	zonefs_sb /tmp/sb "k2z-$t" 14 9 10 0660
	check "$t/kernel-format" zonefs_format /dev/mapper/zk /tmp/sb
	if check "$t/kernel-mount" mount -t zonefs /dev/mapper/zk $M; then
		check "$t/kernel-append-direct" append $M/seq/0 /tmp/d1
		check "$t/kernel-append-direct-2" append $M/seq/0 /tmp/d2
		check "$t/kernel-append-4k" dd if=/tmp/d2 of=$M/seq/1 bs=4096 count=1 oflag=direct,append conv=notrunc status=none
		check "$t/kernel-finish" truncate -s $XCAP $M/seq/2
		check "$t/kernel-cnv-write" dd if=/tmp/b5000 of=$M/cnv/0 bs=5000 seek=1001 oflag=seek_bytes conv=notrunc,fsync status=none
		umount $M
	fi
	# straight into the mapping: seq/3 is zone 6, cnv/1 is zone 2
	check "$t/mapping-append" dd if=/tmp/d2 of=/dev/mapper/zk bs=65536 seek=$((6 * XZONE)) oflag=seek_bytes,direct status=none
	check "$t/mapping-cnv-write" dd if=/tmp/b5000 of=/dev/mapper/zk bs=5000 seek=$((2 * XZONE + 777)) oflag=seek_bytes conv=fsync status=none
	: >/tmp/snap.k
	if check "$t/kernel-remount" mount -t zonefs /dev/mapper/zk $M; then
		snapshot $M >/tmp/snap.k
		check_eq "$t/kernel-sees-mapping-append" 65536 "$(fsize $M/seq/3)"
		umount $M
	fi
	check "$t/cryptsetup-close" dmcrypt_close zk

	check_fails "$t/zc-wrong-key-refused" zc_mount "$Z" $M "keyfile=/tmp/key2,$opts"
	grep -q " $M " /proc/mounts && { fail "$t/zc-wrong-key-no-mount" "left mounted"; zc_umount $M; }
	check "$t/zc-mount" zc_mount "$Z" $M "keyfile=/tmp/key,$opts" || { nullb_del "$t"; return; }
	check_snapshot "$t/zc-reads-same" /tmp/snap.k $M
	check_eq "$t/zc-owner-mode" "660 9:10" "$(stat -c '%a %u:%g' $M/seq/0)"
	check_same "$t/zc-mapping-cnv-bytes" /tmp/b5000 <(dd if=$M/cnv/1 bs=5000 skip=777 iflag=skip_bytes count=1 status=none)
	check "$t/zc-append-after-kernel" append $M/seq/3 /tmp/d1
	cat /tmp/d2 /tmp/d1 >/tmp/d21
	check_same "$t/zc-read-after-append" /tmp/d21 $M/seq/3
	check "$t/zc-umount" zc_umount $M
	nullb_del "$t"
}

for_each_config from_kernel
