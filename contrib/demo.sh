#!/usr/bin/env bash
# make demo: a guided tour of zcryptfs on an emulated zoned device.
# Every step prints the command it runs, so you can repeat it by hand.
set -euo pipefail
B=${ZC_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
export PATH="$B:$PATH"
D=$(mktemp -d /tmp/zcryptfs-demo-XXXXXX)
MNT=$D/mnt

cleanup() {
	if grep -q " $MNT fuse" /proc/mounts; then umount "$MNT" || umount -l "$MNT"; fi
	rm -rf "$D"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

step "1. An emulated zoned device: 16 zones of 64 MiB, 4 conventional (sparse zone files in the kernel's zloop layout)"
run zcryptfs-zones create "$D/dev" --zone-size 64M --zones 16 --conv 4
run ls "$D/dev"
run cat "$D/dev/zloop.conf"

step "2. A random 512-byte key file that only root can read (cryptsetup plain uses the first 64 bytes)"
printf '$ head -c 512 /dev/urandom > %s && chmod 600 %s\n' "$D/key" "$D/key"
head -c 512 /dev/urandom >"$D/key"
chmod 600 "$D/key"

step "3. Format: reset the sequential zones and write the zonefs superblock, encrypted, into zone 0"
run mkzcryptfs -L demo -o keyfile="$D/key" "$D/dev"

step "4. Mount: every zone but zone 0 becomes a file, as with the kernel's zonefs"
mkdir -p "$MNT"
run zcryptfs "$D/dev" "$MNT" -o keyfile="$D/key"
run ls -l "$MNT" "$MNT/cnv" "$MNT/seq"

step "5. Append 8 MiB to the sequential zone file seq/0 with dd, then read it back and compare"
run dd if=/dev/urandom of="$D/data" bs=1M count=8 status=none
run dd if="$D/data" of="$MNT/seq/0" bs=1M oflag=direct status=none
run stat -c '%n: size %s (the write pointer), blocks %b (the zone capacity / 512), io block %o' "$MNT/seq/0"
run cmp "$D/data" "$MNT/seq/0"
echo "identical."

step "6. On the backing store the same zone holds ciphertext"
run stat -c '%n: %s bytes' "$D/dev/seq-000004"
printf '$ od -An -tx1 -N16 %s   # what you wrote\n' "$D/data"
od -An -tx1 -N16 "$D/data"
printf '$ od -An -tx1 -N16 %s   # what the disk holds\n' "$D/dev/seq-000004"
od -An -tx1 -N16 "$D/dev/seq-000004"
if cmp -s -n 1048576 "$D/data" "$D/dev/seq-000004"; then
	echo "demo: the zone file holds plaintext!" >&2
	exit 1
fi

step "7. Sequential files are append-only: writing anywhere but the end is refused"
printf '$ dd if=/dev/zero of=%s bs=4k count=1 seek=1 conv=notrunc\n' "$MNT/seq/0"
if dd if=/dev/zero of="$MNT/seq/0" bs=4k count=1 seek=1 conv=notrunc status=none 2>&1; then
	echo "demo: an overwrite was accepted!" >&2
	exit 1
fi

step "8. The zones as the device reports them (blkzone-style, 512-byte sectors)"
run zcryptfs-zones report "$D/dev" 4 2

step "9. truncate -s 0 resets the zone: the file and the zone are empty again"
run truncate -s 0 "$MNT/seq/0"
run stat -c '%n: size %s' "$MNT/seq/0" "$D/dev/seq-000004"

step "10. Unmount"
run umount "$MNT"
echo
echo "Done. The same device opens in the kernel with:"
echo "  cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 512 --key-file KEY DEV name"
echo "  mount -t zonefs /dev/mapper/name /mnt"
