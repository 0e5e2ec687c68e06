#include "actors/read_leases.hpp"

#include "metrics/metrics.hpp"

#include <caf/all.hpp>

#include <openssl/crypto.h>

#include <algorithm>

namespace analysisd {

// -- the owner's book ------------------------------------------------------------------

lease_book::stripe& lease_book::stripe_of(const std::string& id) {
  return stripes_[std::hash<std::string>{}(id) % stripes_.size()];
}

std::chrono::milliseconds lease_book::grant(const std::string& id, std::uint32_t shard,
                                            const caf::actor& holder,
                                            const std::function<std::chrono::milliseconds()>& decide) {
  auto& s = stripe_of(id);
  std::lock_guard<std::mutex> lock{s.lock};
  auto lease = decide();
  if (lease.count() <= 0)
    return lease;
  // The owner waits a little longer than the holder keeps its replica: the
  // holder counts from before this, and the two clocks' rates differ by far
  // less than 1/64.
  auto now = lease_clock::now();
  auto until = now + lease + lease / 64 + std::chrono::milliseconds(1);
  auto& r = s.by_id[id];
  r.shard = shard;
  r.grants.erase(std::remove_if(r.grants.begin(), r.grants.end(),
                                [&](const lease_grant& g) { return g.until <= now || g.holder == holder; }),
                 r.grants.end());
  r.grants.push_back(lease_grant{holder, until});
  return lease;
}

bool lease_book::any(const std::string& id) {
  auto& s = stripe_of(id);
  std::lock_guard<std::mutex> lock{s.lock};
  auto i = s.by_id.find(id);
  if (i == s.by_id.end())
    return false;
  auto now = lease_clock::now();
  return std::any_of(i->second.grants.begin(), i->second.grants.end(),
                     [&](const lease_grant& g) { return g.until > now; });
}

std::vector<lease_grant> lease_book::pending(const std::string& id) {
  auto& s = stripe_of(id);
  std::lock_guard<std::mutex> lock{s.lock};
  std::vector<lease_grant> out;
  auto i = s.by_id.find(id);
  if (i == s.by_id.end())
    return out;
  auto now = lease_clock::now();
  for (auto& g : i->second.grants)
    if (g.until > now)
      out.push_back(g);
  return out;
}

std::vector<lease_book::holder_grants> lease_book::pending_shard(std::uint32_t shard) {
  std::vector<holder_grants> out;
  auto now = lease_clock::now();
  for (auto& s : stripes_) {
    std::lock_guard<std::mutex> lock{s.lock};
    for (auto& [id, r] : s.by_id) {
      if (r.shard != shard)
        continue;
      for (auto& g : r.grants) {
        if (g.until <= now)
          continue;
        auto h = std::find_if(out.begin(), out.end(),
                              [&](const holder_grants& x) { return x.holder == g.holder; });
        if (h == out.end())
          h = out.insert(out.end(), holder_grants{g.holder, {}, g.until});
        h->grants.emplace_back(id, g.until);
        h->until = std::max(h->until, g.until);
      }
    }
  }
  return out;
}

void lease_book::confirm(const std::string& id, const caf::actor& holder,
                         lease_clock::time_point until) {
  auto& s = stripe_of(id);
  std::lock_guard<std::mutex> lock{s.lock};
  auto i = s.by_id.find(id);
  if (i == s.by_id.end())
    return;
  auto& g = i->second.grants;
  g.erase(std::remove_if(g.begin(), g.end(),
                         [&](const lease_grant& x) { return x.holder == holder && x.until == until; }),
          g.end());
  if (g.empty())
    s.by_id.erase(i);
}

std::size_t lease_book::sweep() {
  std::size_t left = 0;
  auto now = lease_clock::now();
  for (auto& s : stripes_) {
    std::lock_guard<std::mutex> lock{s.lock};
    for (auto i = s.by_id.begin(); i != s.by_id.end();) {
      auto& g = i->second.grants;
      g.erase(std::remove_if(g.begin(), g.end(), [&](const lease_grant& x) { return x.until <= now; }),
              g.end());
      left += g.size();
      if (g.empty())
        i = s.by_id.erase(i);
      else
        ++i;
    }
  }
  return left;
}

// -- the revoker ---------------------------------------------------------------------------

namespace {

using lapsed_atom = caf::atom_constant<caf::atom("lapsed")>;

struct revoker_state {
  std::weak_ptr<read_leases> leases;
  /// Revocations whose holder failed before its lease ran out: each is
  /// answered when the lease does.
  std::unordered_map<std::uint64_t, std::function<void()>> lapsing;
  std::uint64_t next = 0;
  static inline const char* name = "lease_revoker";
};

using revoker_pointer = caf::stateful_actor<revoker_state>*;

// Asks `holder` to drop `ids`; `done` runs once it confirmed, or once its
// lease (`until`) is over when it cannot answer (a holder that is gone, or
// cut off, keeps its replicas no longer than that).
void revoke_at(revoker_pointer self, const caf::actor& holder, std::vector<std::string> ids,
               lease_clock::time_point until, std::function<void()> done) {
  auto now = lease_clock::now();
  if (until <= now) {
    done();
    return;
  }
  metrics().cluster_leases_revoked.fetch_add(ids.size(), std::memory_order_relaxed);
  auto left = std::chrono::duration_cast<caf::timespan>(until - now);
  self->request(holder, left, invalidate_atom::value, std::move(ids))
    .then([done](bool) { done(); },
          [self, until, done](caf::error&) {
            auto now = lease_clock::now();
            if (until <= now) {
              done();
              return;
            }
            auto ticket = ++self->state.next;
            self->state.lapsing.emplace(ticket, done);
            self->delayed_send(self, until - now, lapsed_atom::value, ticket);
          });
}

// Answers `rp` once `n` calls of the returned function were made.
std::function<void()> countdown(std::size_t n, caf::response_promise rp) {
  auto left = std::make_shared<std::size_t>(n);
  return [left, rp]() mutable {
    if (--*left == 0)
      rp.deliver(true);
  };
}

} // namespace

caf::actor spawn_lease_revoker(caf::actor_system& sys, std::weak_ptr<read_leases> leases) {
  return sys.spawn([leases](revoker_pointer self) -> caf::behavior {
    self->state.leases = leases;
    self->delayed_send(self, std::chrono::seconds(1), sweep_atom::value);
    return {
      [=](revoke_atom, const std::string& id) -> caf::result<bool> {
        auto l = self->state.leases.lock();
        if (!l)
          return true;
        auto grants = l->granted.pending(id);
        if (grants.empty())
          return true;
        auto rp = self->make_response_promise();
        auto done = countdown(grants.size(), rp);
        for (auto& g : grants)
          revoke_at(self, g.holder, {id}, g.until, [=] {
            if (auto l = self->state.leases.lock())
              l->granted.confirm(id, g.holder, g.until);
            done();
          });
        return caf::delegated<bool>{};
      },
      [=](revoke_atom, std::uint32_t shard) -> caf::result<bool> {
        auto l = self->state.leases.lock();
        if (!l)
          return true;
        auto held = l->granted.pending_shard(shard);
        if (held.empty())
          return true;
        auto rp = self->make_response_promise();
        auto done = countdown(held.size(), rp);
        for (auto& h : held) {
          std::vector<std::string> ids;
          for (auto& [id, until] : h.grants)
            ids.push_back(id);
          revoke_at(self, h.holder, std::move(ids), h.until, [=] {
            if (auto l = self->state.leases.lock())
              for (auto& [id, until] : h.grants)
                l->granted.confirm(id, h.holder, until);
            done();
          });
        }
        return caf::delegated<bool>{};
      },
      [=](lapsed_atom, std::uint64_t ticket) {
        auto node = self->state.lapsing.extract(ticket);
        if (!node.empty())
          node.mapped()();
      },
      [=](sweep_atom) {
        if (auto l = self->state.leases.lock())
          l->granted.sweep();
        self->delayed_send(self, std::chrono::seconds(1), sweep_atom::value);
      },
    };
  });
}

// -- the holder's reads ----------------------------------------------------------------------

std::optional<view_read> read_from_replicas(const read_leases& leases, const credential& cred,
                                            const std::string& id,
                                            const std::function<bool(const std::string&)>& not_modified) {
  if (cred.admin || cred.key_hash.size() != 32)
    return std::nullopt;
  epoch_domain::guard g{epoch_domain::instance()};
  if (!g.active())
    return std::nullopt;
  auto* r = leases.replicas.find(g, id);
  if (r == nullptr || r->view.job_id != cred.job_id || r->key_hash.size() != 32
      || CRYPTO_memcmp(r->key_hash.data(), cred.key_hash.data(), 32) != 0
      || r->until <= lease_clock::now())
    return std::nullopt;
  view_read out;
  out.etag = r->view.etag;
  if (!not_modified || !not_modified(out.etag))
    out.document = r->view.document;
  return out;
}

} // namespace analysisd
