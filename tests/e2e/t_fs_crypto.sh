#!/usr/bin/env bash
# SPEC §3: what zcryptfs leaves on the device is dm-crypt plain64, checked by
# an independent decryptor (Nettle's reference XTS, tests/helpers/xts_decrypt.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fs_lib.sh"

MiB=1048576
ZS=$((4 * MiB))
VECTORS=${ZC_VECTORS:-$(dirname "$0")/../vectors}

hex() { od -A n -v -t x1 "$@" | tr -d ' \n'; }

# The decryptor itself first: every known answer of the shared vectors.
t_begin decryptor_known_answers
n=0
while read -r name ks ss ivl skip kfo off ct pt; do
	printf '%s' "$ct" | tr a-f A-F | basenc --base16 -d >"$FS_BASE/ct" || t_fail "$name: hex"
	opts=(key_size="$ks" skip="$skip" keyfile_offset="$kfo")
	[ "$ivl" = 1 ] && opts+=(iv_large)
	got=$("$XTS_DECRYPT" "$VECTORS/keyfile-512B.bin" "$off" "$ss" "$FS_BASE/ct" "${opts[@]}" | hex)
	expect_eq "vector $name" "$got" "$pt"
	n=$((n + 1))
done < <(awk -F': ' '
	/^name:/ { name = $2 } /^key_size:/ { ks = $2 } /^sector_size:/ { ss = $2 }
	/^iv_large_sectors:/ { ivl = $2 } /^skip:/ { skip = $2 } /^keyfile_offset:/ { kfo = $2 }
	/^offset:/ { off = $2 } /^plaintext:/ { pt = $2 }
	/^ciphertext:/ { print name, ks, ss, ivl, skip, kfo, off, $2, pt }' "$VECTORS/xts-plain64.txt")
[ "$n" -ge 5 ] || t_fail "only $n vectors read from $VECTORS/xts-plain64.txt"
t_pass

# zone_plain ZONE OFF LEN SECTOR [xts_decrypt options]: the plaintext of
# bytes OFF..OFF+LEN of zone ZONE's emulated file, decrypted independently.
zone_plain() {
	local z=$1 off=$2 len=$3 ss=$4
	shift 4
	dd if="$(fs_zone_file "$z")" of="$D/ct" bs=65536 skip="$off" count="$len" \
		iflag=skip_bytes,count_bytes status=none
	"$XTS_DECRYPT" "$KEY" $((z * ZS + off)) "$ss" "$D/ct" "$@"
}

# check_config "CRYPTO OPTIONS" SECTOR [xts_decrypt options]: formats a
# device with those options, writes through the mount (a sequential file
# with cat, a conventional one with dd at an odd offset), and decrypts the
# zone files. Zone 0 must hold the superblock; zone 1 is cnv/0, zone 2 seq/0.
check_config() {
	local copts ss=$2
	fs_new --zone-size 4M --zones 4 --conv 2
	copts="keyfile=$KEY${1:+,$1}"
	shift 2
	expect_status 0 "$MKZCRYPTFS" -o "$copts" -L crypto-test "$DEV" || return 1
	zc_mount "$DEV" "$MNT" -o "$copts" || return 1
	head -c $((256 * 1024)) /dev/urandom >"$D/a"
	head -c 10000 /dev/urandom >"$D/c"
	cat "$D/a" >"$MNT/seq/0"
	dd if="$D/c" of="$MNT/cnv/0" bs=10000 seek=5000 oflag=seek_bytes conv=notrunc status=none
	zc_umount "$MNT"
	zone_plain 2 0 $((256 * 1024)) "$ss" "$@" >"$D/p"
	t_check "$copts: seq/0 decrypts to what was written" cmp "$D/a" "$D/p"
	zone_plain 1 4096 16384 "$ss" "$@" >"$D/p"
	t_check "$copts: cnv/0 decrypts to what was written" cmp -i 0:904 -n 10000 "$D/c" "$D/p"
	zone_plain 0 0 4096 "$ss" "$@" >"$D/p"
	expect_eq "$copts: superblock magic" "$(hex -N 4 "$D/p")" 53464f5a
	expect_eq "$copts: superblock label" "$(hex -j 8 -N 12 "$D/p")" "$(printf crypto-test | hex)00"
	# The backing store never holds the plaintext.
	cmp -s -n 4096 "$D/a" "$(fs_zone_file 2)" && t_fail "$copts: plaintext on the device"
}

t_begin aes_xts_plain64_default
check_config "" 512
t_pass

t_begin sector_size_4096
check_config "sector_size=4096" 4096
# Decrypting with 512-byte sectors must not give the data back.
zone_plain 2 0 65536 512 >"$D/p"
cmp -s -n 65536 "$D/a" "$D/p" && t_fail "sector_size=4096 data also decrypts as 512-byte sectors"
t_pass

t_begin sector_size_4096_iv_large_sectors
check_config "sector_size=4096,iv_large_sectors" 4096 iv_large
zone_plain 2 0 65536 4096 >"$D/p"
cmp -s -n 65536 "$D/a" "$D/p" && t_fail "iv_large_sectors made no difference to the IV"
t_pass

t_begin iv_large_skip_1024
check_config "sector_size=1024,iv_large_sectors,skip=64" 1024 iv_large skip=64
t_pass

t_begin aes128_keyfile_offset_skip
check_config "key_size=256,keyfile_offset=100,skip=7" 512 key_size=256 keyfile_offset=100 skip=7
zone_plain 2 0 65536 512 key_size=256 keyfile_offset=100 >"$D/p"
cmp -s -n 65536 "$D/a" "$D/p" && t_fail "skip made no difference to the IV"
t_pass

t_begin cipher_null_stores_plaintext
fs_new --zone-size 4M --zones 4 --conv 2
expect_status 0 "$MKZCRYPTFS" -o cipher=null "$DEV"
zc_mount "$DEV" "$MNT" -o cipher=null
head -c 65536 /dev/urandom >"$D/a"
cat "$D/a" >"$MNT/seq/0"
dd if="$D/a" of="$MNT/cnv/0" bs=4096 seek=12345 oflag=seek_bytes conv=notrunc status=none
zc_umount "$MNT"
t_check "seq zone file = plaintext" cmp "$D/a" "$(fs_zone_file 2)"
t_check "cnv zone file = plaintext" cmp -i 0:12345 -n 65536 "$D/a" "$(fs_zone_file 1)"
expect_eq "superblock magic" "$(hex -N 4 "$(fs_zone_file 0)")" 53464f5a
t_pass

t_begin plain_mode_zone0_encrypted
fs_new --zone-size 4M --zones 4 --conv 2
fs_mount plain
head -c 8192 /dev/urandom >"$D/a"
dd if="$D/a" of="$MNT/cnv/0" bs=8192 conv=notrunc status=none
zc_umount "$MNT"
zone_plain 0 0 8192 512 >"$D/p"
t_check "zone 0 in plain mode decrypts to the data" cmp "$D/a" "$D/p"
t_pass
