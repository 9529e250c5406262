# cmake --install for dfukit (included at the end of the top-level CMakeLists.txt).
#
#   lib/                         the static libraries (portable; host ones in host builds)
#   include/dfukit/**.h          their public headers: the portable layers', port/,
#                                sample/, and host/ in host builds
#   include/dfukit/null/         the null port's header (null_udc.h)
#   lib/pkgconfig/dfukit.pc      every portable library, in link order
#   lib/pkgconfig/dfukit-host.pc the host libraries (host builds)
#   lib/cmake/dfukit/            find_package(dfukit): imported targets dfukit::usbd, ...
#   bin/                         dfukit and the programs it runs (dfukit-board, dfukit-image),
#                                dfu-gadget and its setup script (host builds)
#   libexec/dfukit/firmware/     the virtual board's firmware (host builds; dfukit-board
#                                looks there, relative to itself, before ../firmware)
#
# A cross build (DFUKIT_HOST=OFF) installs the portable libraries, their headers and
# the target mbedcrypto they were built against, so that a firmware project links
# everything from one prefix.
include(CMakePackageConfigHelpers)

# Link order: every library before the libraries it needs (pkg-config has no
# dependency graph of its own for static archives in one .pc file).
set(dfukit_portable_libs dfukit_sample dfukit_dfu_ramdisk dfukit_dfu_flash dfukit_dfuse dfukit_dfu
  dfukit_msos20 dfukit_vudc dfukit_null_port dfukit_usbd dfukit_boot_image dfukit_boot dfukit_image
  dfukit_boards dfukit_flash)
set(dfukit_host_libs dfukit_usbip dfukit_ffs dfukit_flash_file)

set(dfukit_install_libs "")
set(dfukit_pc_libs "")
foreach(lib ${dfukit_portable_libs})
  if(TARGET ${lib})
    list(APPEND dfukit_install_libs ${lib})
    string(APPEND dfukit_pc_libs " -l${lib}")
  endif()
endforeach()
set(dfukit_pc_host_libs "")
if(DFUKIT_HOST)
  foreach(lib ${dfukit_host_libs})
    if(TARGET ${lib})
      list(APPEND dfukit_install_libs ${lib})
      string(APPEND dfukit_pc_host_libs " -l${lib}")
    endif()
  endforeach()
endif()

# Imported targets are named without the prefix: dfukit_usbd -> dfukit::usbd. The
# same names are aliases in the build tree, so that a project using dfukit through
# add_subdirectory() links the same names as one using the installed package.
foreach(lib ${dfukit_install_libs})
  string(REGEX REPLACE "^dfukit_" "" short ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short})
  add_library(dfukit::${short} ALIAS ${lib})
endforeach()
install(TARGETS ${dfukit_install_libs} EXPORT dfukit-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Headers: include/dfukit/ (portable layers), port/, sample/ and host/, except
# those of libraries the install does not carry: the virtual board's glue
# (never installed) and, in a cross build, the host ports' and host/.
# tests/install/check-install.sh holds the same list.
set(dfukit_uninstalled_headers host/board_env.h port/board_image.h)
file(GLOB_RECURSE dfukit_public_headers RELATIVE ${PROJECT_SOURCE_DIR}/include/dfukit
  CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/dfukit/*.h)
foreach(h ${dfukit_public_headers})
  if(h IN_LIST dfukit_uninstalled_headers OR
     (NOT DFUKIT_HOST AND h MATCHES "^(host/|port/usbip.h$|port/ffs.h$)"))
    continue()
  endif()
  get_filename_component(dir ${h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/include/dfukit/${h}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dfukit/${dir})
endforeach()
if(TARGET dfukit_null_port)
  install(FILES ${PROJECT_SOURCE_DIR}/port/null/null_udc.h
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dfukit/null)
endif()

# mbedcrypto, which dfukit::image links: the host's own library (found again by
# the package), or in a cross build the target archive dfukit_image was built with.
set(DFUKIT_PC_CRYPTO "")
set(DFUKIT_PACKAGE_MBEDCRYPTO "")
if(TARGET dfukit_image)
  set(DFUKIT_PC_CRYPTO " -lmbedcrypto")
  if(DFUKIT_HOST)
    set(DFUKIT_PACKAGE_MBEDCRYPTO system)
  else()
    set(DFUKIT_PACKAGE_MBEDCRYPTO bundled)
    install(FILES ${DFUKIT_MBEDCRYPTO_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RENAME libmbedcrypto.a)
  endif()
  # libsodium (Ed25519) and BearSSL (DFUKIT_CRYPTO=bearssl) when dfukit_image uses them.
  if("ed25519" IN_LIST DFUKIT_SIGNATURES)
    string(APPEND DFUKIT_PC_CRYPTO " -lsodium")
    if(NOT DFUKIT_HOST)
      install(FILES ${DFUKIT_SODIUM_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME libsodium.a)
    endif()
  endif()
  if(DFUKIT_CRYPTO STREQUAL "bearssl")
    string(APPEND DFUKIT_PC_CRYPTO " -lbearssl")
    if(NOT DFUKIT_HOST)
      install(FILES ${DFUKIT_BEARSSL_LIBRARY} DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME libbearssl.a)
    endif()
  endif()
endif()

# The flags every object of a firmware must share (cross builds), for consumers to check.
set(DFUKIT_PACKAGE_CPU_FLAGS "")
if(NOT DFUKIT_HOST AND DEFINED DFUKIT_CPU_FLAGS)
  set(DFUKIT_PACKAGE_CPU_FLAGS "${DFUKIT_CPU_FLAGS}")
endif()

# pkg-config, relocatable: the prefix is found from the .pc file's own directory.
file(RELATIVE_PATH pc_up ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" pc_up "${pc_up}")
set(DFUKIT_PC_PREFIX "\${pcfiledir}/${pc_up}")
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(DFUKIT_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(DFUKIT_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(DFUKIT_PC_LIBS "${dfukit_pc_libs}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/dfukit.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/dfukit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/dfukit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(dfukit_pc_host_libs)
  set(DFUKIT_PC_HOST_LIBS "${dfukit_pc_host_libs}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/dfukit-host.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/dfukit-host.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/dfukit-host.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# CMake package.
set(dfukit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dfukit)
install(EXPORT dfukit-targets NAMESPACE dfukit:: DESTINATION ${dfukit_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dfukit-config.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/dfukit-config.cmake INSTALL_DESTINATION ${dfukit_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/dfukit-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/dfukit-config.cmake
  ${PROJECT_BINARY_DIR}/cmake/dfukit-config-version.cmake DESTINATION ${dfukit_cmake_dir})

if(NOT DFUKIT_HOST)
  return()
endif()

# Tools: dfukit runs dfukit-COMMAND from its own directory, so they share bin/.
foreach(tool dfukit dfukit-board dfukit-image dfu-gadget)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
if(TARGET dfu-gadget)
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/port/ffs/dfu-gadget-setup.sh
    DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The virtual board's firmware, and where the installed dfukit-board finds it.
set(dfukit_fw_dir ${CMAKE_INSTALL_LIBEXECDIR}/dfukit/firmware)
foreach(fw bootloader dfu-sample hello_world)
  if(TARGET ${fw})
    install(TARGETS ${fw} RUNTIME DESTINATION ${dfukit_fw_dir})
  endif()
  if(TARGET ${fw}-signed)
    install(FILES ${PROJECT_BINARY_DIR}/firmware/${fw}.signed.bin DESTINATION ${dfukit_fw_dir})
  endif()
endforeach()
if(TARGET dfu-sample-ram-load-signed)
  install(FILES ${PROJECT_BINARY_DIR}/firmware/dfu-sample.ram-load.signed.bin
    DESTINATION ${dfukit_fw_dir})
endif()
if(TARGET dfukit-board)
  # Relative to bin/, so that the installed tree can be moved (cmake --install --prefix).
  file(RELATIVE_PATH fw_rel ${CMAKE_INSTALL_FULL_BINDIR}
    ${CMAKE_INSTALL_FULL_LIBEXECDIR}/dfukit/firmware)
  target_compile_definitions(dfukit-board PRIVATE DFUKIT_INSTALLED_FIRMWARE_DIR="${fw_rel}")
endif()
