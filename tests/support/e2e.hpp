#pragma once

// What the end-to-end suites share: request shortcuts, assertions on SPEC.md's
// error bodies and documents, and a fixture that runs one real server for a
// whole suite.

#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace analysisd::test {

/// Sends `method target` with optional Authorization and Content-Type.
http_response send_with(http_client& c, const std::string& method, const std::string& target,
                        const std::string& auth, const std::string& body = {},
                        const std::string& content_type = {});

/// Uploads `bytes` as the multipart part `file` to `target` (a files route
/// with its query).
http_response upload(http_client& c, const std::string& target, const std::string& auth,
                     const std::string& bytes = "data", const std::string& method = "POST");

/// Uploads `bytes` as `name` (format fasta) to analysis `id` on /api/analyses.
http_response upload_named(http_client& c, const std::string& id, const std::string& name,
                           const std::string& bytes, const std::string& auth);

/// Checks an error response: status, and its JSON `id` and `message`.
void expect_error(const http_response& res, int status, const std::string& id,
                  const std::string& message, const std::string& what = {});

/// ISO 8601 with microseconds and Z, as SPEC.md's timestamps.
bool is_timestamp(const nlohmann::json& v);

/// 8 characters of [a-z0-9].
bool is_short_id(const nlohmann::json& v);

/// A file's whole contents ("" if it cannot be read).
std::string read_file(const std::string& path);

/// Replaces the file at `path` with `bytes` (no error if it cannot).
void write_file(const std::string& path, const std::string& bytes);

/// The environment variable `name` as an int, `fallback` when unset or empty.
int env_int(const char* name, int fallback);

/// The two prefixes of the job routes.
extern const std::vector<std::string> job_route_prefixes;

/// An analysis whose job is acquired, with what a test needs to call it.
struct job_analysis {
  nlohmann::json doc;
  std::string id;
  std::string job_id;
  std::string key;
  std::string auth; ///< Basic credentials of its job.
};

job_analysis create_job_analysis(server_process& server, http_client& c,
                                 const std::string& id = {});

/// A fixture with one real server for the whole suite (started once, on a
/// fresh data dir) and a fresh client per test. `Base` is ::testing::Test or
/// ::testing::TestWithParam<T>. With ANALYSISD_TEST_CLUSTER=N in the
/// environment the server is a cluster of N nodes (see server_process) and
/// the client sends each request to one of them at random.
template <class Base = ::testing::Test>
class shared_server_suite : public Base {
protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<temp_dir>();
    server_ = std::make_unique<server_process>(dir_->path() + "/data");
  }

  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }

  void SetUp() override {
    client_ = std::make_unique<http_client>(server_->ports());
  }

  std::string admin() const {
    return bearer(server_->admin_token());
  }

  std::string analysis_dir(const std::string& id) const {
    return server_->data_dir() + "/analyses/" + id;
  }

  static inline std::unique_ptr<temp_dir> dir_;
  static inline std::unique_ptr<server_process> server_;
  std::unique_ptr<http_client> client_;
};

} // namespace analysisd::test
