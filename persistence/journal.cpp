#include "persistence/journal.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <zlib.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

namespace analysisd {

std::string current_magic(const std::string& family) {
  return family + std::to_string(current_format) + "\n";
}

const std::string journal_magic = current_magic("ANJRNL");

magic_kind read_magic(const std::string& bytes, const std::string& family, int& format) {
  auto magic = current_magic(family);
  if (bytes.size() < magic.size())
    return magic.compare(0, bytes.size(), bytes) == 0 ? magic_kind::partial : magic_kind::foreign;
  if (bytes.compare(0, family.size(), family) != 0 || bytes[family.size() + 1] != '\n')
    return magic_kind::foreign;
  char digit = bytes[family.size()];
  if (digit < '1' || digit > '9')
    return magic_kind::foreign;
  format = digit - '0';
  return format <= current_format ? magic_kind::known : magic_kind::newer;
}

namespace {

// CRC-32 (ISO-HDLC, as zlib, gzip and PNG), by zlib: a million snapshot
// frames in 216-232 ms, where Boost's byte-wise table took 577-599 ms (a
// seventh of a million analyses' start in a profile).
std::uint32_t crc32(const char* data, std::size_t size) {
  uLong crc = ::crc32_z(0L, Z_NULL, 0);
  return static_cast<std::uint32_t>(
    ::crc32_z(crc, reinterpret_cast<const Bytef*>(data), static_cast<z_size_t>(size)));
}

void put_u32(std::string& out, std::uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t x = 0;
  for (int i = 0; i < 4; ++i)
    x |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return x;
}

template <class T>
std::string encode(const T& value) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  auto copy = value; // CAF 0.17 inspectors take non-const references
  if (auto err = sink(copy))
    throw std::runtime_error("cannot serialize a journal value");
  return std::string(buf.begin(), buf.end());
}

template <class T>
bool decode(const char* data, std::size_t size, T&& out) {
  caf::binary_deserializer source{nullptr, data, size};
  if (auto err = source(out))
    return false;
  return source.remaining() == 0;
}

} // namespace

void append_frame(std::string& out, const std::string& payload) {
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, crc32(payload.data(), payload.size()));
  out += payload;
}

std::string encode_record(const journal_record& rec) {
  return encode(rec);
}

std::string encode_state(const analysis_state& st) {
  return encode(st);
}

bool decode_record(const char* data, std::size_t size, journal_record& out, int format) {
  if (!decode(data, size, record_in_format{out, format}))
    return false;
  auto k = static_cast<std::uint8_t>(out.kind);
  out.analysis.job_acquired = !out.analysis.job_key_hash.empty();
  return k >= static_cast<std::uint8_t>(record_kind::created)
         && k <= static_cast<std::uint8_t>(record_kind::removed);
}

bool decode_state(const char* data, std::size_t size, analysis_state& out, int format) {
  if (!decode(data, size, analysis_in_format{out, format}))
    return false;
  out.job_acquired = !out.job_key_hash.empty();
  return true;
}

namespace {

// True if a whole frame with a matching checksum starts anywhere in
// [from, size). Bounded: after 64 MiB of checksummed candidates it gives up
// and says no (a crash's tail is then taken for what it most likely is).
bool whole_frame_after(const char* data, std::size_t from, std::size_t size) {
  std::size_t budget = 64u << 20;
  for (auto at = from; at + 8 < size; ++at) {
    auto len = get_u32(data + at);
    if (len == 0 || len > size - at - 8) // no record is empty
      continue;
    if (len > budget)
      return false;
    budget -= len;
    if (crc32(data + at + 8, len) == get_u32(data + at + 4))
      return true;
  }
  return false;
}

} // namespace

std::uint32_t frame_payload_length(const char* frame) {
  return get_u32(frame);
}

scan_result scan_frames(const char* data, std::size_t size,
                        const std::function<bool(const char*, std::size_t)>& on_payload,
                        bool zeros_end) {
  scan_result res;
  std::size_t pos = 0;
  auto zeros_from = [&](std::size_t at) {
    return std::all_of(data + at, data + size, [](char c) { return c == 0; });
  };
  while (pos < size) {
    if (zeros_end && zeros_from(pos)) {
      res.zero_tail = true;
      break;
    }
    auto left = size - pos;
    char what[160];
    if (left < 8) {
      std::snprintf(what, sizeof(what), "torn frame header at offset %zu (%zu bytes)", pos, left);
      res.damage = what;
      res.torn_tail = true;
      break;
    }
    auto len = get_u32(data + pos);
    auto crc = get_u32(data + pos + 4);
    if (len > max_frame_payload) {
      std::snprintf(what, sizeof(what), "impossible frame length %" PRIu32 " at offset %zu", len, pos);
      res.damage = what;
      res.torn_tail = zeros_from(pos);
      break;
    }
    if (left - 8 < len) {
      std::snprintf(what, sizeof(what), "torn frame at offset %zu (%zu of %" PRIu32 " bytes)", pos,
                    left - 8, len);
      res.damage = what;
      // A write cut short leaves no whole frame behind this one; a damaged
      // length in the middle of the journal does (the records that follow).
      res.torn_tail = !whole_frame_after(data, pos + 1, size);
      break;
    }
    const char* payload = data + pos + 8;
    if (crc32(payload, len) != crc) {
      std::snprintf(what, sizeof(what), "checksum mismatch in frame at offset %zu", pos);
      res.damage = what;
      // The last frame, or one with only zeros after it (written over a
      // journal's zeros ahead, or a file grown before its bytes were), and
      // no whole frame inside it: a damaged length that spans records
      // followed by zeros is not a tear.
      res.torn_tail = zeros_from(pos + 8 + len) && !whole_frame_after(data, pos + 1, pos + 8 + len);
      break;
    }
    if (!on_payload(payload, len)) {
      std::snprintf(what, sizeof(what), "undecodable frame at offset %zu", pos);
      res.damage = what;
      res.torn_tail = zeros_from(pos);
      break;
    }
    pos += 8 + len;
    res.valid_bytes = pos;
    ++res.frames;
  }
  return res;
}

std::string journal_name(std::uint64_t seq) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "journal-%020" PRIu64, seq);
  return buf;
}

bool parse_journal_name(const std::string& name, std::uint64_t& seq) {
  static const std::string prefix = "journal-";
  if (name.size() != prefix.size() + 20 || name.compare(0, prefix.size(), prefix) != 0)
    return false;
  std::uint64_t x = 0;
  for (auto i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    x = x * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  seq = x;
  return true;
}

std::error_code journal_writer::create(storage& st, const std::string& state_dir,
                                       std::uint64_t seq, std::unique_ptr<journal_writer>& out,
                                       std::uint64_t zeros_ahead) {
  auto path = state_dir + "/" + journal_name(seq);
  std::unique_ptr<writable_file> file;
  if (auto ec = st.create_exclusive(path, file))
    return ec;
  // A half-made journal is removed again: left behind, it would make every
  // retry with this number fail with EEXIST.
  auto fail = [&](std::error_code ec) {
    file.reset();
    st.remove(path);
    return ec;
  };
  if (auto ec = file->append(journal_magic.data(), journal_magic.size()))
    return fail(ec);
  if (auto ec = file->sync())
    return fail(ec);
  if (auto ec = st.sync_dir(state_dir))
    return fail(ec);
  out.reset(new journal_writer(std::move(file), seq, zeros_ahead));
  out->size_ = journal_magic.size();
  out->allocated_ = out->size_;
  return {};
}

std::error_code journal_writer::append_durably(const std::string& frames) {
  if (broken_)
    return std::make_error_code(std::errc::io_error);
  if (auto ec = file_->append(frames.data(), frames.size())) {
    // The cut must be durable too: a power cut that undid it would leave the
    // half-written frame in the middle once later records follow it. It
    // takes the zeros ahead too.
    allocated_ = size_;
    if (file_->truncate(size_) || file_->sync())
      broken_ = true;
    return ec;
  }
  auto end = size_ + frames.size();
  if (end > allocated_) {
    allocated_ = end;
    if (zeros_ahead_ > 0) {
      // The file grows with this batch anyway: the zeros for the next ones
      // grow it in the same fdatasync. A failure is no error (the next
      // records then grow the file themselves), but some zeros may be
      // written: seal() cuts them off all the same.
      std::string zeros(zeros_ahead_, '\0');
      (void) file_->write_at(end, zeros.data(), zeros.size());
      allocated_ += zeros_ahead_;
    }
  }
  auto before = std::chrono::steady_clock::now();
  if (auto ec = file_->sync()) {
    broken_ = true;
    return ec;
  }
  last_sync_ = std::chrono::steady_clock::now() - before;
  size_ = end;
  return {};
}

std::error_code journal_writer::seal() {
  if (broken_)
    return std::make_error_code(std::errc::io_error);
  if (allocated_ == size_)
    return {};
  if (auto ec = file_->truncate(size_))
    return ec;
  // Only once durable: a failed sync leaves the cut to the next seal().
  if (auto ec = file_->sync())
    return ec;
  allocated_ = size_;
  return {};
}

} // namespace analysisd
