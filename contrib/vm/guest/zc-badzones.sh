# Zones the device reports read-only or offline (SPEC §5.5: as zonefs says):
# a read-only zone's file loses its write bits and takes no write; an offline
# zone's file has size 0 and mode 000. The kernel's zonefs, mounted on the
# same device through dm-crypt, is the reference for the rest.
# vm-timeout: 180
. /zc/guest/lib/zc-suite.sh

# bad_case TAG LBS: seq/N is zone N+3 on the cross-check device
bad_case() {
	local t=$1 lbs=$2 Z mode
	xdevice "$t" "$lbs" || { fail "$t/device" "null_blk configfs refused it"; return; }
	Z=$(nullb_dev "$t")
	check "$t/mkzcryptfs" zc_mkfs "$Z" keyfile=/tmp/key
	check "$t/zc-mount" zc_mount "$Z" $M keyfile=/tmp/key || { nullb_del "$t"; return; }
	append $M/seq/2 /tmp/d2 && append $M/seq/3 /tmp/d2 && append $M/seq/4 /tmp/d2
	check "$t/zc-umount" zc_umount $M

	check "$t/set-readonly" nullb_zone_cond "$t" readonly 5
	check "$t/set-offline" nullb_zone_cond "$t" offline 6
	check_eq "$t/device-readonly" "13(ro)" "$(zone_cond "$Z" 5)"
	check_eq "$t/device-offline" "15(of)" "$(zone_cond "$Z" 6)"

	: >/tmp/snap.zc
	if check "$t/zc-mount-bad-zones" zc_mount "$Z" $M keyfile=/tmp/key; then
		mode=$(fmode $M/seq/2)
		check_eq "$t/readonly-no-write-bits" 0 "$((0$mode & 0222))"
		check_fails "$t/readonly-no-append" append $M/seq/2 /tmp/d2
		check_eq "$t/offline-size-mode" "0 0" "$(stat -c '%s %a' $M/seq/3)"
		check_same "$t/healthy-read-back" /tmp/d2 $M/seq/4
		check "$t/healthy-append" append $M/seq/4 /tmp/d2
		snapshot $M >/tmp/snap.zc
		check "$t/zc-umount-bad-zones" zc_umount $M
	fi

	if check "$t/cryptsetup-open" dmcrypt_open "$Z" zk /tmp/key; then
		if check "$t/kernel-mount" mount -t zonefs /dev/mapper/zk $M; then
			# "path size mode owner sha" of the read-only, offline and other files
			snapshot $M >/tmp/snap.k
			check_eq "$t/readonly-as-kernel" "$(grep '^\./seq/2 ' /tmp/snap.k)" "$(grep '^\./seq/2 ' /tmp/snap.zc)"
			check_eq "$t/offline-as-kernel" "$(grep '^\./seq/3 ' /tmp/snap.k)" "$(grep '^\./seq/3 ' /tmp/snap.zc)"
			check_eq "$t/others-as-kernel" "$(grep -v '^\./seq/[23] ' /tmp/snap.k)" "$(grep -v '^\./seq/[23] ' /tmp/snap.zc)"
			umount $M
		fi
		dmcrypt_close zk
	fi
	nullb_del "$t"
}

bad_case b4k 4096
bad_case b512 512
