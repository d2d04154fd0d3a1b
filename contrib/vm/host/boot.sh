# One guest boot per suite, and the reading of its serial output. Sourced by run.sh.

VM_QEMU=qemu-system-x86_64

vm_qemu_ok() {
	vm_tool_path "$VM_QEMU" >/dev/null || vm_die "$VM_QEMU is not installed"
	"$VM_QEMU" -accel help 2>/dev/null | grep -qx tcg ||
		vm_die "$VM_QEMU cannot run or lacks TCG: $("$VM_QEMU" -accel help 2>&1 | head -n 2 | tr '\n' ' ')"
}

vm_suite_timeout() {
	local t
	t=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$VM_DIR/guest/$1.sh" | head -n 1)
	echo "${ZC_VM_TIMEOUT:-${t:-120}}"
}

# vm_boot SUITE INITRD LOG TIMEOUT: the guest's serial console goes to LOG.
# KVM is not available on these machines; TCG boots in a few seconds.
vm_boot() {
	timeout -k 5 "$4" "$VM_QEMU" -nodefaults -no-user-config \
		-accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
		-display none -serial stdio -no-reboot \
		-kernel "$VM_KIMAGE" -initrd "$2" \
		-append "console=ttyS0 panic=-1 quiet zcsuite=$1" \
		</dev/null >"$3" 2>&1
}

vm_show_tail() {
	tr -d '\r' <"$1" | tail -n "${2:-25}" | sed 's/^/vm:   | /'
}

# vm_report SUITE LOG QEMU_RC TIMEOUT: one line per case, counted into
# VM_PASS and VM_FAIL; a guest that never reached its end marker fails.
vm_report() {
	local suite=$1 log=$2 qrc=$3 tmo=$4 line end="" rc="" cases=0 fails=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		*"ZCT PASS "*)
			echo "vm: PASS $suite/${line#*ZCT PASS }"
			VM_PASS=$((VM_PASS + 1)) cases=$((cases + 1)) ;;
		*"ZCT FAIL "*)
			echo "vm: FAIL $suite/${line#*ZCT FAIL }"
			VM_FAIL=$((VM_FAIL + 1)) cases=$((cases + 1)) fails=$((fails + 1)) ;;
		*"ZCT-END "*)
			end=1 rc=${line##*rc=} ;;
		esac
	done <"$log"
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "vm: FAIL $suite: guest hung; killed QEMU after ${tmo}s (serial log: $log)"
	elif [ -z "$end" ]; then
		echo "vm: FAIL $suite: guest stopped before its end marker, QEMU exit $qrc (serial log: $log)"
	elif [ "$rc" != 0 ] && [ "$fails" = 0 ]; then
		echo "vm: FAIL $suite: suite script exited $rc without a failed case (serial log: $log)"
	elif [ "$cases" = 0 ]; then
		echo "vm: FAIL $suite: ran no case (serial log: $log)"
	else
		return 0
	fi
	VM_FAIL=$((VM_FAIL + 1))
	vm_show_tail "$log"
}
