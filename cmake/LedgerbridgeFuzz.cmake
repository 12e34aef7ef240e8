# LEDGERBRIDGE_FUZZ=ON: every library is compiled with libFuzzer's coverage instrumentation and
# AddressSanitizer + UndefinedBehaviorSanitizer, so the fuzz targets of fuzz/ see (and check)
# the code they drive, not only their own source. Only the fuzz targets link libFuzzer's main
# (-fsanitize=fuzzer, in fuzz/CMakeLists.txt). clang only: GCC has no libFuzzer.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LEDGERBRIDGE_FUZZ needs clang (libFuzzer): configure with "
                      "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz does)")
endif()
# UB stops the run (a finding) instead of printing and carrying on. -O1 after the build type's
# flags: at -O0 the instrumented parsers ran 2-3 times fewer inputs per second; assertions stay
# (Debug build type, no NDEBUG). -gline-tables-only: a finding's stack needs file:line, not
# variables, and full debug info made up about a quarter of the compile time.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -gline-tables-only -O1)
add_link_options(-fsanitize=address,undefined)
