# zcryptfs on real zoned block devices through libzbd (SPEC §1, §2, §5):
# null_blk devices of several geometries, formatted by mkzcryptfs and mounted
# by zcryptfs: appends, reset, finish, EFBIG, explicit-open, remount.
# vm-timeout: 240
. /zc/guest/lib/zc-suite.sh

# seqzone CONV N: the zone index of seq/N (formatted mode: zone 0 is the
# superblock, conventional or not)
seqzone() { if [ "$1" = 0 ]; then echo $(($2 + 1)); else echo $(($1 + $2)); fi; }

# geometry TAG LBS CONV ZONE_MB CAP_MB MAX_OPEN (16 zones)
geometry() {
	local t=$1 lbs=$2 conv=$3 zmb=$4 cap=$(($5 * MiB)) maxo=$6 Z i n fds
	local attrs="blocksize=$lbs size=$((16 * zmb)) zone_size=$zmb zone_capacity=$5 zone_nr_conv=$conv"
	[ "$maxo" = 0 ] || attrs="$attrs zone_max_open=$maxo"
	if ! nullb_new "$t" $attrs; then fail "$t/device" "null_blk configfs refused $attrs"; return; fi
	Z=$(nullb_dev "$t")

	check "$t/mkzcryptfs" zc_mkfs "$Z" keyfile=/tmp/key
	check "$t/mount" zc_mount "$Z" $M keyfile=/tmp/key || { nullb_del "$t"; return; }
	n=$((16 - conv))
	[ "$conv" = 0 ] && n=15
	check_eq "$t/seq-files" "$n" "$(ls $M/seq | wc -l)"
	if [ "$conv" -gt 1 ]; then
		check_eq "$t/cnv-files" $((conv - 1)) "$(ls $M/cnv | wc -l)"
	else
		check_eq "$t/no-cnv-dir" no "$([ -e $M/cnv ] && echo yes || echo no)"
	fi
	check_eq "$t/st_blocks" $((cap / 512)) "$(stat -c %b $M/seq/0)"
	check_eq "$t/st_blksize" "$lbs" "$(stat -c %o $M/seq/0)"

	# O_DIRECT appends and reading them back
	check "$t/append-direct" append $M/seq/0 /tmp/d1
	check "$t/append-direct-2" append $M/seq/0 /tmp/d2
	check_eq "$t/size-after-appends" $((MiB + 65536)) "$(fsize $M/seq/0)"
	cat /tmp/d1 /tmp/d2 >/tmp/d12
	check_same "$t/read-back" /tmp/d12 $M/seq/0
	check_eq "$t/zone-open" "2(oi)" "$(zone_cond "$Z" "$(seqzone "$conv" 0)")"
	check_err "$t/write-not-at-end" "Invalid argument" \
		dd if=/tmp/d2 of=$M/seq/0 bs=4096 count=1 oflag=direct conv=notrunc status=none
	check_eq "$t/size-unchanged" $((MiB + 65536)) "$(fsize $M/seq/0)"

	# buffered, unaligned append: padded to st_blksize at close (SPEC §5.3)
	check "$t/append-buffered" dd if=/tmp/b5000 of=$M/seq/1 bs=1000 oflag=append conv=notrunc status=none
	check_eq "$t/size-padded" $(((5000 + lbs - 1) / lbs * lbs)) "$(fsize $M/seq/1)"
	head -c 5000 $M/seq/1 >/tmp/got
	check_same "$t/buffered-read-back" /tmp/b5000 /tmp/got

	# reset and finish through truncate (SPEC §5.4), EFBIG past capacity
	check "$t/reset" truncate -s 0 $M/seq/0
	check_eq "$t/reset-size" 0 "$(fsize $M/seq/0)"
	check_eq "$t/reset-zone-empty" "1(em)" "$(zone_cond "$Z" "$(seqzone "$conv" 0)")"
	check "$t/finish" truncate -s $cap $M/seq/2
	check_eq "$t/finish-size" $cap "$(fsize $M/seq/2)"
	check_eq "$t/finish-zone-full" "14(fu)" "$(zone_cond "$Z" "$(seqzone "$conv" 2)")"
	check_err "$t/efbig" "File too large" append $M/seq/2 /tmp/d2
	head -c $((cap - 4096)) /dev/zero >/tmp/fill
	append $M/seq/3 /tmp/fill
	check_err "$t/write-crossing-capacity" "File too large" \
		dd if=/tmp/d2 of=$M/seq/3 bs=8192 count=1 oflag=direct,append conv=notrunc status=none
	check_eq "$t/cut-at-capacity" $cap "$(fsize $M/seq/3)"
	check_err "$t/truncate-other-eperm" "Operation not permitted" truncate -s 4096 $M/seq/1

	# conventional zone: read-modify-write at any offset
	if [ "$conv" -gt 1 ]; then
		check "$t/cnv-write" dd if=/tmp/b5000 of=$M/cnv/0 bs=5000 seek=1001 oflag=seek_bytes conv=notrunc status=none
		dd if=$M/cnv/0 of=/tmp/got bs=5000 skip=1001 iflag=skip_bytes count=1 status=none
		check_same "$t/cnv-read-back" /tmp/b5000 /tmp/got
	fi

	# the device holds ciphertext: seq/4 is zone $(seqzone conv 4)
	append $M/seq/4 /tmp/d2
	i=$(seqzone "$conv" 4)
	dd if="$Z" of=/tmp/raw bs=65536 count=1 skip=$((i * zmb * 16)) status=none
	if cmp -s /tmp/raw /tmp/d2; then fail "$t/ciphertext" "plaintext on the device"; else pass "$t/ciphertext"; fi

	tree $M >/tmp/tree1
	check "$t/umount" zc_umount $M

	# explicit-open: one more write-open than the device allows is EBUSY
	if [ "$maxo" != 0 ]; then
		if check "$t/mount-explicit-open" zc_mount "$Z" $M keyfile=/tmp/key,explicit-open; then
			# SPEC §5.5: the mount closed the zones left open (seq/1, seq/4)
			check_eq "$t/mount-closes-open-zones" 0 "$(blkzone report $Z | grep -c -e '3(oe)' -e '2(oi)')"
			check_eq "$t/mount-closed-zone" "4(cl)" "$(zone_cond "$Z" "$(seqzone "$conv" 4)")"
			fds=""
			for i in $(seq 0 $((maxo - 1))); do fds="$fds $((i + 3))>>$M/seq/$((5 + i))"; done
			check_eq "$t/explicit-open-zones" "$maxo" "$(bash -c "exec $fds; blkzone report $Z | grep -c '3(oe)'" 2>&1)"
			check_err "$t/explicit-open-ebusy" "Device or resource busy" \
				bash -c "exec $fds; exec 9>>$M/seq/$((5 + maxo))"
			check_eq "$t/explicit-close-resets" "1(em)" "$(zone_cond "$Z" "$(seqzone "$conv" 5)")"
			check "$t/explicit-open-after-close" bash -c "exec $fds"
			zc_umount $M
		fi
	fi

	# remount: same files, sizes and bytes
	if check "$t/remount" zc_mount "$Z" $M keyfile=/tmp/key; then
		tree $M >/tmp/tree2
		check_same "$t/remount-tree" /tmp/tree1 /tmp/tree2
		check_same "$t/remount-read-back" /tmp/d2 $M/seq/4
		zc_umount $M
	fi
	nullb_del "$t"
}

# /dev/nullb0 from module parameters, before configfs takes null_blk over
must nullb-module nullb_module nr_devices=1 zoned=1 zone_size=64 zone_nr_conv=2 gb=1 bs=4096 memory_backed=1
check nullb0-mkzcryptfs zc_mkfs /dev/nullb0 keyfile=/tmp/key
if check nullb0-mount zc_mount /dev/nullb0 $M keyfile=/tmp/key; then
	check nullb0-append append $M/seq/0 /tmp/d1
	check_same nullb0-read-back /tmp/d1 $M/seq/0
	check nullb0-umount zc_umount $M
fi

geometry g4k-conv 4096 2 8 8 0
geometry g512 512 0 8 8 0
geometry g4k-cap-maxopen 4096 0 8 4 3
geometry g512-conv-cap-maxopen 512 3 8 6 2

