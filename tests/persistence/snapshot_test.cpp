#include "persistence/snapshot.hpp"

#include "persistence/journal.hpp"
#include "tests/persistence/failing_storage.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

state_map three_analyses() {
  state_map s;
  for (auto id : {"aaaaaaaa", "bbbbbbbb", "cccccccc"})
    s.emplace(id, sample_analysis(id));
  s["bbbbbbbb"].ready = true;
  s["bbbbbbbb"].results = R"({"x":1})";
  s["cccccccc"].files.push_back(file_added("cccccccc", 1, "a.fa").file);
  s["cccccccc"].next_file_id = 2;
  return s;
}

} // namespace

TEST(snapshot, written_state_loads_back) {
  temp_dir dir;
  auto state = three_analyses();
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), state, 5));
  state_map back;
  std::uint64_t next = 0;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), back, next), "");
  EXPECT_EQ(next, 5u);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(back["bbbbbbbb"].ready);
  EXPECT_EQ(back["bbbbbbbb"].results, R"({"x":1})");
  ASSERT_EQ(back["cccccccc"].files.size(), 1u);
  EXPECT_EQ(back["cccccccc"].files[0].name, "a.fa");
  EXPECT_EQ(back["cccccccc"].next_file_id, 2u);
  EXPECT_EQ(back["aaaaaaaa"].subtractions.size(), 1u);
  // No temporary file is left behind.
  EXPECT_EQ(list(dir.path()), std::vector<std::string>{"snapshot"});
}

TEST(snapshot, missing_snapshot_is_an_empty_state_starting_at_journal_one) {
  temp_dir dir;
  state_map back;
  std::uint64_t next = 99;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), back, next), "");
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(next, 1u);
}

TEST(snapshot, empty_state_round_trips) {
  temp_dir dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), {}, 3));
  state_map back;
  std::uint64_t next = 0;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), back, next), "");
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(next, 3u);
}

TEST(snapshot, every_flipped_byte_is_refused) {
  temp_dir dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), three_analyses(), 2));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x20;
    state_map state;
    std::uint64_t next = 0;
    EXPECT_NE(decode_snapshot(bad, state, next), "") << "flip at " << i;
  }
}

// snapshot.hpp promises that a damaged snapshot "is never loaded in part"
// (and recover() that "nothing is changed"): damage in a later frame leaves
// `state` as it was, whatever was decoded before it.
TEST(snapshot, damaged_snapshot_is_never_loaded_in_part) {
  temp_dir dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), three_analyses(), 2));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  std::size_t partial = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x20;
    state_map state;
    std::uint64_t next = 0;
    if (!decode_snapshot(bad, state, next).empty() && !state.empty() && partial++ == 0)
      first = i;
  }
  EXPECT_EQ(partial, 0u) << partial << " damaged images left analyses in the state, the first"
                         << " with a flipped byte at offset " << first << " of " << bytes.size();
}

namespace {

// `count` analyses, each with results of `results_bytes` if not 0.
state_map many_analyses(int count = 1000, std::size_t results_bytes = 0) {
  state_map s;
  for (int i = 0; i < count; ++i) {
    char id[9];
    std::snprintf(id, sizeof(id), "a%07u", static_cast<unsigned>(i) % 10000000u);
    auto a = sample_analysis(id, std::string{"job"} + (id + 1));
    a.created_at = i;
    if (results_bytes > 0)
      a.results = "{\"hits\":\"" + std::string(results_bytes, static_cast<char>('a' + i % 26)) + "\"}";
    s.emplace(id, std::move(a));
  }
  return s;
}

// A snapshot image of `analyses` in this order (repeats and all), then a
// frame of `garbage` if not empty, written frame by frame as write_snapshot
// does (so every checksum is right).
std::string snapshot_image(const std::vector<const analysis_state*>& analyses,
                           const std::string& garbage = {}) {
  std::string header;
  std::uint64_t count = analyses.size() + (garbage.empty() ? 0 : 1);
  for (std::uint64_t x : {std::uint64_t{7}, count})
    for (int i = 0; i < 8; ++i)
      header.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
  std::string bytes = snapshot_magic;
  append_frame(bytes, header);
  for (auto* a : analyses)
    append_frame(bytes, encode_state(*a));
  if (!garbage.empty())
    append_frame(bytes, garbage);
  return bytes;
}

} // namespace

TEST(snapshot, a_repeated_id_or_an_undecodable_last_frame_loads_nothing) {
  auto state = many_analyses();
  std::vector<const analysis_state*> order;
  for (auto& [id, a] : state)
    order.push_back(&a);
  state_map whole;
  std::uint64_t next = 0;
  ASSERT_EQ(decode_snapshot(snapshot_image(order), whole, next), "") << "the image decodes";
  EXPECT_EQ(whole.size(), order.size());
  // The same analysis first and last, or an undecodable frame (its checksum
  // right) at the end: refused, nothing loaded.
  auto repeated = order;
  repeated.back() = repeated.front();
  state_map untouched{{"zzzzzzzz", sample_analysis("zzzzzzzz")}};
  auto err = decode_snapshot(snapshot_image(repeated), untouched, next);
  EXPECT_NE(err.find("undecodable frame"), std::string::npos) << err;
  EXPECT_EQ(untouched.size(), 1u);
  err = decode_snapshot(snapshot_image(order, "\xFF"), untouched, next);
  EXPECT_NE(err.find("undecodable frame"), std::string::npos) << err;
  EXPECT_EQ(untouched.size(), 1u);
}

// A start decodes a snapshot past a few MiB on two threads, each taking
// runs of frames: the result, and what is said of damage, must be those of
// one pass, wherever the damage is.
TEST(snapshot, a_large_snapshot_decodes_on_two_threads_as_in_one_pass) {
  auto state = many_analyses(3000, 2000); // 6 MiB of analyses
  std::vector<const analysis_state*> order;
  for (auto& [id, a] : state)
    order.push_back(&a);
  auto image = snapshot_image(order);
  ASSERT_GT(image.size(), std::size_t{5} << 20);
  state_map whole;
  std::uint64_t next = 0;
  ASSERT_EQ(decode_snapshot(image, whole, next, nullptr, true), "");
  EXPECT_EQ(next, 7u);
  ASSERT_EQ(whole.size(), state.size());
  for (auto& [id, a] : state) {
    auto i = whole.find(id);
    ASSERT_NE(i, whole.end()) << id;
    EXPECT_EQ(encode_state(i->second), encode_state(a)) << id;
  }
  // Damage anywhere: refused with the one-pass message, nothing loaded.
  auto refused_as_in_one_pass = [&](const std::string& bytes, const std::string& what) {
    state_map untouched{{"zzzzzzzz", sample_analysis("zzzzzzzz")}};
    auto err = decode_snapshot(bytes, untouched, next, nullptr, true);
    EXPECT_NE(err.find(what), std::string::npos) << err;
    EXPECT_EQ(err, decode_snapshot(bytes, untouched, next)) << what;
    EXPECT_EQ(untouched.size(), 1u) << what;
    EXPECT_EQ(untouched.count("zzzzzzzz"), 1u) << what;
  };
  auto repeated = order;
  repeated.back() = repeated.front(); // in runs far apart
  refused_as_in_one_pass(snapshot_image(repeated), "undecodable frame");
  repeated = order;
  repeated[order.size() / 2 + 1] = repeated[order.size() / 2]; // side by side
  refused_as_in_one_pass(snapshot_image(repeated), "undecodable frame");
  auto bad = image;
  bad[bad.size() - 10] ^= 0x20;
  refused_as_in_one_pass(bad, "checksum mismatch");
  bad = image;
  bad[bad.size() / 2] ^= 0x20; // some frame's payload, or its header
  refused_as_in_one_pass(bad, "snapshot is damaged");
  bad = image;
  bad.resize(bad.size() - 1);
  refused_as_in_one_pass(bad, "torn frame");
}

TEST(snapshot, every_truncation_is_refused) {
  temp_dir dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), three_analyses(), 2));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    state_map state;
    std::uint64_t next = 0;
    EXPECT_NE(decode_snapshot(bytes.substr(0, n), state, next), "") << "cut at " << n;
  }
}

TEST(snapshot, damaged_file_on_disk_is_refused_by_load) {
  temp_dir dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), three_analyses(), 2));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  bytes[bytes.size() - 3] ^= 0x01;
  write_bytes(dir.path() + "/snapshot", bytes);
  state_map state;
  std::uint64_t next = 0;
  EXPECT_NE(load_snapshot(posix_storage(), dir.path(), state, next), "");
}

TEST(snapshot, failed_write_keeps_the_old_snapshot_and_no_temporary_file) {
  temp_dir dir;
  failing_storage st;
  state_map one;
  one.emplace("aaaaaaaa", sample_analysis("aaaaaaaa"));
  ASSERT_FALSE(write_snapshot(st, dir.path(), one, 2));
  st.plan.append_error = enospc();
  EXPECT_TRUE(write_snapshot(st, dir.path(), three_analyses(), 3));
  st.plan.sync_error = eio();
  EXPECT_TRUE(write_snapshot(st, dir.path(), three_analyses(), 3));
  EXPECT_EQ(list(dir.path()), std::vector<std::string>{"snapshot"});
  state_map back;
  std::uint64_t next = 0;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), back, next), "");
  EXPECT_EQ(back.size(), 1u);
  EXPECT_EQ(next, 2u);
}
