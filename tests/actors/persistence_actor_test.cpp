#include "actors/service.hpp"
#include "persistence/forwarding_storage.hpp"
#include "persistence/journal.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/persistence/failing_storage.hpp"

#include "tests/support/server_process.hpp"

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
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

// The real file system, checking as each journal is made that every older
// journal ends with its last record (the zeros a writer keeps ahead may end
// only the newest).
class sealed_journals : public forwarding_storage {
public:
  std::atomic<int> journals{0};
  std::atomic<int> checked{0};
  std::mutex mutex;
  std::vector<std::string> unsealed;

  sealed_journals() : forwarding_storage(posix_storage()) {
  }

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    auto slash = path.rfind('/');
    std::uint64_t seq;
    if (parse_journal_name(path.substr(slash + 1), seq)) {
      ++journals;
      std::vector<std::string> names;
      list_dir(path.substr(0, slash), names);
      for (auto& name : names) {
        std::uint64_t older;
        std::string bytes;
        if (!parse_journal_name(name, older) || older >= seq
            || read_all(path.substr(0, slash + 1) + name, bytes))
          continue; // compacted away meanwhile
        ++checked;
        auto res = scan_frames(bytes.data() + journal_magic.size(),
                               bytes.size() - journal_magic.size(),
                               [](const char*, std::size_t) { return true; });
        if (!res.damage.empty()) {
          std::lock_guard<std::mutex> guard{mutex};
          unsealed.push_back(name + " (" + res.damage + ") when " + path + " was made");
        }
      }
    }
    return forwarding_storage::create_exclusive(path, out);
  }
};

} // namespace

TEST(persistence_actor, a_journal_ends_with_its_last_record_before_a_newer_one_is_made) {
  temp_dir dir;
  sealed_journals st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st, 1); // every batch asks for a new journal
  ASSERT_TRUE(svc) << sys.render(svc.error());
  caf::scoped_actor self{sys};
  for (int i = 0; i < 20; ++i)
    self->request(svc->registry, std::chrono::seconds(30), create_atom::value, good_create())
      .receive([](std::string&) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  EXPECT_FALSE(stop_service(sys, *svc));
  EXPECT_GE(st.journals.load(), 3);
  EXPECT_GE(st.checked.load(), 1) << "no older journal was there to check";
  for (auto& what : st.unsealed)
    ADD_FAILURE() << what;
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

namespace {

// An actor whose messages are handled as they are enqueued, on the sender's
// thread (an actor_companion): what a probe notes when it gets an answer was
// noted before that answer was sent, whatever the threads.
class probe {
public:
  probe(caf::actor_system& sys, std::function<void(caf::mailbox_element&)> on_message)
    : on_message_(std::move(on_message)) {
    caf::actor_config cfg;
    handle_ = caf::make_actor<caf::actor_companion>(sys.next_actor_id(), sys.node(), &sys, cfg);
    companion()->on_enqueue([this](caf::mailbox_element_ptr msg) {
      std::lock_guard<std::mutex> lock{mutex_};
      on_message_(*msg);
    });
  }
  ~probe() {
    companion()->on_enqueue([](caf::mailbox_element_ptr) {}); // forgets `this`
  }
  const caf::actor& handle() const {
    return handle_;
  }
  /// Sends `xs` to `dest` as a request of this probe's; the answer comes to on_message.
  template <class... Ts>
  void request(const caf::actor& dest, Ts&&... xs) {
    auto mid = companion()->new_request_id(caf::message_priority::normal);
    dest->enqueue(caf::make_mailbox_element(caf::actor_cast<caf::strong_actor_ptr>(handle_), mid,
                                            {}, std::forward<Ts>(xs)...),
                  nullptr);
  }
  /// Runs `f` under the lock that on_message runs under.
  template <class F>
  auto locked(F f) {
    std::lock_guard<std::mutex> lock{mutex_};
    return f();
  }

private:
  caf::actor_companion* companion() const {
    return static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(handle_));
  }
  std::function<void(caf::mailbox_element&)> on_message_;
  caf::actor handle_;
  std::mutex mutex_;
};

} // namespace

// The registry keeps the durable state of each live analysis from what the
// journal tells it, and restores an analysis whose actor died once a sync is
// answered: both rely on this order.
TEST(persistence_actor, its_watcher_hears_each_durable_record_before_the_append_is_answered) {
  temp_dir dir;
  failing_storage st;
  caf::actor_system sys{test_config()};
  auto svc = start_on(sys, dir, st);
  ASSERT_TRUE(svc) << sys.render(svc.error());
  auto journal = caf::actor_cast<caf::actor>(svc->journal);
  std::set<std::string> heard; // by the watcher
  probe watcher{sys, [&](caf::mailbox_element& msg) {
                  auto& content = msg.content();
                  if (content.match_elements<applied_atom, std::vector<journal_record>>())
                    for (auto& rec : content.get_as<std::vector<journal_record>>(1))
                      heard.insert(rec.analysis_id);
                }};
  auto heard_count = [&] { return watcher.locked([&] { return heard.size(); }); };
  // The appender's answers, each checked against what the watcher heard by then.
  int acked = 0, refused = 0, acked_unheard = 0;
  probe appender{sys, [&](caf::mailbox_element& msg) {
                   if (msg.content().match_elements<bool>()) {
                     ++acked;
                     // Records of a batch are heard together, in order.
                     if (heard_count() < std::size_t(acked))
                       ++acked_unheard;
                   } else if (msg.content().match_elements<caf::error>()) {
                     ++refused;
                   }
                 }};
  caf::scoped_actor self{sys};
  self->send(journal, watch_atom::value, caf::actor_cast<applied_watcher>(watcher.handle()));
  // Appends `n` records, then a sync, which must come after all their answers.
  auto append_then_sync = [&](const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) {
      journal_record rec;
      rec.kind = record_kind::removed;
      rec.analysis_id = prefix + std::to_string(i);
      appender.request(journal, append_atom::value, std::move(rec));
    }
    int answered_at_sync = -1;
    self->request(journal, std::chrono::seconds(30), sync_atom::value)
      .receive([&](bool) { answered_at_sync = appender.locked([&] { return acked + refused; }); },
               [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    return answered_at_sync;
  };
  EXPECT_EQ(append_then_sync("a", 50), 50) << "a sync was answered before an append that came first";
  EXPECT_EQ(appender.locked([&] { return acked; }), 50);
  EXPECT_EQ(heard_count(), 50u);
  EXPECT_EQ(appender.locked([&] { return acked_unheard; }), 0) << "an append was answered before its watcher heard it";

  // What the watcher appends itself, it is not told.
  journal_record own;
  own.kind = record_kind::removed;
  own.analysis_id = "own";
  watcher.request(journal, append_atom::value, own);
  self->request(journal, std::chrono::seconds(30), sync_atom::value)
    .receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  EXPECT_EQ(heard_count(), 50u);

  // Records whose batch failed are not heard; the sync is answered all the same.
  st.plan.sync_error = std::make_error_code(std::errc::io_error);
  {
    stderr_capture quiet;
    EXPECT_EQ(append_then_sync("b", 10), 60);
  }
  EXPECT_EQ(appender.locked([&] { return refused; }), 10);
  EXPECT_EQ(heard_count(), 50u);
  self->send_exit(svc->registry, caf::exit_reason::user_shutdown);
  self->send_exit(svc->journal, caf::exit_reason::user_shutdown);
}
