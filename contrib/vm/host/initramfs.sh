# The guest's initramfs: a cached base (busybox, kernel modules, host tools)
# plus a small archive made per run (init, guest scripts, the build's programs).
# The kernel unpacks concatenated newc archives in order, later files winning.
# Sourced by run.sh.

# Loaded by /init at boot. null_blk is left to the suites: its module
# parameters decide the devices it creates.
VM_BOOT_MODULES="configfs dm_mod dm_crypt xts aesni_intel crypto_null algif_skcipher zonefs"
VM_ALL_MODULES="$VM_BOOT_MODULES null_blk"

# Host programs the guest scripts use: bash runs the suites (busybox's ash
# would run its own applets before anything in PATH), and coreutils' dd,
# truncate and stat behave and report errors as they do for users.
VM_GUEST_TOOLS="bash cryptsetup dmsetup blkzone fusermount3 dd truncate stat cmp"

# Programs load libgcc_s.so.1 at run time (glibc's pthread_cancel, used by
# libfuse at unmount) and ldd does not list it.
VM_DLOPEN_LIBS="libgcc_s.so.1"

vm_multiarch_lib() {
	local d
	for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

# vm_copy_prog STAGING SRC DEST: SRC as DEST inside STAGING, with the shared
# libraries it needs at the paths the dynamic loader found them.
vm_copy_prog() {
	local st=$1 src=$2 dest=$3 lib
	mkdir -p "$st/$(dirname "$dest")"
	cp -L "$src" "$st/$dest" || return 1
	for lib in $(ldd "$src" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[ -e "$st/$lib" ] && continue
		mkdir -p "$st/$(dirname "$lib")"
		cp -L "$lib" "$st/$lib" || return 1
	done
}

vm_cpio() { # vm_cpio DIR OUT
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$2"
}

vm_base_key() {
	local t
	{
		echo "$VM_KVER $VM_ALL_MODULES $VM_GUEST_TOOLS $VM_DLOPEN_LIBS"
		cat "${BASH_SOURCE[0]}"
		for t in busybox $VM_GUEST_TOOLS; do ls -lL "$(vm_tool_path "$t")"; done
	} | sha256sum | cut -c1-16
}

vm_stage_modules() { # vm_stage_modules STAGING
	local st=$1 m line ko rel mdir=$VM_KROOT/lib/modules/$VM_KVER
	for m in $VM_ALL_MODULES; do
		modprobe -d "$VM_KROOT" -S "$VM_KVER" --show-depends "$m" >"$VM_LOGS/modprobe.out" 2>&1 ||
			{ cat "$VM_LOGS/modprobe.out"; vm_die "kernel $VM_KVER has no module $m"; }
		while read -r line; do
			set -- $line
			[ "$1" = insmod ] || continue
			ko=$2 rel=${2#"$mdir"/}
			mkdir -p "$st/lib/modules/$VM_KVER/$(dirname "$rel")"
			case $ko in
			*.xz) xz -dc "$ko" >"$st/lib/modules/$VM_KVER/${rel%.xz}" ;;
			*.zst) zstd -qdc "$ko" >"$st/lib/modules/$VM_KVER/${rel%.zst}" ;;
			*) cp "$ko" "$st/lib/modules/$VM_KVER/$rel" ;;
			esac || vm_die "cannot copy module $ko"
		done <"$VM_LOGS/modprobe.out"
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$mdir/$f" ] && cp "$mdir/$f" "$st/lib/modules/$VM_KVER/"
	done
	depmod -b "$st" "$VM_KVER" || vm_die "depmod on the guest's module tree failed"
	echo "$VM_BOOT_MODULES" >"$st/etc/zc-modules"
}

# Sets VM_BASE_CPIO, building it when the cache has none for these inputs.
vm_initramfs_base() {
	local key st t lib
	key=$(vm_base_key)
	VM_BASE_CPIO=$VM_CACHE/initrd/base-$key.cpio
	[ -f "$VM_BASE_CPIO" ] && return 0
	echo "vm: building initramfs base ($VM_KVER)"
	mkdir -p "$VM_CACHE/initrd"
	rm -f "$VM_CACHE"/initrd/base-*.cpio
	st=$(mktemp -d "$VM_WORK/base.XXXXXX")
	mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,lib64,etc,proc,sys,dev,tmp,run,mnt,zc/bin}
	[ "$(id -u)" = 0 ] && mknod "$st/dev/console" c 5 1
	cp "$(vm_tool_path busybox)" "$st/bin/busybox"
	# ldd fails on a static binary, and the guest has no libc for a dynamic one.
	! ldd "$st/bin/busybox" >/dev/null 2>&1 ||
		vm_die "busybox is dynamically linked; install busybox-static"
	for t in $("$st/bin/busybox" --list-full); do
		[ -e "$st/$t" ] || ln -s /bin/busybox "$st/$t"
	done
	for t in $VM_GUEST_TOOLS; do
		rm -f "$st/usr/sbin/$t" "$st/usr/bin/$t" "$st/sbin/$t" "$st/bin/$t"
		vm_copy_prog "$st" "$(vm_tool_path "$t")" "/usr/bin/$t" || vm_die "cannot copy $t"
	done
	for lib in $VM_DLOPEN_LIBS; do
		t=$(vm_multiarch_lib "$lib") || vm_die "host has no $lib"
		mkdir -p "$st/$(dirname "$t")" && cp -L "$t" "$st/$t"
	done
	ln -s /proc/self/mounts "$st/etc/mtab"
	echo 'root:x:0:0:root:/:/bin/sh' >"$st/etc/passwd"
	echo 'root:x:0:' >"$st/etc/group"
	vm_stage_modules "$st"
	vm_cpio "$st" "$VM_BASE_CPIO.tmp" && mv "$VM_BASE_CPIO.tmp" "$VM_BASE_CPIO" ||
		vm_die "cpio of the initramfs base failed"
	rm -rf "$st"
}

# vm_initramfs OUT: base + this run's init, guest scripts and programs.
vm_initramfs() {
	local out=$1 st p n=0
	st=$(mktemp -d "$VM_WORK/run.XXXXXX")
	mkdir -p "$st/zc/bin" "$st/etc"
	cp "$VM_DIR/init" "$st/init" && chmod 0755 "$st/init"
	cp -r "$VM_DIR/guest" "$st/zc/guest"
	: >"$st/etc/zc-programs"
	for p in "$ZC_BUILD"/zcryptfs "$ZC_BUILD"/mkzcryptfs "$ZC_BUILD"/zcryptfs-zones "$ZC_BUILD"/tests/*; do
		[ -f "$p" ] && [ -x "$p" ] || continue
		vm_copy_prog "$st" "$p" "/zc/bin/$(basename "$p")" || vm_die "cannot copy $p into the guest"
		basename "$p" >>"$st/etc/zc-programs"
		n=$((n + 1))
	done
	VM_NPROGS=$n
	vm_cpio "$st" "$VM_WORK/run.cpio" || vm_die "cpio of the run archive failed"
	cat "$VM_BASE_CPIO" "$VM_WORK/run.cpio" >"$out"
	rm -rf "$st" "$VM_WORK/run.cpio"
}
