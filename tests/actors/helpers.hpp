#pragma once

// What the actor tests share.

#include "actors/node_protocol.hpp"
#include "actors/protocol.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>

#include <cstdint>
#include <string>
#include <vector>

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

/// An upload of `bytes` as `name` (format fasta; "" for none) with a good
/// multipart body.
inline upload_request upload(std::string name, std::string bytes = ">x\nACGT\n",
                             std::string format = "fasta") {
  upload_request u;
  u.name = std::move(name);
  u.has_format = !format.empty();
  u.format = std::move(format);
  u.multipart_ok = true;
  u.bytes = file_payload::from_string(std::move(bytes));
  return u;
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

/// The configuration of an actor system that talks to peers over CAF's
/// middleman with the inter-node interface's app identifier (the peer link's
/// and the node facade's tests; one per actor system).
struct node_config : caf::actor_system_config {
  node_config() {
    load<caf::io::middleman>();
    analysisd::add_message_types(*this);
    set("logger.console", caf::atom("none"));
    set("middleman.app-identifiers", std::vector<std::string>{node_interface_v2});
  }
};

/// The code of an analysisd error as the tests compare it.
inline std::uint8_t e(errc c) {
  return static_cast<std::uint8_t>(c);
}

} // namespace analysisd::test
