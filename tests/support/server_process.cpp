#include "tests/support/server_process.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/cluster_process.hpp"
#include "tests/support/virtool_models.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace analysisd::test {

namespace fs = boost::filesystem;

temp_dir::temp_dir() {
  auto base = fs::temp_directory_path() / fs::unique_path("analysisd-test-%%%%-%%%%-%%%%");
  fs::create_directories(base);
  path_ = base.string();
}

temp_dir::~temp_dir() {
  boost::system::error_code ec;
  fs::remove_all(path_, ec);
}

int run_command(const std::string& cmd, std::string& output) {
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    output.append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string server_binary() {
  const char* env = std::getenv("ANALYSISD_TEST_BINARY");
  return env && *env ? env : ANALYSISD_BINARY;
}

bool server_sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  const char* env = std::getenv("ANALYSISD_TEST_SANITIZED");
  return env && std::string{env} == "1";
#endif
}

int run_binary_once(const std::string& data_dir, const std::vector<std::string>& args,
                    std::string& output, int seconds) {
  std::string cmd = "ANALYSISD_ADMIN_TOKEN=test-admin-token timeout -s KILL "
                    + std::to_string(seconds) + " " + server_binary() + " --listen 127.0.0.1:"
                    + std::to_string(free_port()) + " --data-dir '" + data_dir + "'";
  for (auto& a : args)
    cmd += " '" + a + "'";
  return run_command(cmd, output);
}

nlohmann::json create_body(const std::string& id) {
  nlohmann::json body = {{"workflow", "pathoscope_bowtie"},
                         {"sample", {{"id", "kigvhuql"}, {"name", "Test 1"}}},
                         {"index", {{"id", "qldihken"}, {"version", 0}}},
                         {"user", {{"id", "igboyes"}}},
                         {"subtractions", {{{"id", "yhxoynb0"}, {"name", "Arabidopsis Thaliana"}}}},
                         {"reference",
                          {{"id", "d19exr83"}, {"name", "Plant Viruses"}, {"data_type", "genome"}}},
                         {"ml", nullptr}};
  if (!id.empty())
    body["id"] = id;
  return body;
}

server_process::server_process(std::string data_dir, std::vector<std::string> args,
                               std::string admin_token)
  : data_dir_(std::move(data_dir)), token_(std::move(admin_token)), args_(std::move(args)) {
  log_path_ = data_dir_ + ".log";
  if (test_cluster_nodes() > 0)
    start_cluster();
  else
    start();
}

server_process::~server_process() {
  if (cluster_)
    cluster_.reset(); // stops every node
  else if (pid_ > 0)
    stop();
}

void server_process::start_cluster() {
  cluster_process_options o;
  o.nodes = test_cluster_nodes();
  o.args = args_;
  o.admin_token = token_;
  cluster_ = std::make_unique<cluster_process>(data_dir_, o);
}

std::uint16_t server_process::port() const {
  return cluster_ ? cluster_->port(0) : port_;
}

std::vector<std::uint16_t> server_process::ports() const {
  return cluster_ ? cluster_->ports() : std::vector<std::uint16_t>{port_};
}

pid_t server_process::pid() const {
  return cluster_ ? cluster_->pid(0) : pid_;
}

pid_t server_process::spawn() {
  std::vector<std::string> argv{server_binary(), "--listen",
                                "127.0.0.1:" + std::to_string(port_), "--data-dir", data_dir_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  std::vector<std::pair<std::string, std::string>> env;
  if (!token_.empty())
    env.emplace_back("ANALYSISD_ADMIN_TOKEN", token_);
  return spawn_logged(argv, env, log_path_);
}

void server_process::start() {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    pid_ = spawn();
    // Exited: maybe the port was taken meanwhile; try another.
    if (wait_until_ok(pid_, port_, "/healthz", std::chrono::seconds(30)) == wait_outcome::ready) {
      register_real_server(port_);
      return;
    }
    if (pid_ > 0) {
      signal_and_wait(pid_, SIGKILL);
      pid_ = -1;
    }
  }
  ADD_FAILURE() << "analysisd did not become ready; its log:\n" << log();
  throw std::runtime_error("analysisd did not start");
}

std::string server_process::log() const {
  return cluster_ ? cluster_->logs() : whole_file(log_path_);
}

int server_process::stop() {
  if (cluster_) {
    int code = 0;
    for (std::size_t i = 0; i < cluster_->size(); ++i) {
      if (cluster_->pid(i) <= 0)
        continue;
      int c = cluster_->stop(i);
      if (c != 0 && code == 0)
        code = c;
    }
    if (code != 0)
      std::cerr << "a node exited with " << code << "; the logs:\n" << log() << std::endl;
    return code;
  }
  if (pid_ <= 0)
    return -1;
  int code = signal_and_wait(pid_, SIGTERM);
  pid_ = -1;
  if (code != 0)
    std::cerr << "analysisd exited with " << code << "; its log:\n" << log() << std::endl;
  return code;
}

void server_process::kill() {
  if (cluster_) {
    for (std::size_t i = 0; i < cluster_->size(); ++i)
      cluster_->kill(i);
    return;
  }
  if (pid_ <= 0)
    return;
  signal_and_wait(pid_, SIGKILL);
  pid_ = -1;
}

bool server_process::alive() {
  if (cluster_)
    return cluster_->alive(0);
  if (!still_running(pid_))
    pid_ = -1;
  return pid_ > 0;
}

void server_process::start_and_kill_after(std::chrono::milliseconds after) {
  if (cluster_)
    throw std::logic_error("start_and_kill_after: not in cluster mode");
  if (pid_ > 0)
    throw std::logic_error("start_and_kill_after: the server still runs");
  port_ = free_port();
  pid_t pid = spawn();
  std::this_thread::sleep_for(after);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

void server_process::restart() {
  if (cluster_) {
    for (std::size_t i = 0; i < cluster_->size(); ++i)
      cluster_->restart(i);
    cluster_->settle();
    return;
  }
  if (pid_ > 0)
    throw std::logic_error("restart: the server still runs");
  start();
}

nlohmann::json server_process::create_analysis(http_client& c, const std::string& id) {
  auto res = c.post("/admin/analyses", create_body(id).dump(), bearer(token_));
  EXPECT_EQ(res.status, 201) << res.body;
  return res.json();
}

std::string server_process::acquire(http_client& c, const std::string& job_id) {
  auto res = c.patch("/admin/jobs/" + job_id, R"({"acquired":true})", bearer(token_));
  EXPECT_EQ(res.status, 200) << res.body;
  return res.json().at("key").get<std::string>();
}

std::pair<nlohmann::json, std::string> server_process::create_acquired(http_client& c,
                                                                       const std::string& id) {
  auto doc = create_analysis(c, id);
  auto key = acquire(c, doc.at("job").at("id").get<std::string>());
  return {doc, key};
}

} // namespace analysisd::test
