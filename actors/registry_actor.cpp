#include "actors/registry_actor.hpp"

#include "actors/analysis_actor.hpp"
#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "persistence/log.hpp"
#include "persistence/recovery.hpp"
#include "persistence/side_by_side.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <iterator>
#include <optional>

namespace analysisd {

namespace {

// Where an analysis that exists is: its live entry, or else its dormant state.
struct whereabouts {
  live_entry* live = nullptr;
  state_map::iterator dormant;
};

// One lookup for an analysis whose actor runs, two for a dormant one;
// nullopt if it does not exist (or was removed).
std::optional<whereabouts> locate(registry_state& s, const std::string& id) {
  if (auto l = s.live.find(id); l != s.live.end())
    return whereabouts{&l->second, {}};
  if (auto d = s.dormant.find(id); d != s.dormant.end())
    return whereabouts{nullptr, d};
  return std::nullopt;
}

// A fresh random id that no analysis, job or creation in flight uses.
template <class Taken>
std::string unused_id(registry_state& s, Taken taken) {
  for (;;) {
    auto id = random_id();
    if (!taken(id) && s.creating.count(id) == 0 && s.removed.count(id) == 0)
      return id;
  }
}

// Looks for idle actors every idle_after/2, while any actor runs.
void schedule_sweep(registry_pointer self) {
  auto& s = self->state;
  if (s.sweeping || s.idle_after.count() <= 0 || s.live.empty())
    return;
  s.sweeping = true;
  self->delayed_send(self, std::max(s.idle_after / 2, std::chrono::milliseconds(10)),
                     sweep_atom::value);
}

// The job `job_id`, or nullopt if there is none (the registry is the one
// writer of its table, and reads it without an epoch guard).
std::optional<job_view> job_of(const registry_state& s, const std::string& job_id) {
  return s.views->jobs.copy_of(job_id);
}

// The actor of a located analysis that is not retiring; spawns it with the
// dormant state if it has none.
analysis_actor actor_of(registry_pointer self, const whereabouts& at) {
  auto& s = self->state;
  auto now = std::chrono::steady_clock::now();
  if (at.live != nullptr) {
    at.live->last_used = now;
    return at.live->actor;
  }
  auto node = s.dormant.extract(at.dormant);
  live_entry e;
  e.created_at = node.mapped().created_at;
  e.last_used = now;
  e.durable = node.mapped();
  e.issued_ids = std::make_shared<std::atomic<std::uint64_t>>(e.durable.next_file_id);
  // lazy_init: the actor starts with the message that spawned it, not with
  // a scheduling round of its own first.
  e.actor = self->spawn<caf::lazy_init>(analysis_actor_impl, std::move(node.mapped()),
                                        caf::actor_cast<journal_actor>(s.journal), s.files,
                                        e.issued_ids, s.views, nullptr, std::int64_t{0});
  self->monitor(e.actor);
  auto actor = e.actor;
  s.by_actor.emplace(actor.id(), node.key());
  if (s.on_spawn)
    s.on_spawn(node.key(), actor);
  s.live.emplace(std::move(node.key()), std::move(e));
  schedule_sweep(self);
  return actor;
}

// Authentication, then the analysis, then the job's right to it (SPEC.md's
// order); the analysis's whereabouts if all pass.
caf::expected<whereabouts> route(registry_pointer self, const credential& cred,
                                 const std::string& analysis_id) {
  auto& s = self->state;
  std::optional<job_view> job;
  if (!cred.admin) {
    job = job_of(s, cred.job_id);
    if (!job || !job->accepts(cred.key_hash))
      return make_error(errc::unauthorized);
  }
  auto at = locate(s, analysis_id);
  if (!at)
    return make_error(errc::not_found);
  if (job && job->analysis_id != analysis_id)
    return make_error(errc::forbidden);
  return *at;
}

// The requests waiting for the finalize that the registry records for a
// located dormant analysis; null if it records none.
std::vector<std::function<void(bool)>>* dormant_writing(registry_state& s, const std::string& id,
                                                        const whereabouts& at) {
  if (at.live != nullptr || s.writing.empty())
    return nullptr;
  auto w = s.writing.find(id);
  return w == s.writing.end() ? nullptr : &w->second;
}

// Where a request for a located analysis waits while its actor retires or
// died, or while the registry records its finalize; null if it need not.
std::vector<std::function<void(bool)>>* unsettled(registry_state& s, const std::string& id,
                                                  const whereabouts& at) {
  if (at.live != nullptr)
    return at.live->retiring || at.live->dead ? &at.live->waiting : nullptr;
  return dormant_writing(s, id, at);
}

// A located analysis that is dormant while the registry records its
// finalize: its reads (GET, download) are answered from its state
// meanwhile, as an actor answers them while its finalize waits for its
// record.
const analysis_state* finalizing_dormant(registry_state& s, const std::string& id,
                                         const whereabouts& at) {
  return dormant_writing(s, id, at) != nullptr ? &at.dormant->second : nullptr;
}

// Runs `f(true)` now, or, while the analysis is unsettled, once that has
// ended (`f(false)` if the analysis was removed meanwhile).
void when_settled(registry_pointer self, const std::string& id,
                  std::function<void(bool)> f) {
  auto at = locate(self->state, id);
  auto* waiting = at ? unsettled(self->state, id, *at) : nullptr;
  if (waiting != nullptr)
    waiting->emplace_back(std::move(f));
  else
    f(true);
}

void run_waiting(std::vector<std::function<void(bool)>> waiting, bool exists) {
  for (auto& f : waiting)
    f(exists);
}

// Takes the ticket of a request to actor `aid` out of `pending`; false if
// it was answered already (the actor died and the request got unavailable).
bool settle(registry_pointer self, caf::actor_id aid, std::uint64_t ticket) {
  auto& pending = self->state.pending;
  auto p = pending.find(aid);
  if (p == pending.end() || p->second.erase(ticket) == 0)
    return false;
  if (p->second.empty())
    pending.erase(p);
  return true;
}

bool bounced(const caf::error& err) {
  return err == caf::sec::request_receiver_down;
}

// Sends a request to an analysis actor and runs `on_ok(R&)` or
// `on_err(const caf::error&)` with its answer, exactly once: if the actor
// dies first, `on_err(unavailable)` runs at once (from the down handler), not
// after a timeout. A request bounced off a closed mailbox is left to the
// down message, which always follows (the registry monitors every actor).
template <class R, class OnOk, class OnErr, class... Ts>
void ask_actor(registry_pointer self, const analysis_actor& actor, OnOk on_ok, OnErr on_err,
               Ts&&... xs) {
  auto& s = self->state;
  auto ticket = ++s.next_ticket;
  auto aid = actor.id();
  s.pending[aid].emplace(ticket, [on_err](const caf::error& err) mutable { on_err(err); });
  self->request(actor, caf::infinite, std::forward<Ts>(xs)...)
    .then(
      [=](R& x) mutable {
        if (settle(self, aid, ticket))
          on_ok(x);
      },
      [=](caf::error& err) mutable {
        if (!bounced(err) && settle(self, aid, ticket))
          on_err(err);
      });
}

// Sends a request for a routed analysis to its actor and answers from its
// reply; while the analysis is unsettled, the request waits for the outcome.
// A read (`delegated`) goes to a running actor by delegation instead: the
// actor answers the requester itself, one hop less per GET (bench/: 10% of
// the GET throughput). A read is answered by the handler that takes it, so
// none is ever half done in an actor that dies; one still in its mailbox
// (reads wait there while the actor removes its analysis) is bounced with
// request_receiver_down, which http/errors.cpp answers 503, as unavailable.
template <class R, bool delegated = false, class... Ts>
caf::result<R> dispatch(registry_pointer self, const std::string& id, const whereabouts& at,
                        Ts... xs) {
  auto* waiting = unsettled(self->state, id, at);
  if constexpr (delegated) {
    if (waiting == nullptr)
      return self->delegate(actor_of(self, at), std::move(xs)...);
  }
  auto rp = self->make_response_promise<R>();
  auto send = [=](const whereabouts& where) mutable {
    ask_actor<R>(
      self, actor_of(self, where), [rp](R& x) mutable { rp.deliver(std::move(x)); },
      [rp](const caf::error& err) mutable { rp.deliver(err); }, std::move(xs)...);
  };
  if (waiting == nullptr) {
    send(at);
    return rp;
  }
  waiting->emplace_back([=](bool exists) mutable {
    auto now_at = locate(self->state, id);
    if (!exists || !now_at)
      rp.deliver(make_error(errc::not_found));
    else
      send(*now_at);
  });
  return rp;
}

// Routes a request (route()) and dispatches it to the analysis's actor.
template <class R, class... Ts>
caf::result<R> forward(registry_pointer self, const credential& cred, const std::string& id,
                       Ts... xs) {
  auto at = route(self, cred, id);
  if (!at)
    return at.error();
  return dispatch<R>(self, id, *at, std::move(xs)...);
}

// Finalizes a dormant analysis without spawning an actor for it: the
// registry, its one writer while it is dormant, records the change, applies
// it to the dormant state and answers the finalized document. Meanwhile its
// reads are answered from the dormant state (finalizing_dormant) and its
// other requests wait (registry_state::writing); the listing shows it
// unfinalized until the answer. A dormant analysis has no published view,
// so the reads after the answer take the actor path and see the change.
caf::result<std::string> finalize_dormant(registry_pointer self, const std::string& id,
                                          const analysis_state& a, const std::string& results) {
  auto made = finalize_record(a, results, now());
  if (!made)
    return made.error();
  auto rec = std::move(*made);
  auto rp = self->make_response_promise<std::string>();
  self->state.writing.emplace(id, std::vector<std::function<void(bool)>>{});
  // The requests that waited run once the answer is delivered.
  auto settle_writing = [self, id] {
    auto node = self->state.writing.extract(id);
    if (!node.empty())
      run_waiting(std::move(node.mapped()), true);
  };
  self->request(self->state.journal, caf::infinite, append_atom::value, rec)
    .then(
      [=](bool) mutable {
        // Still dormant: every request that could have moved it waited.
        auto d = self->state.dormant.find(id);
        if (d == self->state.dormant.end()) {
          // Cannot happen (nothing takes a dormant analysis while writing);
          // the next start applies the durable record.
          log_error("analysis " + id + " left the dormant states while its finalize was "
                    "recorded; its answer is 503 though the record is durable");
          rp.deliver(make_error(errc::unavailable));
        } else {
          apply(d->second, std::move(rec));
          rp.deliver(render_analysis(d->second));
        }
        settle_writing();
      },
      [=](caf::error& err) mutable {
        // As in an actor: the state stays unfinalized (after read_only the
        // record's fate is decided by the next start's recovery).
        rp.deliver(err);
        settle_writing();
      });
  return rp;
}

// Tells the analysis of a job that was just acquired (its document shows
// the job running): its actor, or its dormant state once any retirement or
// finalize being recorded ended; then runs `done` (after the actor's view
// shows it).
void mark_acquired(registry_pointer self, const std::string& analysis_id,
                   std::function<void()> done) {
  when_settled(self, analysis_id, [=](bool exists) {
    auto at = exists ? locate(self->state, analysis_id) : std::nullopt;
    if (!at) {
      done();
    } else if (at->live != nullptr) {
      at->live->durable.job_acquired = true; // should the actor die
      ask_actor<bool>(
        self, at->live->actor, [done](bool) { done(); },
        [done](const caf::error&) { done(); }, acquire_atom::value);
    } else {
      at->dormant->second.job_acquired = true;
      done();
    }
  });
}

// Asks an idle actor for its state back, to keep it dormant.
void retire(registry_pointer self, const std::string& id, live_entry& e) {
  e.retiring = true;
  auto actor = e.actor;
  ask_actor<analysis_state>(
    self, actor,
    [=](analysis_state& state) {
      auto& s = self->state;
      auto i = s.live.find(id);
      if (i == s.live.end() || i->second.actor != actor)
        return;
      auto node = s.live.extract(i);
      s.by_actor.erase(actor.id());
      s.dormant.emplace(std::move(node.key()), std::move(state));
      run_waiting(std::move(node.mapped().waiting), true);
    },
    [=](const caf::error&) {
      // Uploads in flight (or busy, or removed meanwhile): the actor stays.
      // If it died, its down message decides what comes next.
      auto i = self->state.live.find(id);
      if (i == self->state.live.end() || i->second.actor != actor || i->second.dead)
        return;
      i->second.retiring = false;
      run_waiting(std::move(i->second.waiting), true);
    },
    retire_atom::value);
}

void sweep(registry_pointer self) {
  auto& s = self->state;
  auto idle_since = std::chrono::steady_clock::now() - s.idle_after;
  s.sweeping = false;
  for (auto& [id, e] : s.live) {
    note_view_reads(s.views, id, e.last_used);
    if (!e.retiring && !e.dead && e.last_used <= idle_since)
      retire(self, id, e);
  }
  schedule_sweep(self);
}

// Drops a removed analysis from the tables (its live entry is gone already)
// and tells what waited for it that it is gone.
void forget(registry_state& s, const std::string& analysis_id, const std::string& job_id,
            timestamp created_at, std::vector<std::function<void(bool)>> waiting) {
  // The job stays, marked: its later requests for the analysis get 404, not
  // 401, and readers no longer let it write.
  if (auto job = job_of(s, job_id)) {
    job->removed = true;
    s.views->jobs.publish(job_id, std::move(*job));
  }
  s.by_created.remove(created_at, analysis_id);
  s.removed.insert(analysis_id);
  run_waiting(std::move(waiting), false);
}

// Drops an analysis that `actor` removed, and tells the actor (gone now) to
// quit. That retire is the last message the registry sends it, so every
// request forwarded before finds an open mailbox (and gets not_found).
void forget_removed(registry_pointer self, const std::string& analysis_id,
                    const analysis_actor& actor) {
  auto& s = self->state;
  auto i = s.live.find(analysis_id);
  if (i == s.live.end() || i->second.actor != actor)
    return;
  auto node = s.live.extract(i);
  s.by_actor.erase(actor.id());
  forget(s, analysis_id, node.mapped().durable.job_id, node.mapped().created_at,
         std::move(node.mapped().waiting));
  self->request(actor, caf::infinite, retire_atom::value)
    .then([](analysis_state&) {}, [](caf::error&) {});
}

// The analysis of a dead actor goes back to dormant from what the journal
// holds of it (or is dropped, if its removal was recorded), and the requests
// that waited meanwhile run again: the next one spawns a fresh actor.
void restore(registry_pointer self, const std::string& analysis_id) {
  auto& s = self->state;
  auto node = s.live.extract(analysis_id);
  if (node.empty())
    return;
  auto& e = node.mapped();
  auto state = std::move(e.durable);
  // Past every id the dead actor handed out: their bytes may be on disk.
  if (e.issued_ids)
    state.next_file_id = std::max(state.next_file_id, e.issued_ids->load());
  if (state.removed) {
    // Recorded as removed: its files go now (start-up cleanup would, too).
    auto worker = self->spawn<caf::detached>(file_io_worker, s.files);
    self->request(worker, caf::infinite, remove_atom::value, analysis_id)
      .then([](bool) {}, [](caf::error&) {});
    forget(s, analysis_id, state.job_id, e.created_at, std::move(e.waiting));
    return;
  }
  auto waiting = std::move(e.waiting);
  s.dormant.emplace(std::move(node.key()), std::move(state));
  run_waiting(std::move(waiting), true);
}

// An analysis actor ended. If it still served its analysis it died: every
// request it held is answered unavailable now, and its analysis is restored.
void on_down(registry_pointer self, caf::down_msg& dm) {
  auto& s = self->state;
  auto aid = dm.source.id();
  std::string analysis_id;
  if (auto b = s.by_actor.find(aid); b != s.by_actor.end()) {
    analysis_id = std::move(b->second);
    s.by_actor.erase(b);
  }
  live_entry* e = nullptr;
  if (auto i = s.live.find(analysis_id); !analysis_id.empty() && i != s.live.end()
                                         && i->second.actor.id() == aid) {
    e = &i->second;
    // First, so that the failures below route nothing to it.
    e->dead = true;
    // Its view goes now: it is the actor's, and the next actor of the
    // analysis publishes its own.
    s.views->analyses.withdraw(analysis_id);
    log_error("the actor of analysis " + analysis_id + " died ("
              + self->system().render(dm.reason)
              + "); its requests get 503 and it is served again from its durable state");
  }
  if (auto p = s.pending.find(aid); p != s.pending.end()) {
    auto failed = std::move(p->second);
    s.pending.erase(p);
    for (auto& [ticket, fail] : failed)
      fail(make_error(errc::unavailable));
  }
  if (e == nullptr)
    return;
  // Records it sent may still be with the journal: restore once they are
  // decided (the durable ones have reached `durable` by then).
  auto restore_dead = [=] {
    auto i = self->state.live.find(analysis_id);
    if (i != self->state.live.end() && i->second.dead && i->second.actor.id() == aid)
      restore(self, analysis_id);
  };
  self->request(s.journal, caf::infinite, sync_atom::value)
    .then([=](bool) { restore_dead(); }, [=](caf::error&) { restore_dead(); });
}

// The listing of `docs`, leaving out the empty ones (analyses removed while
// the page was gathered).
std::string render_page(const std::vector<std::string>& docs, std::size_t total,
                        const list_request& req) {
  std::vector<std::string> summaries;
  for (auto& doc : docs)
    if (!doc.empty())
      summaries.push_back(doc);
  return render_listing(summaries, total, req);
}

// The job table, the listing order and the removed ids of the recovered
// analyses, built on two threads side by side: each walks every analysis (a
// million take most of a second on one thread), reading fields the other
// does not touch. Removed analyses then leave `dormant`.
void build_tables(registry_state& s) {
  std::vector<std::string> removed;
  side_by_side(
    [&] {
      s.views->jobs.publish_all([&](auto&& give) {
        for (auto& [id, a] : s.dormant) {
          auto job = acquired_job(id, a.job_key_hash);
          job.removed = a.removed;
          give(a.job_id, std::move(job));
          // The registry checks keys; the analysis's own copy would be a
          // second allocation per analysis that nothing reads.
          a.job_key_hash = std::string{};
        }
      });
    },
    [&] {
      std::vector<std::pair<timestamp, std::string_view>> by_created;
      by_created.reserve(s.dormant.size());
      for (auto& [id, a] : s.dormant) {
        if (a.removed)
          removed.push_back(id);
        else
          by_created.emplace_back(a.created_at, id);
      }
      s.by_created.assign(by_created);
    });
  for (auto& id : removed) {
    s.dormant.erase(id);
    s.removed.insert(std::move(id));
  }
}

} // namespace

registry_internal_actor::behavior_type
registry_actor_impl(registry_pointer self, state_map analyses, persistence_actor journal,
                    std::shared_ptr<const file_store> files, std::chrono::milliseconds idle_after,
                    spawn_observer on_spawn, std::shared_ptr<read_views> views) {
  auto& s = self->state;
  s.on_spawn = std::move(on_spawn);
  s.views = views ? std::move(views) : std::make_shared<read_views>();
  self->set_down_handler([=](caf::down_msg& dm) { on_down(self, dm); });
  s.journal = std::move(journal);
  self->send(s.journal, watch_atom::value, caf::actor_cast<applied_watcher>(self));
  s.files = std::move(files);
  s.idle_after = idle_after;
  s.dormant = std::move(analyses);
  build_tables(s);
  return {
    [=](create_atom, const create_request& req) -> caf::result<std::string> {
      auto& s = self->state;
      if (auto err = check_create(req))
        return err;
      std::string id = req.id;
      if (!id.empty()) {
        if (locate(s, id) || s.creating.count(id) != 0 || s.removed.count(id) != 0)
          return make_error(errc::analysis_exists);
      } else {
        id = unused_id(s, [&](const std::string& x) { return locate(s, x).has_value(); });
      }
      s.creating.insert(id);
      auto job_id = unused_id(s, [&](const std::string& x) { return job_of(s, x).has_value(); });
      s.creating.insert(job_id);
      journal_record rec;
      rec.kind = record_kind::created;
      rec.analysis = make_analysis(req, id, job_id, now());
      auto analysis = rec.analysis;
      auto rp = self->make_response_promise<std::string>();
      self->request(s.journal, caf::infinite, append_atom::value, std::move(rec))
        .then(
          [=](bool) mutable {
            auto& s = self->state;
            s.creating.erase(analysis.id);
            s.creating.erase(analysis.job_id);
            job_view job;
            job.analysis_id = analysis.id;
            s.views->jobs.publish(analysis.job_id, std::move(job));
            s.by_created.add(analysis.created_at, analysis.id);
            auto doc = render_analysis(analysis);
            auto id = analysis.id;
            s.dormant.emplace(std::move(id), std::move(analysis));
            rp.deliver(std::move(doc));
          },
          [=](caf::error& err) mutable {
            self->state.creating.erase(analysis.id);
            self->state.creating.erase(analysis.job_id);
            rp.deliver(err);
          });
      return rp;
    },
    [=](acquire_atom, const std::string& job_id) -> caf::result<std::string> {
      auto& s = self->state;
      auto job = job_of(s, job_id);
      if (!job)
        return make_error(errc::not_found);
      if (job->acquired || s.acquiring.count(job_id) != 0)
        return make_error(errc::job_already_acquired);
      s.acquiring.insert(job_id);
      auto key = random_hex(32);
      journal_record rec;
      rec.kind = record_kind::job_acquired;
      rec.analysis_id = job->analysis_id;
      rec.key_hash = sha256(key);
      auto hash = rec.key_hash;
      auto rp = self->make_response_promise<std::string>();
      self->request(s.journal, caf::infinite, append_atom::value, std::move(rec))
        .then(
          [=](bool) mutable {
            auto& s = self->state;
            s.acquiring.erase(job_id);
            // Jobs never leave the table; a remove meanwhile marked this
            // one, and the acquired job keeps that mark.
            auto job = job_of(s, job_id);
            if (!job) {
              rp.deliver(key);
              return;
            }
            auto acquired = acquired_job(job->analysis_id, hash);
            acquired.removed = job->removed;
            s.views->jobs.publish(job_id, acquired);
            mark_acquired(self, acquired.analysis_id, [rp, key]() mutable { rp.deliver(key); });
          },
          [=](caf::error& err) mutable {
            self->state.acquiring.erase(job_id);
            rp.deliver(err);
          });
      return rp;
    },
    [=](stats_atom) -> caf::result<std::uint64_t, std::uint64_t> {
      auto& s = self->state;
      return {static_cast<std::uint64_t>(s.live.size()),
              static_cast<std::uint64_t>(s.dormant.size())};
    },
    [=](list_atom, const list_request& req) -> caf::result<std::string> {
      auto& s = self->state;
      if (auto err = check_list(req))
        return err;
      auto total = s.by_created.size();
      // Newest first; a page past the end is empty.
      auto skip = req.page - 1 > total / req.per_page ? total : (req.page - 1) * req.per_page;
      auto docs = std::make_shared<std::vector<std::string>>();
      std::vector<std::pair<std::size_t, std::string>> live; // slot in docs, its analysis
      s.by_created.newest_first(skip, req.per_page, [&](std::string id) {
        if (auto d = s.dormant.find(id); d != s.dormant.end()) {
          docs->push_back(render_analysis(d->second, false));
        } else {
          live.emplace_back(docs->size(), std::move(id));
          docs->emplace_back();
        }
      });
      if (live.empty())
        return render_page(*docs, total, req);
      auto rp = self->make_response_promise<std::string>();
      auto left = std::make_shared<std::size_t>(live.size());
      for (auto& [slot, id] : live) {
        auto done = [=]() mutable {
          if (--*left == 0)
            rp.deliver(render_page(*docs, total, req));
        };
        // From the actor, or (once it has retired) from the dormant state.
        when_settled(self, id, [=, slot = slot, id = id](bool exists) mutable {
          auto at = locate(self->state, id);
          if (!exists || !at) {
            done();
          } else if (at->live == nullptr) {
            (*docs)[slot] = render_analysis(at->dormant->second, false);
            done();
          } else {
            ask_actor<std::string>(
              self, at->live->actor,
              [=](std::string& doc) mutable {
                (*docs)[slot] = std::move(doc);
                done();
              },
              [=](const caf::error&) mutable { done(); }, summary_atom::value);
          }
        });
      }
      return rp;
    },
    [=](get_atom, const credential& cred, const std::string& id) -> caf::result<std::string> {
      auto at = route(self, cred, id);
      if (!at)
        return at.error();
      if (auto* a = finalizing_dormant(self->state, id, *at))
        return render_analysis(*a);
      return dispatch<std::string, true>(self, id, *at, get_atom::value);
    },
    [=](upload_atom, const credential& cred, const std::string& id,
        upload_request& req) -> caf::result<file_record> {
      return forward<file_record>(self, cred, id, upload_atom::value, std::move(req));
    },
    [=](authorize_atom, const credential& cred, const std::string& id) -> caf::result<bool> {
      if (auto at = route(self, cred, id); !at)
        return at.error();
      return true;
    },
    [=](reserve_atom, const credential& cred, const std::string& id,
        upload_request& req) -> caf::result<file_record> {
      return forward<file_record>(self, cred, id, reserve_atom::value, std::move(req));
    },
    // A reservation keeps its actor live, and only that actor can end it:
    // these go to it even when the analysis was removed meanwhile (it then
    // answers not_found and lets the remove finish), and the reservation,
    // not the credential, is what entitles the caller.
    [=](commit_atom, const credential&, const std::string& id,
        const file_record& file) -> caf::result<file_record> {
      auto i = self->state.live.find(id);
      if (i == self->state.live.end())
        return make_error(errc::not_found);
      return self->delegate(i->second.actor, commit_atom::value, file);
    },
    [=](abandon_atom, const credential&, const std::string& id,
        const file_record& file) -> caf::result<bool> {
      auto i = self->state.live.find(id);
      if (i == self->state.live.end())
        return true;
      return self->delegate(i->second.actor, abandon_atom::value, file);
    },
    [=](download_atom, const credential& cred, const std::string& id,
        std::uint64_t file_id) -> caf::result<file_location> {
      auto at = route(self, cred, id);
      if (!at)
        return at.error();
      if (auto* a = finalizing_dormant(self->state, id, *at))
        return locate_file(*a, *self->state.files, file_id);
      return dispatch<file_location, true>(self, id, *at, download_atom::value, file_id);
    },
    [=](finalize_atom, const credential& cred, const std::string& id,
        const std::string& results) -> caf::result<std::string> {
      auto at = route(self, cred, id);
      if (!at)
        return at.error();
      if (at->live == nullptr && unsettled(self->state, id, *at) == nullptr)
        return finalize_dormant(self, id, at->dormant->second, results);
      return dispatch<std::string>(self, id, *at, finalize_atom::value, results);
    },
    [=](remove_atom, const credential& cred, const std::string& id) -> caf::result<bool> {
      if (auto at = route(self, cred, id); !at)
        return at.error();
      auto rp = self->make_response_promise<bool>();
      when_settled(self, id, [=](bool exists) mutable {
        auto at = locate(self->state, id);
        if (!exists || !at) {
          rp.deliver(make_error(errc::not_found));
          return;
        }
        auto actor = actor_of(self, *at);
        ask_actor<bool>(
          self, actor,
          [=](bool) mutable {
            forget_removed(self, id, actor);
            rp.deliver(true);
          },
          [=](const caf::error& err) mutable { rp.deliver(err); }, remove_atom::value,
          cred.admin);
      });
      return rp;
    },
    [=](sweep_atom) { sweep(self); },
    // A durable batch of the journal: what of it the analysis actors wrote
    // reaches their analyses' durable state (the journal tells the registry
    // before it answers them, so nothing an actor did can overtake it).
    [=](applied_atom, std::vector<journal_record>& records) {
      auto& s = self->state;
      for (auto& rec : records)
        if (auto i = s.live.find(rec.analysis_id); i != s.live.end())
          apply(i->second.durable, std::move(rec));
    },
  };
}

} // namespace analysisd
