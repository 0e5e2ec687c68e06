#pragma once

// What the actor tests share.

#include "actors/protocol.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <string>

namespace analysisd::test {

/// A valid create request with the seed document's fields.
inline create_request good_create(std::string id = {}) {
  create_request r;
  r.id = std::move(id);
  r.workflow = "pathoscope_bowtie";
  r.sample = {"kigvhuql", "Test 1"};
  r.index = {"qldihken", 0};
  r.user_id = "igboyes";
  r.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  r.reference = {"d19exr83", "Plant Viruses", "genome"};
  return r;
}

/// The actor system configuration of the tests: every message type of
/// actors/protocol.hpp registered, CAF's console log off. One per process.
inline caf::actor_system_config& test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    add_message_types(c);
    c.set("logger.console", caf::atom("none"));
    return c;
  }();
  return cfg;
}

/// The code of an analysisd error as the tests compare it.
inline std::uint8_t e(errc c) {
  return static_cast<std::uint8_t>(c);
}

} // namespace analysisd::test
