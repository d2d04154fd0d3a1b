# Debian's 6.12 kernel, unpacked (never installed) into the cache. Sourced by run.sh.
#
# The host kernel lacks zoned block devices and device-mapper, and Debian 12's
# default 6.1 kernel has a zonefs that breaks O_DIRECT appends, so the guest
# boots the 6.12 kernel that bookworm-security ships.

VM_KERNEL_META=${ZC_VM_KERNEL_META:-linux-image-6.12-amd64}

vm_kernel_pkg() {
	apt-cache depends "$VM_KERNEL_META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# Sets VM_KVER, VM_KROOT (unpacked tree) and VM_KIMAGE.
vm_kernel() {
	local pkg dir tmp deb
	pkg=$(vm_kernel_pkg)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(vm_kernel_pkg)
	fi
	if [ -z "$pkg" ]; then
		# No package lists (offline): a kernel cached earlier is as good.
		dir=$(ls -d "$VM_CACHE"/kernel/linux-image-*/ 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] && [ -f "$dir/.ok" ] ||
			vm_die "cannot find the kernel package: apt-cache depends $VM_KERNEL_META names none (is bookworm-security in the apt sources? run apt-get update)"
		pkg=$(basename "$dir")
		echo "vm: apt has no $VM_KERNEL_META; using cached $pkg"
	fi
	dir=$VM_CACHE/kernel/$pkg
	if [ ! -f "$dir/.ok" ]; then
		echo "vm: fetching $pkg"
		mkdir -p "$VM_CACHE/kernel"
		rm -rf "$dir"
		tmp=$(mktemp -d "$VM_CACHE/kernel/.fetch.XXXXXX")
		# apt-get download runs as _apt when it may; let it write here.
		chmod 0777 "$tmp"
		(cd "$tmp" && apt-get download "$pkg") >"$VM_LOGS/kernel-fetch.log" 2>&1 ||
			{ rm -rf "$tmp"; vm_die "apt-get download $pkg failed (log: $VM_LOGS/kernel-fetch.log)"; }
		deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || { rm -rf "$tmp"; vm_die "apt-get download $pkg produced no .deb"; }
		dpkg-deb -x "$deb" "$tmp/root" ||
			{ rm -rf "$tmp"; vm_die "cannot unpack $deb"; }
		rm -f "$deb"
		mv "$tmp/root" "$dir" && rmdir "$tmp"
		VM_KVER=$(ls "$dir/lib/modules" | head -n 1)
		depmod -b "$dir" "$VM_KVER" || vm_die "depmod -b $dir $VM_KVER failed"
		touch "$dir/.ok"
		# A security update superseded these; 115 MB each.
		for tmp in "$VM_CACHE"/kernel/linux-image-*; do
			[ "$tmp" = "$dir" ] || rm -rf "$tmp"
		done
	fi
	VM_KROOT=$dir
	VM_KVER=$(ls "$dir/lib/modules" | head -n 1)
	VM_KIMAGE=$dir/boot/vmlinuz-$VM_KVER
	[ -n "$VM_KVER" ] && [ -f "$VM_KIMAGE" ] || vm_die "kernel tree $dir is incomplete; delete it and rerun"
}
