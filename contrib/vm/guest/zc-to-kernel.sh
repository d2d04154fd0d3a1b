# zcryptfs -> kernel (SPEC §3, §4.1): what zcryptfs writes reads back
# identical through cryptsetup open --type plain + mount -t zonefs: same
# files, sizes, bytes, owner, mode, label and aggregated conventional zones,
# for every dm-crypt variant in ZC_CRYPTO_CONFIGS.
# vm-timeout: 240
. /zc/guest/lib/zc-suite.sh

to_kernel() {
	local t=$1 lbs=$2 opts=$3 Z
	xdevice "$t" "$lbs" || { fail "$t/device" "null_blk configfs refused it"; return; }
	Z=$(nullb_dev "$t")
	check "$t/mkzcryptfs" zc_mkfs "$Z" "keyfile=/tmp/key,$opts" -L "label-$t" -o aggr_cnv,uid=5,gid=6,perm=0604 || { nullb_del "$t"; return; }
	check "$t/zc-mount" zc_mount "$Z" $M "keyfile=/tmp/key,$opts" || { nullb_del "$t"; return; }
	check "$t/zc-append-direct" append $M/seq/0 /tmp/d1
	check "$t/zc-append-buffered" dd if=/tmp/d2 of=$M/seq/0 bs=4096 oflag=append conv=notrunc status=none
	check "$t/zc-append-unaligned" dd if=/tmp/b5000 of=$M/seq/1 bs=5000 oflag=append conv=notrunc status=none
	check "$t/zc-finish" truncate -s $XCAP $M/seq/2
	check_eq "$t/zc-cnv-aggregated" $((2 * XZONE)) "$(fsize $M/cnv/0)"
	check "$t/zc-cnv-write" dd if=/tmp/b5000 of=$M/cnv/0 bs=5000 seek=1001 oflag=seek_bytes conv=notrunc status=none
	# crosses from zone 1 into zone 2 inside the aggregated file
	check "$t/zc-cnv-write-across-zones" dd if=/tmp/d2 of=$M/cnv/0 bs=65536 seek=$((XZONE - 100)) \
		oflag=seek_bytes conv=notrunc status=none
	snapshot $M >/tmp/snap.zc
	check "$t/zc-umount" zc_umount $M

	check "$t/cryptsetup-open" dmcrypt_open "$Z" zk /tmp/key $(cs_args "$opts") || { nullb_del "$t"; return; }
	check_eq "$t/kernel-label" "label-$t" "$(sb_label /dev/mapper/zk)"
	if check "$t/kernel-mount" mount -t zonefs /dev/mapper/zk $M; then
		check_snapshot "$t/kernel-reads-same" /tmp/snap.zc $M
		check_eq "$t/kernel-owner-mode" "604 5:6" "$(stat -c '%a %u:%g' $M/seq/0)"
		check_eq "$t/kernel-cnv-aggregated" $((2 * XZONE)) "$(fsize $M/cnv/0)"
		umount $M
	fi
	check "$t/cryptsetup-close" dmcrypt_close zk
	nullb_del "$t"
}

for_each_config to_kernel
