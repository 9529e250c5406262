# Cross toolchain for the portable layers on Cortex-M (bare metal, newlib).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
# No OS to link test programs against during configure checks.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(DFUKIT_CPU "cortex-m4" CACHE STRING "Cortex-M core to build for")
set(CMAKE_C_FLAGS_INIT "-mcpu=${DFUKIT_CPU} -mthumb -ffreestanding -ffunction-sections -fdata-sections")
