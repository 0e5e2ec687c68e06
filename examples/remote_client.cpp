// Shows another CAF service on another host using analysisd by message, over
// CAF's middleman: it connects to a server started with
// `--remote-listen HOST:PORT` (over TLS when given --tls-ca, the CA that
// signed the server's certificate, and its own certificate with --tls-cert
// and --tls-key), checks the interface version,
// creates an analysis, acquires its job, reads and finalizes it as the job,
// lists analyses as the operator, and removes a second analysis. Exits 0 if
// every answer was the expected one, 1 otherwise (2: bad arguments).
//
//     ANALYSISD_ADMIN_TOKEN=... remote_client 127.0.0.1 9960
//
// Every request has a finite timeout: a server that stops answering (or a
// network that drops) ends the program with an error, never a hang.

#include "actors/remote_protocol.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

using namespace analysisd;

namespace {

constexpr auto timeout = std::chrono::seconds(10);

int failures = 0;

void fail(const std::string& what) {
  std::cerr << "FAILED: " << what << "\n";
  ++failures;
}

/// Sends one request and returns its answer, or nothing after reporting the error.
template <class T, class... Ts>
std::optional<T> ask(caf::scoped_actor& self, const remote_registry_v1& server,
                     const std::string& step, Ts&&... xs) {
  std::optional<T> result;
  self->request(server, timeout, std::forward<Ts>(xs)...)
    .receive([&](T& x) { result = std::move(x); },
             [&](caf::error& err) { fail(step + ": " + self->system().render(err)); });
  return result;
}

/// Sends one request that must fail with `expected`.
template <class T, class... Ts>
void expect_error(caf::scoped_actor& self, const remote_registry_v1& server,
                  const std::string& step, errc expected, Ts&&... xs) {
  self->request(server, timeout, std::forward<Ts>(xs)...)
    .receive([&](T&) { fail(step + ": succeeded, expected an error"); },
             [&](caf::error& err) {
               if (code_of(err) != static_cast<std::uint8_t>(expected))
                 fail(step + ": unexpected error " + self->system().render(err));
             });
}

create_request example_request() {
  create_request req;
  req.workflow = "pathoscope_bowtie";
  req.sample = {"kigvhuql", "Test 1"};
  req.index = {"qldihken", 0};
  req.user_id = "igboyes";
  req.reference = {"d19exr83", "Plant Viruses", "genome"};
  return req;
}

class client_config : public caf::actor_system_config {
public:
  client_config() {
    load<caf::io::middleman>();
    add_remote_message_types(*this);
    // The server refuses a peer whose app identifier it does not share.
    set("middleman.app-identifiers", std::vector<std::string>{remote_interface_v1});
    // A silent server counts as gone after a few seconds.
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
    set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
  }
};

} // namespace

int main(int argc, char** argv) {
  std::string tls_ca, tls_cert, tls_key;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) {
        std::cerr << arg << " takes a file\n";
        std::exit(2);
      }
      into = argv[++i];
    };
    if (arg == "--tls-ca")
      value(tls_ca);
    else if (arg == "--tls-cert")
      value(tls_cert);
    else if (arg == "--tls-key")
      value(tls_key);
    else
      positional.push_back(arg);
  }
  const char* token = std::getenv("ANALYSISD_ADMIN_TOKEN");
  // CAF's TLS needs a certificate on both ends.
  bool tls_ok = tls_ca.empty() ? tls_cert.empty() && tls_key.empty()
                               : !tls_cert.empty() && !tls_key.empty();
  if (positional.size() != 2 || token == nullptr || !tls_ok) {
    std::cerr << "usage: ANALYSISD_ADMIN_TOKEN=TOKEN remote_client [--tls-ca FILE --tls-cert "
                 "FILE --tls-key FILE] HOST PORT\n";
    return 2;
  }
  auto host = positional[0];
  auto port = static_cast<std::uint16_t>(std::stoul(positional[1]));
  client_config cfg;
  if (!tls_ca.empty()) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_cafile = tls_ca;
    cfg.openssl_certificate = tls_cert;
    cfg.openssl_key = tls_key;
  }
  caf::actor_system sys{cfg};
  auto connected = tls_ca.empty() ? caf::io::remote_actor<remote_registry_v1>(sys, host, port)
                                  : caf::openssl::remote_actor<remote_registry_v1>(sys, host, port);
  if (!connected) {
    std::cerr << "FAILED: cannot connect to " << host << ":" << port << ": "
              << sys.render(connected.error()) << "\n";
    return 1;
  }
  auto server = *connected;
  caf::scoped_actor self{sys};
  auto admin = remote_admin(token);

  self->request(server, timeout, version_atom::value)
    .receive(
      [&](std::string& interface, std::string& version) {
        if (interface != remote_interface_v1)
          fail("version: interface " + interface);
        std::cout << "connected: " << interface << ", analysisd " << version << "\n";
      },
      [&](caf::error& err) { fail("version: " + sys.render(err)); });

  // The operator creates an analysis and acquires its job's key.
  auto doc = ask<std::string>(self, server, "create", create_atom::value, admin,
                              example_request());
  if (!doc)
    return 1;
  auto created = nlohmann::json::parse(*doc);
  std::string id = created["id"];
  std::string job_id = created["job"]["id"];
  expect_error<std::string>(self, server, "create without the admin token", errc::unauthorized,
                            create_atom::value, remote_admin("wrong"), example_request());
  auto key = ask<std::string>(self, server, "acquire", acquire_atom::value, admin, job_id);
  if (!key)
    return 1;
  expect_error<std::string>(self, server, "second acquire", errc::job_already_acquired,
                            acquire_atom::value, admin, job_id);
  auto job = remote_job(job_id, *key);

  // The job reads its analysis and finalizes it; a wrong key gets nowhere.
  if (auto got = ask<std::string>(self, server, "get", get_atom::value, job, id);
      got && nlohmann::json::parse(*got)["ready"] != false)
    fail("get: a new analysis is not ready");
  expect_error<std::string>(self, server, "get with a wrong key", errc::unauthorized,
                            get_atom::value, remote_job(job_id, std::string(64, '0')), id);
  expect_error<std::string>(self, server, "finalize without results", errc::invalid_input,
                            finalize_atom::value, job, id, std::string{"[1, 2]"});
  if (auto done = ask<std::string>(self, server, "finalize", finalize_atom::value, job, id,
                                   std::string{R"({"hits": [{"id": "a", "pi": 0.5}]})"})) {
    auto final_doc = nlohmann::json::parse(*done);
    if (final_doc["ready"] != true || final_doc["results"]["hits"][0]["id"] != "a")
      fail("finalize: unexpected document " + *done);
  }
  expect_error<std::string>(self, server, "second finalize", errc::already_finalized,
                            finalize_atom::value, job, id, std::string{"{}"});
  expect_error<bool>(self, server, "job removes a finalized analysis", errc::analysis_finalized,
                     remove_atom::value, job, id);

  // The operator lists, and removes a second analysis.
  auto second = ask<std::string>(self, server, "create a second", create_atom::value, admin,
                                 example_request());
  if (auto page = ask<std::string>(self, server, "list", list_atom::value, admin,
                                   list_request{1, 25});
      page && nlohmann::json::parse(*page)["found_count"] < 2)
    fail("list: " + *page);
  expect_error<std::string>(self, server, "list with per_page 0", errc::invalid_query,
                            list_atom::value, admin, list_request{1, 0});
  if (second) {
    std::string second_id = nlohmann::json::parse(*second)["id"];
    ask<bool>(self, server, "operator remove", remove_atom::value, admin, second_id);
    expect_error<std::string>(self, server, "get after remove", errc::not_found, get_atom::value,
                              admin, second_id);
  }

  if (failures == 0)
    std::cout << "OK: the remote client's whole flow behaved as specified\n";
  return failures == 0 ? 0 : 1;
}
