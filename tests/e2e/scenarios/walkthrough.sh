# The seed's walkthrough, command by command, as a user types it on the host
# that imported the board (here: the QEMU guest).
# shellcheck shell=sh
. /lib-guest.sh
set -u

say() { printf '\n$ %s\n' "$*"; }

attach_board || fail walkthrough "board not attachable"
say dfu-util -l
dfu-util -l || fail walkthrough "dfu-util -l"

say dfu-util --detach
dfu-util --detach || fail walkthrough "dfu-util --detach"
wait_gone && attach_board >/dev/null || fail walkthrough "device did not come back in DFU mode"
say dfu-util -l
dfu-util -l || fail walkthrough "dfu-util -l"

say dfu-util --alt 0 --upload ramdisk0_backup.bin
dfu-util --alt 0 --upload ramdisk0_backup.bin || fail walkthrough "upload"
ls -l ramdisk0_backup.bin

say dfu-util --alt 0 --download ramdisk0_backup.bin
dfu-util --alt 0 --download ramdisk0_backup.bin || fail walkthrough "download"
pass walkthrough
