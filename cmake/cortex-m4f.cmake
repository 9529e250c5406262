# Cortex-M4F, e.g. nRF52840 (reel_board): single-precision FPU, hard-float ABI.
set(DFUKIT_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
