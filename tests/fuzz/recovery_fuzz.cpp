// Recovery of a state directory built from arbitrary bytes, on an in-memory
// storage. The input is a list of chunks (see frames.hpp); the first byte of
// each says where the rest goes: (tag & 7) % 5 picks the file (0: snapshot,
// k: journal k), tag & 8 appends the bytes raw (damage) instead of as one
// correctly checksummed frame, and tag & 16, on a file's first chunk, leaves
// out its magic. Invariants: never throws; a refused recovery changes no file;
// after a successful one, no journal byte but zeros is lost (what was cut is
// in the quarantine, but for the zeros it ended with), every analysis sits
// under its own valid id and renders, and a second recovery finds no damage
// and the same analyses.

#include "frames.hpp"
#include "fuzz_check.hpp"
#include "memory_storage.hpp"
#include "persistence/journal.hpp"
#include "persistence/recovery.hpp"
#include "persistence/snapshot.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

using namespace analysisd;

namespace {

const std::string dir = "/state";

// The bytes other than zeros in the journals from `from_seq` on and in the
// quarantine: recovery may drop the zeros a journal ends with (its writer's
// zeros ahead), and sets anything else it cuts aside.
std::size_t journal_bytes(const fuzz::memory_storage& st, std::uint64_t from_seq) {
  std::size_t n = 0;
  auto count = [&](const std::string& bytes) {
    auto zeros = std::count(bytes.begin(), bytes.end(), '\0');
    n += bytes.size() - static_cast<std::size_t>(zeros);
  };
  for (auto& [path, bytes] : st.files) {
    std::uint64_t seq = 0;
    auto slash = path.rfind('/');
    auto name = path.substr(slash + 1);
    if (path.compare(0, dir.size() + 12, dir + "/quarantine/") == 0)
      count(bytes);
    else if (path.substr(0, slash) == dir && parse_journal_name(name, seq) && seq >= from_seq)
      count(bytes);
  }
  return n;
}

// Every analysis under its own id, and renderable: the registry renders
// recovered analyses (GET, lists) inside the actor, where a throw kills it.
std::map<std::string, std::string> encoded(const state_map& state) {
  std::map<std::string, std::string> out;
  for (auto& [id, a] : state) {
    FUZZ_CHECK(id == a.id && is_valid_id(id));
    bool rendered = false;
    try {
      render_analysis(a, false);
      for (auto& f : a.files)
        render_file(a.id, f);
      rendered = true;
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "render threw: %s\n", ex.what());
    }
    FUZZ_CHECK(rendered);
    out[id] = encode_state(a);
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  fuzz::memory_storage st;
  st.dirs.insert(dir);
  for (auto& chunk : fuzz::split_chunks(input)) {
    if (chunk.empty())
      continue;
    auto tag = static_cast<unsigned char>(chunk[0]);
    auto file = (tag & 7) % 5;
    auto path = dir + "/" + (file == 0 ? std::string(snapshot_file_name) : journal_name(file));
    if (!st.files.count(path) && !(tag & 16))
      st.files[path] = file == 0 ? snapshot_magic : journal_magic;
    if (tag & 8)
      st.files[path] += chunk.substr(1);
    else
      append_frame(st.files[path], chunk.substr(1));
  }

  // What the snapshot says, to know which journals recovery may drop as folded in.
  std::uint64_t snapshot_next = 1;
  state_map ignored;
  if (st.files.count(dir + "/snapshot"))
    decode_snapshot(st.files[dir + "/snapshot"], ignored, snapshot_next);

  auto before = st.files;
  auto bytes_before = journal_bytes(st, snapshot_next);
  recovery_report rep;
  auto err = recover(st, dir, rep);
  if (!err.empty()) {
    FUZZ_CHECK(st.files == before);
    return 0;
  }
  FUZZ_CHECK(journal_bytes(st, snapshot_next) == bytes_before);
  FUZZ_CHECK(rep.next_journal_seq >= snapshot_next);
  auto first = encoded(rep.analyses);
  for (auto& [path, bytes] : st.files) {
    std::uint64_t seq = 0;
    if (path.substr(0, dir.size() + 1) == dir + "/" && parse_journal_name(path.substr(dir.size() + 1), seq))
      FUZZ_CHECK(seq < rep.next_journal_seq);
  }

  recovery_report again;
  FUZZ_CHECK(recover(st, dir, again).empty());
  FUZZ_CHECK(again.damage.empty());
  FUZZ_CHECK(encoded(again.analyses) == first);
  return 0;
}
