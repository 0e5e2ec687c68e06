# Writes OUTPUT, a C++ source defining `std::string_view FUNCTION()` in
# namespace analysisd that returns the bytes of INPUT, exactly (a byte array,
# so no escaping can change them). Run at build time:
#   cmake -DINPUT=... -DOUTPUT=... -DFUNCTION=... -P embed_file.cmake
# It includes nothing heavy: it compiles in a moment, without the PCH.
foreach(var INPUT OUTPUT FUNCTION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_file.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
# 0xNN, for every byte; a line break after every 16.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# (CMake's regular expressions have no {16}.)
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n  " bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)

set(text "// Generated from ${name} by cmake/embed_file.cmake at build time: do not edit.
#include <string_view>

namespace analysisd {

namespace {

// ${size} bytes, and a NUL that is not part of them (an empty file is legal).
const unsigned char embedded[] = {
  ${bytes}0x00};

} // namespace

std::string_view ${FUNCTION}() {
  return {reinterpret_cast<const char*>(embedded), ${size}};
}

} // namespace analysisd
")

file(WRITE "${OUTPUT}" "${text}")
