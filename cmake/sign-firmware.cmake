# Sign the board's firmware programs into MCUboot images, as Zephyr's build
# signs zephyr.bin: header 0x200 (here padded with --pad-header, since a host
# program has no header hole), version 0.0.0, the dev RSA-2048 key.
set(DFUKIT_SIGNING_KEY ${PROJECT_SOURCE_DIR}/keys/dfukit-dev-rsa-2048.pem
  CACHE FILEPATH "Private key that signs the virtual board's firmware images")

function(dfukit_signed_image app)
  set(fw ${PROJECT_BINARY_DIR}/firmware)
  add_custom_command(OUTPUT ${fw}/${app}.signed.bin
    COMMAND ${CMAKE_OBJCOPY} --strip-all $<TARGET_FILE:${app}> ${fw}/${app}.bin
    COMMAND dfukit-image sign --key ${DFUKIT_SIGNING_KEY}
            --header-size 0x200 --pad-header --align 4 --slot-size 0x76000
            --version 0.0.0 ${fw}/${app}.bin ${fw}/${app}.signed.bin
    DEPENDS ${app} dfukit-image ${DFUKIT_SIGNING_KEY}
    COMMENT "Signing ${app}.signed.bin" VERBATIM)
  add_custom_target(${app}-signed ALL DEPENDS ${fw}/${app}.signed.bin)
endfunction()

dfukit_signed_image(dfu-sample)
dfukit_signed_image(hello_world)

# The DFU sample for ram-load (dfukit board run --mode ram-load): the same
# program signed with --load-addr, the RAM address the board's bootloader
# copies it to (BOARD_RAM_LOAD_ADDR, include/dfukit/board_profile.h).
set(fw ${PROJECT_BINARY_DIR}/firmware)
add_custom_command(OUTPUT ${fw}/dfu-sample.ram-load.signed.bin
  COMMAND dfukit-image sign --key ${DFUKIT_SIGNING_KEY}
          --header-size 0x200 --pad-header --align 4 --slot-size 0x76000
          --load-addr 0x20010000 --version 0.0.0
          ${fw}/dfu-sample.bin ${fw}/dfu-sample.ram-load.signed.bin
  DEPENDS ${fw}/dfu-sample.signed.bin dfukit-image ${DFUKIT_SIGNING_KEY}
  COMMENT "Signing dfu-sample.ram-load.signed.bin" VERBATIM)
add_custom_target(dfu-sample-ram-load-signed ALL
  DEPENDS ${fw}/dfu-sample.ram-load.signed.bin)
