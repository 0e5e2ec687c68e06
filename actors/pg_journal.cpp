#include "actors/pg_journal.hpp"

#include "actors/analysis_logic.hpp"
#include "persistence/log.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <set>
#include <utility>
#include <vector>

namespace analysisd {

namespace {

// -- the journal ----------------------------------------------------------------------

// Writes one batch: -> one error per entry (none: committed).
using pg_writer_actor = caf::typed_actor<
  caf::replies_to<append_atom, std::vector<journal_entry>>::with<std::vector<caf::error>>>;

// Each transaction leaves out at least one analysis more than the one
// before, so this bounds the time a batch takes even in a storm of refusals.
constexpr int pg_writer_attempts = 8;

struct pg_writer_state {
  std::unique_ptr<cluster_store> store;
  std::string incarnation;
  std::shared_ptr<pg_journal_stats> stats;
  static inline const char* name = "pg-journal-writer";
};

std::vector<caf::error> pg_write_batch(pg_writer_state& st, std::vector<journal_entry> batch) {
  std::vector<caf::error> out(batch.size());
  // The entries still to write, by their index in `batch`.
  std::vector<std::size_t> live(batch.size());
  for (std::size_t i = 0; i < live.size(); ++i)
    live[i] = i;
  std::vector<journal_entry> attempt = std::move(batch);
  for (int n = 1;; ++n) {
    std::vector<std::size_t> refused;
    auto err = st.store->append_batch(st.incarnation, attempt, &refused);
    st.stats->transactions.fetch_add(1, std::memory_order_relaxed);
    if (!err)
      return out;
    // The refusal named the entries that caused it and nothing was written:
    // the entries of other analyses may go again. Anything else (outcome
    // unknown, PostgreSQL away, a statement refused) fails all of them.
    if (refused.empty() || n == pg_writer_attempts) {
      for (auto i : live)
        out[i] = err;
      return out;
    }
    std::set<std::string> analyses;
    std::vector<bool> culprit(attempt.size());
    for (auto k : refused) {
      if (k >= attempt.size())
        continue;
      culprit[k] = true;
      analyses.insert(attempt[k].record.analysis_id);
    }
    std::vector<std::size_t> still;
    std::vector<journal_entry> next;
    for (std::size_t k = 0; k < attempt.size(); ++k) {
      auto& id = attempt[k].record.analysis_id;
      if (culprit[k]) {
        out[live[k]] = err;
      } else if (analyses.count(id) != 0) {
        out[live[k]] = make_error(errc::unavailable,
                                  "not written: another record of analysis " + id
                                    + " in its batch was refused (" + context_of(err) + ")");
      } else {
        still.push_back(live[k]);
        next.push_back(std::move(attempt[k]));
      }
    }
    if (next.empty())
      return out;
    st.stats->retries.fetch_add(1, std::memory_order_relaxed);
    live = std::move(still);
    attempt = std::move(next);
  }
}

pg_writer_actor::behavior_type pg_writer_impl(pg_writer_actor::stateful_pointer<pg_writer_state> self,
                                              pg_options opts, std::string incarnation,
                                              std::shared_ptr<pg_journal_stats> stats) {
  self->state.store = std::make_unique<cluster_store>(std::move(opts));
  self->state.incarnation = std::move(incarnation);
  self->state.stats = std::move(stats);
  return {
    [=](append_atom, std::vector<journal_entry>& batch) -> std::vector<caf::error> {
      return pg_write_batch(self->state, std::move(batch));
    },
  };
}

struct pg_journal_state {
  pg_writer_actor writer;
  std::shared_ptr<pg_journal_stats> stats;
  std::vector<journal_entry> pending;
  std::deque<caf::typed_response_promise<bool>> waiting; // one per pending entry
  bool writing = false;
  static inline const char* name = "pg-journal";
};

using pg_journal_pointer = pg_journal_actor::stateful_pointer<pg_journal_state>;

// Sends the next batch unless one is being written.
void pg_journal_flush(pg_journal_pointer self) {
  auto& s = self->state;
  if (s.writing || s.pending.empty())
    return;
  s.writing = true;
  std::vector<journal_entry> batch;
  std::vector<caf::typed_response_promise<bool>> promises;
  auto n = std::min(s.pending.size(), pg_journal_batch_cap);
  batch.reserve(n);
  promises.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(s.pending[i]));
    promises.push_back(std::move(s.waiting.front()));
    s.waiting.pop_front();
  }
  s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(n));
  s.stats->batches.fetch_add(1, std::memory_order_relaxed);
  s.stats->entries.fetch_add(n, std::memory_order_relaxed);
  // The writer answers within a few calls' timeouts, each bounded.
  self->request(s.writer, caf::infinite, append_atom::value, std::move(batch))
    .then(
      [=](std::vector<caf::error>& errors) mutable {
        for (std::size_t i = 0; i < promises.size(); ++i) {
          if (i < errors.size() && errors[i])
            promises[i].deliver(std::move(errors[i]));
          else if (i < errors.size())
            promises[i].deliver(true);
          else
            promises[i].deliver(make_error(errc::unavailable, "pg journal: no outcome"));
        }
        self->state.writing = false;
        pg_journal_flush(self);
      },
      [=](caf::error& err) mutable {
        for (auto& rp : promises)
          rp.deliver(err);
        self->state.writing = false;
        pg_journal_flush(self);
      });
}

pg_journal_actor::behavior_type pg_journal_impl(pg_journal_pointer self, pg_options opts,
                                                std::string incarnation,
                                                std::shared_ptr<pg_journal_stats> stats) {
  self->state.stats = stats;
  self->state.writer = self->spawn<caf::detached + caf::linked>(pg_writer_impl, std::move(opts),
                                                                std::move(incarnation), stats);
  return {
    [=](append_atom, journal_entry& entry) -> caf::result<bool> {
      auto& s = self->state;
      s.pending.push_back(std::move(entry));
      auto rp = self->make_response_promise<bool>();
      s.waiting.push_back(rp);
      pg_journal_flush(self);
      return rp;
    },
  };
}

// -- the readers -----------------------------------------------------------------------

struct pg_reader_worker_state {
  std::unique_ptr<cluster_store> store;
  static inline const char* name = "pg-reader";
};

pg_reader_actor::behavior_type
pg_reader_worker_impl(pg_reader_actor::stateful_pointer<pg_reader_worker_state> self,
                      pg_options opts, std::chrono::milliseconds ttl) {
  self->state.store = std::make_unique<cluster_store>(std::move(opts));
  return {
    [=](load_atom, const std::string& analysis_id) -> caf::result<loaded_analysis> {
      auto r = self->state.store->load_analysis(analysis_id);
      if (!r)
        return std::move(r.error());
      return std::move(*r);
    },
    [=](job_atom, const std::string& job_id) -> caf::result<job_info> {
      auto r = self->state.store->job(job_id);
      if (!r)
        return std::move(r.error());
      return std::move(*r);
    },
    [=](list_atom, const list_request& req) -> caf::result<analysis_page> {
      if (auto err = check_list(req))
        return err;
      auto r = self->state.store->list(req.page, req.per_page);
      if (!r)
        return std::move(r.error());
      return std::move(*r);
    },
    [=](reserve_atom, const file_reservation& res) -> caf::result<bool> {
      if (auto err = self->state.store->reserve_file(res, ttl))
        return err;
      return true;
    },
    // An abandoned upload's reservation goes to the janitor: its writer may
    // have died with its bytes on the shared volume (see expire_reservation).
    [=](abandon_atom, const std::string& analysis_id, std::uint64_t file_id) -> caf::result<bool> {
      if (auto err = self->state.store->expire_reservation(analysis_id, file_id))
        return err;
      return true;
    },
  };
}

struct pg_reader_front_state {
  std::vector<pg_reader_actor> workers;
  std::vector<std::size_t> in_flight; // per worker
  static inline const char* name = "pg-readers";
};

using pg_reader_front_pointer = pg_reader_actor::stateful_pointer<pg_reader_front_state>;

// Sends a request to the least busy worker and answers with its answer.
template <class R, class... Ts>
caf::result<R> pg_reader_dispatch(pg_reader_front_pointer self, Ts&&... xs) {
  auto& s = self->state;
  auto i = static_cast<std::size_t>(
    std::min_element(s.in_flight.begin(), s.in_flight.end()) - s.in_flight.begin());
  ++s.in_flight[i];
  auto rp = self->make_response_promise<R>();
  // A worker answers within its call's timeouts.
  self->request(s.workers[i], caf::infinite, std::forward<Ts>(xs)...)
    .then(
      [=](R& r) mutable {
        --self->state.in_flight[i];
        rp.deliver(std::move(r));
      },
      [=](caf::error& err) mutable {
        --self->state.in_flight[i];
        rp.deliver(std::move(err));
      });
  return rp;
}

pg_reader_actor::behavior_type pg_reader_front_impl(pg_reader_front_pointer self, pg_options opts,
                                                    std::size_t connections,
                                                    std::chrono::milliseconds ttl) {
  auto& s = self->state;
  for (std::size_t i = 0; i < std::max<std::size_t>(connections, 1); ++i) {
    s.workers.push_back(self->spawn<caf::detached + caf::linked>(pg_reader_worker_impl, opts, ttl));
    s.in_flight.push_back(0);
  }
  return {
    [=](load_atom a, std::string& id) -> caf::result<loaded_analysis> {
      return pg_reader_dispatch<loaded_analysis>(self, a, std::move(id));
    },
    [=](job_atom a, std::string& id) -> caf::result<job_info> {
      return pg_reader_dispatch<job_info>(self, a, std::move(id));
    },
    [=](list_atom a, list_request& req) -> caf::result<analysis_page> {
      return pg_reader_dispatch<analysis_page>(self, a, std::move(req));
    },
    [=](reserve_atom a, file_reservation& res) -> caf::result<bool> {
      return pg_reader_dispatch<bool>(self, a, std::move(res));
    },
    [=](abandon_atom a, std::string& id, std::uint64_t file_id) -> caf::result<bool> {
      return pg_reader_dispatch<bool>(self, a, std::move(id), file_id);
    },
  };
}

// -- the blob janitor ---------------------------------------------------------------------

struct pg_janitor_state {
  std::unique_ptr<cluster_store> store;
  std::shared_ptr<const file_store> files;
  static inline const char* name = "blob-janitor";
};

// One round: -> the reservations whose bytes were deleted and that were dropped.
std::uint64_t pg_janitor_sweep(pg_janitor_state& st) {
  auto expired = st.store->expired_reservations(pg_janitor_round);
  if (!expired) {
    log_warning("blob janitor: cannot list expired reservations: " + context_of(expired.error()));
    return 0;
  }
  std::uint64_t done = 0;
  for (auto& r : *expired) {
    auto ec = st.files->remove_upload(r.analysis_id, r.file_id, r.name);
    if (ec == std::errc::invalid_argument) {
      // Not a name this store writes under: it holds no bytes of it, and
      // keeping the row would take a place in every round.
      log_warning("blob janitor: reservation " + r.analysis_id + "/" + std::to_string(r.file_id)
                  + " names no path of this store: dropped");
    } else if (ec) {
      log_warning("blob janitor: cannot delete the bytes of " + r.analysis_id + "/"
                  + std::to_string(r.file_id) + " (" + ec.message() + "): kept for the next round");
      continue;
    }
    // Only after the bytes are gone: a reservation dropped first would
    // leave bytes that nothing names.
    if (auto err = st.store->drop_reservation(r.analysis_id, r.file_id)) {
      log_warning("blob janitor: cannot drop the reservation " + r.analysis_id + "/"
                  + std::to_string(r.file_id) + ": " + context_of(err));
      break; // PostgreSQL is away: the next round tries again
    }
    ++done;
  }
  return done;
}

caf::behavior pg_janitor_impl(caf::stateful_actor<pg_janitor_state>* self, pg_options opts,
                              std::shared_ptr<const file_store> files,
                              std::chrono::milliseconds interval) {
  self->state.store = std::make_unique<cluster_store>(std::move(opts));
  self->state.files = std::move(files);
  self->delayed_send(self, interval, janitor_atom::value);
  return {
    [=](janitor_atom) {
      pg_janitor_sweep(self->state);
      self->delayed_send(self, interval, janitor_atom::value);
    },
    [=](janitor_round_atom) -> std::uint64_t { return pg_janitor_sweep(self->state); },
  };
}

} // namespace

pg_journal_actor spawn_pg_journal(caf::actor_system& sys, pg_options opts, std::string incarnation,
                                  std::shared_ptr<pg_journal_stats> stats) {
  if (!stats)
    stats = std::make_shared<pg_journal_stats>();
  return sys.spawn(pg_journal_impl, std::move(opts), std::move(incarnation), std::move(stats));
}

pg_journal_actor spawn_pg_journal(caf::actor_system& sys, pg_options opts, std::string incarnation) {
  return spawn_pg_journal(sys, std::move(opts), std::move(incarnation), nullptr);
}

pg_reader_actor spawn_pg_readers(caf::actor_system& sys, pg_options opts, std::size_t connections,
                                 std::chrono::milliseconds reservation_ttl) {
  return sys.spawn(pg_reader_front_impl, std::move(opts), connections, reservation_ttl);
}

caf::actor spawn_blob_janitor(caf::actor_system& sys, pg_options opts,
                              std::shared_ptr<const file_store> files,
                              std::chrono::milliseconds interval) {
  return sys.spawn<caf::detached>(pg_janitor_impl, std::move(opts), std::move(files), interval);
}

} // namespace analysisd
