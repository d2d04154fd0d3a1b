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
	# Idle workers sit in read(2) on /dev/fuse; the daemon's other threads
	# (main, signals, crypto helpers) never do.
	fd=$(ls -l "/proc/$pid/fd" | awk '$NF == "/dev/fuse" { print $(NF-2); exit }')
	n=0
	for t in /proc/"$pid"/task/*; do
		read -r nr arg _ <"$t/syscall" || continue
		[ "$nr" = 0 ] && [ "$((arg))" = "$fd" ] && n=$((n + 1))
	done
	[ -n "$fd" ] || t_fail "the daemon holds no /dev/fuse descriptor"
	[ "$n" -ge 2 ] || t_fail "$n thread(s) read /dev/fuse after concurrent writes: one worker serves everything"
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
for _ in $(seq 200); do zc_is_mounted "$MNT" && break; sleep 0.1; done
dd if=/dev/zero of="$MNT/seq/4" bs=64k count=1 oflag=direct status=none
# dd's close reaches the daemon in the background (RELEASE): wait for it.
for _ in $(seq 100); do
	[ "$("$ZC_IO" getxattr "$MNT" user.zcryptfs.nr_wro_seq_files)" = "ok 0" ] && break
	sleep 0.1
done
kill -USR1 $fg
for _ in $(seq 200); do grep -q 'bytes_written' "$D/fg.log" && break; sleep 0.1; done
expect_out "zcryptfs: bytes_written 65536" grep 'bytes_written' "$D/fg.log"
expect_out "zcryptfs: nr_wro_seq_files 0" grep 'nr_wro_seq_files' "$D/fg.log"
umount "$MNT"
wait $fg || t_fail "the foreground daemon exited with $?"
t_pass

# SIGTERM ends the session while a descriptor still holds an unaligned
# tail: the daemon writes it out (padded) as it stops and exits cleanly.
t_begin sigterm_with_a_pending_tail_writes_it_and_exits_0
"$ZCRYPTFS" "$DEV" "$MNT" -f -o "keyfile=$KEY" 2>"$D/term.log" &
fg=$!
T_MOUNTS+=("$MNT")
for _ in $(seq 200); do zc_is_mounted "$MNT" && break; sleep 0.1; done
truncate -s 0 "$MNT/seq/4"	# zone 5
# The subshell's stdout is the file: printf (a builtin) writes to it and
# sleep inherits it, so no descriptor of that open file is closed (any close,
# even of a dup, makes FUSE flush the tail).
(printf abc; exec sleep 30) >>"$MNT/seq/4" &
holder=$!
for _ in $(seq 200); do [ "$(stat -c %s "$MNT/seq/4")" = 3 ] && break; sleep 0.05; done
expect_out 3 stat -c %s "$MNT/seq/4"
kill -TERM $fg
wait $fg
rc=$?
kill $holder 2>/dev/null
wait $holder 2>/dev/null
[ $rc = 0 ] || t_fail "the daemon exited with $rc after SIGTERM: $(tail -n 5 "$D/term.log")"
umount "$MNT" 2>/dev/null
expect_out 4096 stat -c %s "$(fs_zone_file 5)"
t_pass

# errors=remount-ro: the kernel mount itself turns read-only once the last
# writer has closed (the kernel refuses it, EBUSY, while one is open).
t_begin remount_ro_reaches_the_kernel_mount_when_the_writer_closes
zc_mount "$DEV" "$MNT" -o "keyfile=$KEY"
"$ZONES" fault "$DEV" 4 fail-writes 1 >/dev/null
truncate -s 0 "$MNT/seq/3"
exec 4>>"$MNT/seq/3"
dd if=/dev/zero bs=4096 count=1 oflag=direct status=none >&4 2>/dev/null &&
	t_fail "the faulted write succeeded"
sleep 0.3
grep -q " $MNT fuse[^ ]* rw" /proc/mounts ||
	t_fail "remounted while a writer was open: $(grep " $MNT " /proc/mounts)"
exec 4>&-
for _ in $(seq 200); do grep -q " $MNT fuse[^ ]* ro" /proc/mounts && break; sleep 0.1; done
grep -q " $MNT fuse[^ ]* ro," /proc/mounts ||
	t_fail "the mount stayed: $(grep " $MNT " /proc/mounts)"
expect_errno EROFS write "$MNT/seq/1" 0 4096 direct
zc_umount "$MNT"
t_pass

# errors=remount-ro retries the read-only remount until the writer closes;
# if the mount goes away first, the filesystem underneath must be left alone.
t_begin remount_ro_retry_never_touches_the_filesystem_below
under=$D/under
mkdir -p "$under"
mount -t tmpfs zc-e2e-under "$under"
zc_mount "$DEV" "$under" -o "keyfile=$KEY"
"$ZONES" fault "$DEV" 3 fail-writes 1 >/dev/null
truncate -s 0 "$under/seq/2" 2>/dev/null
exec 4>>"$under/seq/2"
dd if=/dev/zero bs=4096 count=1 oflag=direct status=none >&4 2>/dev/null &&
	t_fail "the faulted write succeeded"
umount -l "$under"
sleep 0.5
exec 4>&-
sleep 0.5
grep -q "^zc-e2e-under $under tmpfs rw" /proc/mounts ||
	t_fail "the tmpfs below changed: $(grep " $under " /proc/mounts)"
umount "$under"
t_pass
