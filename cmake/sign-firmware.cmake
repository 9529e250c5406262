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
