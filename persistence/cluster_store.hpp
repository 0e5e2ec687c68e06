#pragma once

/// Cluster mode's shared state in PostgreSQL: membership, shard leases, the
/// journal (fenced by the leases), jobs, the analyses listing and the file
/// reservations of the blob janitor. Plain C++ over pg_connection; the
/// actors call it from a thread of their own (it blocks for one round trip or
/// a few, each bounded by pg_options::call_timeout).
///
/// Every expiry is judged by PostgreSQL's clock (clock_timestamp()), never by
/// a node's. Errors are caf::error values of the analysisd category:
/// unavailable when PostgreSQL cannot be reached in time (see
/// pg_connection.hpp; the next call reconnects), io_error for a statement
/// PostgreSQL refused, and the errors each function names.

#include "persistence/journal.hpp"
#include "persistence/model.hpp"
#include "persistence/pg_connection.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace analysisd {

/// The schema version this build creates and reads.
constexpr int cluster_schema_version = 1;

// -- ownership: pure functions ----------------------------------------------------

/// A stable 64-bit hash of `bytes` (FNV-1a, then a SplitMix64 finalizer):
/// the same on every node, build and platform.
std::uint64_t stable_hash(const std::string& bytes);

/// The shard of an analysis: stable_hash(id) mod `shards` (`shards` > 0).
std::uint32_t shard_of(const std::string& analysis_id, std::uint32_t shards);

/// The rendezvous weight of `incarnation` for `shard`.
std::uint64_t rendezvous_weight(std::uint32_t shard, const std::string& incarnation);

/// The owner of `shard` among `incarnations` (rendezvous hashing: the
/// highest weight, ties broken by the smaller incarnation); -1 if empty.
/// When a member joins, only shards it now owns move; when one leaves, only
/// its shards move.
int rendezvous_owner(std::uint32_t shard, const std::vector<std::string>& incarnations);

// -- records of the tables --------------------------------------------------------

/// A live member, as the members table holds it.
struct member_info {
  std::string node;        ///< The configured node name.
  std::string incarnation; ///< Random per process start.
  std::string http_address;
  std::string caf_address;
};

/// The answer to acquire() and renew_all(): a lease as PostgreSQL granted it.
struct shard_lease {
  std::uint32_t shard = 0;
  bool granted = false;    ///< False: another incarnation holds it (`owner`).
  std::string owner;       ///< The holder's incarnation.
  std::int64_t epoch = 0;  ///< Grows at every change of owner (and after expiry).
  timestamp expires_at = 0; ///< PostgreSQL's clock, microseconds since the epoch.
  /// This node's monotonic time when the request was sent. The lease is
  /// valid until at least requested_at + ttl on this node's clock (PostgreSQL
  /// started the ttl later): stop serving the shard before that.
  std::chrono::steady_clock::time_point requested_at{};
};

/// A row of shard_leases as leases() reads it: who holds the shard.
struct lease_holder {
  std::uint32_t shard = 0;
  std::string owner;      ///< The holder's incarnation; empty once released.
  std::int64_t epoch = 0;
  bool live = false;      ///< Held and unexpired, by PostgreSQL's clock.
};

/// One record for append_batch, written under the lease (shard, epoch).
struct journal_entry {
  std::uint32_t shard = 0;
  std::int64_t epoch = 0;
  std::uint64_t seq = 0; ///< 1, 2, ... per analysis: its next record.
  journal_record record;
  /// The listing's document after this record (render_analysis(a, false));
  /// empty: leave it as it is. Required for `created`.
  std::string summary;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_entry& x) {
  return f(caf::meta::type_name("journal_entry"), x.shard, x.epoch, x.seq, x.record, x.summary);
}

/// An analysis's records and the state they rebuild.
struct loaded_analysis {
  analysis_state state;
  std::uint64_t next_seq = 1; ///< The seq of its next record.
  std::size_t records = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, loaded_analysis& x) {
  return f(caf::meta::type_name("loaded_analysis"), x.state, x.next_seq, x.records);
}

/// A job as any node sees it.
struct job_info {
  std::string job_id;
  std::string analysis_id;
  std::string key_hash; ///< SHA-256 of the key (32 raw bytes); empty until acquired.
  bool acquired = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_info& x) {
  return f(caf::meta::type_name("job_info"), x.job_id, x.analysis_id, x.key_hash, x.acquired);
}

/// A page of the operator's listing (newest first, without removed analyses).
struct analysis_page {
  std::vector<std::string> summaries; ///< The listing's documents, as stored.
  std::uint64_t total = 0;            ///< How many analyses (not removed) there are.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analysis_page& x) {
  return f(caf::meta::type_name("analysis_page"), x.summaries, x.total);
}

/// An upload's bytes that a node writes and the owner has not committed yet.
struct file_reservation {
  std::string analysis_id;
  std::uint64_t file_id = 0;
  std::string name;
  std::string node; ///< The node that writes the bytes.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_reservation& x) {
  return f(caf::meta::type_name("file_reservation"), x.analysis_id, x.file_id, x.name, x.node);
}

/// True if `err` says a write was fenced: the lease (shard, epoch) is no
/// longer this incarnation's, or another writer wrote the same record
/// (the (analysis_id, seq) key). The actors of those shards must retire.
bool is_fenced(const caf::error& err);

/// The shards named by a fenced error of append_batch (empty when a key
/// fenced it, a record's, an analysis's or a job's, or for other errors).
std::vector<std::uint32_t> fenced_shards(const caf::error& err);

/// The store. Not thread-safe: one thread at a time (one connection).
class cluster_store {
public:
  explicit cluster_store(pg_options opts);

  /// Creates the schema if it is missing (idempotent, safe when several
  /// nodes start at once: an advisory lock serializes them). Errors:
  /// io_error if the database holds a newer schema than this build's, or
  /// its encoding is neither UTF8 nor SQL_ASCII.
  caf::error ensure_schema();

  // -- membership ----------------------------------------------------------------

  /// Upserts this member's row with PostgreSQL's clock as its heartbeat and
  /// returns the live members (heartbeat within `ttl`, by PostgreSQL's clock,
  /// this one included), ordered by incarnation. One round trip. Rows dead
  /// for over ten ttls are deleted on the way.
  caf::expected<std::vector<member_info>> heartbeat(const member_info& self,
                                                    std::chrono::milliseconds ttl);

  /// Deletes this incarnation's row (a clean shutdown).
  caf::error leave(const std::string& incarnation);

  // -- shard leases --------------------------------------------------------------

  /// Takes the lease of `shard` for `ttl` if it is free, released or expired
  /// (the epoch grows by one), or renews it if `incarnation` holds it and it
  /// has not expired (same epoch). Otherwise granted = false, with the
  /// holder. Atomic: of concurrent acquires, one wins.
  caf::expected<shard_lease> acquire(std::uint32_t shard, const std::string& incarnation,
                                     std::chrono::milliseconds ttl);

  /// Renews, in one round trip, every unexpired lease `incarnation` holds;
  /// returns them (same epochs). A lease missing from the answer is lost.
  caf::expected<std::vector<shard_lease>> renew_all(const std::string& incarnation,
                                                    std::chrono::milliseconds ttl);

  /// Gives the lease up (it expires now; the next owner's epoch is higher).
  /// Returns false if (incarnation, epoch) no longer held it.
  caf::expected<bool> release(std::uint32_t shard, const std::string& incarnation,
                              std::int64_t epoch);

  /// Gives up, in one round trip, every lease `incarnation` holds (a clean
  /// shutdown): they expire now, whatever their epoch. Returns how many.
  caf::expected<std::uint64_t> release_all(const std::string& incarnation);

  /// Every row of shard_leases (shards never taken have none), ordered by
  /// shard, with whether it is held and unexpired by PostgreSQL's clock. One
  /// round trip.
  caf::expected<std::vector<lease_holder>> leases();

  // -- journal ---------------------------------------------------------------------

  /// Writes a group-commit batch (records of several shards) in one
  /// transaction, with the side tables: a `created` adds the analysis to the
  /// listing and its job to the jobs table; a `job_acquired` stores the
  /// key's hash in its analysis's job, only if that job has none yet (this
  /// is how a job is acquired in cluster mode: one record through the
  /// analysis's owner); a `file_added` consumes the file's reservation;
  /// `summary` updates the listing; `removed` takes the analysis out of it.
  /// Inside the transaction every (shard, epoch) of the batch is checked
  /// against shard_leases, whose rows are locked FOR SHARE (first, in shard
  /// order) until the commit, so a takeover (which updates them) waits for
  /// it or the batch sees the new owner.
  ///
  /// Two round trips, whatever the batch holds: every statement goes in one
  /// pipeline (BEGIN, the fence, the writes); the answers are checked and
  /// then COMMIT (or ROLLBACK) is sent.
  ///
  /// Errors, each leaving nothing written. The batch is all or nothing: one
  /// entry's failure fails all of them, the other analyses' entries too (a
  /// single file_added whose reservation expired fails the whole batch).
  /// That is accepted: the caller fails every entry of the batch, or writes
  /// again those that `refused` does not name (as the pg journal does).
  ///  - unavailable with a context starting "fenced" (is_fenced()) if a
  ///    lease is not this incarnation's at that epoch or has expired
  ///    ("fenced: shards 3,7 ...", see fenced_shards()), or another writer
  ///    holds one of the (analysis_id, seq) keys, an analysis id or a job id
  ///    ("fenced: records ...", "fenced: analyses ...", "fenced: jobs ..."),
  ///    or a record would leave a gap: its seq is over 1 and its analysis's
  ///    record seq - 1 is neither written nor in the batch ("fenced: records
  ///    a/5 do not follow a written record"; a writer that sent seq 6 before
  ///    it learnt that seq 5 failed must load the analysis again);
  ///  - job_already_acquired "job <job> of analysis <id> has a key already"
  ///    for a job_acquired whose job has a key (or a second job_acquired of
  ///    one analysis in the batch); not_found "analysis <id> has no job" for
  ///    one whose analysis is unknown;
  ///  - not_found "reservation <analysis>/<file> expired or missing" if a
  ///    file_added's reservation expired or is missing;
  ///  - unavailable if PostgreSQL was not reached (outcome of a lost COMMIT
  ///    unknown: do not acknowledge), io_error for a statement it refused.
  /// `refused` (optional) receives, for the errors above that some entries
  /// caused (all but the last item), the indices of those entries: the
  /// batch without them, and without the other entries of their analyses,
  /// may be tried again. It stays empty for an error about the batch as a
  /// whole, and always when the outcome may be unknown.
  caf::error append_batch(const std::string& incarnation, const std::vector<journal_entry>& batch,
                          std::vector<std::size_t>* refused = nullptr);

  /// The records of one analysis, in seq order (any node may read; the
  /// service loads with load_analysis). Errors: not_found if it has none
  /// (an id that is not UTF-8 text has none, and is not asked for);
  /// io_error if one does not decode.
  caf::expected<std::vector<journal_record>> load_records(const std::string& analysis_id);

  /// The state an owner rebuilds from the records (with recovery's apply(),
  /// as a restart does), and the seq to write next; its next file id is past
  /// any id reserved for it, committed or not. One round trip. Errors: those
  /// of load_records; io_error if the records do not fit one another.
  caf::expected<loaded_analysis> load_analysis(const std::string& analysis_id);

  // -- jobs and the listing ----------------------------------------------------------

  /// The job (any node). Errors: not_found (a job id that is not UTF-8
  /// text, as a client's credentials may carry, names none).
  caf::expected<job_info> job(const std::string& job_id);

  /// The listing's page `page` (from 1) of `per_page` (> 0), newest first
  /// (created_at, then id, descending), removed analyses left out.
  caf::expected<analysis_page> list(std::uint64_t page, std::uint64_t per_page);

  // -- file reservations (the blob janitor) ---------------------------------------------

  /// Reserves a file id of an analysis for `ttl`, written by `node`. Errors:
  /// unavailable "fenced ..." if the id is reserved already (two owners).
  caf::error reserve_file(const file_reservation& r, std::chrono::milliseconds ttl);

  /// Extends an unexpired reservation (a long upload); false if it expired
  /// or is gone: then its bytes belong to the janitor.
  caf::expected<bool> extend_reservation(const std::string& analysis_id, std::uint64_t file_id,
                                         std::chrono::milliseconds ttl);

  /// Up to `limit` reservations that expired without a commit: their bytes
  /// may be deleted (an expired reservation can no longer be committed or
  /// extended). Delete the bytes first, then drop_reservation.
  caf::expected<std::vector<file_reservation>> expired_reservations(std::size_t limit);

  /// Ends an unexpired reservation now (an abandoned upload): it can no
  /// longer be committed, and it goes to the janitor, which deletes whatever
  /// bytes its writer left (a writer that died left them all) before it
  /// drops it. Until then its file id counts as issued (load_analysis), so
  /// no later upload of the analysis is given the path of those bytes. A
  /// missing or expired one is no error.
  caf::error expire_reservation(const std::string& analysis_id, std::uint64_t file_id);

  /// Forgets a reservation once its bytes were deleted (the janitor's last
  /// step). A missing one is no error.
  caf::error drop_reservation(const std::string& analysis_id, std::uint64_t file_id);

  /// The connection (tests use it to look inside).
  pg_connection& connection() {
    return conn_;
  }

private:
  /// Connects if there is no usable connection.
  caf::error ready();
  /// Before a lookup of `analysis_id`: not_found for an id no record can
  /// have (without asking), else ready().
  caf::error ready_to_look_up(const std::string& analysis_id);

  pg_connection conn_;
};

} // namespace analysisd
