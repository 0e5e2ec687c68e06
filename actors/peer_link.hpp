#pragma once

#include "actors/node_protocol.hpp"

#include <caf/actor_system.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace analysisd {

struct peer_link_options {
  std::string host;  ///< The peer node's CAF address (its published node_actor_v2).
  std::uint16_t port = 0;
  /// Every request sent on gets this long for its answer; then it fails
  /// with `unavailable` (context "timeout").
  caf::timespan request_timeout{std::chrono::seconds(5)};
  /// A connection attempt gets this long.
  caf::timespan connect_timeout{std::chrono::seconds(2)};
  /// Requests held while connecting; more fail at once.
  std::size_t max_waiting = 1024;
  /// Where this node keeps replicas under read leases (null: it asks for
  /// none).
  std::shared_ptr<read_leases> leases;
};

/// Spawns the local stand-in for one peer node: it offers node_actor_v2 and
/// sends each request on to the peer's published node actor, connecting
/// (through the middleman, which must be loaded) at the first request and
/// again after a loss. The peer is monitored: when it goes down (its
/// process, or a connection the middleman's heartbeat declared dead), every
/// request in flight to it fails at once with `unavailable` (context "peer
/// down"), and nothing waits for a timeout. Requests that arrive while it
/// connects wait for the connection (at most max_waiting, at most
/// connect_timeout); a failed connection fails them with `unavailable`
/// (context "unreachable"), so does a peer that does not offer every message
/// of node_actor_v2.
///
/// With `leases`, a job's get asks the peer for a read lease, and a lease
/// granted keeps the document in `leases->replicas` until it ends (counted
/// from when the get was sent). The link is the lease holder its peer
/// revokes at (lease_holder_v2): a revocation withdraws the replicas, and a
/// get answered after it installs none. It withdraws the replicas whose
/// lease ended, and those it installed when it ends. The caller ends it
/// with an exit message. Any thread.
node_requests spawn_peer_link(caf::actor_system& sys, peer_link_options opts);

/// Whether a peer link's error says the request never left this node (the
/// peer could not be connected to, offers another interface, or too many
/// requests waited for it): such a request, even a write, did nothing and
/// can go elsewhere.
bool never_sent(const caf::error& err);

} // namespace analysisd
