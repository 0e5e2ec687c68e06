#include "persistence/snapshot.hpp"

#include "persistence/journal.hpp"

#include <algorithm>

namespace analysisd {

const std::string snapshot_magic = current_magic("ANSNAP");

namespace {

void put_u64(std::string& out, std::uint64_t x) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t x = 0;
  for (int i = 0; i < 8; ++i)
    x |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return x;
}

} // namespace

std::error_code write_snapshot(storage& st, const std::string& state_dir, const state_map& state,
                               std::uint64_t next_journal_seq) {
  auto tmp = state_dir + "/" + snapshot_file_name + ".tmp";
  if (auto ec = st.remove(tmp)) // a leftover of a crash during an earlier snapshot
    return ec;
  std::unique_ptr<writable_file> file;
  if (auto ec = st.create_exclusive(tmp, file))
    return ec;
  auto fail = [&](std::error_code ec) {
    file.reset();
    st.remove(tmp);
    return ec;
  };
  std::string buf = snapshot_magic;
  std::string header;
  put_u64(header, next_journal_seq);
  put_u64(header, state.size());
  append_frame(buf, header);
  for (auto& [id, analysis] : state) {
    append_frame(buf, encode_state(analysis));
    if (buf.size() >= (1u << 22)) {
      if (auto ec = file->append(buf.data(), buf.size()))
        return fail(ec);
      buf.clear();
    }
  }
  if (auto ec = file->append(buf.data(), buf.size()))
    return fail(ec);
  if (auto ec = file->sync())
    return fail(ec);
  if (auto ec = file->close())
    return fail(ec);
  if (auto ec = st.rename(tmp, state_dir + "/" + snapshot_file_name))
    return fail(ec);
  return st.sync_dir(state_dir);
}

std::string decode_snapshot(const std::string& bytes, state_map& out,
                            std::uint64_t& next_journal_seq, int* format_out) {
  // Decoded aside and handed over only whole: a damaged snapshot loads nothing.
  state_map state;
  std::uint64_t next_seq = 1;
  int format = 0;
  switch (read_magic(bytes, "ANSNAP", format)) {
    case magic_kind::known:
      break;
    case magic_kind::newer:
      if (format_out != nullptr)
        *format_out = format;
      return "snapshot has format " + std::to_string(format)
             + ", newer than this analysisd reads (1 to " + std::to_string(current_format) + ")";
    default:
      return "snapshot does not start with the snapshot magic";
  }
  if (format_out != nullptr)
    *format_out = format;
  bool have_header = false;
  std::uint64_t expected = 0;
  std::string bad;
  auto res = scan_frames(bytes.data() + snapshot_magic.size(), bytes.size() - snapshot_magic.size(),
                         [&](const char* data, std::size_t size) {
                           if (!have_header) {
                             if (size != 16)
                               return false;
                             next_seq = get_u64(data);
                             expected = get_u64(data + 8);
                             have_header = true;
                             // Every analysis takes more than 16 bytes: a
                             // damaged count cannot reserve absurd memory.
                             state.reserve(std::min<std::uint64_t>(expected, bytes.size() / 16));
                             return true;
                           }
                           analysis_state a;
                           if (!decode_state(data, size, a, format) || !is_valid_id(a.id)
                               || state.count(a.id) != 0)
                             return false;
                           auto id = a.id;
                           state.emplace(std::move(id), std::move(a));
                           return true;
                         });
  if (!res.damage.empty())
    return "snapshot is damaged: " + res.damage;
  if (!have_header)
    return "snapshot has no header";
  if (state.size() != expected)
    return "snapshot holds " + std::to_string(state.size()) + " analyses, its header says "
           + std::to_string(expected);
  out = std::move(state);
  next_journal_seq = next_seq;
  return {};
}

std::string load_snapshot(storage& st, const std::string& state_dir, state_map& state,
                          std::uint64_t& next_journal_seq, int* format) {
  auto path = state_dir + "/" + snapshot_file_name;
  next_journal_seq = 1;
  if (format != nullptr)
    *format = 0;
  if (!st.exists(path))
    return {};
  std::string bytes;
  if (auto ec = st.read_all(path, bytes))
    return "cannot read " + path + ": " + ec.message();
  return decode_snapshot(bytes, state, next_journal_seq, format);
}

} // namespace analysisd
