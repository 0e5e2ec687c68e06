// End-to-end: `analysisd admin ...`, the operator's command line, against a
// real server: every command, its output and exit codes (0, 1 with the
// server's message, 2 for usage), and the admin token from each source.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>

using namespace analysisd::test;
namespace fs = boost::filesystem;

namespace {

struct run_result {
  int code = -1;
  std::string out; ///< stdout
  std::string err; ///< stderr
};

// Runs `analysisd admin ARGS` in a clean environment plus `env` (NAME=VALUE
// words), with `input` on stdin.
run_result admin(const std::string& env, const std::string& args, const std::string& dir,
                 const std::string& input = {}) {
  run_result r;
  auto err_path = dir + "/stderr";
  auto in_path = dir + "/stdin";
  std::ofstream{in_path} << input;
  std::string pass; // the sanitizers' settings, if any
  for (auto var : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (auto v = std::getenv(var))
      pass += std::string{" "} + var + "='" + v + "'";
  // In a subshell: run_command adds 2>&1 to the whole.
  auto cmd = "(cd " + dir + " && env -i PATH=/usr/bin:/bin" + pass + " " + env + " "
             + server_binary() + " admin " + args + " <" + in_path + " 2>" + err_path + ")";
  r.code = run_command(cmd, r.out);
  r.err = read_file(err_path);
  return r;
}

class e2e_admin_cli : public ::testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<server_process>(dir_.path() + "/data");
    url_ = "--url http://127.0.0.1:" + std::to_string(server_->port());
    token_env_ = "ANALYSISD_ADMIN_TOKEN=" + server_->admin_token();
  }

  run_result ok(const std::string& args, const std::string& input = {}) {
    auto r = admin(token_env_, url_ + " " + args, dir_.path(), input);
    EXPECT_EQ(r.code, 0) << args << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r;
  }

  std::string create_flags() {
    return "create --workflow pathoscope_bowtie --sample-id kigvhuql --sample-name 'Test 1' "
           "--index-id qldihken --index-version 0 --user-id igboyes "
           "--subtraction 'yhxoynb0:Arabidopsis Thaliana' --reference-id d19exr83 "
           "--reference-name 'Plant Viruses' --reference-data-type genome";
  }

  temp_dir dir_;
  std::unique_ptr<server_process> server_;
  std::string url_;
  std::string token_env_;
};

} // namespace

TEST_F(e2e_admin_cli, create_get_acquire_list_and_delete) {
  // create from flags: the document, compact, on one line.
  auto created = ok(create_flags() + " --id abcd1234");
  auto doc = nlohmann::json::parse(created.out);
  EXPECT_EQ(doc["id"], "abcd1234");
  EXPECT_EQ(doc["subtractions"][0]["name"], "Arabidopsis Thaliana");
  EXPECT_EQ(doc["reference"]["data_type"], "genome");
  EXPECT_EQ(std::count(created.out.begin(), created.out.end(), '\n'), 1);
  // from a file, with a flag over it; from stdin.
  std::ofstream{dir_.path() + "/req.json"} << create_body("file0001").dump();
  EXPECT_EQ(nlohmann::json::parse(ok("create req.json --workflow nuvs").out)["workflow"], "nuvs");
  EXPECT_EQ(ok("create - --field id", create_body("stdin001").dump()).out, "stdin001\n");
  // get, --pretty, --field.
  auto got = ok("get abcd1234 --pretty");
  EXPECT_EQ(nlohmann::json::parse(got.out)["id"], "abcd1234");
  EXPECT_NE(got.out.find("\n  \"created_at\""), std::string::npos) << got.out;
  auto job = ok("get abcd1234 --field job.id").out;
  ASSERT_TRUE(std::regex_match(job, std::regex{"[a-z0-9]{8}\n"})) << job;
  job.pop_back();
  // acquire prints the key alone; a second acquire is the server's 400.
  auto key = ok("acquire " + job).out;
  EXPECT_TRUE(std::regex_match(key, std::regex{"[0-9a-f]{64}\n"})) << key;
  auto again = admin(token_env_, url_ + " acquire " + job, dir_.path());
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_NE(again.err.find("400 Bad Request: Job already acquired"), std::string::npos)
    << again.err;
  // The key works for the job.
  key.pop_back();
  http_client c{server_->port()};
  EXPECT_EQ(c.get("/api/analyses/abcd1234", basic_auth(job, key)).status, 200);
  // list, with paging.
  auto page = nlohmann::json::parse(ok("list --page 2 --per-page 1").out);
  EXPECT_EQ(page["found_count"], 3);
  EXPECT_EQ(page["page"], 2);
  EXPECT_EQ(page["per_page"], 1);
  EXPECT_EQ(page["documents"].size(), 1u);
  // delete: no output; then get is a 404 with the server's message.
  EXPECT_EQ(ok("delete abcd1234").out, "");
  auto gone = admin(token_env_, url_ + " get abcd1234", dir_.path());
  EXPECT_EQ(gone.code, 1);
  EXPECT_NE(gone.err.find("404 Not Found: Not found"), std::string::npos) << gone.err;
  // An invalid body: 1, with the fields the server named.
  auto bad = admin(token_env_, url_ + " create --workflow w", dir_.path());
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("422 Unprocessable Entity: Invalid input"), std::string::npos)
    << bad.err;
  EXPECT_NE(bad.err.find("sample: required field"), std::string::npos) << bad.err;
}

TEST_F(e2e_admin_cli, backup_makes_a_data_dir_a_server_starts_on) {
  ok(create_flags() + " --id back0001");
  auto r = ok("backup --to backup");
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["path"], dir_.path() + "/backup"); // relative: to the current directory
  EXPECT_EQ(report["analyses"], 1);
  auto again = admin(token_env_, url_ + " backup " + dir_.path() + "/backup", dir_.path());
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("409 Conflict: Backup destination is not empty"), std::string::npos)
    << again.err;
  server_process restored{dir_.path() + "/backup"};
  http_client c{restored.port()};
  EXPECT_EQ(c.get("/admin/analyses/back0001", "Bearer " + restored.admin_token()).status, 200);
}

TEST_F(e2e_admin_cli, the_token_comes_from_the_servers_sources) {
  ok(create_flags() + " --id tokn0001");
  auto file = dir_.path() + "/token";
  std::ofstream{file} << server_->admin_token() << "\n";
  auto get = url_ + " get tokn0001 --field id";
  // ANALYSISD_ADMIN_TOKEN_FILE, --admin-token-file, DIR/admin-token.
  EXPECT_EQ(admin("ANALYSISD_ADMIN_TOKEN_FILE=" + file, get, dir_.path()).out, "tokn0001\n");
  EXPECT_EQ(admin("", "--admin-token-file " + file + " " + get, dir_.path()).out, "tokn0001\n");
  fs::create_directories(dir_.path() + "/other");
  std::ofstream{dir_.path() + "/other/admin-token"} << server_->admin_token() << "\n";
  EXPECT_EQ(admin("", "--data-dir other " + get, dir_.path()).out, "tokn0001\n");
  EXPECT_EQ(admin("ANALYSISD_DATA_DIR=other", get, dir_.path()).out, "tokn0001\n");
  // The environment's token wins over the flag's file (SPEC.md), as for the server.
  EXPECT_EQ(admin("ANALYSISD_ADMIN_TOKEN=wrong", "--admin-token-file " + file + " " + get,
                  dir_.path())
              .code,
            1);
  // --config: the server's file names the listen address and the token file;
  // ANALYSISD_URL names the server too.
  std::ofstream{dir_.path() + "/analysisd.conf"}
    << "listen = \"127.0.0.1:" << server_->port() << "\"\nadmin-token-file = \"" << file
    << "\"\n";
  EXPECT_EQ(admin("", "--config analysisd.conf get tokn0001 --field id", dir_.path()).out,
            "tokn0001\n");
  EXPECT_EQ(admin("ANALYSISD_URL=http://127.0.0.1:" + std::to_string(server_->port()) + " "
                    + token_env_,
                  "get tokn0001 --field id", dir_.path())
              .out,
            "tokn0001\n");
  // A wrong token: 1, with the server's message.
  auto wrong = admin("ANALYSISD_ADMIN_TOKEN=wrong", get, dir_.path());
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("401 Unauthorized: Invalid authorization header"), std::string::npos)
    << wrong.err;
  // No token anywhere: a usage error that says where it looked.
  auto none = admin("", get, dir_.path());
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("./data/admin-token"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("ANALYSISD_ADMIN_TOKEN"), std::string::npos) << none.err;
}

TEST_F(e2e_admin_cli, errors_and_usage) {
  // No server: 1, with where it went and why.
  auto down = admin(token_env_, "--url http://127.0.0.1:1 list", dir_.path());
  EXPECT_EQ(down.code, 1);
  EXPECT_NE(down.err.find("cannot reach analysisd at http://127.0.0.1:1"), std::string::npos)
    << down.err;
  // Usage errors: 2, on stderr, nothing on stdout.
  for (auto args : {"", "get", "frobnicate", "--no-such-flag list", "list --page 0",
                    "create", "create --subtraction nocolon --workflow w",
                    "create /no/such/file.json", "acquire a/b"}) {
    auto r = admin(token_env_, url_ + " " + args, dir_.path());
    EXPECT_EQ(r.code, 2) << args << ": " << r.err;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_NE(r.err.find("analysisd admin: "), std::string::npos) << args << ": " << r.err;
  }
  // A bad config file is the server's strict error.
  std::ofstream{dir_.path() + "/bad.conf"} << "no-such-key = 1\n";
  auto conf = admin(token_env_, "--config bad.conf list", dir_.path());
  EXPECT_EQ(conf.code, 2);
  EXPECT_NE(conf.err.find("unknown key 'no-such-key'"), std::string::npos) << conf.err;
  // --help on stdout, 0.
  auto help = admin("", "--help", dir_.path());
  EXPECT_EQ(help.code, 0);
  for (auto word : {"create", "acquire", "list", "get", "delete", "backup", "--url"})
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
}
