// End-to-end tests of every error row of SPEC.md for the job and service
// routes: exact status, id, message (and errors for 422), in SPEC's order.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace analysisd::test;
using nlohmann::json;

namespace {

void expect_invalid(const http_response& res, const std::string& id, const std::string& message,
                    const json& errors, const std::string& what = {}) {
  expect_error(res, 422, id, message, what);
  try {
    EXPECT_EQ(res.json().value("errors", json()), errors) << what << ": " << res.body;
  } catch (...) {
  }
}

class e2e_errors : public shared_server_suite<> {
protected:
  void SetUp() override {
    shared_server_suite::SetUp();
    auto a = create_job_analysis(*server_, *client_);
    id_ = a.id;
    job_ = a.job_id;
    key_ = a.key;
    auth_ = a.auth;
  }

  std::string id_, job_, key_, auth_;
};

struct route {
  std::string method;
  std::string suffix; // after /<prefix>/<id>
  bool multipart = false;
  std::string json_body;
};

const std::vector<route> job_routes{
  {"GET", "", false, ""},
  {"POST", "/files?name=x.fa&format=fasta", true, ""},
  {"PUT", "/files?name=x.fa&format=fasta", true, ""},
  {"GET", "/files/1", false, ""},
  {"PATCH", "", false, R"({"results":{}})"},
  {"DELETE", "", false, ""},
};

http_response call(http_client& c, const route& r, const std::string& target,
                   const std::string& auth) {
  if (r.multipart)
    return upload(c, target, auth, "data", r.method);
  if (!r.json_body.empty())
    return send_with(c, r.method, target, auth, r.json_body, "application/json");
  return send_with(c, r.method, target, auth);
}

} // namespace

// -- job authentication ------------------------------------------------------

TEST_F(e2e_errors, job_routes_without_authorization_header_are_401) {
  for (auto& p : job_route_prefixes)
    for (auto& r : job_routes) {
      auto what = r.method + " " + p + "/" + id_ + r.suffix;
      expect_error(call(*client_, r, p + "/" + id_ + r.suffix, ""), 401, "unauthorized",
                   "No authorization header", what);
      // 401 comes before 404 for a missing analysis.
      expect_error(call(*client_, r, p + "/zzzzzzzz" + r.suffix, ""), 401, "unauthorized",
                   "No authorization header", what + " (missing analysis)");
    }
}

TEST_F(e2e_errors, job_routes_with_invalid_credentials_are_401) {
  // A job that exists but was never acquired.
  auto fresh = server_->create_analysis(*client_);
  auto fresh_job = fresh.at("job").at("id").get<std::string>();
  // Another acquired job, whose valid key must not work under this job's id.
  auto [other, other_key] = server_->create_acquired(*client_);

  const std::vector<std::pair<std::string, std::string>> bad{
    {"another job's key under this job's id", basic_auth(job_, other_key)},
    {"this job's key under another job's id",
     basic_auth(other.at("job").at("id").get<std::string>(), key_)},
    {"admin token as the key", basic_auth(job_, server_->admin_token())},
    {"admin token as Basic", "Basic " + base64(server_->admin_token())},
    {"empty job id", "Basic " + base64("job-:" + key_)},
    {"empty Basic", "Basic"},
    {"Basic with space only", "Basic "},
    {"garbage", "garbage"},
    {"Bearer scheme", "Bearer " + key_},
    {"admin bearer", "Bearer test-admin-token"},
    {"broken base64", "Basic !!!not*base64$$"},
    {"truncated base64", "Basic " + base64("job-" + job_ + ":" + key_).substr(1)},
    {"no colon", "Basic " + base64("job-" + job_ + key_)},
    {"no job- prefix", "Basic " + base64(job_ + ":" + key_)},
    {"wrong prefix", "Basic " + base64("jab-" + job_ + ":" + key_)},
    {"unknown job", basic_auth("zzzzzzzz", key_)},
    {"never acquired", basic_auth(fresh_job, key_)},
    {"never acquired empty key", basic_auth(fresh_job, "")},
    {"wrong key", basic_auth(job_, std::string(64, '0'))},
    {"empty key", basic_auth(job_, "")},
    {"key prefix", basic_auth(job_, key_.substr(0, 63))},
    {"key uppercase", basic_auth(job_, [&] {
       std::string k = key_;
       for (auto& ch : k)
         ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
       return k;
     }())},
  };
  for (auto& p : job_route_prefixes)
    for (auto& r : job_routes)
      for (auto& [name, header] : bad) {
        auto what = name + ": " + r.method + " " + p + r.suffix;
        expect_error(call(*client_, r, p + "/" + id_ + r.suffix, header), 401, "unauthorized",
                     "Invalid authorization header", what);
      }
  // Nothing changed: the analysis is still there and not finalized.
  auto doc = client_->get("/api/analyses/" + id_, auth_);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().at("ready"), false);
  EXPECT_EQ(doc.json().at("files"), json::array());
}

TEST_F(e2e_errors, job_routes_on_missing_analysis_are_404) {
  for (auto& p : job_route_prefixes)
    for (auto& r : job_routes) {
      auto what = r.method + " " + p + r.suffix;
      expect_error(call(*client_, r, p + "/zzzzzzzz" + r.suffix, auth_), 404, "not_found",
                   "Not found", what);
    }
}

TEST_F(e2e_errors, job_routes_with_another_jobs_key_are_403) {
  auto [other, other_key] = server_->create_acquired(*client_);
  auto other_auth = basic_auth(other.at("job").at("id").get<std::string>(), other_key);
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=x.fa", auth_).status, 201);
  for (auto& p : job_route_prefixes)
    for (auto& r : job_routes) {
      auto what = r.method + " " + p + r.suffix;
      expect_error(call(*client_, r, p + "/" + id_ + r.suffix, other_auth), 403, "forbidden",
                   "Insufficient rights", what);
    }
  // Not finalized nor removed by the forbidden requests.
  auto doc = client_->get("/api/analyses/" + id_, auth_);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().at("ready"), false);
  EXPECT_EQ(doc.json().at("files").size(), 1u);
}

// -- upload --------------------------------------------------------------------

TEST_F(e2e_errors, upload_without_name_is_422) {
  const json errors = {{"name", {"required field"}}};
  for (auto& p : job_route_prefixes)
    for (std::string m : {"POST", "PUT"})
      for (std::string q : {"/files", "/files?", "/files?name=", "/files?format=fasta",
                            "/files?name=&format=fasta"}) {
        expect_invalid(upload(*client_, p + "/" + id_ + q, auth_, "d", m), "invalid_query",
                       "Invalid query", errors, m + " " + p + q);
      }
}

TEST_F(e2e_errors, upload_with_unsupported_format_is_400) {
  for (auto& p : job_route_prefixes)
    for (std::string m : {"POST", "PUT"})
      for (std::string f : {"exe", "FASTA", "fa", "txt", "", "json5"}) {
        expect_error(upload(*client_, p + "/" + id_ + "/files?name=a.bin&format=" + f, auth_, "d",
                            m),
                     400, "bad_request", "Unsupported analysis file format",
                     m + " " + p + " format=" + f);
      }
}

TEST_F(e2e_errors, upload_with_unsafe_name_is_422) {
  const json errors = {{"name", {"must be a plain file name"}}};
  const std::vector<std::string> names{".",        "..",         "a%2Fb",       "%2Fetc",
                                       "a%5Cb",    "..%2F..%2Fx", "a%01b",       "a%0Ab",
                                       "a%7Fb",    "a%00b",       std::string(256, 'n')};
  for (auto& p : job_route_prefixes)
    for (std::string m : {"POST", "PUT"})
      for (auto& n : names) {
        expect_invalid(upload(*client_, p + "/" + id_ + "/files?name=" + n, auth_, "d", m),
                       "invalid_query", "Invalid query", errors,
                       m + " " + p + " name=" + n.substr(0, 20));
      }
  // 255 bytes passes SPEC's limit, but "1-<name>" would not fit the file
  // system's 255-byte name limit: refused cleanly (README, Limitations), not a 500.
  expect_invalid(upload(*client_, "/api/analyses/" + id_ + "/files?name=" + std::string(255, 'n'),
                        auth_),
                 "invalid_query", "Invalid query", errors, "255-byte name");
  // The longest name that fits beside a one-digit file id is stored.
  auto ok = upload(*client_, "/api/analyses/" + id_ + "/files?name=" + std::string(253, 'n'),
                   auth_);
  EXPECT_EQ(ok.status, 201) << ok.body;
  // Nothing recorded for the rejected names.
  auto doc = client_->get("/api/analyses/" + id_, auth_).json();
  EXPECT_EQ(doc.at("files").size(), 1u);
}

TEST_F(e2e_errors, upload_of_existing_name_is_409) {
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=dup.fa", auth_).status, 201);
  for (auto& p : job_route_prefixes)
    for (std::string m : {"POST", "PUT"})
      expect_error(upload(*client_, p + "/" + id_ + "/files?name=dup.fa&format=fasta", auth_,
                          "other", m),
                   409, "conflict", "File is already associated with analysis", m + " " + p);
  auto doc = client_->get("/api/analyses/" + id_, auth_).json();
  EXPECT_EQ(doc.at("files").size(), 1u);
}

TEST_F(e2e_errors, upload_with_bad_multipart_body_is_400) {
  std::string ct;
  auto good = multipart_body("payload", ct);
  std::string other_ct;
  auto wrong_field = multipart_body("payload", other_ct, "notfile");
  auto closing = good.rfind("\r\n--");
  auto unterminated = good.substr(0, closing);
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
    {"json body", R"({"a":1})", "application/json"},
    {"plain text", "hello", "text/plain"},
    {"no content type", "hello", ""},
    {"empty multipart", "", ct},
    {"missing file part", wrong_field, other_ct},
    {"missing closing boundary", unterminated, ct},
    {"boundary mismatch", good, "multipart/form-data; boundary=somethingelse"},
    {"no boundary param", good, "multipart/form-data"},
  };
  for (auto& p : job_route_prefixes)
    for (std::string m : {"POST", "PUT"})
      for (auto& [name, body, type] : cases)
        expect_error(send_with(*client_, m, p + "/" + id_ + "/files?name=m.fa", auth_, body, type),
                     400, "bad_request", "Invalid multipart body", name + " " + m + " " + p);
  auto doc = client_->get("/api/analyses/" + id_, auth_).json();
  EXPECT_EQ(doc.at("files"), json::array());
  EXPECT_FALSE(std::filesystem::exists(server_->data_dir() + "/analyses/" + id_ + "/1-m.fa"));
}

TEST_F(e2e_errors, upload_checks_run_in_spec_order) {
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=dup.fa", auth_).status, 201);
  const std::string base = "/api/analyses/" + id_ + "/files";
  const json required = {{"name", {"required field"}}};
  const json plain = {{"name", {"must be a plain file name"}}};
  // Auth before everything.
  expect_error(send_with(*client_, "POST", base + "?format=exe", "", "junk", "text/plain"), 401,
               "unauthorized", "No authorization header", "no auth + bad query");
  expect_error(send_with(*client_, "POST", "/api/analyses/zzzzzzzz/files?format=exe", auth_,
                         "junk", "text/plain"),
               404, "not_found", "Not found", "missing analysis + bad query");
  auto [other, other_key] = server_->create_acquired(*client_);
  expect_error(send_with(*client_, "POST", base + "?format=exe",
                         basic_auth(other.at("job").at("id").get<std::string>(), other_key), "junk",
                         "text/plain"),
               403, "forbidden", "Insufficient rights", "forbidden + bad query");
  // 2 before 3 and 6.
  expect_invalid(send_with(*client_, "POST", base + "?format=exe", auth_, "junk", "text/plain"),
                 "invalid_query", "Invalid query", required, "missing name + bad format");
  // 3 before 4 and 6.
  expect_error(send_with(*client_, "POST", base + "?name=..&format=exe", auth_, "junk",
                         "text/plain"),
               400, "bad_request", "Unsupported analysis file format", "bad format + bad name");
  // 3 before 5.
  expect_error(upload(*client_, base + "?name=dup.fa&format=exe", auth_), 400, "bad_request",
               "Unsupported analysis file format", "bad format + duplicate");
  // 4 before 6.
  expect_invalid(send_with(*client_, "POST", base + "?name=a%2Fb", auth_, "junk", "text/plain"),
                 "invalid_query", "Invalid query", plain, "bad name + bad body");
  // 5 before 6.
  expect_error(send_with(*client_, "POST", base + "?name=dup.fa&format=fasta", auth_, "junk",
                         "text/plain"),
               409, "conflict", "File is already associated with analysis",
               "duplicate + bad body");
}

// -- download -----------------------------------------------------------------

TEST_F(e2e_errors, download_of_unknown_file_is_404) {
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=a.fa", auth_).status, 201);
  for (auto& p : job_route_prefixes)
    for (std::string f : {"2", "0", "999", "abc", "1a", "-1", "99999999999999999999999"})
      expect_error(client_->get(p + "/" + id_ + "/files/" + f, auth_), 404, "not_found",
                   "Not found", p + " file " + f);
}

TEST_F(e2e_errors, download_with_bytes_missing_on_disk_is_404) {
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=gone.fa", auth_).status, 201);
  auto path = server_->data_dir() + "/analyses/" + id_ + "/1-gone.fa";
  ASSERT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove(path);
  for (auto& p : job_route_prefixes)
    expect_error(client_->get(p + "/" + id_ + "/files/1", auth_), 404, "not_found",
                 "Uploaded file not found at expected location", p);
  expect_error(client_->get("/admin/analyses/" + id_ + "/files/1", admin()), 404, "not_found",
               "Uploaded file not found at expected location", "admin");
}

// -- finalize -------------------------------------------------------------------

TEST_F(e2e_errors, finalize_with_bad_body_is_422) {
  const json errors = {{"results", {"required field"}}};
  for (auto& p : job_route_prefixes)
    for (std::string body : {"", "not json", "{", "[]", "{}", R"({"result":{}})",
                             R"({"results":null})", R"({"results":5})", R"({"results":"x"})",
                             R"({"results":[1,2]})", R"({"results":true})", "null", "42"})
      expect_invalid(client_->patch(p + "/" + id_, body, auth_), "invalid_input", "Invalid input",
                     errors, p + " body " + body);
  auto doc = client_->get("/api/analyses/" + id_, auth_).json();
  EXPECT_EQ(doc.at("ready"), false);
  EXPECT_TRUE(doc.at("results").is_null());
}

TEST_F(e2e_errors, second_finalize_is_409) {
  auto first = client_->patch("/api/analyses/" + id_, R"({"results":{"a":1}})", auth_);
  ASSERT_EQ(first.status, 200) << first.body;
  for (auto& p : job_route_prefixes)
    expect_error(client_->patch(p + "/" + id_, R"({"results":{"b":2}})", auth_), 409, "conflict",
                 "There is already a result for this analysis", p);
  EXPECT_EQ(client_->get("/api/analyses/" + id_, auth_).json().at("results"), json({{"a", 1}}));
}

TEST_F(e2e_errors, finalize_over_json_limit_is_413) {
  temp_dir dir;
  server_process small{dir.path() + "/data",
                       {"--max-json-bytes", "1000", "--max-body-bytes", "4000"}};
  http_client c{small.ports()};
  auto job = create_job_analysis(small, c);
  auto id = job.id;
  auto auth = job.auth;
  json big = {{"results", {{"blob", std::string(2000, 'x')}}}};
  for (auto& p : job_route_prefixes)
    expect_error(c.patch(p + "/" + id, big.dump(), auth), 413, "payload_too_large",
                 "Payload too large", p);
  auto after = c.get("/api/analyses/" + id, auth);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json().at("ready"), false);
  // A body under the limit still works.
  auto ok = c.patch("/analyses/" + id, R"({"results":{"small":true}})", auth);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(e2e_errors, upload_over_body_limit_is_413_or_closed) {
  temp_dir dir;
  server_process small{dir.path() + "/data", {"--max-body-bytes", "4000"}};
  http_client c{small.ports()};
  auto job = create_job_analysis(small, c);
  auto id = job.id;
  auto auth = job.auth;
  for (auto& p : job_route_prefixes) {
    auto res = upload(c, p + "/" + id + "/files?name=big.fa", auth, std::string(10000, 'A'));
    // SPEC step 7: 413, or the connection is closed before the body is read.
    if (res.status != 0)
      expect_error(res, 413, "payload_too_large", "Payload too large", p);
  }
  http_client fresh{small.ports()};
  auto after = fresh.get("/api/analyses/" + id, auth);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json().at("files"), json::array());
  EXPECT_FALSE(std::filesystem::exists(small.data_dir() + "/analyses/" + id + "/1-big.fa"));
  // Small uploads still work.
  EXPECT_EQ(upload(fresh, "/api/analyses/" + id + "/files?name=small.fa", auth, "AC").status, 201);
}

// -- remove ---------------------------------------------------------------------

TEST_F(e2e_errors, remove_of_finalized_analysis_is_409) {
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id_ + "/files?name=keep.fa", auth_).status, 201);
  ASSERT_EQ(client_->patch("/api/analyses/" + id_, R"({"results":{}})", auth_).status, 200);
  for (auto& p : job_route_prefixes)
    expect_error(client_->del(p + "/" + id_, auth_), 409, "conflict", "Analysis is finalized", p);
  EXPECT_EQ(client_->get("/api/analyses/" + id_, auth_).status, 200);
  EXPECT_TRUE(std::filesystem::exists(server_->data_dir() + "/analyses/" + id_ + "/1-keep.fa"));
}

TEST_F(e2e_errors, second_remove_is_404) {
  ASSERT_EQ(client_->del("/analyses/" + id_, auth_).status, 204);
  for (auto& p : job_route_prefixes) {
    expect_error(client_->del(p + "/" + id_, auth_), 404, "not_found", "Not found", p);
    expect_error(client_->patch(p + "/" + id_, R"({"results":{}})", auth_), 404, "not_found",
                 "Not found", p);
    expect_error(upload(*client_, p + "/" + id_ + "/files?name=a.fa", auth_), 404, "not_found",
                 "Not found", p);
  }
}

// -- service routes -------------------------------------------------------------

TEST_F(e2e_errors, healthz_is_ok) {
  auto res = client_->get("/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json(), json({{"status", "ok"}}));
}

TEST_F(e2e_errors, unknown_path_is_404) {
  for (std::string t : std::vector<std::string>{"/", "/nope", "/api", "/api/analyses", "/analyses", "/admin",
                        "/api/analyses/" + id_ + "/nope", "/admin/analyses/x/files",
                        "/healthz/extra", "/admin/jobs"})
    expect_error(client_->get(t, auth_), 404, "not_found", "Not found", "GET " + t);
  expect_error(send_with(*client_, "POST", "/nope", "", "{}", "application/json"), 404,
               "not_found", "Not found", "POST /nope");
}

// Paths match as SPEC.md writes them (as aiohttp, Virtool's own server,
// matches them): another case or a trailing slash is another path. A
// finalize at such a path changes nothing.
TEST_F(e2e_errors, paths_match_exactly_case_and_trailing_slash_included) {
  for (std::string t : std::vector<std::string>{
         "/API/analyses/" + id_, "/api/Analyses/" + id_, "/api/analyses/" + id_ + "/",
         "/analyses/" + id_ + "/", "/Healthz", "/healthz/", "/admin/Analyses",
         "/api/analyses/" + id_ + "/files/1/"})
    expect_error(client_->get(t, t.find("admin") != std::string::npos ? admin() : auth_), 404,
                 "not_found", "Not found", "GET " + t);
  for (std::string t : std::vector<std::string>{"/API/analyses/" + id_, "/api/analyses/" + id_ + "/"})
    expect_error(client_->patch(t, R"({"results":{"a":1}})", auth_), 404, "not_found",
                 "Not found", "PATCH " + t);
  auto doc = client_->get("/api/analyses/" + id_, auth_);
  ASSERT_EQ(doc.status, 200);
  EXPECT_TRUE(doc.json().at("results").is_null()) << doc.body;
  EXPECT_EQ(client_->patch("/api/analyses/" + id_, R"({"results":{"a":1}})", auth_).status, 200);
}

TEST_F(e2e_errors, wrong_method_is_405_with_allow) {
  struct probe {
    std::string method, target;
    std::vector<std::string> allowed;
  };
  const std::vector<probe> probes{
    {"POST", "/healthz", {"GET"}},
    {"DELETE", "/healthz", {"GET"}},
    {"PUT", "/api/analyses/" + id_, {"GET", "PATCH", "DELETE"}},
    {"POST", "/analyses/" + id_, {"GET", "PATCH", "DELETE"}},
    {"GET", "/api/analyses/" + id_ + "/files", {"POST", "PUT"}},
    {"DELETE", "/analyses/" + id_ + "/files", {"POST", "PUT"}},
    {"POST", "/api/analyses/" + id_ + "/files/1", {"GET"}},
    {"DELETE", "/analyses/" + id_ + "/files/1", {"GET"}},
    {"PUT", "/admin/analyses", {"GET", "POST"}},
    {"DELETE", "/admin/analyses", {"GET", "POST"}},
    {"POST", "/admin/analyses/" + id_, {"GET", "DELETE"}},
    {"PATCH", "/admin/analyses/" + id_, {"GET", "DELETE"}},
    {"GET", "/admin/jobs/" + job_, {"PATCH"}},
    {"DELETE", "/admin/analyses/" + id_ + "/files/1", {"GET"}},
  };
  for (auto& pr : probes) {
    for (auto auth : {std::string{}, auth_, admin()}) {
      auto res = send_with(*client_, pr.method, pr.target, auth);
      auto what = pr.method + " " + pr.target;
      expect_error(res, 405, "method_not_allowed", "Method not allowed", what);
      auto allow = res.header("allow");
      EXPECT_FALSE(allow.empty()) << what;
      for (auto& m : pr.allowed)
        EXPECT_NE(allow.find(m), std::string::npos) << what << " Allow: " << allow;
      EXPECT_EQ(allow.find(pr.method), std::string::npos) << what << " Allow: " << allow;
    }
  }
  // The 405s changed nothing.
  EXPECT_EQ(client_->get("/api/analyses/" + id_, auth_).status, 200);
}
