#include "actors/cluster.hpp"

#include <algorithm>

namespace analysisd {

namespace {

std::int64_t view_ticks(std::chrono::steady_clock::time_point t) {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}

} // namespace

cluster_view::cluster_view(std::uint32_t shards, std::string incarnation)
  : shards_(shards), incarnation_(std::move(incarnation)),
    leases_(std::make_unique<lease_slot[]>(shards)) {
}

std::optional<std::int64_t> cluster_view::serving(std::uint32_t shard) const {
  if (shard >= shards_)
    return std::nullopt;
  auto& slot = leases_[shard];
  // hold() zeroes valid_until before it changes the epoch: an epoch read
  // between two equal non-zero reads of valid_until belongs to them.
  for (;;) {
    auto before = slot.valid_until.load();
    if (before == 0)
      return std::nullopt;
    auto epoch = slot.epoch.load();
    auto after = slot.valid_until.load();
    if (before != after)
      continue; // renewed or changed meanwhile: read again
    if (before <= view_ticks(std::chrono::steady_clock::now()))
      return std::nullopt;
    return epoch;
  }
}

std::optional<std::chrono::steady_clock::time_point>
cluster_view::serving_until(std::uint32_t shard) const {
  if (shard >= shards_)
    return std::nullopt;
  auto until = leases_[shard].valid_until.load();
  if (until <= view_ticks(std::chrono::steady_clock::now()))
    return std::nullopt; // 0 (not held) or expired
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(until));
}

std::shared_ptr<const cluster_routes> cluster_view::routes() const {
  return std::atomic_load(&routes_);
}

bool cluster_view::member() const {
  return member_until_.load() > view_ticks(std::chrono::steady_clock::now());
}

void cluster_view::hold(std::uint32_t shard, std::int64_t epoch,
                        std::chrono::steady_clock::time_point valid_until) {
  if (shard >= shards_)
    return;
  auto& slot = leases_[shard];
  if (slot.epoch.load() != epoch) {
    slot.valid_until.store(0);
    slot.epoch.store(epoch);
  }
  slot.valid_until.store(std::max<std::int64_t>(view_ticks(valid_until), 1));
}

void cluster_view::drop(std::uint32_t shard) {
  if (shard >= shards_)
    return;
  leases_[shard].valid_until.store(0);
}

void cluster_view::publish(std::shared_ptr<const cluster_routes> routes) {
  std::atomic_store(&routes_, std::move(routes));
}

void cluster_view::member_until(std::chrono::steady_clock::time_point until) {
  member_until_.store(view_ticks(until));
}

} // namespace analysisd
