#include "persistence/snapshot.hpp"

#include "persistence/journal.hpp"
#include "persistence/side_by_side.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
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

// Adds `a` to `into`; false if its id is there already.
bool add_analysis(state_map& into, analysis_state&& a) {
  auto id = a.id;
  return into.emplace(std::move(id), std::move(a)).second;
}

// Adds the analysis of one frame's payload to `into`; false if it does not
// decode or repeats an id.
bool take_analysis(const char* payload, std::size_t size, int format, state_map& into) {
  analysis_state a;
  return decode_state(payload, size, a, format) && is_valid_id(a.id)
         && add_analysis(into, std::move(a));
}

// The header frame that starts a snapshot's body, alone (its checksum
// checked): the next journal's number and the analyses it says follow.
bool read_header(const char* body, std::size_t body_size, std::uint64_t& next_seq,
                 std::uint64_t& expected) {
  if (body_size < 8 + 16 || frame_payload_length(body) != 16)
    return false;
  return scan_frames(body, 8 + 16, [&](const char* data, std::size_t) {
           next_seq = get_u64(data);
           expected = get_u64(data + 8);
           return true;
         }).damage.empty();
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
    try {
      into.reserve(expected);
      for (auto k = next++; k + 1 < cuts.size() && !failed; k = next++)
        if (!decode_analyses(data + cuts[k], cuts[k + 1] - cuts[k], format, into))
          failed = true;
    } catch (...) { // out of memory, say: the other thread stops too
      failed = true;
      throw;
    }
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

namespace {

// Writes a snapshot durably: a temporary file, fsync, rename over the old
// snapshot, fsync of the directory. `frames(add)` calls `add` with the
// header frame, then each analysis's whole frame. On error the old snapshot
// is untouched and no temporary file remains.
std::error_code write_frames(
  storage& st, const std::string& state_dir,
  const std::function<std::error_code(const std::function<std::error_code(const char*, std::size_t)>&)>&
    frames) {
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
  auto add = [&](const char* data, std::size_t size) -> std::error_code {
    buf.append(data, size);
    if (buf.size() < (1u << 22))
      return {};
    auto ec = file->append(buf.data(), buf.size());
    buf.clear();
    return ec;
  };
  if (auto ec = frames(add))
    return fail(ec);
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

std::string header_frame(std::uint64_t next_journal_seq, std::uint64_t count) {
  std::string header;
  put_u64(header, next_journal_seq);
  put_u64(header, count);
  std::string frame;
  append_frame(frame, header);
  return frame;
}

} // namespace

std::error_code write_snapshot(storage& st, const std::string& state_dir, const state_map& state,
                               std::uint64_t next_journal_seq) {
  return write_frames(st, state_dir, [&](const auto& add) -> std::error_code {
    auto header = header_frame(next_journal_seq, state.size());
    if (auto ec = add(header.data(), header.size()))
      return ec;
    std::string frame;
    for (auto& [id, analysis] : state) {
      frame.clear();
      append_frame(frame, encode_state(analysis));
      if (auto ec = add(frame.data(), frame.size()))
        return ec;
    }
    return {};
  });
}

namespace {

// Checks a snapshot image's magic; sets `format` (and `*format_out`, if
// given, also for a newer format). An empty string if it can be read.
std::string check_magic(const std::string& bytes, int& format, int* format_out) {
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
  return {};
}

// Walks the frames after a snapshot's magic in one pass: the header, then
// each analysis, decoded and handed to `on_analysis(frame offset in body,
// frame size, analysis)`, which returns false to refuse it. Sets
// `next_seq` and `count` (the analyses walked) on success; else says
// what is wrong. `on_header(expected)` may reserve room.
std::string walk_analyses(const char* body, std::size_t body_size, int format,
                          std::uint64_t& next_seq, std::uint64_t& count,
                          const std::function<void(std::uint64_t)>& on_header,
                          const std::function<bool(std::size_t, std::size_t, analysis_state&&)>&
                            on_analysis) {
  bool have_header = false;
  std::uint64_t expected = 0;
  count = 0;
  auto res = scan_frames(body, body_size, [&](const char* data, std::size_t size) {
    if (!have_header) {
      if (size != 16)
        return false;
      next_seq = get_u64(data);
      expected = get_u64(data + 8);
      have_header = true;
      // Every analysis takes more than 16 bytes: a damaged count cannot
      // reserve absurd memory.
      on_header(std::min<std::uint64_t>(expected, body_size / 16));
      return true;
    }
    analysis_state a;
    if (!decode_state(data, size, a, format) || !is_valid_id(a.id)
        || !on_analysis(static_cast<std::size_t>(data - 8 - body), size + 8, std::move(a)))
      return false;
    ++count;
    return true;
  });
  if (!res.damage.empty())
    return "snapshot is damaged: " + res.damage;
  if (!have_header)
    return "snapshot has no header";
  if (count != expected)
    return "snapshot holds " + std::to_string(count) + " analyses, its header says "
           + std::to_string(expected);
  return {};
}

} // namespace

std::string decode_snapshot(const std::string& bytes, state_map& out,
                            std::uint64_t& next_journal_seq, int* format_out, bool two_threads) {
  // Decoded aside and handed over only whole: a damaged snapshot loads nothing.
  int format = 0;
  if (auto err = check_magic(bytes, format, format_out); !err.empty())
    return err;
  state_map state;
  std::uint64_t next_seq = 1;
  const char* body = bytes.data() + snapshot_magic.size();
  std::size_t body_size = bytes.size() - snapshot_magic.size();
  if (two_threads && body_size >= 8 + 16 + parallel_decode_bytes) {
    std::uint64_t expected = 0;
    // A damaged count cannot reserve absurd memory: every analysis takes
    // more than 16 bytes.
    if (read_header(body, body_size, next_seq, expected) && expected <= body_size / 16
        && decode_side_by_side(body + 8 + 16, body_size - 8 - 16, expected, format, state)
        && state.size() == expected) {
      out = std::move(state);
      next_journal_seq = next_seq;
      return {};
    }
    state.clear();
    next_seq = 1;
  }
  std::uint64_t count = 0;
  auto err = walk_analyses(
    body, body_size, format, next_seq, count, [&](std::uint64_t n) { state.reserve(n); },
    [&](std::size_t, std::size_t, analysis_state&& a) { return add_analysis(state, std::move(a)); });
  if (!err.empty())
    return err;
  out = std::move(state);
  next_journal_seq = next_seq;
  return {};
}

std::string read_snapshot(storage& st, const std::string& state_dir, snapshot_split& out) {
  out = snapshot_split{};
  auto path = state_dir + "/" + snapshot_file_name;
  if (!st.exists(path))
    return {};
  if (auto ec = st.read_all(path, out.bytes))
    return "cannot read " + path + ": " + ec.message();
  if (auto err = check_magic(out.bytes, out.format, nullptr); !err.empty())
    return err;
  // The header alone; split_snapshot checks it again, with everything else.
  std::uint64_t next_seq = 1, expected = 0;
  if (read_header(out.bytes.data() + snapshot_magic.size(),
                  out.bytes.size() - snapshot_magic.size(), next_seq, expected))
    out.next_journal_seq = next_seq;
  return {};
}

std::string split_snapshot(snapshot_split& out, const std::function<bool(const std::string&)>& keep) {
  if (out.bytes.empty())
    return {};
  int format = out.format;
  // Frames of an older format cannot go into a snapshot of this one as they are.
  bool copy = format == current_format;
  std::vector<std::uint64_t> ids; // each 8-character id as a number, to find repeats
  std::uint64_t count = 0;
  auto err = walk_analyses(
    out.bytes.data() + snapshot_magic.size(), out.bytes.size() - snapshot_magic.size(), format,
    out.next_journal_seq, count, [&](std::uint64_t n) { ids.reserve(n); },
    [&](std::size_t offset, std::size_t size, analysis_state&& a) {
      std::uint64_t packed;
      std::memcpy(&packed, a.id.data(), sizeof(packed));
      ids.push_back(packed);
      if (!copy || keep(a.id))
        return add_analysis(out.kept, std::move(a));
      out.others.emplace_back(snapshot_magic.size() + offset, size);
      return true;
    });
  if (!err.empty())
    return err;
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end())
    return "snapshot is damaged: an analysis id appears twice";
  return {};
}

std::error_code write_split_snapshot(storage& st, const std::string& state_dir,
                                     const snapshot_split& split, std::uint64_t next_journal_seq) {
  return write_frames(st, state_dir, [&](const auto& add) -> std::error_code {
    auto header = header_frame(next_journal_seq, split.others.size() + split.kept.size());
    if (auto ec = add(header.data(), header.size()))
      return ec;
    for (auto& [offset, size] : split.others)
      if (auto ec = add(split.bytes.data() + offset, size))
        return ec;
    std::string frame;
    for (auto& [id, analysis] : split.kept) {
      frame.clear();
      append_frame(frame, encode_state(analysis));
      if (auto ec = add(frame.data(), frame.size()))
        return ec;
    }
    return {};
  });
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
