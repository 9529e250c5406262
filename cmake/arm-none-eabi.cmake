# Cross toolchain for the portable layers on Cortex-M (bare metal, newlib-nano).
#
# Use one of the per-core files (cortex-m4f.cmake, cortex-m33.cmake) or the
# presets in CMakePresets.json; this file alone builds for a plain Cortex-M4
# (soft float), as it always did. Flags that must match across every object of
# a firmware (core, FPU, float ABI) come from DFUKIT_CPU_FLAGS.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
# No OS to link test programs against during configure checks.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(NOT DEFINED DFUKIT_CPU_FLAGS)
  set(DFUKIT_CPU "cortex-m4" CACHE STRING "Cortex-M core to build for")
  set(DFUKIT_CPU_FLAGS "-mcpu=${DFUKIT_CPU} -mthumb")
endif()
set(DFUKIT_CPU_FLAGS "${DFUKIT_CPU_FLAGS}" CACHE STRING "Core, FPU and float-ABI flags")
set(CMAKE_C_FLAGS_INIT "${DFUKIT_CPU_FLAGS} -ffreestanding -ffunction-sections -fdata-sections")
# Firmware links (port/null, apps/bootloader-cm): newlib-nano, unused sections dropped.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${DFUKIT_CPU_FLAGS} --specs=nano.specs -Wl,--gc-sections")

# Find target libraries (the target build of mbedTLS, scripts/mbedtls-target.sh)
# only under DFUKIT_TARGET_PREFIX, never the host's /usr.
set(DFUKIT_TARGET_PREFIX "" CACHE PATH "Prefix holding target builds of third-party libraries")
set(CMAKE_FIND_ROOT_PATH "${DFUKIT_TARGET_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
