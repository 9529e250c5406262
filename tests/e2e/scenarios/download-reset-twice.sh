# Download /data/image.bin into SLOT-1, then press reset twice (the host side
# checks on the console what each boot did).
# shellcheck shell=sh
. /lib-guest.sh
set -u
attach_board || fail download "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail download "detach"
wait_gone && attach_board >/dev/null || fail download "no DFU mode"
run dn dfu-util --alt 1 --download /data/image.bin || fail download "download failed"
for i in 1 2; do
	echo "DFUKIT-RESET-BOARD"
	sleep 3
done
pass download
