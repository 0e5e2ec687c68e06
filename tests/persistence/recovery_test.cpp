#include "persistence/recovery.hpp"
#include "persistence/snapshot.hpp"

#include "tests/persistence/failing_storage.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <map>

using namespace analysisd;
using namespace analysisd::test;

namespace {

std::string journal_path(const temp_dir& dir, std::uint64_t seq) {
  return dir.path() + "/" + journal_name(seq);
}

// A snapshot of analysis aaaaaaaa with a flipped bit in its last byte; its bytes.
std::string write_damaged_snapshot(const temp_dir& dir) {
  state_map snap;
  snap.emplace("aaaaaaaa", sample_analysis("aaaaaaaa"));
  EXPECT_FALSE(write_snapshot(posix_storage(), dir.path(), snap, 1));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  bytes[bytes.size() - 1] ^= 0x01;
  write_bytes(dir.path() + "/snapshot", bytes);
  return bytes;
}

bool has_one_starting(const std::vector<std::string>& v, const std::string& prefix) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& x) { return x.rfind(prefix, 0) == 0; });
}

} // namespace

TEST(recovery, apply_changes_the_state_per_record_kind) {
  state_map s;
  EXPECT_TRUE(apply(s, created("aaaaaaaa")));
  EXPECT_FALSE(apply(s, created("aaaaaaaa"))) << "a second create of one id does not fit";
  auto bad = created("BAD");
  EXPECT_FALSE(apply(s, std::move(bad)));
  journal_record acq;
  acq.kind = record_kind::job_acquired;
  acq.analysis_id = "aaaaaaaa";
  acq.key_hash = std::string(32, 'k');
  EXPECT_TRUE(apply(s, std::move(acq)));
  EXPECT_EQ(s["aaaaaaaa"].job_key_hash, std::string(32, 'k'));
  EXPECT_TRUE(apply(s, file_added("aaaaaaaa", 4, "x.fa")));
  EXPECT_EQ(s["aaaaaaaa"].files.size(), 1u);
  EXPECT_EQ(s["aaaaaaaa"].next_file_id, 5u);
  EXPECT_TRUE(apply(s, finalized("aaaaaaaa", R"({"a":1})")));
  EXPECT_TRUE(s["aaaaaaaa"].ready);
  EXPECT_EQ(s["aaaaaaaa"].results, R"({"a":1})");
  EXPECT_EQ(s["aaaaaaaa"].updated_at, 1507066600000000);
  EXPECT_FALSE(apply(s, finalized("zzzzzzzz", "{}")));
  EXPECT_TRUE(apply(s, removed("aaaaaaaa")));
  // (Whether a tombstone stays in `state` is the design's choice: not checked.)
}

TEST(recovery, empty_directory_recovers_an_empty_state) {
  temp_dir dir;
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path() + "/state", rep), "");
  EXPECT_TRUE(rep.analyses.empty());
  EXPECT_EQ(rep.next_journal_seq, 1u);
  EXPECT_TRUE(rep.damage.empty());
}

TEST(recovery, journal_is_replayed_after_the_snapshot) {
  temp_dir dir;
  state_map snap;
  snap.emplace("aaaaaaaa", sample_analysis("aaaaaaaa"));
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), snap, 2));
  // Journal 1 is already folded into the snapshot (a crash before deleting it).
  write_bytes(journal_path(dir, 1), journal_image({created("aaaaaaaa"), removed("aaaaaaaa")}));
  write_bytes(journal_path(dir, 2), journal_image({created("bbbbbbbb"), finalized("aaaaaaaa", "{}")}));
  write_bytes(journal_path(dir, 3), journal_image({file_added("bbbbbbbb", 1, "r.fa")}));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.damage.empty());
  EXPECT_EQ(rep.snapshot_analyses, 1u);
  EXPECT_EQ(rep.journal_records, 3u);
  EXPECT_EQ(rep.skipped_records, 0u);
  ASSERT_EQ(rep.analyses.size(), 2u);
  EXPECT_TRUE(rep.analyses["aaaaaaaa"].ready);
  EXPECT_EQ(rep.analyses["bbbbbbbb"].files.size(), 1u);
  EXPECT_EQ(rep.next_journal_seq, 4u);
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 1)));
}

TEST(recovery, journal_cut_at_every_offset_of_its_last_record_keeps_earlier_records) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb"), finalized("aaaaaaaa", R"({"r":[1,2,3]})")},
                            &offsets);
  auto last = offsets.back();
  for (auto cut = last + 1; cut < full.size(); ++cut) {
    temp_dir dir;
    write_bytes(journal_path(dir, 1), full.substr(0, cut));
    recovery_report rep;
    ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "") << "cut at " << cut;
    ASSERT_EQ(rep.analyses.size(), 2u) << "cut at " << cut;
    EXPECT_FALSE(rep.analyses["aaaaaaaa"].ready) << "cut at " << cut;
    EXPECT_EQ(rep.journal_records, 2u);
    EXPECT_FALSE(rep.damage.empty()) << "cut at " << cut;
    // The journal is cut back to its last whole record; the dropped bytes are kept.
    EXPECT_EQ(read_bytes(journal_path(dir, 1)).size(), last) << "cut at " << cut;
    EXPECT_TRUE(posix_storage().exists(dir.path() + "/quarantine"));
    // A second recovery finds nothing wrong.
    recovery_report again;
    ASSERT_EQ(recover(posix_storage(), dir.path(), again), "");
    EXPECT_TRUE(again.damage.empty()) << "cut at " << cut << ": " << again.damage.front();
    EXPECT_EQ(again.analyses.size(), 2u);
  }
}

TEST(recovery, journal_cut_exactly_at_a_record_boundary_is_not_damage) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full.substr(0, offsets.back()));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.damage.empty());
  EXPECT_EQ(rep.analyses.size(), 1u);
}

TEST(recovery, flipped_byte_in_an_older_record_stops_the_start_until_repair) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb"), created("cccccccc")}, &offsets);
  for (auto i = offsets[1]; i < offsets[2]; ++i) {
    for (unsigned char mask : {0x01, 0x80}) {
      temp_dir dir;
      auto bad = full;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      write_bytes(journal_path(dir, 1), bad);
      write_bytes(journal_path(dir, 2), journal_image({created("dddddddd")}));
      recovery_report rep;
      // Damage with data behind it is no crash's doing: the start stops,
      // says what to do, and changes nothing.
      auto err = recover(posix_storage(), dir.path(), rep);
      ASSERT_NE(err.find("--repair"), std::string::npos) << "flip at " << i << ": " << err;
      EXPECT_EQ(read_bytes(journal_path(dir, 1)), bad);
      EXPECT_TRUE(posix_storage().exists(journal_path(dir, 2)));
      EXPECT_FALSE(posix_storage().exists(dir.path() + "/quarantine"));
      // --repair sets the damage aside and goes on with what precedes it.
      ASSERT_EQ(recover(posix_storage(), dir.path(), rep, true), "") << "flip at " << i;
      EXPECT_EQ(rep.analyses.count("aaaaaaaa"), 1u) << "flip at " << i;
      EXPECT_EQ(rep.analyses.count("bbbbbbbb"), 0u) << "corrupt record loaded, flip at " << i;
      EXPECT_EQ(rep.analyses.count("cccccccc"), 0u) << "flip at " << i;
      EXPECT_EQ(rep.analyses.count("dddddddd"), 0u) << "later journal replayed, flip at " << i;
      EXPECT_EQ(rep.analyses.size(), 1u);
      EXPECT_FALSE(rep.damage.empty());
      // Later journals go to quarantine instead of being replayed on the next start.
      EXPECT_FALSE(posix_storage().exists(journal_path(dir, 2)));
      EXPECT_TRUE(has_one_starting(list(dir.path() + "/quarantine"), journal_name(2) + "."));
      EXPECT_EQ(read_bytes(journal_path(dir, 1)).size(), offsets[1]);
    }
  }
}

TEST(recovery, a_quarantine_that_is_a_link_is_never_written_through) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  temp_dir dir;
  temp_dir outside;
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir.path() + "/quarantine").c_str()), 0);
  // A torn tail in journal 1 (its bytes would be kept in quarantine) and a
  // later journal (which would be moved there).
  write_bytes(journal_path(dir, 1), full.substr(0, offsets.back() + 3));
  write_bytes(journal_path(dir, 2), journal_image({created("cccccccc")}));
  recovery_report rep;
  auto err = recover(posix_storage(), dir.path(), rep, true);
  EXPECT_NE(err, "") << "journal 2 cannot be set aside, so recovery must stop";
  EXPECT_TRUE(list(outside.path()).empty()) << "written through the link";
  EXPECT_TRUE(std::any_of(rep.damage.begin(), rep.damage.end(), [](const std::string& d) {
    return d.find("could not keep") != std::string::npos;
  }));
  EXPECT_EQ(read_bytes(journal_path(dir, 2)), journal_image({created("cccccccc")}));
}

TEST(recovery, journal_without_magic_is_dropped) {
  temp_dir dir;
  write_bytes(journal_path(dir, 1), "ANJR");
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.analyses.empty());
  EXPECT_FALSE(rep.damage.empty());
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 1)));
}

TEST(recovery, a_torn_tail_of_an_older_journal_is_damage_not_a_crash) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full.substr(0, offsets.back() + 3));
  write_bytes(journal_path(dir, 2), journal_image({created("cccccccc")}));
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), dir.path(), rep), "")
    << "journal 1 was complete before journal 2 was made: a cut in it is damage";
  EXPECT_EQ(read_bytes(journal_path(dir, 1)), full.substr(0, offsets.back() + 3));
}

TEST(recovery, a_damaged_length_in_the_middle_of_the_newest_journal_is_damage_not_a_tear) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb"), created("cccccccc")},
                            &offsets);
  temp_dir dir;
  auto bad = full;
  bad[offsets[1] + 2] = '\x7f'; // b's length now runs past the end of the file
  write_bytes(journal_path(dir, 1), bad);
  recovery_report rep;
  auto err = recover(posix_storage(), dir.path(), rep);
  EXPECT_NE(err.find("--repair"), std::string::npos)
    << "c's acknowledged record follows the damage: cutting it silently loses it; " << err;
  EXPECT_EQ(read_bytes(journal_path(dir, 1)), bad);
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep, true), "");
  EXPECT_FALSE(rep.complete) << "what --repair set aside may name files";
  EXPECT_EQ(rep.analyses.size(), 1u);
}

TEST(recovery, a_torn_tail_leaves_the_state_complete) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full.substr(0, full.size() - 5));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.complete);
  EXPECT_EQ(rep.analyses.size(), 1u);
}

TEST(recovery, a_zeroed_tail_of_the_newest_journal_is_cut) {
  auto full = journal_image({created("aaaaaaaa")});
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full + std::string(100, '\0'));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.analyses.size(), 1u);
  EXPECT_TRUE(rep.damage.empty()) << "the zeros a writer keeps ahead: " << rep.damage.front();
  EXPECT_EQ(read_bytes(journal_path(dir, 1)), full);
}

TEST(recovery, a_zeroed_tail_of_an_older_journal_is_damage) {
  auto full = journal_image({created("aaaaaaaa")});
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full + std::string(100, '\0'));
  write_bytes(journal_path(dir, 2), journal_image({created("bbbbbbbb")}));
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), dir.path(), rep).find("--repair"), std::string::npos)
    << "a journal's zeros are cut before a newer one is made";
  EXPECT_EQ(read_bytes(journal_path(dir, 1)), full + std::string(100, '\0'));
}

TEST(recovery, repair_keeps_the_trailing_zero_bytes_of_an_older_journals_damage) {
  std::vector<std::size_t> offsets;
  auto full = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  ASSERT_EQ(full.back(), '\0') << "the test needs a record that ends with zero bytes";
  full[offsets[1] + 12] ^= 0x01;
  temp_dir dir;
  write_bytes(journal_path(dir, 1), full);
  write_bytes(journal_path(dir, 2), journal_image({created("cccccccc")}));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep, true), "");
  std::vector<std::string> kept;
  ASSERT_FALSE(posix_storage().list_dir(dir.path() + "/quarantine", kept));
  auto damaged = std::find_if(kept.begin(), kept.end(), [](const std::string& name) {
    return name.rfind(journal_name(1) + ".", 0) == 0;
  });
  ASSERT_NE(damaged, kept.end());
  EXPECT_EQ(read_bytes(dir.path() + "/quarantine/" + *damaged), full.substr(offsets[1]))
    << "what --repair drops may have been acknowledged: every byte of it is kept";
}

TEST(recovery, a_record_torn_over_the_zeros_of_the_newest_journal_is_cut_and_kept_without_them) {
  auto one = journal_image({created("aaaaaaaa")});
  std::vector<std::size_t> offsets;
  auto two = journal_image({created("aaaaaaaa"), created("bbbbbbbb")}, &offsets);
  // Cut inside b's ids (its last bytes are zeros, which the zeros would put back).
  auto torn = two.substr(0, offsets[1] + 20);
  temp_dir dir;
  write_bytes(journal_path(dir, 1), torn + std::string(4096, '\0'));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.complete);
  EXPECT_EQ(rep.analyses.size(), 1u);
  EXPECT_EQ(read_bytes(journal_path(dir, 1)), one);
  ASSERT_TRUE(has_one_starting(rep.damage, journal_name(1) + ": checksum mismatch"))
    << rep.damage.front();
  std::vector<std::string> kept;
  ASSERT_FALSE(posix_storage().list_dir(dir.path() + "/quarantine", kept));
  ASSERT_EQ(kept.size(), 1u);
  auto record = torn.substr(one.size());
  record.erase(record.find_last_not_of('\0') + 1);
  EXPECT_EQ(read_bytes(dir.path() + "/quarantine/" + kept[0]), record)
    << "the torn record, without the zeros after it";
}

TEST(recovery, a_journal_with_a_foreign_header_stops_the_start) {
  temp_dir dir;
  write_bytes(journal_path(dir, 1), journal_image({created("aaaaaaaa")}));
  write_bytes(journal_path(dir, 2), "GARBAGE!" + journal_image({created("bbbbbbbb")}));
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), dir.path(), rep).find("--repair"), std::string::npos);
  EXPECT_TRUE(posix_storage().exists(journal_path(dir, 2)));
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep, true), "");
  EXPECT_EQ(rep.analyses.size(), 1u);
  EXPECT_TRUE(has_one_starting(list(dir.path() + "/quarantine"), journal_name(2) + "."));
}

TEST(recovery, state_of_a_newer_format_is_refused_even_with_repair) {
  temp_dir dir;
  auto newer = journal_image({created("aaaaaaaa")});
  newer[6] = '7'; // ANJRNL7: what a newer build (or a downgrade) leaves
  write_bytes(journal_path(dir, 1), newer);
  for (bool repair : {false, true}) {
    recovery_report rep;
    auto err = recover(posix_storage(), dir.path(), rep, repair);
    EXPECT_NE(err.find("newer"), std::string::npos) << err;
    EXPECT_EQ(read_bytes(journal_path(dir, 1)), newer) << "nothing may be rewritten";
    EXPECT_FALSE(posix_storage().exists(dir.path() + "/quarantine"));
  }
  temp_dir snap_dir;
  ASSERT_FALSE(write_snapshot(posix_storage(), snap_dir.path(), {}, 1));
  auto snap = read_bytes(snap_dir.path() + "/snapshot");
  snap[6] = '9';
  write_bytes(snap_dir.path() + "/snapshot", snap);
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), snap_dir.path(), rep, true).find("newer"), std::string::npos);
  EXPECT_EQ(read_bytes(snap_dir.path() + "/snapshot"), snap);
}

TEST(recovery, a_damaged_snapshot_is_quarantined_with_repair) {
  temp_dir dir;
  auto bytes = write_damaged_snapshot(dir);
  write_bytes(journal_path(dir, 1), journal_image({created("bbbbbbbb")}));
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), dir.path(), rep).find("--repair"), std::string::npos);
  EXPECT_EQ(read_bytes(dir.path() + "/snapshot"), bytes);
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep, true), "");
  EXPECT_EQ(rep.analyses.count("bbbbbbbb"), 1u);
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/snapshot"));
  EXPECT_TRUE(has_one_starting(list(dir.path() + "/quarantine"), "snapshot."));
}

namespace {

// Real bytes that analysisd 0.1 wrote (tests/persistence/data/format1/):
// a snapshot of three analyses and a journal (number 5) of every record kind.
void put_format_1_state(const temp_dir& dir) {
  auto data = std::string(ANALYSISD_SOURCE_DIR) + "/tests/persistence/data/format1/";
  write_bytes(dir.path() + "/snapshot", read_bytes(data + "snapshot"));
  write_bytes(journal_path(dir, 5), read_bytes(data + "journal"));
}

} // namespace

TEST(recovery, state_files_of_format_1_load) {
  temp_dir dir;
  put_format_1_state(dir);
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.oldest_format, 1);
  EXPECT_TRUE(rep.damage.empty());
  ASSERT_EQ(rep.analyses.size(), 3u);
  auto& done = rep.analyses.at("done0001");
  EXPECT_TRUE(done.ready);
  EXPECT_EQ(done.results, R"({"hits":[]})");
  ASSERT_EQ(done.files.size(), 1u);
  EXPECT_EQ(done.files[0].name, "results.fa");
  EXPECT_EQ(done.sample.name, "Test 1");
  EXPECT_TRUE(done.user_handle.empty() && done.ml.empty() && done.reference.id.empty());
  // The journal's records applied onto abcd1234 of the snapshot.
  auto& a = rep.analyses.at("abcd1234");
  EXPECT_TRUE(a.job_acquired);
  EXPECT_EQ(a.job_key_hash, std::string(32, '\x5a'));
  ASSERT_EQ(a.files.size(), 1u);
  EXPECT_TRUE(a.ready);
  EXPECT_EQ(a.results, R"({"hits":[{"id":1,"name":"x"}]})");
  EXPECT_EQ(render_analysis(a).find("\"state\":\"complete\"") != std::string::npos, true);
}

TEST(recovery, records_that_do_not_fit_are_skipped_and_counted) {
  temp_dir dir;
  write_bytes(journal_path(dir, 1),
              journal_image({created("aaaaaaaa"), finalized("zzzzzzzz", "{}"), created("aaaaaaaa")}));
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.journal_records, 1u);
  EXPECT_EQ(rep.skipped_records, 2u);
  EXPECT_TRUE(rep.damage.empty());
}

// Same bug as snapshot.damaged_snapshot_is_never_loaded_in_part, seen through recover().
TEST(recovery, damaged_snapshot_changes_nothing_in_the_report) {
  temp_dir dir;
  state_map snap;
  snap.emplace("aaaaaaaa", sample_analysis("aaaaaaaa"));
  snap.emplace("bbbbbbbb", sample_analysis("bbbbbbbb"));
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), snap, 1));
  auto bytes = read_bytes(dir.path() + "/snapshot");
  bytes[bytes.size() - 1] ^= 0x01; // damage in the last analysis only
  write_bytes(dir.path() + "/snapshot", bytes);
  recovery_report rep;
  EXPECT_NE(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.analyses.empty()) << rep.analyses.size() << " analyses of a refused snapshot";
}

TEST(recovery, compaction_folds_journals_into_the_snapshot_and_deletes_them) {
  temp_dir dir;
  write_bytes(journal_path(dir, 1), journal_image({created("aaaaaaaa"), created("bbbbbbbb")}));
  write_bytes(journal_path(dir, 2), journal_image({finalized("aaaaaaaa", "{}"), removed("bbbbbbbb")}));
  write_bytes(journal_path(dir, 3), journal_image({created("cccccccc")}));
  ASSERT_EQ(compact(posix_storage(), dir.path(), 3), "");
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 1)));
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 2)));
  EXPECT_TRUE(posix_storage().exists(journal_path(dir, 3))) << "the journal being written stays";
  state_map snap;
  std::uint64_t next = 0;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), snap, next), "");
  EXPECT_EQ(next, 3u);
  ASSERT_EQ(snap.count("aaaaaaaa"), 1u);
  EXPECT_TRUE(snap["aaaaaaaa"].ready);
  ASSERT_EQ(snap.count("bbbbbbbb"), 1u) << "a removed analysis leaves a tombstone";
  EXPECT_TRUE(snap["bbbbbbbb"].removed);
  EXPECT_TRUE(snap["bbbbbbbb"].workflow.empty()) << "a tombstone keeps only id and job";
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.analyses.size(), 3u); // a, the tombstone of b, c
  EXPECT_EQ(rep.snapshot_analyses, 2u);
  EXPECT_EQ(rep.journal_records, 1u);
  EXPECT_EQ(rep.next_journal_seq, 4u);
  // A second compaction on top of the snapshot works too.
  ASSERT_EQ(compact(posix_storage(), dir.path(), 4), "");
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 3)));
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.analyses.size(), 3u);
  EXPECT_EQ(rep.journal_records, 0u);
  EXPECT_EQ(rep.next_journal_seq, 4u);
}

namespace {

// What recovery makes of the state files in `dir`, each analysis encoded.
std::map<std::string, std::string> recovered_state(const std::string& dir) {
  recovery_report rep;
  EXPECT_EQ(recover(posix_storage(), dir, rep), "");
  std::map<std::string, std::string> out;
  for (auto& [id, a] : rep.analyses)
    out[id] = encode_state(a);
  return out;
}

std::string frame_of(const analysis_state& a) {
  std::string frame;
  append_frame(frame, encode_state(a));
  return frame;
}

} // namespace

// Compaction decodes and keeps only the analyses its journals name: the
// others go into the new snapshot as their frames were. What recovery makes
// of the state is the same before and after, also from a snapshot of an
// older format, whose frames are all encoded anew.
TEST(recovery, compaction_copies_the_analyses_no_record_names_and_changes_nothing_recovered) {
  temp_dir dir;
  state_map snap;
  for (int i = 0; i < 200; ++i) {
    char id[9];
    std::snprintf(id, sizeof(id), "s%07u", static_cast<unsigned>(i) % 10000000u);
    auto a = sample_analysis(id, std::string{"j"} + (id + 1));
    a.created_at = i;
    snap.emplace(id, std::move(a));
  }
  ASSERT_FALSE(write_snapshot(posix_storage(), dir.path(), snap, 2));
  journal_record acquired;
  acquired.kind = record_kind::job_acquired;
  acquired.analysis_id = "s0000003";
  acquired.key_hash = std::string(32, '\x11');
  write_bytes(journal_path(dir, 1), journal_image({removed("s0000000")})); // folded in already
  write_bytes(journal_path(dir, 2),
              journal_image({finalized("s0000001", "{\"hits\":[]}"), removed("s0000002"),
                             created("newnew01"), acquired, file_added("s0000004", 1, "a.bam")}));
  write_bytes(journal_path(dir, 3), journal_image({finalized("s0000005", "{}")})); // being written
  auto before = recovered_state(dir.path());
  // recover() removed journal 1 (older than the snapshot); put it back, as a
  // crash between a snapshot and the deletion of its journals leaves it.
  write_bytes(journal_path(dir, 1), journal_image({removed("s0000000")}));
  ASSERT_EQ(compact(posix_storage(), dir.path(), 3), "");
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 1)));
  EXPECT_FALSE(posix_storage().exists(journal_path(dir, 2)));
  EXPECT_TRUE(posix_storage().exists(journal_path(dir, 3)));
  auto image = read_bytes(dir.path() + "/snapshot");
  for (auto* copied : {"s0000000", "s0000006", "s0000199"})
    EXPECT_NE(image.find(frame_of(snap.at(copied))), std::string::npos)
      << copied << ": no record names it, its frame is copied as it was";
  EXPECT_EQ(image.find(frame_of(snap.at("s0000001"))), std::string::npos)
    << "the finalized analysis is written anew";
  EXPECT_EQ(recovered_state(dir.path()), before);
  state_map after;
  std::uint64_t next = 0;
  ASSERT_EQ(load_snapshot(posix_storage(), dir.path(), after, next), "");
  EXPECT_EQ(next, 3u);
  EXPECT_EQ(after.size(), 201u);
  EXPECT_TRUE(after.at("s0000001").ready);
  EXPECT_TRUE(after.at("s0000002").removed);
  EXPECT_EQ(after.at("s0000003").job_key_hash, std::string(32, '\x11'));
  EXPECT_EQ(after.at("s0000004").files.size(), 1u);
  EXPECT_FALSE(after.at("s0000005").ready) << "journal 3 is not folded in";
  EXPECT_FALSE(after.at("s0000000").removed) << "journal 1 was folded in before";

  // A snapshot of format 1 (analysisd 0.1's bytes): every analysis encoded anew.
  temp_dir old;
  put_format_1_state(old);
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), old.path(), rep), "");
  EXPECT_EQ(rep.oldest_format, 1);
  auto old_before = recovered_state(old.path());
  ASSERT_EQ(compact(posix_storage(), old.path(), 6), "");
  ASSERT_EQ(recover(posix_storage(), old.path(), rep), "");
  EXPECT_EQ(rep.oldest_format, current_format) << "no frame of format 1 was copied";
  EXPECT_EQ(recovered_state(old.path()), old_before);
}

// A snapshot with the same analysis twice (far apart, so that one copy is
// copied and the other decoded, or both copied) is refused, as at start.
TEST(recovery, compaction_refuses_a_snapshot_that_holds_an_analysis_twice) {
  for (bool named : {false, true}) {
    temp_dir dir;
    auto a = sample_analysis("aaaaaaaa");
    auto b = sample_analysis("bbbbbbbb", "jobjob02");
    std::string header;
    for (std::uint64_t x : {std::uint64_t{1}, std::uint64_t{3}})
      for (int i = 0; i < 8; ++i)
        header.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
    std::string bytes = snapshot_magic;
    append_frame(bytes, header);
    for (auto* x : {&a, &b, &a})
      append_frame(bytes, encode_state(*x));
    write_bytes(dir.path() + "/snapshot", bytes);
    write_bytes(journal_path(dir, 1),
                journal_image({finalized(named ? "aaaaaaaa" : "bbbbbbbb", "{}")}));
    EXPECT_NE(compact(posix_storage(), dir.path(), 2), "") << named;
    EXPECT_EQ(read_bytes(dir.path() + "/snapshot"), bytes) << "the snapshot is untouched";
    EXPECT_TRUE(posix_storage().exists(journal_path(dir, 1)));
  }
}

TEST(recovery, compaction_of_a_damaged_journal_fails_and_keeps_it) {
  temp_dir dir;
  auto img = journal_image({created("aaaaaaaa"), created("bbbbbbbb")});
  img.pop_back();
  write_bytes(journal_path(dir, 1), img);
  EXPECT_NE(compact(posix_storage(), dir.path(), 2), "");
  EXPECT_TRUE(posix_storage().exists(journal_path(dir, 1)));
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/snapshot"));
}

// An offline backup compacts up to a stopped server's newest journal, which
// may end with zeros: read past, not cut (the backup's links share the data
// dir's inodes). Zeros ending an earlier journal are damage.
TEST(recovery, compaction_reads_past_the_zeros_of_its_last_journal_only) {
  temp_dir dir;
  write_bytes(journal_path(dir, 1), journal_image({created("aaaaaaaa")}));
  auto newest = journal_image({created("bbbbbbbb")}) + std::string(4096, '\0');
  write_bytes(journal_path(dir, 2), newest);
  temp_dir other;
  write_bytes(journal_path(other, 1), read_bytes(journal_path(dir, 2)));
  write_bytes(journal_path(other, 2), journal_image({created("aaaaaaaa")}));
  EXPECT_NE(compact(posix_storage(), other.path(), 3), "");
  ASSERT_EQ(compact(posix_storage(), dir.path(), 3), "");
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.analyses.size(), 2u);
  EXPECT_TRUE(rep.damage.empty()) << rep.damage.front();
}

TEST(recovery, applying_to_one_analysis_refuses_records_of_others_and_creations) {
  auto a = sample_analysis("aaaaaaaa");
  auto before = encode_state(a);
  EXPECT_FALSE(apply(a, finalized("bbbbbbbb", "{}")));
  EXPECT_FALSE(apply(a, created("aaaaaaaa")));
  EXPECT_EQ(encode_state(a), before);
  EXPECT_TRUE(apply(a, finalized("aaaaaaaa", R"({"x":1})")));
  EXPECT_TRUE(a.ready);
  EXPECT_EQ(a.results, R"({"x":1})");
}
