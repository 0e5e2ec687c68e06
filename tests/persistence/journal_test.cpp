#include "persistence/journal.hpp"
#include "persistence/recovery.hpp"

#include "tests/persistence/failing_storage.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

using namespace analysisd;
using namespace analysisd::test;

namespace {

std::vector<std::string> payloads(const std::string& data, scan_result& res) {
  std::vector<std::string> out;
  res = scan_frames(data.data(), data.size(), [&](const char* p, std::size_t n) {
    out.emplace_back(p, n);
    return true;
  });
  return out;
}

} // namespace

TEST(journal, frame_is_length_crc_and_payload_little_endian) {
  std::string out;
  append_frame(out, "abc");
  ASSERT_EQ(out.size(), 11u);
  EXPECT_EQ(out.substr(0, 4), std::string("\x03\x00\x00\x00", 4));
  // CRC-32 of "abc" is 0x352441C2.
  EXPECT_EQ(out.substr(4, 4), std::string("\xC2\x41\x24\x35", 4));
  EXPECT_EQ(out.substr(8), "abc");
}

TEST(journal, scan_returns_every_whole_frame_in_order) {
  std::string data;
  append_frame(data, "one");
  append_frame(data, "");
  append_frame(data, std::string(1000, 'x'));
  scan_result res;
  auto got = payloads(data, res);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "one");
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2], std::string(1000, 'x'));
  EXPECT_EQ(res.frames, 3u);
  EXPECT_EQ(res.valid_bytes, data.size());
  EXPECT_TRUE(res.damage.empty());
}

TEST(journal, scan_of_nothing_is_no_frames_and_no_damage) {
  scan_result res;
  auto got = payloads("", res);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(res.valid_bytes, 0u);
  EXPECT_TRUE(res.damage.empty());
}

TEST(journal, torn_tail_is_cut_at_the_last_whole_record) {
  std::string data;
  append_frame(data, "first");
  auto first_end = data.size();
  append_frame(data, "second record");
  for (auto cut = first_end + 1; cut < data.size(); ++cut) {
    scan_result res;
    auto got = payloads(data.substr(0, cut), res);
    ASSERT_EQ(got.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(got[0], "first");
    EXPECT_EQ(res.valid_bytes, first_end);
    EXPECT_FALSE(res.damage.empty()) << "cut at " << cut;
  }
}

TEST(journal, impossible_length_is_damage_not_an_allocation) {
  std::string data;
  append_frame(data, "ok");
  auto good = data.size();
  data += std::string("\xFF\xFF\xFF\xFF\0\0\0\0", 8);
  data += "junk";
  scan_result res;
  auto got = payloads(data, res);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(res.valid_bytes, good);
  EXPECT_NE(res.damage.find("impossible"), std::string::npos) << res.damage;
}

TEST(journal, checksum_mismatch_stops_the_scan) {
  std::string data;
  append_frame(data, "ok");
  auto good = data.size();
  append_frame(data, "payload");
  append_frame(data, "after");
  data[good + 9] ^= 0x01;
  scan_result res;
  auto got = payloads(data, res);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(res.valid_bytes, good);
  EXPECT_NE(res.damage.find("checksum"), std::string::npos) << res.damage;
}

TEST(journal, zeros_end_the_frames_only_when_asked_and_only_to_the_end) {
  std::string data;
  append_frame(data, "one");
  append_frame(data, "two");
  auto records = data.size();
  data += std::string(4096, '\0');
  // As recovery reads: no record is empty, and zeros read as empty frames.
  std::size_t frames = 0;
  auto record = [&](const char*, std::size_t n) { return n > 0 && ++frames; };
  auto res = scan_frames(data.data(), data.size(), record);
  EXPECT_EQ(frames, 2u);
  EXPECT_FALSE(res.damage.empty()) << "zeros are damage unless the caller expects them";
  EXPECT_FALSE(res.zero_tail);
  frames = 0;
  res = scan_frames(data.data(), data.size(), record, true);
  EXPECT_EQ(frames, 2u);
  EXPECT_TRUE(res.damage.empty()) << res.damage;
  EXPECT_TRUE(res.zero_tail);
  EXPECT_EQ(res.valid_bytes, records);
  // Zeros with a frame behind them are damage all the same.
  append_frame(data, "three");
  res = scan_frames(data.data(), data.size(), record, true);
  EXPECT_FALSE(res.zero_tail);
  EXPECT_FALSE(res.damage.empty());
  EXPECT_FALSE(res.torn_tail) << "a record follows the damage";
  EXPECT_EQ(res.valid_bytes, records);
}

TEST(journal, a_frame_torn_over_zeros_is_a_torn_tail) {
  std::string data;
  append_frame(data, "first");
  auto first_end = data.size();
  std::string second;
  append_frame(second, "second record");
  // A batch written over a journal's zeros ahead, cut short anywhere.
  for (std::size_t cut = 1; cut < second.size(); ++cut) {
    auto bytes = data + second.substr(0, cut) + std::string(64, '\0');
    auto res = scan_frames(
      bytes.data(), bytes.size(), [&](const char*, std::size_t) { return true; }, true);
    EXPECT_EQ(res.valid_bytes, first_end) << "cut at " << cut;
    EXPECT_FALSE(res.damage.empty()) << "cut at " << cut;
    EXPECT_TRUE(res.torn_tail) << "cut at " << cut << ": " << res.damage;
  }
}

TEST(journal, a_damaged_length_that_spans_records_into_the_zeros_is_no_tear) {
  std::string data;
  append_frame(data, "first");
  auto second = data.size();
  append_frame(data, "second");
  append_frame(data, "third");
  auto records = data.size();
  data += std::string(4096, '\0');
  // The second frame's length now runs over the third into the zeros.
  auto len = static_cast<std::uint32_t>(records - second - 8 + 100);
  for (int i = 0; i < 4; ++i)
    data[second + static_cast<std::size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xFF);
  auto res = scan_frames(
    data.data(), data.size(), [](const char*, std::size_t n) { return n > 0; }, true);
  EXPECT_EQ(res.valid_bytes, second);
  EXPECT_NE(res.damage.find("checksum"), std::string::npos) << res.damage;
  EXPECT_FALSE(res.torn_tail) << "a whole record lies inside: cutting it could lose it";
}

TEST(journal, rejected_payload_stops_the_scan) {
  std::string data;
  append_frame(data, "a");
  auto good = data.size();
  append_frame(data, "b");
  append_frame(data, "c");
  int calls = 0;
  auto res = scan_frames(data.data(), data.size(), [&](const char* p, std::size_t) {
    ++calls;
    return *p != 'b';
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(res.frames, 1u);
  EXPECT_EQ(res.valid_bytes, good);
  EXPECT_FALSE(res.damage.empty());
}

TEST(journal, record_round_trips_through_encode_and_decode) {
  auto rec = created("abcd1234");
  rec.analysis.files.push_back(file_added("abcd1234", 1, "results.fa").file);
  rec.analysis.ready = true;
  rec.analysis.results = R"({"hits":[1,2]})";
  auto bytes = encode_record(rec);
  journal_record back;
  ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), back));
  EXPECT_EQ(back.kind, record_kind::created);
  EXPECT_EQ(back.analysis.id, "abcd1234");
  EXPECT_EQ(back.analysis.sample.name, "Test 1");
  EXPECT_EQ(back.analysis.index.version, 3);
  ASSERT_EQ(back.analysis.files.size(), 1u);
  EXPECT_EQ(back.analysis.files[0].name, "results.fa");
  EXPECT_EQ(back.analysis.results, R"({"hits":[1,2]})");
  EXPECT_TRUE(back.analysis.ready);

  auto fin = finalized("abcd1234", "{}");
  bytes = encode_record(fin);
  journal_record back2;
  ASSERT_TRUE(decode_record(bytes.data(), bytes.size(), back2));
  EXPECT_EQ(back2.kind, record_kind::finalized);
  EXPECT_EQ(back2.at, fin.at);
  EXPECT_EQ(back2.results, "{}");
}

TEST(journal, decode_refuses_short_long_and_unknown_kind_payloads) {
  auto bytes = encode_record(created("abcd1234"));
  journal_record out;
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode_record(bytes.data(), n, out)) << "prefix of " << n << " bytes";
  auto longer = bytes + "x";
  EXPECT_FALSE(decode_record(longer.data(), longer.size(), out));
  auto bad_kind = bytes;
  bad_kind[0] = 0; // the kind is the first byte
  EXPECT_FALSE(decode_record(bad_kind.data(), bad_kind.size(), out));
  bad_kind[0] = 6;
  EXPECT_FALSE(decode_record(bad_kind.data(), bad_kind.size(), out));
}

TEST(journal, names_round_trip_and_other_names_are_refused) {
  std::uint64_t seq = 0;
  EXPECT_EQ(journal_name(7), "journal-00000000000000000007");
  ASSERT_TRUE(parse_journal_name(journal_name(7), seq));
  EXPECT_EQ(seq, 7u);
  ASSERT_TRUE(parse_journal_name(journal_name(UINT64_MAX), seq));
  EXPECT_EQ(seq, UINT64_MAX);
  EXPECT_FALSE(parse_journal_name("journal-7", seq));
  EXPECT_FALSE(parse_journal_name("snapshot", seq));
  EXPECT_FALSE(parse_journal_name("journal-0000000000000000000x", seq));
  EXPECT_FALSE(parse_journal_name("journal-00000000000000000007.tmp", seq));
}

TEST(journal_writer, create_writes_the_magic_and_refuses_an_existing_file) {
  temp_dir dir;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(posix_storage(), dir.path(), 1, w));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->seq(), 1u);
  EXPECT_EQ(w->size(), journal_magic.size());
  EXPECT_EQ(read_bytes(dir.path() + "/" + journal_name(1)), journal_magic);
  std::unique_ptr<journal_writer> again;
  EXPECT_TRUE(journal_writer::create(posix_storage(), dir.path(), 1, again));
  EXPECT_FALSE(again);
}

TEST(journal_writer, appended_records_are_recovered) {
  temp_dir dir;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(posix_storage(), dir.path(), 1, w));
  std::string frames;
  append_frame(frames, encode_record(created("aaaaaaaa")));
  append_frame(frames, encode_record(created("bbbbbbbb")));
  ASSERT_FALSE(w->append_durably(frames));
  EXPECT_EQ(w->size(), journal_magic.size() + frames.size());
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_EQ(rep.analyses.size(), 2u);
  EXPECT_TRUE(rep.damage.empty());
}

TEST(journal_writer, failed_append_is_cut_back_so_later_appends_recover_cleanly) {
  temp_dir dir;
  failing_storage st;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(st, dir.path(), 1, w));
  std::string one, two, three;
  append_frame(one, encode_record(created("aaaaaaaa")));
  append_frame(two, encode_record(created("bbbbbbbb")));
  append_frame(three, encode_record(created("cccccccc")));
  ASSERT_FALSE(w->append_durably(one));
  st.plan.append_error = enospc(); // half of `two` reaches the file
  auto syncs = st.plan.syncs;
  auto ec = w->append_durably(two);
  EXPECT_EQ(st.plan.syncs, syncs + 1) << "the cut is not durable: a power cut would undo it";
  EXPECT_EQ(ec, std::errc::no_space_on_device);
  EXPECT_TRUE(is_disk_full(ec));
  EXPECT_FALSE(w->broken());
  EXPECT_EQ(w->size(), journal_magic.size() + one.size());
  EXPECT_EQ(read_bytes(dir.path() + "/" + journal_name(1)).size(), journal_magic.size() + one.size());
  ASSERT_FALSE(w->append_durably(three));
  w.reset();
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.damage.empty()) << rep.damage.front();
  EXPECT_EQ(rep.analyses.size(), 2u);
  EXPECT_EQ(rep.analyses.count("aaaaaaaa"), 1u);
  EXPECT_EQ(rep.analyses.count("bbbbbbbb"), 0u);
  EXPECT_EQ(rep.analyses.count("cccccccc"), 1u);
}

TEST(journal_writer, failed_sync_leaves_it_broken) {
  temp_dir dir;
  failing_storage st;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(st, dir.path(), 1, w));
  std::string one, two;
  append_frame(one, encode_record(created("aaaaaaaa")));
  append_frame(two, encode_record(created("bbbbbbbb")));
  st.plan.sync_error = eio();
  EXPECT_EQ(w->append_durably(one), std::errc::io_error);
  EXPECT_TRUE(w->broken());
  auto appends = st.plan.appends;
  EXPECT_TRUE(w->append_durably(two));
  EXPECT_EQ(st.plan.appends, appends) << "a broken writer must not write again";
}

TEST(journal_writer, failed_cut_after_failed_append_leaves_it_broken) {
  temp_dir dir;
  failing_storage st;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(st, dir.path(), 1, w));
  std::string one;
  append_frame(one, encode_record(created("aaaaaaaa")));
  st.plan.append_error = enospc();
  st.plan.truncate_error = eio();
  EXPECT_TRUE(w->append_durably(one));
  EXPECT_TRUE(w->broken());
}

TEST(model, random_hex_gives_distinct_lowercase_hex_of_the_asked_size) {
  auto a = random_hex(32);
  auto b = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(random_hex(3).size(), 6u);
}

TEST(journal_writer, the_newest_journal_recovers_whole_and_loses_its_zeros) {
  temp_dir dir;
  std::unique_ptr<journal_writer> w;
  ASSERT_FALSE(journal_writer::create(posix_storage(), dir.path(), 1, w));
  std::string frames;
  append_frame(frames, encode_record(created("aaaaaaaa")));
  ASSERT_FALSE(w->append_durably(frames));
  w.reset(); // as a killed process leaves it
  auto path = dir.path() + "/" + journal_name(1);
  ASSERT_EQ(read_bytes(path).size(), journal_magic.size() + frames.size() + journal_zeros_ahead);
  recovery_report rep;
  ASSERT_EQ(recover(posix_storage(), dir.path(), rep), "");
  EXPECT_TRUE(rep.damage.empty()) << rep.damage.front();
  EXPECT_TRUE(rep.complete);
  EXPECT_EQ(rep.analyses.size(), 1u);
  EXPECT_EQ(read_bytes(path), journal_magic + frames)
    << "cut before the next journal is made, after which it is not the newest";
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/quarantine"))
    << "zeros are not damage to keep";
}

namespace {

// A journal with 4 KiB of zeros ahead, on a storage that fails what a test
// plans, and two records to append.
class zeros_ahead : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(journal_writer::create(st, dir.path(), 1, w, 4096));
    append_frame(one, encode_record(created("aaaaaaaa")));
    append_frame(two, encode_record(created("bbbbbbbb")));
  }
  std::string bytes() const {
    return read_bytes(dir.path() + "/" + journal_name(1));
  }

  temp_dir dir;
  failing_storage st;
  std::unique_ptr<journal_writer> w;
  std::string one, two;
};

} // namespace

TEST_F(zeros_ahead, go_ahead_of_the_records_and_seal_cuts_them_off_durably) {
  ASSERT_FALSE(w->append_durably(one));
  auto records = journal_magic.size() + one.size();
  EXPECT_EQ(w->size(), records);
  EXPECT_EQ(bytes(), journal_magic + one + std::string(4096, '\0'))
    << "the batch that grows the file writes the zeros for the next ones";
  auto writes = st.plan.appends;
  ASSERT_FALSE(w->append_durably(two));
  EXPECT_EQ(st.plan.appends, writes + 1) << "a batch written over zeros writes nothing more";
  records += two.size();
  EXPECT_EQ(bytes(), journal_magic + one + two + std::string(4096 - two.size(), '\0'));
  auto syncs = st.plan.syncs;
  ASSERT_FALSE(w->seal());
  EXPECT_EQ(st.plan.syncs, syncs + 1) << "the cut is not durable";
  EXPECT_EQ(bytes(), journal_magic + one + two);
  ASSERT_FALSE(w->seal()) << "nothing left to cut";
  EXPECT_EQ(st.plan.syncs, syncs + 1);
  // Written again, it holds zeros again, and stays readable.
  std::string three;
  append_frame(three, encode_record(created("cccccccc")));
  ASSERT_FALSE(w->append_durably(three));
  EXPECT_EQ(bytes().size(), records + three.size() + 4096);
}

TEST_F(zeros_ahead, that_cannot_be_written_are_no_error) {
  st.plan.write_at_error = enospc(); // half of the zeros are written
  ASSERT_FALSE(w->append_durably(one));
  ASSERT_FALSE(w->append_durably(two));
  EXPECT_FALSE(w->broken());
  ASSERT_FALSE(w->seal());
  EXPECT_EQ(bytes(), journal_magic + one + two) << "seal() cuts what zeros were written";
}

TEST_F(zeros_ahead, a_seal_whose_sync_failed_cuts_again) {
  ASSERT_FALSE(w->append_durably(one));
  st.plan.sync_error = eio();
  EXPECT_EQ(w->seal(), std::errc::io_error);
  auto truncates = st.plan.truncates;
  auto syncs = st.plan.syncs;
  ASSERT_FALSE(w->seal()) << "the cut may not be durable: it is made again";
  EXPECT_EQ(st.plan.truncates, truncates + 1);
  EXPECT_EQ(st.plan.syncs, syncs + 1);
  EXPECT_EQ(bytes(), journal_magic + one);
}

TEST_F(zeros_ahead, a_failed_seal_leaves_the_journal_writable) {
  ASSERT_FALSE(w->append_durably(one));
  st.plan.truncate_error = eio();
  EXPECT_EQ(w->seal(), std::errc::io_error);
  EXPECT_FALSE(w->broken());
  ASSERT_FALSE(w->append_durably(two));
  ASSERT_FALSE(w->seal());
  EXPECT_EQ(bytes(), journal_magic + one + two);
}

