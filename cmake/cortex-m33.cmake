# Cortex-M33 with FPU and DSP, e.g. STM32U575 (nucleo_u575zi_q): Armv8-M
# Mainline, single-precision FPv5, hard-float ABI. No TrustZone (secure) build.
set(DFUKIT_CPU_FLAGS "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
