#!/usr/bin/env bash
# kill -9 of the daemon during concurrent appends (SPEC §8): every append
# that was acknowledged is on the device, and every zone holds a prefix of
# what was written to it, decrypted independently (Nettle's reference XTS).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

ZS=$((64 * 1048576))
BS=65536

t_begin kill9_during_concurrent_appends_keeps_acknowledged_prefixes
fs_setup --zone-size 64M --zones 6 --conv 0
# seq/N is zone N+1 (zone 0 holds the superblock).
pid=$(zc_daemon_pid "$MNT")
# Three writers, one per zone: O_DIRECT appends of a pattern that depends
# only on the zone's seed and the offset; each acknowledged end is logged.
for z in 0 1 2; do
	(
		off=0
		while [ $off -lt $ZS ]; do
			r=$("$ZC_IO" write "$MNT/seq/$z" $off $BS direct seed=$((z + 40)) 2>&1) || break
			[ "$r" = "ok $BS" ] || break
			off=$((off + BS))
			echo $off >"$D/acked.$z"
		done
	) &
done
# Kill once every writer has had some appends acknowledged, long before
# any zone can fill.
for _ in $(seq 200); do
	n=0
	for z in 0 1 2; do [ "$(cat "$D/acked.$z" 2>/dev/null || echo 0)" -ge $((8 * BS)) ] && n=$((n + 1)); done
	[ $n = 3 ] && break
	sleep 0.05
done
kill -9 "$pid"
wait
umount -l "$MNT" 2>/dev/null || fusermount3 -u -z "$MNT" 2>/dev/null
for z in 0 1 2; do
	acked=$(cat "$D/acked.$z" 2>/dev/null || echo 0)
	zf=$(fs_zone_file $((z + 1)))
	size=$(stat -c %s "$zf")
	echo "seq/$z: $acked bytes acknowledged, $size on the device"
	[ "$acked" -gt 0 ] || t_fail "seq/$z: no append was acknowledged before the kill"
	[ "$size" -ge "$acked" ] || t_fail "seq/$z: zone holds $size bytes, $acked were acknowledged"
	[ "$size" -lt "$ZS" ] || t_fail "seq/$z: the zone filled before the kill; the test proves nothing"
	"$XTS_DECRYPT" "$KEY" $(((z + 1) * ZS)) 512 "$zf" >"$D/plain.$z" ||
		t_fail "seq/$z: cannot decrypt the zone file"
	"$ZC_IO" pattern 0 "$size" seed=$((z + 40)) >"$D/want.$z"
	cmp -s "$D/plain.$z" "$D/want.$z" || t_fail "seq/$z: the zone is not a prefix of what was written"
done
t_pass

t_begin remount_after_kill9_shows_the_prefixes
fs_mount
for z in 0 1 2; do
	size=$(stat -c %s "$(fs_zone_file $((z + 1)))")
	expect_out "$size" stat -c %s "$MNT/seq/$z"
	cmp -s "$MNT/seq/$z" "$D/want.$z" || t_fail "seq/$z reads back differently through the mount"
done
expect_errno ok write "$MNT/seq/0" "$(stat -c %s "$MNT/seq/0")" $BS direct seed=40
zc_umount "$MNT"
t_pass
