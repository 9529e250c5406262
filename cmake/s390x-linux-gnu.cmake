# Big-endian Linux cross build (s390x, a Debian release architecture) for
# running the unit tests under qemu-user: scripts/big-endian-tests.sh.
# Needs gcc-s390x-linux-gnu, qemu-user and, through multiarch (dpkg
# --add-architecture s390x), libcmocka-dev:s390x and libmbedtls-dev:s390x.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE s390x-linux-gnu)
# Run with the multiarch libc6:s390x (/lib/ld64.so.1 and /lib/s390x-linux-gnu): -L /
# keeps the loader and libc of one version (the default prefix, /usr/s390x-linux-gnu,
# pairs the cross loader with the multiarch libc and aborts).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-s390x -L /)
# Multiarch: libraries in /usr/lib/s390x-linux-gnu, headers shared in /usr/include.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/s390x-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,/usr/lib/s390x-linux-gnu:/lib/s390x-linux-gnu")
