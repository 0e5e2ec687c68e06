#include "http/config.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <thread>

using namespace analysisd;

namespace {

std::vector<std::string> normalize(std::vector<std::string> args) {
  args.insert(args.begin(), "analysisd");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  return server_config{}.normalize_args(static_cast<int>(args.size()), argv.data());
}

using strings = std::vector<std::string>;

} // namespace

TEST(config, valued_options_are_joined_with_their_value) {
  EXPECT_EQ(normalize({"--listen", "0.0.0.0:80", "--data-dir", "/srv/d"}),
            (strings{"--listen=0.0.0.0:80", "--data-dir=/srv/d"}));
  EXPECT_EQ(normalize({"--threads", "4", "--max-body-bytes", "10", "--admin-token-file", "t"}),
            (strings{"--threads=4", "--max-body-bytes=10", "--admin-token-file=t"}));
  EXPECT_EQ(normalize({"--max-json-bytes", "1", "--max-connections", "2", "--journal-rotate-bytes", "3"}),
            (strings{"--max-json-bytes=1", "--max-connections=2", "--journal-rotate-bytes=3"}));
  EXPECT_EQ(normalize({"--actor-idle-ms", "50", "--version"}),
            (strings{"--actor-idle-ms=50", "--version"}));
  EXPECT_EQ(normalize({"--read-timeout", "5", "--write-timeout", "6", "--handle-timeout", "7"}),
            (strings{"--read-timeout=5", "--write-timeout=6", "--handle-timeout=7"}));
}

TEST(config, timeouts_are_options_with_the_documented_defaults) {
  server_config defaults;
  EXPECT_EQ(defaults.read_timeout, 60u);
  EXPECT_EQ(defaults.write_timeout, 120u);
  EXPECT_EQ(defaults.handle_timeout, 600u);
  server_config cfg;
  ASSERT_FALSE(cfg.parse(normalize({"--read-timeout", "3", "--write-timeout", "4",
                                    "--handle-timeout", "5"})));
  EXPECT_EQ(cfg.read_timeout, 3u);
  EXPECT_EQ(cfg.write_timeout, 4u);
  EXPECT_EQ(cfg.handle_timeout, 5u);
}

TEST(config, config_option_becomes_cafs_config_file) {
  EXPECT_EQ(normalize({"--config", "a.ini"}), (strings{"--config-file=a.ini"}));
  EXPECT_EQ(normalize({"--config=b.ini"}), (strings{"--config-file=b.ini"}));
}

TEST(config, other_arguments_pass_through) {
  EXPECT_EQ(normalize({}), strings{});
  EXPECT_EQ(normalize({"--help", "--version", "--listen=1.2.3.4:5"}),
            (strings{"--help", "--version", "--listen=1.2.3.4:5"}));
  // A valued option at the end without its value stays as it is (CAF reports it).
  EXPECT_EQ(normalize({"--listen"}), (strings{"--listen"}));
}

TEST(config, listen_splits_host_and_port) {
  std::string host;
  std::uint16_t port = 0;
  ASSERT_TRUE(split_listen("127.0.0.1:9950", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9950);
  ASSERT_TRUE(split_listen("localhost:0", host, port));
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(split_listen("[::1]:65535", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 65535);
}

TEST(config, bad_listen_values_are_refused) {
  std::string host;
  std::uint16_t port = 0;
  for (auto bad : {"", "9950", ":9950", "host:", "host:65536", "host:99999999999", "host:-1",
                   "host:80a", "host: 80", "[::1]", "host:123456"})
    EXPECT_FALSE(split_listen(bad, host, port)) << bad;
}

TEST(config, scheduler_defaults_suit_small_machines) {
  server_config cfg;
  EXPECT_EQ(caf::get_or(cfg, "scheduler.policy", caf::atom("")), caf::atom("sharing"));
  auto expected = std::max<std::size_t>(1, std::thread::hardware_concurrency() / 2);
  EXPECT_EQ(caf::get_or(cfg, "scheduler.max-threads", std::size_t{0}), expected);
  // Both stay options.
  std::vector<std::string> args{"--scheduler.max-threads=3"};
  ASSERT_FALSE(cfg.parse(args));
  EXPECT_EQ(caf::get_or(cfg, "scheduler.max-threads", std::size_t{0}), 3u);
}
