#!/usr/bin/env bash
# SPEC §8: the programs clean under valgrind. The three programs run a short
# session under memcheck: the tool, the formatter, and the daemon serving
# appends, reads, a tail, a reset and statfs until it is unmounted. Any
# memcheck error or definite leak fails. ("Possibly lost" is left out: glibc
# keeps the thread-local blocks of joined threads in its stack cache.)
set -u
: "${ZC_BUILD:?ZC_BUILD must name the build folder (run through make valgrind)}"
B=$ZC_BUILD
W=$(mktemp -d /tmp/zc-valgrind-XXXXXX)
MNT=$W/mnt
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --child-silent-after-fork=yes)
fail=0
cleanup() {
	grep -q " $MNT fuse" /proc/mounts && umount -l "$MNT"
	rm -rf "$W"
}
trap cleanup EXIT

run() {	# NAME cmd...: the command under memcheck must exit 0
	local name=$1
	shift
	if "${VG[@]}" --log-file="$W/$name.log" "$@" >/dev/null 2>"$W/$name.err"; then
		echo "ok   valgrind/$name"
	else
		echo "FAIL valgrind/$name"; cat "$W/$name.log" "$W/$name.err"; fail=1
	fi
}

head -c 64 /dev/urandom >"$W/key"
chmod 600 "$W/key"
run zones-create "$B/zcryptfs-zones" create "$W/dev" --zone-size 1M --zones 6 --conv 2
run zones-report "$B/zcryptfs-zones" report "$W/dev"
run mkzcryptfs "$B/mkzcryptfs" -o keyfile="$W/key" "$W/dev"

mkdir -p "$MNT"
"${VG[@]}" --log-file="$W/daemon.log" "$B/zcryptfs" "$W/dev" "$MNT" -f -o keyfile="$W/key" \
	2>"$W/daemon.err" &
daemon=$!
for _ in $(seq 300); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.1; done
if ! grep -q " $MNT fuse" /proc/mounts; then
	echo "FAIL valgrind/daemon: not mounted after 30 s"; cat "$W/daemon.log" "$W/daemon.err"; fail=1
else
	ok=1
	dd if=/dev/urandom of="$W/data" bs=64k count=4 status=none
	timeout 60 dd if="$W/data" of="$MNT/seq/0" bs=64k oflag=direct status=none || ok=0
	timeout 60 cmp -s "$W/data" "$MNT/seq/0" || ok=0
	printf abc >>"$MNT/seq/1" || ok=0
	timeout 60 truncate -s 0 "$MNT/seq/0" || ok=0
	stat -f "$MNT" >/dev/null || ok=0
	umount "$MNT" || ok=0
	wait $daemon
	rc=$?
	if [ $ok = 1 ] && [ $rc = 0 ]; then
		echo "ok   valgrind/daemon"
	else
		echo "FAIL valgrind/daemon: session ok=$ok, daemon exit $rc"
		cat "$W/daemon.log" "$W/daemon.err"; fail=1
	fi
fi
[ $fail = 0 ] && echo "valgrind: clean" || echo "valgrind: errors above"
exit $fail
