#include "actors/file_io_actor.hpp"

#include "persistence/log.hpp"

namespace analysisd {

namespace {

// A worker that died of an exception would leave its requester waiting
// forever (the answer is a promise of the analysis actor): it answers
// io_error instead.
template <class F>
caf::result<bool> guarded(const char* what, F f) {
  try {
    return f();
  } catch (const std::exception& ex) {
    log_error(std::string{what} + " failed: " + ex.what());
    return make_error(errc::io_error, ex.what());
  }
}

} // namespace

file_io_actor::behavior_type file_io_worker(file_io_actor::pointer self,
                                            std::shared_ptr<const file_store> files) {
  return {
    [=](write_atom, const std::string& analysis_id, const file_record& file,
        const file_payload& bytes) -> caf::result<bool> {
      self->quit();
      return guarded("writing a file", [&]() -> caf::result<bool> {
        if (auto ec = files->write(analysis_id, file, bytes.data(), bytes.size())) {
          log_warning("writing " + analysis_id + "/" + name_on_disk(file)
                      + " failed: " + ec.message());
          return storage_error(ec);
        }
        return true;
      });
    },
    [=](remove_atom, const std::string& analysis_id, const file_record& file) -> caf::result<bool> {
      self->quit();
      return guarded("removing a file", [&]() -> caf::result<bool> {
        if (auto ec = files->remove(analysis_id, file)) {
          log_warning("removing " + analysis_id + "/" + name_on_disk(file) + " failed: "
                      + ec.message());
          return storage_error(ec);
        }
        return true;
      });
    },
    [=](remove_atom, const std::string& analysis_id) -> caf::result<bool> {
      self->quit();
      return guarded("removing an analysis's files", [&]() -> caf::result<bool> {
        if (auto ec = files->remove_analysis(analysis_id)) {
          log_warning("removing the files of " + analysis_id + " failed: " + ec.message());
          return storage_error(ec);
        }
        return true;
      });
    },
  };
}

caf::expected<file_location> locate_file(const analysis_state& a, const file_store& files,
                                         std::uint64_t file_id) {
  for (auto& f : a.files)
    if (f.id == file_id)
      return file_location{a.id, f, files.file_path(a.id, f)};
  return make_error(errc::not_found);
}

} // namespace analysisd
