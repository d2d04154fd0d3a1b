#!/usr/bin/env bash
# zcryptfs-zones end to end: create, report (blkzone's format), zone
# operations, faults, and the exit statuses of bad arguments and devices.
source "$(dirname "$0")/lib.sh"

# zone_line DEV ZONE: the report line of one zone.
zone_line() {
	"$ZONES" report "$1" "$2" 1
}

# expect_zone DEV ZONE WPTR COND: the zone's wptr (hex sectors) and zcond text.
expect_zone() {
	local line
	line=$(zone_line "$1" "$2") || { t_fail "report $1 $2 failed"; return 1; }
	case "$line" in
	*"wptr $3 "*"$4"*) return 0 ;;
	*) t_fail "zone $2: expected wptr $3 and $4, got: $line"; return 1 ;;
	esac
}

t_begin create_and_report_layout
d=$(t_tmpdir)
expect_status 0 "$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2
out=$("$ZONES" report "$d/dev")
t_check "report exits 0" test $? = 0
expected=""
for i in 0 1 2 3 4 5 6 7; do
	start=$(printf '0x%09x' $((i * 0x2000)))
	if [ $i -lt 2 ]; then
		tail=" 0(nw) [type: 1(CONVENTIONAL)]"
	else
		tail=" 1(em) [type: 2(SEQ_WRITE_REQUIRED)]"
	fi
	expected+="  start: $start, len 0x002000, cap 0x002000, wptr 0x000000 reset:0 non-seq:0, zcond:$tail"$'\n'
done
[ "$out"$'\n' = "$expected" ] || t_fail "report differs:"$'\n'"$out"$'\n'"expected:"$'\n'"$expected"
t_check "zone files in zloop layout" test "$(cd "$d/dev" && ls cnv-* seq-* | tr '\n' ' ')" = \
	"cnv-000000 cnv-000001 seq-000002 seq-000003 seq-000004 seq-000005 seq-000006 seq-000007 "
t_check "cnv file has the zone size" test "$(stat -c %s "$d/dev/cnv-000001")" = 4194304
t_check "seq file is empty" test "$(stat -c %s "$d/dev/seq-000002")" = 0
t_check "geometry is zloop's option string" grep -q '^capacity_mb=32,zone_size_mb=4,' "$d/dev/zloop.conf"
t_check "report ZONE COUNT" test "$("$ZONES" report "$d/dev" 6 5 | wc -l)" = 2
t_pass

t_begin zone_operations_show_in_report
d=$(t_tmpdir)
"$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2 >/dev/null || t_fail create
expect_status 0 "$ZONES" open "$d/dev" 2 && expect_zone "$d/dev" 2 0x000000 " 3(oe)"
expect_status 0 "$ZONES" finish "$d/dev" 3 && expect_zone "$d/dev" 3 0x002000 "14(fu)"
t_check "finished file has the zone size" test "$(stat -c %s "$d/dev/seq-000003")" = 4194304
expect_status 0 "$ZONES" close "$d/dev" 2 && expect_zone "$d/dev" 2 0x000000 " 1(em)"
expect_status 0 "$ZONES" reset "$d/dev" 3 && expect_zone "$d/dev" 3 0x000000 " 1(em)"
t_check "reset file is empty" test "$(stat -c %s "$d/dev/seq-000003")" = 0
expect_status 0 "$ZONES" finish "$d/dev" all
expect_zone "$d/dev" 7 0x000000 " 1(em)"
expect_status 0 "$ZONES" open "$d/dev" 4
expect_status 0 "$ZONES" finish "$d/dev" all && expect_zone "$d/dev" 4 0x002000 "14(fu)"
expect_status 0 "$ZONES" reset "$d/dev" all && expect_zone "$d/dev" 4 0x000000 " 1(em)"
expect_status 2 "$ZONES" close "$d/dev" 5
expect_err_contains "zone 5"
expect_status 2 "$ZONES" reset "$d/dev" 0
t_pass

t_begin faults_show_in_report
d=$(t_tmpdir)
"$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2 >/dev/null || t_fail create
expect_status 0 "$ZONES" fault "$d/dev" 4 offline && expect_zone "$d/dev" 4 0x000000 "15(of)"
expect_status 0 "$ZONES" fault "$d/dev" 5 readonly && expect_zone "$d/dev" 5 0x000000 "13(ro)"
expect_status 0 "$ZONES" fault "$d/dev" 6 move-wp 8K && expect_zone "$d/dev" 6 0x000010 " 4(cl)"
t_check "move-wp resizes the zone file" test "$(stat -c %s "$d/dev/seq-000006")" = 8192
expect_status 2 "$ZONES" reset "$d/dev" 4
expect_status 0 "$ZONES" fault "$d/dev" 4 clear && expect_zone "$d/dev" 4 0x000000 " 1(em)"
expect_status 0 "$ZONES" fault "$d/dev" 2 fail-writes 3
expect_status 0 "$ZONES" fault "$d/dev" 2 fail-reads 1
expect_status 0 "$ZONES" fault "$d/dev" 2 partial-write 2
expect_status 1 "$ZONES" fault "$d/dev" 6 move-wp 100
expect_err_contains "move-wp 100"
expect_status 1 "$ZONES" fault "$d/dev" 9 offline
expect_err_contains "out of range"
t_pass

t_begin limits_recorded
d=$(t_tmpdir)
expect_status 0 "$ZONES" create "$d/dev" --zone-size 1M --zones 6 --conv 1 --max-open 1 --max-active 2 \
	--zone-capacity 1M --lba 512
expect_status 0 "$ZONES" open "$d/dev" 1
expect_status 2 "$ZONES" open "$d/dev" 2
expect_err_contains "zone 2"
t_check "extras recorded" grep -q 'lba_size=512,max_open=1,max_active=2' "$d/dev/zloop.conf"
t_pass

t_begin bad_arguments_exit_1
d=$(t_tmpdir)
expect_status 1 "$ZONES" create "$d/a" --zone-size 3M --zones 8 --conv 2
expect_err_contains "--zone-size 3M: must be a power of two"
expect_status 1 "$ZONES" create "$d/a" --zone-size 512K --zones 8 --conv 2
expect_err_contains "--zone-size 512K"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4X --zones 8
expect_err_contains "--zone-size 4X"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 8 --conv 8
expect_err_contains "--conv 8"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 4
expect_err_contains "--conv"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 8 --conv 2 --lba 1024
expect_err_contains "--lba 1024"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 8 --conv 2 --zone-capacity 8M
expect_err_contains "--zone-capacity 8M"
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 8 --conv 2 --max-open 3 --max-active 2
expect_err_contains "--max-open"
expect_status 1 "$ZONES" create "$d/a" --zones 8
expect_err_contains "--zone-size"
expect_status 1 "$ZONES" create --zone-size 4M --zones 8
expect_status 1 "$ZONES" create "$d/a" --zone-size 4M --zones 8 --bogus
expect_err_contains "--bogus"
t_check "nothing created by a refused create" test ! -e "$d/a"
expect_status 1 "$ZONES" frobnicate
expect_status 1 "$ZONES"
"$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2 >/dev/null || t_fail create
expect_status 1 "$ZONES" report "$d/dev" x
expect_status 1 "$ZONES" report "$d/dev" 8
expect_status 1 "$ZONES" reset "$d/dev"
expect_status 1 "$ZONES" fault "$d/dev" 2 explode
expect_status 1 "$ZONES" fault "$d/dev" 2 fail-writes
expect_status 1 "$ZONES" fault "$d/dev" 2 offline 3
expect_status 0 "$ZONES" --help
t_check "--version" test "$("$ZONES" --version)" = "zcryptfs-zones $(sed -n 's/.*ZC_VERSION "\(.*\)"/\1/p' "$(dirname "$0")/../../include/version.h")"
t_pass

t_begin bad_devices_exit_2
d=$(t_tmpdir)
expect_status 2 "$ZONES" report "$d/missing"
expect_err_contains "DEVICE must be a zoned block device or an emulated device directory"
: >"$d/file"
expect_status 2 "$ZONES" report "$d/file"
expect_err_contains "DEVICE must be"
expect_status 2 "$ZONES" report /dev/null
expect_err_contains "DEVICE must be"
mkdir "$d/plain"
expect_status 2 "$ZONES" report "$d/plain"
expect_err_contains "not an emulated zoned device (no zloop.conf); create one with zcryptfs-zones create"
expect_status 2 "$ZONES" reset "$d/missing" all
expect_status 2 "$ZONES" fault "$d/missing" 2 offline
"$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2 >/dev/null || t_fail create
expect_status 2 "$ZONES" create "$d/dev" --zone-size 4M --zones 8 --conv 2
expect_err_contains "not empty"
rm "$d/dev/seq-000005"
expect_status 2 "$ZONES" report "$d/dev"
expect_err_contains "seq-000005"
t_pass
