// Journal decoding on arbitrary bytes: the frame scanner on the raw input, and
// record decoding and replay (apply) on frames built from the input's chunks
// with correct checksums (see frames.hpp). Invariants: never throws; the
// scanner hands out only whole frames whose CRC matches; a decoded record
// encodes to bytes that decode to the same encoding; replay keeps every
// analysis under its own valid id.

#include "frames.hpp"
#include "fuzz_check.hpp"
#include "persistence/journal.hpp"
#include "persistence/recovery.hpp"

#include <boost/crc.hpp>

#include <cstdint>
#include <cstring>
#include <string>

using namespace analysisd;

namespace {

std::uint32_t le32(const char* p) {
  std::uint32_t x = 0;
  for (int i = 0; i < 4; ++i)
    x |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return x;
}

// Scans `bytes` (ended by zeros with `zeros_end`), checking each frame
// handed out; replays decodable records.
scan_result scan_checked(const std::string& bytes, state_map& state, bool zeros_end = false) {
  const char* begin = bytes.data();
  std::size_t payloads = 0;
  auto res = scan_frames(begin, bytes.size(), [&](const char* data, std::size_t size) {
    FUZZ_CHECK(data >= begin + 8 && data + size <= begin + bytes.size());
    FUZZ_CHECK(le32(data - 8) == size);
    boost::crc_32_type crc;
    crc.process_bytes(data, size);
    FUZZ_CHECK(crc.checksum() == le32(data - 4));
    ++payloads;
    journal_record rec;
    if (!decode_record(data, size, rec))
      return false;
    auto kind = static_cast<std::uint8_t>(rec.kind);
    FUZZ_CHECK(kind >= 1 && kind <= 5);
    auto again = encode_record(rec);
    journal_record rec2;
    FUZZ_CHECK(decode_record(again.data(), again.size(), rec2));
    FUZZ_CHECK(encode_record(rec2) == again);
    apply(state, std::move(rec));
    return true;
  }, zeros_end);
  FUZZ_CHECK(res.valid_bytes <= bytes.size());
  FUZZ_CHECK(zeros_end || !res.zero_tail);
  FUZZ_CHECK(!res.zero_tail || bytes.find_first_not_of('\0', res.valid_bytes) == std::string::npos);
  FUZZ_CHECK(res.damage.empty() == (res.valid_bytes == bytes.size() || res.zero_tail));
  FUZZ_CHECK(res.frames <= payloads && payloads <= res.frames + 1);
  for (auto& [id, a] : state) {
    FUZZ_CHECK(id == a.id && is_valid_id(id));
  }
  return res;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);

  // The input as one payload.
  journal_record rec;
  if (decode_record(input.data(), input.size(), rec)) {
    auto again = encode_record(rec);
    FUZZ_CHECK(decode_record(again.data(), again.size(), rec));
    FUZZ_CHECK(encode_record(rec) == again);
  }
  analysis_state st;
  if (decode_state(input.data(), input.size(), st)) {
    auto again = encode_state(st);
    FUZZ_CHECK(decode_state(again.data(), again.size(), st));
    FUZZ_CHECK(encode_state(st) == again);
  }

  // The input as frames, and as the frames of a journal that ends with zeros.
  state_map raw_state;
  scan_checked(input, raw_state);
  state_map zeros_state;
  scan_checked(input, zeros_state, true);

  // The input's chunks as correctly framed records.
  std::string framed;
  auto chunks = fuzz::split_chunks(input);
  for (auto& c : chunks)
    append_frame(framed, c);
  state_map state;
  auto res = scan_checked(framed, state);
  FUZZ_CHECK(res.frames <= chunks.size());
  FUZZ_CHECK(res.damage.empty() == (res.frames == chunks.size()));
  // Followed by zeros ahead, the same frames end at the same place, with
  // no damage where there was none.
  framed.append(input.size() % 64, '\0');
  state_map ahead;
  auto with_zeros = scan_checked(framed, ahead, true);
  FUZZ_CHECK(with_zeros.frames == res.frames);
  FUZZ_CHECK(with_zeros.valid_bytes == res.valid_bytes);
  FUZZ_CHECK(!res.damage.empty() || with_zeros.damage.empty());
  return 0;
}
