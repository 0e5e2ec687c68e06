#include "persistence/snapshot.hpp"

#include "persistence/journal.hpp"
#include "persistence/side_by_side.hpp"

#include <algorithm>
#include <atomic>
#include <vector>

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

// Adds the analysis of one frame's payload to `into`; false if it does not
// decode or repeats an id.
bool take_analysis(const char* payload, std::size_t size, int format, state_map& into) {
  analysis_state a;
  if (!decode_state(payload, size, a, format) || !is_valid_id(a.id))
    return false;
  auto id = a.id;
  return into.emplace(std::move(id), std::move(a)).second;
}

// Decodes the analyses framed in data[0, size) into `into`: false at the
// first frame that is torn or corrupt, does not decode, or repeats an id.
bool decode_analyses(const char* data, std::size_t size, int format, state_map& into) {
  return scan_frames(data, size, [&](const char* payload, std::size_t n) {
           return take_analysis(payload, n, format, into);
         }).damage.empty();
}

// Frame-aligned offsets that cut data[0, size) into about `pieces` runs of
// equal bytes: 0, then the end of each run, the last being `size`. Only the
// frame lengths are read (the decode checks the rest); empty if one cannot
// be right.
std::vector<std::size_t> frame_cuts(const char* data, std::size_t size, std::size_t pieces) {
  std::vector<std::size_t> cuts{0};
  auto step = size / pieces + 1;
  std::size_t pos = 0;
  while (pos < size) {
    if (size - pos < 8)
      return {};
    auto len = frame_payload_length(data + pos);
    if (len > max_frame_payload || size - pos - 8 < len)
      return {};
    pos += 8 + len;
    if (pos == size || pos >= cuts.size() * step)
      cuts.push_back(pos);
  }
  return cuts;
}

// The analyses of a large snapshot, decoded on two threads side by side
// (the decode is most of a start on a million analyses: about 3 s on one
// thread, 1.5-2 s on two), each taking the next of 32 runs of frames until
// none is left, so that both end together however fast each runs. False if
// anything was wrong: the caller then decodes the snapshot in one pass,
// which says exactly what.
bool decode_side_by_side(const char* data, std::size_t size, std::uint64_t expected, int format,
                         state_map& out) {
  auto cuts = frame_cuts(data, size, 32);
  if (cuts.empty())
    return false;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto decode_runs = [&](state_map& into) {
    into.reserve(expected);
    for (auto k = next++; k + 1 < cuts.size() && !failed; k = next++)
      if (!decode_analyses(data + cuts[k], cuts[k + 1] - cuts[k], format, into))
        failed = true;
  };
  state_map first, second;
  side_by_side([&] { decode_runs(first); }, [&] { decode_runs(second); });
  if (failed)
    return false;
  first.merge(second);
  if (!second.empty()) // an id on both sides
    return false;
  out = std::move(first);
  return true;
}

// Below this many bytes of analyses a second thread is not worth making.
constexpr std::size_t parallel_decode_bytes = 4u << 20;

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
                            std::uint64_t& next_journal_seq, int* format_out, bool two_threads) {
  // Decoded aside and handed over only whole: a damaged snapshot loads nothing.
  state_map state;
  std::uint64_t next_seq = 1;
  std::uint64_t expected = 0;
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
  const char* body = bytes.data() + snapshot_magic.size();
  std::size_t body_size = bytes.size() - snapshot_magic.size();
  if (two_threads && body_size >= 8 + 16 + parallel_decode_bytes
      && frame_payload_length(body) == 16) {
    bool header_ok = false;
    auto header = scan_frames(body, 8 + 16, [&](const char* data, std::size_t) {
      next_seq = get_u64(data);
      expected = get_u64(data + 8);
      return header_ok = true;
    });
    // A damaged count cannot reserve absurd memory: every analysis takes
    // more than 16 bytes.
    if (header_ok && header.damage.empty() && expected <= body_size / 16
        && decode_side_by_side(body + 8 + 16, body_size - 8 - 16, expected, format, state)
        && state.size() == expected) {
      out = std::move(state);
      next_journal_seq = next_seq;
      return {};
    }
    state.clear();
    next_seq = 1;
  }
  bool have_header = false;
  auto res = scan_frames(body, body_size,
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
                           return take_analysis(data, size, format, state);
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
                          std::uint64_t& next_journal_seq, int* format, bool two_threads) {
  auto path = state_dir + "/" + snapshot_file_name;
  next_journal_seq = 1;
  if (format != nullptr)
    *format = 0;
  if (!st.exists(path))
    return {};
  std::string bytes;
  if (auto ec = st.read_all(path, bytes))
    return "cannot read " + path + ": " + ec.message();
  return decode_snapshot(bytes, state, next_journal_seq, format, two_threads);
}

} // namespace analysisd
