#pragma once

/// The public interface that other CAF services reach over the network
/// (CAF's middleman), version 1. It is separate from the internal interfaces
/// between analysisd's own actors (actors/protocol.hpp), which may change in
/// any release: this one only grows by a new version next to it.
///
/// A client connects with `caf::io::remote_actor<remote_registry_v1>` (or
/// `caf::openssl::remote_actor` when the server has TLS), with
/// `middleman.app-identifiers` holding remote_interface_v1 and the types of
/// add_remote_message_types() registered; see examples/remote_client.cpp.
/// Every message carries a remote_credential: the secret itself, checked by
/// the server as HTTP checks it (the admin token, or a job's id and key).
/// Errors are caf::error values of the `analysisd` category (errc in
/// actors/protocol.hpp), as in-process callers get them.
///
/// File bytes do not travel over this interface: one middleman connection
/// carries every message between two nodes, so a large upload would stall
/// every small request behind it. Files go over HTTP.

#include "actors/protocol.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

namespace caf {
class actor_system_config;
} // namespace caf

namespace analysisd {

/// The name of this interface and its version: the middleman's app
/// identifier of a server that publishes it (a client with another one is
/// refused at the handshake).
constexpr const char* remote_interface_v1 = "analysisd.registry.v1";

using version_atom = caf::atom_constant<caf::atom("version")>;

/// Who is asking, with the secret: `admin_token` for operator requests, or
/// `job_id` and `job_key` (64 hex characters) for a job's. Never logged.
struct remote_credential {
  std::string admin_token;
  std::string job_id;
  std::string job_key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_credential& x) {
  return f(caf::meta::type_name("remote_credential"), x.admin_token, x.job_id, x.job_key);
}

/// An operator's credential.
remote_credential remote_admin(std::string admin_token);

/// A job's credential.
remote_credential remote_job(std::string job_id, std::string job_key);

/// Version 1. Operator requests (create, acquire, list) need the admin token
/// (else unauthorized); get and remove take a job's credential or the admin
/// token (an operator reads any analysis and removes it whatever its state,
/// as the /admin routes do); finalize takes a job's. Answers are the JSON
/// text the HTTP routes answer with.
using remote_registry_v1 = caf::typed_actor<
  // -> remote_interface_v1 and the server's version (ANALYSISD_VERSION).
  caf::replies_to<version_atom>::with<std::string, std::string>,
  // Operator: create an analysis and its job -> document.
  caf::replies_to<create_atom, remote_credential, create_request>::with<std::string>,
  // Operator: acquire a job -> its key, only once.
  caf::replies_to<acquire_atom, remote_credential, std::string>::with<std::string>,
  // Operator: a page (per_page 1 to 100; else invalid_query) -> SPEC.md's listing.
  caf::replies_to<list_atom, remote_credential, list_request>::with<std::string>,
  // Read an analysis -> document.
  caf::replies_to<get_atom, remote_credential, std::string>::with<std::string>,
  // Finalize with the results object, as JSON text (not an object, or not
  // JSON: invalid_input after authentication) -> document.
  caf::replies_to<finalize_atom, remote_credential, std::string, std::string>::with<std::string>,
  // Remove an analysis and its files -> true.
  caf::replies_to<remove_atom, remote_credential, std::string>::with<bool>>;

/// Registers every message type remote_registry_v1 exchanges (calls
/// add_message_types() too). Both the server and its clients call it.
void add_remote_message_types(caf::actor_system_config& cfg);

} // namespace analysisd
