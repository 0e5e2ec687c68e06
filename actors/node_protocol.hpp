#pragma once

/// The interface between the nodes of one cluster, version 2: what a node
/// that received a request sends to the node that owns the analysis (see
/// DESIGN.md, "Scaling out"). Nodes trust each other: a request carries the
/// credential as the receiving node's HTTP layer made it (a job's key hash,
/// or admin), never a secret. It is published on the node's CAF port under
/// the middleman app identifier node_interface_v2, separate from the public
/// remote_registry_v1 (actors/remote_protocol.hpp) and from the in-process
/// registry_actor, whose subset it is: a node answers it from its registry.
/// Errors are the registry's (errc), plus `unavailable` when the peer cannot
/// be reached or did not answer in time (then a write's outcome is unknown).
///
/// Version 2 added read leases (actors/read_leases.hpp): a get that asks for
/// one, answered with a lease_grant_reply, and the holder's side, which an
/// owner sends its revocations to (the actor that asked, i.e. the peer link).

#include "actors/protocol.hpp"
#include "actors/read_leases.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd {

/// The middleman app identifier of the inter-node interface.
constexpr const char* node_interface_v2 = "analysisd.node.v2";

/// A get's answer with a read lease: the document, and how long the asking
/// node may answer the same job's GETs from it, counted from when it sent
/// the request (0: no lease).
struct lease_grant_reply {
  std::string document;
  std::uint32_t lease_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease_grant_reply& x) {
  return f(caf::meta::type_name("lease_grant_reply"), x.document, x.lease_ms);
}

/// The requests about analyses that one node sends another: what a peer
/// link offers its node, and what a node's shard registry answers.
using node_requests = caf::typed_actor<
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

/// What a node publishes for its peers: the requests, and a get that asks
/// for a read lease.
using node_actor_v2 = node_requests::extend<
  caf::replies_to<get_atom, lease_atom, credential, std::string>::with<lease_grant_reply>>;

/// What a node that holds read leases offers their owners: drop the
/// replicas of these analyses -> true.
using lease_holder_v2 = caf::typed_actor<
  caf::replies_to<invalidate_atom, std::vector<std::string>>::with<bool>>;

} // namespace analysisd
