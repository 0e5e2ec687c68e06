# RESTinio 0.6.16 as Debian 12 ships it (librestinio-dev 0.6.16-0.2, whose
# headers are upstream's dev/restinio unchanged), vendored in
# third_party/restinio/restinio, plus the patches in third_party/restinio/patches
# (written against upstream's tree, hence their dev/ prefix). At configure time
# the pristine copy goes to the build dir and every patch is applied to it;
# a patch that does not apply stops the configuration.
#
# Defines analysisd::restinio: the patched headers, with what
# restinio::restinio brings (fmt, http_parser, standalone asio).

set(_restinio_src "${CMAKE_CURRENT_LIST_DIR}")
set(_restinio_out "${CMAKE_BINARY_DIR}/third_party/restinio")
# CONFIGURE_DEPENDS: a patch file added later makes the build configure again.
file(GLOB _restinio_patches CONFIGURE_DEPENDS "${_restinio_src}/patches/*.patch")
list(SORT _restinio_patches)
file(GLOB_RECURSE _restinio_headers "${_restinio_src}/restinio/*")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_restinio_patches} ${_restinio_headers})

# The patched copy is made again only when a patch or a vendored header
# changed: a fresh copy has fresh mtimes, which would rebuild every file that
# includes RESTinio at each reconfiguration.
set(_restinio_inputs "")
foreach(_f IN LISTS _restinio_patches _restinio_headers)
  file(SHA256 "${_f}" _h)
  string(APPEND _restinio_inputs "${_f} ${_h}\n")
endforeach()
string(SHA256 _restinio_stamp "${_restinio_inputs}")
set(_restinio_stamp_file "${_restinio_out}/.analysisd-stamp")
set(_restinio_old_stamp "")
if(EXISTS "${_restinio_stamp_file}")
  file(READ "${_restinio_stamp_file}" _restinio_old_stamp)
endif()
if(NOT _restinio_old_stamp STREQUAL _restinio_stamp)
  find_program(PATCH_PROGRAM patch REQUIRED)
  file(REMOVE_RECURSE "${_restinio_out}")
  file(MAKE_DIRECTORY "${_restinio_out}")
  file(COPY "${_restinio_src}/restinio" DESTINATION "${_restinio_out}")
  foreach(_p IN LISTS _restinio_patches)
    execute_process(
      COMMAND "${PATCH_PROGRAM}" -p2 --forward --batch --silent -i "${_p}"
      WORKING_DIRECTORY "${_restinio_out}"
      RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "${_p} does not apply to RESTinio in ${_restinio_src}:\n${_out}")
    endif()
  endforeach()
  file(WRITE "${_restinio_stamp_file}" "${_restinio_stamp}")
endif()

add_library(analysisd_restinio INTERFACE)
add_library(analysisd::restinio ALIAS analysisd_restinio)
# SYSTEM, as Debian's copy was: its own warnings are not ours; -isystem
# directories still come before /usr/include.
target_include_directories(analysisd_restinio SYSTEM BEFORE INTERFACE "${_restinio_out}")
target_link_libraries(analysisd_restinio INTERFACE restinio::restinio)
