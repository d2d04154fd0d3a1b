# Preamble of every zcryptfs suite: the helpers, a check that the programs
# are there, a mount point $M, two random keys and random test data in /tmp.
. /zc/guest/lib/common.sh
. /zc/guest/lib/zoned.sh
. /zc/guest/lib/zc.sh
zc_need

M=/mnt/zc
mkdir -p $M
head -c 64 /dev/urandom >/tmp/key
head -c 64 /dev/urandom >/tmp/key2
randfile /tmp/d1 $MiB
randfile /tmp/d2 65536
randfile /tmp/b5000 5000
