#include "actors/persistence_actor.hpp"

#include "metrics/metrics.hpp"
#include "persistence/journal.hpp"
#include "persistence/log.hpp"
#include "persistence/recovery.hpp"
#include "persistence/snapshot.hpp"

#include <caf/all.hpp>

#include <sys/stat.h>

namespace analysisd {

namespace {

struct syncer_state {
  std::shared_ptr<journal_writer> journal;
  static inline const char* name = "journal-syncer";
};

syncer_actor::behavior_type syncer_impl(syncer_actor::stateful_pointer<syncer_state> self,
                                        storage* st, std::string state_dir,
                                        std::shared_ptr<journal_writer> journal) {
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
      auto next = journal->seq() + 1;
      std::unique_ptr<journal_writer> fresh;
      if (auto ec = journal_writer::create(*st, state_dir, next, fresh))
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
        auto compactor = self->spawn<caf::detached>(compactor_impl, s.opts.st, s.opts.state_dir);
        self->request(compactor, caf::infinite, snapshot_atom::value, seq)
          .then([=](bool) { finish_snapshot(self, final, caf::error{}); },
                [=](caf::error& err) { finish_snapshot(self, final, err); });
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
  auto frames = std::move(s.pending);
  s.pending.clear();
  auto waiting = std::move(s.waiting);
  s.waiting.clear();
  auto since = std::move(s.waiting_since);
  s.waiting_since.clear();
  metrics().journal_batch_records.observe(waiting.size());
  auto size = frames.size();
  self->request(s.syncer, caf::infinite, append_atom::value, std::move(frames))
    .then(
      [=](bool) mutable {
        self->state.journal_bytes += size;
        auto now = std::chrono::steady_clock::now();
        for (auto t : since)
          metrics().journal_append_durable.observe(now - t);
        for (auto& rp : waiting)
          rp.deliver(true);
        self->state.writing = false;
        flush(self);
      },
      [=](caf::error& err) mutable {
        if (code_of(err) == static_cast<std::uint8_t>(errc::read_only)) {
          self->state.failed = true;
          if (self->state.opts.read_only)
            self->state.opts.read_only->store(true);
        }
        for (auto& rp : waiting)
          rp.deliver(err);
        self->state.writing = false;
        flush(self);
      });
}

} // namespace

persistence_actor::behavior_type persistence_actor_impl(persistence_pointer self,
                                                        persistence_options opts) {
  if (opts.st == nullptr)
    opts.st = &posix_storage();
  self->state.opts = opts;
  self->state.syncer = self->spawn<caf::detached + caf::linked>(syncer_impl, opts.st,
                                                                opts.state_dir,
                                                                opts.journal);
  return {
    [=](append_atom, journal_record& rec) -> caf::result<bool> {
      auto& s = self->state;
      if (s.failed)
        return make_error(errc::read_only);
      if (s.final_snapshot)
        return make_error(errc::unavailable);
      auto payload = encode_record(rec);
      // A record must fit a frame, or recovery would take it for damage.
      if (payload.size() > max_frame_payload)
        return make_error(errc::too_large);
      append_frame(s.pending, payload);
      auto rp = self->make_response_promise<bool>();
      s.waiting.push_back(rp);
      s.waiting_since.push_back(std::chrono::steady_clock::now());
      flush(self);
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
  };
}

} // namespace analysisd
