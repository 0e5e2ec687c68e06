#include "actors/node_facade.hpp"

#include "actors/relay.hpp"
#include "metrics/metrics.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace analysisd {

node_actor_v1 spawn_node_facade(caf::actor_system& sys, node_actor_v1 registry,
                                std::shared_ptr<const read_views> views,
                                std::shared_ptr<const cluster_view> cluster) {
  return sys.spawn([=](node_actor_v1::pointer self) -> node_actor_v1::behavior_type {
    // The registry answers every request; this bounds what a lost answer holds.
    constexpr auto timeout = std::chrono::minutes(10);
    // What the views decide of a read of `id` here, if they do.
    auto from_views = [=](const credential& c, const std::string& id,
                          bool document) -> std::optional<view_read> {
      if (!views || !cluster || !cluster->serving(shard_of(id, cluster->shards())))
        return std::nullopt;
      auto read = read_from_views(*views, c, id,
                                  [document](const std::string&) { return !document; });
      if (read)
        metrics().reads_from_views.fetch_add(1, std::memory_order_relaxed);
      return read;
    };
    return {
      [=](get_atom a, credential& c, std::string& id) -> caf::result<std::string> {
        if (auto read = from_views(c, id, true)) {
          if (read->forbidden)
            return make_error(errc::forbidden);
          return *read->document;
        }
        return relay<std::string>(self, registry, timeout, a, std::move(c), std::move(id));
      },
      [=](authorize_atom a, credential& c, std::string& id) -> caf::result<bool> {
        if (auto read = from_views(c, id, false)) {
          if (read->forbidden)
            return make_error(errc::forbidden);
          return true;
        }
        return relay<bool>(self, registry, timeout, a, std::move(c), std::move(id));
      },
      [=](reserve_atom a, credential& c, std::string& id, upload_request& req) {
        return relay<file_record>(self, registry, timeout, a, std::move(c), std::move(id),
                                  std::move(req));
      },
      [=](commit_atom a, credential& c, std::string& id, file_record& f) {
        return relay<file_record>(self, registry, timeout, a, std::move(c), std::move(id),
                                  std::move(f));
      },
      [=](abandon_atom a, credential& c, std::string& id, file_record& f) {
        return relay<bool>(self, registry, timeout, a, std::move(c), std::move(id), std::move(f));
      },
      [=](download_atom a, credential& c, std::string& id, std::uint64_t file_id) {
        return relay<file_location>(self, registry, timeout, a, std::move(c), std::move(id),
                                    file_id);
      },
      [=](finalize_atom a, credential& c, std::string& id, std::string& results) {
        return relay<std::string>(self, registry, timeout, a, std::move(c), std::move(id),
                                  std::move(results));
      },
      [=](remove_atom a, credential& c, std::string& id) {
        return relay<bool>(self, registry, timeout, a, std::move(c), std::move(id));
      },
      [=](create_atom a, create_request& req) {
        return relay<std::string>(self, registry, timeout, a, std::move(req));
      },
      [=](acquire_atom a, std::string& job_id) {
        return relay<std::string>(self, registry, timeout, a, std::move(job_id));
      },
    };
  });
}

} // namespace analysisd
