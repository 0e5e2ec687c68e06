// End-to-end: other CAF services reach the real binary over CAF's middleman
// (--remote-listen): examples/remote_client.cpp runs its whole flow against
// it, in the clear and over TLS with client certificates, and a server that
// does not answer makes the client fail in bounded time.

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <string>

using namespace analysisd::test;

namespace {

const std::string client = ANALYSISD_BINARY_DIR "/examples/remote_client";

// Runs the example against 127.0.0.1:port with the admin token; its exit
// status, its output in `output`.
int run_client(const server_process& server, std::uint16_t port, const std::string& tls_args,
               std::string& output) {
  auto cmd = "ANALYSISD_ADMIN_TOKEN='" + server.admin_token() + "' timeout 60 '" + client + "' "
             + tls_args + " 127.0.0.1 " + std::to_string(port);
  return run_command(cmd, output);
}

// A CA, and a server and a client certificate it signed, in `dir`; plus a
// self-signed certificate no one trusts.
void make_pki(const std::string& dir) {
  std::string out;
  auto cmd = "cd '" + dir + "' && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
             "-subj /CN=analysisd-test-ca && "
             "for n in server client; do "
             "openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj /CN=$n && "
             "openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem "
             "-days 2 || exit 1; done && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.pem "
             "-days 2 -subj /CN=stranger";
  ASSERT_EQ(run_command(cmd, out), 0) << out;
}

} // namespace

TEST(e2e_remote_interface, the_remote_client_example_runs_its_whole_flow) {
  temp_dir dir;
  auto port = free_port();
  server_process server{dir.path() + "/data",
                        {"--remote-listen", "127.0.0.1:" + std::to_string(port)}};
  std::string output;
  EXPECT_EQ(run_client(server, port, "", output), 0) << output << "\nserver log:\n"
                                                     << server.log();
  EXPECT_NE(output.find("OK: the remote client's whole flow behaved as specified"),
            std::string::npos)
    << output;
  // What the client did over CAF is the same state HTTP serves.
  http_client http{server.port()};
  auto page = http.get("/admin/analyses", bearer(server.admin_token()));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("\"found_count\":1"), std::string::npos) << page.body;
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_remote_interface, tls_admits_only_clients_with_a_certificate_the_ca_signed) {
  temp_dir dir;
  make_pki(dir.path());
  auto pki = dir.path() + "/";
  auto port = free_port();
  server_process server{dir.path() + "/data",
                        {"--remote-listen", "127.0.0.1:" + std::to_string(port),
                         "--remote-tls-certificate", pki + "server.pem", "--remote-tls-key",
                         pki + "server.key", "--remote-tls-ca", pki + "ca.pem"}};
  std::string output;
  EXPECT_EQ(run_client(server, port,
                       "--tls-ca " + pki + "ca.pem --tls-cert " + pki + "client.pem --tls-key "
                         + pki + "client.key",
                       output),
            0)
    << output << "\nserver log:\n" << server.log();
  EXPECT_NE(output.find("OK:"), std::string::npos) << output;
  // In the clear, or with a certificate the CA did not sign: refused at the handshake.
  EXPECT_EQ(run_client(server, port, "", output), 1) << output;
  EXPECT_NE(output.find("cannot connect"), std::string::npos) << output;
  EXPECT_EQ(run_client(server, port,
                       "--tls-ca " + pki + "ca.pem --tls-cert " + pki + "stranger.pem --tls-key "
                         + pki + "stranger.key",
                       output),
            1)
    << output;
  EXPECT_NE(output.find("cannot connect"), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_remote_interface, a_server_that_does_not_answer_fails_the_client_in_bounded_time) {
  temp_dir dir;
  auto port = free_port();
  server_process server{dir.path() + "/data",
                        {"--remote-listen", "127.0.0.1:" + std::to_string(port)}};
  ASSERT_EQ(::kill(server.pid(), SIGSTOP), 0);
  auto start = std::chrono::steady_clock::now();
  std::string output;
  auto status = run_client(server, port, "", output);
  auto took = std::chrono::steady_clock::now() - start;
  ::kill(server.pid(), SIGCONT);
  EXPECT_EQ(status, 1) << output; // not 124: `timeout 60` did not have to end it
  EXPECT_LT(took, std::chrono::seconds(30));
  EXPECT_EQ(server.stop(), 0);
}
