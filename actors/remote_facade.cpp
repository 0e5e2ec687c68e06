#include "actors/remote_facade.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/relay.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <chrono>
#include <optional>

namespace analysisd {

remote_credential remote_admin(std::string admin_token) {
  remote_credential c;
  c.admin_token = std::move(admin_token);
  return c;
}

remote_credential remote_job(std::string job_id, std::string job_key) {
  remote_credential c;
  c.job_id = std::move(job_id);
  c.job_key = std::move(job_key);
  return c;
}

void add_remote_message_types(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  cfg.add_message_type<remote_credential>("analysisd::remote_credential");
}

namespace {

using facade_pointer = remote_registry_v1::pointer;

bool is_admin_token(const remote_credential& c, const std::string& token_hash) {
  if (c.admin_token.empty() || token_hash.size() != 32)
    return false;
  auto given = sha256(c.admin_token);
  return CRYPTO_memcmp(given.data(), token_hash.data(), 32) == 0;
}

// What the registry is told: the operator, a job (whose key the registry
// checks against its hash), or nobody (unauthorized, as HTTP answers a
// request without valid credentials).
std::optional<credential> resolve(const remote_credential& c, const std::string& token_hash,
                                  bool admin_allowed) {
  if (!c.admin_token.empty()) {
    if (admin_allowed && is_admin_token(c, token_hash))
      return admin_credential();
    return std::nullopt;
  }
  if (c.job_id.empty())
    return std::nullopt;
  return job_credential(c.job_id, c.job_key);
}

// The results as the registry takes them: compact JSON text of an object, or
// "" (invalid_input, answered after authentication as for HTTP).
std::string compact_results(const std::string& text) {
  nlohmann::json parsed;
  if (!parse_json_limited(text, parsed) || !parsed.is_object())
    return {};
  return parsed.dump();
}

} // namespace

remote_registry_v1 spawn_remote_facade(caf::actor_system& sys, registry_actor registry,
                                       std::string admin_token_hash) {
  return sys.spawn([registry, hash = std::move(admin_token_hash)](
                     facade_pointer self) -> remote_registry_v1::behavior_type {
    auto unauthorized = [] { return make_error(errc::unauthorized); };
    return {
      [](version_atom) -> caf::result<std::string, std::string> {
        return {std::string{remote_interface_v1}, std::string{ANALYSISD_VERSION}};
      },
      [=](create_atom, const remote_credential& c,
          create_request& req) -> caf::result<std::string> {
        if (!is_admin_token(c, hash))
          return unauthorized();
        return relay<std::string>(self, registry, registry_timeout, create_atom::value, std::move(req));
      },
      [=](acquire_atom, const remote_credential& c,
          std::string& job_id) -> caf::result<std::string> {
        if (!is_admin_token(c, hash))
          return unauthorized();
        return relay<std::string>(self, registry, registry_timeout, acquire_atom::value, std::move(job_id));
      },
      [=](list_atom, const remote_credential& c,
          const list_request& req) -> caf::result<std::string> {
        if (!is_admin_token(c, hash))
          return unauthorized();
        if (auto err = check_list(req))
          return err;
        return relay<std::string>(self, registry, registry_timeout, list_atom::value, req);
      },
      [=](get_atom, const remote_credential& c,
          std::string& id) -> caf::result<std::string> {
        auto cred = resolve(c, hash, true);
        if (!cred)
          return unauthorized();
        return relay<std::string>(self, registry, registry_timeout, get_atom::value, std::move(*cred), std::move(id));
      },
      [=](finalize_atom, const remote_credential& c, std::string& id,
          const std::string& results) -> caf::result<std::string> {
        auto cred = resolve(c, hash, false);
        if (!cred)
          return unauthorized();
        return relay<std::string>(self, registry, registry_timeout, finalize_atom::value, std::move(*cred), std::move(id),
                              compact_results(results));
      },
      [=](remove_atom, const remote_credential& c, std::string& id) -> caf::result<bool> {
        auto cred = resolve(c, hash, true);
        if (!cred)
          return unauthorized();
        return relay<bool>(self, registry, registry_timeout, remove_atom::value, std::move(*cred), std::move(id));
      },
    };
  });
}

} // namespace analysisd
