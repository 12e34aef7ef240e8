# CMake functions for building ledgerbridge plugins and running the conformance kit on them.
# Included by LedgerBridgeSDKConfig.cmake (installed SDK) and by the ledgerbridge tree itself,
# so first-party plugins are built exactly like third-party ones.
#
# Expects: the target LedgerBridgeSDK::sdk (headers) and, for the kit, LEDGERBRIDGE_TESTKIT_DIR.

include_guard(GLOBAL)

# ledgerbridge_add_plugin(<name> SOURCES <files...> [LIBRARIES <libs...>] [OUTPUT_DIRECTORY <dir>])
# Builds <name>.so: a MODULE library with hidden visibility, position-independent code and no
# undefined symbols allowed (-Wl,--no-undefined), linked against the SDK headers. A version
# script makes the entry point LEDGERBRIDGE_PLUGIN() defines the only exported symbol. OUTPUT_DIRECTORY defaults
# to LEDGERBRIDGE_PLUGIN_OUTPUT_DIR when set, else the current binary dir.
function(ledgerbridge_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ledgerbridge_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE LedgerBridgeSDK::sdk ${ARG_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_17)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  # A version script as well: -fvisibility=hidden alone lets clang export libstdc++ template
  # instantiations (std is declared with default visibility), which could bind across plugins.
  set(exports "${CMAKE_CURRENT_BINARY_DIR}/${name}.exports")
  file(WRITE "${exports}" "{\n  global: ledgerbridge_plugin_abi_*;\n  local: *;\n};\n")
  target_link_options(${name} PRIVATE "-Wl,--no-undefined" "-Wl,--version-script=${exports}")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${exports}")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  elseif(DEFINED LEDGERBRIDGE_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${LEDGERBRIDGE_PLUGIN_OUTPUT_DIR}")
  endif()
endfunction()

# ledgerbridge_add_conformance_test(<test-name> PLUGIN <plugin-target> SETTINGS <file>
#                                   [SOURCES <your .cpp ...>] [LIBRARIES <targets ...>])
# Builds the conformance kit (GoogleTest) as executable <test-name> and registers it with CTest,
# pointed at the plugin target's file and the settings file (see the SDK README for its format).
# SOURCES/LIBRARIES are linked into the kit binary: an HTTP plugin registers its network there
# (testkit::setHttpResponderFactory, e.g. forwarding to a local double of its target system).
function(ledgerbridge_add_conformance_test name)
  cmake_parse_arguments(ARG "" "PLUGIN;SETTINGS" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_PLUGIN OR NOT ARG_SETTINGS)
    message(FATAL_ERROR "ledgerbridge_add_conformance_test(${name}): PLUGIN and SETTINGS are required")
  endif()
  if(NOT TARGET GTest::gtest)
    find_package(GTest REQUIRED)
  endif()
  if(NOT TARGET Boost::filesystem)
    find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
  endif()
  find_package(Threads REQUIRED)
  # The kit is compiled once per build tree, not once per plugin (ten kit sources in each of
  # eight kit binaries were the build's largest duplicate). An object library, linked directly,
  # puts all its objects into the binary: a static archive would drop the test cases nothing
  # references.
  if(NOT TARGET ledgerbridge_conformance_kit)
    file(GLOB kit_sources "${LEDGERBRIDGE_TESTKIT_DIR}/src/*.cpp")
    add_library(ledgerbridge_conformance_kit OBJECT ${kit_sources})
    target_include_directories(ledgerbridge_conformance_kit PUBLIC "${LEDGERBRIDGE_TESTKIT_DIR}/include")
    target_link_libraries(ledgerbridge_conformance_kit PUBLIC LedgerBridgeSDK::sdk GTest::gtest Boost::filesystem
                                                              Threads::Threads ${CMAKE_DL_LIBS})
    target_compile_features(ledgerbridge_conformance_kit PRIVATE cxx_std_17)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ledgerbridge_conformance_kit ${ARG_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_17)
  add_dependencies(${name} ${ARG_PLUGIN})
  get_filename_component(settings "${ARG_SETTINGS}" ABSOLUTE)
  add_test(NAME ${name} COMMAND ${name} --plugin=$<TARGET_FILE:${ARG_PLUGIN}> --settings=${settings})
endfunction()
