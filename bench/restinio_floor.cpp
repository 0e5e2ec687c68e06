// The floor of this HTTP stack: RESTinio (the build's own, patched copy)
// serving one fixed document to every request, with analysisd's threads
// (one server per thread: http/thread_servers.hpp) and read buffer, and
// nothing else: no routing, no authentication, no
// views, no log, no metrics. bench.py's GET part measures it next to nginx
// and analysisd, so that what analysisd adds and what the stack costs are
// told apart.
//
//   restinio_floor <port> <threads> <document file>
//
// Runs until SIGINT or SIGTERM.

#include "http/thread_servers.hpp"

#include <restinio/all.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// No strand, as analysisd's; no limit on connections.
struct floor_traits : restinio::default_traits_t {
  using strand_t = restinio::noop_strand_t;
};

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: restinio_floor <port> <threads> <document file>\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const auto threads = static_cast<std::size_t>(std::atoi(argv[2]));
  std::ifstream in{argv[3], std::ios::binary};
  std::ostringstream doc;
  doc << in.rdbuf();
  const std::string body = doc.str();
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr); // the server's threads inherit the mask
  asio::io_context setup;
  auto listener = analysisd::listen_on(setup, "127.0.0.1", port);
  std::vector<restinio::running_server_handle_t<floor_traits>> servers;
  for (std::size_t k = 0; k < threads; ++k) {
    auto settings = analysisd::accepting_from<floor_traits>(listener);
    settings.buffer_size(256u << 10)
      .request_handler([&body](const restinio::request_handle_t& req) {
        return req->create_response()
          .append_header(restinio::http_field::content_type, "application/json")
          .append_header(restinio::http_field::etag, "\"1\"")
          .set_body(body)
          .done();
      });
    servers.push_back(analysisd::run_on_own_thread(std::move(settings)));
  }
  int sig = 0;
  sigwait(&stop, &sig);
  for (auto& s : servers)
    s->stop();
  for (auto& s : servers)
    s->wait();
  return 0;
}
