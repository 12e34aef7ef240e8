# CTest script (test module_boundaries, core/CMakeLists.txt): the export engine and core/http
# need nothing of core/oauth, neither for HTTP nor for the crash hooks (issue 17: the transport
# moved to core/http; the engine gets its hooks through EngineSettings::onStep).
#   -DSOURCE_DIR=<core>  -DCLOSURE_<module>=<targets lb_<module> links, transitively, '|'-separated>
# Fails naming each source file that includes a ledgerbridge/oauth header and each module whose
# link closure holds lb_oauth. core/pleo is the control: it does use OAuth, and a scan that
# cannot see that would pass whatever the code does.
cmake_minimum_required(VERSION 3.18)  # IN_LIST in script mode

function(oauth_includes module out)
  file(GLOB_RECURSE files "${SOURCE_DIR}/${module}/src/*" "${SOURCE_DIR}/${module}/include/*")
  list(LENGTH files count)
  if(count EQUAL 0)
    message(FATAL_ERROR "module_boundaries: no sources under ${SOURCE_DIR}/${module}")
  endif()
  set(found "")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" hits REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]ledgerbridge/oauth/")
    if(hits)
      list(APPEND found "${f}")
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

set(problems "")
foreach(module export http)
  oauth_includes(${module} found)
  foreach(f IN LISTS found)
    string(APPEND problems "\n  ${f} includes a ledgerbridge/oauth header")
  endforeach()
  string(REPLACE "|" ";" closure "${CLOSURE_${module}}")
  if(NOT closure)
    string(APPEND problems "\n  no link closure given for lb_${module}")
  elseif("lb_oauth" IN_LIST closure)
    string(APPEND problems "\n  lb_${module} links lb_oauth (through: ${CLOSURE_${module}})")
  endif()
endforeach()

oauth_includes(pleo found)
string(REPLACE "|" ";" pleo_closure "${CLOSURE_pleo}")
if(NOT found OR NOT "lb_oauth" IN_LIST pleo_closure)
  string(APPEND problems "\n  the control failed: core/pleo uses OAuth, but the scan saw no include or no link")
endif()

if(problems)
  message(FATAL_ERROR "module_boundaries:${problems}")
endif()
message(STATUS "module_boundaries: lb_export and lb_http include and link nothing of core/oauth")
