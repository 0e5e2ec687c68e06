// End-to-end tests of the job routes' successful paths (SPEC.md "Job routes"),
// at both the documented /api/analyses prefix and virtool-workflow's /analyses.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>

using namespace analysisd::test;
using nlohmann::json;

namespace {

/// One server for the whole suite, parameterised by the job-route prefix.
class e2e_job_routes : public shared_server_suite<::testing::TestWithParam<std::string>> {
protected:
  void SetUp() override {
    shared_server_suite::SetUp();
    auto a = create_job_analysis(*server_, *client_);
    doc_ = a.doc;
    id_ = a.id;
    job_ = a.job_id;
    auth_ = a.auth;
  }

  std::string base() const {
    return GetParam() + "/" + id_;
  }
  std::string file_path(const std::string& name_on_disk) const {
    return server_->data_dir() + "/analyses/" + id_ + "/" + name_on_disk;
  }

  json doc_;
  std::string id_, job_, auth_;
};


} // namespace

TEST_P(e2e_job_routes, get_returns_the_whole_document_with_null_results) {
  auto res = client_->get(base(), auth_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.header("content-type").find("application/json"), std::string::npos);
  auto d = res.json();
  auto created = doc_;
  created["job"]["state"] = "running"; // acquired since it was created
  EXPECT_EQ(d, created);
  EXPECT_EQ(d.at("id"), id_);
  EXPECT_TRUE(is_short_id(d.at("id")));
  EXPECT_TRUE(is_timestamp(d.at("created_at"))) << d;
  EXPECT_TRUE(is_timestamp(d.at("updated_at"))) << d;
  EXPECT_EQ(d.at("job"), json({{"id", job_},
                               {"archived", false},
                               {"created_at", d.at("created_at")},
                               {"progress", 0},
                               {"stage", nullptr},
                               {"state", "running"},
                               {"user", {{"id", "igboyes"}, {"handle", "igboyes"}}},
                               {"workflow", "pathoscope_bowtie"}}));
  EXPECT_TRUE(is_short_id(d.at("job").at("id")));
  EXPECT_EQ(d.at("files"), json::array());
  EXPECT_EQ(d.at("workflow"), "pathoscope_bowtie");
  EXPECT_EQ(d.at("sample"), json({{"id", "kigvhuql"}, {"name", "Test 1"}}));
  EXPECT_EQ(d.at("index"), json({{"id", "qldihken"}, {"version", 0}}));
  EXPECT_EQ(d.at("user"), json({{"id", "igboyes"}, {"handle", "igboyes"}}));
  EXPECT_EQ(d.at("subtractions"),
            json::parse(R"([{"id":"yhxoynb0","name":"Arabidopsis Thaliana"}])"));
  EXPECT_EQ(d.at("reference"),
            json({{"id", "d19exr83"}, {"name", "Plant Viruses"}, {"data_type", "genome"}}));
  EXPECT_TRUE(d.at("ml").is_null());
  EXPECT_EQ(d.at("ready"), false);
  EXPECT_TRUE(d.at("results").is_null());
  EXPECT_EQ(d.size(), 14u) << d;
}

TEST_P(e2e_job_routes, upload_post_and_put_store_files_with_sequential_ids) {
  const std::string bytes1 = std::string("ACGT\0\r\n--x", 10) + std::string(5000, 'G');
  auto r1 = upload(*client_, base() + "/files?name=results.fa&format=fasta", auth_, bytes1);
  ASSERT_EQ(r1.status, 201) << r1.body;
  auto f1 = r1.json();
  EXPECT_EQ(f1.at("analysis"), id_);
  EXPECT_TRUE(f1.at("description").is_null());
  EXPECT_EQ(f1.at("format"), "fasta");
  EXPECT_EQ(f1.at("id"), 1);
  EXPECT_EQ(f1.at("name"), "results.fa");
  EXPECT_EQ(f1.at("name_on_disk"), "1-results.fa");
  EXPECT_EQ(f1.at("size"), bytes1.size());
  EXPECT_TRUE(is_timestamp(f1.at("uploaded_at"))) << f1;
  EXPECT_EQ(f1.size(), 8u) << f1;
  EXPECT_EQ(r1.header("location"), "/api/analyses/" + id_ + "/files/1");
  EXPECT_EQ(read_file(file_path("1-results.fa")), bytes1);

  // PUT is an alias; format omitted -> null.
  auto r2 = upload(*client_, base() + "/files?name=other.txt", auth_, "hello", "PUT");
  ASSERT_EQ(r2.status, 201) << r2.body;
  auto f2 = r2.json();
  EXPECT_EQ(f2.at("id"), 2);
  EXPECT_TRUE(f2.at("format").is_null());
  EXPECT_EQ(f2.at("name_on_disk"), "2-other.txt");
  EXPECT_EQ(f2.at("size"), 5);
  EXPECT_EQ(r2.header("location"), "/api/analyses/" + id_ + "/files/2");
  EXPECT_EQ(read_file(file_path("2-other.txt")), "hello");

  auto r3 = upload(*client_, base() + "/files?name=c.json&format=json", auth_, "{}", "PUT");
  ASSERT_EQ(r3.status, 201) << r3.body;
  EXPECT_EQ(r3.json().at("id"), 3);
  EXPECT_EQ(r3.header("location"), "/api/analyses/" + id_ + "/files/3");

  auto doc = client_->get(base(), auth_).json();
  ASSERT_EQ(doc.at("files").size(), 3u);
  EXPECT_EQ(doc.at("files")[0], f1);
  EXPECT_EQ(doc.at("files")[1], f2);
}

TEST_P(e2e_job_routes, every_supported_format_is_accepted) {
  int n = 0;
  for (std::string fmt : {"sam", "bam", "fasta", "fastq", "csv", "tsv", "json"}) {
    auto r = upload(*client_, base() + "/files?name=f." + fmt + "&format=" + fmt, auth_, "x");
    ASSERT_EQ(r.status, 201) << fmt << " " << r.body;
    EXPECT_EQ(r.json().at("format"), fmt);
    EXPECT_EQ(r.json().at("id"), ++n);
  }
}

TEST_P(e2e_job_routes, download_returns_bytes_with_attachment_headers) {
  const std::string bytes = std::string("\x00\x01\x02binary\r\n", 11) + std::string(3000, 'z');
  auto up = upload(*client_, base() + "/files?name=reads.fq&format=fastq", auth_, bytes);
  ASSERT_EQ(up.status, 201) << up.body;
  auto res = client_->get(base() + "/files/1", auth_);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, bytes);
  EXPECT_EQ(res.header("content-type"), "application/octet-stream");
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"reads.fq\"");
  EXPECT_EQ(res.header("content-length"), std::to_string(bytes.size()));
}

TEST_P(e2e_job_routes, finalize_sets_ready_results_and_new_updated_at) {
  auto up = upload(*client_, base() + "/files?name=a.csv&format=csv", auth_, "1,2");
  ASSERT_EQ(up.status, 201);
  const json results = {{"hits", json::array({1, 2, 3})}, {"nested", {{"a", "b"}}}};
  auto res = client_->patch(base(), json({{"results", results}, {"ignored", 1}}).dump(), auth_);
  ASSERT_EQ(res.status, 200) << res.body;
  auto d = res.json();
  EXPECT_EQ(d.at("ready"), true);
  EXPECT_EQ(d.at("results"), results);
  EXPECT_FALSE(d.contains("ignored"));
  EXPECT_TRUE(is_timestamp(d.at("updated_at")));
  EXPECT_NE(d.at("updated_at"), doc_.at("updated_at"));
  EXPECT_GT(d.at("updated_at").get<std::string>(), doc_.at("updated_at").get<std::string>());
  EXPECT_EQ(d.at("created_at"), doc_.at("created_at"));
  EXPECT_EQ(d.at("files").size(), 1u);
  EXPECT_EQ(d.at("id"), id_);

  auto again = client_->get(base(), auth_);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json(), d);

  // Uploads to a finalized analysis are allowed.
  auto late = upload(*client_, base() + "/files?name=late.tsv&format=tsv", auth_, "x\ty");
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_EQ(late.json().at("id"), 2);
  EXPECT_EQ(read_file(file_path("2-late.tsv")), "x\ty");
}

TEST_P(e2e_job_routes, conditional_get_answers_304_until_the_document_changes) {
  auto conditional = [&](const std::string& if_none_match, const std::string& auth) {
    http_request req;
    req.target = base();
    req.headers = {{"Authorization", auth}, {"If-None-Match", if_none_match}};
    return client_->send(req);
  };
  auto first = client_->get(base(), auth_);
  ASSERT_EQ(first.status, 200);
  const auto etag = first.header("etag");
  ASSERT_TRUE(std::regex_match(etag, std::regex{R"("[0-9a-f]{16}")"})) << etag;
  EXPECT_EQ(client_->get(base(), auth_).header("etag"), etag) << "the same document, the same tag";

  for (const auto& value : {etag, "W/" + etag, std::string{"*"}, "\"nope\", " + etag,
                            " " + etag + " ,"}) {
    auto res = conditional(value, auth_);
    EXPECT_EQ(res.status, 304) << value;
    EXPECT_EQ(res.header("etag"), etag) << value;
    // No content, and no Content-Length, which a client could take for its
    // length (RFC 9110 8.6).
    EXPECT_EQ(res.header("content-length"), "") << value;
    EXPECT_TRUE(res.body.empty());
  }
  // The connection carries on after a 304 (it sent no content).
  EXPECT_EQ(client_->get(base(), auth_).body, first.body);
  for (const auto& value : {std::string{"\"0000000000000000\""}, etag.substr(1, 16), std::string{""},
                            etag + " x"}) {
    auto res = conditional(value, auth_);
    EXPECT_EQ(res.status, 200) << value;
    EXPECT_EQ(res.body, first.body) << value;
  }
  // Several If-None-Match lines are one list: a tag on a second line counts,
  // and '*' beside a tag is no valid list.
  http_request two_lines;
  two_lines.target = base();
  two_lines.headers = {{"Authorization", auth_}, {"If-None-Match", "\"x\""},
                       {"If-None-Match", etag}};
  EXPECT_EQ(client_->send(two_lines).status, 304);
  two_lines.headers.back().second = "*";
  EXPECT_EQ(client_->send(two_lines).status, 200);
  // The operator's GET of the same document has the same tag.
  http_request admin;
  admin.target = "/admin/analyses/" + id_;
  admin.headers = {{"Authorization", bearer(server_->admin_token())}, {"If-None-Match", etag}};
  EXPECT_EQ(client_->send(admin).status, 304);

  // Authentication and authorization come first.
  expect_error(conditional(etag, basic_auth(job_, std::string(64, '0'))), 401, "unauthorized",
               "Invalid authorization header");
  auto other = create_job_analysis(*server_, *client_);
  expect_error(conditional(etag, other.auth), 403, "forbidden", "Insufficient rights");

  // A change gives a new tag: the old one no longer matches.
  ASSERT_EQ(upload(*client_, base() + "/files?name=e.fa", auth_, "AC").status, 201);
  auto changed = conditional(etag, auth_);
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
  EXPECT_EQ(changed.json().at("files").size(), 1u);
  EXPECT_EQ(conditional(changed.header("etag"), auth_).status, 304);
  auto fin = client_->patch(base(), R"({"results":{"a":1}})", auth_);
  ASSERT_EQ(fin.status, 200);
  auto after = conditional(changed.header("etag"), auth_);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.json().at("ready"), true);
}

TEST_P(e2e_job_routes, remove_deletes_analysis_and_files) {
  auto up = upload(*client_, base() + "/files?name=a.sam&format=sam", auth_, "@HD");
  ASSERT_EQ(up.status, 201);
  ASSERT_TRUE(std::filesystem::exists(file_path("1-a.sam")));
  auto res = client_->del(base(), auth_);
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.header("content-length"), "") << "RFC 9110 8.6: none in a 204";
  EXPECT_FALSE(std::filesystem::exists(file_path("1-a.sam")));
  EXPECT_FALSE(std::filesystem::exists(server_->data_dir() + "/analyses/" + id_));

  expect_error(client_->get(base(), auth_), 404, "not_found", "Not found");
  expect_error(client_->get("/admin/analyses/" + id_, bearer(server_->admin_token())), 404,
               "not_found", "Not found");
}

TEST_P(e2e_job_routes, both_prefixes_see_the_same_analysis) {
  auto up = upload(*client_, base() + "/files?name=shared.fa", auth_, "ACGT");
  ASSERT_EQ(up.status, 201);
  auto a = client_->get("/api/analyses/" + id_, auth_);
  auto b = client_->get("/analyses/" + id_, auth_);
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(a.json(), b.json());
  EXPECT_EQ(client_->get("/api/analyses/" + id_ + "/files/1", auth_).body, "ACGT");
  EXPECT_EQ(client_->get("/analyses/" + id_ + "/files/1", auth_).body, "ACGT");
}

INSTANTIATE_TEST_SUITE_P(prefixes, e2e_job_routes,
                         ::testing::Values(std::string("/api/analyses"), std::string("/analyses")),
                         [](const auto& info) {
                           return info.param == "/api/analyses" ? std::string("api")
                                                                : std::string("bare");
                         });
