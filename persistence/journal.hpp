#pragma once

#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace analysisd {

/// What a journal record changes.
enum class record_kind : std::uint8_t {
  created = 1,  ///< `analysis` holds the new analysis (and its job).
  job_acquired, ///< `key_hash` is the SHA-256 of the new job key.
  file_added,   ///< `file` was written and fsynced before this record.
  finalized,    ///< `results` and `at` (the new updated_at).
  removed,      ///< The analysis and its files are gone.
};

/// One durable change. Fields that the kind does not use stay empty.
struct journal_record {
  record_kind kind = record_kind::created;
  std::string analysis_id;
  analysis_state analysis;
  std::string key_hash;
  file_record file;
  std::string results;
  timestamp at = 0;
};

/// An analysis as a given format lays it out (see inspect_analysis).
struct analysis_in_format {
  analysis_state& analysis;
  int format;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analysis_in_format& x) {
  return inspect_analysis(f, x.analysis, x.format);
}

/// A record as a given format lays it out.
struct record_in_format {
  journal_record& record;
  int format;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_in_format& x) {
  auto& r = x.record;
  analysis_in_format analysis{r.analysis, x.format};
  return f(caf::meta::type_name("journal_record"), r.kind, r.analysis_id, analysis, r.key_hash,
           r.file, r.results, r.at);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_record& x) {
  record_in_format current{x, current_format};
  return inspect(f, current);
}

/// The largest payload a frame may carry; longer lengths mean damage.
constexpr std::uint32_t max_frame_payload = 512u * 1024u * 1024u;

/// Appends one frame `[u32 length][u32 crc32(payload)][payload]` (little
/// endian) to `out`.
void append_frame(std::string& out, const std::string& payload);

/// The payload length that the frame header at `frame` (8 bytes) gives.
std::uint32_t frame_payload_length(const char* frame);

/// Serializes a value with CAF's binary serializer (the same encoding as
/// remote messages).
std::string encode_record(const journal_record& rec);
std::string encode_state(const analysis_state& st);

/// Decode a payload written in `format` (1 to current_format); false if it
/// is not a whole, valid value.
bool decode_record(const char* data, std::size_t size, journal_record& out,
                   int format = current_format);
bool decode_state(const char* data, std::size_t size, analysis_state& out,
                  int format = current_format);

/// What the first bytes of a journal or snapshot say about its format.
enum class magic_kind {
  known,   ///< A format this build reads (`format` says which).
  newer,   ///< A versioned magic of a format this build does not know.
  partial, ///< Fewer bytes than a magic, all of them a prefix of the current one.
  foreign, ///< Not a magic of this kind of file: damage.
};

/// Reads the 8-byte magic `<family><digit>\n` (family "ANJRNL" or "ANSNAP").
magic_kind read_magic(const std::string& bytes, const std::string& family, int& format);

/// The magic of `family` in the current format.
std::string current_magic(const std::string& family);

/// What scanning a sequence of frames found.
struct scan_result {
  std::size_t valid_bytes = 0; ///< Bytes of whole, valid frames from the start.
  std::size_t frames = 0;      ///< Frames accepted by the callback.
  std::string damage;          ///< Empty if everything was valid; else what was wrong.
  /// The damage is what an interrupted append leaves: a frame cut short, a
  /// frame that does not check out with nothing but zeros after it (or
  /// nothing at all), or nothing but zeros from the damage on. False for
  /// damage with more data behind it, which no crash of an append-only
  /// writer produces (a power cut while a batch is written over a journal's
  /// zeros may, if the disk wrote its later pages first: refused, as damage
  /// to acknowledged records would be; README, Limitations).
  bool torn_tail = false;
  /// The frames ended where nothing but zeros follows (scan_frames'
  /// `zeros_end`): valid_bytes is where the zeros start. Not damage.
  bool zero_tail = false;
};

/// Walks the frames in `data`, stopping at the first torn, oversized or
/// corrupt frame, or at the first payload `on_payload` rejects (returns false).
/// With `zeros_end`, nothing but zeros where a frame would start ends the
/// frames (the zeros a journal_writer writes ahead of its records).
scan_result scan_frames(const char* data, std::size_t size,
                        const std::function<bool(const char*, std::size_t)>& on_payload,
                        bool zeros_end = false);

/// The 8 bytes that start every journal file this build writes.
extern const std::string journal_magic;

/// The name of journal number `seq` inside the state directory.
std::string journal_name(std::uint64_t seq);

/// Parses a journal file name; returns false for other names.
bool parse_journal_name(const std::string& name, std::uint64_t& seq);

/// The zeros a journal_writer keeps ahead of its records (journal_writer).
constexpr std::uint64_t journal_zeros_ahead = 1u << 20;

/// An open journal file that batches are appended to. Not thread-safe.
///
/// The file holds zeros ahead of its records, written with the batch that
/// grows it past them: an fdatasync of records written over zeros has no
/// file size to make durable, which on ext4 is one disk write instead of two
/// (bench/'s `fsync zeros`, and the finalize's group commit). So the newest
/// journal may end with zeros (scan_frames' `zeros_end`; recovery cuts them
/// off before the next journal is created), and seal() cuts them off before
/// rotate does.
class journal_writer {
public:
  /// Creates journal `seq` in `state_dir` (exclusively), writes its magic,
  /// fsyncs it and the directory. Returns an error and leaves `out` empty on
  /// failure; a file it created is removed again (so that a retry with the
  /// same `seq` can succeed). `zeros_ahead`: 0 for none.
  static std::error_code create(storage& st, const std::string& state_dir, std::uint64_t seq,
                                std::unique_ptr<journal_writer>& out,
                                std::uint64_t zeros_ahead = journal_zeros_ahead);

  /// Appends already framed bytes and fdatasyncs them: durable on success.
  /// A batch that writes past the zeros writes the next zeros after it (a
  /// failure to is no error: the journal only grows with each batch then).
  /// A failed write is cut off again, durably, so that the journal never
  /// holds a torn frame in its middle; a failed fdatasync (or a failed cut)
  /// leaves the writer broken(): the state of the file is unknown and it must
  /// not be written again.
  std::error_code append_durably(const std::string& frames);

  /// Cuts the zeros after the records off, durably: call before a newer
  /// journal is created, as only the newest may end with zeros. On failure
  /// the journal is as writable as before.
  std::error_code seal();

  bool broken() const {
    return broken_;
  }

  std::uint64_t seq() const {
    return seq_;
  }

  std::uint64_t size() const {
    return size_;
  }

  /// How long the fdatasync of the last successful append_durably took.
  std::chrono::steady_clock::duration last_sync() const {
    return last_sync_;
  }

private:
  journal_writer(std::unique_ptr<writable_file> file, std::uint64_t seq, std::uint64_t zeros_ahead)
    : file_(std::move(file)), seq_(seq), zeros_ahead_(zeros_ahead) {
  }

  std::unique_ptr<writable_file> file_;
  std::uint64_t seq_;
  const std::uint64_t zeros_ahead_;
  std::uint64_t size_ = 0;      ///< The records' end: where the next batch goes.
  std::uint64_t allocated_ = 0; ///< The file's end as written: records, then zeros.
  bool broken_ = false;
  std::chrono::steady_clock::duration last_sync_{0};
};

} // namespace analysisd
