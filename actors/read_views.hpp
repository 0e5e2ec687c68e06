#pragma once

/// What the actors publish for reads that need no message (DESIGN.md,
/// "Reads"): each analysis actor its analysis's document, the registry the
/// credentials of the jobs whose analysis has an actor. Published before a
/// change is acknowledged and withdrawn when the actor goes, so a reader
/// that finds a view may answer from it, and one that finds none asks the
/// actors. No HTTP here: any in-process reader can use them, and a node that
/// does not own an analysis simply finds no view.

#include "actors/view_table.hpp"

#include <string>
#include <string_view>

namespace analysisd {

/// An analysis as a job GET sees it, while its actor runs.
struct analysis_view {
  std::string document; ///< The whole document, as get_atom answers it.
  std::string etag;     ///< document_etag(document).
  std::string job_id;   ///< The job that owns the analysis.
};

/// An acquired job whose analysis has an actor.
struct job_view {
  std::string analysis_id;
  std::string key_hash; ///< SHA-256 of its key, 32 raw bytes.
};

/// The two tables, shared by the service's actors (writers) and its readers.
/// Lives as long as the longest holder of its shared_ptr.
struct read_views {
  view_table<analysis_view> analyses;
  view_table<job_view> jobs;
};

/// The entity tag of a document: a quoted 64-bit hash (the standard
/// library's) of its bytes, so it changes whenever the document does; the
/// same document gets the same tag from every process of one build.
std::string document_etag(std::string_view document);

/// The view of `document`, owned by `job_id`.
analysis_view make_analysis_view(std::string document, std::string job_id);

} // namespace analysisd
