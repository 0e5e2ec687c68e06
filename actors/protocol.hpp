#pragma once

/// The actor protocol of analysisd: atoms, message types, typed interfaces
/// and error codes. Every message type has a CAF `inspect` overload, so the
/// same interfaces work in-process and across nodes (register the types with
/// add_message_types()).

#include "persistence/backup.hpp"
#include "persistence/journal.hpp"
#include "persistence/model.hpp"

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace caf {
class actor_system_config;
} // namespace caf

namespace analysisd {

// -- atoms ---------------------------------------------------------------------

using get_atom = caf::atom_constant<caf::atom("get")>;
using summary_atom = caf::atom_constant<caf::atom("summary")>;
using upload_atom = caf::atom_constant<caf::atom("upload")>;
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using abandon_atom = caf::atom_constant<caf::atom("abandon")>;
using authorize_atom = caf::atom_constant<caf::atom("authorize")>;
using download_atom = caf::atom_constant<caf::atom("download")>;
using finalize_atom = caf::atom_constant<caf::atom("finalize")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using acquire_atom = caf::atom_constant<caf::atom("acquire")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using rotate_atom = caf::atom_constant<caf::atom("rotate")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using backup_atom = caf::atom_constant<caf::atom("backup")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using applied_atom = caf::atom_constant<caf::atom("applied")>;

// -- errors ----------------------------------------------------------------------

/// Domain errors, carried in caf::error with the category `error_category`.
/// http/errors.cpp maps each to one status and message.
enum class errc : std::uint8_t {
  unauthorized = 1,     ///< Unknown job, job never acquired, wrong key.
  not_found,            ///< No such analysis or file.
  forbidden,            ///< The analysis belongs to another job.
  name_required,        ///< Upload without a `name`.
  unsupported_format,   ///< Upload `format` not in the list.
  name_not_plain,       ///< Upload `name` is not a plain file name.
  file_exists,          ///< The name is taken (or being uploaded).
  invalid_multipart,    ///< No `file` part, or a malformed multipart body.
  too_large,            ///< Body over the configured limit.
  already_finalized,    ///< Finalize of a finalized analysis.
  analysis_finalized,   ///< Job remove of a finalized analysis.
  analysis_exists,      ///< Create with an id that is taken.
  job_already_acquired, ///< Second acquire of a job.
  file_missing,         ///< A file record whose bytes are not on disk.
  invalid_input,        ///< Bad body; the context holds the `errors` object as JSON text.
  invalid_query,        ///< Bad query; the context holds the `errors` object as JSON text.
  storage_full,         ///< No space left: nothing was recorded.
  io_error,             ///< Another write failure: nothing was recorded.
  read_only,            ///< An fsync failed earlier: the service takes no more writes.
  unavailable,          ///< Starting or shutting down.
  backup_running,       ///< A backup was asked for while another one runs.
  backup_not_empty,     ///< The backup's destination exists and is not an empty directory.
  backup_failed,        ///< A backup failed; the context says why.
};

/// The category atom of every analysisd error.
constexpr caf::atom_value error_category = caf::atom("analysisd");

caf::error make_error(errc code);

/// An error with a context string (the `errors` JSON text of invalid_input
/// and invalid_query, or a detail for the log).
caf::error make_error(errc code, std::string context);

/// The analysisd code of `err`, or 0 if it is not an analysisd error.
std::uint8_t code_of(const caf::error& err);

/// The context string of `err` (empty if none).
std::string context_of(const caf::error& err);

/// Maps an I/O error to storage_full (no space) or io_error.
caf::error storage_error(const std::error_code& ec);

// -- message types ----------------------------------------------------------------

/// Who is asking. Operators (and trusted in-process callers) are `admin`; a
/// job presents its id and the SHA-256 of its key (never the key itself).
struct credential {
  bool admin = false;
  std::string job_id;
  std::string key_hash; ///< 32 raw bytes.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credential& x) {
  return f(caf::meta::type_name("credential"), x.admin, x.job_id, x.key_hash);
}

credential admin_credential();

/// Hashes `key`; the result carries no secret that could be replayed as a key.
credential job_credential(std::string job_id, const std::string& key);

/// SHA-256 of `data`, 32 raw bytes.
std::string sha256(const std::string& data);

/// What an operator gives to create an analysis (`id` empty: generate one).
struct create_request {
  std::string id;
  std::string workflow;
  named_ref sample;
  index_ref index;
  std::string user_id;
  std::string user_handle; ///< Optional: the user id serves when empty.
  std::vector<named_ref> subtractions;
  reference_ref reference; ///< Optional: `id` empty when none was given.
  std::string ml;          ///< Optional: a model release as JSON text; empty for null.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_request& x) {
  return f(caf::meta::type_name("create_request"), x.id, x.workflow, x.sample, x.index,
           x.user_id, x.user_handle, x.subtractions, x.reference, x.ml);
}

/// The bytes of an upload without copying them: `owner` keeps whatever holds
/// them alive (an HTTP request buffer, a string). Serializing copies the bytes;
/// deserializing makes the payload own a string.
class file_payload {
public:
  file_payload() = default;

  file_payload(std::shared_ptr<const void> owner, const char* data, std::size_t size)
    : owner_(std::move(owner)), data_(data), size_(size) {
  }

  /// Takes ownership of `bytes`.
  static file_payload from_string(std::string bytes);

  const char* data() const {
    return data_;
  }

  std::size_t size() const {
    return size_;
  }

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, file_payload& x) {
    if constexpr (Inspector::reads_state) {
      std::string copy(x.data_ == nullptr ? "" : std::string(x.data_, x.size_));
      return f(caf::meta::type_name("file_payload"), copy);
    } else {
      auto bytes = std::make_shared<std::string>();
      auto result = f(caf::meta::type_name("file_payload"), *bytes);
      x = file_payload(bytes, bytes->data(), bytes->size());
      return result;
    }
  }

private:
  std::shared_ptr<const void> owner_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// An upload as the HTTP layer (or another caller) received it. The analysis
/// actor checks it in SPEC.md's order after authentication.
struct upload_request {
  std::string name;          ///< Empty: missing.
  bool has_format = false;
  std::string format;
  /// False: no `file` part, or a malformed body. (HTTP, which streams the
  /// body, reserves with true and checks the multipart body itself.)
  bool multipart_ok = false;
  /// The declared body is over the configured limit (413, after the checks
  /// that come before it in SPEC.md).
  bool too_large = false;
  file_payload bytes; ///< Unused by reserve_atom.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upload_request& x) {
  return f(caf::meta::type_name("upload_request"), x.name, x.has_format, x.format,
           x.multipart_ok, x.too_large, x.bytes);
}

/// Where a file's bytes are (answer to download).
struct file_location {
  std::string analysis_id;
  file_record file;
  std::string path;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_location& x) {
  return f(caf::meta::type_name("file_location"), x.analysis_id, x.file, x.path);
}

/// A page of analyses for operators.
struct list_request {
  std::uint64_t page = 1;
  std::uint64_t per_page = 25;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_request& x) {
  return f(caf::meta::type_name("list_request"), x.page, x.per_page);
}

// -- typed interfaces -------------------------------------------------------------

/// The entry point for everyone (HTTP, in-process callers, remote nodes).
/// Every request is authenticated here (credential), then routed to the
/// analysis actor. Documents are compact JSON text.
using registry_actor = caf::typed_actor<
  // Operator: create an analysis and its (not yet acquired) job -> document.
  caf::replies_to<create_atom, create_request>::with<std::string>,
  // Operator: acquire a job -> its key (64 hex characters), only once.
  caf::replies_to<acquire_atom, std::string>::with<std::string>,
  // Operator: a page of documents (without results) as the JSON of SPEC.md.
  caf::replies_to<list_atom, list_request>::with<std::string>,
  // Read an analysis -> document.
  caf::replies_to<get_atom, credential, std::string>::with<std::string>,
  // Upload a file -> its record (201 once durable).
  caf::replies_to<upload_atom, credential, std::string, upload_request>::with<file_record>,
  // Authenticate and authorize a request for an analysis -> true (or the
  // 401/404/403 error), before its body is read.
  caf::replies_to<authorize_atom, credential, std::string>::with<bool>,
  // An upload whose bytes the caller writes itself (HTTP streams them):
  // reserve checks it and reserves its name and file id -> the record to
  // write (file_store::begin_upload ... finish_upload); commit records it
  // once its bytes are durable under their final name -> the record (201);
  // abandon releases the name after the caller dropped the bytes. The
  // reservation keeps the analysis's actor (a remove waits for it); commit
  // and abandon are not authenticated again, the reservation entitles.
  caf::replies_to<reserve_atom, credential, std::string, upload_request>::with<file_record>,
  caf::replies_to<commit_atom, credential, std::string, file_record>::with<file_record>,
  caf::replies_to<abandon_atom, credential, std::string, file_record>::with<bool>,
  // Locate a file's bytes.
  caf::replies_to<download_atom, credential, std::string, std::uint64_t>::with<file_location>,
  // Finalize with the results object -> document. The results are trusted:
  // compact JSON text of an object as extract_results gives it (parsed and
  // checked once, by the HTTP handler), or "" when the body had none (422).
  caf::replies_to<finalize_atom, credential, std::string, std::string>::with<std::string>,
  // Remove an analysis and its files -> true.
  caf::replies_to<remove_atom, credential, std::string>::with<bool>,
  // Operator: how many analyses have a running actor, and how many are
  // dormant (metrics).
  caf::replies_to<stats_atom>::with<std::uint64_t, std::uint64_t>,
  // Internal timer: lets analysis actors that were idle for a while go.
  caf::reacts_to<sweep_atom>>;

/// One per analysis: owns its document and serializes every change to it.
using analysis_actor = caf::typed_actor<
  caf::replies_to<get_atom>::with<std::string>,
  caf::replies_to<summary_atom>::with<std::string>,
  caf::replies_to<upload_atom, upload_request>::with<file_record>,
  caf::replies_to<reserve_atom, upload_request>::with<file_record>,
  caf::replies_to<commit_atom, file_record>::with<file_record>,
  caf::replies_to<abandon_atom, file_record>::with<bool>,
  caf::replies_to<download_atom, std::uint64_t>::with<file_location>,
  caf::replies_to<finalize_atom, std::string>::with<std::string>,
  // bool: forced (operator), which may remove a finalized analysis.
  caf::replies_to<remove_atom, bool>::with<bool>,
  // The job was acquired: the document's job is running from now on
  // (answered once the actor's view shows it).
  caf::replies_to<acquire_atom>::with<bool>,
  // Hand the state back and quit (the registry keeps it dormant); refused
  // with `unavailable` while uploads are in flight.
  caf::replies_to<retire_atom>::with<analysis_state>>;

/// Hears the records of each durable batch (the journal's watcher).
using applied_watcher = caf::typed_actor<caf::reacts_to<applied_atom, std::vector<journal_record>>>;

/// The journal: answers an append only once the record is durable.
using persistence_actor = caf::typed_actor<
  caf::replies_to<append_atom, journal_record>::with<bool>,
  // From now on, the records of each durable batch, except those the
  // watcher appended itself, go to the watcher (applied, records) before
  // their appends are answered. One watcher; a second replaces the first.
  caf::reacts_to<watch_atom, applied_watcher>,
  // Answered once every append that arrived before it is decided (durable,
  // failed or refused), after the watcher heard the durable ones.
  caf::replies_to<sync_atom>::with<bool>,
  // Writes a snapshot of everything acknowledged so far and starts a fresh
  // journal (used at shutdown).
  caf::replies_to<snapshot_atom>::with<bool>,
  // Backs up the data dir into a new directory (an absolute path, absent or
  // empty), holding every change acknowledged before the request arrived
  // (see persistence/backup.hpp). Errors: invalid_input (the path; context:
  // the `errors` JSON), backup_not_empty, backup_running, storage_full,
  // backup_failed (context: why), read_only, unavailable.
  caf::replies_to<backup_atom, std::string>::with<backup_report>>;

/// Blocking file I/O, one detached actor per job of work.
using file_io_actor = caf::typed_actor<
  caf::replies_to<write_atom, std::string, file_record, file_payload>::with<bool>,
  // Remove one file of an analysis.
  caf::replies_to<remove_atom, std::string, file_record>::with<bool>,
  // Remove an analysis's directory with all its files.
  caf::replies_to<remove_atom, std::string>::with<bool>>;

/// Registers every message type of this header, for exchanging them with
/// other nodes through CAF's middleman.
void add_message_types(caf::actor_system_config& cfg);

} // namespace analysisd
