#include "actors/shard_registry.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "actors/read_leases.hpp"
#include "actors/request_deadlines.hpp"
#include "metrics/metrics.hpp"
#include "persistence/log.hpp"
#include "persistence/recovery.hpp"

#include <caf/all.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <functional>
#include <list>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace analysisd {

caf::error not_owner() {
  return make_error(errc::unavailable, "not owner");
}

bool is_not_owner(const caf::error& err) {
  return code_of(err) == static_cast<std::uint8_t>(errc::unavailable)
         && context_of(err) == "not owner";
}

namespace {
// Named, so that the unity build keeps these apart from other files' helpers.
namespace sr {

// How long a question to PostgreSQL's actors may take (each of their calls
// is bounded by pg_options::call_timeout; this only catches a stuck actor).
constexpr auto storage_timeout = std::chrono::seconds(30);

// A loaded analysis: its actor, and what its records need.
struct sr_entry {
  analysis_actor actor;
  std::uint32_t shard = 0;
  std::int64_t epoch = 0;     ///< The lease epoch it was loaded under: its writes are fenced with it.
  std::uint64_t next_seq = 1; ///< The seq of its next record.
  /// What the journal holds of it, plus the records on their way there (for
  /// the listing's summary after each record).
  analysis_state durable;
  std::chrono::steady_clock::time_point last_used;
  bool retiring = false; ///< Asked to hand its state back.
  /// Its records sent to the journal and not yet answered: a state handed
  /// back meanwhile may lack what they change, so it is not kept dormant.
  std::size_t appending = 0;
  /// An append failed (its outcome may be unknown) or the lease changed: the
  /// actor is being killed and the analysis is loaded again next time.
  bool broken = false;
  /// Told to the actor: set when it is dropped, so that it publishes no view after.
  std::shared_ptr<std::atomic<bool>> dropped = std::make_shared<std::atomic<bool>>(false);
  /// Requests that came while retiring: dispatched again when that ends.
  std::vector<std::function<void()>> waiting;
  /// The file ids this actor reserved and that were neither committed nor
  /// abandoned yet: an actor loaded again does not hold them.
  std::set<std::uint64_t> reservations;
};

struct sr_job {
  std::string analysis_id;
  std::string key_hash;
};

// A retired analysis: the state its actor handed back, kept while this
// incarnation serves its shard at the epoch it was loaded under (see
// shard_registry.hpp).
struct sr_dormant {
  std::uint32_t shard = 0;
  std::int64_t epoch = 0;
  std::uint64_t next_seq = 1;
  analysis_state state;
  std::size_t bytes = 0;                 ///< Estimated, for the bound.
  std::list<std::string>::iterator aged; ///< Its place in `dormant_order`.
};

struct shard_registry_state {
  shard_registry_options opts;
  std::unordered_map<std::string, sr_entry> live;
  std::unordered_map<caf::actor_id, std::string> by_actor;
  /// Loads in flight, with what waits for each.
  std::unordered_map<std::string, std::vector<std::function<void(const caf::error&)>>> loading;
  std::unordered_map<std::string, sr_job> jobs; ///< Acquired jobs (their keys never change).
  std::unordered_map<std::string, sr_dormant> dormant;
  std::list<std::string> dormant_order; ///< Least recently retired first.
  std::size_t dormant_bytes = 0;
  std::unordered_set<std::string> creating;
  std::unordered_set<std::string> acquiring;
  /// Shards being handed off, with the handoffs' answers.
  std::unordered_map<std::uint32_t, std::vector<caf::typed_response_promise<bool>>> leaving;
  /// Requests sent to an analysis actor and not yet answered (see ask()).
  std::unordered_map<caf::actor_id,
                     std::unordered_map<std::uint64_t, std::function<void(const caf::error&)>>>
    pending;
  std::uint64_t next_ticket = 0;
  bool sweeping = false;
  request_deadlines deadlines; ///< Of the questions to PostgreSQL's actors.
  static inline const char* name = "shard_registry";
};

template <class T>
struct tag {
  using type = T;
};

/// The registry's interface, and its deadline timer.
using sr_actor = shard_registry_actor::extend<caf::reacts_to<deadline_tick_atom>>;
using sr_pointer = sr_actor::stateful_pointer<shard_registry_state>;

// Asks one of PostgreSQL's actors, bounded by storage_timeout.
template <class R, class Dest, class OnOk, class OnError, class... Ts>
void ask_storage(sr_pointer self, const Dest& dest, OnOk on_ok, OnError on_error, Ts&&... xs) {
  request_until<R>(self, self->state.deadlines, request_deadlines::clock::now() + storage_timeout,
                   dest, std::move(on_ok), std::move(on_error), std::forward<Ts>(xs)...);
}
using fail_fn = std::function<void(const caf::error&)>;

std::uint32_t shard_for(const shard_registry_state& s, const std::string& id) {
  return shard_of(id, s.opts.cluster->shards());
}

// The epoch this node serves `shard` under, unless it is being handed off.
std::optional<std::int64_t> serving(const shard_registry_state& s, std::uint32_t shard) {
  if (s.leaving.count(shard) != 0)
    return std::nullopt;
  return s.opts.cluster->serving(shard);
}

void publish_job(shard_registry_state& s, const std::string& job_id) {
  auto j = s.jobs.find(job_id);
  if (s.opts.views && j != s.jobs.end())
    s.opts.views->jobs.publish(job_id, acquired_job(j->second.analysis_id, j->second.key_hash));
}

void withdraw_job(shard_registry_state& s, const std::string& job_id) {
  if (s.opts.views)
    s.opts.views->jobs.withdraw(job_id);
}

// What a dormant analysis costs in memory, roughly: its strings and
// vectors, its entries in the map and the list, and their allocations.
std::size_t dormant_cost(const std::string& id, const analysis_state& a) {
  std::size_t n = sizeof(sr_dormant) + 2 * id.capacity() + 128;
  for (auto* str : {&a.id, &a.job_id, &a.workflow, &a.sample.id, &a.sample.name, &a.index.id,
                    &a.user_id, &a.user_handle, &a.reference.id, &a.reference.name,
                    &a.reference.data_type, &a.ml, &a.results, &a.job_key_hash})
    n += str->capacity();
  for (auto& r : a.subtractions)
    n += sizeof(r) + r.id.capacity() + r.name.capacity();
  for (auto& f : a.files)
    n += sizeof(f) + f.name.capacity() + f.format.capacity();
  return n;
}

std::optional<sr_dormant> take_dormant(shard_registry_state& s, const std::string& id) {
  auto node = s.dormant.extract(id);
  if (node.empty())
    return std::nullopt;
  s.dormant_order.erase(node.mapped().aged);
  s.dormant_bytes -= node.mapped().bytes;
  return std::move(node.mapped());
}

// Keeps a retired analysis (replacing what was kept of it), then lets the
// least recently retired go until the bound holds.
void keep_dormant(shard_registry_state& s, const std::string& id, std::uint32_t shard,
                  std::int64_t epoch, std::uint64_t next_seq, analysis_state state) {
  take_dormant(s, id);
  auto bytes = dormant_cost(id, state);
  if (state.removed || bytes > s.opts.dormant_bytes)
    return;
  sr_dormant d;
  d.shard = shard;
  d.epoch = epoch;
  d.next_seq = next_seq;
  d.state = std::move(state);
  d.bytes = bytes;
  d.aged = s.dormant_order.insert(s.dormant_order.end(), id);
  s.dormant.emplace(id, std::move(d));
  s.dormant_bytes += bytes;
  while (s.dormant_bytes > s.opts.dormant_bytes) {
    auto oldest = s.dormant_order.front(); // a copy: taking it erases the list's
    take_dormant(s, oldest);
  }
}

// Lets go of the dormant analyses that `keep` refuses.
template <class Predicate>
void drop_dormant_unless(shard_registry_state& s, Predicate keep) {
  std::vector<std::string> gone;
  for (auto& [id, d] : s.dormant)
    if (!keep(d))
      gone.push_back(id);
  for (auto& id : gone)
    take_dormant(s, id);
}

bool settle(shard_registry_state& s, caf::actor_id aid, std::uint64_t ticket) {
  auto p = s.pending.find(aid);
  if (p == s.pending.end() || p->second.erase(ticket) == 0)
    return false;
  if (p->second.empty())
    s.pending.erase(p);
  return true;
}

// Asks an analysis actor; exactly one of on_ok and on_err runs, at once
// with unavailable if the actor dies first (from the down handler).
template <class R, class OnOk, class... Ts>
void ask(sr_pointer self, const analysis_actor& actor, OnOk on_ok, fail_fn on_err, Ts&&... xs) {
  auto& s = self->state;
  auto ticket = ++s.next_ticket;
  auto aid = actor.id();
  s.pending[aid].emplace(ticket, on_err);
  self->request(actor, caf::infinite, std::forward<Ts>(xs)...)
    .then(
      [=](R& x) mutable {
        if (settle(self->state, aid, ticket))
          on_ok(x);
      },
      [=](caf::error& err) {
        if (err != caf::sec::request_receiver_down && settle(self->state, aid, ticket))
          on_err(err);
      });
}

void finish_handoffs(sr_pointer self);

// Takes an analysis out of `live` (its actor retired, was removed, or is
// being killed) and lets what waited for it dispatch again.
void forget(sr_pointer self, const std::string& id) {
  auto& s = self->state;
  auto node = s.live.extract(id);
  if (node.empty())
    return;
  auto& e = node.mapped();
  s.by_actor.erase(e.actor.id());
  withdraw_job(s, e.durable.job_id);
  for (auto& f : e.waiting)
    f();
  finish_handoffs(self);
}

// The actor's outcome is unknown to the journal, or its lease changed: it
// goes now (its requests get unavailable from the down handler) and the
// analysis is loaded again from PostgreSQL by the next request.
void drop_broken(sr_pointer self, const std::string& id) {
  auto& s = self->state;
  auto i = s.live.find(id);
  if (i == s.live.end())
    return;
  i->second.broken = true;
  i->second.dropped->store(true); // before the withdraw: see publish() in analysis_actor.cpp
  if (s.opts.views) {
    s.opts.views->analyses.withdraw(id);
    // A write of unknown outcome may have committed: no replica elsewhere
    // shows the state before it for long (its 503 does not wait for this).
    if (auto& leases = s.opts.views->leases; leases && leases->revoker)
      caf::anon_send(leases->revoker, revoke_atom::value, id);
  }
  self->send_exit(i->second.actor, caf::exit_reason::kill);
  forget(self, id);
}

void schedule_sweep(sr_pointer self) {
  auto& s = self->state;
  if (s.sweeping || s.opts.actor_idle.count() <= 0 || (s.live.empty() && s.dormant.empty()))
    return;
  s.sweeping = true;
  self->delayed_send(self, std::max(s.opts.actor_idle / 2, std::chrono::milliseconds(10)),
                     sweep_atom::value);
}

void spawn_entry(sr_pointer self, const std::string& id, std::uint32_t shard, std::int64_t epoch,
                 loaded_analysis la) {
  auto& s = self->state;
  sr_entry e;
  e.shard = shard;
  e.epoch = epoch;
  e.next_seq = la.next_seq;
  e.durable = la.state;
  e.last_used = std::chrono::steady_clock::now();
  if (la.state.job_acquired && la.state.job_key_hash.size() == 32)
    s.jobs[la.state.job_id] = sr_job{id, la.state.job_key_hash};
  auto relay = caf::actor_cast<journal_actor>(self);
  e.actor = self->spawn<caf::lazy_init>(analysis_actor_impl, std::move(la.state), relay,
                                        s.opts.files, nullptr, s.opts.views, e.dropped, e.epoch);
  self->monitor(e.actor);
  s.by_actor.emplace(e.actor.id(), id);
  auto job_id = e.durable.job_id;
  s.live.emplace(id, std::move(e));
  publish_job(s, job_id);
  schedule_sweep(self);
}

void finish_load(sr_pointer self, const std::string& id, const caf::error& err) {
  auto node = self->state.loading.extract(id);
  if (node.empty())
    return;
  for (auto& f : node.mapped())
    f(err);
  finish_handoffs(self); // a handoff may have waited for this load
}

// Runs `ok` with the live entry of analysis `id` (loading it from
// PostgreSQL first if needed), or `fail` with not_owner, not_found or why
// it could not be loaded.
void with_loaded(sr_pointer self, const std::string& id, std::function<void(sr_entry&)> ok,
                 fail_fn fail) {
  auto& s = self->state;
  auto shard = shard_for(s, id);
  auto epoch = serving(s, shard);
  if (!epoch) {
    fail(not_owner());
    return;
  }
  if (auto i = s.live.find(id); i != s.live.end()) {
    auto& e = i->second;
    if (e.epoch != *epoch) {
      drop_broken(self, id); // loaded under a lease this node lost since
    } else if (e.retiring) {
      e.waiting.emplace_back([=] { with_loaded(self, id, ok, fail); });
      return;
    } else {
      e.last_used = std::chrono::steady_clock::now();
      ok(e);
      return;
    }
  }
  if (auto d = take_dormant(s, id); d && d->epoch == *epoch) {
    loaded_analysis la;
    la.state = std::move(d->state);
    la.next_seq = d->next_seq;
    spawn_entry(self, id, shard, *epoch, std::move(la));
    ok(s.live.at(id));
    return;
  }
  auto& waiters = s.loading[id];
  waiters.emplace_back([=](const caf::error& err) {
    if (err)
      fail(err);
    else
      with_loaded(self, id, ok, fail);
  });
  if (waiters.size() > 1)
    return;
  auto loaded_under = *epoch;
  ask_storage<loaded_analysis>(
      self, s.opts.readers,
      [=](loaded_analysis& la) {
        auto& s = self->state;
        auto now_epoch = serving(s, shard);
        caf::error err;
        if (!now_epoch || *now_epoch != loaded_under) {
          err = not_owner();
        } else if (la.state.removed) {
          // Its files may outlive a node that died while deleting them.
          auto worker = self->spawn<caf::detached>(file_io_worker, s.opts.files);
          self->request(worker, caf::infinite, remove_atom::value, id)
            .then([](bool) {}, [](caf::error&) {});
          err = make_error(errc::not_found);
        } else if (s.live.count(id) == 0) {
          spawn_entry(self, id, shard, loaded_under, std::move(la));
        }
        finish_load(self, id, err);
      },
      [=](caf::error& err) { finish_load(self, id, err); }, load_atom::value, id);
}

// SPEC.md's order: the job's credentials (401), the analysis (404), the
// job's right to it (403).
void with_analysis(sr_pointer self, const credential& cred, const std::string& id,
                   std::function<void(sr_entry&)> ok, fail_fn fail) {
  auto& s = self->state;
  if (!serving(s, shard_for(s, id))) {
    fail(not_owner());
    return;
  }
  auto then_load = [=](std::string job_analysis) {
    with_loaded(
      self, id,
      [=](sr_entry& e) {
        if (!job_analysis.empty() && job_analysis != id)
          fail(make_error(errc::forbidden));
        else
          ok(e);
      },
      fail);
  };
  if (cred.admin) {
    then_load({});
    return;
  }
  auto matches = [cred](const std::string& key_hash) {
    return key_hash.size() == 32 && cred.key_hash.size() == 32
           && CRYPTO_memcmp(key_hash.data(), cred.key_hash.data(), 32) == 0;
  };
  if (auto j = s.jobs.find(cred.job_id); j != s.jobs.end()) {
    if (matches(j->second.key_hash))
      then_load(j->second.analysis_id);
    else
      fail(make_error(errc::unauthorized));
    return;
  }
  ask_storage<job_info>(
      self, s.opts.readers,
      [=](job_info& job) {
        if (!job.acquired || !matches(job.key_hash)) {
          fail(make_error(errc::unauthorized));
          return;
        }
        self->state.jobs[job.job_id] = sr_job{job.analysis_id, job.key_hash};
        then_load(job.analysis_id);
      },
      [=](caf::error& err) {
        fail(code_of(err) == static_cast<std::uint8_t>(errc::not_found)
               ? make_error(errc::unauthorized)
               : err);
      },
      job_atom::value, cred.job_id);
}

// Sends `rec` of a live analysis to the journal with its next seq, fenced
// by the epoch it was loaded under. If it fails, its outcome may be unknown:
// the actor goes and the analysis is loaded again next time.
void append(sr_pointer self, sr_entry& e, journal_record rec, std::function<void()> ok,
            fail_fn fail) {
  auto& s = self->state;
  journal_entry entry;
  entry.shard = e.shard;
  entry.epoch = e.epoch;
  entry.seq = e.next_seq++;
  apply(e.durable, journal_record{rec});
  if (!e.durable.removed)
    entry.summary = render_analysis(e.durable, false);
  entry.record = std::move(rec);
  auto id = entry.record.analysis_id;
  auto actor = e.actor;
  ++e.appending;
  auto answered = [self, id, actor] {
    auto& s = self->state;
    if (auto i = s.live.find(id); i != s.live.end() && i->second.actor == actor)
      --i->second.appending;
  };
  ask_storage<bool>(
    self, s.opts.journal,
    [ok, answered](bool) {
      answered();
      ok();
    },
    [=](caf::error& err) {
      answered();
      auto& s = self->state;
      if (auto i = s.live.find(id); i != s.live.end() && i->second.actor == actor) {
        metrics().cluster_failed_writes.fetch_add(1, std::memory_order_relaxed);
        log_warning("analysis " + id + ": a journal write failed ("
                    + self->system().render(err) + "); its actor is dropped");
        drop_broken(self, id);
      }
      fail(err);
    },
    append_atom::value, std::move(entry));
}

// Asks an idle actor (or one of a shard handed off) for its state, and
// drops it, keeping the analysis dormant if its shard is still served at
// the same epoch; an actor with uploads in flight stays.
void retire(sr_pointer self, const std::string& id) {
  auto& e = self->state.live.at(id);
  e.retiring = true;
  auto actor = e.actor;
  ask<analysis_state>(
    self, actor,
    [=](analysis_state& state) {
      auto& s = self->state;
      auto i = s.live.find(id);
      if (i == s.live.end() || i->second.actor != actor)
        return;
      auto& e = i->second;
      if (e.appending == 0 && serving(s, e.shard) == e.epoch)
        keep_dormant(s, id, e.shard, e.epoch, e.next_seq, std::move(state));
      forget(self, id); // what waited for the retire finds it dormant
    },
    [=](const caf::error&) {
      auto& s = self->state;
      auto i = s.live.find(id);
      if (i == s.live.end() || i->second.actor != actor)
        return;
      i->second.retiring = false;
      auto waiting = std::move(i->second.waiting);
      for (auto& f : waiting)
        f();
    },
    retire_atom::value);
}

// Answers the handoffs whose shards have no actor and no load left.
void finish_handoffs(sr_pointer self) {
  auto& s = self->state;
  for (auto i = s.leaving.begin(); i != s.leaving.end();) {
    auto shard = i->first;
    auto busy = std::any_of(s.live.begin(), s.live.end(),
                            [&](auto& kv) { return kv.second.shard == shard; })
                || std::any_of(s.loading.begin(), s.loading.end(),
                               [&](auto& kv) { return shard_for(s, kv.first) == shard; });
    if (busy) {
      ++i;
      continue;
    }
    // The read leases other nodes hold on the shard's analyses go before the
    // cluster actor releases the lease: the next owner's changes must not
    // leave them behind (actors/read_leases.hpp). No new one is granted:
    // the shard left the view before the handoff began.
    auto promises = std::move(i->second);
    i = s.leaving.erase(i);
    auto answer = [promises]() mutable {
      for (auto& rp : promises)
        rp.deliver(true);
    };
    auto* leases = s.opts.views ? s.opts.views->leases.get() : nullptr;
    if (leases == nullptr || !leases->revoker) {
      answer();
      continue;
    }
    self->request(leases->revoker, revoke_timeout(*leases), revoke_atom::value, shard)
      .then([answer](bool) mutable { answer(); }, [answer](caf::error&) mutable { answer(); });
  }
}

// Retires the actors of the shards being handed off; those with uploads in
// flight are asked again until the deadline, then killed.
void handoff_round(sr_pointer self, std::uint32_t shard,
                   std::chrono::steady_clock::time_point deadline) {
  auto& s = self->state;
  if (s.leaving.count(shard) == 0)
    return;
  std::vector<std::string> ids;
  for (auto& [id, e] : s.live)
    if (e.shard == shard && !e.retiring)
      ids.push_back(id);
  bool late = std::chrono::steady_clock::now() >= deadline;
  for (auto& id : ids) {
    if (late)
      drop_broken(self, id);
    else
      retire(self, id);
  }
  finish_handoffs(self);
  if (s.leaving.count(shard) != 0)
    self->delayed_send(self, std::chrono::milliseconds(100), handoff_atom::value, shard,
                       static_cast<std::int64_t>(deadline.time_since_epoch().count()));
}

} // namespace sr
} // namespace

shard_registry_actor spawn_shard_registry(caf::actor_system& sys, shard_registry_options opts) {
  using namespace sr;
  auto impl = [](sr_pointer self, shard_registry_options opts)
    -> sr_actor::behavior_type {
    self->state.opts = std::move(opts);
    self->set_down_handler([=](caf::down_msg& dm) {
      auto& s = self->state;
      auto aid = dm.source.id();
      if (auto b = s.by_actor.find(aid); b != s.by_actor.end()) {
        auto id = b->second;
        if (s.opts.views)
          s.opts.views->analyses.withdraw(id);
        forget(self, id);
      }
      if (auto p = s.pending.find(aid); p != s.pending.end()) {
        auto failed = std::move(p->second);
        s.pending.erase(p);
        for (auto& [ticket, fail] : failed)
          fail(make_error(errc::unavailable));
      }
    });
    auto forward = [self](auto r, const credential& cred, const std::string& id, auto... xs) {
      using R = typename decltype(r)::type;
      auto rp = self->make_response_promise<R>();
      with_analysis(
        self, cred, id,
        [=](sr_entry& e) mutable {
          ask<R>(self, e.actor, [rp](R& x) mutable { rp.deliver(std::move(x)); },
                 [rp](const caf::error& err) mutable { rp.deliver(err); }, xs...);
        },
        [rp](const caf::error& err) mutable { rp.deliver(err); });
      return rp;
    };
    return {
      [=](deadline_tick_atom) { on_deadline_tick(self, self->state.deadlines); },
      [=](create_atom, const create_request& req) -> caf::result<std::string> {
        auto& s = self->state;
        if (auto err = check_create(req))
          return err;
        auto id = req.id;
        if (id.empty()) // an in-process caller: an id of a shard this node serves
          for (int tries = 0; tries < 10000 && (id.empty() || !serving(s, shard_for(s, id)));
               ++tries)
            id = random_id();
        auto shard = shard_for(s, id);
        auto epoch = serving(s, shard);
        if (!epoch)
          return not_owner();
        if (s.live.count(id) != 0 || s.dormant.count(id) != 0 || s.creating.count(id) != 0)
          return make_error(errc::analysis_exists);
        s.creating.insert(id);
        auto rp = self->make_response_promise<std::string>();
        auto done = [=](caf::expected<std::string> doc) mutable {
          self->state.creating.erase(id);
          if (doc)
            rp.deliver(std::move(*doc));
          else
            rp.deliver(doc.error());
        };
        self->request(s.opts.readers, storage_timeout, load_atom::value, id)
          .then([=](loaded_analysis&) mutable { done(make_error(errc::analysis_exists)); },
                [=](caf::error& err) mutable {
                  if (code_of(err) != static_cast<std::uint8_t>(errc::not_found)) {
                    done(err);
                    return;
                  }
                  journal_entry entry;
                  entry.shard = shard;
                  entry.epoch = *epoch;
                  entry.seq = 1;
                  entry.record.kind = record_kind::created;
                  entry.record.analysis = make_analysis(req, id, random_id(), now());
                  entry.record.analysis_id = id;
                  entry.summary = render_analysis(entry.record.analysis, false);
                  auto doc = render_analysis(entry.record.analysis);
                  self->request(self->state.opts.journal, storage_timeout, append_atom::value,
                                std::move(entry))
                    .then([=](bool) mutable { done(doc); },
                          [=](caf::error& err) mutable {
                            // The (analysis, seq) key taken: created meanwhile elsewhere.
                            if (is_fenced(err) && fenced_shards(err).empty())
                              done(make_error(errc::analysis_exists));
                            else
                              done(err);
                          });
                });
        return rp;
      },
      [=](acquire_atom, const std::string& job_id) -> caf::result<std::string> {
        auto& s = self->state;
        if (s.acquiring.count(job_id) != 0 || s.jobs.count(job_id) != 0)
          return make_error(errc::job_already_acquired);
        s.acquiring.insert(job_id);
        auto rp = self->make_response_promise<std::string>();
        auto fail = [=](const caf::error& err) mutable {
          self->state.acquiring.erase(job_id);
          rp.deliver(err);
        };
        self->request(s.opts.readers, storage_timeout, job_atom::value, job_id)
          .then(
            [=](job_info& job) mutable {
              if (job.acquired) {
                fail(make_error(errc::job_already_acquired));
                return;
              }
              with_loaded(
                self, job.analysis_id,
                [=](sr_entry& e) mutable {
                  auto key = random_hex(32);
                  journal_record rec;
                  rec.kind = record_kind::job_acquired;
                  rec.analysis_id = job.analysis_id;
                  rec.key_hash = sha256(key);
                  auto analysis_id = job.analysis_id;
                  auto hash = rec.key_hash;
                  append(
                    self, e, std::move(rec),
                    [=]() mutable {
                      auto& s = self->state;
                      s.acquiring.erase(job_id);
                      s.jobs[job_id] = sr_job{analysis_id, hash};
                      auto i = s.live.find(analysis_id);
                      if (i == s.live.end()) {
                        rp.deliver(key);
                        return;
                      }
                      publish_job(s, job_id);
                      ask<bool>(
                        self, i->second.actor, [rp, key](bool) mutable { rp.deliver(key); },
                        [rp, key](const caf::error&) mutable { rp.deliver(key); },
                        acquire_atom::value);
                    },
                    fail);
                },
                fail);
            },
            fail);
        return rp;
      },
      [=](list_atom, const list_request& req) -> caf::result<std::string> {
        if (auto err = check_list(req))
          return err;
        auto rp = self->make_response_promise<std::string>();
        self->request(self->state.opts.readers, storage_timeout, list_atom::value, req)
          .then(
            [=](analysis_page& page) mutable {
              rp.deliver(render_listing(page.summaries, page.total, req));
            },
                [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](get_atom, const credential& cred, const std::string& id) -> caf::result<std::string> {
        return forward(tag<std::string>{}, cred, id, get_atom::value);
      },
      [=](authorize_atom, const credential& cred, const std::string& id) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        with_analysis(
          self, cred, id, [rp](sr_entry&) mutable { rp.deliver(true); },
          [rp](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      // A reservation is also recorded in PostgreSQL, so that the janitor
      // deletes the bytes should the writer never commit them.
      [=](reserve_atom, const credential& cred, const std::string& id,
          upload_request& req) -> caf::result<file_record> {
        auto rp = self->make_response_promise<file_record>();
        auto fail = [rp](const caf::error& err) mutable { rp.deliver(err); };
        with_analysis(
          self, cred, id,
          [=](sr_entry& e) mutable {
            auto actor = e.actor;
            ask<file_record>(
              self, actor,
              [=](file_record& file) mutable {
                auto& s = self->state;
                // The actor that made it, if it is still the live one.
                auto maker = [=]() -> sr_entry* {
                  auto i = self->state.live.find(id);
                  return i != self->state.live.end() && i->second.actor == actor ? &i->second
                                                                                : nullptr;
                };
                file_reservation r{id, file.id, file.name, s.opts.node_name};
                self->request(s.opts.readers, storage_timeout, reserve_atom::value, r)
                  .then(
                    [=](bool) mutable {
                      if (auto* made = maker()) {
                        made->reservations.insert(file.id);
                        rp.deliver(file);
                        return;
                      }
                      // Its actor went meanwhile: nobody could commit it.
                      self->request(self->state.opts.readers, storage_timeout, abandon_atom::value,
                                    id, file.id)
                        .then([](bool) {}, [](caf::error&) {});
                      fail(make_error(errc::unavailable, "the analysis " + id
                                                           + " was loaded again meanwhile"));
                    },
                    [=](caf::error& err) mutable {
                      if (maker() != nullptr)
                        ask<bool>(
                          self, actor, [](bool) {}, [](const caf::error&) {}, abandon_atom::value,
                          file);
                      fail(err);
                    });
              },
              fail, reserve_atom::value, req);
          },
          fail);
        return rp;
      },
      // The reservation entitles (see registry_actor): only its actor can
      // end it. When the live actor did not make it, the reservation went
      // with an earlier owner (a node that died, a shard handed over, an
      // actor dropped after a failed write): the bytes are not stored, and
      // the upload can be sent again.
      [=](commit_atom, const credential&, const std::string& id,
          const file_record& file) -> caf::result<file_record> {
        auto i = self->state.live.find(id);
        if (i == self->state.live.end() || i->second.reservations.erase(file.id) == 0)
          return make_error(errc::unavailable, "the reservation of " + id + "/"
                                                 + std::to_string(file.id)
                                                 + " went with an earlier owner");
        auto rp = self->make_response_promise<file_record>();
        auto actor = i->second.actor;
        ask<file_record>(
          self, actor, [rp](file_record& f) mutable { rp.deliver(std::move(f)); },
          [=](const caf::error& err) mutable {
            // Not answered: the actor may still hold it, so that an abandon
            // still reaches it.
            auto j = self->state.live.find(id);
            if (j != self->state.live.end() && j->second.actor == actor)
              j->second.reservations.insert(file.id);
            rp.deliver(err);
          },
          commit_atom::value, file);
        return rp;
      },
      [=](abandon_atom, const credential&, const std::string& id,
          const file_record& file) -> caf::result<bool> {
        auto& s = self->state;
        self->request(s.opts.readers, storage_timeout, abandon_atom::value, id, file.id)
          .then([](bool) {}, [](caf::error&) {});
        auto i = s.live.find(id);
        if (i == s.live.end() || i->second.reservations.erase(file.id) == 0)
          return true;
        ask<bool>(
          self, i->second.actor, [](bool) {}, [](const caf::error&) {}, abandon_atom::value,
          file);
        return true;
      },
      [=](download_atom, const credential& cred, const std::string& id,
          std::uint64_t file_id) -> caf::result<file_location> {
        return forward(tag<file_location>{}, cred, id, download_atom::value,
                       file_id);
      },
      [=](finalize_atom, const credential& cred, const std::string& id,
          const std::string& results) -> caf::result<std::string> {
        return forward(tag<std::string>{}, cred, id, finalize_atom::value,
                       results);
      },
      [=](remove_atom, const credential& cred, const std::string& id) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        with_analysis(
          self, cred, id,
          [=](sr_entry& e) mutable {
            auto actor = e.actor;
            ask<bool>(
              self, actor,
              [=](bool) mutable {
                auto& s = self->state;
                if (auto i = s.live.find(id); i != s.live.end() && i->second.actor == actor) {
                  forget(self, id);
                  // Gone: the retire is the last message it gets, and it quits.
                  self->request(actor, caf::infinite, retire_atom::value)
                    .then([](analysis_state&) {}, [](caf::error&) {});
                }
                rp.deliver(true);
              },
              [rp](const caf::error& err) mutable { rp.deliver(err); }, remove_atom::value,
              cred.admin);
          },
          [rp](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](stats_atom) -> caf::result<std::uint64_t, std::uint64_t> {
        return {static_cast<std::uint64_t>(self->state.live.size()),
                static_cast<std::uint64_t>(self->state.dormant.size())};
      },
      [=](sweep_atom) {
        auto& s = self->state;
        s.sweeping = false;
        auto idle_since = std::chrono::steady_clock::now() - s.opts.actor_idle;
        std::vector<std::string> idle;
        for (auto& [id, e] : s.live) {
          note_view_reads(s.opts.views, id, e.last_used);
          if (!e.retiring && !e.broken && e.last_used <= idle_since)
            idle.push_back(id);
        }
        for (auto& id : idle)
          retire(self, id);
        // Those of shards no longer served at their epoch would be loaded
        // again anyway.
        drop_dormant_unless(s, [&](const sr_dormant& d) { return serving(s, d.shard) == d.epoch; });
        schedule_sweep(self);
      },
      [=](append_atom, journal_record& rec) -> caf::result<bool> {
        auto& s = self->state;
        auto i = s.live.find(rec.analysis_id);
        if (i == s.live.end() || i->second.broken
            || caf::actor_cast<caf::strong_actor_ptr>(i->second.actor) != self->current_sender())
          return make_error(errc::unavailable);
        auto rp = self->make_response_promise<bool>();
        append(
          self, i->second, std::move(rec), [rp]() mutable { rp.deliver(true); },
          [rp](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](handoff_atom, std::uint32_t shard) -> caf::result<bool> {
        auto& s = self->state;
        auto rp = self->make_response_promise<bool>();
        drop_dormant_unless(s, [shard](const sr_dormant& d) { return d.shard != shard; });
        auto& promises = s.leaving[shard];
        promises.push_back(rp);
        if (promises.size() == 1)
          handoff_round(self, shard, std::chrono::steady_clock::now() + s.opts.handoff_timeout);
        return rp;
      },
      // The handoff's re-check, until its deadline (steady_clock ticks).
      [=](handoff_atom, std::uint32_t shard, std::int64_t deadline) {
        handoff_round(self, shard,
                      std::chrono::steady_clock::time_point(
                        std::chrono::steady_clock::duration(deadline)));
      },
    };
  };
  return sys.spawn(impl, std::move(opts));
}

} // namespace analysisd
