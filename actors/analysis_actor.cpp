#include "actors/analysis_actor.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "actors/read_leases.hpp"
#include "persistence/recovery.hpp"

#include <caf/all.hpp>

namespace analysisd {

namespace {

using behavior = analysis_actor::behavior_type;

behavior live(analysis_pointer self);
behavior finalizing(analysis_pointer self);
behavior removing(analysis_pointer self);
behavior gone(analysis_pointer self);

// The documents of the current state, rendered once per change.
void render(analysis_actor_state& st) {
  if (st.rendered)
    return;
  st.summary = render_analysis(st.data, false);
  st.doc = std::make_shared<const std::string>(add_results(st.summary, st.data));
  st.rendered = true;
}

// Readers on other threads see the current document from now on (or, once
// the analysis is removed, none): called after every change and before it
// is answered, so that a client reads its own writes. Until the first call
// there is no view, and readers ask the actor.
void publish(analysis_actor_state& st) {
  if (!st.views || (st.dropped && st.dropped->load()))
    return;
  if (st.data.removed) {
    st.views->analyses.withdraw(st.data.id);
    st.published = false;
    return;
  }
  render(st);
  auto view = make_analysis_view(st.doc, st.data.job_id, st.epoch);
  view.read_at = st.read_at;
  st.views->analyses.publish(st.data.id, std::move(view));
  st.published = true;
  // Dropped meanwhile: its registry's withdraw may have come before this
  // publish. (Either this load sees the flag or that withdraw came after.)
  if (st.dropped && st.dropped->load())
    st.views->analyses.withdraw(st.data.id);
}

// Runs `then` once no other node can answer a read of the analysis from
// before the change just published: after a commit, before its answer.
template <class F>
void revoked_then(analysis_pointer self, F then) {
  auto& st = self->state;
  after_revoked(self, st.views ? st.views->leases : nullptr, st.data.id, std::move(then));
}

// The job was acquired: the document shows it running from now on. (No
// read lease can precede this: leases are granted only to the job's own
// key, which the acquire issues.)
bool mark_acquired(analysis_actor_state& st) {
  if (!st.data.removed && !st.data.job_acquired) {
    st.data.job_acquired = true;
    st.rendered = false;
    publish(st);
  }
  return true;
}

// Applies a change whose record is durable, the same way recovery replays it.
void commit(analysis_actor_state& st, journal_record&& rec) {
  apply(st.data, std::move(rec));
  st.rendered = false;
  publish(st);
}

void quit_if_done(analysis_pointer self) {
  auto& st = self->state;
  if (st.data.removed && st.stop_asked && st.reserved.empty())
    self->quit();
}

void remove_files_when_no_writer(analysis_pointer self);

void finish_upload(analysis_pointer self, const std::string& name) {
  self->state.reserved.erase(name);
  remove_files_when_no_writer(self);
  quit_if_done(self);
}

// Removes the bytes of a file that no durable record names, on a detached worker.
void drop_bytes(analysis_pointer self, const std::string& analysis_id, const file_record& file) {
  auto worker = self->spawn<caf::detached>(file_io_worker, self->state.files);
  self->request(worker, caf::infinite, remove_atom::value, analysis_id, file)
    .then([](bool) {}, [](caf::error&) {});
}

// The removed record is decided: uploads whose bytes were written (or
// failed) meanwhile are decided now.
void record_decided(analysis_pointer self) {
  auto& st = self->state;
  st.removing = false;
  auto waiting = std::move(st.after_remove);
  st.after_remove.clear();
  for (auto& f : waiting)
    f();
}

// Once the removal is recorded and no upload writes any more (a writer would
// make the directory again), the files go; then the remove is answered and
// the actor is gone.
void remove_files_when_no_writer(analysis_pointer self) {
  auto& st = self->state;
  if (!st.remove_promise.pending() || st.removing || !st.reserved.empty())
    return;
  auto rp = std::move(st.remove_promise);
  st.remove_promise = {};
  auto worker = self->spawn<caf::detached>(file_io_worker, st.files);
  auto done = [=]() mutable {
    self->become(gone(self));
    rp.deliver(true);
  };
  self->request(worker, caf::infinite, remove_atom::value, st.data.id)
    .then([=](bool) mutable { done(); }, [=](caf::error&) mutable { done(); });
}

// -- the requests, as the behaviours share them -------------------------------

caf::result<std::string> document(analysis_actor_state& st, bool with_results) {
  if (!st.published)
    publish(st); // the reads after this one need no actor
  render(st);
  return with_results ? *st.doc : st.summary;
}

// The bytes of `file` are durable: record it (unless the analysis went meanwhile).
void record_upload(analysis_pointer self, caf::typed_response_promise<file_record> rp,
                   file_record file) {
  auto& st = self->state;
  if (st.removing) {
    st.after_remove.emplace_back([=]() mutable { record_upload(self, rp, file); });
    return;
  }
  auto id = st.data.id;
  if (st.data.removed) {
    // Removed while the bytes were being written: they go with the
    // directory, which the remove deletes once no upload writes.
    finish_upload(self, file.name);
    rp.deliver(make_error(errc::not_found));
    return;
  }
  file.uploaded_at = now();
  journal_record rec;
  rec.kind = record_kind::file_added;
  rec.analysis_id = id;
  rec.file = file;
  self->request(st.journal, caf::infinite, append_atom::value, rec)
    .then(
      [=](bool) mutable {
        commit(self->state, std::move(rec));
        // The name stays reserved until answered: the actor does not retire meanwhile.
        revoked_then(self, [=]() mutable {
          finish_upload(self, file.name);
          rp.deliver(file);
        });
      },
      [=](caf::error& err) mutable {
        // After read_only the record's fate is unknown (the write may have
        // reached the disk, only its fdatasync failed): the bytes stay, and
        // start-up cleanup removes them if no record names them. Any other
        // error means nothing was recorded.
        if (code_of(err) != static_cast<std::uint8_t>(errc::read_only))
          drop_bytes(self, id, file);
        finish_upload(self, file.name);
        rp.deliver(err);
      });
}

// Writing the bytes of `file` failed. If the analysis was removed
// meanwhile, the answer is not_found, as for any upload to it.
void upload_failed(analysis_pointer self, caf::typed_response_promise<file_record> rp,
                   file_record file, caf::error err) {
  auto& st = self->state;
  if (st.removing) {
    st.after_remove.emplace_back([=]() mutable { upload_failed(self, rp, file, err); });
    return;
  }
  if (st.data.removed)
    err = make_error(errc::not_found);
  finish_upload(self, file.name);
  rp.deliver(err);
}

// Checks an upload and reserves its name and file id.
caf::expected<file_record> reserve(analysis_actor_state& st, const upload_request& req) {
  if (auto err = check_upload(st.data, st.reserved, req))
    return err;
  file_record file;
  file.id = st.data.next_file_id++;
  if (st.issued_ids)
    st.issued_ids->store(st.data.next_file_id);
  file.name = req.name;
  file.format = req.has_format ? req.format : std::string{};
  file.size = req.bytes.size();
  st.reserved.insert(file.name);
  return file;
}

// reserve_atom: the reservation is the answer; the caller writes the bytes.
caf::result<file_record> reserve_upload(analysis_actor_state& st, const upload_request& req) {
  auto file = reserve(st, req);
  if (!file)
    return file.error();
  return std::move(*file);
}

// True if `file` names a reservation made by reserve and not yet ended.
// (Not judged by next_file_id: a recorded removal resets the state.)
bool holds_reservation(const analysis_actor_state& st, const file_record& file) {
  return st.reserved.count(file.name) != 0
         && std::none_of(st.data.files.begin(), st.data.files.end(),
                         [&](const file_record& f) { return f.id == file.id; });
}

// The caller wrote the bytes of a reserved upload durably: record them.
caf::result<file_record> commit_upload(analysis_pointer self, const file_record& file) {
  if (!holds_reservation(self->state, file))
    return make_error(errc::not_found);
  auto rp = self->make_response_promise<file_record>();
  record_upload(self, rp, file);
  return rp;
}

// The caller dropped the bytes of a reserved upload: its name is free again.
bool abandon_upload(analysis_pointer self, const file_record& file) {
  if (holds_reservation(self->state, file))
    finish_upload(self, file.name);
  return true;
}

caf::result<file_record> start_upload(analysis_pointer self, upload_request& req) {
  auto& st = self->state;
  auto reserved = reserve(st, req);
  if (!reserved)
    return reserved.error();
  auto file = std::move(*reserved);
  auto rp = self->make_response_promise<file_record>();
  auto worker = self->spawn<caf::detached>(file_io_worker, st.files);
  self->request(worker, caf::infinite, write_atom::value, st.data.id, file, req.bytes)
    .then([=](bool) mutable { record_upload(self, rp, file); },
          [=](caf::error& err) mutable { upload_failed(self, rp, file, err); });
  return rp;
}

caf::result<std::string> start_finalize(analysis_pointer self, const std::string& results) {
  auto& st = self->state;
  auto made = finalize_record(st.data, results, now());
  if (!made)
    return made.error();
  auto rec = std::move(*made);
  auto rp = self->make_response_promise<std::string>();
  self->become(finalizing(self));
  self->request(st.journal, caf::infinite, append_atom::value, rec)
    .then(
      [=](bool) mutable {
        commit(self->state, std::move(rec));
        // Still finalizing (so not retiring) until answered.
        revoked_then(self, [=]() mutable {
          auto& st = self->state;
          render(st);
          self->become(live(self));
          rp.deliver(*st.doc);
        });
      },
      [=](caf::error& err) mutable {
        self->become(live(self));
        rp.deliver(err);
      });
  return rp;
}

caf::result<bool> start_remove(analysis_pointer self, bool forced) {
  auto& st = self->state;
  if (auto err = check_remove(st.data, forced))
    return err;
  journal_record rec;
  rec.kind = record_kind::removed;
  rec.analysis_id = st.data.id;
  auto rp = self->make_response_promise<bool>();
  st.removing = true;
  self->become(removing(self));
  self->request(st.journal, caf::infinite, append_atom::value, rec)
    .then(
      [=](bool) mutable {
        // The record is durable: the analysis is gone whatever happens to
        // its files now (start-up cleanup removes any left behind). Uploads
        // in flight answer not_found; the files go once none writes.
        commit(self->state, std::move(rec));
        revoked_then(self, [=]() mutable {
          self->state.remove_promise = rp;
          record_decided(self);
          remove_files_when_no_writer(self);
        });
      },
      [=](caf::error& err) mutable {
        self->become(live(self));
        record_decided(self);
        rp.deliver(err);
      });
  return rp;
}

// Hands the state back and quits, unless uploads are in flight.
caf::result<analysis_state> retire(analysis_pointer self) {
  auto& st = self->state;
  if (!st.reserved.empty())
    return make_error(errc::unavailable);
  if (st.views)
    st.views->analyses.withdraw(st.data.id);
  auto rp = self->make_response_promise<analysis_state>();
  rp.deliver(std::move(st.data));
  self->quit();
  return rp;
}

// -- the behaviours ---------------------------------------------------------------

behavior live(analysis_pointer self) {
  return {
    [=](get_atom) { return document(self->state, true); },
    [=](summary_atom) { return document(self->state, false); },
    [=](upload_atom, upload_request& req) { return start_upload(self, req); },
    [=](reserve_atom, const upload_request& req) { return reserve_upload(self->state, req); },
    [=](commit_atom, const file_record& file) { return commit_upload(self, file); },
    [=](abandon_atom, const file_record& file) { return abandon_upload(self, file); },
    [=](download_atom, std::uint64_t file_id) -> caf::result<file_location> {
      return locate_file(self->state.data, *self->state.files, file_id);
    },
    [=](finalize_atom, const std::string& results) { return start_finalize(self, results); },
    [=](remove_atom, bool forced) { return start_remove(self, forced); },
    [=](acquire_atom) { return mark_acquired(self->state); },
    [=](retire_atom) { return retire(self); },
  };
}

// A finalize waits for its record: reads and uploads go on; the next
// finalize or remove waits in the mailbox until this one is decided.
behavior finalizing(analysis_pointer self) {
  return {
    [=](get_atom) { return document(self->state, true); },
    [=](summary_atom) { return document(self->state, false); },
    [=](upload_atom, upload_request& req) { return start_upload(self, req); },
    [=](reserve_atom, const upload_request& req) { return reserve_upload(self->state, req); },
    [=](commit_atom, const file_record& file) { return commit_upload(self, file); },
    [=](abandon_atom, const file_record& file) { return abandon_upload(self, file); },
    [=](download_atom, std::uint64_t file_id) -> caf::result<file_location> {
      return locate_file(self->state.data, *self->state.files, file_id);
    },
    [=](finalize_atom, const std::string&) -> caf::result<std::string> { return caf::skip; },
    [=](remove_atom, bool) -> caf::result<bool> { return caf::skip; },
    [=](acquire_atom) { return mark_acquired(self->state); },
    [=](retire_atom) -> caf::result<analysis_state> { return make_error(errc::unavailable); },
  };
}

// Everything waits for the remove's outcome, except the registry's retire,
// which is refused at once (the actor is busy).
behavior removing(analysis_pointer self) {
  return {
    [=](get_atom) -> caf::result<std::string> { return caf::skip; },
    [=](summary_atom) -> caf::result<std::string> { return caf::skip; },
    [=](upload_atom, upload_request&) -> caf::result<file_record> { return caf::skip; },
    [=](reserve_atom, const upload_request&) -> caf::result<file_record> { return caf::skip; },
    // An upload in flight ends as it would in any state: the remove waits for it.
    [=](commit_atom, const file_record& file) { return commit_upload(self, file); },
    [=](abandon_atom, const file_record& file) { return abandon_upload(self, file); },
    [=](download_atom, std::uint64_t) -> caf::result<file_location> { return caf::skip; },
    [=](finalize_atom, const std::string&) -> caf::result<std::string> { return caf::skip; },
    [=](remove_atom, bool) -> caf::result<bool> { return caf::skip; },
    [=](acquire_atom) { return mark_acquired(self->state); },
    [=](retire_atom) -> caf::result<analysis_state> { return make_error(errc::unavailable); },
  };
}

behavior gone(analysis_pointer self) {
  auto not_found = [] { return make_error(errc::not_found); };
  return {
    [=](get_atom) -> caf::result<std::string> { return not_found(); },
    [=](summary_atom) -> caf::result<std::string> { return not_found(); },
    [=](upload_atom, upload_request&) -> caf::result<file_record> { return not_found(); },
    [=](reserve_atom, const upload_request&) -> caf::result<file_record> { return not_found(); },
    [=](commit_atom, const file_record&) -> caf::result<file_record> { return not_found(); },
    [=](abandon_atom, const file_record&) { return true; },
    [=](download_atom, std::uint64_t) -> caf::result<file_location> { return not_found(); },
    [=](finalize_atom, const std::string&) -> caf::result<std::string> { return not_found(); },
    [=](remove_atom, bool) -> caf::result<bool> { return not_found(); },
    [=](acquire_atom) { return true; },
    [=](retire_atom) -> caf::result<analysis_state> {
      self->state.stop_asked = true;
      quit_if_done(self);
      return not_found();
    },
  };
}

} // namespace

analysis_actor::behavior_type analysis_actor_impl(analysis_pointer self, analysis_state data,
                                                  journal_actor journal,
                                                  std::shared_ptr<const file_store> files,
                                                  std::shared_ptr<std::atomic<std::uint64_t>> issued_ids,
                                                  std::shared_ptr<read_views> views,
                                                  std::shared_ptr<const std::atomic<bool>> dropped,
                                                  std::int64_t epoch) {
  auto& st = self->state;
  st.epoch = epoch;
  st.data = std::move(data);
  st.journal = std::move(journal);
  st.files = std::move(files);
  st.issued_ids = std::move(issued_ids);
  st.views = std::move(views);
  st.dropped = std::move(dropped);
  if (st.data.removed)
    return gone(self);
  // No view of an earlier actor of the analysis stays (one dropped in a
  // cluster may have published last); this one publishes at its first read
  // or change.
  if (st.views)
    st.views->analyses.withdraw(st.data.id);
  return live(self);
}

} // namespace analysisd
