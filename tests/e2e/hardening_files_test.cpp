// End-to-end hardening of what the server leaves on disk and in its logs:
// secrets never logged, owner-only permissions even under umask 0, and links
// planted in the data dir never followed.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using namespace analysisd::test;
using nlohmann::json;

namespace {

namespace stdfs = std::filesystem;

// Sets the process umask for a scope (children started meanwhile inherit it).
class scoped_umask {
public:
  explicit scoped_umask(mode_t m) : old_(::umask(m)) {
  }
  ~scoped_umask() {
    ::umask(old_);
  }

private:
  mode_t old_;
};

// Every regular file under `dir`, with its contents.
std::vector<std::pair<std::string, std::string>> files_under(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : stdfs::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out.emplace_back(e.path().string(), read_file(e.path().string()));
  return out;
}

std::string flip_last(std::string s) {
  s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

// Runs the binary with `args` and no admin token in the environment; returns
// its exit code (it must end by itself within 30 s).
int run_without_env_token(const std::string& args, std::string& output) {
  return run_command("env -u ANALYSISD_ADMIN_TOKEN timeout 30 " + server_binary()
                       + " " + args,
                     output);
}

} // namespace

// -- secrets ------------------------------------------------------------------

TEST(e2e_hardening_files, keys_and_admin_token_never_appear_in_logs_or_state) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  std::vector<std::string> secrets;
  std::string all_logs;
  {
    // No token in the environment: the server generates one into the data dir.
    server_process server{data, {}, ""};
    auto token = read_file(data + "/admin-token");
    while (!token.empty() && token.back() == '\n')
      token.pop_back();
    ASSERT_EQ(token.size(), 64u);
    secrets.push_back(token);
    auto admin = bearer(token);
    http_client c{server.port()};
    std::vector<job_analysis> jobs;
    for (int k = 0; k < 3; ++k) {
      auto created = c.post("/admin/analyses", create_body().dump(), admin);
      ASSERT_EQ(created.status, 201) << created.body;
      job_analysis a;
      a.doc = created.json();
      a.id = a.doc.at("id").get<std::string>();
      a.job_id = a.doc.at("job").at("id").get<std::string>();
      auto acq = c.patch("/admin/jobs/" + a.job_id, R"({"acquired":true})", admin);
      ASSERT_EQ(acq.status, 200);
      a.key = acq.json().at("key").get<std::string>();
      a.auth = basic_auth(a.job_id, a.key);
      secrets.push_back(a.key);
      jobs.push_back(a);
    }
    auto& a = jobs[0];
    ASSERT_EQ(upload(c, "/api/analyses/" + a.id + "/files?name=r.fa", a.auth).status, 201);
    ASSERT_EQ(c.get("/analyses/" + a.id + "/files/1", a.auth).status, 200);
    ASSERT_EQ(c.patch("/api/analyses/" + a.id, R"({"results":{"k":1}})", a.auth).status, 200);
    // Near misses of every secret, on job and operator routes.
    for (auto& j : jobs) {
      for (auto bad : {flip_last(j.key), j.key.substr(0, 63), j.key + "0", j.key + j.key}) {
        EXPECT_EQ(c.get("/api/analyses/" + j.id, basic_auth(j.job_id, bad)).status, 401);
        EXPECT_EQ(c.patch("/analyses/" + j.id, R"({"results":{}})", basic_auth(j.job_id, bad))
                    .status,
                  401);
      }
      EXPECT_EQ(c.get("/api/analyses/" + jobs[0].id, j.auth).status, j.id == a.id ? 200 : 403);
      EXPECT_EQ(c.get("/admin/analyses", bearer(j.key)).status, 401);
      EXPECT_EQ(c.get("/api/analyses/" + j.id, "Basic " + base64(j.key)).status, 401);
      EXPECT_EQ(c.get("/api/analyses/" + j.id, "Basic " + base64("job-" + j.key + ":" + j.key))
                  .status,
                401);
    }
    for (auto bad : {flip_last(token), token.substr(1), token + "x"})
      EXPECT_EQ(c.get("/admin/analyses", bearer(bad)).status, 401);
    EXPECT_EQ(c.get("/api/analyses/" + a.id, "Basic " + base64("job-x:" + token)).status, 401);
    EXPECT_EQ(c.get("/api/analyses/" + a.id, bearer(token)).status, 401);
    // A request for the admin token file's path is just not found.
    EXPECT_EQ(c.get("/admin-token").status, 404);
    ASSERT_EQ(server.stop(), 0);
    all_logs += server.log();
  }
  {
    // The same data dir with the token from a file.
    auto token_file = dir.path() + "/token";
    write_file(token_file, "file-token-0123456789abcdef\n");
    secrets.push_back("file-token-0123456789abcdef");
    server_process server{data, {"--admin-token-file", token_file}, ""};
    http_client c{server.port()};
    EXPECT_EQ(c.get("/admin/analyses", bearer("file-token-0123456789abcdef")).status, 200);
    EXPECT_EQ(c.get("/admin/analyses", bearer("file-token-0123456789abcdeX")).status, 401);
    ASSERT_EQ(server.stop(), 0);
    all_logs += server.log();
  }
  {
    // And from the environment.
    server_process server{data, {}, "env-token-fedcba9876543210"};
    secrets.push_back("env-token-fedcba9876543210");
    http_client c{server.port()};
    EXPECT_EQ(c.get("/admin/analyses", bearer("env-token-fedcba9876543210")).status, 200);
    EXPECT_EQ(c.get("/admin/analyses", bearer("env-token-fedcba987654321")).status, 401);
    ASSERT_EQ(server.stop(), 0);
    all_logs += server.log();
  }
  ASSERT_FALSE(all_logs.empty());
  EXPECT_NE(all_logs.find("admin token from"), std::string::npos) << all_logs;
  for (auto& s : secrets)
    EXPECT_EQ(all_logs.find(s), std::string::npos) << "secret " << s << " in the log:\n"
                                                    << all_logs;
  // Keys are stored only as hashes: no state file holds one (the token file
  // holds the generated token, by design, and nothing else does).
  for (auto& [path, text] : files_under(data)) {
    if (path == data + "/admin-token")
      continue;
    for (auto& s : secrets)
      EXPECT_EQ(text.find(s), std::string::npos) << "secret " << s << " in " << path;
  }
}

// -- permissions ----------------------------------------------------------------

TEST(e2e_hardening_files, data_dir_is_owner_only_even_under_umask_0) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  scoped_umask open_umask{0};
  {
    server_process server{data, {"--journal-rotate-bytes", "2000"}, ""};
    auto token = read_file(data + "/admin-token");
    token.pop_back();
    auto admin = bearer(token);
    http_client c{server.port()};
    for (int k = 0; k < 12; ++k) {
      auto created = c.post("/admin/analyses", create_body().dump(), admin);
      ASSERT_EQ(created.status, 201);
      auto id = created.json().at("id").get<std::string>();
      auto job = created.json().at("job").at("id").get<std::string>();
      auto key = c.patch("/admin/jobs/" + job, R"({"acquired":true})", admin)
                   .json()
                   .at("key")
                   .get<std::string>();
      ASSERT_EQ(upload(c, "/api/analyses/" + id + "/files?name=r.fa", basic_auth(job, key))
                  .status,
                201);
    }
    // Killed, so that a torn tail can be added to the journal for recovery
    // to quarantine.
    server.kill();
  }
  std::vector<std::string> journals;
  for (auto& e : stdfs::directory_iterator(data + "/state"))
    if (e.path().filename().string().rfind("journal-", 0) == 0)
      journals.push_back(e.path().string());
  ASSERT_FALSE(journals.empty());
  std::sort(journals.begin(), journals.end());
  {
    // Where the records end, the zeros the journal keeps ahead of them begin
    // (frames: a little-endian u32 length, a u32 CRC, the payload; no record
    // is empty): a torn frame goes there.
    std::ifstream in{journals.back(), std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    std::size_t end = 8;
    while (end + 8 <= bytes.size()) {
      std::uint32_t len = 0;
      for (int i = 3; i >= 0; --i)
        len = len << 8 | static_cast<unsigned char>(bytes[end + static_cast<std::size_t>(i)]);
      if (len == 0)
        break;
      end += 8 + len;
    }
    std::fstream torn{journals.back(), std::ios::binary | std::ios::in | std::ios::out};
    torn.seekp(static_cast<std::streamoff>(end));
    torn << std::string("\x40\x00\x00\x00garbage", 11);
  }
  {
    server_process server{data, {}, ""};
    ASSERT_EQ(server.stop(), 0);
  }
  ASSERT_TRUE(stdfs::exists(data + "/state/quarantine"));
  ASSERT_TRUE(stdfs::exists(data + "/state/snapshot"));
  ASSERT_TRUE(stdfs::exists(data + "/admin-token"));
  std::size_t dirs = 0, files = 0;
  auto check = [&](const stdfs::path& p) {
    struct stat st {};
    ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
    auto mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode)) {
      ++dirs;
      EXPECT_EQ(mode, 0700u) << p << " has mode " << std::oct << mode;
    } else {
      ++files;
      EXPECT_TRUE(S_ISREG(st.st_mode)) << p;
      EXPECT_EQ(mode, 0600u) << p << " has mode " << std::oct << mode;
    }
  };
  check(data);
  for (auto& e : stdfs::recursive_directory_iterator(data))
    check(e.path());
  // data, state, quarantine, analyses and one per analysis; token, snapshot,
  // journal, quarantined bytes and the uploads.
  EXPECT_GE(dirs, 4u + 12u);
  EXPECT_GE(files, 4u + 12u);
}

// -- planted links ----------------------------------------------------------------

TEST(e2e_hardening_files, links_planted_where_uploads_go_are_never_followed) {
  temp_dir dir;
  auto outside = dir.path() + "/outside";
  stdfs::create_directories(outside);
  write_file(outside + "/canary", "canary");
  write_file(outside + "/tmp-target", "tmp-original");
  write_file(outside + "/final-target", "final-original");
  auto data = dir.path() + "/data";
  std::string linked_id = "linkdir1", tmp_id = "linktmp1", final_id = "linkfin1";
  std::vector<job_analysis> jobs;
  {
    server_process server{data};
    http_client c{server.port()};
    for (auto& id : {linked_id, tmp_id, final_id})
      jobs.push_back(create_job_analysis(server, c, id));
    auto other = create_job_analysis(server, c);
    ASSERT_EQ(upload(c, "/api/analyses/" + other.id + "/files?name=x.fa", other.auth).status, 201);
    auto root = data + "/analyses/";
    // The analysis directory itself is a link to a directory outside.
    stdfs::create_directory_symlink(outside, root + linked_id);
    // The temporary name and the final name of the next upload are links.
    stdfs::create_directory(root + tmp_id);
    stdfs::permissions(root + tmp_id, stdfs::perms::owner_all);
    stdfs::create_symlink(outside + "/tmp-target", root + tmp_id + "/.1.partial");
    stdfs::create_directory(root + final_id);
    stdfs::permissions(root + final_id, stdfs::perms::owner_all);
    stdfs::create_symlink(outside + "/final-target", root + final_id + "/1-final.fa");

    for (auto& j : jobs) {
      auto res = upload(c, "/api/analyses/" + j.id + "/files?name=final.fa", j.auth, "PAYLOAD");
      // Refused cleanly (a JSON error), never a write through the link.
      EXPECT_TRUE(res.status >= 400 && res.status < 600) << j.id << ": " << res.body;
      EXPECT_NO_THROW((void) res.json()) << j.id << ": " << res.body;
      auto doc = c.get("/api/analyses/" + j.id, j.auth);
      ASSERT_EQ(doc.status, 200);
      EXPECT_EQ(doc.json().at("files"), json::array()) << j.id;
    }
    EXPECT_EQ(read_file(outside + "/tmp-target"), "tmp-original");
    EXPECT_EQ(read_file(outside + "/final-target"), "final-original");
    EXPECT_EQ(read_file(outside + "/canary"), "canary");
    std::vector<std::string> names;
    for (auto& e : stdfs::directory_iterator(outside))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"canary", "final-target", "tmp-target"}));
    ASSERT_EQ(server.stop(), 0);
  }
  {
    // Start-up cleanup meets the links (and a link named like a live
    // analysis): it removes them, never what they point to.
    stdfs::create_directory_symlink(outside, data + "/analyses/" + tmp_id + "x");
    server_process server{data};
    http_client c{server.port()};
    EXPECT_EQ(read_file(outside + "/tmp-target"), "tmp-original");
    EXPECT_EQ(read_file(outside + "/final-target"), "final-original");
    EXPECT_EQ(read_file(outside + "/canary"), "canary");
    // The other uploads work once nothing is in the way.
    for (std::size_t k = 1; k < jobs.size(); ++k) {
      auto res = upload(c, "/api/analyses/" + jobs[k].id + "/files?name=final.fa", jobs[k].auth,
                        "PAYLOAD");
      EXPECT_EQ(res.status, 201) << jobs[k].id << ": " << res.body;
    }
    EXPECT_EQ(read_file(outside + "/tmp-target"), "tmp-original");
    EXPECT_EQ(read_file(outside + "/final-target"), "final-original");
    // Removing an analysis whose directory is a link removes the link only.
    stdfs::create_directory_symlink(outside, data + "/analyses/" + linked_id);
    EXPECT_EQ(c.del("/admin/analyses/" + linked_id, bearer(server.admin_token())).status, 204);
    EXPECT_EQ(read_file(outside + "/canary"), "canary");
    EXPECT_FALSE(stdfs::exists(stdfs::symlink_status(data + "/analyses/" + linked_id)));
  }
}

TEST(e2e_hardening_files, a_linked_admin_token_file_is_never_followed) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  stdfs::create_directories(data);
  auto target = dir.path() + "/elsewhere-token";
  // A dangling link: following it would create the target.
  stdfs::create_symlink(target, data + "/admin-token");
  std::string out;
  EXPECT_EQ(run_without_env_token("--listen 127.0.0.1:" + std::to_string(free_port())
                                    + " --data-dir " + data,
                                  out),
            1)
    << out;
  EXPECT_FALSE(stdfs::exists(target)) << out;
  // A link to an existing file: not read as the token, not overwritten.
  write_file(target, "outside-secret-token\n");
  out.clear();
  EXPECT_EQ(run_without_env_token("--listen 127.0.0.1:" + std::to_string(free_port())
                                    + " --data-dir " + data,
                                  out),
            1)
    << out;
  EXPECT_EQ(read_file(target), "outside-secret-token\n");
  EXPECT_EQ(out.find("outside-secret-token"), std::string::npos) << out;
}

TEST(e2e_hardening_files, links_planted_at_the_next_journal_and_snapshot_names_are_never_followed) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  auto target = dir.path() + "/outside-target";
  write_file(target, "untouched");
  std::vector<job_analysis> jobs;
  {
    server_process server{data, {"--journal-rotate-bytes", "3000"}};
    http_client c{server.port()};
    jobs.push_back(create_job_analysis(server, c));
    // The next journals and the snapshot's temporary name become links.
    std::uint64_t last = 0;
    for (auto& e : stdfs::directory_iterator(data + "/state")) {
      auto name = e.path().filename().string();
      if (name.rfind("journal-", 0) == 0)
        last = std::max<std::uint64_t>(last, std::stoull(name.substr(8)));
    }
    ASSERT_GT(last, 0u);
    for (std::uint64_t seq = last + 1; seq < last + 4; ++seq) {
      char name[64];
      std::snprintf(name, sizeof(name), "journal-%020llu", static_cast<unsigned long long>(seq));
      stdfs::create_symlink(target, data + "/state/" + name);
    }
    stdfs::create_symlink(target, data + "/state/snapshot.tmp");
    // Enough records to ask for rotations.
    for (int k = 0; k < 15; ++k) {
      auto j = create_job_analysis(server, c);
      ASSERT_EQ(upload(c, "/api/analyses/" + j.id + "/files?name=a.fa", j.auth).status, 201);
      jobs.push_back(j);
    }
    EXPECT_EQ(read_file(target), "untouched");
    server.stop(); // the final snapshot cannot be written through the link
    EXPECT_EQ(read_file(target), "untouched");
  }
  // An operator removes the links; every acknowledged change is still there.
  for (auto& e : stdfs::directory_iterator(data + "/state"))
    if (stdfs::is_symlink(e.symlink_status()))
      stdfs::remove(e.path());
  server_process server{data};
  http_client c{server.port()};
  for (auto& j : jobs) {
    auto doc = c.get("/api/analyses/" + j.id, j.auth);
    ASSERT_EQ(doc.status, 200) << j.id;
  }
  EXPECT_EQ(read_file(target), "untouched");
}
