// End-to-end: backups. POST /admin/backup under a load of creates, uploads,
// finalizes and removes; a server started on the backup holds every change
// acknowledged before the backup was asked for, with byte-identical files,
// and nothing a clean data dir would not hold. Then the route's errors, and
// `analysisd backup` for a stopped server.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

using namespace analysisd::test;
namespace fs = boost::filesystem;

namespace {

std::string admin_bearer(const server_process& s) {
  return "Bearer " + s.admin_token();
}

http_response backup_to(http_client& c, const server_process& s, const std::string& path) {
  return c.post("/admin/backup", nlohmann::json{{"path", path}}.dump(), admin_bearer(s));
}

// What the clients were told, per analysis.
struct tracked {
  std::string id;
  std::map<std::string, std::string> files; ///< name -> bytes, acknowledged (201)
  bool finalized = false;                    ///< 200 to its finalize
  bool delete_sent = false;                  ///< a remove was sent (its outcome may be unknown)
  bool deleted = false;                      ///< 204 to it
};

struct ledger {
  std::mutex mutex;
  std::map<std::string, tracked> analyses;
};

// One client's loop: create and acquire, upload a few files, finalize some,
// remove some (by the job, before finalizing), until `stop`.
void client_loop(const server_process& server, ledger& book, std::atomic<bool>& stop,
                 unsigned seed, std::atomic<int>& errors) {
  http_client c{server.port()};
  std::mt19937 rng{seed};
  while (!stop.load()) {
    auto created = c.post("/admin/analyses", create_body().dump(), admin_bearer(server));
    if (created.status != 201) {
      ++errors;
      continue;
    }
    auto doc = created.json();
    auto id = doc["id"].get<std::string>();
    {
      std::lock_guard<std::mutex> g{book.mutex};
      book.analyses[id].id = id;
    }
    auto job = doc["job"]["id"].get<std::string>();
    auto acquired = c.patch("/admin/jobs/" + job, R"({"acquired":true})", admin_bearer(server));
    if (acquired.status != 200) {
      ++errors;
      continue;
    }
    auto auth = basic_auth(job, acquired.json()["key"].get<std::string>());
    int files = static_cast<int>(rng() % 4);
    for (int k = 0; k < files && !stop.load(); ++k) {
      std::string bytes(rng() % (256 * 1024), '\0');
      for (auto& b : bytes)
        b = static_cast<char>(rng());
      auto name = "f" + std::to_string(k) + ".fa";
      auto res = upload_named(c, id, name, bytes, auth);
      if (res.status != 201) {
        ++errors;
        continue;
      }
      std::lock_guard<std::mutex> g{book.mutex};
      book.analyses[id].files[name] = std::move(bytes);
    }
    auto what = rng() % 3;
    if (what == 0) {
      auto res = c.patch("/api/analyses/" + id, R"({"results":{"hits":[1,2,3]}})", auth);
      std::lock_guard<std::mutex> g{book.mutex};
      if (res.status == 200)
        book.analyses[id].finalized = true;
      else
        ++errors;
    } else if (what == 1) {
      {
        std::lock_guard<std::mutex> g{book.mutex};
        book.analyses[id].delete_sent = true;
      }
      auto res = c.del("/api/analyses/" + id, auth);
      std::lock_guard<std::mutex> g{book.mutex};
      if (res.status == 204)
        book.analyses[id].deleted = true;
      else
        ++errors;
    }
  }
}

// Paths under `dir` whose name matches nothing a clean data dir holds.
std::vector<std::string> stray_entries(const std::string& dir) {
  std::vector<std::string> stray;
  for (fs::recursive_directory_iterator i{dir}, end; i != end; ++i) {
    auto name = i->path().filename().string();
    auto rel = i->path().string().substr(dir.size());
    if (name[0] == '.' || name == "lock" || name.rfind("journal-", 0) == 0
        || name.find(".tmp") != std::string::npos || name == "quarantine"
        || name == "backup.staging")
      stray.push_back(rel);
  }
  return stray;
}

// Checks, on a server running on the backup, everything the ledger says was
// acknowledged; `later` is the ledger as it stood at the end (for what was
// sent after the backup was asked for).
void check_restored(server_process& restored, const std::map<std::string, tracked>& before,
                    const std::map<std::string, tracked>& later) {
  http_client c{restored.port()};
  std::size_t present = 0;
  for (auto& [id, t] : before) {
    auto res = c.get("/admin/analyses/" + id, admin_bearer(restored));
    if (t.deleted) {
      EXPECT_EQ(res.status, 404) << id << " was removed before the backup";
      continue;
    }
    if (res.status == 404) {
      EXPECT_TRUE(later.at(id).delete_sent) << id << " is missing from the backup";
      continue;
    }
    ASSERT_EQ(res.status, 200) << res.body;
    ++present;
    auto doc = res.json();
    if (t.finalized) {
      EXPECT_TRUE(doc["ready"].get<bool>()) << id << " was finalized before the backup";
    }
    std::map<std::string, std::uint64_t> ids;
    for (auto& f : doc["files"])
      ids[f["name"].get<std::string>()] = f["id"].get<std::uint64_t>();
    for (auto& [name, bytes] : t.files) {
      auto i = ids.find(name);
      if (i == ids.end()) {
        ADD_FAILURE() << id << "/" << name << " was acknowledged before the backup";
        continue;
      }
      auto got = c.get("/admin/analyses/" + id + "/files/" + std::to_string(i->second),
                       admin_bearer(restored));
      EXPECT_EQ(got.status, 200) << id << "/" << name;
      EXPECT_TRUE(got.body == bytes) << id << "/" << name << ": " << got.body.size()
                                     << " bytes, expected " << bytes.size();
    }
  }
  EXPECT_GT(present, 0u);
}

} // namespace

TEST(e2e_backup, a_backup_under_load_holds_every_acknowledged_change) {
  temp_dir dir;
  // Small journals: compactions run while the backup does.
  server_process server{dir.path() + "/data", {"--journal-rotate-bytes", "64KiB"}};
  ledger book;
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> clients;
  for (unsigned k = 0; k < 4; ++k)
    clients.emplace_back([&, k] { client_loop(server, book, stop, 1000 + k, errors); });
  http_client c{server.port()};
  std::vector<std::pair<std::map<std::string, tracked>, std::string>> backups;
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    std::map<std::string, tracked> before;
    {
      std::lock_guard<std::mutex> g{book.mutex};
      before = book.analyses;
    }
    auto dest = dir.path() + "/backup-" + std::to_string(round);
    auto res = backup_to(c, server, dest);
    ASSERT_EQ(res.status, 201) << res.body;
    auto report = res.json();
    EXPECT_EQ(report["path"], dest);
    EXPECT_EQ(report["missing"], 0);
    EXPECT_EQ(report["copied"], 0) << "same file system: hard links";
    EXPECT_EQ(report["linked"], report["files"]);
    backups.emplace_back(std::move(before), dest);
  }
  stop = true;
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(errors.load(), 0);
  std::map<std::string, tracked> later;
  {
    std::lock_guard<std::mutex> g{book.mutex};
    later = book.analyses;
  }
  ASSERT_EQ(server.stop(), 0) << server.log();
  for (auto& [before, dest] : backups) {
    SCOPED_TRACE(dest);
    EXPECT_GT(before.size(), 0u);
    // No lock, no journal, no temporary upload file: a snapshot and the files.
    EXPECT_EQ(stray_entries(dest), std::vector<std::string>{});
    EXPECT_TRUE(fs::exists(dest + "/format"));
    EXPECT_TRUE(fs::exists(dest + "/state/snapshot"));
    server_process restored{dest};
    check_restored(restored, before, later);
    // A clean data dir: the start-up found nothing to clean up.
    EXPECT_EQ(restored.log().find("start-up cleanup"), std::string::npos) << restored.log();
    EXPECT_EQ(restored.stop(), 0);
  }
}

TEST(e2e_backup, a_backup_on_another_file_system_is_copied) {
  if (!fs::is_directory("/dev/shm"))
    GTEST_SKIP() << "no /dev/shm";
  struct stat a {}, b {};
  temp_dir dir;
  ::stat(dir.path().c_str(), &a);
  ::stat("/dev/shm", &b);
  if (a.st_dev == b.st_dev)
    GTEST_SKIP() << "/dev/shm is on the temporary directory's file system";
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto a1 = create_job_analysis(server, c);
  ASSERT_EQ(upload_named(c, a1.id, "x.fa", std::string(300000, 'x'), a1.auth).status, 201);
  auto dest = "/dev/shm/" + fs::unique_path("analysisd-backup-%%%%-%%%%").string();
  auto res = backup_to(c, server, dest);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json()["copied"], 1);
  EXPECT_EQ(res.json()["linked"], 0);
  // The staging links inside the data dir are gone.
  EXPECT_FALSE(fs::exists(dir.path() + "/data/state/backup.staging"));
  {
    server_process restored{dest};
    http_client rc{restored.port()};
    auto got = rc.get("/admin/analyses/" + a1.id + "/files/1", admin_bearer(restored));
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, std::string(300000, 'x'));
  }
  fs::remove_all(dest);
}

TEST(e2e_backup, bad_destinations_get_clear_errors) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  server.create_analysis(c);
  // Not empty: 409, and nothing in it is touched.
  fs::create_directories(dir.path() + "/full");
  std::ofstream{dir.path() + "/full/keep"} << "mine";
  expect_error(backup_to(c, server, dir.path() + "/full"), 409, "conflict",
               "Backup destination is not empty");
  EXPECT_EQ(read_file(dir.path() + "/full/keep"), "mine");
  auto invalid = [&](const http_response& res, const std::string& reason) {
    expect_error(res, 422, "invalid_input", "Invalid input", reason);
    auto errors = res.json()["errors"]["path"];
    ASSERT_EQ(errors.size(), 1u) << res.body;
    EXPECT_NE(errors[0].get<std::string>().find(reason), std::string::npos) << res.body;
  };
  invalid(backup_to(c, server, "relative/dir"), "must be an absolute path");
  invalid(backup_to(c, server, dir.path() + "/no/such/parent"), "parent directory");
  invalid(backup_to(c, server, dir.path() + "/data/inside"), "must be outside the data dir");
  invalid(backup_to(c, server, dir.path() + "/full/keep"), "not a directory");
  invalid(c.post("/admin/backup", R"({"to":"/x"})", admin_bearer(server)), "required field");
  invalid(c.post("/admin/backup", "not json", admin_bearer(server)), "required field");
  expect_error(c.post("/admin/backup", R"({"path":"/tmp/x"})", "Bearer wrong"), 401,
               "unauthorized", "Invalid authorization header");
  expect_error(c.get("/admin/backup", admin_bearer(server)), 405, "method_not_allowed",
               "Method not allowed");
  EXPECT_FALSE(fs::exists(dir.path() + "/data/inside"));
  // An empty directory is fine.
  fs::create_directories(dir.path() + "/empty");
  EXPECT_EQ(backup_to(c, server, dir.path() + "/empty").status, 201);
}

namespace {

// `analysisd backup` of the stopped server's `data` into `dest`: its report,
// or null (a failure, reported).
nlohmann::json offline_backup(const std::string& data, const std::string& dest) {
  std::string out;
  auto status =
    run_command(server_binary() + " backup --data-dir " + data + " --to " + dest + " 2>&1", out);
  EXPECT_EQ(status, 0) << out;
  return status == 0 ? nlohmann::json::parse(out) : nlohmann::json{};
}

} // namespace

TEST(e2e_backup, a_stopped_servers_data_dir_is_backed_up_offline) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  server_process server{data};
  http_client c{server.port()};
  auto a1 = create_job_analysis(server, c);
  ASSERT_EQ(upload_named(c, a1.id, "r.fa", "ACGT", a1.auth).status, 201);
  std::string out;
  // Running: the lock says so, and points at the online backup.
  EXPECT_EQ(run_command(server_binary() + " backup --data-dir " + data + " --to " + dir.path()
                          + "/b",
                        out),
            1)
    << out;
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
  EXPECT_NE(out.find("analysisd admin backup"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir.path() + "/b"));
  ASSERT_EQ(server.stop(), 0);
  // A clean stop leaves no zeros ahead: the final snapshot holds everything,
  // and the one journal left holds only its magic.
  std::vector<std::string> journals;
  for (auto& e : fs::directory_iterator(data + "/state"))
    if (e.path().filename().string().rfind("journal-", 0) == 0)
      journals.push_back(read_file(e.path().string()));
  ASSERT_EQ(journals.size(), 1u);
  EXPECT_EQ(journals[0], "ANJRNL2\n");
  auto report = offline_backup(data, dir.path() + "/b");
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["files"], 1);
  EXPECT_EQ(report["analyses"], 1);
  // A finished backup has no marker; one with it (a backup that a crash or a
  // stop interrupted) is refused.
  EXPECT_FALSE(fs::exists(dir.path() + "/b/BACKUP-UNFINISHED"));
  ASSERT_EQ(run_command("cp -a " + dir.path() + "/b " + dir.path() + "/c && touch " + dir.path()
                          + "/c/BACKUP-UNFINISHED",
                        out),
            0);
  out.clear();
  EXPECT_EQ(run_command(server_binary() + " --listen 127.0.0.1:0 --data-dir " + dir.path() + "/c",
                        out),
            1)
    << out;
  EXPECT_NE(out.find("a backup that never finished"), std::string::npos) << out;
  server_process restored{dir.path() + "/b"};
  http_client rc{restored.port()};
  auto got = rc.get("/admin/analyses/" + a1.id + "/files/1", admin_bearer(restored));
  EXPECT_EQ(got.body, "ACGT");
  out.clear();
  EXPECT_EQ(run_command(server_binary() + " backup --bogus", out), 2) << out;
}

// A killed server's newest journal ends with the zeros its writer keeps ahead
// of its records: an offline backup reads past them, without a start first,
// and leaves the data dir as it was.
TEST(e2e_backup, a_killed_servers_data_dir_is_backed_up_offline) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  server_process server{data};
  http_client c{server.port()};
  auto a1 = create_job_analysis(server, c);
  ASSERT_EQ(upload_named(c, a1.id, "r.fa", "ACGT", a1.auth).status, 201);
  ASSERT_EQ(c.patch("/api/analyses/" + a1.id, R"({"results":{"hits":[1]}})", a1.auth).status, 200);
  server.kill();
  std::string journals;
  ASSERT_EQ(run_command("cd " + data + "/state && ls -l journal-*", journals), 0) << journals;
  auto report = offline_backup(data, dir.path() + "/b");
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(report["analyses"], 1);
  EXPECT_EQ(report["files"], 1);
  std::string after;
  ASSERT_EQ(run_command("cd " + data + "/state && ls -l journal-*", after), 0);
  EXPECT_EQ(after, journals) << "the backup changed the data dir's journals";
  server_process restored{dir.path() + "/b"};
  http_client rc{restored.port()};
  auto got = rc.get("/admin/analyses/" + a1.id, admin_bearer(restored));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(nlohmann::json::parse(got.body)["results"], nlohmann::json::parse(R"({"hits":[1]})"));
}
