# zcryptfs in the guest: the build's programs are in /zc/bin (first in PATH).

# zc_need: the suite stops with one failed case when the programs are absent.
zc_need() {
	local p
	for p in zcryptfs mkzcryptfs zcryptfs-zones; do
		[ -x "/zc/bin/$p" ] || { fail programs "/zc/bin/$p missing: build it (make) before the zcryptfs suites"; exit 1; }
	done
}

# zc_mount DEV MNT OPTS: the daemon returns once the mount is up (SPEC §1).
zc_mount() {
	mkdir -p "$2"
	timeout 60 zcryptfs "$1" "$2" -o "$3" || return 1
	grep -q " $2 fuse" /proc/mounts || { echo "zcryptfs returned 0 but $2 is not mounted" >&2; return 1; }
}

# zc_umount MNT: unmounts and waits for the daemon to be gone, so that
# nothing writes to the device after this returns.
zc_umount() {
	local i=0
	umount "$1" || return 1
	while pidof zcryptfs >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	! pidof zcryptfs >/dev/null || { echo "zcryptfs still running 10 s after umount $1" >&2; return 1; }
}

# zc_mkfs DEV OPTS [mkzcryptfs args...]
zc_mkfs() {
	local dev=$1 opts=$2
	shift 2
	timeout 120 mkzcryptfs -f "$@" -o "$opts" "$dev"
}

# tree MNT: "path size mode uid:gid" for every zone file, sorted.
tree() {
	(cd "$1" && find . -type f | sort | while read -r f; do
		echo "$f $(stat -c '%s %a %u:%g' "$f")"
	done)
}

# fsum FILE: a short sha256 of FILE's bytes, or why it cannot be read
fsum() {
	local err
	# Braces: a failed open (zcryptfs refuses it; see docs/differences.md)
	# reports like a failed read (the kernel's zonefs).
	if err=$({ sha256sum <"$1"; } 2>&1); then echo "${err:0:16}"; else echo "unreadable(${err##*: })"; fi
}

# snapshot MNT: tree plus each file's sha256; what two mounts of the same
# device (zcryptfs, and the kernel's zonefs on dm-crypt) must agree on.
snapshot() {
	(cd "$1" && find . -type f | sort | while read -r f; do
		echo "$f $(stat -c '%s %a %u:%g' "$f") $(fsum "$f")"
	done)
}

# check_snapshot NAME WANT_FILE MNT
check_snapshot() {
	snapshot "$3" >/tmp/snap.got
	if [ ! -s "$2" ]; then
		fail "$1" "empty reference snapshot"
	elif cmp -s "$2" /tmp/snap.got; then
		pass "$1"
	else
		fail "$1" "$(diff "$2" /tmp/snap.got | grep '^[-+][^-+]' | head -n 6)"
	fi
}

# cs_args OPTS: the cryptsetup options for zcryptfs crypto options (SPEC §2)
cs_args() {
	local o
	for o in ${1//,/ }; do
		case $o in
		sector_size=*) echo "--sector-size ${o#*=}" ;;
		iv_large_sectors) echo --iv-large-sectors ;;
		skip=*) echo "--skip ${o#*=}" ;;
		key_size=*) echo "--key-size ${o#*=}" ;;
		keyfile_offset=*) echo "--keyfile-offset ${o#*=}" ;;
		esac
	done
}

# sb_label DEV: the label of the plaintext zonefs superblock at byte 0
sb_label() { dd if="$1" bs=4096 count=1 status=none | dd bs=1 skip=8 count=64 status=none | tr -d '\0'; }

# append FILE DATA [dd flags...]: O_DIRECT append of DATA's bytes to FILE
append() {
	local f=$1 d=$2
	shift 2
	dd if="$d" of="$f" bs=64k oflag=direct,append conv=notrunc status=none "$@"
}

# The dm-crypt plain variants that the cross-checks run, one per line:
# TAG:LOGICAL_BLOCK_SIZE:CRYPTO_OPTIONS (SPEC §2; cs_args maps them).
ZC_CRYPTO_CONFIGS="c512:512:sector_size=512
c512-skip-k256:512:sector_size=512,skip=7,key_size=256,keyfile_offset=16
c4k:4096:sector_size=4096
c4k-on-512:512:sector_size=4096
c4k-ivl:4096:sector_size=4096,iv_large_sectors
c4k-ivl-skip:4096:sector_size=4096,iv_large_sectors,skip=64"

# for_each_config FUNC: FUNC TAG LBS OPTS for every line above
for_each_config() {
	local line
	for line in $ZC_CRYPTO_CONFIGS; do
		IFS=: read -r t l o <<<"$line"
		"$1" "$t" "$l" "$o"
	done
}

# The cross-check device: 16 zones of 8 MiB, capacity 6 MiB, 3 conventional
# (zone 0 holds the superblock, so cnv/0 is zone 1, or zones 1-2 with
# aggr_cnv, and seq/N is zone N+3).
XZONE=$((8 * MiB))
XCAP=$((6 * MiB))
xdevice() { nullb_new "$1" blocksize="$2" size=128 zone_size=8 zone_capacity=6 zone_nr_conv=3; }
