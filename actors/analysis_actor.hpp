#pragma once

#include "actors/protocol.hpp"
#include "persistence/file_store.hpp"

#include <memory>
#include <set>
#include <string>

namespace analysisd {

/// What an analysis actor holds: the document and the uploads in flight.
/// Once removed, `data` is the analysis's tombstone (data.removed).
struct analysis_actor_state {
  analysis_state data;
  std::string doc;                ///< Rendered once per change, not per GET.
  std::string summary;            ///< The document without results.
  bool rendered = false;          ///< doc and summary show the current data.
  std::set<std::string> reserved; ///< Names being uploaded right now.
  static inline const char* name = "analysis";
};

using analysis_pointer = analysis_actor::stateful_pointer<analysis_actor_state>;

/// The actor that owns one analysis. Finalize and remove wait for their
/// journal record (nothing else of this analysis runs meanwhile, so of
/// concurrent finalizes exactly one wins); uploads reserve their name, write
/// on a detached worker and commit the record when the bytes are durable, so
/// reads never wait behind a disk write. After a remove it answers not_found
/// and quits once its uploads in flight have ended.
analysis_actor::behavior_type analysis_actor_impl(analysis_pointer self, analysis_state data,
                                                  persistence_actor journal,
                                                  std::shared_ptr<const file_store> files);

} // namespace analysisd
