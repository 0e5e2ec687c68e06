#include "tests/persistence/power_cut_storage.hpp"

#include "persistence/file_store.hpp"
#include "persistence/forwarding_storage.hpp"
#include "persistence/journal.hpp"
#include "persistence/recovery.hpp"
#include "tests/persistence/helpers.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace analysisd;
using namespace analysisd::test;

namespace {

/// What is on the disk if the power is cut after the whole log of `st`.
disk_image cut(const power_cut_storage& st, cut_mode mode = cut_mode::strict,
               std::uint64_t seed = 1) {
  fs_model m{st.base()};
  for (auto& op : st.log())
    m.apply(op);
  std::mt19937_64 rng{seed};
  return m.crash(mode, rng);
}

std::unique_ptr<writable_file> create(storage& st, const std::string& path) {
  std::unique_ptr<writable_file> f;
  EXPECT_FALSE(st.create_exclusive(path, f));
  return f;
}

/// Runs `hook` once, right after the first create_dir of a path that ends
/// with `suffix`: a second writer slipping in between two steps of the first.
class interleaving_storage : public forwarding_storage {
public:
  interleaving_storage(storage& inner, std::string suffix, std::function<void()> hook)
    : forwarding_storage(inner), suffix_(std::move(suffix)), hook_(std::move(hook)) {
  }

  std::error_code create_dir(const std::string& path) override {
    auto ec = forwarding_storage::create_dir(path);
    if (hook_ && path.size() >= suffix_.size()
        && path.compare(path.size() - suffix_.size(), suffix_.size(), suffix_) == 0) {
      auto hook = std::move(hook_);
      hook_ = nullptr;
      hook();
    }
    return ec;
  }

private:
  std::string suffix_;
  std::function<void()> hook_;
};

} // namespace

TEST(power_cut_storage, an_unsynced_write_is_lost_and_a_synced_one_kept) {
  disk_image base;
  base.dirs.insert("/d");
  power_cut_storage st{base};
  auto f = create(st, "/d/f");
  ASSERT_FALSE(st.sync_dir("/d"));
  ASSERT_FALSE(f->append("abc", 3));
  ASSERT_FALSE(f->sync());
  ASSERT_FALSE(f->append("def", 3));
  EXPECT_EQ(st.now().files.at("/d/f"), "abcdef");
  EXPECT_EQ(cut(st).files.at("/d/f"), "abc");
}

TEST(power_cut_storage, an_entry_whose_directory_was_not_synced_is_lost) {
  disk_image base;
  base.dirs.insert("/d");
  base.files["/d/old"] = "old";
  power_cut_storage st{base};
  auto f = create(st, "/d/new");
  ASSERT_FALSE(f->append("x", 1));
  ASSERT_FALSE(f->sync()); // the bytes are durable, the name is not
  ASSERT_FALSE(st.rename("/d/old", "/d/renamed"));
  ASSERT_FALSE(st.create_dir("/d/sub"));
  auto img = cut(st);
  EXPECT_EQ(img.files.count("/d/new"), 0u);
  EXPECT_EQ(img.files.at("/d/old"), "old");
  EXPECT_EQ(img.files.count("/d/renamed"), 0u);
  EXPECT_EQ(img.dirs.count("/d/sub"), 0u);
  ASSERT_FALSE(st.sync_dir("/d"));
  img = cut(st);
  EXPECT_EQ(img.files.at("/d/new"), "x");
  EXPECT_EQ(img.files.count("/d/old"), 0u);
  EXPECT_EQ(img.files.at("/d/renamed"), "old");
  EXPECT_EQ(img.dirs.count("/d/sub"), 1u);
}

TEST(power_cut_storage, a_synced_directory_inside_an_unsynced_one_is_lost_with_it) {
  power_cut_storage st;
  ASSERT_FALSE(st.create_dir("/a"));
  ASSERT_FALSE(st.create_dir("/a/b"));
  auto f = create(st, "/a/b/f");
  ASSERT_FALSE(f->sync());
  ASSERT_FALSE(st.sync_dir("/a/b"));
  ASSERT_FALSE(st.sync_dir("/a"));
  EXPECT_TRUE(cut(st).dirs.count("/a") == 0); // "/" never synced
  ASSERT_FALSE(st.sync_dir("/"));
  EXPECT_EQ(cut(st).files.count("/a/b/f"), 1u);
}

TEST(power_cut_storage, an_unsynced_truncate_and_unlink_come_back) {
  disk_image base;
  base.dirs.insert("/d");
  base.files["/d/f"] = "0123456789";
  base.files["/d/g"] = "g";
  power_cut_storage st{base};
  ASSERT_FALSE(st.truncate("/d/f", 4));
  ASSERT_FALSE(st.remove("/d/g"));
  auto img = cut(st);
  EXPECT_EQ(img.files.at("/d/f"), "0123456789");
  EXPECT_EQ(img.files.at("/d/g"), "g");
  ASSERT_FALSE(st.sync_file("/d/f"));
  ASSERT_FALSE(st.sync_dir("/d"));
  img = cut(st);
  EXPECT_EQ(img.files.at("/d/f"), "0123");
  EXPECT_EQ(img.files.count("/d/g"), 0u);
}

TEST(power_cut_storage, write_at_writes_in_place_and_append_goes_on_where_it_was) {
  disk_image base;
  base.dirs.insert("/d");
  power_cut_storage st{base};
  auto f = create(st, "/d/f");
  ASSERT_FALSE(st.sync_dir("/d"));
  ASSERT_FALSE(f->append("ab", 2));
  ASSERT_FALSE(f->write_at(4, "\0\0\0\0", 4)); // grows the file, with a gap of zeros
  ASSERT_FALSE(f->sync());
  ASSERT_FALSE(f->append("cd", 2)); // at 2, over the zeros
  EXPECT_EQ(st.now().files.at("/d/f"), std::string("abcd\0\0\0\0", 8));
  EXPECT_EQ(cut(st).files.at("/d/f"), std::string("ab\0\0\0\0\0\0", 8));
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed)
    seen.insert(cut(st, cut_mode::adversarial, seed).files.at("/d/f"));
  // Nothing of "cd", "c" torn, or all of it; never more than was written.
  EXPECT_EQ(seen, (std::set<std::string>{std::string("ab\0\0\0\0\0\0", 8),
                                         std::string("abc\0\0\0\0\0", 8),
                                         std::string("abcd\0\0\0\0", 8)}));
  ASSERT_FALSE(f->truncate(3));
  ASSERT_FALSE(f->append("x", 1));
  EXPECT_EQ(st.now().files.at("/d/f"), "abcx") << "a truncate moves where append writes";
}

TEST(power_cut_storage, adversarial_cuts_keep_prefixes_in_order_and_nothing_more) {
  disk_image base;
  base.dirs.insert("/d");
  power_cut_storage st{base};
  auto f = create(st, "/d/f");
  ASSERT_FALSE(st.sync_dir("/d"));
  ASSERT_FALSE(f->append("aaaa", 4));
  ASSERT_FALSE(f->append("bbbb", 4));
  ASSERT_FALSE(st.create_dir("/d/1"));
  ASSERT_FALSE(st.create_dir("/d/2"));
  std::set<std::string> seen_bytes;
  std::set<std::size_t> seen_dirs;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    auto img = cut(st, cut_mode::adversarial, seed);
    auto& bytes = img.files.at("/d/f");
    EXPECT_EQ(std::string("aaaabbbb").compare(0, bytes.size(), bytes), 0) << bytes;
    seen_bytes.insert(bytes);
    // Entry changes survive as a prefix: "/d/2" never without "/d/1".
    EXPECT_FALSE(img.dirs.count("/d/2") && !img.dirs.count("/d/1"));
    seen_dirs.insert(img.dirs.size());
  }
  EXPECT_GT(seen_bytes.size(), 4u); // nothing, torn, whole writes
  EXPECT_TRUE(seen_bytes.count("") && seen_bytes.count("aaaabbbb"));
  EXPECT_EQ(seen_dirs.size(), 3u);
}

TEST(power_cut_storage, a_link_shares_the_inode_until_one_name_goes) {
  disk_image base;
  base.dirs.insert("/d");
  power_cut_storage st{base};
  auto f = create(st, "/d/tmp");
  ASSERT_FALSE(f->append("xy", 2));
  ASSERT_FALSE(f->sync());
  ASSERT_FALSE(st.link("/d/tmp", "/d/final"));
  EXPECT_EQ(st.link("/d/tmp", "/d/final"), std::errc::file_exists);
  ASSERT_FALSE(st.remove("/d/tmp"));
  ASSERT_FALSE(st.sync_dir("/d"));
  auto img = cut(st);
  EXPECT_EQ(img.files.at("/d/final"), "xy");
  EXPECT_EQ(img.files.count("/d/tmp"), 0u);
}

// Two first uploads to one analysis race: the second finds the analysis
// directory that the first has just made and must not be acknowledged before
// that directory's entry is durable.
TEST(file_store, a_write_racing_the_first_write_to_its_analysis_is_durable_when_it_returns) {
  disk_image base;
  base.dirs = {"/data", "/data/analyses"};
  power_cut_storage recorder{base};
  std::size_t second_done = 0;
  file_store plain{recorder, "/data"};
  interleaving_storage st{recorder, "/abcd1234", [&] {
    ASSERT_FALSE(plain.write("abcd1234", file_added("abcd1234", 2, "b.fa").file, "bbbbb", 5));
    second_done = recorder.log().size();
  }};
  file_store racing{st, "/data"};
  ASSERT_FALSE(racing.write("abcd1234", file_added("abcd1234", 1, "a.fa").file, "aaaaa", 5));
  ASSERT_GT(second_done, 0u);
  // The power goes right after the second write returned.
  fs_model m{base};
  auto log = recorder.log();
  for (std::size_t i = 0; i < second_done; ++i)
    m.apply(log[i]);
  std::mt19937_64 rng;
  auto img = m.crash(cut_mode::strict, rng);
  EXPECT_EQ(img.files.count("/data/analyses/abcd1234/2-b.fa"), 1u);
}

// The analyses directory is made by the first write: its entry in the data
// dir must be durable once that write returns.
TEST(file_store, the_first_write_makes_the_analyses_directory_durable) {
  disk_image base;
  base.dirs = {"/data"};
  power_cut_storage st{base};
  file_store files{st, "/data"};
  ASSERT_FALSE(files.write("abcd1234", file_added("abcd1234", 1, "a.fa").file, "aaaaa", 5));
  EXPECT_EQ(cut(st).files.count("/data/analyses/abcd1234/1-a.fa"), 1u);
}

// Recovery cuts a torn tail off the newest journal, starts the next journal,
// and records are acknowledged in it. If the cut were not durable, a power
// cut would bring the torn tail back, and the next recovery would take it for
// damage in the middle and move the newer journal, with its acknowledged
// records, to quarantine.
TEST(recovery, the_cut_of_a_torn_tail_is_durable) {
  auto image = journal_image({created("aaaa0001"), created("aaaa0002")});
  image.resize(image.size() - 3); // the second record is torn
  disk_image base;
  base.dirs = {"/state"};
  base.files["/state/" + journal_name(1)] = image;
  power_cut_storage st{base};
  recovery_report rep;
  ASSERT_EQ(recover(st, "/state", rep), "");
  ASSERT_EQ(rep.damage.size(), 2u); // the cut, and where its bytes were kept
  ASSERT_EQ(rep.next_journal_seq, 2u);
  std::unique_ptr<journal_writer> journal;
  ASSERT_FALSE(journal_writer::create(st, "/state", 2, journal));
  std::string frames;
  append_frame(frames, encode_record(created("aaaa0003")));
  ASSERT_FALSE(journal->append_durably(frames)); // acknowledged
  power_cut_storage after{cut(st)};
  recovery_report again;
  ASSERT_EQ(recover(after, "/state", again), "");
  EXPECT_TRUE(again.damage.empty()) << again.damage.front();
  EXPECT_EQ(again.analyses.count("aaaa0001"), 1u);
  EXPECT_EQ(again.analyses.count("aaaa0003"), 1u) << "an acknowledged record was lost";
}
