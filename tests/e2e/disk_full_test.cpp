// End-to-end: a really full disk. The test mounts a small tmpfs (it needs
// root, which CI has), runs the real binary on it and fills it up.

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <string>

using namespace analysisd::test;
namespace fs = boost::filesystem;

namespace {

/// A tmpfs of `size_mib` MiB mounted on a fresh directory, unmounted at the end.
class small_filesystem {
public:
  explicit small_filesystem(int size_mib) {
    auto options = "size=" + std::to_string(size_mib) + "m,mode=0700";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) != 0)
      error_ = std::strerror(errno);
    else
      mounted_ = true;
  }
  ~small_filesystem() {
    if (mounted_)
      ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  small_filesystem(const small_filesystem&) = delete;
  small_filesystem& operator=(const small_filesystem&) = delete;

  bool mounted() const {
    return mounted_;
  }
  const std::string& error() const {
    return error_;
  }
  const std::string& path() const {
    return dir_.path();
  }

  /// Writes a filler file until the file system is full.
  void fill() {
    std::ofstream out{path() + "/filler", std::ios::binary | std::ios::app};
    std::string chunk(64 * 1024, 'f');
    while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush()) {
    }
    // Then byte by byte into the last partial page, so nothing is left.
    out.clear();
    for (int i = 0; i < 8192 && out.put('f') && out.flush(); ++i) {
    }
  }
  void free_space() {
    fs::remove(path() + "/filler");
  }

private:
  temp_dir dir_;
  bool mounted_ = false;
  std::string error_;
};

std::set<std::string> file_names_in(const std::string& dir) {
  std::set<std::string> out;
  if (fs::exists(dir))
    for (auto& e : fs::directory_iterator(dir))
      out.insert(e.path().filename().string());
  return out;
}

} // namespace

TEST(e2e_disk_full, upload_answers_507_stores_nothing_keeps_serving_and_works_again_with_space) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "mounting a tmpfs needs root";
  small_filesystem disk{16};
  ASSERT_TRUE(disk.mounted()) << "cannot mount a tmpfs as root: " << disk.error();
  server_process server{disk.path() + "/data"};
  http_client c{server.port()};
  auto a = create_job_analysis(server, c);
  ASSERT_EQ(upload_named(c, a.id, "before.fa", ">before\nACGT\n", a.auth).status, 201);
  auto dir = server.data_dir() + "/analyses/" + a.id;

  disk.fill();
  std::string big(4 << 20, 'x');
  auto res = upload_named(c, a.id, "big.bam", big, a.auth);
  expect_error(res, 507, "insufficient_storage", "Insufficient storage", "upload on a full disk");
  // Nothing of it is stored, nothing is recorded.
  EXPECT_EQ(file_names_in(dir), std::set<std::string>{"1-before.fa"});
  auto doc = c.get("/api/analyses/" + a.id, a.auth);
  ASSERT_EQ(doc.status, 200) << doc.body;
  EXPECT_EQ(doc.json().at("files").size(), 1u);
  // Other requests are served meanwhile: reads, downloads, health.
  EXPECT_EQ(c.get("/healthz").status, 200);
  auto dl = c.get("/api/analyses/" + a.id + "/files/1", a.auth);
  EXPECT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body, ">before\nACGT\n");
  EXPECT_EQ(c.get("/admin/analyses?page=1&per_page=10", bearer(server.admin_token())).status, 200);
  // A finalize either fits in what is left of the journal's last page or is
  // refused with 507; it never half happens.
  auto fin = c.patch("/api/analyses/" + a.id, R"({"results":{"hits":1}})", a.auth);
  ASSERT_TRUE(fin.status == 200 || fin.status == 507) << fin.status << " " << fin.body;
  if (fin.status == 507)
    expect_error(fin, 507, "insufficient_storage", "Insufficient storage", "finalize on a full disk");
  auto ready_while_full = fin.status == 200;

  // Space comes back: writes work again, the same name included.
  disk.free_space();
  auto again = upload_named(c, a.id, "big.bam", big, a.auth);
  ASSERT_EQ(again.status, 201) << again.body;
  auto big_id = again.json().at("id").get<std::uint64_t>();
  if (!ready_while_full) {
    auto fin2 = c.patch("/api/analyses/" + a.id, R"({"results":{"hits":2}})", a.auth);
    EXPECT_EQ(fin2.status, 200) << fin2.body;
  }
  auto b = create_job_analysis(server, c);
  EXPECT_EQ(upload_named(c, b.id, "after.fa", ">after", b.auth).status, 201);

  // And all of it survives a crash.
  server.kill();
  server.restart();
  http_client c2{server.port()};
  auto after = c2.get("/api/analyses/" + a.id, a.auth);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json().at("ready"), true);
  EXPECT_EQ(after.json().at("files").size(), 2u);
  auto dl2 = c2.get("/api/analyses/" + a.id + "/files/" + std::to_string(big_id), a.auth);
  EXPECT_EQ(dl2.status, 200);
  EXPECT_TRUE(dl2.body == big);
  EXPECT_EQ(file_names_in(dir), (std::set<std::string>{"1-before.fa", std::to_string(big_id) + "-big.bam"}));
  EXPECT_EQ(c2.get("/api/analyses/" + b.id + "/files/1", b.auth).body, ">after");
}

TEST(e2e_disk_full, a_full_disk_during_creates_and_finalizes_refuses_them_cleanly) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "mounting a tmpfs needs root";
  small_filesystem disk{8};
  ASSERT_TRUE(disk.mounted()) << "cannot mount a tmpfs as root: " << disk.error();
  server_process server{disk.path() + "/data"};
  http_client c{server.port()};
  auto admin = bearer(server.admin_token());
  disk.fill();
  // Journal records run out of space: each change is refused with 507 or
  // (while the journal's last page still has room) done; none is half done.
  std::set<std::string> created;
  for (int i = 0; i < 200; ++i) {
    auto res = c.post("/admin/analyses", create_body().dump(), admin);
    ASSERT_TRUE(res.status == 201 || res.status == 507) << res.status << " " << res.body;
    if (res.status == 201)
      created.insert(res.json().at("id").get<std::string>());
    else
      expect_error(res, 507, "insufficient_storage", "Insufficient storage", "create when full");
  }
  auto list = c.get("/admin/analyses?page=1&per_page=100", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("total_count").get<std::size_t>(), created.size());
  EXPECT_LT(created.size(), 200u) << "the disk never filled up";
  disk.free_space();
  auto ok = c.post("/admin/analyses", create_body().dump(), admin);
  ASSERT_EQ(ok.status, 201) << ok.body;
  created.insert(ok.json().at("id").get<std::string>());
  // A graceful stop writes its snapshot; the restart has exactly what was acknowledged.
  EXPECT_EQ(server.stop(), 0);
  server.restart();
  http_client c2{server.port()};
  auto list2 = c2.get("/admin/analyses?page=1&per_page=100", admin);
  ASSERT_EQ(list2.status, 200);
  std::set<std::string> ids;
  auto listed = list2.json();
  for (auto& d : listed.at("documents"))
    ids.insert(d.at("id").get<std::string>());
  EXPECT_EQ(ids, created);
}
