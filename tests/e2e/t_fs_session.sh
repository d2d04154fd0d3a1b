#!/usr/bin/env bash
# The FUSE session itself: requests to different zones are served by several
# threads at once (SPEC §7: a multi-threaded session, per-zone locks), and
# the readahead the daemon sets for its mount.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

fs_setup --zone-size 64M --zones 6 --conv 0

# libfuse keeps the workers it starts, and starts one only when a request
# arrives while every worker is busy. After four zones were written at once
# the daemon must have more than one worker left (a session that silently
# ran single-threaded, as with a mismatched loop config, keeps one).
t_begin concurrent_zones_get_several_workers
pid=$(zc_daemon_pid "$MNT")
if [ -z "$pid" ]; then
	t_fail "no daemon found for $MNT"
else
	for z in 0 1 2 3; do
		dd if=/dev/zero of="$MNT/seq/$z" bs=1M count=32 oflag=direct status=none &
	done
	wait
	for z in 0 1 2 3; do
		expect_out $((32 * 1048576)) stat -c %s "$MNT/seq/$z"
	done
	# main thread + SIGUSR1 thread + workers
	n=$(ls "/proc/$pid/task" | wc -l)
	[ "$n" -ge 4 ] || t_fail "daemon has $n threads after concurrent writes: one worker serves everything"
fi
t_pass

t_begin readahead_lifted_to_1MiB
dev=$(stat -c '%d' "$MNT")
ra=/sys/class/bdi/$((dev >> 8 & 0xfff)):$(((dev & 0xff) | (dev >> 12 & 0xfff00)))/read_ahead_kb
expect_out 1024 cat "$ra"
t_pass

t_begin sigusr1_logs_counters
zc_umount "$MNT"
"$ZCRYPTFS" "$DEV" "$MNT" -f -o "keyfile=$KEY" 2>"$D/fg.log" &
fg=$!
T_MOUNTS+=("$MNT")
for _ in $(seq 50); do zc_is_mounted "$MNT" && break; sleep 0.1; done
dd if=/dev/zero of="$MNT/seq/4" bs=64k count=1 oflag=direct status=none
kill -USR1 $fg
for _ in $(seq 50); do grep -q 'bytes_written' "$D/fg.log" && break; sleep 0.1; done
expect_out "zcryptfs: bytes_written 65536" grep 'bytes_written' "$D/fg.log"
expect_out "zcryptfs: nr_wro_seq_files 0" grep 'nr_wro_seq_files' "$D/fg.log"
umount "$MNT"
wait $fg || t_fail "the foreground daemon exited with $?"
t_pass
