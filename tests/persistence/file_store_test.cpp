#include "persistence/file_store.hpp"

#include "tests/persistence/failing_storage.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

using namespace analysisd;
using namespace analysisd::test;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat s {};
  if (::lstat(path.c_str(), &s) != 0)
    return 0xFFFF;
  return s.st_mode & 07777;
}

file_record record(std::uint64_t id, const std::string& name) {
  file_record f;
  f.id = id;
  f.name = name;
  f.size = 5;
  return f;
}

bool mentions(const std::vector<std::string>& log, const std::string& what) {
  return std::any_of(log.begin(), log.end(),
                     [&](const std::string& l) { return l.find(what) != std::string::npos; });
}

} // namespace

TEST(file_store, write_puts_the_bytes_under_file_id_dash_name_privately) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  auto f = record(3, "results.fa");
  ASSERT_FALSE(fs.write("abcd1234", f, "hello", 5));
  auto path = dir.path() + "/analyses/abcd1234/3-results.fa";
  EXPECT_EQ(fs.file_path("abcd1234", f), path);
  EXPECT_EQ(read_bytes(path), "hello");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir.path() + "/analyses"), 0700u);
  EXPECT_EQ(mode_of(dir.path() + "/analyses/abcd1234"), 0700u);
  EXPECT_EQ(list(dir.path() + "/analyses/abcd1234"), std::vector<std::string>{"3-results.fa"});
}

TEST(file_store, empty_file_is_written) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  ASSERT_FALSE(fs.write("abcd1234", record(1, "empty"), "", 0));
  EXPECT_EQ(read_bytes(dir.path() + "/analyses/abcd1234/1-empty"), "");
}

TEST(file_store, write_never_replaces_an_existing_file) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  ASSERT_FALSE(fs.write("abcd1234", record(1, "a"), "first", 5));
  EXPECT_TRUE(fs.write("abcd1234", record(1, "a"), "second", 6));
  EXPECT_EQ(read_bytes(dir.path() + "/analyses/abcd1234/1-a"), "first");
  EXPECT_EQ(list(dir.path() + "/analyses/abcd1234"), std::vector<std::string>{"1-a"});
}

TEST(file_store, disk_full_leaves_no_partial_file) {
  temp_dir dir;
  failing_storage st;
  file_store fs{st, dir.path()};
  st.plan.append_error = enospc();
  std::string data(1 << 16, 'x');
  auto ec = fs.write("abcd1234", record(1, "big.bam"), data.data(), data.size());
  EXPECT_TRUE(is_disk_full(ec));
  EXPECT_TRUE(list(dir.path() + "/analyses/abcd1234").empty());
  // The same file can be written once there is space again.
  ASSERT_FALSE(fs.write("abcd1234", record(1, "big.bam"), data.data(), data.size()));
  EXPECT_EQ(read_bytes(dir.path() + "/analyses/abcd1234/1-big.bam"), data);
}

TEST(file_store, failed_sync_or_link_leaves_no_file) {
  temp_dir dir;
  failing_storage st;
  file_store fs{st, dir.path()};
  st.plan.sync_error = eio();
  EXPECT_TRUE(fs.write("abcd1234", record(1, "a"), "hello", 5));
  EXPECT_TRUE(list(dir.path() + "/analyses/abcd1234").empty());
  st.plan.link_error = eio();
  EXPECT_TRUE(fs.write("abcd1234", record(2, "b"), "hello", 5));
  EXPECT_TRUE(list(dir.path() + "/analyses/abcd1234").empty());
}

TEST(file_store, remove_and_remove_analysis_delete_bytes) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  ASSERT_FALSE(fs.write("abcd1234", record(1, "a"), "x", 1));
  ASSERT_FALSE(fs.write("abcd1234", record(2, "b"), "y", 1));
  ASSERT_FALSE(fs.remove("abcd1234", record(1, "a")));
  EXPECT_FALSE(fs.remove("abcd1234", record(1, "a"))) << "missing is not an error";
  EXPECT_EQ(list(dir.path() + "/analyses/abcd1234"), std::vector<std::string>{"2-b"});
  ASSERT_FALSE(fs.remove_analysis("abcd1234"));
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/analyses/abcd1234"));
  EXPECT_FALSE(fs.remove_analysis("abcd1234"));
}

TEST(file_store, cleanup_deletes_only_proven_garbage_and_reports_missing_bytes) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  state_map state;
  auto a = sample_analysis("aaaaaaaa");
  a.files = {record(1, "kept.fa"), record(2, "lost.fa")};
  state.emplace(a.id, a);
  auto b = sample_analysis("bbbbbbbb");
  b.files = {record(1, "gone.fa")}; // its directory does not exist at all
  state.emplace(b.id, b);
  ASSERT_FALSE(fs.write("aaaaaaaa", record(1, "kept.fa"), "x", 1));
  ASSERT_FALSE(fs.write("aaaaaaaa", record(3, "orphan.fa"), "x", 1));
  write_bytes(dir.path() + "/analyses/aaaaaaaa/.4.partial", "half");
  ASSERT_FALSE(fs.write("zzzzzzzz", record(1, "unknown.fa"), "x", 1));
  auto r = sample_analysis("rrrrrrrr");
  r.removed = true;
  state.emplace(r.id, r);
  ASSERT_FALSE(fs.write("rrrrrrrr", record(1, "removed.fa"), "x", 1));

  auto log = fs.cleanup(state);
  EXPECT_EQ(list(dir.path() + "/analyses/aaaaaaaa"), std::vector<std::string>{"1-kept.fa"});
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/analyses/rrrrrrrr"))
    << "the files of a removed analysis are garbage";
  // No record names zzzzzzzz at all, not even a tombstone: only state that
  // was not read explains it, so it is kept aside, never deleted.
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/analyses/zzzzzzzz"));
  auto kept = list(dir.path() + "/state/quarantine");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].rfind("analyses-zzzzzzzz.", 0), 0u) << kept[0];
  EXPECT_EQ(read_bytes(dir.path() + "/state/quarantine/" + kept[0] + "/1-unknown.fa"), "x");
  EXPECT_TRUE(mentions(log, "aaaaaaaa/2-lost.fa")) << "missing bytes not reported";
  EXPECT_TRUE(mentions(log, "bbbbbbbb/1-gone.fa")) << "missing bytes not reported";
  EXPECT_TRUE(mentions(log, "3-orphan.fa"));
  EXPECT_TRUE(mentions(log, ".4.partial"));
  EXPECT_TRUE(mentions(log, "zzzzzzzz"));
  // Nothing left to do the second time but to report the missing bytes.
  auto again = fs.cleanup(state);
  EXPECT_EQ(again.size(), 2u);
}

// After --repair set records aside, a file of a known analysis that no
// record names may be named by one of them: kept aside, not deleted.
TEST(file_store, cleanup_after_a_repair_keeps_unnamed_files_aside) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  state_map state;
  auto a = sample_analysis("aaaaaaaa");
  a.files = {record(1, "kept.fa")};
  state.emplace(a.id, a);
  ASSERT_FALSE(fs.write("aaaaaaaa", record(1, "kept.fa"), "x", 1));
  ASSERT_FALSE(fs.write("aaaaaaaa", record(2, "acked.fa"), "acknowledged", 12));
  write_bytes(dir.path() + "/analyses/aaaaaaaa/.3.partial", "half");
  auto log = fs.cleanup(state, /*complete=*/false);
  EXPECT_EQ(list(dir.path() + "/analyses/aaaaaaaa"), std::vector<std::string>{"1-kept.fa"});
  auto kept = list(dir.path() + "/state/quarantine");
  ASSERT_EQ(kept.size(), 1u) << "the temporary file of an upload is garbage all the same";
  EXPECT_EQ(read_bytes(dir.path() + "/state/quarantine/" + kept[0]), "acknowledged");
}

TEST(file_store, cleanup_without_an_analyses_directory_does_nothing) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  EXPECT_TRUE(fs.cleanup({}).empty());
}

TEST(file_store, write_refuses_an_analysis_directory_that_is_a_link) {
  temp_dir dir;
  temp_dir outside;
  file_store fs{posix_storage(), dir.path()};
  ASSERT_FALSE(fs.write("other000", record(1, "a"), "x", 1));
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir.path() + "/analyses/abcd1234").c_str()), 0);
  auto ec = fs.write("abcd1234", record(1, "a.fa"), "hello", 5);
  EXPECT_EQ(ec, std::make_error_code(std::errc::not_a_directory));
  EXPECT_TRUE(list(outside.path()).empty()) << "bytes written through the link";
}

TEST(file_store, write_refuses_an_analyses_root_that_is_a_link) {
  temp_dir dir;
  temp_dir outside;
  file_store fs{posix_storage(), dir.path()};
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir.path() + "/analyses").c_str()), 0);
  EXPECT_EQ(fs.write("abcd1234", record(1, "a.fa"), "hello", 5),
            std::make_error_code(std::errc::not_a_directory));
  // The root is refused before anything is created below it.
  EXPECT_TRUE(list(outside.path()).empty()) << "written through the link";
}

TEST(file_store, cleanup_never_touches_what_links_point_to) {
  temp_dir dir;
  temp_dir outside;
  write_bytes(outside.path() + "/precious", "keep me");
  file_store fs{posix_storage(), dir.path()};
  state_map state;
  auto a = sample_analysis("aaaaaaaa");
  a.files = {record(1, "kept.fa")};
  state.emplace(a.id, a);
  ASSERT_FALSE(fs.write("bbbbbbbb", record(1, "x"), "x", 1));
  auto b = sample_analysis("bbbbbbbb");
  b.files = {record(1, "x")};
  state.emplace(b.id, b);
  // A live analysis whose directory is a link, an unknown link, and a link
  // among a live analysis's files.
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir.path() + "/analyses/aaaaaaaa").c_str()), 0);
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir.path() + "/analyses/cccccccc").c_str()), 0);
  ASSERT_EQ(::symlink((outside.path() + "/precious").c_str(),
                      (dir.path() + "/analyses/bbbbbbbb/2-link").c_str()),
            0);
  auto log = fs.cleanup(state);
  EXPECT_EQ(read_bytes(outside.path() + "/precious"), "keep me");
  EXPECT_EQ(list(outside.path()), std::vector<std::string>{"precious"});
  EXPECT_EQ(list(dir.path() + "/analyses"), std::vector<std::string>{"bbbbbbbb"});
  // The links at the analyses' level are set aside themselves (not followed).
  EXPECT_EQ(list(dir.path() + "/state/quarantine").size(), 2u);
  EXPECT_EQ(list(dir.path() + "/analyses/bbbbbbbb"), std::vector<std::string>{"1-x"});
  EXPECT_TRUE(mentions(log, "aaaaaaaa/1-kept.fa")) << "missing bytes not reported";
}

TEST(storage, create_own_dir_makes_a_directory_and_refuses_a_link_to_one) {
  temp_dir dir;
  auto& st = posix_storage();
  auto made = dir.path() + "/made";
  ASSERT_FALSE(create_own_dir(st, made));
  EXPECT_TRUE(st.is_directory(made));
  EXPECT_FALSE(create_own_dir(st, made)) << "an existing directory is fine";
  auto link = dir.path() + "/link";
  ASSERT_EQ(::symlink(made.c_str(), link.c_str()), 0);
  EXPECT_EQ(create_own_dir(st, link), std::make_error_code(std::errc::not_a_directory));
  write_bytes(dir.path() + "/file", "x");
  EXPECT_EQ(create_own_dir(st, dir.path() + "/file"),
            std::make_error_code(std::errc::not_a_directory));
}

// A file that counts its writeback hints, under a forwarding file.
class writeback_counter : public writable_file {
public:
  explicit writeback_counter(int& hints) : hints_(hints) {
  }
  std::error_code append(const char*, std::size_t) override {
    return {};
  }
  std::error_code write_at(std::uint64_t, const char*, std::size_t) override {
    return {};
  }
  std::error_code sync() override {
    return {};
  }
  std::error_code truncate(std::uint64_t) override {
    return {};
  }
  std::error_code close() override {
    return {};
  }
  void start_writeback() override {
    ++hints_;
  }

private:
  int& hints_;
};

TEST(storage, start_writeback_keeps_the_bytes_and_is_forwarded) {
  temp_dir dir;
  auto& st = posix_storage();
  std::unique_ptr<writable_file> f;
  ASSERT_FALSE(st.create_exclusive(dir.path() + "/f", f));
  std::string bytes(3 << 20, 'a');
  ASSERT_FALSE(f->append(bytes.data(), bytes.size()));
  f->start_writeback();
  ASSERT_FALSE(f->append("tail", 4));
  f->start_writeback();
  ASSERT_FALSE(f->sync());
  ASSERT_FALSE(f->close());
  std::string back;
  ASSERT_FALSE(st.read_all(dir.path() + "/f", back));
  EXPECT_TRUE(back == bytes + "tail");

  int hints = 0;
  forwarding_file fwd{std::make_unique<writeback_counter>(hints)};
  fwd.start_writeback();
  EXPECT_EQ(hints, 1);
}

// The blob janitor's deletion of an upload that will never be committed.
TEST(file_store, remove_upload_deletes_the_temporary_and_final_files_of_one_upload) {
  temp_dir dir;
  file_store fs{posix_storage(), dir.path()};
  file_record f;
  f.id = 4;
  f.name = "reads.fq";
  file_record other;
  other.id = 5;
  other.name = "reads.fq";
  ASSERT_FALSE(fs.write("abcd1234", f, "bytes", 5));
  ASSERT_FALSE(fs.write("abcd1234", other, "bytes", 5));
  std::unique_ptr<writable_file> partial;
  ASSERT_FALSE(fs.begin_upload("abcd1234", f, partial));
  partial.reset();
  auto tmp = fs.analysis_dir("abcd1234") + "/.4.partial";
  ASSERT_TRUE(posix_storage().exists(tmp));
  EXPECT_FALSE(fs.remove_upload("abcd1234", 4, "reads.fq"));
  EXPECT_FALSE(posix_storage().exists(tmp));
  EXPECT_FALSE(posix_storage().exists(fs.file_path("abcd1234", f)));
  EXPECT_TRUE(posix_storage().exists(fs.file_path("abcd1234", other)));
  // Gone already, or never there: no error.
  EXPECT_FALSE(fs.remove_upload("abcd1234", 4, "reads.fq"));
  EXPECT_FALSE(fs.remove_upload("nosuchan", 1, "x.fa"));
  // Names from the database never lead out of the analysis's directory.
  EXPECT_EQ(fs.remove_upload("..", 5, "reads.fq"), std::errc::invalid_argument);
  EXPECT_EQ(fs.remove_upload("ab/cd", 5, "reads.fq"), std::errc::invalid_argument);
  EXPECT_FALSE(fs.remove_upload("abcd1234", 5, "../abcd1234/5-reads.fq"));
  EXPECT_TRUE(posix_storage().exists(fs.file_path("abcd1234", other)));
}
