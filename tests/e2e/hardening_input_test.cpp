// End-to-end hardening against hostile bodies (SPEC.md "Bad input"): deeply
// nested JSON on every JSON route, invalid UTF-8 wherever text is taken, and
// truncated or malformed uploads. Each case checks the 4xx, that nothing was
// stored, and that what is stored still serializes, also after a restart.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;
using nlohmann::json;

namespace {

namespace stdfs = std::filesystem;

// What is stored under `dir` (recursively), as paths relative to it:
// everything but directories (an upload that streamed makes its analysis's
// directory before the body is known to be good). Files may go meanwhile.
std::vector<std::string> entries_under(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!stdfs::exists(dir, ec))
    return out;
  for (auto& e : stdfs::recursive_directory_iterator(dir, ec))
    if (!e.is_directory(ec))
      out.push_back(e.path().lexically_relative(dir).string());
  return out;
}

// The document and the listing both parse as JSON and name `id`.
void expect_serializable(server_process& server, http_client& c, const std::string& id,
                         const std::string& auth, const std::string& what) {
  auto doc = c.get("/api/analyses/" + id, auth);
  ASSERT_EQ(doc.status, 200) << what << ": " << doc.body;
  EXPECT_NO_THROW((void) doc.json()) << what << ": " << doc.body;
  auto admin_doc = c.get("/admin/analyses/" + id, bearer(server.admin_token()));
  ASSERT_EQ(admin_doc.status, 200) << what;
  auto list = c.get("/admin/analyses?per_page=100", bearer(server.admin_token()));
  ASSERT_EQ(list.status, 200) << what << ": " << list.body;
  json page;
  ASSERT_NO_THROW(page = list.json()) << what << ": " << list.body;
  bool found = false;
  for (auto& d : page.at("documents"))
    found = found || d.at("id") == id;
  EXPECT_TRUE(found) << what;
}

class e2e_hardening_input : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::make_unique<temp_dir>();
    start();
    job_ = create_job_analysis(*server_, *client_);
  }

  void start() {
    server_ = std::make_unique<server_process>(dir_->path() + "/data");
    client_ = std::make_unique<http_client>(server_->ports());
  }

  void restart() {
    client_.reset();
    auto code = server_->stop();
    start();
    EXPECT_EQ(code, 0) << "graceful stop";
  }

  /// The analysis lists no file, and no bytes lie under analyses/ before and
  /// after a graceful restart. A cut upload's bytes are removed by its writer
  /// thread once the connection has gone, which the client may see first:
  /// before the restart they get a few seconds to go.
  void expect_no_file_stored_before_and_after_a_restart() {
    for (int round = 0; round < 2; ++round) {
      if (round == 1)
        restart();
      EXPECT_EQ(client_->get("/api/analyses/" + job_.id, job_.auth).json().at("files"),
                json::array());
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      auto entries = entries_under(server_->data_dir() + "/analyses");
      while (round == 0 && !entries.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        entries = entries_under(server_->data_dir() + "/analyses");
      }
      EXPECT_EQ(entries, std::vector<std::string>{});
    }
  }

  std::string admin() const {
    return bearer(server_->admin_token());
  }

  std::string analysis_dir() const {
    return server_->data_dir() + "/analyses/" + job_.id;
  }

  std::unique_ptr<temp_dir> dir_;
  std::unique_ptr<server_process> server_;
  std::unique_ptr<http_client> client_;
  job_analysis job_;
};

} // namespace

// -- nesting ------------------------------------------------------------------

TEST_F(e2e_hardening_input, a_million_nested_brackets_on_every_json_route_is_a_json_422) {
  auto fresh = server_->create_analysis(*client_);
  auto fresh_job = fresh.at("job").at("id").get<std::string>();
  const std::string brackets(1000000, '[');
  std::string objects;
  for (int k = 0; k < 200000; ++k)
    objects += R"({"a":)";
  const std::string results_nest = R"({"results":)" + objects;
  for (auto& body : {brackets, objects, results_nest, brackets + std::string(1000000, ']')}) {
    auto what = "body starting " + body.substr(0, 16) + " (" + std::to_string(body.size()) + " bytes)";
    expect_error(client_->post("/admin/analyses", body, admin()), 422, "invalid_input",
                 "Invalid input", "create: " + what);
    for (auto& p : job_route_prefixes)
      expect_error(client_->patch(p + "/" + job_.id, body, job_.auth), 422, "invalid_input",
                   "Invalid input", "finalize " + p + ": " + what);
    expect_error(client_->patch("/admin/jobs/" + fresh_job, body, admin()), 422,
                 "invalid_input", "Invalid input", "acquire: " + what);
  }
  // Nothing changed, and the server still serves.
  auto doc = client_->get("/api/analyses/" + job_.id, job_.auth);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().at("ready"), false);
  EXPECT_EQ(client_->get("/admin/analyses", admin()).json().at("total_count"), 2);
  EXPECT_EQ(client_->patch("/admin/jobs/" + fresh_job, R"({"acquired":true})", admin()).status,
            200);
}

// -- invalid UTF-8 ------------------------------------------------------------

TEST_F(e2e_hardening_input, invalid_utf8_is_refused_everywhere_and_nothing_unserializable_is_stored) {
  const json plain = {{"name", {"must be a plain file name"}}};
  // Upload names: percent-encoded bytes that are not UTF-8.
  for (std::string n : {"%FF", "a%C3", "%C3%28.fa", "%ED%A0%80.fa", "%F8%88%80%80%80",
                        "%C0%AF", "ok%E2%82"}) {
    auto res = upload(*client_, "/api/analyses/" + job_.id + "/files?name=" + n, job_.auth);
    expect_error(res, 422, "invalid_query", "Invalid query", "name=" + n);
    if (res.status == 422) {
      EXPECT_EQ(res.json().at("errors"), plain) << n;
    }
  }
  // Raw (not percent-encoded) bytes in the query: refused, whatever layer does it.
  {
    http_client raw{server_->port()};
    auto res = raw.send_raw("POST /api/analyses/" + job_.id
                            + "/files?name=\xff\xfe.fa HTTP/1.1\r\nHost: x\r\nAuthorization: "
                            + job_.auth + "\r\nContent-Length: 0\r\n\r\n");
    EXPECT_TRUE(res.status == 0 || (res.status >= 400 && res.status < 500)) << res.status;
  }
  // A format that is not UTF-8 is just not a supported one.
  expect_error(upload(*client_, "/api/analyses/" + job_.id + "/files?name=a.fa&format=%FF",
                      job_.auth),
               400, "bad_request", "Unsupported analysis file format", "format=%FF");
  // Results with invalid UTF-8 in a string, a key, or as an escaped lone surrogate.
  const json required = {{"results", {"required field"}}};
  for (std::string body : {std::string{"{\"results\":{\"s\":\"\xff\"}}"},
                           std::string{"{\"results\":{\"\xc3\x28\":1}}"},
                           std::string{"{\"results\":{\"s\":\"\xed\xa0\x80\"}}"},
                           std::string{R"({"results":{"s":"\ud800"}})"},
                           std::string{R"({"results":{"s":"\udc00x"}})"},
                           std::string{"{\"results\":{}, \"x\":\"\xfe\"}"}}) {
    auto res = client_->patch("/api/analyses/" + job_.id, body, job_.auth);
    expect_error(res, 422, "invalid_input", "Invalid input", "finalize " + body);
    if (res.status == 422) {
      EXPECT_EQ(res.json().at("errors"), required) << body;
    }
  }
  // Operator body fields.
  for (auto [field, sub] : std::vector<std::pair<std::string, std::string>>{
         {"workflow", ""}, {"sample", "name"}, {"sample", "id"}, {"index", "id"},
         {"user", "id"}}) {
    auto body = create_body().dump();
    auto needle = sub.empty() ? "\"" + field + "\":\"" : "\"" + sub + "\":\"";
    auto at = body.find(needle, sub.empty() ? 0 : body.find("\"" + field + "\""));
    ASSERT_NE(at, std::string::npos);
    body.insert(at + needle.size(), "\xff\xfe");
    auto res = client_->post("/admin/analyses", body, admin());
    expect_error(res, 422, "invalid_input", "Invalid input", field + "." + sub);
  }
  expect_error(client_->post("/admin/analyses",
                             R"({"workflow":"w\ud800","sample":{"id":"s","name":"n"},)"
                             R"("index":{"id":"i","version":0},"user":{"id":"u"}})",
                             admin()),
               422, "invalid_input", "Invalid input", "escaped lone surrogate in create");
  expect_error(client_->patch("/admin/jobs/" + job_.job_id, "{\"acquired\":true,\"\xff\":1}",
                              admin()),
               422, "invalid_input", "Invalid input", "acquire with invalid UTF-8");
  // Credentials that are not UTF-8 are just wrong credentials.
  expect_error(client_->get("/api/analyses/" + job_.id,
                            "Basic " + base64("job-\xff\xfe:" + job_.key)),
               401, "unauthorized", "Invalid authorization header", "job id not UTF-8");
  // Nor is a job's id with a NUL and more after it, with that job's key (a
  // lookup that stopped at the NUL would find the job).
  expect_error(client_->get("/api/analyses/" + job_.id,
                            "Basic " + base64(job_.job_id + std::string{"\0x", 2} + ":" + job_.key)),
               401, "unauthorized", "Invalid authorization header", "job id with a NUL");
  // Ids in paths are not percent-decoded, but raw bytes that are not UTF-8
  // get through: no such job or analysis.
  expect_error(client_->patch("/admin/jobs/" + job_.job_id + "\xff", R"({"acquired":true})",
                              admin()),
               404, "not_found", "Not found", "acquire of a job id that is not UTF-8");
  expect_error(client_->get("/admin/analyses/" + job_.id + "\xff\xfe", admin()), 404,
               "not_found", "Not found", "analysis id not UTF-8 (operator)");
  expect_error(client_->get("/api/analyses/" + job_.id + "\xc3\x28", job_.auth), 404,
               "not_found", "Not found", "analysis id not UTF-8 (job)");

  // Valid UTF-8 passes and is stored; everything still serializes, also after a restart.
  ASSERT_EQ(upload(*client_, "/api/analyses/" + job_.id + "/files?name=%C3%A9t%C3%A9.fa",
                   job_.auth)
              .status,
            201);
  auto fin = client_->patch("/api/analyses/" + job_.id,
                            R"({"results":{"s":"\u00e9\ud83d\ude00"}})", job_.auth);
  ASSERT_EQ(fin.status, 200) << fin.body;
  expect_serializable(*server_, *client_, job_.id, job_.auth, "before restart");
  EXPECT_EQ(client_->get("/admin/analyses", admin()).json().at("total_count"), 1);
  restart();
  expect_serializable(*server_, *client_, job_.id, job_.auth, "after restart");
  auto doc = client_->get("/api/analyses/" + job_.id, job_.auth).json();
  ASSERT_EQ(doc.at("files").size(), 1u);
  EXPECT_EQ(doc.at("files")[0].at("name"), "\xc3\xa9t\xc3\xa9.fa");
  EXPECT_EQ(doc.at("results").at("s"), "\xc3\xa9\xf0\x9f\x98\x80");
}

// -- truncated and malformed uploads ------------------------------------------

TEST_F(e2e_hardening_input, malformed_multipart_bodies_are_400_and_store_nothing) {
  const std::string b = "xyzboundary";
  const std::string ct = "multipart/form-data; boundary=" + b;
  const std::string part_head =
    "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
    {"no closing boundary", part_head + "payload", ct},
    {"closing boundary cut short", part_head + "payload\r\n--" + b + "-", ct},
    {"part without Content-Disposition",
     "--" + b + "\r\nContent-Type: text/plain\r\n\r\npayload\r\n--" + b + "--\r\n", ct},
    {"Content-Disposition not form-data",
     "--" + b + "\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\npayload\r\n--" + b
       + "--\r\n",
     ct},
    {"form-data part without a name",
     "--" + b + "\r\nContent-Disposition: form-data\r\n\r\npayload\r\n--" + b + "--\r\n", ct},
    {"no opening boundary", "payload\r\n--" + b + "--\r\n", ct},
    {"not multipart at all", "payload", "application/octet-stream"},
    {"multipart/mixed", part_head + "payload\r\n--" + b + "--\r\n",
     "multipart/mixed; boundary=" + b},
  };
  for (auto& p : job_route_prefixes)
    for (auto& [name, body, type] : cases)
      expect_error(send_with(*client_, "POST", p + "/" + job_.id + "/files?name=m.fa", job_.auth,
                             body, type),
                   400, "bad_request", "Invalid multipart body", name + " " + p);
  expect_no_file_stored_before_and_after_a_restart();
  // The name was never taken.
  EXPECT_EQ(upload(*client_, "/api/analyses/" + job_.id + "/files?name=m.fa", job_.auth).status,
            201);
}

TEST_F(e2e_hardening_input, an_upload_cut_short_by_the_client_stores_nothing) {
  std::string ct;
  auto body = multipart_body(std::string(200000, 'A'), ct);
  for (auto& p : job_route_prefixes)
    for (std::size_t sent : {std::size_t{0}, std::size_t{100}, body.size() / 2, body.size() - 1}) {
      int fd = connect_loopback(server_->port());
      ASSERT_GE(fd, 0);
      std::string head = "POST " + p + "/" + job_.id
                         + "/files?name=cut.fa HTTP/1.1\r\nHost: x\r\nAuthorization: " + job_.auth
                         + "\r\nContent-Type: " + ct
                         + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      ASSERT_TRUE(send_all(fd, head + body.substr(0, sent)));
      // Half-close first (the server sees EOF inside the body), then go away.
      ::shutdown(fd, SHUT_WR);
      char buf[4096];
      std::string reply;
      for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
        reply.append(buf, static_cast<std::size_t>(n));
      ::close(fd);
      // No response is possible for a request that never ended, except an error.
      EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 4", 0) == 0)
        << p << " sent " << sent << ": " << reply.substr(0, 200);
    }
  expect_no_file_stored_before_and_after_a_restart();
  auto ok = upload(*client_, "/api/analyses/" + job_.id + "/files?name=cut.fa", job_.auth, "AC");
  EXPECT_EQ(ok.status, 201) << ok.body;
}
