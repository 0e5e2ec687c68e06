#include "persistence/model.hpp"
#include "persistence/recovery.hpp"

#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace analysisd;
using namespace analysisd::test;

// Found by recovery_fuzz (tests/fuzz/corpus/recovery/render-invalid-utf8): a
// journal record with a good checksum but a name that is not UTF-8 made
// render_analysis throw nlohmann's type_error 316, in the registry actor.
TEST(model, rendering_never_throws_on_bytes_that_are_not_utf8) {
  auto a = sample_analysis("abcd1234");
  a.sample.name = "bad \xFF\xC3";
  a.files.push_back({1, "x\xFE.fa", "fasta", 20, 1507066580000000});
  std::string doc;
  ASSERT_NO_THROW(doc = render_analysis(a));
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["sample"]["name"], "bad \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["files"][0]["name"], "x\xEF\xBF\xBD.fa");
  ASSERT_NO_THROW(doc = render_file(a.id, a.files[0]));
  EXPECT_EQ(nlohmann::json::parse(doc)["name_on_disk"], "1-x\xEF\xBF\xBD.fa");
}

TEST(model, an_analysis_recovered_from_a_record_that_is_not_utf8_renders) {
  temp_dir dir;
  auto rec = created("abcd1234");
  rec.analysis.workflow = "\xFF";
  write_bytes(dir.path() + "/" + journal_name(1), journal_image({rec}));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  ASSERT_EQ(rep.analyses.count("abcd1234"), 1u);
  std::string doc;
  ASSERT_NO_THROW(doc = render_analysis(rep.analyses.at("abcd1234")));
  EXPECT_EQ(nlohmann::json::parse(doc)["workflow"], "\xEF\xBF\xBD");
}
