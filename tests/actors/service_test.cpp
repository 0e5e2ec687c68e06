#include "actors/service.hpp"
#include "tests/actors/helpers.hpp"

#include "tests/persistence/failing_storage.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

constexpr auto service_timeout = std::chrono::seconds(30);

/// A running service on a temporary data directory, with blocking helpers.
/// Each helper returns the value, or records the error code in `last_error`.
class fixture {
public:
  /// With `st`, the service uses that storage (a failing one, say).
  /// With `actor_idle`, analysis actors retire after that long idle.
  explicit fixture(storage* st = nullptr,
                   std::chrono::milliseconds actor_idle = std::chrono::milliseconds(30000))
    : sys_(test_config()), self_(sys_), st_(st), actor_idle_(actor_idle) {
    start();
  }

  ~fixture() {
    if (svc_)
      stop();
  }

  void start() {
    service_options opts;
    opts.data_dir = dir_.path();
    opts.st = st_;
    opts.actor_idle = actor_idle_;
    opts.read_only = read_only_;
    auto svc = start_service(sys_, opts);
    ASSERT_TRUE(svc) << sys_.render(svc.error());
    svc_ = std::move(*svc);
  }

  /// Stops the service; its final snapshot must succeed unless told otherwise.
  void stop(bool snapshot_fails = false) {
    EXPECT_EQ(static_cast<bool>(stop_service(sys_, *svc_)), snapshot_fails);
    svc_.reset();
  }

  caf::actor_system& sys() {
    return sys_;
  }
  /// What readiness reads: set once the journal took no more writes.
  bool read_only() const {
    return read_only_->load();
  }
  service& svc() {
    return *svc_;
  }
  const std::string& data_dir() const {
    return dir_.path();
  }

  /// Runs a request on the scoped actor; returns the value or the error code.
  template <class T, class... Ts>
  std::pair<T, std::uint8_t> ask(Ts&&... xs) {
    std::pair<T, std::uint8_t> out{T{}, 0};
    self_->request(svc_->registry, service_timeout, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out.first = std::move(x); },
               [&](caf::error& err) {
                 out.second = code_of(err);
                 if (out.second == 0)
                   ADD_FAILURE() << "not an analysisd error: " << sys_.render(err);
               });
    return out;
  }

  nlohmann::json create(const create_request& req = good_create()) {
    auto [doc, code] = ask<std::string>(create_atom::value, req);
    EXPECT_EQ(code, 0);
    return code == 0 ? nlohmann::json::parse(doc) : nlohmann::json{};
  }

  std::string acquire(const std::string& job_id) {
    auto [key, code] = ask<std::string>(acquire_atom::value, job_id);
    EXPECT_EQ(code, 0);
    return key;
  }

  /// The analyses whose actor runs, as the registry counts them.
  std::uint64_t live_actors() {
    std::uint64_t n = ~std::uint64_t{0};
    self_->request(svc_->registry, service_timeout, stats_atom::value)
      .receive([&](std::uint64_t live, std::uint64_t) { n = live; }, [](caf::error&) {});
    return n;
  }

  /// Waits (up to 10 s) until every actor retired and the registry took its
  /// analysis back; the analyses whose actor still runs.
  std::uint64_t until_no_actor() {
    auto live = live_actors();
    for (int k = 0; k < 1000 && live != 0; ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      live = live_actors();
    }
    return live;
  }

  /// Creates an analysis and acquires its job: {analysis id, the job's credential}.
  std::pair<std::string, credential> create_acquired() {
    auto a = create();
    std::string id = a["id"], job = a["job"]["id"];
    return {id, job_credential(job, acquire(job))};
  }

private:
  temp_dir dir_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  storage* st_;
  std::chrono::milliseconds actor_idle_;
  std::optional<service> svc_;
  std::shared_ptr<std::atomic<bool>> read_only_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace

TEST(service, create_returns_the_document_of_a_fresh_analysis) {
  fixture f;
  auto doc = f.create();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["id"].get<std::string>().size(), 8u);
  EXPECT_EQ(doc["job"]["id"].get<std::string>().size(), 8u);
  EXPECT_EQ(doc["workflow"], "pathoscope_bowtie");
  EXPECT_EQ(doc["sample"], nlohmann::json({{"id", "kigvhuql"}, {"name", "Test 1"}}));
  EXPECT_EQ(doc["ready"], false);
  EXPECT_EQ(doc["files"], nlohmann::json::array());
  EXPECT_TRUE(doc["results"].is_null());
  EXPECT_EQ(doc["job"]["state"], "waiting");
  EXPECT_EQ(doc["created_at"], doc["updated_at"]);
}

TEST(service, create_with_a_taken_id_is_a_conflict_and_bad_requests_are_invalid_input) {
  fixture f;
  auto doc = f.create(good_create("abcd1234"));
  EXPECT_EQ(doc["id"], "abcd1234");
  EXPECT_EQ((f.ask<std::string>(create_atom::value, good_create("abcd1234")).second),
            e(errc::analysis_exists));
  auto bad = good_create();
  bad.workflow.clear();
  EXPECT_EQ((f.ask<std::string>(create_atom::value, bad).second), e(errc::invalid_input));
}

TEST(service, second_acquire_is_job_already_acquired) {
  fixture f;
  auto doc = f.create();
  std::string job = doc["job"]["id"];
  auto key = f.acquire(job);
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ((f.ask<std::string>(acquire_atom::value, job).second), e(errc::job_already_acquired));
  EXPECT_EQ((f.ask<std::string>(acquire_atom::value, std::string("nosuchjb")).second),
            e(errc::not_found));
}

TEST(service, get_checks_the_key_then_the_analysis_then_the_job) {
  fixture f;
  auto a = f.create();
  auto b = f.create();
  std::string a_id = a["id"], b_id = b["id"], a_job = a["job"]["id"], b_job = b["job"]["id"];
  // A job that was never acquired has no valid key.
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential(a_job, ""), a_id).second),
            e(errc::unauthorized));
  auto a_key = f.acquire(a_job);
  auto b_key = f.acquire(b_job);
  auto [doc, code] = f.ask<std::string>(get_atom::value, job_credential(a_job, a_key), a_id);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(nlohmann::json::parse(doc)["id"], a_id);
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential(a_job, b_key), a_id).second),
            e(errc::unauthorized));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential("nosuchjb", a_key), a_id).second),
            e(errc::unauthorized));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential(b_job, b_key), a_id).second),
            e(errc::forbidden));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential(a_job, a_key),
                                std::string("zzzzzzzz")).second),
            e(errc::not_found));
  // Wrong key for a missing analysis is still unauthorized (authentication first).
  EXPECT_EQ((f.ask<std::string>(get_atom::value, job_credential(a_job, b_key),
                                std::string("zzzzzzzz")).second),
            e(errc::unauthorized));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), b_id).second), 0);
}

TEST(service, upload_stores_the_bytes_and_records_the_file) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  auto [rec, code] = f.ask<file_record>(upload_atom::value, cred, id, upload("results.fa", ">x\nACGT\n"));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(rec.id, 1u);
  EXPECT_EQ(rec.name, "results.fa");
  EXPECT_EQ(rec.format, "fasta");
  EXPECT_EQ(rec.size, 8u);
  EXPECT_EQ(read_bytes(f.data_dir() + "/analyses/" + id + "/1-results.fa"), ">x\nACGT\n");
  auto [rec2, code2] = f.ask<file_record>(upload_atom::value, cred, id, upload("b.csv", "1,2", ""));
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(rec2.id, 2u);
  EXPECT_EQ(rec2.format, "");
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("results.fa", "again")).second),
            e(errc::file_exists));
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("../x", "x")).second),
            e(errc::name_not_plain));
  auto [loc, code3] = f.ask<file_location>(download_atom::value, cred, id, std::uint64_t{1});
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(read_bytes(loc.path), ">x\nACGT\n");
  EXPECT_EQ((f.ask<file_location>(download_atom::value, cred, id, std::uint64_t{9}).second),
            e(errc::not_found));
  auto [doc, code4] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code4, 0);
  auto j = nlohmann::json::parse(doc);
  ASSERT_EQ(j["files"].size(), 2u);
  EXPECT_EQ(j["files"][0]["name_on_disk"], "1-results.fa");
  EXPECT_EQ(j["files"][1]["format"], nullptr);
}

TEST(service, second_finalize_is_already_finalized) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  auto [doc, code] = f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":1})"));
  ASSERT_EQ(code, 0);
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["results"], nlohmann::json({{"hits", 1}}));
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string("{}")).second),
            e(errc::already_finalized));
  // Uploads after finalize are allowed; a job may not remove it any more.
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("late.json", "{}", "json")).second), 0);
  EXPECT_EQ((f.ask<bool>(remove_atom::value, cred, id).second), e(errc::analysis_finalized));
}

TEST(service, a_dormant_analysis_is_finalized_without_an_actor_and_read_as_finalized) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  ASSERT_EQ(f.live_actors(), 0u);
  auto [doc, code] = f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":3})"));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(f.live_actors(), 0u) << "no actor was spawned for the finalize";
  EXPECT_EQ(nlohmann::json::parse(doc)["results"]["hits"], 3);
  EXPECT_EQ(nlohmann::json::parse(doc)["ready"], true);
  // Reads (through an actor now) and the listing see what was answered.
  auto [got, code2] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(got, doc);
  auto [page, code3] = f.ask<std::string>(list_atom::value, list_request{1, 10});
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(nlohmann::json::parse(page)["documents"][0]["ready"], true);
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string("{}")).second),
            e(errc::already_finalized));
}

TEST(service, of_40_concurrent_finalizes_exactly_one_succeeds) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  auto registry = f.svc().registry;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    // Structured bindings are captured by init-capture (C++17).
    threads.emplace_back([&, i, id = id, cred = cred] {
      caf::scoped_actor self{f.sys()};
      self->request(registry, service_timeout, finalize_atom::value, cred, id,
                    R"({"n":)" + std::to_string(i) + "}")
        .receive([&](std::string&) { ++ok; },
                 [&](caf::error& err) {
                   if (code_of(err) == e(errc::already_finalized))
                     ++conflict;
                   else
                     ++other;
                 });
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), 39);
  EXPECT_EQ(other.load(), 0);
}

TEST(service, remove_deletes_the_analysis_and_its_files) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  ASSERT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa", "x")).second), 0);
  auto [removed, code] = f.ask<bool>(remove_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(removed);
  EXPECT_FALSE(posix_storage().exists(f.data_dir() + "/analyses/" + id));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), id).second), e(errc::not_found));
}

TEST(service, operators_remove_finalized_analyses) {
  fixture f;
  auto a = f.create();
  std::string id = a["id"];
  ASSERT_EQ((f.ask<std::string>(finalize_atom::value, admin_credential(), id, std::string("{}")).second), 0);
  EXPECT_EQ((f.ask<bool>(remove_atom::value, admin_credential(), id).second), 0);
  EXPECT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), id).second), e(errc::not_found));
}

TEST(service, list_pages_newest_first) {
  fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(f.create()["id"]);
  list_request req;
  req.page = 1;
  req.per_page = 2;
  auto [text, code] = f.ask<std::string>(list_atom::value, req);
  ASSERT_EQ(code, 0);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["total_count"], 5);
  EXPECT_EQ(j["page_count"], 3);
  ASSERT_EQ(j["documents"].size(), 2u);
  EXPECT_EQ(j["documents"][0]["id"], ids[4]);
  EXPECT_EQ(j["documents"][1]["id"], ids[3]);
  req.page = 3;
  auto [text3, code3] = f.ask<std::string>(list_atom::value, req);
  ASSERT_EQ(code3, 0);
  auto j3 = nlohmann::json::parse(text3);
  ASSERT_EQ(j3["documents"].size(), 1u);
  EXPECT_EQ(j3["documents"][0]["id"], ids[0]);
}

TEST(service, restart_on_the_same_directory_keeps_everything) {
  fixture f;
  auto a = f.create();
  auto b = f.create();
  auto c = f.create();
  std::string a_id = a["id"], a_job = a["job"]["id"], b_id = b["id"], c_id = c["id"];
  auto key = f.acquire(a_job);
  auto cred = job_credential(a_job, key);
  ASSERT_EQ((f.ask<file_record>(upload_atom::value, cred, a_id, upload("r.fa", "ACGT")).second), 0);
  ASSERT_EQ((f.ask<std::string>(finalize_atom::value, cred, a_id, std::string(R"({"x":[1]})")).second), 0);
  ASSERT_EQ((f.ask<bool>(remove_atom::value, admin_credential(), c_id).second), 0);
  auto [before, code] = f.ask<std::string>(get_atom::value, cred, a_id);
  ASSERT_EQ(code, 0);

  f.stop();
  f.start();
  EXPECT_EQ(f.svc().analyses_loaded, 2u);
  auto [after, code2] = f.ask<std::string>(get_atom::value, cred, a_id);
  ASSERT_EQ(code2, 0) << "the job key survives a restart";
  EXPECT_EQ(nlohmann::json::parse(after), nlohmann::json::parse(before));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), b_id).second), 0);
  EXPECT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), c_id).second), e(errc::not_found));
  EXPECT_EQ((f.ask<std::string>(acquire_atom::value, a_job).second), e(errc::job_already_acquired));
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, a_id, std::string("{}")).second),
            e(errc::already_finalized));
  // File ids are never reused, and the bytes are still there.
  auto [rec, code3] = f.ask<file_record>(upload_atom::value, cred, a_id, upload("s.fa", "GG"));
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(rec.id, 2u);
  auto [loc, code4] = f.ask<file_location>(download_atom::value, cred, a_id, std::uint64_t{1});
  ASSERT_EQ(code4, 0);
  EXPECT_EQ(read_bytes(loc.path), "ACGT");
}

TEST(service, restart_without_a_clean_stop_replays_the_journal) {
  temp_dir dir;
  std::string id, job, key;
  {
    caf::actor_system sys{test_config()};
    auto svc = start_service(sys, {dir.path()});
    ASSERT_TRUE(svc);
    caf::scoped_actor self{sys};
    self->request(svc->registry, service_timeout, create_atom::value, good_create("abcd1234"))
      .receive([&](std::string& doc) { job = nlohmann::json::parse(doc)["job"]["id"]; },
               [&](caf::error& err) { FAIL() << sys.render(err); });
    self->request(svc->registry, service_timeout, acquire_atom::value, job)
      .receive([&](std::string& k) { key = k; }, [&](caf::error& err) { FAIL() << sys.render(err); });
    // No stop_service: no final snapshot, only the journal.
    self->send_exit(svc->registry, caf::exit_reason::kill);
    self->send_exit(svc->journal, caf::exit_reason::kill);
  }
  caf::actor_system sys{test_config()};
  auto svc = start_service(sys, {dir.path()});
  ASSERT_TRUE(svc);
  EXPECT_EQ(svc->analyses_loaded, 1u);
  caf::scoped_actor self{sys};
  bool got = false;
  self->request(svc->registry, service_timeout, get_atom::value, job_credential(job, key), std::string("abcd1234"))
    .receive([&](std::string&) { got = true; }, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  EXPECT_TRUE(got);
  stop_service(sys, *svc);
}

TEST(service, upload_on_a_full_disk_is_storage_full_and_leaves_no_file_and_no_record) {
  failing_storage st;
  fixture f{&st};
  auto [id, cred] = f.create_acquired();
  st.plan.append_error = enospc(); // the file's bytes run out of space halfway
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("big.bam", std::string(100000, 'b'), "bam")).second),
            e(errc::storage_full));
  auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(nlohmann::json::parse(doc)["files"].empty());
  auto dir = f.data_dir() + "/analyses/" + id;
  std::vector<std::string> names;
  if (posix_storage().exists(dir)) {
    ASSERT_FALSE(posix_storage().list_dir(dir, names));
  }
  EXPECT_TRUE(names.empty()) << names.front();
  // Space is back: the same name uploads (a failed upload reserved its name
  // only while it ran), and a restart finds just that file.
  auto [rec, code2] = f.ask<file_record>(upload_atom::value, cred, id, upload("big.bam", "bytes", "bam"));
  ASSERT_EQ(code2, 0);
  f.stop();
  f.start();
  auto [loc, code3] = f.ask<file_location>(download_atom::value, cred, id, rec.id);
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(read_bytes(loc.path), "bytes");
  auto [doc2, code4] = f.ask<std::string>(get_atom::value, cred, id);
  EXPECT_EQ(nlohmann::json::parse(doc2)["files"].size(), 1u);
}

TEST(service, journal_full_disk_fails_that_change_only_and_writes_work_again) {
  failing_storage st;
  fixture f{&st};
  auto [id, cred] = f.create_acquired();
  st.plan.append_error = enospc(); // the finalize record runs out of space
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":1})")).second),
            e(errc::storage_full));
  auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(nlohmann::json::parse(doc)["ready"], false);
  auto [doc2, code2] = f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":2})"));
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(nlohmann::json::parse(doc2)["results"]["hits"], 2);
  // What the restart finds is the second finalize, not half of the first.
  f.stop();
  f.start();
  auto [doc3, code3] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(nlohmann::json::parse(doc3)["results"]["hits"], 2);
}

TEST(service, after_a_failed_fsync_writes_are_refused_and_reads_still_served) {
  failing_storage st;
  fixture f{&st};
  auto [id, cred] = f.create_acquired();
  ASSERT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa", ">a")).second), 0);
  EXPECT_FALSE(f.read_only());
  st.plan.sync_error = eio(); // the journal's fdatasync fails: its state is unknown
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":1})")).second),
            e(errc::read_only));
  EXPECT_TRUE(f.read_only()) << "readiness would still say ok";
  // No retry that could pretend: every later write is refused, even though
  // the next fsync would succeed.
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"hits":1})")).second),
            e(errc::read_only));
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("b.fa", ">b")).second),
            e(errc::read_only));
  auto [created, code0] = f.ask<std::string>(create_atom::value, good_create());
  EXPECT_EQ(code0, e(errc::read_only));
  // Reads go on.
  auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["ready"], false);
  EXPECT_EQ(j["files"].size(), 1u);
  auto [loc, code2] = f.ask<file_location>(download_atom::value, cred, id, std::uint64_t{1});
  EXPECT_EQ(code2, 0);
  EXPECT_EQ(read_bytes(loc.path), ">a");
  // Nor is the final snapshot written from a state the disk may not hold.
  f.stop(/*snapshot_fails=*/true);
}

namespace {

/// Waits until at most `n` actors run (up to 10 s); returns how many run.
std::size_t wait_for_running(caf::actor_system& sys, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sys.registry().running() > n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return sys.registry().running();
}

} // namespace

TEST(service, idle_analysis_actors_retire_and_come_back_with_their_state) {
  fixture f{nullptr, std::chrono::milliseconds(500)};
  std::vector<std::pair<std::string, credential>> analyses;
  for (int i = 0; i < 10; ++i) {
    analyses.push_back(f.create_acquired());
  }
  // Created analyses are dormant: no actor runs for them yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto base = f.sys().registry().running();
  for (auto& [id, cred] : analyses)
    ASSERT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa", ">a")).second), 0);
  EXPECT_GE(f.sys().registry().running(), base + 5) << "the uploads spawned no actors";
  // Ten actors ran; once idle, they all go.
  EXPECT_EQ(wait_for_running(f.sys(), base), base);
  for (auto& [id, cred] : analyses) {
    auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
    ASSERT_EQ(code, 0);
    EXPECT_EQ(nlohmann::json::parse(doc)["files"].size(), 1u);
    // Its file ids go on where they were.
    auto [rec, code2] = f.ask<file_record>(upload_atom::value, cred, id, upload("b.fa", ">b"));
    ASSERT_EQ(code2, 0);
    EXPECT_EQ(rec.id, 2u);
    EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa", "x")).second),
              e(errc::file_exists));
  }
  EXPECT_EQ(wait_for_running(f.sys(), base), base);
  auto [id, cred] = analyses.front();
  ASSERT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string("{}")).second), 0);
  EXPECT_EQ(wait_for_running(f.sys(), base), base);
  EXPECT_EQ((f.ask<std::string>(finalize_atom::value, cred, id, std::string("{}")).second),
            e(errc::already_finalized));
  auto [page, code3] = f.ask<std::string>(list_atom::value, list_request{1, 100});
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(nlohmann::json::parse(page)["documents"].size(), 10u);
}

TEST(service, requests_racing_with_retiring_actors_are_all_answered) {
  fixture f{nullptr, std::chrono::milliseconds(1)};
  std::vector<std::pair<std::string, credential>> analyses;
  for (int i = 0; i < 4; ++i) {
    analyses.push_back(f.create_acquired());
  }
  std::atomic<int> failures{0}, uploads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      caf::scoped_actor self{f.sys()};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(700);
      for (int n = 0; std::chrono::steady_clock::now() < deadline; ++n) {
        auto& [id, cred] = analyses[static_cast<std::size_t>(n + t) % analyses.size()];
        auto fail = [&](caf::error&) { ++failures; };
        switch (n % 3) {
          case 0:
            self->request(f.svc().registry, service_timeout, get_atom::value, cred, id)
              .receive([](std::string&) {}, fail);
            break;
          case 1:
            self->request(f.svc().registry, service_timeout, upload_atom::value, cred, id,
                          upload("t" + std::to_string(t) + "-" + std::to_string(n) + ".fa", ">x"))
              .receive([&](file_record&) { ++uploads; }, fail);
            break;
          default:
            self->request(f.svc().registry, service_timeout, list_atom::value, list_request{1, 10})
              .receive([](std::string& page) {
                         EXPECT_EQ(nlohmann::json::parse(page)["documents"].size(), 4u);
                       },
                       fail);
            // Let actors go idle now and then.
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  // Every acknowledged upload is there, after retirements and a restart.
  std::size_t files = 0;
  f.stop();
  f.start();
  for (auto& [id, cred] : analyses) {
    auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
    ASSERT_EQ(code, 0);
    files += nlohmann::json::parse(doc)["files"].size();
  }
  EXPECT_EQ(files, static_cast<std::size_t>(uploads.load()));
}

namespace {

/// A failing storage whose failures reach the journal only: the bytes of
/// uploads go to the real file system, so that a planned sync error hits the
/// journal's fdatasync, not the upload's own fsync before it.
class failing_journal_storage : public failing_storage {
public:
  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    if (path.find("/state/") != std::string::npos)
      return failing_storage::create_exclusive(path, out);
    return posix_storage().create_exclusive(path, out);
  }
};

} // namespace

TEST(service, an_upload_whose_record_ended_read_only_keeps_its_bytes) {
  failing_journal_storage st;
  fixture f{&st};
  auto [id, cred] = f.create_acquired();
  // The upload's record is written, but its fdatasync fails: whether it is
  // on disk is unknown, so its bytes must stay.
  st.plan.sync_error = eio();
  EXPECT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa", ">kept\n")).second),
            e(errc::read_only));
  auto path = f.data_dir() + "/analyses/" + id + "/1-a.fa";
  EXPECT_EQ(read_bytes(path), ">kept\n") << "the bytes of an upload of unknown fate were deleted";
  f.stop(/*snapshot_fails=*/true);
  // Here the record did reach the disk (only the fdatasync failed): after a
  // restart it is there, and so are its bytes.
  f.start();
  auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  ASSERT_EQ(nlohmann::json::parse(doc)["files"].size(), 1u);
  auto [loc, code2] = f.ask<file_location>(download_atom::value, cred, id, std::uint64_t{1});
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(read_bytes(loc.path), ">kept\n");
}

// -- views (DESIGN.md, "Reads") ----------------------------------------------------

namespace {

// What a reader on another thread finds for an analysis: its view's
// document, or "" when none is published.
std::string view_of(const service& svc, const std::string& id) {
  epoch_domain::guard g{epoch_domain::instance()};
  auto* v = svc.views->analyses.find(g, id);
  return v == nullptr ? std::string{} : *v->document;
}

// The job as readers find it: every job is there from its creation on.
job_view job_in_views(const service& svc, const std::string& job_id) {
  epoch_domain::guard g{epoch_domain::instance()};
  auto* j = svc.views->jobs.find(g, job_id);
  EXPECT_NE(j, nullptr) << "job " << job_id << " is not in the views";
  return j != nullptr ? *j : job_view{};
}

} // namespace

TEST(service_views, every_change_is_published_before_it_is_answered_and_a_remove_withdraws) {
  fixture f;
  auto [id, cred] = f.create_acquired();
  EXPECT_EQ(view_of(f.svc(), id), "") << "a dormant analysis has no view";
  EXPECT_TRUE(job_may_write(*f.svc().views, cred, id))
    << "its job's credentials are published all the same";
  EXPECT_FALSE(job_may_write(*f.svc().views, cred, "other123"));
  auto [doc, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(view_of(f.svc(), id), doc) << "its actor publishes when it starts";
  {
    epoch_domain::guard g{epoch_domain::instance()};
    auto* v = f.svc().views->analyses.find(g, id);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->job_id, cred.job_id);
    EXPECT_EQ(v->etag, document_etag(doc));
    auto* j = f.svc().views->jobs.find(g, cred.job_id);
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->analysis_id, id);
    EXPECT_TRUE(j->accepts(cred.key_hash));
    EXPECT_FALSE(j->removed);
  }
  ASSERT_EQ((f.ask<file_record>(upload_atom::value, cred, id, upload("a.fa")).second), 0);
  EXPECT_EQ(nlohmann::json::parse(view_of(f.svc(), id))["files"].size(), 1u);
  auto [final_doc, code2] = f.ask<std::string>(finalize_atom::value, cred, id, std::string("{}"));
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(view_of(f.svc(), id), final_doc);
  // An operator's remove (the job's would be refused: finalized).
  ASSERT_EQ((f.ask<bool>(remove_atom::value, admin_credential(), id).second), 0);
  EXPECT_EQ(view_of(f.svc(), id), "") << "a removed analysis is never served from a view";
  EXPECT_TRUE(job_in_views(f.svc(), cred.job_id).removed) << "its key still authenticates";
  EXPECT_FALSE(job_may_write(*f.svc().views, cred, id));
  EXPECT_EQ((f.ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
}

TEST(service_views, an_acquire_is_in_the_view_of_a_live_analysis_before_its_key_is_given) {
  fixture f;
  auto a = f.create();
  std::string id = a["id"], job = a["job"]["id"];
  ASSERT_EQ((f.ask<std::string>(get_atom::value, admin_credential(), id).second), 0);
  EXPECT_EQ(nlohmann::json::parse(view_of(f.svc(), id))["job"]["state"], "waiting");
  EXPECT_FALSE(job_in_views(f.svc(), job).acquired) << "never acquired: no key checks out";
  EXPECT_FALSE(job_in_views(f.svc(), job).accepts(std::string(32, '\0')));
  f.acquire(job);
  EXPECT_EQ(nlohmann::json::parse(view_of(f.svc(), id))["job"]["state"], "running");
  EXPECT_TRUE(job_in_views(f.svc(), job).acquired);
}

TEST(service_views, retired_actors_withdraw_their_views) {
  fixture f{nullptr, std::chrono::milliseconds(100)};
  auto base = f.sys().registry().running();
  auto [id, cred] = f.create_acquired();
  ASSERT_EQ((f.ask<std::string>(get_atom::value, cred, id).second), 0);
  EXPECT_NE(view_of(f.svc(), id), "");
  EXPECT_EQ(wait_for_running(f.sys(), base), base);
  // The registry takes the state back after the actor quit: wait for that.
  ASSERT_EQ(f.until_no_actor(), 0u);
  EXPECT_EQ(view_of(f.svc(), id), "") << "a dormant analysis keeps no view";
  EXPECT_EQ(f.svc().views->analyses.size(), 0u);
  EXPECT_EQ(f.svc().views->jobs.size(), 1u) << "its job stays";
  EXPECT_TRUE(job_may_write(*f.svc().views, cred, id));
  // Back with an actor, back in the views.
  ASSERT_EQ((f.ask<std::string>(get_atom::value, cred, id).second), 0);
  EXPECT_NE(view_of(f.svc(), id), "");
}

TEST(service_views, reads_answered_from_the_views_keep_an_analysis_live) {
  fixture f{nullptr, std::chrono::milliseconds(100)};
  auto [id, cred] = f.create_acquired();
  ASSERT_EQ((f.ask<std::string>(get_atom::value, cred, id).second), 0);
  ASSERT_NE(view_of(f.svc(), id), "");
  // A job that polls every 20 ms for six times the idle time, every read
  // answered from the view: its actor, and so its view, stay.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
  while (std::chrono::steady_clock::now() < until) {
    auto read = read_from_views(*f.svc().views, cred, id);
    ASSERT_TRUE(read && read->document) << "the view went while the job polled";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(f.live_actors(), 1u);
  // Once the polling stops, it retires as any idle analysis.
  EXPECT_EQ(f.until_no_actor(), 0u);
  EXPECT_EQ(view_of(f.svc(), id), "");
}

TEST(service_views, a_retired_analysis_finalized_without_an_actor_is_read_finalized) {
  fixture f{nullptr, std::chrono::milliseconds(100)};
  auto [id, cred] = f.create_acquired();
  auto [before, code] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  ASSERT_EQ(view_of(f.svc(), id), before) << "its actor published it";
  // Wait until the actor retired and the analysis is dormant again.
  ASSERT_EQ(f.until_no_actor(), 0u);
  auto [doc, code2] = f.ask<std::string>(finalize_atom::value, cred, id, std::string(R"({"n":5})"));
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(view_of(f.svc(), id), "") << "no view is left to show the analysis unfinalized";
  auto [got, code3] = f.ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(got, doc);
  EXPECT_EQ(nlohmann::json::parse(got)["results"]["n"], 5);
  EXPECT_EQ(view_of(f.svc(), id), doc);
}

TEST(service_views, concurrent_clients_always_read_their_own_writes_from_the_views) {
  fixture f;
  constexpr int clients = 4, rounds = 15;
  std::vector<std::pair<std::string, credential>> analyses;
  for (int c = 0; c < clients; ++c)
    analyses.push_back(f.create_acquired());
  auto registry = f.svc().registry;
  std::atomic<int> stale{0}, failed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      caf::scoped_actor self{f.sys()};
      auto [id, cred] = analyses[c];
      for (int k = 0; k < rounds; ++k) {
        bool ok = false;
        self->request(registry, service_timeout, upload_atom::value, cred, id,
                      upload("f" + std::to_string(k) + ".fa"))
          .receive([&](file_record&) { ok = true; }, [&](caf::error&) {});
        if (!ok) {
          ++failed;
          return;
        }
        // Acknowledged: every reader sees it from now on.
        auto doc = view_of(f.svc(), id);
        if (doc.empty() || nlohmann::json::parse(doc)["files"].size() != std::size_t(k) + 1)
          ++stale;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stale.load(), 0);
}
