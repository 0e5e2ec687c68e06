#include "actors/service.hpp"
#include "tests/actors/helpers.hpp"

#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace analysisd;
using namespace analysisd::test;

namespace {

// The real file system, except that no journal after the first can be
// created (as on a disk that just filled up); counts the attempts.
class no_new_journals : public storage {
public:
  std::atomic<int> journal_attempts{0};

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    if (path.find("/journal-") != std::string::npos && journal_attempts++ > 0)
      return std::make_error_code(std::errc::no_space_on_device);
    return real().create_exclusive(path, out);
  }
  std::error_code read_all(const std::string& p, std::string& out) override {
    return real().read_all(p, out);
  }
  std::error_code rename(const std::string& a, const std::string& b) override {
    return real().rename(a, b);
  }
  std::error_code link(const std::string& a, const std::string& b) override {
    return real().link(a, b);
  }
  std::error_code remove(const std::string& p) override {
    return real().remove(p);
  }
  std::error_code remove_all(const std::string& p) override {
    return real().remove_all(p);
  }
  std::error_code create_dir(const std::string& p) override {
    return real().create_dir(p);
  }
  std::error_code sync_dir(const std::string& p) override {
    return real().sync_dir(p);
  }
  std::error_code list_dir(const std::string& p, std::vector<std::string>& names) override {
    return real().list_dir(p, names);
  }
  bool exists(const std::string& p) override {
    return real().exists(p);
  }
  bool is_directory(const std::string& p) override {
    return real().is_directory(p);
  }
  std::error_code truncate(const std::string& p, std::uint64_t size) override {
    return real().truncate(p, size);
  }

private:
  static storage& real() {
    return posix_storage();
  }
};

} // namespace

TEST(persistence_actor, a_journal_that_cannot_be_rotated_is_retried_later_not_at_once) {
  temp_dir dir;
  no_new_journals st;
  caf::actor_system_config cfg;
  cfg.set("logger.console", caf::atom("none"));
  caf::actor_system sys{cfg};
  service_options opts;
  opts.data_dir = dir.path();
  opts.journal_rotate_bytes = 1; // every batch asks for a new journal
  opts.st = &st;
  auto svc = start_service(sys, opts);
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
  caf::actor_system_config cfg;
  cfg.set("logger.console", caf::atom("none"));
  add_message_types(cfg);
  caf::actor_system sys{cfg};
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
