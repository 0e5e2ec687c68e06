#pragma once

// Fuzzed bytes rarely carry a valid CRC32, so the persistence targets also
// build files from the input with correct frames: the input is a list of
// chunks `[u16 little-endian length][bytes]` (a last, short chunk takes what
// is left), and each chunk becomes one frame (or raw bytes, as damage).

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd::fuzz {

inline std::vector<std::string> split_chunks(const std::string& in) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos + 2 <= in.size()) {
    std::size_t len = static_cast<unsigned char>(in[pos])
                      | (static_cast<std::size_t>(static_cast<unsigned char>(in[pos + 1])) << 8);
    pos += 2;
    len = std::min(len, in.size() - pos);
    out.push_back(in.substr(pos, len));
    pos += len;
  }
  return out;
}

/// The inverse of split_chunks, for writing seeds.
inline std::string join_chunks(const std::vector<std::string>& chunks) {
  std::string out;
  for (auto& c : chunks) {
    out.push_back(static_cast<char>(c.size() & 0xFF));
    out.push_back(static_cast<char>((c.size() >> 8) & 0xFF));
    out += c;
  }
  return out;
}

} // namespace analysisd::fuzz
