// A stand-in for a peer node in the peer link's tests
// (tests/actors/peer_link_test.cpp): publishes node_actor_v2 on a free
// loopback port, prints the port on stdout, and runs until killed or its
// stdin closes. get answers "doc:<id>:<job id>", except for the id "hang"
// (never answered) and "missing" (not_found); the other messages answer
// something fixed. `fake_node other` publishes another interface instead;
// `fake_node node PORT` publishes on PORT.

#include "actors/node_protocol.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <iostream>
#include <string>
#include <vector>

using namespace analysisd;

namespace {

using other_actor = caf::typed_actor<caf::replies_to<get_atom, std::string>::with<std::string>>;

node_actor_v2::behavior_type fake_node(node_actor_v2::pointer self) {
  auto hung = std::make_shared<std::vector<caf::typed_response_promise<std::string>>>();
  auto hung_leases = std::make_shared<std::vector<caf::typed_response_promise<lease_grant_reply>>>();
  return {
    // A get asking for a read lease: ids starting with "leased" get one of
    // a minute, the others none.
    [=](get_atom, lease_atom, const credential& c,
        const std::string& id) -> caf::result<lease_grant_reply> {
      if (id == "hang") {
        hung_leases->push_back(self->make_response_promise<lease_grant_reply>());
        return hung_leases->back();
      }
      if (id == "missing")
        return make_error(errc::not_found);
      return lease_grant_reply{"doc:" + id + ":" + c.job_id,
                               id.rfind("leased", 0) == 0 ? 60000u : 0u};
    },
    [=](get_atom, const credential& c, const std::string& id) -> caf::result<std::string> {
      if (id == "hang") {
        hung->push_back(self->make_response_promise<std::string>());
        return hung->back();
      }
      if (id == "missing")
        return make_error(errc::not_found);
      return "doc:" + id + ":" + c.job_id;
    },
    [](authorize_atom, const credential&, const std::string&) { return true; },
    [](reserve_atom, const credential&, const std::string&, const upload_request& req) {
      file_record f;
      f.id = 1;
      f.name = req.name;
      return f;
    },
    [](commit_atom, const credential&, const std::string&, const file_record& f) { return f; },
    [](abandon_atom, const credential&, const std::string&, const file_record&) { return true; },
    [](download_atom, const credential&, const std::string& id, std::uint64_t) {
      file_location loc;
      loc.analysis_id = id;
      return loc;
    },
    [](finalize_atom, const credential&, const std::string&, const std::string& results) {
      return "final:" + results;
    },
    [](remove_atom, const credential&, const std::string&) { return true; },
    [](create_atom, const create_request& req) { return "created:" + req.id; },
    [](acquire_atom, const std::string& job) { return "key:" + job; },
  };
}

} // namespace

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  add_message_types(cfg);
  cfg.set("middleman.app-identifiers", std::vector<std::string>{node_interface_v2});
  caf::actor_system sys{cfg};
  caf::expected<std::uint16_t> port = caf::sec::none;
  caf::actor published;
  auto wanted = static_cast<std::uint16_t>(argc > 2 ? std::stoul(argv[2]) : 0);
  if (argc > 1 && std::string{argv[1]} == "other") {
    auto other = sys.spawn([]() -> other_actor::behavior_type {
      return {[](get_atom, const std::string& id) { return id; }};
    });
    published = caf::actor_cast<caf::actor>(other);
    port = caf::io::publish(other, wanted, "127.0.0.1", true);
  } else {
    auto node = sys.spawn(fake_node);
    published = caf::actor_cast<caf::actor>(node);
    port = caf::io::publish(node, wanted, "127.0.0.1", true);
  }
  if (!port) {
    std::cerr << "cannot publish: " << sys.render(port.error()) << "\n";
    return 1;
  }
  std::cout << *port << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  caf::anon_send_exit(published, caf::exit_reason::user_shutdown);
  return 0;
}
