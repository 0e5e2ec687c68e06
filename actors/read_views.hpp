#pragma once

/// What the actors publish for reads that need no message (DESIGN.md,
/// "Reads"): each analysis actor its analysis's document, the registry its
/// jobs' credentials. Published before a change is acknowledged (an
/// analysis's view withdrawn when its actor goes), so a reader that finds a
/// view may answer from it, and one that finds none asks the actors. No
/// HTTP here: any in-process reader can use them, and a node that does not
/// own an analysis simply finds no view.

#include "actors/protocol.hpp"
#include "actors/view_table.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace analysisd {

/// An analysis as a job GET sees it, while its actor runs.
struct analysis_view {
  /// The whole document, as get_atom answers it: shared with the responses
  /// that send it, never copied for one.
  std::shared_ptr<const std::string> document;
  std::string etag;     ///< document_etag(document).
  std::string job_id;   ///< The job that owns the analysis.
  /// Cluster mode: the lease epoch under which its actor was loaded. A view
  /// of another epoch than the one its shard is served under is left over
  /// from a lease this node lost since (another node may have changed the
  /// analysis meanwhile) and answers nothing.
  std::int64_t epoch = 0;
  /// When read_from_views last answered from this analysis's views (steady
  /// clock ticks, to 10 ms), shared by every view its actor publishes, so
  /// that the registry counts such reads as use (note_view_reads): an
  /// analysis that a job polls keeps its actor, and its view, while the job
  /// polls. Null: not counted.
  std::shared_ptr<std::atomic<std::int64_t>> read_at;
};

/// A job. A single-node service keeps every job here from its creation on
/// (the registry's only table of them); a cluster node, the acquired jobs
/// whose analysis has an actor on this node.
struct job_view {
  std::string analysis_id;
  std::array<unsigned char, 32> key_hash{}; ///< SHA-256 of its key, once acquired.
  bool acquired = false;
  /// Its analysis was removed: its key still authenticates (the analysis is
  /// then not found), but it may write nothing.
  bool removed = false;

  /// Whether `key_hash` (a credential's: 32 raw bytes) is the hash of this
  /// job's key, once acquired. Constant time.
  bool accepts(const std::string& key_hash) const;
};

/// An acquired job of `analysis_id` whose key hashes to `key_hash` (32 raw bytes).
job_view acquired_job(std::string analysis_id, const std::string& key_hash);

struct read_leases;

/// The two tables, shared by the service's actors (writers) and its readers.
/// Lives as long as the longest holder of its shared_ptr.
struct read_views {
  view_table<analysis_view> analyses;
  view_table<job_view> jobs;
  /// Cluster mode: the read leases this node granted on its analyses, which
  /// an analysis actor revokes before it answers a change
  /// (actors/read_leases.hpp). Null otherwise.
  std::shared_ptr<read_leases> leases;
};

/// The entity tag of a document: a quoted 64-bit hash (the standard
/// library's) of its bytes, so it changes whenever the document does; the
/// same document gets the same tag from every process of one build.
std::string document_etag(std::string_view document);

/// The view of `document`, owned by `job_id`.
analysis_view make_analysis_view(std::shared_ptr<const std::string> document, std::string job_id,
                                 std::int64_t epoch = 0);
analysis_view make_analysis_view(std::string document, std::string job_id,
                                 std::int64_t epoch = 0);

/// For a registry deciding whether analysis `id` is idle: moves `last_used`
/// to the last read answered from its views (read_from_views counts them,
/// to 10 ms), if that came later. `views` may be null.
void note_view_reads(const std::shared_ptr<read_views>& views, const std::string& id,
                     std::chrono::steady_clock::time_point& last_used);

/// Whether the views show `cred` to be the acquired job of analysis `id`,
/// which is not removed: what the head of a request that writes `id` needs
/// for its body to be read (SPEC.md, "Request heads first"). False: ask the
/// actors, who decide (they also decide the write itself, after the body).
bool job_may_write(const read_views& views, const credential& cred, const std::string& id);

/// A GET decided by the views.
struct view_read {
  bool forbidden = false; ///< Another job's analysis (403).
  std::string etag;
  /// Null if forbidden, or if `not_modified` said so.
  std::shared_ptr<const std::string> document;
};

/// Decides a GET of analysis `id` by `cred` from the views, on the calling
/// thread, when they can: the job's credentials published and matching
/// (else the actors say 401), the analysis's view there (else they say 404
/// or serve it), then forbidden for another job's analysis, or the etag and
/// the document (left out when `not_modified(etag)`). nullopt: ask the
/// actors. A read answered here counts as use of the analysis
/// (note_view_reads). In a cluster, the caller passes the epoch under which
/// this node serves the analysis's shard now (it checks first that it does),
/// and a view of another epoch decides nothing.
std::optional<view_read> read_from_views(
  const read_views& views, const credential& cred, const std::string& id,
  const std::function<bool(const std::string& etag)>& not_modified = {},
  std::optional<std::int64_t> epoch = std::nullopt);

} // namespace analysisd
