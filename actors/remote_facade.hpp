#pragma once

#include "actors/protocol.hpp"
#include "actors/remote_protocol.hpp"

#include <caf/actor_system.hpp>

#include <string>

namespace analysisd {

/// Spawns the actor behind remote_registry_v1: it checks each message's
/// remote_credential (the admin token against `admin_token_hash`, its
/// SHA-256, in constant time; a job's key by hashing it) and forwards the
/// request to `registry` with the matching credential. The caller publishes
/// it (caf::io::publish or caf::openssl::publish) and ends it with an exit
/// message when the service stops. Any thread.
remote_registry_v1 spawn_remote_facade(caf::actor_system& sys, registry_actor registry,
                                       std::string admin_token_hash);

} // namespace analysisd
