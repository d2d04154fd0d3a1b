# cipher=null (SPEC §3, §4.1): mkzcryptfs -o cipher=null writes a plain
# zonefs that the kernel mounts directly on the raw device, and data passes
# both ways between zcryptfs -o cipher=null and the kernel's zonefs.
# vm-timeout: 180
. /zc/guest/lib/zc-suite.sh

# null_case TAG LBS CONV: seq/N is zone N+1 without conventional zones,
# zone CONV+N with them.
null_case() {
	local t=$1 lbs=$2 conv=$3 Z z1
	nullb_new "$t" blocksize="$lbs" size=128 zone_size=8 zone_nr_conv="$conv" ||
		{ fail "$t/device" "null_blk configfs refused it"; return; }
	Z=$(nullb_dev "$t")
	if [ "$conv" = 0 ]; then z1=2; else z1=$((conv + 1)); fi
	check "$t/mkzcryptfs" zc_mkfs "$Z" cipher=null -L "null-$t" -o uid=3,gid=4,perm=0640 || { nullb_del "$t"; return; }
	check_eq "$t/plain-label-on-device" "null-$t" "$(sb_label "$Z")"
	[ "$conv" = 0 ] && check_eq "$t/zone0-finished" "14(fu)" "$(zone_cond "$Z" 0)"

	if check "$t/kernel-mount" mount -t zonefs "$Z" $M; then
		check_eq "$t/kernel-owner-mode" "640 3:4" "$(stat -c '%a %u:%g' $M/seq/0)"
		check "$t/kernel-append" append $M/seq/0 /tmp/d1
		umount $M
	fi

	if check "$t/zc-mount" zc_mount "$Z" $M cipher=null; then
		check_same "$t/zc-reads-kernel-data" /tmp/d1 $M/seq/0
		check "$t/zc-append" append $M/seq/1 /tmp/d2
		check "$t/zc-append-unaligned" dd if=/tmp/b5000 of=$M/seq/2 bs=5000 oflag=append conv=notrunc status=none
		snapshot $M >/tmp/snap.zc
		check "$t/zc-umount" zc_umount $M
	fi

	dd if="$Z" of=/tmp/raw bs=65536 count=1 skip=$((z1 * 128)) status=none
	check_same "$t/plaintext-on-device" /tmp/d2 /tmp/raw
	if check "$t/kernel-remount" mount -t zonefs "$Z" $M; then
		check_snapshot "$t/kernel-reads-zc-data" /tmp/snap.zc $M
		umount $M
	fi
	nullb_del "$t"
}

null_case n4k-conv 4096 2
null_case n512 512 0
