// End-to-end tests of the operator routes (SPEC.md "Operator routes"): bearer
// authentication, create, acquire, list with pagination, get, files, delete.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace analysisd::test;
using nlohmann::json;

namespace {

std::set<std::string> error_fields(const http_response& res) {
  std::set<std::string> out;
  try {
    auto e = res.json().at("errors");
    for (auto& [k, v] : e.items()) {
      out.insert(k);
      EXPECT_TRUE(v.is_array() && !v.empty()) << k << ": " << v;
    }
  } catch (...) {
    ADD_FAILURE() << "no errors object: " << res.body;
  }
  return out;
}

class e2e_operator : public shared_server_suite<> {};

} // namespace

TEST_F(e2e_operator, every_operator_route_rejects_bad_bearer) {
  auto [doc, key] = server_->create_acquired(*client_);
  auto id = doc.at("id").get<std::string>();
  auto job = doc.at("job").at("id").get<std::string>();
  auto fresh = server_->create_analysis(*client_);
  auto fresh_job = fresh.at("job").at("id").get<std::string>();
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id + "/files?name=a.fa", basic_auth(job, key),
                   "x")
              .status,
            201);

  const std::vector<std::pair<std::string, std::string>> bad{
    {"none", ""},
    {"wrong token", "Bearer wrong-token"},
    {"token prefix", "Bearer test-admin-toke"},
    {"token suffix", "Bearer test-admin-tokenX"},
    {"empty bearer", "Bearer "},
    {"bare Bearer", "Bearer"},
    {"lowercase scheme wrong token", "bearer nope"},
    {"basic", "Basic dGVzdC1hZG1pbi10b2tlbg=="},
    {"job credentials", basic_auth(job, key)},
    {"raw token", "test-admin-token"},
  };
  struct call {
    std::string method, target, body;
  };
  const std::vector<call> calls{
    {"POST", "/admin/analyses", create_body().dump()},
    {"PATCH", "/admin/jobs/" + fresh_job, R"({"acquired":true})"},
    {"GET", "/admin/analyses", ""},
    {"GET", "/admin/analyses?page=1&per_page=25", ""},
    {"GET", "/admin/analyses/" + id, ""},
    {"GET", "/admin/analyses/" + id + "/files/1", ""},
    {"DELETE", "/admin/analyses/" + id, ""},
    {"GET", "/admin/analyses/zzzzzzzz", ""},
    {"PATCH", "/admin/jobs/zzzzzzzz", R"({"acquired":true})"},
  };
  for (auto& cl : calls)
    for (auto& [name, auth] : bad)
      expect_error(send_with(*client_, cl.method, cl.target, auth, cl.body,
                             cl.body.empty() ? "" : "application/json"),
                   401, "unauthorized", "Invalid authorization header",
                   name + ": " + cl.method + " " + cl.target);

  // Nothing happened: still there, fresh job still acquirable.
  EXPECT_EQ(client_->get("/admin/analyses/" + id, admin()).status, 200);
  auto acq = client_->patch("/admin/jobs/" + fresh_job, R"({"acquired":true})", admin());
  EXPECT_EQ(acq.status, 200) << acq.body;
}

TEST_F(e2e_operator, create_returns_document_with_unacquired_job) {
  auto res = client_->post("/admin/analyses", create_body().dump(), admin());
  ASSERT_EQ(res.status, 201) << res.body;
  auto d = res.json();
  EXPECT_TRUE(is_short_id(d.at("id"))) << d;
  EXPECT_TRUE(is_short_id(d.at("job").at("id"))) << d;
  EXPECT_EQ(d.at("job").at("state"), "waiting");
  EXPECT_TRUE(is_timestamp(d.at("created_at")));
  EXPECT_TRUE(is_timestamp(d.at("updated_at")));
  EXPECT_EQ(d.at("files"), json::array());
  EXPECT_EQ(d.at("workflow"), "pathoscope_bowtie");
  EXPECT_EQ(d.at("sample"), json({{"id", "kigvhuql"}, {"name", "Test 1"}}));
  EXPECT_EQ(d.at("index"), json({{"id", "qldihken"}, {"version", 0}}));
  EXPECT_EQ(d.at("user"), json({{"id", "igboyes"}, {"handle", "igboyes"}}));
  EXPECT_EQ(d.at("subtractions"),
            json::parse(R"([{"id":"yhxoynb0","name":"Arabidopsis Thaliana"}])"));
  EXPECT_EQ(d.at("ready"), false);
  EXPECT_TRUE(d.at("results").is_null());
  EXPECT_EQ(d.size(), 14u) << d;

  // The job is not yet acquired: no key works for it.
  auto id = d.at("id").get<std::string>();
  auto job = d.at("job").at("id").get<std::string>();
  expect_error(client_->get("/api/analyses/" + id, basic_auth(job, std::string(64, 'a'))), 401,
               "unauthorized", "Invalid authorization header", "unacquired job");

  // Same document through the operator GET.
  auto got = client_->get("/admin/analyses/" + id, admin());
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json(), d);
}

TEST_F(e2e_operator, create_with_id_and_default_subtractions) {
  auto body = create_body("opid0001");
  body.erase("subtractions");
  auto res = client_->post("/admin/analyses", body.dump(), admin());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("id"), "opid0001");
  EXPECT_EQ(res.json().at("subtractions"), json::array());

  auto again = client_->post("/admin/analyses", create_body("opid0001").dump(), admin());
  expect_error(again, 409, "conflict", "Analysis already exists", "duplicate id");
  // The original is untouched.
  auto got = client_->get("/admin/analyses/opid0001", admin());
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json(), res.json());
}

TEST_F(e2e_operator, create_with_invalid_body_is_422_per_field) {
  auto check = [&](const json& body, std::set<std::string> fields, const std::string& what) {
    auto res = client_->post("/admin/analyses", body.dump(), admin());
    expect_error(res, 422, "invalid_input", "Invalid input", what);
    EXPECT_EQ(error_fields(res), fields) << what << ": " << res.body;
  };
  auto b = create_body();
  b["workflow"] = 5;
  check(b, {"workflow"}, "workflow not a string");

  b = create_body();
  b.erase("user");
  check(b, {"user"}, "user missing");

  b = create_body();
  b["workflow"] = json::array();
  b.erase("sample");
  check(b, {"workflow", "sample"}, "workflow and sample");

  b = create_body();
  b["id"] = "UPPER123";
  check(b, {"id"}, "id uppercase");
  b["id"] = "short";
  check(b, {"id"}, "id too short");
  b["id"] = "toolong123";
  check(b, {"id"}, "id too long");
  b["id"] = 12345678;
  check(b, {"id"}, "id not a string");

  b = create_body();
  b["subtractions"] = "none";
  check(b, {"subtractions"}, "subtractions not array");

  // Nested bad fields: one entry each (field naming of nested paths is not pinned).
  for (auto mutate : std::vector<std::function<void(json&)>>{
         [](json& j) { j["index"]["version"] = "zero"; },
         [](json& j) { j["sample"].erase("name"); },
         [](json& j) { j["user"]["id"] = 1; },
         [](json& j) { j["subtractions"][0]["name"] = json(); },
       }) {
    b = create_body();
    mutate(b);
    auto res = client_->post("/admin/analyses", b.dump(), admin());
    expect_error(res, 422, "invalid_input", "Invalid input", b.dump());
    EXPECT_EQ(error_fields(res).size(), 1u) << b.dump() << " -> " << res.body;
  }

  for (std::string raw : {"not json", "[]", "{", "null"}) {
    auto res = client_->post("/admin/analyses", raw, admin());
    expect_error(res, 422, "invalid_input", "Invalid input", raw);
  }
}

TEST_F(e2e_operator, acquire_returns_key_once) {
  auto doc = server_->create_analysis(*client_);
  auto job = doc.at("job").at("id").get<std::string>();
  auto res = client_->patch("/admin/jobs/" + job, R"({"acquired":true})", admin());
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json();
  EXPECT_EQ(j.at("id"), job);
  EXPECT_EQ(j.at("acquired"), true);
  static const std::regex hex{R"(^[0-9a-f]{64}$)"};
  ASSERT_TRUE(j.at("key").is_string());
  EXPECT_TRUE(std::regex_match(j.at("key").get<std::string>(), hex)) << j;
  EXPECT_EQ(j.size(), 3u);
  // The key works.
  EXPECT_EQ(client_->get("/api/analyses/" + doc.at("id").get<std::string>(),
                         basic_auth(job, j.at("key").get<std::string>()))
              .status,
            200);

  expect_error(client_->patch("/admin/jobs/" + job, R"({"acquired":true})", admin()), 400,
               "bad_request", "Job already acquired", "second acquire");
  expect_error(client_->patch("/admin/jobs/zzzzzzzz", R"({"acquired":true})", admin()), 404,
               "not_found", "Not found", "unknown job");
  // The original key still works after the refused second acquire.
  EXPECT_EQ(client_->get("/analyses/" + doc.at("id").get<std::string>(),
                         basic_auth(job, j.at("key").get<std::string>()))
              .status,
            200);
}

TEST_F(e2e_operator, list_is_paginated_newest_first_without_results) {
  temp_dir dir;
  server_process srv{dir.path() + "/data"};
  http_client c{srv.ports()};
  const auto adm = bearer(srv.admin_token());

  auto empty = c.get("/admin/analyses", adm);
  ASSERT_EQ(empty.status, 200) << empty.body;
  auto e = empty.json();
  EXPECT_EQ(e.at("documents"), json::array());
  EXPECT_EQ(e.at("found_count"), 0);
  EXPECT_EQ(e.at("total_count"), 0);
  EXPECT_EQ(e.at("page"), 1);
  EXPECT_EQ(e.at("per_page"), 25);

  std::vector<json> docs;
  for (int i = 0; i < 5; ++i)
    docs.push_back(srv.create_analysis(c));
  // Finalize the newest one: listed without results.
  auto newest = docs.back();
  auto key = srv.acquire(c, newest.at("job").at("id").get<std::string>());
  auto fin = c.patch("/api/analyses/" + newest.at("id").get<std::string>(),
                     R"({"results":{"x":1}})",
                     basic_auth(newest.at("job").at("id").get<std::string>(), key));
  ASSERT_EQ(fin.status, 200) << fin.body;

  auto all = c.get("/admin/analyses", adm);
  ASSERT_EQ(all.status, 200) << all.body;
  auto a = all.json();
  EXPECT_EQ(a.at("found_count"), 5);
  EXPECT_EQ(a.at("total_count"), 5);
  EXPECT_EQ(a.at("page"), 1);
  EXPECT_EQ(a.at("per_page"), 25);
  EXPECT_EQ(a.at("page_count"), 1);
  ASSERT_EQ(a.at("documents").size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    auto& d = a.at("documents")[i];
    EXPECT_EQ(d.at("id"), docs[4 - i].at("id")) << "newest first, position " << i;
    EXPECT_FALSE(d.contains("results")) << d;
  }
  EXPECT_EQ(a.at("documents")[0].at("ready"), true);

  auto p1 = c.get("/admin/analyses?page=1&per_page=2", adm).json();
  EXPECT_EQ(p1.at("page"), 1);
  EXPECT_EQ(p1.at("per_page"), 2);
  EXPECT_EQ(p1.at("page_count"), 3);
  EXPECT_EQ(p1.at("found_count"), 5);
  EXPECT_EQ(p1.at("total_count"), 5);
  ASSERT_EQ(p1.at("documents").size(), 2u);
  EXPECT_EQ(p1.at("documents")[0].at("id"), docs[4].at("id"));
  EXPECT_EQ(p1.at("documents")[1].at("id"), docs[3].at("id"));

  auto p2 = c.get("/admin/analyses?page=2&per_page=2", adm).json();
  ASSERT_EQ(p2.at("documents").size(), 2u);
  EXPECT_EQ(p2.at("documents")[0].at("id"), docs[2].at("id"));
  EXPECT_EQ(p2.at("documents")[1].at("id"), docs[1].at("id"));
  EXPECT_EQ(p2.at("page"), 2);

  auto p3 = c.get("/admin/analyses?page=3&per_page=2", adm).json();
  ASSERT_EQ(p3.at("documents").size(), 1u);
  EXPECT_EQ(p3.at("documents")[0].at("id"), docs[0].at("id"));
  auto listed = docs[0];
  listed.erase("results"); // the listing's documents carry no results
  EXPECT_EQ(p3.at("documents")[0], listed);

  auto p4 = c.get("/admin/analyses?page=4&per_page=2", adm).json();
  EXPECT_EQ(p4.at("documents"), json::array());
  EXPECT_EQ(p4.at("page"), 4);
  EXPECT_EQ(p4.at("page_count"), 3);
}

TEST_F(e2e_operator, get_and_files_work_for_any_analysis) {
  auto job = create_job_analysis(*server_, *client_);
  auto id = job.id;
  auto auth = job.auth;
  ASSERT_EQ(upload(*client_, "/analyses/" + id + "/files?name=r.bam&format=bam", auth, "BAM\1")
              .status,
            201);
  auto fin = client_->patch("/analyses/" + id, R"({"results":{"ok":true}})", auth);
  ASSERT_EQ(fin.status, 200);

  auto got = client_->get("/admin/analyses/" + id, admin());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), fin.json());
  EXPECT_EQ(got.json().at("results"), json({{"ok", true}}));

  auto f = client_->get("/admin/analyses/" + id + "/files/1", admin());
  ASSERT_EQ(f.status, 200) << f.body;
  EXPECT_EQ(f.body, "BAM\1");
  EXPECT_EQ(f.header("content-type"), "application/octet-stream");
  EXPECT_EQ(f.header("content-disposition"), "attachment; filename=\"r.bam\"");
  EXPECT_EQ(f.header("content-length"), "4");

  expect_error(client_->get("/admin/analyses/zzzzzzzz", admin()), 404, "not_found", "Not found",
               "unknown analysis");
  expect_error(client_->get("/admin/analyses/zzzzzzzz/files/1", admin()), 404, "not_found",
               "Not found", "unknown analysis files");
  expect_error(client_->get("/admin/analyses/" + id + "/files/2", admin()), 404, "not_found",
               "Not found", "unknown file");
  expect_error(client_->get("/admin/analyses/" + id + "/files/abc", admin()), 404, "not_found",
               "Not found", "non-numeric file");
}

TEST_F(e2e_operator, delete_removes_any_analysis_and_its_files) {
  // Finalized analysis with a file.
  auto [doc, key] = server_->create_acquired(*client_);
  auto id = doc.at("id").get<std::string>();
  auto job = doc.at("job").at("id").get<std::string>();
  auto auth = basic_auth(job, key);
  ASSERT_EQ(upload(*client_, "/api/analyses/" + id + "/files?name=f.fa", auth, "ACGT").status,
            201);
  ASSERT_EQ(client_->patch("/api/analyses/" + id, R"({"results":{}})", auth).status, 200);
  ASSERT_TRUE(std::filesystem::exists(analysis_dir(id) + "/1-f.fa"));

  auto res = client_->del("/admin/analyses/" + id, admin());
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_TRUE(res.body.empty());
  EXPECT_FALSE(std::filesystem::exists(analysis_dir(id) + "/1-f.fa"));
  EXPECT_FALSE(std::filesystem::exists(analysis_dir(id)));
  expect_error(client_->get("/admin/analyses/" + id, admin()), 404, "not_found", "Not found",
               "after delete");
  expect_error(client_->get("/api/analyses/" + id + "/files/1", auth), 404, "not_found",
               "Not found", "file after delete");

  // Unfinalized, never acquired.
  auto plain = server_->create_analysis(*client_);
  auto pid = plain.at("id").get<std::string>();
  EXPECT_EQ(client_->del("/admin/analyses/" + pid, admin()).status, 204);
  expect_error(client_->get("/admin/analyses/" + pid, admin()), 404, "not_found", "Not found",
               "after delete 2");

  // The deleted ids are gone from the listing.
  auto first = client_->get("/admin/analyses", admin()).json();
  int pages = first.at("page_count").get<int>();
  for (int page = 1; page <= pages; ++page) {
    auto list =
      client_->get("/admin/analyses?page=" + std::to_string(page), admin()).json();
    for (auto& d : list.at("documents")) {
      EXPECT_NE(d.at("id"), id);
      EXPECT_NE(d.at("id"), pid);
    }
  }
}
