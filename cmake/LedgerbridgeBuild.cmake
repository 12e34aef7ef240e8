# Shared build settings and helpers for every ledgerbridge target.

# Asan build type: AddressSanitizer and UndefinedBehaviorSanitizer with debug info.
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    CACHE STRING "C++ flags for the Asan build type" FORCE)
set(CMAKE_C_FLAGS_ASAN "${CMAKE_CXX_FLAGS_ASAN}" CACHE STRING "C flags for the Asan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
mark_as_advanced(CMAKE_CXX_FLAGS_ASAN CMAKE_C_FLAGS_ASAN CMAKE_EXE_LINKER_FLAGS_ASAN CMAKE_SHARED_LINKER_FLAGS_ASAN)

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

# lb_add_test(name SOURCES ... DEPENDS ... [ENVIRONMENT k=v ...] [TIMEOUT s] [LABELS ...]):
# a GoogleTest executable whose cases CTest discovers one by one. Every test executable gets
# the source, build and reference folders as environment defaults (LEDGERBRIDGE_SOURCE_DIR,
# LEDGERBRIDGE_BINARY_DIR, LEDGERBRIDGE_REFERENCE_DIR_DEFAULT) compiled in, so it behaves the
# same under ctest and when run by hand.
configure_file(${CMAKE_CURRENT_LIST_DIR}/TestEnvironment.cpp.in ${CMAKE_BINARY_DIR}/generated/TestEnvironment.cpp @ONLY)
function(lb_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPENDS;ENVIRONMENT;LABELS" ${ARGN})
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
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
endfunction()
