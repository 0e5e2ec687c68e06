#include "actors/analysis_actor.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "persistence/log.hpp"

#include <caf/all.hpp>

namespace analysisd {

namespace {

void render(analysis_actor_state& st) {
  st.summary = render_analysis(st.data, false);
  st.doc = st.data.ready ? render_analysis(st.data, true) : st.summary;
}

void quit_if_done(analysis_pointer self) {
  if (self->state.removed && self->state.writes_in_flight == 0)
    self->quit();
}

} // namespace

analysis_actor::behavior_type analysis_actor_impl(analysis_pointer self, analysis_state data,
                                                  persistence_actor journal,
                                                  std::shared_ptr<const file_store> files) {
  self->state.data = std::move(data);
  render(self->state);
  auto& st = self->state;
  return {
    [=, &st](get_atom) -> caf::result<std::string> {
      if (st.removed)
        return make_error(errc::not_found);
      return st.doc;
    },
    [=, &st](summary_atom) -> caf::result<std::string> {
      if (st.removed)
        return make_error(errc::not_found);
      return st.summary;
    },
    [=, &st](upload_atom, upload_request& req) -> caf::result<file_record> {
      if (st.removed)
        return make_error(errc::not_found);
      if (auto err = check_upload(st.data, st.reserved, req))
        return err;
      file_record file;
      file.id = st.data.next_file_id++;
      file.name = req.name;
      file.format = req.has_format ? req.format : std::string{};
      file.size = req.bytes.size();
      st.reserved.insert(file.name);
      ++st.writes_in_flight;
      auto rp = self->make_response_promise<file_record>();
      auto id = st.data.id;
      auto finish = [=, &st]() mutable {
        st.reserved.erase(file.name);
        --st.writes_in_flight;
        quit_if_done(self);
      };
      // Bytes that no durable record names must not stay on disk.
      auto drop_bytes = [=](bool whole_analysis) {
        auto worker = self->spawn<caf::detached>(file_io_worker, files);
        auto ignore = [](bool) {};
        auto ignore_error = [](caf::error&) {};
        if (whole_analysis)
          self->request(worker, caf::infinite, remove_atom::value, id).then(ignore, ignore_error);
        else
          self->request(worker, caf::infinite, remove_atom::value, id, file)
            .then(ignore, ignore_error);
      };
      auto worker = self->spawn<caf::detached>(file_io_worker, files);
      self->request(worker, caf::infinite, write_atom::value, id, file, req.bytes)
        .then(
          [=, &st](bool) mutable {
            if (st.removed) {
              // Removed while the bytes were being written.
              drop_bytes(true);
              finish();
              rp.deliver(make_error(errc::not_found));
              return;
            }
            file.uploaded_at = now();
            journal_record rec;
            rec.kind = record_kind::file_added;
            rec.analysis_id = id;
            rec.file = file;
            self->request(journal, caf::infinite, append_atom::value, std::move(rec))
              .then(
                [=, &st](bool) mutable {
                  st.data.files.push_back(file);
                  render(st);
                  finish();
                  rp.deliver(file);
                },
                [=](caf::error& err) mutable {
                  drop_bytes(false);
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
      if (st.removed)
        return make_error(errc::not_found);
      for (auto& f : st.data.files)
        if (f.id == file_id)
          return file_location{st.data.id, f, files->file_path(st.data.id, f)};
      return make_error(errc::not_found);
    },
    [=, &st](finalize_atom, const std::string& results) -> caf::result<std::string> {
      if (st.removed)
        return make_error(errc::not_found);
      // SPEC.md's order: an invalid body (422) before a conflict (409).
      std::string compact;
      if (auto err = normalize_results(results, compact))
        return err;
      if (auto err = check_finalize(st.data))
        return err;
      journal_record rec;
      rec.kind = record_kind::finalized;
      rec.analysis_id = st.data.id;
      rec.results = compact;
      rec.at = now();
      auto rp = self->make_response_promise<std::string>();
      auto at = rec.at;
      // await: nothing else of this analysis runs until the record is durable.
      self->request(journal, caf::infinite, append_atom::value, std::move(rec))
        .await(
          [=, &st](bool) mutable {
            st.data.ready = true;
            st.data.results = compact;
            st.data.updated_at = at;
            render(st);
            rp.deliver(st.doc);
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=, &st](remove_atom, bool forced) -> caf::result<bool> {
      if (st.removed)
        return make_error(errc::not_found);
      if (auto err = check_remove(st.data, forced))
        return err;
      journal_record rec;
      rec.kind = record_kind::removed;
      rec.analysis_id = st.data.id;
      auto rp = self->make_response_promise<bool>();
      auto id = st.data.id;
      self->request(journal, caf::infinite, append_atom::value, std::move(rec))
        .await(
          [=, &st](bool) mutable {
            st.removed = true;
            auto worker = self->spawn<caf::detached>(file_io_worker, files);
            // The record is durable: the analysis is gone whatever happens to
            // its files now (start-up cleanup removes any left behind).
            self->request(worker, caf::infinite, remove_atom::value, id)
              .await([=](bool) mutable { rp.deliver(true); quit_if_done(self); },
                     [=](caf::error&) mutable { rp.deliver(true); quit_if_done(self); });
          },
          [=](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
  };
}

} // namespace analysisd
