// End-to-end: the analysis document as today's Virtool job runtime reads it
// (virtool-core's Analysis model, SPEC.md "The analysis document"). Every
// document the e2e suites receive is checked against the models by the test
// client (tests/support/virtool_models.hpp); these tests check the checker,
// and the fields that analysisd derives or keeps as given.

#include "tests/support/e2e.hpp"
#include "tests/support/virtool_models.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace analysisd::test;
using nlohmann::json;

namespace {

json seed_document() {
  return json::parse(read_file(std::string(ANALYSISD_SOURCE_DIR) + "/../shared/peers/analysis.json"),
                     nullptr, false);
}

json release(int id) {
  return {{"id", id},
          {"created_at", "2024-02-01T10:00:00.000000Z"},
          {"download_url", "https://example.org/model.tar.gz"},
          {"github_url", "https://example.org/release"},
          {"name", "1.0." + std::to_string(id)},
          {"published_at", "2024-01-30T09:00:00Z"},
          {"ready", true},
          {"size", 1024},
          {"model",
           {{"id", 1},
            {"created_at", "2024-01-01T00:00:00Z"},
            {"description", "A model"},
            {"latest_release", nullptr},
            {"name", "nuvs-ml"},
            {"release_count", 2}}}};
}

class e2e_runtime_documents : public shared_server_suite<> {};

} // namespace

TEST(virtool_models, the_seed_document_passes_and_every_missing_or_mistyped_key_fails) {
  auto doc = seed_document();
  if (doc.is_discarded()) {
    // shared/ lies next to the clone; the document is SPEC.md's example.
    doc = json::parse(R"({"id":"uskrqsxm","created_at":"2017-10-03T21:35:54.813000Z","updated_at":"2017-10-03T21:35:54.813000Z","job":{"id":"afovbrnx","archived":false,"created_at":"2017-10-03T21:35:54.813000Z","progress":0,"stage":null,"state":"running","user":{"id":"igboyes","handle":"igboyes"},"workflow":"pathoscope_bowtie"},"files":[{"analysis":"uskrqsxm","description":null,"format":"fasta","id":1,"name":"results.fa","name_on_disk":"1-results.fa","size":20466,"uploaded_at":"2017-10-03T21:35:54.813000Z"}],"workflow":"pathoscope_bowtie","sample":{"id":"kigvhuql","name":"Test 1"},"index":{"id":"qldihken","version":0},"reference":{"id":"d19exr83","name":"Plant Viruses","data_type":"genome"},"ml":null,"user":{"id":"igboyes","handle":"igboyes"},"subtractions":[{"id":"yhxoynb0","name":"Arabidopsis Thaliana"}],"ready":false,"results":null})");
  }
  EXPECT_TRUE(model_errors("Analysis", doc).empty());
  // Every key of every level, removed one at a time, and replaced by a value of another type.
  std::size_t checked = 0;
  std::function<void(const json::json_pointer&)> each = [&](const json::json_pointer& at) {
    auto& v = doc.at(at);
    if (!v.is_object() && !v.is_array())
      return;
    for (auto& [key, child] : v.items()) {
      (void) child;
      auto p = v.is_array() ? at / static_cast<std::size_t>(std::stoul(key)) : at / key;
      if (p.to_string() == "/sample/name")
        continue; // AnalysisSample has only `id`: the seed's name is extra, and unchecked
      auto without = doc;
      if (v.is_object()) {
        without.at(at).erase(key);
        bool optional = key == "description" || key == "updated_at";
        EXPECT_EQ(model_errors("Analysis", without).empty(), optional) << "without " << p;
      }
      auto mistyped = doc;
      mistyped.at(p) = mistyped.at(p).is_array() ? json(7) : json::array({1});
      EXPECT_FALSE(model_errors("Analysis", mistyped).empty()) << "mistyped " << p;
      ++checked;
      each(p);
    }
  };
  each(json::json_pointer{});
  EXPECT_GT(checked, 40u);
  // What analysisd 0.1 served: the job as its id only, no reference, no handle.
  auto old = doc;
  old["job"] = {{"id", "afovbrnx"}};
  old.erase("reference");
  old["user"].erase("handle");
  EXPECT_EQ(model_errors("Analysis", old).size(), 9u);
  EXPECT_TRUE(model_errors("MLModelRelease", release(3)).empty());
}

TEST_F(e2e_runtime_documents, the_job_is_waiting_then_running_then_complete) {
  auto checked = checked_documents();
  auto created = client_->post("/admin/analyses", create_body().dump(), admin());
  EXPECT_EQ(checked_documents(), checked + 1) << "the test client no longer checks documents";
  ASSERT_EQ(created.status, 201);
  auto doc = created.json();
  auto id = doc.at("id").get<std::string>();
  auto job = doc.at("job").at("id").get<std::string>();
  EXPECT_EQ(doc.at("job").at("state"), "waiting");
  EXPECT_EQ(doc.at("job").at("progress"), 0);
  EXPECT_EQ(doc.at("job").at("created_at"), doc.at("created_at"));
  EXPECT_EQ(doc.at("job").at("user"), doc.at("user"));
  EXPECT_EQ(doc.at("user"), (json{{"id", "igboyes"}, {"handle", "igboyes"}}));
  EXPECT_TRUE(doc.at("results").is_null());
  auto key = server_->acquire(*client_, job);
  auto auth = basic_auth(job, key);
  for (const char* prefix : {"/api/analyses/", "/analyses/", "/admin/analyses/"}) {
    auto res = client_->get(prefix + id, std::string(prefix) == "/admin/analyses/" ? admin() : auth);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.json().at("job").at("state"), "running") << prefix;
  }
  ASSERT_EQ(upload_named(*client_, id, "hits.json", "{}", auth).status, 201);
  auto done = client_->patch("/analyses/" + id, R"({"results": {"hits": []}})", auth);
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.json().at("job").at("state"), "complete");
  EXPECT_EQ(done.json().at("job").at("progress"), 100);
  EXPECT_EQ(client_->get("/api/analyses/" + id, auth).json().at("job").at("state"), "complete");
}

TEST_F(e2e_runtime_documents, handle_reference_and_ml_are_kept_as_given_and_listed) {
  auto body = create_body();
  body["user"]["handle"] = "Ian Boyes";
  body["reference"] = {{"id", "barc0001"}, {"name", "Barcodes"}, {"data_type", "barcode"}};
  body["ml"] = release(7);
  body["ml"]["extra"] = {{"kept", true}};
  auto res = client_->post("/admin/analyses", body.dump(), admin());
  ASSERT_EQ(res.status, 201) << res.body;
  auto doc = res.json();
  EXPECT_EQ(doc.at("user").at("handle"), "Ian Boyes");
  EXPECT_EQ(doc.at("job").at("user").at("handle"), "Ian Boyes");
  EXPECT_EQ(doc.at("reference"), body["reference"]);
  EXPECT_EQ(doc.at("ml"), body["ml"]) << "the model release is kept as given";
  auto id = doc.at("id").get<std::string>();
  auto page = client_->get("/admin/analyses?per_page=100", admin()).json();
  bool listed = false;
  for (auto& d : page.at("documents")) {
    if (d.at("id") != id)
      continue;
    listed = true;
    EXPECT_FALSE(d.contains("results"));
    auto want = doc;
    want.erase("results");
    EXPECT_EQ(d, want);
  }
  EXPECT_TRUE(listed);
}

TEST_F(e2e_runtime_documents, bad_handle_reference_and_ml_get_one_422_entry_per_field) {
  auto check = [&](const json& body, std::vector<std::string> fields) {
    auto res = client_->post("/admin/analyses", body.dump(), admin());
    ASSERT_EQ(res.status, 422) << body.dump() << " -> " << res.body;
    auto errors = res.json().at("errors");
    for (auto& f : fields)
      EXPECT_TRUE(errors.contains(f)) << f << " not in " << errors.dump();
    EXPECT_EQ(errors.size(), fields.size()) << errors.dump();
  };
  auto b = create_body();
  b["user"]["handle"] = 5;
  check(b, {"user.handle"});
  b = create_body();
  b["reference"] = {{"id", "r"}, {"name", "n"}, {"data_type", "protein"}};
  check(b, {"reference.data_type"});
  b = create_body();
  b["reference"] = {{"name", 3}, {"data_type", "genome"}};
  check(b, {"reference.id", "reference.name"});
  b = create_body();
  b["reference"] = "d19exr83";
  check(b, {"reference"});
  b = create_body();
  b["ml"] = "1.0.2";
  check(b, {"ml"});
  b = create_body();
  b["ml"] = release(1);
  b["ml"].erase("download_url");
  b["ml"]["size"] = "big";
  b["ml"]["model"]["latest_release"] = {{"id", 2}};
  check(b, {"ml.download_url", "ml.size", "ml.model.latest_release.created_at",
            "ml.model.latest_release.download_url", "ml.model.latest_release.github_url",
            "ml.model.latest_release.name", "ml.model.latest_release.published_at",
            "ml.model.latest_release.ready", "ml.model.latest_release.size",
            "ml.model.latest_release.model"});
  b = create_body();
  b["ml"] = release(1);
  b["ml"]["created_at"] = "yesterday";
  check(b, {"ml.created_at"});
}
