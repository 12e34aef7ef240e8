# Shared build settings and helpers for every ledgerbridge target.

# Asan build type: AddressSanitizer and UndefinedBehaviorSanitizer. Every report is fatal
# (-fno-sanitize-recover=all): UBSan would otherwise print and carry on, and a test that prints a
# report but exits 0 would pass in CI. CI builds it with clang (.ci/run's asan phase), which
# compiles it at about half GCC's cost. -O0 -g1: ASan's instrumentation at -O1 doubled the
# compile time (CPU-s for Engine.cpp + BcInvoiceTest.cpp + ExportApiTest.cpp: GCC Debug 15.2;
# GCC Asan -O1 48.5, -O0 25.4; clang Asan -O1 33.5, -O0 13.9; more in .ci/run), and -g1 (line
# tables and function names) is all a report's stack needs. Debug stays the build for stepping
# through code.
set(CMAKE_CXX_FLAGS_ASAN "-O0 -g1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
    CACHE STRING "C++ flags for the Asan build type" FORCE)
set(CMAKE_C_FLAGS_ASAN "${CMAKE_CXX_FLAGS_ASAN}" CACHE STRING "C flags for the Asan build type" FORCE)
set(lb_asan_link "-fsanitize=address,undefined")
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # clang links the sanitizer runtime statically into executables only, so a plugin (a MODULE
  # linked with --no-undefined) would find no __asan_* symbols. With the shared runtime every
  # executable and plugin links the same libclang_rt.asan, found through the rpath.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
                  OUTPUT_VARIABLE lb_asan_runtime OUTPUT_STRIP_TRAILING_WHITESPACE)
  get_filename_component(lb_asan_runtime_dir "${lb_asan_runtime}" DIRECTORY)
  string(APPEND lb_asan_link " -shared-libasan -Wl,-rpath,${lb_asan_runtime_dir}")
  # lld links the sanitized test binaries in a third of the CPU time of ld.bfd (export_e2e_tests:
  # 0.45 against 1.6 CPU-s; gold 0.9), over 96 links. scripts/setup installs it.
  find_program(LB_LLD ld.lld)
  if(LB_LLD)
    string(APPEND lb_asan_link " -fuse-ld=lld")
  endif()
endif()
set(CMAKE_EXE_LINKER_FLAGS_ASAN "${lb_asan_link}" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "${lb_asan_link}" CACHE STRING "" FORCE)
set(CMAKE_MODULE_LINKER_FLAGS_ASAN "${lb_asan_link}" CACHE STRING "" FORCE)
mark_as_advanced(CMAKE_CXX_FLAGS_ASAN CMAKE_C_FLAGS_ASAN CMAKE_EXE_LINKER_FLAGS_ASAN CMAKE_SHARED_LINKER_FLAGS_ASAN
                 CMAKE_MODULE_LINKER_FLAGS_ASAN)

# Tsan build type: ThreadSanitizer, for the modules that run threads (export engine, service,
# store). TSan reports make the process exit non-zero (its default exitcode=66), so ctest fails.
# -g1 as for Asan.
set(CMAKE_CXX_FLAGS_TSAN "-O1 -g1 -fsanitize=thread -fno-omit-frame-pointer"
    CACHE STRING "C++ flags for the Tsan build type" FORCE)
set(CMAKE_C_FLAGS_TSAN "${CMAKE_CXX_FLAGS_TSAN}" CACHE STRING "C flags for the Tsan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_TSAN "-fsanitize=thread" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_TSAN "-fsanitize=thread" CACHE STRING "" FORCE)
mark_as_advanced(CMAKE_CXX_FLAGS_TSAN CMAKE_C_FLAGS_TSAN CMAKE_EXE_LINKER_FLAGS_TSAN CMAKE_SHARED_LINKER_FLAGS_TSAN)

# Test hooks (the LEDGERBRIDGE_CRASH_AT crash points) exist only in test builds: ON by default
# for Debug, Asan and Tsan, OFF for Release and RelWithDebInfo, so a production binary cannot be
# made to kill itself through its environment. The runtime install refuses a build with hooks
# (see core/cli/CMakeLists.txt), so `cmake --install` never ships them.
if(CMAKE_BUILD_TYPE MATCHES "^(Debug|Asan|Tsan)$")
  set(lb_hooks_default ON)
else()
  set(lb_hooks_default OFF)
endif()
option(LEDGERBRIDGE_TEST_HOOKS "Compile the crash-test hooks (LEDGERBRIDGE_CRASH_AT); default ON only for Debug, Asan and Tsan"
       ${lb_hooks_default})

# Folder holding Pleo's and Xero's OpenAPI files; tests read it at run time and skip when absent.
set(LEDGERBRIDGE_REFERENCE_DIR "${CMAKE_SOURCE_DIR}/../shared/reference"
    CACHE PATH "Reference data folder (overridable at test time with LEDGERBRIDGE_REFERENCE_DIR)")

# lb_warnings(target): the project's warning set; -Werror when LEDGERBRIDGE_WERROR is on.
function(lb_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wnull-dereference -Wdouble-promotion -Wformat=2)
  if(LEDGERBRIDGE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_BUILD_TYPE STREQUAL "Tsan")
    # GCC 12 with -fsanitize=thread reports "potential null pointer dereference" inside
    # libstdc++'s streambuf (std::string from istreambuf_iterator): the instrumentation changes
    # what is inlined. Debug and Asan builds keep the warning; only TSan's false positives go.
    target_compile_options(${target} PRIVATE -Wno-null-dereference)
  endif()
endfunction()

# lb_add_module(name SOURCES ... DEPENDS ...): one core module = one static library
# `lb_<name>` with public headers in <folder>/include.
function(lb_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(lb_${name} STATIC ${ARG_SOURCES})
  add_library(ledgerbridge::${name} ALIAS lb_${name})
  target_include_directories(lb_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(lb_${name} PUBLIC ${ARG_DEPENDS})
  lb_warnings(lb_${name})
endfunction()

# lb_add_test(name SOURCES ... DEPENDS ... [ENVIRONMENT k=v ...] [TIMEOUT s] [LABELS ...]
#             [FIXTURES_REQUIRED fixture]):
# a GoogleTest executable whose cases CTest discovers one by one. Every test executable gets
# the source, build and reference folders as environment defaults (LEDGERBRIDGE_SOURCE_DIR,
# LEDGERBRIDGE_BINARY_DIR, LEDGERBRIDGE_REFERENCE_DIR_DEFAULT) compiled in, so it behaves the
# same under ctest and when run by hand.
configure_file(${CMAKE_CURRENT_LIST_DIR}/TestEnvironment.cpp.in ${CMAKE_BINARY_DIR}/generated/TestEnvironment.cpp @ONLY)
function(lb_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;FIXTURES_REQUIRED" "SOURCES;DEPENDS;ENVIRONMENT;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} ${CMAKE_BINARY_DIR}/generated/TestEnvironment.cpp)
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main Threads::Threads)
  lb_warnings(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set(props TIMEOUT ${ARG_TIMEOUT})
  # gtest_discover_tests splits list values, so only a single extra variable can be passed here.
  list(LENGTH ARG_ENVIRONMENT env_count)
  if(env_count GREATER 1)
    message(FATAL_ERROR "lb_add_test(${name}): pass at most one ENVIRONMENT entry")
  elseif(env_count EQUAL 1)
    list(APPEND props ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
  # A suite without LABELS is labelled with its executable's name, so a phase can run whole
  # suites (scripts/test's Tsan phase: ctest -L '^(export_tests|...)$'). One label only: the
  # discovery splits list values.
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  else()
    list(APPEND props LABELS "${name}")
  endif()
  if(ARG_FIXTURES_REQUIRED)
    list(APPEND props FIXTURES_REQUIRED "${ARG_FIXTURES_REQUIRED}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
endfunction()
