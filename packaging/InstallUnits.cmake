# Run by `cmake --install` (install(CODE) includes it): writes the systemd units from their
# templates with the paths of *this* installation. At install time CMAKE_INSTALL_PREFIX is the
# prefix actually used (`--prefix P` included), which configure time cannot know.
#   In: LB_UNIT_TEMPLATES (the .in files), CMAKE_INSTALL_PREFIX, DESTDIR (environment).
# The configuration file lives in /etc/ledgerbridge for the /usr prefix (the FHS, as
# GNUInstallDirs decides) and in <prefix>/etc/ledgerbridge for any other.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR CMAKE_INSTALL_PREFIX STREQUAL "/")
  set(_sysconf "/etc")
else()
  set(_sysconf "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(LEDGERBRIDGE_BINARY "${CMAKE_INSTALL_PREFIX}/bin/ledgerbridge")
set(LEDGERBRIDGE_CONFIG_FILE "${_sysconf}/ledgerbridge/ledgerbridge.ini")
set(_unit_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
foreach(_template IN LISTS LB_UNIT_TEMPLATES)
  get_filename_component(_name "${_template}" NAME)
  string(REGEX REPLACE "\\.in$" "" _name "${_name}")
  message(STATUS "Installing: ${_unit_dir}/${_name}")
  configure_file("${_template}" "${_unit_dir}/${_name}" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${_unit_dir}/${_name}")  # so install_manifest.txt lists it
endforeach()
