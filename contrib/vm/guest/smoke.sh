. /zc/guest/lib/common.sh
pass boot
