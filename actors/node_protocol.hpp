#pragma once

/// The interface between the nodes of one cluster, version 1: what a node
/// that received a request sends to the node that owns the analysis (see
/// DESIGN.md, "Scaling out"). Nodes trust each other: a request carries the
/// credential as the receiving node's HTTP layer made it (a job's key hash,
/// or admin), never a secret. It is published on the node's CAF port under
/// the middleman app identifier node_interface_v1, separate from the public
/// remote_registry_v1 (actors/remote_protocol.hpp) and from the in-process
/// registry_actor, whose subset it is: a node answers it from its registry.
/// Errors are the registry's (errc), plus `unavailable` when the peer cannot
/// be reached or did not answer in time (then a write's outcome is unknown).

#include "actors/protocol.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace analysisd {

/// The middleman app identifier of the inter-node interface.
constexpr const char* node_interface_v1 = "analysisd.node.v1";

using node_actor_v1 = caf::typed_actor<
  caf::replies_to<get_atom, credential, std::string>::with<std::string>,
  caf::replies_to<authorize_atom, credential, std::string>::with<bool>,
  caf::replies_to<reserve_atom, credential, std::string, upload_request>::with<file_record>,
  caf::replies_to<commit_atom, credential, std::string, file_record>::with<file_record>,
  caf::replies_to<abandon_atom, credential, std::string, file_record>::with<bool>,
  caf::replies_to<download_atom, credential, std::string, std::uint64_t>::with<file_location>,
  caf::replies_to<finalize_atom, credential, std::string, std::string>::with<std::string>,
  caf::replies_to<remove_atom, credential, std::string>::with<bool>,
  // The create request names its id (the receiving node drew it, and sent
  // the request to the owner of its shard).
  caf::replies_to<create_atom, create_request>::with<std::string>,
  caf::replies_to<acquire_atom, std::string>::with<std::string>>;

} // namespace analysisd
