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

# tree MNT: "path size mode uid:gid" for every zone file, sorted; what two
# mounts of the same device must agree on.
tree() {
	(cd "$1" && find . -type f | sort | while read -r f; do
		echo "$f $(stat -c '%s %a %u:%g' "$f")"
	done)
}

# same_tree NAME MNT1 MNT2: same files, sizes, modes, owners and bytes.
same_tree() {
	local name=$1 a=$2 b=$3 ta tb f
	ta=$(tree "$a") tb=$(tree "$b")
	if [ "$ta" != "$tb" ]; then
		fail "$name" "listings differ: $(diff <(echo "$ta") <(echo "$tb") | grep '^[-+][^-+]' | head -n 6)"
		return
	fi
	[ -n "$ta" ] || { fail "$name" "no files in $a"; return; }
	for f in $(echo "$ta" | cut -d' ' -f1); do
		cmp -s "$a/$f" "$b/$f" || { fail "$name" "$f: bytes differ"; return; }
	done
	pass "$name"
}

# sb_label DEV: the label of the plaintext zonefs superblock at byte 0
sb_label() { dd if="$1" bs=4096 count=1 status=none | dd bs=1 skip=8 count=64 status=none | tr -d '\0'; }

# append FILE DATA [dd flags...]: O_DIRECT append of DATA's bytes to FILE
append() {
	local f=$1 d=$2
	shift 2
	dd if="$d" of="$f" bs=64k oflag=direct,append conv=notrunc status=none "$@"
}
