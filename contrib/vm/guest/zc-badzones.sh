# Zones the device reports read-only or offline (SPEC §5.5: as zonefs says):
# a read-only zone's file loses its write bits and takes no write; an offline
# zone's file has size 0 and mode 000, at mount and when it happens while
# mounted. The kernel's zonefs, mounted on the same device through dm-crypt,
# is the reference for the rest.
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

# The daemon remounts read-only once the failed writer has closed its file
# (the kernel refuses while a file is open for writing): allow it 3 s.
wait_mount_ro() {
	local i
	for i in $(seq 30); do
		grep -q " $1 fuse.zcryptfs ro[, ]" /proc/mounts && return 0
		sleep 0.1
	done
	grep " $1 " /proc/mounts >&2
	return 1
}

# runtime_case TAG LBS: zones that go bad while mounted. The next write
# error shows it: with errors=repair a read-only zone's file keeps its size
# and data but loses its write bits, an offline zone's file becomes size 0,
# mode 000, unreadable. With the default errors=remount-ro the whole mount
# turns read-only, in /proc/mounts too.
runtime_case() {
	local t=$1 lbs=$2 Z
	xdevice "$t" "$lbs" || { fail "$t/device" "null_blk configfs refused it"; return; }
	Z=$(nullb_dev "$t")
	check "$t/mkzcryptfs" zc_mkfs "$Z" keyfile=/tmp/key
	if check "$t/zc-mount" zc_mount "$Z" $M keyfile=/tmp/key,errors=repair; then
		append $M/seq/2 /tmp/d2 && append $M/seq/3 /tmp/d2 && append $M/seq/4 /tmp/d2
		check "$t/set-readonly" nullb_zone_cond "$t" readonly 5
		check "$t/set-offline" nullb_zone_cond "$t" offline 6
		check_fails "$t/readonly-append-fails" append $M/seq/2 /tmp/d2
		check_eq "$t/readonly-size-mode" "65536 440" "$(stat -c '%s %a' $M/seq/2)"
		check_same "$t/readonly-read-back" /tmp/d2 $M/seq/2
		check_fails "$t/offline-append-fails" append $M/seq/3 /tmp/d2
		check_eq "$t/offline-size-mode" "0 0" "$(stat -c '%s %a' $M/seq/3)"
		check_fails "$t/offline-unreadable" cat $M/seq/3
		check "$t/healthy-append" append $M/seq/4 /tmp/d2
		check_eq "$t/healthy-size" 131072 "$(fsize $M/seq/4)"
		check "$t/zc-umount" zc_umount $M
	fi
	if check "$t/zc-mount-remount-ro" zc_mount "$Z" $M keyfile=/tmp/key; then
		check "$t/set-offline-2" nullb_zone_cond "$t" offline 8
		check_fails "$t/offline-append-fails-2" append $M/seq/5 /tmp/d2
		check "$t/mount-now-ro" wait_mount_ro $M
		check_fails "$t/healthy-append-refused" append $M/seq/4 /tmp/d2
		check_eq "$t/healthy-size-kept" 131072 "$(fsize $M/seq/4)"
		check "$t/zc-umount-2" zc_umount $M
	fi
	nullb_del "$t"
}

bad_case b4k 4096
bad_case b512 512
runtime_case r4k 4096
runtime_case r512 512
