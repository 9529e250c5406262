# A hostile or clumsy host against SLOT-1 and ramdisk0: thousands of random DFU
# requests, then dfu-util killed at random points of SLOT-1 downloads. The
# device keeps answering, a fresh download works, and (host side) the board
# still boots the old image until a complete, valid one arrives.
# shellcheck shell=sh
. /lib-guest.sh
set -u
attach_board || fail hostile "board not attachable"
dfu-util --detach >/dev/null 2>&1 || fail hostile "detach"
wait_gone && attach_board >/dev/null || fail hostile "no DFU mode"

for alt in 0 1; do
	step "chaos-alt$alt"
	/data/usb-probe chaos 2fe3:0005 $alt 3000 $((alt + 7)) | tee /tmp/chaos.out || fail "chaos-alt$alt" "device stopped answering"
	pass "chaos-alt$alt"
done

step killed-downloads
# The image without its last 3 KiB: whether dfu-util is killed mid-way or gets
# to the end, SLOT-1 never holds a complete image, so nothing may swap.
size=$(wc -c </data/hello_world.signed.bin)
head -c $((size - 3072)) /data/hello_world.signed.bin >/tmp/partial.bin
seed=$(head -c 2 /dev/urandom | od -An -tu2 | tr -d ' ')
for i in 1 2 3 4 5; do
	# Kill after 50..750 ms: somewhere between the first and the last block.
	ms=$(( (seed * i * 7919) % 700 + 50 ))
	dfu-util --alt 1 -t 64 --download /tmp/partial.bin >/tmp/k$i.out 2>&1 &
	pid=$!
	usleep $((ms * 1000))
	kill -9 $pid 2>/dev/null && killed=killed || killed="had finished"
	wait $pid 2>/dev/null
	note "dfu-util $killed after $ms ms"
	dfu-util -l >/dev/null 2>&1 || fail killed-downloads "device gone after kill $i"
done
pass killed-downloads

step reset-after-partial
echo "DFUKIT-RESET-BOARD"
sleep 1
attach_board "" 60 >/dev/null || fail reset-after-partial "DFU sample did not come back"
dfu-util -l | tee /tmp/list.out
expect_grep 'Found Runtime' /tmp/list.out || fail reset-after-partial "not the DFU sample"
pass reset-after-partial

step full-download
dfu-util --detach >/dev/null 2>&1 || fail full-download "detach"
wait_gone && attach_board >/dev/null || fail full-download "no DFU mode"
run full dfu-util --alt 1 --download /data/hello_world.signed.bin || fail full-download "download failed"
echo "DFUKIT-RESET-BOARD"
sleep 2
pass full-download
