#include "actors/analysis_actor.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "persistence/recovery.hpp"

#include <caf/all.hpp>

namespace analysisd {

namespace {

// The documents of the current state, rendered at the first read after a
// change: a finalize renders once for its answer, an upload not at all, and
// an actor spawned for a write renders nothing it will not send.
void render(analysis_actor_state& st) {
  if (st.rendered)
    return;
  st.summary = render_analysis(st.data, false);
  st.doc = add_results(st.summary, st.data);
  st.rendered = true;
}

// Applies a change whose record is durable, the same way recovery replays it.
void commit(analysis_actor_state& st, journal_record&& rec) {
  apply(st.data, std::move(rec));
  st.rendered = false;
}

void quit_if_done(analysis_pointer self) {
  if (self->state.data.removed && self->state.reserved.empty())
    self->quit();
}

// Removes bytes that no durable record names, on a detached worker.
void drop_bytes(analysis_pointer self, std::shared_ptr<const file_store> files,
                const std::string& analysis_id, const file_record* file) {
  auto worker = self->spawn<caf::detached>(file_io_worker, std::move(files));
  auto ignore = [](bool) {};
  auto ignore_error = [](caf::error&) {};
  if (file == nullptr)
    self->request(worker, caf::infinite, remove_atom::value, analysis_id)
      .then(ignore, ignore_error);
  else
    self->request(worker, caf::infinite, remove_atom::value, analysis_id, *file)
      .then(ignore, ignore_error);
}

} // namespace

analysis_actor::behavior_type analysis_actor_impl(analysis_pointer self, analysis_state data,
                                                  persistence_actor journal,
                                                  std::shared_ptr<const file_store> files) {
  self->state.data = std::move(data);
  auto& st = self->state;
  return {
    [=, &st](get_atom) -> caf::result<std::string> {
      if (st.data.removed)
        return make_error(errc::not_found);
      render(st);
      return st.doc;
    },
    [=, &st](summary_atom) -> caf::result<std::string> {
      if (st.data.removed)
        return make_error(errc::not_found);
      render(st);
      return st.summary;
    },
    [=, &st](upload_atom, upload_request& req) -> caf::result<file_record> {
      if (st.data.removed)
        return make_error(errc::not_found);
      if (auto err = check_upload(st.data, st.reserved, req))
        return err;
      file_record file;
      file.id = st.data.next_file_id++;
      file.name = req.name;
      file.format = req.has_format ? req.format : std::string{};
      file.size = req.bytes.size();
      st.reserved.insert(file.name);
      auto rp = self->make_response_promise<file_record>();
      auto id = st.data.id;
      auto finish = [=, &st] {
        st.reserved.erase(file.name);
        quit_if_done(self);
      };
      auto worker = self->spawn<caf::detached>(file_io_worker, files);
      self->request(worker, caf::infinite, write_atom::value, id, file, req.bytes)
        .then(
          [=, &st](bool) mutable {
            if (st.data.removed) {
              // Removed while the bytes were being written.
              drop_bytes(self, files, id, nullptr);
              finish();
              rp.deliver(make_error(errc::not_found));
              return;
            }
            file.uploaded_at = now();
            journal_record rec;
            rec.kind = record_kind::file_added;
            rec.analysis_id = id;
            rec.file = file;
            self->request(journal, caf::infinite, append_atom::value, rec)
              .then(
                [=, &st](bool) mutable {
                  commit(st, std::move(rec));
                  finish();
                  rp.deliver(file);
                },
                [=](caf::error& err) mutable {
                  drop_bytes(self, files, id, &file);
                  finish();
                  rp.deliver(err);
                });
          },
          [=](caf::error& err) mutable {
            finish();
            rp.deliver(err);
          });
      return rp;
    },
    [=, &st](download_atom, std::uint64_t file_id) -> caf::result<file_location> {
      if (st.data.removed)
        return make_error(errc::not_found);
      for (auto& f : st.data.files)
        if (f.id == file_id)
          return file_location{st.data.id, f, files->file_path(st.data.id, f)};
      return make_error(errc::not_found);
    },
    [=, &st](finalize_atom, const std::string& results) -> caf::result<std::string> {
      if (st.data.removed)
        return make_error(errc::not_found);
      // SPEC.md's order: an invalid body (422) before a conflict (409).
      if (auto err = check_results(results))
        return err;
      if (auto err = check_finalize(st.data))
        return err;
      journal_record rec;
      rec.results = results;
      rec.kind = record_kind::finalized;
      rec.analysis_id = st.data.id;
      rec.at = now();
      auto rp = self->make_response_promise<std::string>();
      // await: nothing else of this analysis runs until the record is durable.
      self->request(journal, caf::infinite, append_atom::value, rec)
        .await(
          [=, &st](bool) mutable {
            commit(st, std::move(rec));
            render(st);
            rp.deliver(st.doc);
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=, &st](remove_atom, bool forced) -> caf::result<bool> {
      if (st.data.removed)
        return make_error(errc::not_found);
      if (auto err = check_remove(st.data, forced))
        return err;
      journal_record rec;
      rec.kind = record_kind::removed;
      rec.analysis_id = st.data.id;
      auto rp = self->make_response_promise<bool>();
      self->request(journal, caf::infinite, append_atom::value, rec)
        .await(
          [=, &st](bool) mutable {
            // The record is durable: the analysis is gone whatever happens to
            // its files now (start-up cleanup removes any left behind).
            commit(st, std::move(rec));
            auto worker = self->spawn<caf::detached>(file_io_worker, files);
            auto done = [=]() mutable {
              rp.deliver(true);
              quit_if_done(self);
            };
            self->request(worker, caf::infinite, remove_atom::value, st.data.id)
              .await([=](bool) mutable { done(); }, [=](caf::error&) mutable { done(); });
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=, &st](acquire_atom) {
      st.data.job_acquired = true;
      st.rendered = false;
    },
    [=, &st](retire_atom) -> caf::result<analysis_state> {
      if (st.data.removed)
        return make_error(errc::not_found);
      if (!st.reserved.empty())
        return make_error(errc::unavailable);
      auto rp = self->make_response_promise<analysis_state>();
      rp.deliver(std::move(st.data));
      self->quit();
      return rp;
    },
  };
}

} // namespace analysisd
