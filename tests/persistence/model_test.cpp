#include "persistence/model.hpp"
#include "persistence/recovery.hpp"

#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>

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

namespace {

// The document built as an nlohmann object and dumped: how releases before
// the one-pass writer rendered it, kept as the oracle for that writer.
nlohmann::json reference_file(const std::string& analysis_id, const file_record& f) {
  return {{"analysis", analysis_id},
          {"description", nullptr},
          {"format", f.format.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.format)},
          {"id", f.id},
          {"name", f.name},
          {"name_on_disk", name_on_disk(f)},
          {"size", f.size},
          {"uploaded_at", format_timestamp(f.uploaded_at)}};
}

std::string reference_render(const analysis_state& a, bool with_results) {
  auto files = nlohmann::json::array();
  for (auto& f : a.files)
    files.push_back(reference_file(a.id, f));
  auto subtractions = nlohmann::json::array();
  for (auto& s : a.subtractions)
    subtractions.push_back({{"id", s.id}, {"name", s.name}});
  nlohmann::json user = {{"id", a.user_id},
                         {"handle", a.user_handle.empty() ? a.user_id : a.user_handle}};
  nlohmann::json doc = {
    {"id", a.id},
    {"created_at", format_timestamp(a.created_at)},
    {"updated_at", format_timestamp(a.updated_at)},
    {"job",
     {{"id", a.job_id},
      {"archived", false},
      {"created_at", format_timestamp(a.created_at)},
      {"progress", a.ready ? 100 : 0},
      {"stage", nullptr},
      {"state", a.ready ? "complete" : a.job_acquired ? "running" : "waiting"},
      {"user", user},
      {"workflow", a.workflow}}},
    {"files", std::move(files)},
    {"workflow", a.workflow},
    {"sample", {{"id", a.sample.id}, {"name", a.sample.name}}},
    {"index", {{"id", a.index.id}, {"version", a.index.version}}},
    {"ml", a.ml.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(a.ml)},
    {"user", user},
    {"subtractions", std::move(subtractions)},
    {"ready", a.ready}};
  if (!a.reference.id.empty())
    doc["reference"] = {{"id", a.reference.id},
                        {"name", a.reference.name},
                        {"data_type", a.reference.data_type}};
  auto text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (with_results) // spliced in last, not sorted in
    text.insert(text.size() - 1,
                ",\"results\":" + (a.ready && !a.results.empty() ? a.results : "null"));
  return text;
}

} // namespace

// The one-pass writer against the nlohmann object it replaced, over random
// analyses whose strings hold quotes, backslashes, control characters, UTF-8
// of every length and bytes that are not UTF-8.
TEST(model, rendering_matches_the_nlohmann_object_dump_byte_for_byte) {
  std::mt19937_64 rng(20261130);
  const std::vector<std::string> atoms = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t",
                                          std::string(1, '\0'), "\x01", "\x1f", "\x7f",
                                          "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x8C\xBF",
                                          "\xFF", "\xC3", "\xE2\x82", "\xED\xA0\x80"};
  auto text = [&] {
    std::string s;
    for (auto n = rng() % 12; n > 0; --n)
      s += atoms[rng() % atoms.size()];
    return s;
  };
  auto big = [&] { return static_cast<std::int64_t>(rng() >> (rng() % 64)); };
  for (int round = 0; round < 2000; ++round) {
    analysis_state a;
    a.id = text();
    a.created_at = big() % 4102444800000000;
    a.updated_at = big() % 4102444800000000;
    a.job_id = text();
    a.workflow = text();
    a.sample = {text(), text()};
    a.index = {text(), round % 7 == 0 ? -big() : big()};
    a.user_id = text();
    if (rng() % 2)
      a.user_handle = text();
    a.job_acquired = rng() % 2;
    if (rng() % 2)
      a.reference = {text() + "r", text(), rng() % 2 ? "genome" : "barcode"};
    if (rng() % 2)
      a.ml = R"({"id":3,"model":{"id":1,"latest_release":null},"name":"1.0.2"})"; // compact, as stored
    for (auto n = rng() % 4; n > 0; --n)
      a.subtractions.push_back({text(), text()});
    for (auto n = rng() % 4; n > 0; --n)
      a.files.push_back({rng(), text(), rng() % 2 ? text() : std::string{}, rng(),
                         big() % 4102444800000000});
    a.ready = rng() % 2;
    if (rng() % 2)
      a.results = R"({"hits":[{"id":"otu1","reads":12}],"read_count":1000})";
    for (bool with_results : {false, true}) {
      auto got = render_analysis(a, with_results);
      auto want = reference_render(a, with_results);
      auto at = std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
      ASSERT_EQ(got, want) << "round " << round << ", first difference at " << at << ": "
                           << got.substr(at > 40 ? at - 40 : 0, 80) << " | "
                           << want.substr(at > 40 ? at - 40 : 0, 80);
    }
    for (auto& f : a.files)
      ASSERT_EQ(render_file(a.id, f),
                reference_file(a.id, f).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace));
  }
}

TEST(model, the_document_carries_what_the_job_runtime_requires) {
  auto a = sample_analysis("abcd1234");
  auto doc = nlohmann::json::parse(render_analysis(a));
  EXPECT_EQ(doc["job"]["state"], "waiting");
  EXPECT_EQ(doc["job"]["progress"], 0);
  EXPECT_TRUE(doc["job"]["stage"].is_null());
  EXPECT_EQ(doc["job"]["archived"], false);
  EXPECT_EQ(doc["job"]["created_at"], doc["created_at"]);
  EXPECT_EQ(doc["job"]["workflow"], "pathoscope_bowtie");
  EXPECT_EQ(doc["user"], (nlohmann::json{{"id", "igboyes"}, {"handle", "igboyes"}}));
  EXPECT_EQ(doc["job"]["user"], doc["user"]);
  EXPECT_TRUE(doc.contains("ml") && doc["ml"].is_null());
  EXPECT_TRUE(doc.contains("results") && doc["results"].is_null());
  EXPECT_FALSE(doc.contains("reference")) << "no reference was given";
  EXPECT_FALSE(nlohmann::json::parse(render_analysis(a, false)).contains("results"));

  a.user_handle = "Ian";
  a.reference = {"d19exr83", "Plant Viruses", "genome"};
  a.job_acquired = true;
  doc = nlohmann::json::parse(render_analysis(a));
  EXPECT_EQ(doc["job"]["state"], "running");
  EXPECT_EQ(doc["user"]["handle"], "Ian");
  EXPECT_EQ(doc["reference"],
            (nlohmann::json{{"id", "d19exr83"}, {"name", "Plant Viruses"}, {"data_type", "genome"}}));

  a.ready = true;
  a.results = R"({"hits":[]})";
  doc = nlohmann::json::parse(render_analysis(a));
  EXPECT_EQ(doc["job"]["state"], "complete");
  EXPECT_EQ(doc["job"]["progress"], 100);
  EXPECT_EQ(doc["results"], nlohmann::json::parse(R"({"hits":[]})"));
}

// What format_timestamp wrote before it computed dates itself: gmtime_r
// and printf. The two agree on every instant gmtime_r can convert.
std::string timestamp_by_gmtime(timestamp t) {
  auto secs = static_cast<std::time_t>(t / 1000000);
  auto micros = static_cast<long>(t % 1000000);
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  std::tm tm{};
  if (gmtime_r(&secs, &tm) == nullptr)
    return {};
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

TEST(model, timestamps_are_rendered_as_gmtime_and_printf_render_them) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(951782400000000 + 123), "2000-02-29T00:00:00.000123Z");
  EXPECT_EQ(format_timestamp(253402300799999999), "9999-12-31T23:59:59.999999Z");
  // Where four digits stop holding the year, printf's way takes over.
  EXPECT_EQ(format_timestamp(253402300800000000), "10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(-62167219200000000), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_timestamp(-62167219200000001), "-001-12-31T23:59:59.999999Z");
  for (timestamp t : {std::numeric_limits<timestamp>::min(), std::numeric_limits<timestamp>::max()})
    EXPECT_EQ(format_timestamp(t), timestamp_by_gmtime(t)) << t;
  std::mt19937_64 rng{20261202};
  // Every day from 1900 to 2200 at a random time of it, then instants spread
  // over years 0 to 9999 and beyond, on both sides of the epoch.
  for (std::int64_t day = -25567; day < 84006; ++day) {
    timestamp t = day * 86400000000 + static_cast<timestamp>(rng() % 86400000000);
    ASSERT_EQ(format_timestamp(t), timestamp_by_gmtime(t)) << t;
  }
  std::uniform_int_distribution<timestamp> wide{-62167219200000000 * 2, 253402300800000000 * 2};
  for (int i = 0; i < 200000; ++i) {
    timestamp t = wide(rng);
    ASSERT_EQ(format_timestamp(t), timestamp_by_gmtime(t)) << t;
  }
}
