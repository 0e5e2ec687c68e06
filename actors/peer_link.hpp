#pragma once

#include "actors/node_protocol.hpp"

#include <caf/actor_system.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace analysisd {

struct peer_link_options {
  std::string host;  ///< The peer node's CAF address (its published node_actor_v1).
  std::uint16_t port = 0;
  /// Every request sent on gets this long for its answer; then it fails
  /// with `unavailable` (context "timeout").
  caf::timespan request_timeout{std::chrono::seconds(5)};
  /// A connection attempt gets this long.
  caf::timespan connect_timeout{std::chrono::seconds(2)};
  /// Requests held while connecting; more fail at once.
  std::size_t max_waiting = 1024;
};

/// Spawns the local stand-in for one peer node: it offers node_actor_v1 and
/// sends each request on to the peer's published node actor, connecting
/// (through the middleman, which must be loaded) at the first request and
/// again after a loss. The peer is monitored: when it goes down (its
/// process, or a connection the middleman's heartbeat declared dead), every
/// request in flight to it fails at once with `unavailable` (context "peer
/// down"), and nothing waits for a timeout. Requests that arrive while it
/// connects wait for the connection (at most max_waiting, at most
/// connect_timeout); a failed connection fails them with `unavailable`
/// (context "unreachable"), so does a peer that does not offer every message
/// of node_actor_v1. The caller ends it with an exit message. Any thread.
node_actor_v1 spawn_peer_link(caf::actor_system& sys, peer_link_options opts);

/// Whether a peer link's error says the request never left this node (the
/// peer could not be connected to, offers another interface, or too many
/// requests waited for it): such a request, even a write, did nothing and
/// can go elsewhere.
bool never_sent(const caf::error& err);

} // namespace analysisd
