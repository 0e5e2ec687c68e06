#pragma once

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace analysisd {

/// Microseconds since the Unix epoch, UTC.
using timestamp = std::int64_t;

/// Returns the current time. Thread-safe.
timestamp now();

/// Renders `t` as ISO 8601 with microseconds: `2017-10-03T21:35:54.813000Z`.
std::string format_timestamp(timestamp t);

/// Returns `n` characters of `[a-z0-9]` drawn from OpenSSL's RAND_bytes.
/// Throws std::runtime_error only if the random source fails.
std::string random_id(std::size_t n = 8);

/// `bytes` bytes from OpenSSL's RAND_bytes as lowercase hex (job keys, the
/// admin token). Throws std::runtime_error only if the random source fails.
std::string random_hex(std::size_t bytes = 32);

/// True if `id` is 8 characters of `[a-z0-9]`.
bool is_valid_id(const std::string& id);

/// A reference to another Virtool object by id and name (sample, subtraction).
struct named_ref {
  std::string id;
  std::string name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, named_ref& x) {
  return f(caf::meta::type_name("named_ref"), x.id, x.name);
}

struct index_ref {
  std::string id;
  std::int64_t version = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, index_ref& x) {
  return f(caf::meta::type_name("index_ref"), x.id, x.version);
}

/// The reference (of viruses) an analysis runs against.
struct reference_ref {
  std::string id;        ///< Empty: the operator gave no reference (rendered absent).
  std::string name;
  std::string data_type; ///< "genome" or "barcode".
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reference_ref& x) {
  return f(caf::meta::type_name("reference_ref"), x.id, x.name, x.data_type);
}

/// One uploaded result file of an analysis.
struct file_record {
  std::uint64_t id = 0;
  std::string name;
  std::string format; ///< Empty when the upload named none (rendered as null).
  std::uint64_t size = 0;
  timestamp uploaded_at = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_record& x) {
  return f(caf::meta::type_name("file_record"), x.id, x.name, x.format, x.size,
           x.uploaded_at);
}

/// `<file_id>-<name>`: the file's name under `analyses/<analysis_id>/`.
std::string name_on_disk(const file_record& file);

/// The whole durable state of one analysis and its job.
struct analysis_state {
  std::string id;
  timestamp created_at = 0;
  timestamp updated_at = 0;
  std::string job_id;
  std::string workflow;
  named_ref sample;
  index_ref index;
  std::string user_id;
  std::string user_handle; ///< Empty: the user id is the handle.
  std::vector<named_ref> subtractions;
  reference_ref reference;
  std::string ml;          ///< Compact JSON text of the ML model release; empty: null.
  std::vector<file_record> files;
  std::uint64_t next_file_id = 1;
  bool ready = false;
  std::string results;      ///< Compact JSON text of the results object; empty before finalize.
  std::string job_key_hash; ///< SHA-256 of the job key (32 raw bytes); empty until acquired.
  /// A tombstone: the analysis was removed. Only its id and its job (so that
  /// the job's later requests get 404, not 401) remain; its id is never reused.
  bool removed = false;
  /// The job was acquired (its key issued). Not stored: derived from
  /// job_key_hash where that is decoded, and kept when the registry takes
  /// the hash for its own key table.
  bool job_acquired = false;
};

/// The data format this build writes (journal, snapshot, data dir). Format 1
/// (analysisd 0.1) lacked user_handle, reference and ml; it is still read.
constexpr int current_format = 2;

/// Serializes an analysis in `format`'s field list: `current_format`, or 1
/// for reading what analysisd 0.1 wrote. Used through `inspect` with
/// format_view; analysis_state's own inspect is the current format.
template <class Inspector>
typename Inspector::result_type inspect_analysis(Inspector& f, analysis_state& x, int format) {
  if (format == 1)
    return f(caf::meta::type_name("analysis_state"), x.id, x.created_at, x.updated_at,
             x.job_id, x.workflow, x.sample, x.index, x.user_id, x.subtractions, x.files,
             x.next_file_id, x.ready, x.results, x.job_key_hash, x.removed);
  return f(caf::meta::type_name("analysis_state"), x.id, x.created_at, x.updated_at,
           x.job_id, x.workflow, x.sample, x.index, x.user_id, x.user_handle, x.subtractions,
           x.reference, x.ml, x.files, x.next_file_id, x.ready, x.results, x.job_key_hash,
           x.removed);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analysis_state& x) {
  return inspect_analysis(f, x, current_format);
}

/// The job's state as SPEC.md derives it: "waiting" until acquired,
/// "running" after, "complete" once the analysis is finalized.
const char* job_state(const analysis_state& a);

/// Every analysis by id: what recovery rebuilds and snapshots hold.
using state_map = std::unordered_map<std::string, analysis_state>;

/// Renders the FILE document of SPEC.md (compact JSON; non-UTF-8 bytes as U+FFFD).
std::string render_file(const std::string& analysis_id, const file_record& file);

/// Renders the analysis document of SPEC.md (compact JSON, never throws). With
/// `with_results`, it carries `results` (null before finalize); without, it
/// has no `results` key (the listing's documents).
std::string render_analysis(const analysis_state& a, bool with_results = true);

/// The whole document from its rendering without results
/// (render_analysis(a, false)): `results` (or null) spliced in, no re-rendering.
std::string add_results(std::string summary, const analysis_state& a);

} // namespace analysisd
