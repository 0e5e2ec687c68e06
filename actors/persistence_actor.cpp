#include "actors/persistence_actor.hpp"

#include "metrics/metrics.hpp"
#include "persistence/journal.hpp"
#include "persistence/log.hpp"
#include "persistence/recovery.hpp"
#include "persistence/snapshot.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>

namespace analysisd {

namespace {

struct syncer_state {
  std::shared_ptr<journal_writer> journal;
  static inline const char* name = "journal-syncer";
};

syncer_actor::behavior_type syncer_impl(syncer_actor::stateful_pointer<syncer_state> self,
                                        storage* st, std::string state_dir,
                                        std::shared_ptr<journal_writer> journal,
                                        std::uint64_t zeros_ahead) {
  self->state.journal = std::move(journal);
  return {
    [=](append_atom, const std::string& frames) -> caf::result<bool> {
      auto& journal = self->state.journal;
      if (!journal || journal->broken())
        return make_error(errc::read_only);
      // One log line per failed batch, here: the requests it fails are not logged.
      if (auto ec = journal->append_durably(frames)) {
        auto name = journal_name(journal->seq());
        if (journal->broken()) {
          log_error("write or fdatasync of " + name + " failed and its state is unknown ("
                    + ec.message() + "): no more writes will be accepted");
          return make_error(errc::read_only);
        }
        log_warning("write to " + name + " failed (" + ec.message()
                    + "): the batch was cut off again and refused");
        return storage_error(ec);
      }
      auto& m = metrics();
      m.journal_fsync.observe(journal->last_sync());
      m.journal_batch_bytes.observe(frames.size());
      m.journal_bytes_written.fetch_add(frames.size(), std::memory_order_relaxed);
      m.journal_bytes.store(journal->size(), std::memory_order_relaxed);
      return true;
    },
    [=](rotate_atom) -> caf::result<std::uint64_t> {
      auto& journal = self->state.journal;
      if (!journal || journal->broken())
        return make_error(errc::read_only);
      // Only the newest journal may end with zeros.
      if (auto ec = journal->seal())
        return storage_error(ec);
      auto next = journal->seq() + 1;
      std::unique_ptr<journal_writer> fresh;
      if (auto ec = journal_writer::create(*st, state_dir, next, fresh, zeros_ahead))
        return storage_error(ec);
      journal = std::move(fresh);
      return next;
    },
  };
}

using compactor_actor = caf::typed_actor<caf::replies_to<snapshot_atom, std::uint64_t>::with<bool>>;

compactor_actor::behavior_type compactor_impl(compactor_actor::pointer self, storage* st,
                                              std::string state_dir) {
  return {
    [=](snapshot_atom, std::uint64_t upto) -> caf::result<bool> {
      self->quit();
      auto start = std::chrono::steady_clock::now();
      if (auto err = compact(*st, state_dir, upto); !err.empty()) {
        metrics().snapshot_failures.fetch_add(1, std::memory_order_relaxed);
        log_error("compaction failed: " + err);
        return make_error(errc::io_error, err);
      }
      metrics().snapshot_duration.observe(std::chrono::steady_clock::now() - start);
      struct stat sb {};
      if (::stat((state_dir + "/" + snapshot_file_name).c_str(), &sb) == 0)
        metrics().snapshot_bytes.store(static_cast<std::uint64_t>(sb.st_size));
      return true;
    },
  };
}

void flush(persistence_pointer self);

// -- backups ------------------------------------------------------------------

caf::error backup_failure(const backup_error& err) {
  switch (err.fault) {
    case backup_fault::bad_path:
      return make_error(errc::invalid_input,
                        nlohmann::json{{"path", nlohmann::json::array({err.message})}}.dump());
    case backup_fault::not_empty: return make_error(errc::backup_not_empty);
    case backup_fault::disk_full: return make_error(errc::storage_full, err.message);
    default: return make_error(errc::backup_failed, err.message);
  }
}

struct backup_worker_state {
  std::unique_ptr<backup_job> job; ///< Destroyed unfinished (the actor failed or was killed): undone.
  static inline const char* name = "backup";
};

backup_worker_actor::behavior_type
backup_worker_impl(backup_worker_actor::stateful_pointer<backup_worker_state> self,
                   std::string data_dir, std::string dest, storage* st) {
  self->state.job = std::make_unique<backup_job>(data_dir, dest, *st);
  auto fail = [self](const backup_error& err) {
    self->state.job.reset();
    self->quit();
    return backup_failure(err);
  };
  return {
    [=](backup_open_atom) -> caf::result<bool> {
      if (auto err = self->state.job->open())
        return fail(err);
      return true;
    },
    [=](backup_pin_atom, std::uint64_t upto) -> caf::result<bool> {
      if (auto err = self->state.job->pin(upto))
        return fail(err);
      return true;
    },
    [=](backup_finish_atom) -> caf::result<backup_report> {
      backup_report report;
      if (auto err = self->state.job->finish(report))
        return fail(err);
      self->state.job.reset();
      self->quit();
      return report;
    },
  };
}

void end_backup(persistence_pointer self, caf::expected<backup_report> outcome) {
  auto& s = self->state;
  if (!s.backup)
    return;
  auto backup = std::move(s.backup);
  if (outcome) {
    log_info("backup to " + outcome->path + " done: " + std::to_string(outcome->analyses)
             + " analyses, " + std::to_string(outcome->files) + " files ("
             + std::to_string(outcome->linked) + " linked, " + std::to_string(outcome->copied)
             + " copied), journals below " + std::to_string(outcome->journal_seq));
    backup->promise.deliver(std::move(*outcome));
  } else {
    auto why = context_of(outcome.error());
    log_warning("backup failed: " + (why.empty() ? self->system().render(outcome.error()) : why));
    caf::anon_send_exit(backup->worker, caf::exit_reason::user_shutdown);
    backup->promise.deliver(outcome.error());
  }
}

void start_compactor(persistence_pointer self, std::uint64_t seq, bool final);

// The journal is rotated and the state as of the rotation pinned while no
// batch is written, so that no record that the pin does not hold can be
// acknowledged before it and no file that it names can be deleted (a file
// goes only once its removal is durable). Then appends flow again, the data
// dir compacts as it would have, and the backup finishes on its own.
void start_backup(persistence_pointer self) {
  auto& s = self->state;
  s.writing = true;
  s.compacting = true;
  s.backup->opened = false;
  auto worker = s.backup->worker;
  self->request(s.syncer, caf::infinite, rotate_atom::value)
    .then(
      [=](std::uint64_t seq) {
        self->state.journal_bytes = 0;
        auto resume = [=] {
          self->state.writing = false;
          start_compactor(self, seq, false);
          flush(self);
        };
        self->request(worker, caf::infinite, backup_pin_atom::value, seq)
          .then(
            [=](bool) {
              resume();
              self->request(worker, caf::infinite, backup_finish_atom::value)
                .then([=](backup_report& report) { end_backup(self, std::move(report)); },
                      [=](caf::error& err) { end_backup(self, std::move(err)); });
            },
            [=](caf::error& err) {
              resume();
              end_backup(self, std::move(err));
            });
      },
      [=](caf::error& err) {
        auto& s = self->state;
        s.writing = false;
        s.compacting = false;
        end_backup(self, std::move(err));
        flush(self);
      });
}

void finish_snapshot(persistence_pointer self, bool final, const caf::error& err) {
  auto& s = self->state;
  s.compacting = false;
  if (final) {
    for (auto& rp : s.snapshot_waiters) {
      if (err)
        rp.deliver(err);
      else
        rp.deliver(true);
    }
    s.snapshot_waiters.clear();
  }
  flush(self);
}

// Folds everything before journal `seq` into a snapshot.
void start_compactor(persistence_pointer self, std::uint64_t seq, bool final) {
  auto& s = self->state;
  auto compactor = self->spawn<caf::detached>(compactor_impl, s.opts.st, s.opts.state_dir);
  self->request(compactor, caf::infinite, snapshot_atom::value, seq)
    .then([=](bool) { finish_snapshot(self, final, caf::error{}); },
          [=](caf::error& err) { finish_snapshot(self, final, err); });
}

// Rotates the journal and folds everything before it into a snapshot. New
// appends go to the new journal while the compactor works.
void start_compaction(persistence_pointer self, bool final) {
  auto& s = self->state;
  s.writing = true;
  s.compacting = true;
  self->request(s.syncer, caf::infinite, rotate_atom::value)
    .then(
      [=](std::uint64_t seq) {
        auto& s = self->state;
        s.journal_bytes = 0;
        s.writing = false;
        start_compactor(self, seq, final);
        flush(self);
      },
      [=](caf::error& err) {
        auto& s = self->state;
        s.writing = false;
        // Try again only after another rotate_bytes of records: retrying at
        // once would spin while, say, the disk stays full.
        s.journal_bytes = 0;
        log_warning("cannot start a new journal: " + context_of(err));
        finish_snapshot(self, final, err);
      });
}

// Sends everything pending as one batch, unless a batch is being written.
void flush(persistence_pointer self) {
  auto& s = self->state;
  if (s.writing)
    return;
  // Before the next batch: under steady load there always is one.
  if (s.backup && s.backup->opened && (s.failed || s.final_snapshot)) {
    end_backup(self, make_error(s.failed ? errc::read_only : errc::unavailable));
  } else if (s.backup && s.backup->opened && !s.compacting) {
    start_backup(self);
    return;
  }
  if (s.pending.empty()) {
    if (!s.snapshot_waiters.empty() && !s.compacting && !s.final_snapshot) {
      s.final_snapshot = true;
      start_compaction(self, true);
    } else if (s.journal_bytes >= s.opts.rotate_bytes && !s.compacting && !s.failed) {
      start_compaction(self, false);
    }
    return;
  }
  s.writing = true;
  s.batch_in_flight = true;
  auto frames = std::move(s.pending);
  s.pending.clear();
  auto waiting = std::move(s.waiting);
  s.waiting.clear();
  auto since = std::move(s.waiting_since);
  s.waiting_since.clear();
  auto records = std::make_shared<std::vector<journal_record>>(std::move(s.pending_records));
  s.pending_records.clear();
  s.syncs_in_flight.insert(s.syncs_in_flight.end(), s.syncs.begin(), s.syncs.end());
  s.syncs.clear();
  metrics().journal_batch_records.observe(waiting.size());
  auto size = frames.size();
  // The next batch is likely as large as this one: room for it now, not a
  // doubling (and a move of every record so far) as it grows. At most 1 MiB
  // of frames: one batch of large results keeps no large buffer while idle.
  s.pending.reserve(std::min<std::size_t>(size, 1 << 20));
  s.waiting.reserve(waiting.size());
  s.waiting_since.reserve(since.size());
  s.pending_records.reserve(records->size());
  // The batch is decided: its syncs, and those that came while it was
  // written, are answered after its appends.
  auto decided = [self] {
    auto& s = self->state;
    s.batch_in_flight = false;
    s.writing = false;
    for (auto& rp : s.syncs_in_flight)
      rp.deliver(true);
    s.syncs_in_flight.clear();
    flush(self);
  };
  self->request(s.syncer, caf::infinite, append_atom::value, std::move(frames))
    .then(
      [=](bool) mutable {
        auto& s = self->state;
        s.journal_bytes += size;
        auto now = std::chrono::steady_clock::now();
        for (auto t : since)
          metrics().journal_append_durable.observe(now - t);
        // Before the answers: the watcher knows a record is durable before
        // its appender can act on that.
        if (s.watcher && !records->empty())
          self->send(s.watcher, applied_atom::value, std::move(*records));
        for (auto& rp : waiting)
          rp.deliver(true);
        decided();
      },
      [=](caf::error& err) mutable {
        if (code_of(err) == static_cast<std::uint8_t>(errc::read_only)) {
          self->state.failed = true;
          if (self->state.opts.read_only)
            self->state.opts.read_only->store(true);
        }
        for (auto& rp : waiting)
          rp.deliver(err);
        decided();
      });
}

} // namespace

persistence_actor::behavior_type persistence_actor_impl(persistence_pointer self,
                                                        persistence_options opts) {
  if (opts.st == nullptr)
    opts.st = &posix_storage();
  if (opts.data_dir.empty())
    opts.data_dir = opts.state_dir.substr(0, opts.state_dir.rfind('/'));
  self->state.opts = opts;
  self->state.syncer = self->spawn<caf::detached + caf::linked>(syncer_impl, opts.st,
                                                                opts.state_dir,
                                                                opts.journal, opts.zeros_ahead);
  return {
    [=](append_atom, journal_record& rec) -> caf::result<bool> {
      auto& s = self->state;
      if (s.failed)
        return make_error(errc::read_only);
      if (s.final_snapshot)
        return make_error(errc::unavailable);
      // A record must fit a frame, or recovery would take it for damage
      // (results too large for one are refused before they are copied).
      if (rec.results.size() > max_frame_payload)
        return make_error(errc::too_large);
      auto payload = encode_record(rec);
      if (payload.size() > max_frame_payload)
        return make_error(errc::too_large);
      append_frame(s.pending, payload);
      if (s.watcher && self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(s.watcher))
        s.pending_records.push_back(std::move(rec));
      auto rp = self->make_response_promise<bool>();
      s.waiting.push_back(rp);
      s.waiting_since.push_back(std::chrono::steady_clock::now());
      flush(self);
      return rp;
    },
    [=](watch_atom, applied_watcher& watcher) { self->state.watcher = std::move(watcher); },
    [=](sync_atom) -> caf::result<bool> {
      auto& s = self->state;
      if (s.pending.empty() && !s.batch_in_flight)
        return true;
      auto rp = self->make_response_promise<bool>();
      (s.pending.empty() ? s.syncs_in_flight : s.syncs).push_back(rp);
      return rp;
    },
    [=](snapshot_atom) -> caf::result<bool> {
      auto& s = self->state;
      if (s.failed)
        return make_error(errc::read_only);
      auto rp = self->make_response_promise<bool>();
      s.snapshot_waiters.push_back(rp);
      flush(self);
      return rp;
    },
    [=](backup_atom, std::string& dest) -> caf::result<backup_report> {
      auto& s = self->state;
      if (s.failed)
        return make_error(errc::read_only);
      if (s.final_snapshot)
        return make_error(errc::unavailable);
      if (s.backup)
        return make_error(errc::backup_running);
      auto worker = self->spawn<caf::detached>(backup_worker_impl, s.opts.data_dir, dest, s.opts.st);
      s.backup = std::make_unique<persistence_actor_state::backup_request>();
      s.backup->promise = self->make_response_promise<backup_report>();
      s.backup->worker = worker;
      auto rp = s.backup->promise;
      log_info("backup to " + dest + " asked for");
      self->request(worker, caf::infinite, backup_open_atom::value)
        .then(
          [=](bool) {
            if (!self->state.backup)
              return;
            self->state.backup->opened = true;
            flush(self);
          },
          [=](caf::error& err) { end_backup(self, std::move(err)); });
      return rp;
    },
  };
}

} // namespace analysisd
