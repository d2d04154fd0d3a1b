#!/usr/bin/env bash
# Kernel tests: real zoned block devices (null_blk), dm-crypt and zonefs in a
# QEMU guest running Debian's 6.12 kernel, since the host kernel has neither
# zoned block devices nor device-mapper. See contrib/vm/README.md.
#
# usage: run.sh [SUITE...]   SUITE: a name from contrib/vm/guest/, "zc" (all
# zcryptfs suites) or "all". Without one: $ZC_VM_SUITES, else VM_DEFAULT_SUITES.
set -uo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ZC_BUILD=${ZC_BUILD:-$VM_DIR/../../build}
mkdir -p "$ZC_BUILD" && ZC_BUILD=$(cd "$ZC_BUILD" && pwd)
VM_CACHE=${ZC_VM_CACHE:-$VM_DIR/cache}
VM_LOGS=$ZC_BUILD/vm

# What `make check` runs. The zcryptfs suites are switched on here (add "zc")
# once build/zcryptfs, mkzcryptfs and zcryptfs-zones work on a zoned device.
VM_DEFAULT_SUITES="smoke zc"
VM_ZC_SUITES="zc-libzbd zc-to-kernel kernel-to-zc zc-null zc-badzones"

VM_PASS=0 VM_FAIL=0

vm_die() {
	echo "vm: FAIL setup: $*"
	echo "vm: $VM_PASS passed, $((VM_FAIL + 1)) failed"
	exit 1
}

for f in deps kernel initramfs boot; do
	# shellcheck source=/dev/null
	. "$VM_DIR/host/$f.sh"
done

vm_all_suites() {
	local f
	for f in "$VM_DIR"/guest/*.sh; do basename "$f" .sh; done
}

# Appends the named suites to VM_SUITES (in this shell, so vm_die exits).
vm_pick_suites() {
	local s
	for s in "$@"; do
		case $s in
		all) VM_SUITES+=($(vm_all_suites)) ;;
		zc) VM_SUITES+=($VM_ZC_SUITES) ;;
		*) [ -f "$VM_DIR/guest/$s.sh" ] ||
			vm_die "no suite '$s'; have: $(vm_all_suites | tr '\n' ' ')"
			VM_SUITES+=("$s") ;;
		esac
	done
}

case ${1:-} in
-h | --help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
VM_SUITES=()
if [ $# -gt 0 ]; then
	vm_pick_suites "$@"
elif [ -n "${ZC_VM_SUITES:-}" ]; then
	vm_pick_suites ${ZC_VM_SUITES//,/ }
else
	vm_pick_suites $VM_DEFAULT_SUITES
fi
[ ${#VM_SUITES[@]} -gt 0 ] || vm_die "no suite selected"
set -- "${VM_SUITES[@]}"

mkdir -p "$VM_LOGS" "$VM_CACHE"
VM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/zc-vm.XXXXXX")
trap 'rm -rf "$VM_WORK"' EXIT

vm_host_deps
vm_qemu_ok
vm_kernel
vm_initramfs_base
vm_initramfs "$VM_WORK/initrd.cpio"
echo "vm: kernel $VM_KVER, $VM_NPROGS program(s) from $ZC_BUILD, suites: $*"

for suite in "$@"; do
	tmo=$(vm_suite_timeout "$suite")
	log=$VM_LOGS/$suite.log
	start=$SECONDS
	vm_boot "$suite" "$VM_WORK/initrd.cpio" "$log" "$tmo"
	qrc=$?
	vm_report "$suite" "$log" "$qrc" "$tmo"
	echo "vm: suite $suite took $((SECONDS - start))s"
done

echo "vm: $VM_PASS passed, $VM_FAIL failed"
[ "$VM_FAIL" = 0 ]
