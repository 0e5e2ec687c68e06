// Snapshot decoding on arbitrary bytes: decode_snapshot on the raw input, and
// on a snapshot image built from the input's chunks (magic + correctly framed
// chunks, see frames.hpp). Invariants: never throws; a damaged snapshot loads
// nothing (the output is untouched); a loaded one holds as many analyses as
// its header says, each under its own valid id, and writing it back gives a
// snapshot that decodes to the same analyses.

#include "frames.hpp"
#include "fuzz_check.hpp"
#include "memory_storage.hpp"
#include "persistence/journal.hpp"
#include "persistence/snapshot.hpp"

#include <cstdint>
#include <string>

using namespace analysisd;

namespace {

void check_decode(const std::string& bytes) {
  state_map state;
  state["untouch1"].id = "untouch1";
  std::uint64_t next = 77;
  auto err = decode_snapshot(bytes, state, next);
  if (!err.empty()) {
    FUZZ_CHECK(state.size() == 1 && state.count("untouch1") == 1 && next == 77);
    return;
  }
  for (auto& [id, a] : state)
    FUZZ_CHECK(id == a.id && is_valid_id(id));
  // Written back through the real writer, it loads the same.
  fuzz::memory_storage st;
  st.dirs.insert("/s");
  FUZZ_CHECK(!write_snapshot(st, "/s", state, next));
  state_map again;
  std::uint64_t next_again = 0;
  FUZZ_CHECK(load_snapshot(st, "/s", again, next_again).empty());
  FUZZ_CHECK(next_again == next && again.size() == state.size());
  for (auto& [id, a] : state)
    FUZZ_CHECK(again.count(id) == 1 && encode_state(again.at(id)) == encode_state(a));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  check_decode(input);
  std::string framed = snapshot_magic;
  for (auto& c : fuzz::split_chunks(input))
    append_frame(framed, c);
  check_decode(framed);
  return 0;
}
