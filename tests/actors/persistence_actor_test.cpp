#include "actors/service.hpp"
#include "persistence/forwarding_storage.hpp"
#include "persistence/journal.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/persistence/failing_storage.hpp"

#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

// The service on `st` in `dir`; with `rotate_bytes` 1, every batch asks for a new journal.
caf::expected<service> start_on(caf::actor_system& sys, const temp_dir& dir, storage& st,
                                std::uint64_t rotate_bytes = 0) {
  service_options opts;
  opts.data_dir = dir.path();
  opts.st = &st;
  if (rotate_bytes != 0)
    opts.journal_rotate_bytes = rotate_bytes;
  return start_service(sys, opts);
}

// The real file system, except that no journal after the first can be
// created (as on a disk that just filled up); counts the attempts.
class no_new_journals : public forwarding_storage {
public:
  std::atomic<int> journal_attempts{0};

  no_new_journals() : forwarding_storage(posix_storage()) {
  }

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    if (path.find("/journal-") != std::string::npos && journal_attempts++ > 0)
      return std::make_error_code(std::errc::no_space_on_device);
    return forwarding_storage::create_exclusive(path, out);
  }
};

} // namespace

TEST(persistence_actor, a_journal_that_cannot_be_rotated_is_retried_later_not_at_once) {
  temp_dir dir;
  no_new_journals st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st, 1); // every batch asks for a new journal
  ASSERT_TRUE(svc) << sys.render(svc.error());
  caf::scoped_actor self{sys};
  constexpr int creates = 5;
  for (int i = 0; i < creates; ++i)
    self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
      .receive([](std::string&) {},
               [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // One journal at start, then at most one failed rotation per durable
  // batch: a retry loop would have made thousands by now.
  EXPECT_LE(st.journal_attempts.load(), 1 + creates);
  EXPECT_GE(st.journal_attempts.load(), 2) << "the rotation was never tried";
  self->send_exit(svc->registry, caf::exit_reason::user_shutdown);
  self->send_exit(svc->journal, caf::exit_reason::user_shutdown);
  // Every acknowledged create is still in the first journal.
  auto again = start_service(sys, {dir.path()});
  ASSERT_TRUE(again) << sys.render(again.error());
  EXPECT_EQ(again->analyses_loaded, std::size_t{creates});
  EXPECT_FALSE(stop_service(sys, *again));
}

// A record over what a frame holds would be acknowledged, and then taken for
// damage by every later compaction and recovery: it is refused instead.
TEST(persistence_actor, a_record_larger_than_a_frame_is_refused_and_nothing_is_written) {
  temp_dir dir;
  caf::actor_system sys{test_config()};
  auto svc = start_service(sys, {dir.path()});
  ASSERT_TRUE(svc) << sys.render(svc.error());
  caf::scoped_actor self{sys};
  std::string doc;
  self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
    .receive([&](std::string& d) { doc = d; }, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  auto id = nlohmann::json::parse(doc).at("id").get<std::string>();
  journal_record huge;
  huge.kind = record_kind::finalized;
  huge.analysis_id = id;
  huge.results = "{\"a\":\"" + std::string(max_frame_payload, 'x') + "\"}";
  std::uint8_t code = 0;
  self->request(svc->journal, std::chrono::seconds(60), append_atom::value, std::move(huge))
    .receive([](bool) { ADD_FAILURE() << "a record larger than a frame was acknowledged"; },
             [&](caf::error& err) { code = code_of(err); });
  EXPECT_EQ(code, static_cast<std::uint8_t>(errc::too_large));
  // The journal goes on, and the next start finds it whole.
  self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
    .receive([](std::string&) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  ASSERT_FALSE(stop_service(sys, *svc));
  svc = caf::expected<service>{caf::sec::runtime_error}; // releases the data dir's lock
  auto again = start_service(sys, {dir.path()});
  ASSERT_TRUE(again) << sys.render(again.error());
  EXPECT_EQ(again->analyses_loaded, 2u);
  EXPECT_FALSE(stop_service(sys, *again));
}

namespace {

bool starts_with_magic(const std::string& path) {
  std::string bytes;
  return !posix_storage().read_all(path, bytes)
         && bytes.compare(0, journal_magic.size(), journal_magic) == 0;
}

} // namespace

// A rotation that made journal-<seq> but failed before it was durable (its
// directory sync failed) must not leave that file behind: every retry would
// ask for the same name, get EEXIST, and no compaction would run again.
TEST(persistence_actor, a_rotation_that_failed_halfway_is_retried_and_compaction_runs_again) {
  temp_dir dir;
  failing_storage st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st, 1); // every batch asks for a new journal
  ASSERT_TRUE(svc) << sys.render(svc.error());
  // The next directory sync is the new journal's: it fails, after the file was made.
  st.plan.sync_dir_error = std::make_error_code(std::errc::io_error);
  caf::scoped_actor self{sys};
  auto snapshot = dir.path() + "/state/snapshot";
  int creates = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!posix_storage().exists(snapshot) && std::chrono::steady_clock::now() < deadline) {
    self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
      .receive([&](std::string&) { ++creates; },
               [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(posix_storage().exists(snapshot)) << "no compaction ran after the failed rotation";
  EXPECT_GE(st.plan.dir_syncs, 2);
  EXPECT_FALSE(stop_service(sys, *svc));
  // No half-made journal is left to be taken for damage at the next start.
  std::vector<std::string> names;
  ASSERT_FALSE(posix_storage().list_dir(dir.path() + "/state", names));
  for (auto& name : names) {
    std::uint64_t seq;
    if (parse_journal_name(name, seq)) {
      EXPECT_TRUE(starts_with_magic(dir.path() + "/state/" + name)) << name;
    }
  }
  auto again = start_service(sys, {dir.path()});
  ASSERT_TRUE(again) << sys.render(again.error());
  EXPECT_EQ(again->analyses_loaded, std::size_t(creates));
  EXPECT_FALSE(stop_service(sys, *again));
}

namespace {

/// Collects what is written to stderr (the log) while it lives.
class stderr_capture {
public:
  stderr_capture() : file_(std::tmpfile()), saved_(::dup(STDERR_FILENO)) {
    std::fflush(stderr);
    ::dup2(::fileno(file_), STDERR_FILENO);
  }
  ~stderr_capture() {
    restore();
    std::fclose(file_);
  }
  std::string text() {
    restore();
    std::string out;
    std::rewind(file_);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof(buf), file_)) > 0;)
      out.append(buf, n);
    return out;
  }

private:
  void restore() {
    if (saved_ < 0)
      return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_;
};

std::size_t count_lines_with(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos; pos += what.size())
    ++n;
  return n;
}

} // namespace

// A failed journal fsync is logged once, with its error and the journal's
// name, however many requests were waiting for that batch or came after it.
TEST(persistence_actor, a_failed_journal_fsync_is_logged_once_with_the_error) {
  temp_dir dir;
  failing_storage st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st);
  ASSERT_TRUE(svc) << sys.render(svc.error());
  std::string log;
  {
    stderr_capture capture;
    st.plan.sync_error = std::make_error_code(std::errc::io_error);
    std::vector<std::thread> clients;
    std::atomic<int> refused{0};
    for (int i = 0; i < 8; ++i)
      clients.emplace_back([&] {
        caf::scoped_actor self{sys};
        self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
          .receive([](std::string&) {}, [&](caf::error&) { ++refused; });
      });
    for (auto& c : clients)
      c.join();
    EXPECT_GE(refused.load(), 1);
    log = capture.text();
  }
  EXPECT_EQ(count_lines_with(log, "\n"), 1u) << log;
  EXPECT_EQ(count_lines_with(log, std::make_error_code(std::errc::io_error).message()), 1u) << log;
  EXPECT_EQ(count_lines_with(log, journal_name(1)), 1u) << log;
  caf::scoped_actor self{sys};
  self->send_exit(svc->registry, caf::exit_reason::user_shutdown);
  self->send_exit(svc->journal, caf::exit_reason::user_shutdown);
}

// A failed journal write (the disk is full) is logged once per failed batch,
// with the error and the journal's name; the requests it fails are not logged.
TEST(persistence_actor, a_failed_journal_write_is_logged_once_with_the_error) {
  temp_dir dir;
  failing_storage st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st);
  ASSERT_TRUE(svc) << sys.render(svc.error());
  std::string log;
  {
    stderr_capture capture;
    st.plan.append_error = std::make_error_code(std::errc::no_space_on_device);
    caf::scoped_actor self{sys};
    bool refused = false;
    self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
      .receive([](std::string&) {}, [&](caf::error&) { refused = true; });
    EXPECT_TRUE(refused);
    log = capture.text();
  }
  EXPECT_EQ(count_lines_with(log, "\n"), 1u) << log;
  EXPECT_EQ(count_lines_with(log, std::make_error_code(std::errc::no_space_on_device).message()),
            1u) << log;
  EXPECT_EQ(count_lines_with(log, journal_name(1)), 1u) << log;
  EXPECT_FALSE(stop_service(sys, *svc));
}
