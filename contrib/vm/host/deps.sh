# Host packages the harness needs. Sourced by run.sh.
#
# CI starts from a fresh Debian 12 machine, so the harness installs what it
# needs itself instead of assuming a developer's setup.

# command -> Debian package that ships it
VM_HOST_TOOLS="
qemu-system-x86_64:qemu-system-x86
busybox:busybox-static
cryptsetup:cryptsetup-bin
dmsetup:dmsetup
blkzone:util-linux
fusermount3:fuse3
cpio:cpio
depmod:kmod
modprobe:kmod
xz:xz-utils
ldd:libc-bin
dpkg-deb:dpkg
"

vm_tool_path() {
	# Some of these live in sbin, which a non-login PATH may lack.
	PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1"
}

vm_host_deps() {
	local missing="" entry cmd pkg
	for entry in $VM_HOST_TOOLS; do
		cmd=${entry%%:*} pkg=${entry#*:}
		vm_tool_path "$cmd" >/dev/null || missing="$missing $pkg"
	done
	# busybox-static, not the dynamic busybox: the guest has no libc for it.
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing busybox-static"
	[ -n "$missing" ] || return 0
	missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		vm_die "missing host packages: $missing; run: sudo apt-get install -y --no-install-recommends $missing"
	fi
	echo "vm: installing host packages: $missing"
	apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		>"$VM_LOGS/apt.log" 2>&1 ||
		vm_die "apt-get install $missing failed (log: $VM_LOGS/apt.log)"
	for entry in $VM_HOST_TOOLS; do
		cmd=${entry%%:*}
		vm_tool_path "$cmd" >/dev/null || vm_die "$cmd still missing after installing its package"
	done
}
