// End-to-end: what an operator may do to a data dir, and what the server does
// with one it did not write (SPEC.md "Command line and data dir"): one server
// per data dir, format versions, damage stops the start until --repair, and
// start-up never deletes what it does not understand.

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace analysisd::test;
namespace fs = boost::filesystem;

namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir))
    return out;
  for (auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  return out;
}

// Every file under `dir` with its bytes, to show that nothing was changed.
std::map<std::string, std::string> tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (fs::is_regular_file(e.path()) && e.path().filename() != "lock")
      out[e.path().string()] = read_file(e.path().string());
  return out;
}

std::string only_journal(const std::string& data_dir) {
  std::string found;
  for (auto& n : names_in(data_dir + "/state"))
    if (n.rfind("journal-", 0) == 0)
      found = data_dir + "/state/" + n;
  return found;
}

// Runs a server on `data` that creates an analysis with the file
// 1-results.fa ("ACGT"), then ends it with SIGTERM (graceful) or SIGKILL;
// returns the analysis's id.
std::string analysis_with_a_file(const std::string& data, bool graceful) {
  server_process server{data};
  http_client c{server.port()};
  auto a = create_job_analysis(server, c);
  EXPECT_EQ(upload_named(c, a.id, "results.fa", "ACGT", a.auth).status, 201);
  if (graceful)
    EXPECT_EQ(server.stop(), 0);
  else
    server.kill();
  return a.id;
}

} // namespace

TEST(e2e_data_dir, a_second_server_on_a_data_dir_in_use_exits_at_once_naming_it_and_the_pid) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  server_process first{data};
  http_client c{first.port()};
  std::string out;
  int code = run_binary_once(data, {}, out, 20);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find(data), std::string::npos) << out;
  EXPECT_NE(out.find("PID " + std::to_string(first.pid())), std::string::npos) << out;
  // The first server lost nothing to the second: what it acknowledges
  // survives a crash (before the lock, the second one's start-up deleted the
  // journal the first was writing).
  auto doc = first.create_analysis(c);
  first.kill();
  first.restart();
  http_client again{first.port()};
  EXPECT_EQ(again.get("/admin/analyses/" + doc.at("id").get<std::string>(), bearer(first.admin_token()))
              .status,
            200);
}

TEST(e2e_data_dir, state_of_a_newer_format_stops_the_start_and_nothing_is_deleted) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  auto id = analysis_with_a_file(data, /*graceful=*/false); // the state is in the journal only
  auto journal = only_journal(data);
  auto bytes = read_file(journal);
  ASSERT_EQ(bytes.substr(0, 6), "ANJRNL");
  bytes[6] = '7'; // what a newer build, or a downgrade, leaves behind
  write_file(journal, bytes);
  auto before = tree(data);
  std::string out;
  EXPECT_NE(run_binary_once(data, {}, out), 0) << out;
  EXPECT_NE(out.find("newer"), std::string::npos) << out;
  EXPECT_EQ(tree(data), before) << "a start that refused changed the data dir";
  EXPECT_EQ(read_file(data + "/analyses/" + id + "/1-results.fa"), "ACGT");
  // Not even --repair touches it.
  out.clear();
  EXPECT_NE(run_binary_once(data, {"--repair"}, out), 0) << out;
  EXPECT_EQ(tree(data), before);
}

TEST(e2e_data_dir, a_format_file_naming_a_newer_format_stops_the_start) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  { server_process server{data}; }
  auto format = nlohmann::json::parse(read_file(data + "/format"));
  EXPECT_EQ(format.at("format"), 2);
  EXPECT_NE(format.at("created_by").get<std::string>().find("analysisd"), std::string::npos);
  write_file(data + "/format", R"({"format": 9, "created_by": "analysisd 9.0.0"})");
  auto before = tree(data);
  std::string out;
  EXPECT_NE(run_binary_once(data, {}, out), 0) << out;
  EXPECT_NE(out.find("format 9"), std::string::npos) << out;
  EXPECT_EQ(tree(data), before);
}

TEST(e2e_data_dir, a_damaged_snapshot_stops_the_start_until_repair_which_keeps_everything_aside) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  auto id = analysis_with_a_file(data, /*graceful=*/true); // the final snapshot holds everything
  auto snapshot = read_file(data + "/state/snapshot");
  ASSERT_FALSE(snapshot.empty());
  snapshot[snapshot.size() - 2] ^= 0x20;
  write_file(data + "/state/snapshot", snapshot);
  auto before = tree(data);
  std::string out;
  EXPECT_NE(run_binary_once(data, {}, out), 0) << out;
  EXPECT_NE(out.find("--repair"), std::string::npos) << "no advice on what to do: " << out;
  EXPECT_EQ(tree(data), before);

  server_process repaired{data, {"--repair"}};
  http_client c{repaired.port()};
  EXPECT_EQ(c.get("/admin/analyses/" + id, bearer(repaired.admin_token())).status, 404);
  // The snapshot and the files no record names any more are set aside, not deleted.
  auto kept = names_in(data + "/state/quarantine");
  EXPECT_TRUE(std::any_of(kept.begin(), kept.end(),
                          [](const std::string& n) { return n.rfind("snapshot.", 0) == 0; }));
  auto files = std::find_if(kept.begin(), kept.end(), [&](const std::string& n) {
    return n.rfind("analyses-" + id + ".", 0) == 0;
  });
  ASSERT_NE(files, kept.end()) << "the analysis's files were not kept";
  EXPECT_EQ(read_file(data + "/state/quarantine/" + *files + "/1-results.fa"), "ACGT");
}

TEST(e2e_data_dir, a_data_dir_of_analysisd_0_1_is_migrated_and_its_documents_served) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  fs::create_directories(data + "/state");
  auto fixture = std::string(ANALYSISD_SOURCE_DIR) + "/tests/persistence/data/format1/";
  fs::copy_file(fixture + "snapshot", data + "/state/snapshot");
  fs::copy_file(fixture + "journal", data + "/state/journal-00000000000000000005");
  fs::create_directories(data + "/analyses/done0001");
  write_file(data + "/analyses/done0001/1-results.fa", "20 bytes of results\n");
  for (int start = 0; start < 2; ++start) {
    server_process server{data};
    http_client c{server.port()};
    // Format-1 analyses have no reference, which SPEC.md renders absent (and
    // the runtime cannot read): fetched raw, past the model check.
    auto res = c.send_raw("GET /admin/analyses/done0001 HTTP/1.1\r\nHost: x\r\nAuthorization: "
                          + bearer(server.admin_token()) + "\r\n\r\n");
    ASSERT_EQ(res.status, 200) << res.body;
    auto doc = res.json();
    EXPECT_EQ(doc.at("results"), nlohmann::json::parse(R"({"hits":[]})"));
    EXPECT_EQ(doc.at("job").at("state"), "complete");
    EXPECT_EQ(doc.at("user").at("handle"), doc.at("user").at("id"));
    EXPECT_TRUE(doc.at("ml").is_null());
    EXPECT_EQ(doc.at("files").at(0).at("name"), "results.fa");
    auto file = c.get("/admin/analyses/done0001/files/1", bearer(server.admin_token()));
    EXPECT_EQ(file.body, "20 bytes of results\n");
    auto a = c.send_raw("GET /admin/analyses/abcd1234 HTTP/1.1\r\nHost: x\r\nAuthorization: "
                        + bearer(server.admin_token()) + "\r\n\r\n");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.json().at("results"), nlohmann::json::parse(R"({"hits":[{"id":1,"name":"x"}]})"));
    // Migrated: format file and state files in the current format.
    EXPECT_EQ(nlohmann::json::parse(read_file(data + "/format")).at("format"), 2);
    EXPECT_EQ(read_file(data + "/state/snapshot").substr(0, 8), "ANSNAP2\n");
    for (auto& n : names_in(data + "/state")) {
      if (n.rfind("journal-", 0) == 0) {
        EXPECT_EQ(read_file(data + "/state/" + n).substr(0, 8), "ANJRNL2\n") << n;
      }
    }
    if (start == 0) {
      EXPECT_NE(server.log().find("migrated the state"), std::string::npos) << server.log();
    }
  }
}

TEST(e2e_data_dir, an_unknown_analyses_directory_is_kept_aside_not_deleted) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  { server_process server{data}; }
  fs::create_directories(data + "/analyses/zzzz9999");
  write_file(data + "/analyses/zzzz9999/1-precious.bam", "not ours to delete");
  server_process server{data};
  EXPECT_FALSE(fs::exists(data + "/analyses/zzzz9999"));
  auto kept = names_in(data + "/state/quarantine");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(read_file(data + "/state/quarantine/" + kept[0] + "/1-precious.bam"),
            "not ours to delete");
  EXPECT_NE(server.log().find("moved"), std::string::npos) << server.log();
}

TEST(e2e_data_dir, max_json_bytes_above_what_a_journal_record_holds_is_refused) {
  temp_dir dir;
  std::string out;
  EXPECT_EQ(run_binary_once(dir.path() + "/data", {"--max-json-bytes", "1073741824"}, out), 2)
    << out;
  EXPECT_NE(out.find("max-json-bytes"), std::string::npos) << out;
}
