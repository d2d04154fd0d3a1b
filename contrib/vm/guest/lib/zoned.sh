# Zoned block devices (null_blk), dm-crypt plain mappings and kernel zonefs
# superblocks, for the guest suites. Sizes given to null_blk are in MiB.

MiB=1048576

# nullb_module ARGS...: null_blk with module parameters; /dev/nullb0 appears.
nullb_module() {
	modprobe null_blk "$@" || return 1
	wait_dev /dev/nullb0
}

# nullb_new NAME ATTR=VALUE...: a device made through null_blk's configfs,
# for several geometries in one boot; `nullb_dev NAME` names it.
# Defaults: zoned, memory backed, 4096-byte blocks, 512 MiB, 32 MiB zones.
nullb_new() {
	local name=$1 d=/sys/kernel/config/nullb/$1 kv
	shift
	[ -d /sys/kernel/config/nullb ] || modprobe null_blk nr_devices=0 || return 1
	mkdir "$d" || return 1
	for kv in zoned=1 memory_backed=1 blocksize=4096 size=512 zone_size=32 "$@"; do
		echo "${kv#*=}" >"$d/${kv%%=*}" || { echo "nullb_new: cannot set $kv" >&2; return 1; }
	done
	echo 1 >"$d/power" || return 1
	wait_dev "$(nullb_dev "$name")"
}

# 6.12 names a configfs device after its directory; older kernels nullbN.
nullb_dev() {
	if [ -e "/sys/block/$1" ]; then echo "/dev/$1"; else echo "/dev/nullb$(cat "/sys/kernel/config/nullb/$1/index")"; fi
}

# nullb_zone_cond NAME readonly|offline ZONE: null_blk marks the zone.
nullb_zone_cond() {
	local d=/sys/kernel/config/nullb/$1 zsec
	zsec=$(($(cat "$d/zone_size") * MiB / 512))
	echo $(($3 * zsec)) >"$d/zone_$2"
}

nullb_del() {
	echo 0 >"/sys/kernel/config/nullb/$1/power" && rmdir "/sys/kernel/config/nullb/$1"
}

wait_dev() {
	local i=0
	while [ ! -b "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b "$1" ] || { echo "$1 did not appear" >&2; return 1; }
}

# qattr DEV ATTR: a sysfs queue attribute, found by device number because
# without udev /dev/mapper/NAME is a node, not a link to /dev/dm-N.
qattr() {
	cat "/sys/dev/block/$((0x$(stat -L -c %t "$1"))):$((0x$(stat -L -c %T "$1")))/queue/$2"
}

# zone geometry in bytes and counts
zone_bytes() { echo $(($(qattr "$1" chunk_sectors) * 512)); }
nr_zones() { qattr "$1" nr_zones; }

# dmcrypt_open DEV NAME KEYFILE [cryptsetup options...]: dm-crypt plain,
# AES-XTS 512-bit key, as SPEC §3 says zcryptfs is. No udev here.
dmcrypt_open() {
	local dev=$1 name=$2 key=$3
	shift 3
	DM_DISABLE_UDEV=1 cryptsetup open --type plain --cipher aes-xts-plain64 \
		--key-size 512 --key-file "$key" "$@" "$dev" "$name" &&
		wait_dev "/dev/mapper/$name"
}

dmcrypt_close() { DM_DISABLE_UDEV=1 cryptsetup close "$1"; }

# le32 N: N as four little-endian bytes
le32() {
	printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"
	printf "\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"
}

_poke() { dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# zonefs_sb OUT [LABEL [FEATURES [UID GID PERM]]]: the kernel's struct
# zonefs_super (4096 bytes); features 1 aggr_cnv, 2 uid, 4 gid, 8 perm.
# crc = crc32(~0) with the crc field zeroed, i.e. ~zlib crc32 (busybox crc32).
zonefs_sb() {
	local out=$1 label=${2:-} feat=${3:-0} uid=${4:-0} gid=${5:-0} perm=${6:-0} crc
	head -c 4096 /dev/zero >"$out"
	le32 0x5A4F4653 | _poke "$out" 0
	printf '%s' "$label" | head -c 64 | _poke "$out" 8
	head -c 16 /dev/urandom | _poke "$out" 72
	le32 "$feat" | _poke "$out" 88
	le32 "$uid" | _poke "$out" 96
	le32 "$gid" | _poke "$out" 100
	le32 "$perm" | _poke "$out" 104
	crc=$(crc32 "$out" | cut -d' ' -f1)
	le32 $((~0x$crc & 0xffffffff)) | _poke "$out" 4
}

# zone_type DEV ZONE: conventional | seq
zone_type() {
	local start
	start=$(($2 * $(qattr "$1" chunk_sectors)))
	case $(blkzone report -o "$start" -c 1 "$1") in
	*CONVENTIONAL*) echo conventional ;;
	*) echo seq ;;
	esac
}

# zonefs_format DEV SBFILE: writes the superblock at byte 0 of DEV (a raw
# zoned device or a dm-crypt mapping of one) and finishes zone 0 when it is
# sequential, as mkzonefs does.
zonefs_format() {
	blkzone reset "$1" || return 1
	dd if="$2" of="$1" bs=4096 count=1 oflag=direct status=none || return 1
	if [ "$(zone_type "$1" 0)" = seq ]; then
		blkzone finish -o 0 -c 1 "$1" || return 1
	fi
}

# cond_of DEV ZONE: the zone condition blkzone reports, e.g. "1(em)"
zone_cond() {
	local start
	start=$(($2 * $(qattr "$1" chunk_sectors)))
	blkzone report -o "$start" -c 1 "$1" | sed -n 's/.*zcond: *\([^ ]*\).*/\1/p'
}
