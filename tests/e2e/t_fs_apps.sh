#!/usr/bin/env bash
# The tools applications use on zonefs, through zcryptfs: fio's zone-filling
# verified append, dd with ZenFS's flags, cp/cat round trips.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

MiB=1048576
CAP=$((4 * MiB))

fs_setup --zone-size 4M --zones 8 --conv 2
# seq/N = zone N+2.

t_begin fio_libaio_append_fills_zone_verified
if ! command -v fio >/dev/null; then
	t_fail "fio is not installed (apt-get install fio)"
else
	out=$(cd "$D" && fio --name=t --filename="$MNT/seq/0" --ioengine=libaio --iodepth=16 \
		--direct=1 --rw=write --bs=64k --file_append=1 --verify=md5 --do_verify=1 \
		--size=$CAP --output-format=terse 2>&1) || t_fail "fio: $out"
	expect_out $CAP stat -c %s "$MNT/seq/0"
	expect_eq "zone 2 condition" "$(fs_zcond 2)" 14
	expect_errno EFBIG write "$MNT/seq/0" $CAP 65536 direct
fi
t_pass

t_begin fio_verify_after_remount
zc_umount "$MNT"
fs_mount
# The same job with verify_only reads every block back (O_DIRECT, so from
# the device through the daemon) and checks its md5 header.
out=$(cd "$D" && fio --name=t --filename="$MNT/seq/0" --ioengine=psync --direct=1 --rw=write \
	--bs=64k --verify=md5 --verify_only --size=$CAP 2>&1) || t_fail "fio verify_only: $out"
# It read the zone file through the mount, not a file fio made beside it.
zc_is_mounted "$MNT" || t_fail "$MNT is not mounted"
expect_out $CAP stat -c %s "$MNT/seq/0"
expect_eq "zone 2 condition" "$(fs_zcond 2)" 14
t_pass

t_begin dd_zenfs_direct_append
head -c $((640 * 1024)) /dev/urandom >"$D/a"
for _ in 1 2 3; do
	dd if="$D/a" of="$MNT/seq/1" bs=64k oflag=direct,append conv=notrunc status=none ||
		t_fail "dd oflag=direct,append"
done
cat "$D/a" "$D/a" "$D/a" >"$D/aaa"
t_check "three appends" cmp "$D/aaa" "$MNT/seq/1"
expect_out $((3 * 640 * 1024)) stat -c %s "$MNT/seq/1"
# Without append, dd at offset 0 is refused and changes nothing.
dd if="$D/a" of="$MNT/seq/1" bs=64k oflag=direct conv=notrunc status=none 2>/dev/null &&
	t_fail "dd overwrite of a sequential file succeeded"
t_check "unchanged" cmp "$D/aaa" "$MNT/seq/1"
t_pass

t_begin dd_fills_zone_then_nospace
head -c $CAP /dev/urandom >"$D/big"
dd if="$D/big" of="$MNT/seq/2" bs=1M oflag=direct status=none || t_fail "dd a whole zone"
t_check "whole zone" cmp "$D/big" "$MNT/seq/2"
dd if="$D/big" of="$MNT/seq/2" bs=1M count=1 oflag=direct,append conv=notrunc status=none 2>"$D/err" &&
	t_fail "dd past capacity succeeded"
grep -q "File too large" "$D/err" || t_fail "dd past capacity: $(cat "$D/err")"
t_pass

t_begin cp_and_cat_round_trip
head -c 300000 /dev/urandom >"$D/f"
cp "$D/f" "$MNT/seq/3" || t_fail "cp to seq/3"
t_check "cp round trip" cmp -n 300000 "$D/f" "$MNT/seq/3"
expect_out 303104 stat -c %s "$MNT/seq/3"
cat "$MNT/seq/3" >"$D/back"
expect_out 303104 stat -c %s "$D/back"
# cp onto a file with data truncates first (O_TRUNC resets the zone).
head -c 8192 /dev/urandom >"$D/g"
cp "$D/g" "$MNT/seq/3" || t_fail "cp over seq/3"
t_check "cp over" cmp "$D/g" "$MNT/seq/3"
t_pass

# The fio job shipped in contrib/fio, as a user would run it: two zones
# filled at once, then verified.
t_begin contrib_fio_job_fills_two_zones
fs_setup --zone-size 4M --zones 4 --conv 1
job=$(cd "$(dirname "$0")/../../contrib/fio" && pwd)/zcryptfs-zones.fio
out=$(cd "$D" && ZC_MNT=$MNT ZC_CAP=$CAP fio "$job" --output-format=terse 2>&1) || t_fail "fio contrib/fio/zcryptfs-zones.fio: $out"
zc_is_mounted "$MNT" || t_fail "$MNT is not mounted"
for n in 0 1; do
	expect_out $CAP stat -c %s "$MNT/seq/$n"
	expect_eq "zone $((n + 1)) condition" "$(fs_zcond $((n + 1)))" 14
done
zc_umount "$MNT"
t_pass
