#pragma once

#include "actors/protocol.hpp"
#include "persistence/file_store.hpp"

#include <memory>

namespace analysisd {

/// A one-shot worker for blocking file I/O: it handles one request and quits.
/// Spawn it detached (its own thread) so that writing a large upload never
/// stalls a scheduler thread that other analyses need:
/// `self->spawn<caf::detached>(file_io_worker, files)`.
/// Errors: storage_full or io_error; on error no file is left behind.
file_io_actor::behavior_type file_io_worker(file_io_actor::pointer self,
                                            std::shared_ptr<const file_store> files);

/// Where the bytes of file `file_id` of `a` lie in `files`; not_found if `a`
/// has no such file.
caf::expected<file_location> locate_file(const analysis_state& a, const file_store& files,
                                         std::uint64_t file_id);

} // namespace analysisd
