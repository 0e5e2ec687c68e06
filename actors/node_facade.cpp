#include "actors/node_facade.hpp"

#include "actors/relay.hpp"
#include "metrics/metrics.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace analysisd {

namespace {

// A reservation made for a peer and neither committed nor abandoned yet.
struct peer_reservation {
  credential cred;
  std::string analysis_id;
  file_record file;
};

struct node_facade_state {
  /// By the peer actor that asked (monitored): its DOWN (the peer node died,
  /// or its connection did) abandons them, since nobody else could end them,
  /// and the analysis's actor would keep the names reserved for good (its
  /// DELETE waiting for them, and it never retiring).
  std::map<caf::actor_addr, std::vector<peer_reservation>> reservations;
  static inline const char* name = "node_facade";
};

using node_facade_pointer = node_actor_v2::stateful_pointer<node_facade_state>;

// Forgets the reservation of `file` of `id`, whoever made it.
void forget_reservation(node_facade_pointer self, const std::string& id, std::uint64_t file_id) {
  auto& all = self->state.reservations;
  for (auto i = all.begin(); i != all.end(); ++i) {
    auto& held = i->second;
    auto j = std::find_if(held.begin(), held.end(), [&](const peer_reservation& r) {
      return r.analysis_id == id && r.file.id == file_id;
    });
    if (j == held.end())
      continue;
    held.erase(j);
    if (held.empty()) {
      self->demonitor(i->first);
      all.erase(i);
    }
    return;
  }
}

// Ends a reservation nobody else can end any more.
void abandon(node_facade_pointer self, const node_requests& registry,
             const peer_reservation& r) {
  self->request(registry, registry_timeout, abandon_atom::value, r.cred, r.analysis_id, r.file)
    .then([](bool) {}, [](caf::error&) {});
  metrics().cluster_reservations_abandoned.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

node_actor_v2 spawn_node_facade(caf::actor_system& sys, node_requests registry,
                                std::shared_ptr<const read_views> views,
                                std::shared_ptr<const cluster_view> cluster,
                                std::shared_ptr<read_leases> leases,
                                std::chrono::milliseconds reserve_within) {
  return sys.spawn([=](node_facade_pointer self) -> node_actor_v2::behavior_type {
    self->set_down_handler([=](caf::down_msg& dm) {
      auto node = self->state.reservations.extract(dm.source);
      if (node.empty())
        return;
      for (auto& r : node.mapped())
        abandon(self, registry, r);
    });
    // What the views decide of a read of `id` here, if they do.
    auto from_views = [=](const credential& c, const std::string& id,
                          bool document) -> std::optional<view_read> {
      if (!views || !cluster)
        return std::nullopt;
      auto epoch = cluster->serving(shard_of(id, cluster->shards()));
      if (!epoch)
        return std::nullopt;
      auto read = read_from_views(*views, c, id,
                                  [document](const std::string&) { return !document; }, epoch);
      if (read)
        metrics().reads_from_views.fetch_add(1, std::memory_order_relaxed);
      return read;
    };
    return {
      // A get that asks for a read lease: granted when the views decide it
      // for the job that owns the analysis, under the book's lock (see
      // read_leases.hpp), for at most the configured lease and never past
      // this node's mandate for the shard.
      [=](get_atom a, lease_atom, credential& c,
          std::string& id) -> caf::result<lease_grant_reply> {
        auto holder = caf::actor_cast<caf::actor>(self->current_sender());
        if (leases && holder && cluster && leases->lease.count() > 0 && !c.admin) {
          auto shard = shard_of(id, cluster->shards());
          std::optional<view_read> read;
          auto lease = leases->granted.grant(id, shard, holder, [&] {
            auto until = cluster->serving_until(shard);
            if (!until)
              return std::chrono::milliseconds{0};
            read = from_views(c, id, true);
            if (!read || read->forbidden)
              return std::chrono::milliseconds{0};
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              *until - lease_clock::now());
            // Within the mandate with the same margin the book keeps.
            left -= left / 64 + std::chrono::milliseconds(2);
            return std::max(std::chrono::milliseconds{0}, std::min(leases->lease, left));
          });
          if (read && read->forbidden)
            return make_error(errc::forbidden);
          if (read) {
            if (lease.count() > 0)
              metrics().cluster_leases_granted.fetch_add(1, std::memory_order_relaxed);
            return lease_grant_reply{*read->document,
                                     static_cast<std::uint32_t>(std::max<std::int64_t>(0, lease.count()))};
          }
        }
        auto rp = self->make_response_promise<lease_grant_reply>();
        self->request(registry, registry_timeout, a, std::move(c), std::move(id))
          .then([=](std::string& doc) mutable { rp.deliver(lease_grant_reply{std::move(doc), 0}); },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](get_atom a, credential& c, std::string& id) -> caf::result<std::string> {
        if (auto read = from_views(c, id, true)) {
          if (read->forbidden)
            return make_error(errc::forbidden);
          return *read->document;
        }
        return relay<std::string>(self, registry, registry_timeout, a, std::move(c), std::move(id));
      },
      [=](authorize_atom a, credential& c, std::string& id) -> caf::result<bool> {
        if (auto read = from_views(c, id, false)) {
          if (read->forbidden)
            return make_error(errc::forbidden);
          return true;
        }
        return relay<bool>(self, registry, registry_timeout, a, std::move(c), std::move(id));
      },
      [=](reserve_atom a, credential& c, std::string& id,
          upload_request& req) -> caf::result<file_record> {
        // Before the promise, which takes the sender over.
        auto asker = caf::actor_cast<caf::actor>(self->current_sender());
        auto rp = self->make_response_promise<file_record>();
        auto asked_at = std::chrono::steady_clock::now();
        self->request(registry, registry_timeout, a, c, id, std::move(req))
          .then(
            [=](file_record& f) mutable {
              if (std::chrono::steady_clock::now() - asked_at > reserve_within) {
                abandon(self, registry, peer_reservation{c, id, f});
                rp.deliver(make_error(errc::unavailable, "reservation answered too late"));
                return;
              }
              if (asker) {
                auto& held = self->state.reservations[asker.address()];
                if (held.empty())
                  self->monitor(asker);
                held.push_back(peer_reservation{c, id, f});
              }
              rp.deliver(std::move(f));
            },
            [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](commit_atom a, credential& c, std::string& id,
          file_record& f) -> caf::result<file_record> {
        auto rp = self->make_response_promise<file_record>();
        self->request(registry, registry_timeout, a, c, id, f)
          .then(
            [=](file_record& committed) mutable {
              forget_reservation(self, id, f.id);
              rp.deliver(std::move(committed));
            },
            // Still reserved, maybe: the peer abandons it, or its DOWN does.
            [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](abandon_atom a, credential& c, std::string& id, file_record& f) {
        forget_reservation(self, id, f.id);
        return relay<bool>(self, registry, registry_timeout, a, std::move(c), std::move(id),
                           std::move(f));
      },
      [=](download_atom a, credential& c, std::string& id, std::uint64_t file_id) {
        return relay<file_location>(self, registry, registry_timeout, a, std::move(c),
                                    std::move(id), file_id);
      },
      [=](finalize_atom a, credential& c, std::string& id, std::string& results) {
        return relay<std::string>(self, registry, registry_timeout, a, std::move(c), std::move(id),
                                  std::move(results));
      },
      [=](remove_atom a, credential& c, std::string& id) {
        return relay<bool>(self, registry, registry_timeout, a, std::move(c), std::move(id));
      },
      [=](create_atom a, create_request& req) {
        return relay<std::string>(self, registry, registry_timeout, a, std::move(req));
      },
      [=](acquire_atom a, std::string& job_id) {
        return relay<std::string>(self, registry, registry_timeout, a, std::move(job_id));
      },
    };
  });
}

} // namespace analysisd
