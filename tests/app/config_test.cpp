#include "app/config.hpp"
#include "app/cpu_budget.hpp"

#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

using namespace analysisd;
using analysisd::test::temp_dir;

namespace {

using strings = std::vector<std::string>;

struct parsed {
  parse_outcome outcome;
  server_config cfg;
};

parsed parse(strings args, strings env = {}) {
  parsed p;
  p.outcome = parse_command_line(args, env, p.cfg);
  return p;
}

// Parses and expects an exit 2 whose message holds every one of `parts`.
void expect_refused(strings args, strings env, std::initializer_list<const char*> parts) {
  auto p = parse(args, env);
  EXPECT_FALSE(p.outcome.run);
  EXPECT_EQ(p.outcome.exit_code, 2);
  EXPECT_TRUE(p.outcome.out.empty());
  EXPECT_EQ(p.outcome.err.rfind("analysisd: ", 0), 0u) << p.outcome.err;
  for (auto part : parts)
    EXPECT_NE(p.outcome.err.find(part), std::string::npos)
      << "'" << part << "' missing from: " << p.outcome.err;
}

std::string write(const temp_dir& dir, const std::string& name, const std::string& text) {
  auto path = dir.path() + "/" + name;
  std::ofstream{path} << text;
  return path;
}

} // namespace

TEST(config, no_arguments_give_the_documented_defaults) {
  auto p = parse({});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.listen, "127.0.0.1:9950");
  EXPECT_EQ(p.cfg.data_dir, "./data");
  EXPECT_EQ(p.cfg.threads, 0u); // sized at start: default_http_threads
  EXPECT_EQ(p.cfg.max_body_bytes, 4ull << 30);
  EXPECT_EQ(p.cfg.max_json_bytes, 64ull << 20);
  EXPECT_EQ(p.cfg.max_body_memory, 256ull << 20);
  EXPECT_EQ(p.cfg.max_connections, 512u);
  EXPECT_EQ(p.cfg.read_timeout, 60u);
  EXPECT_EQ(p.cfg.write_timeout, 120u);
  EXPECT_EQ(p.cfg.handle_timeout, 600u);
  EXPECT_EQ(p.cfg.drain_timeout, 25u);
  EXPECT_EQ(p.cfg.journal_rotate_bytes, 64ull << 20);
  EXPECT_EQ(p.cfg.actor_idle_ms, 30000u);
  EXPECT_EQ(p.cfg.log_level, "info");
  EXPECT_EQ(p.cfg.log_format, "text");
  EXPECT_FALSE(p.cfg.repair);
  EXPECT_TRUE(p.cfg.config_file.empty());
  EXPECT_TRUE(p.cfg.caf_args.empty());
}

TEST(config, flags_take_their_value_after_a_space_or_an_equals_sign) {
  auto p = parse({"--listen", "0.0.0.0:80", "--data-dir=/srv/d", "--threads", "4",
                  "--read-timeout", "3", "--write-timeout=4", "--handle-timeout", "5",
                  "--drain-timeout", "0", "--actor-idle-ms", "0", "--repair",
                  "--log-level", "debug", "--log-format=json"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.listen, "0.0.0.0:80");
  EXPECT_EQ(p.cfg.data_dir, "/srv/d");
  EXPECT_EQ(p.cfg.threads, 4u);
  EXPECT_EQ(p.cfg.read_timeout, 3u);
  EXPECT_EQ(p.cfg.write_timeout, 4u);
  EXPECT_EQ(p.cfg.handle_timeout, 5u);
  EXPECT_EQ(p.cfg.drain_timeout, 0u);
  EXPECT_EQ(p.cfg.actor_idle_ms, 0u);
  EXPECT_TRUE(p.cfg.repair);
  EXPECT_EQ(p.cfg.log_level, "debug");
  EXPECT_EQ(p.cfg.log_format, "json");
}

TEST(config, sizes_take_binary_suffixes) {
  auto p = parse({"--max-body-bytes", "1GiB", "--max-json-bytes=512k", "--max-body-memory",
                  "64MiB", "--journal-rotate-bytes", "1048576"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.max_body_bytes, 1ull << 30);
  EXPECT_EQ(p.cfg.max_json_bytes, 512u << 10);
  EXPECT_EQ(p.cfg.max_body_memory, 64ull << 20);
  EXPECT_EQ(p.cfg.journal_rotate_bytes, 1ull << 20);
}

TEST(config, flags_win_over_the_environment_which_wins_over_the_file) {
  temp_dir dir;
  auto file = write(dir, "a.conf", "threads = 3\ndata-dir = \"/from/file\"\nlisten = \"127.0.0.1:1\"\n");
  strings env{"ANALYSISD_THREADS=4", "ANALYSISD_DATA_DIR=/from/env", "PATH=/bin"};
  auto p = parse({"--config", file, "--threads", "5"}, env);
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.threads, 5u);
  EXPECT_EQ(p.cfg.data_dir, "/from/env");
  EXPECT_EQ(p.cfg.listen, "127.0.0.1:1");
  EXPECT_EQ(p.cfg.config_file, file);
  p = parse({"--config", file}, env);
  EXPECT_EQ(p.cfg.threads, 4u);
  p = parse({"--config", file});
  EXPECT_EQ(p.cfg.threads, 3u);
  EXPECT_EQ(p.cfg.data_dir, "/from/file");
  // The file can be named by the environment too.
  p = parse({}, {"ANALYSISD_CONFIG=" + file});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.threads, 3u);
  EXPECT_EQ(p.cfg.config_file, file);
}

TEST(config, a_file_variable_reads_the_value_from_its_file) {
  temp_dir dir;
  auto secret = write(dir, "dir", "/srv/secret\n");
  auto p = parse({}, {"ANALYSISD_DATA_DIR_FILE=" + secret});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.data_dir, "/srv/secret");
  expect_refused({}, {"ANALYSISD_DATA_DIR_FILE=" + secret, "ANALYSISD_DATA_DIR=/x"},
                 {"ANALYSISD_DATA_DIR", "ANALYSISD_DATA_DIR_FILE", "not both"});
  expect_refused({}, {"ANALYSISD_DATA_DIR_FILE=" + dir.path() + "/missing"},
                 {"ANALYSISD_DATA_DIR_FILE", "missing"});
}

TEST(config, the_admin_token_comes_from_the_environment_even_when_a_flag_names_a_file) {
  auto p = parse({}, {"ANALYSISD_ADMIN_TOKEN= secret \n"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.admin_token, "secret");
  EXPECT_TRUE(p.cfg.unknown_environment.empty());
  // ANALYSISD_ADMIN_TOKEN_FILE is --admin-token-file's variable.
  p = parse({}, {"ANALYSISD_ADMIN_TOKEN_FILE=/etc/token"});
  EXPECT_EQ(p.cfg.admin_token_file, "/etc/token");
  // SPEC.md: the environment's token wins over --admin-token-file.
  p = parse({"--admin-token-file", "/run/t"}, {"ANALYSISD_ADMIN_TOKEN=secret"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.admin_token, "secret");
  EXPECT_EQ(p.cfg.admin_token_file, "/run/t");
  // An empty one is a mistake, not "generate one".
  expect_refused({}, {"ANALYSISD_ADMIN_TOKEN= \n"}, {"ANALYSISD_ADMIN_TOKEN", "empty"});
}

TEST(config, admin_token_loading_follows_that_precedence) {
  temp_dir dir;
  server_config cfg;
  cfg.data_dir = dir.path();
  std::string error, source;
  cfg.admin_token = "from-env";
  cfg.admin_token_file = write(dir, "t", "from-file\n");
  EXPECT_EQ(load_admin_token(cfg, error, source), "from-env");
  cfg.admin_token.clear();
  EXPECT_EQ(load_admin_token(cfg, error, source), "from-file");
  EXPECT_EQ(source, cfg.admin_token_file);
  cfg.admin_token_file.clear();
  auto generated = load_admin_token(cfg, error, source);
  EXPECT_EQ(generated.size(), 64u);
  EXPECT_EQ(load_admin_token(cfg, error, source), generated);
  EXPECT_EQ(source, dir.path() + "/admin-token");
}

TEST(config, unknown_analysisd_variables_are_reported) {
  auto p = parse({}, {"ANALYSISD_DATADIR=/x", "ANALYSISD_THREADS=3", "HOME=/root"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.unknown_environment, strings{"ANALYSISD_DATADIR"});
  EXPECT_EQ(p.cfg.data_dir, "./data");
}

TEST(config, bad_flags_exit_2_naming_the_option) {
  expect_refused({"--no-such-option"}, {}, {"--no-such-option", "--help"});
  expect_refused({"--threads", "abc"}, {}, {"--threads", "abc"});
  expect_refused({"--threads", "0"}, {}, {"--threads"});
  expect_refused({"--actor-idle-ms", "-5"}, {}, {"--actor-idle-ms", "-5"});
  expect_refused({"--listen", "nonsense"}, {}, {"--listen", "HOST:PORT", "nonsense"});
  expect_refused({"--max-json-bytes", "512MiB"}, {}, {"--max-json-bytes"});
  expect_refused({"--max-body-bytes", "lots"}, {}, {"--max-body-bytes", "lots"});
  expect_refused({"--log-level", "chatty"}, {}, {"--log-level", "chatty"});
  expect_refused({"--log-format", "xml"}, {}, {"--log-format", "xml"});
  expect_refused({"--read-timeout", "0"}, {}, {"--read-timeout"});
  // Durations past a year would overflow a deadline computed from now.
  expect_refused({"--drain-timeout", "99999999999"}, {}, {"--drain-timeout"});
  expect_refused({"--handle-timeout", "31536001"}, {}, {"--handle-timeout"});
  expect_refused({"--actor-idle-ms", "99999999999999"}, {}, {"--actor-idle-ms"});
  expect_refused({"stray"}, {}, {"stray"});
  expect_refused({"--listen"}, {}, {"--listen"});
}

TEST(config, bad_environment_values_exit_2_naming_the_variable) {
  expect_refused({}, {"ANALYSISD_THREADS=abc"}, {"ANALYSISD_THREADS", "abc"});
  expect_refused({}, {"ANALYSISD_REPAIR=maybe"}, {"ANALYSISD_REPAIR"});
  expect_refused({}, {"ANALYSISD_CONFIG=/no/such/file.conf"}, {"/no/such/file.conf"});
}

TEST(config, a_bad_file_exits_2_naming_the_file_the_key_and_what_was_expected) {
  temp_dir dir;
  auto missing = dir.path() + "/missing.conf";
  expect_refused({"--config", missing}, {}, {"cannot read the config file", missing.c_str()});
  auto unknown = write(dir, "unknown.conf", "threads = 2\nno-such-key = 1\n");
  expect_refused({"--config", unknown}, {}, {unknown.c_str(), "unknown key 'no-such-key'"});
  auto underscore = write(dir, "underscore.conf", "data_dir = \"/x\"\n");
  expect_refused({"--config", underscore}, {},
                 {underscore.c_str(), "'data_dir'", "did you mean 'data-dir'"});
  auto bad = write(dir, "bad.conf", "threads = \"abc\"\n");
  expect_refused({"--config", bad}, {}, {bad.c_str(), "key 'threads'", "abc"});
  auto negative = write(dir, "negative.conf", "actor-idle-ms = -5\n");
  expect_refused({"--config", negative}, {}, {negative.c_str(), "key 'actor-idle-ms'"});
  auto two = write(dir, "two.conf", "log-file = /var/log/a b.log\n");
  expect_refused({"--config", two}, {}, {two.c_str(), "key 'log-file'", "one value"});
  auto garbage = write(dir, "garbage.conf", "this is not a config file\n");
  expect_refused({"--config", garbage}, {}, {garbage.c_str(), "unknown key"});
  auto nested = write(dir, "nested.conf", "config = \"other.conf\"\n");
  expect_refused({"--config", nested}, {}, {nested.c_str(), "unknown key 'config'"});
  // A valid file is not refused because of its comments and quotes.
  auto good = write(dir, "good.conf",
                    "# analysisd\nlisten = \"127.0.0.1:9951\"\nlog-file = \"/var/log/a b.log\"\n"
                    "repair = true\nmax-body-bytes = 1GiB\n");
  auto p = parse({"--config", good});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.listen, "127.0.0.1:9951");
  EXPECT_EQ(p.cfg.log_file, "/var/log/a b.log");
  EXPECT_TRUE(p.cfg.repair);
  EXPECT_EQ(p.cfg.max_body_bytes, 1ull << 30);
}

TEST(config, a_0_1_config_file_with_its_global_section_still_works) {
  temp_dir dir;
  auto file = write(dir, "old.ini", "[global]\nmax-json-bytes=512\nlisten=\"127.0.0.1:9952\"\n");
  auto p = parse({"--config", file});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.max_json_bytes, 512u);
  EXPECT_EQ(p.cfg.listen, "127.0.0.1:9952");
}

TEST(config, help_goes_to_stdout_and_lists_every_option) {
  auto p = parse({"--help"});
  EXPECT_FALSE(p.outcome.run);
  EXPECT_EQ(p.outcome.exit_code, 0);
  EXPECT_TRUE(p.outcome.err.empty());
  for (auto opt : {"--config", "--listen", "--data-dir", "--admin-token-file", "--threads",
                   "--max-body-bytes", "--max-json-bytes", "--max-body-memory",
                   "--max-connections", "--read-timeout", "--write-timeout", "--handle-timeout",
                   "--drain-timeout", "--journal-rotate-bytes", "--actor-idle-ms", "--log-file",
                   "--log-level", "--log-format", "--repair", "--version", "ANALYSISD_",
                   "--caf.scheduler.max-threads"})
    EXPECT_NE(p.outcome.out.find(opt), std::string::npos) << opt << " missing from:\n"
                                                          << p.outcome.out;
  EXPECT_EQ(p.outcome.out, help_text());
  EXPECT_EQ(parse({"-h"}).outcome.out, help_text());
}

TEST(config, version_is_asked_for) {
  auto p = parse({"--version"});
  EXPECT_FALSE(p.outcome.run);
  EXPECT_TRUE(p.outcome.version);
  EXPECT_EQ(p.outcome.exit_code, 0);
}

TEST(config, caf_options_pass_through_under_their_prefix) {
  temp_dir dir;
  auto file = write(dir, "caf.conf", "threads = 3\n[caf.scheduler]\nmax-threads = 3\n");
  auto p = parse({"--config", file, "--caf.scheduler.policy=stealing", "--caf.work-stealing.aggressive-poll-attempts", "5"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.threads, 3u);
  EXPECT_EQ(p.cfg.caf_args, (strings{"--scheduler.max-threads=3", "--scheduler.policy=stealing",
                                     "--work-stealing.aggressive-poll-attempts=5"}));
  caf_config caf;
  ASSERT_EQ(caf.apply(p.cfg.caf_args), "");
  EXPECT_EQ(caf::get_or(caf, "scheduler.max-threads", std::size_t{0}), 3u);
  EXPECT_EQ(caf::get_or(caf, "scheduler.policy", caf::atom("")), caf::atom("stealing"));
  expect_refused({"--caf.no-such.option=1"}, {}, {"caf", "no-such.option"});
}

TEST(config, caf_defaults_suit_analysisd_and_no_implicit_file_is_read) {
  temp_dir dir;
  char buf[4096];
  ASSERT_NE(::getcwd(buf, sizeof(buf)), nullptr);
  write(dir, "caf-application.ini", "[scheduler]\nmax-threads=7\npolicy='stealing'\n");
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  caf_config caf;
  auto err = caf.apply({});
  ASSERT_EQ(::chdir(buf), 0);
  ASSERT_EQ(err, "");
  EXPECT_EQ(caf::get_or(caf, "scheduler.policy", caf::atom("")), caf::atom("sharing"));
  EXPECT_EQ(caf::get_or(caf, "scheduler.max-threads", std::size_t{0}),
            default_scheduler_threads(process_cpu_budget()));
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
  for (const char* bad : {"", ":80", "host:", "host", "host:65536", "host:12a", "host:123456"})
    EXPECT_FALSE(split_listen(bad, host, port)) << bad;
}

TEST(config, remote_options_fit_together_or_exit_2) {
  temp_dir dir;
  auto cert = write(dir, "cert.pem", "x");
  auto key = write(dir, "key.pem", "x");
  expect_refused({"--remote-listen", "nowhere"}, {}, {"--remote-listen", "nowhere"});
  expect_refused({"--remote-tls-certificate", cert, "--remote-tls-key", key}, {},
                 {"--remote-listen"});
  expect_refused({"--remote-listen", "127.0.0.1:9960", "--remote-tls-certificate", cert}, {},
                 {"--remote-tls-certificate", "--remote-tls-key", "together"});
  expect_refused({"--remote-listen", "127.0.0.1:9960", "--remote-tls-ca", cert}, {},
                 {"--remote-tls-ca"});
  expect_refused({"--remote-listen", "127.0.0.1:9960", "--remote-tls-certificate",
                  dir.path() + "/missing.pem", "--remote-tls-key", key},
                 {}, {"missing.pem"});
  auto p = parse({"--remote-listen", "127.0.0.1:9960", "--remote-tls-certificate", cert,
                  "--remote-tls-key", key, "--caf.middleman.heartbeat-interval=2s"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.remote_listen, "127.0.0.1:9960");
}

TEST(config, the_remote_interface_sets_its_app_identifier_and_finite_timeouts) {
  server_config cfg;
  caf_config plain;
  plain.enable_remote(cfg); // no --remote-listen: nothing changes
  EXPECT_FALSE(caf::get_if<caf::timespan>(&plain, "middleman.heartbeat-interval"));
  cfg.remote_listen = "127.0.0.1:9960";
  caf_config remote;
  remote.enable_remote(cfg);
  ASSERT_EQ(remote.apply({"--middleman.connection-timeout=7s"}), "");
  EXPECT_EQ(caf::get_or(remote, "middleman.app-identifiers", std::vector<std::string>{}),
            std::vector<std::string>{"analysisd.registry.v1"});
  EXPECT_EQ(caf::get_or(remote, "middleman.heartbeat-interval", caf::timespan{0}),
            caf::timespan{std::chrono::seconds(1)});
  // CAF's options given by the operator win over these defaults.
  EXPECT_EQ(caf::get_or(remote, "middleman.connection-timeout", caf::timespan{0}),
            caf::timespan{std::chrono::seconds(7)});
}

TEST(config, cluster_options_fit_together_or_exit_2) {
  strings token{"ANALYSISD_ADMIN_TOKEN=t"};
  strings base{"--cluster-postgres", "host=127.0.0.1 dbname=x", "--cluster-listen",
               "127.0.0.1:9970"};
  expect_refused({"--cluster-listen", "127.0.0.1:9970"}, token, {"--cluster-postgres"});
  expect_refused({"--cluster-postgres", "host=x"}, token, {"--cluster-listen"});
  expect_refused(base, {}, {"admin token", "ANALYSISD_ADMIN_TOKEN"});
  auto slow = base;
  slow.insert(slow.end(), {"--heartbeat-ms", "500", "--lease-ttl-ms", "1000"});
  expect_refused(slow, token, {"--lease-ttl-ms", "3 heartbeats"});
  expect_refused({"--shards", "0"}, token, {"--shards"});
  auto repair = base;
  repair.push_back("--repair");
  expect_refused(repair, token, {"--repair"});
  auto ok = base;
  ok.insert(ok.end(), {"--node-name", "n1", "--shards", "64", "--lease-ttl-ms", "1500",
                       "--heartbeat-ms", "100", "--cluster-advertise", "10.0.0.1:9970"});
  auto p = parse(ok, token);
  ASSERT_TRUE(p.outcome.run) << p.outcome.err;
  EXPECT_EQ(p.cfg.cluster_postgres, "host=127.0.0.1 dbname=x");
  EXPECT_EQ(p.cfg.shards, 64u);
  EXPECT_EQ(p.cfg.node_name, "n1");
  EXPECT_EQ(p.cfg.cluster_advertise, "10.0.0.1:9970");
  // Defaults.
  auto d = parse(base, token);
  ASSERT_TRUE(d.outcome.run) << d.outcome.err;
  EXPECT_EQ(d.cfg.shards, 256u);
  EXPECT_EQ(d.cfg.heartbeat_ms, 500u);
  EXPECT_EQ(d.cfg.lease_ttl_ms, 3000u);
}

TEST(config, cluster_mode_loads_the_middleman_with_the_inter_node_identifier) {
  server_config cfg;
  cfg.cluster_postgres = "host=x";
  cfg.cluster_listen = "127.0.0.1:9970";
  caf_config node;
  node.enable_remote(cfg);
  node.enable_cluster(cfg);
  ASSERT_EQ(node.apply({}), "");
  EXPECT_EQ(caf::get_or(node, "middleman.app-identifiers", std::vector<std::string>{}),
            std::vector<std::string>{"analysisd.node.v2"});
  EXPECT_EQ(caf::get_or(node, "middleman.connection-timeout", caf::timespan{0}),
            caf::timespan{std::chrono::seconds(2)});
  // With --remote-listen too, both interfaces' identifiers.
  cfg.remote_listen = "127.0.0.1:9960";
  caf_config both;
  both.enable_remote(cfg);
  both.enable_cluster(cfg);
  ASSERT_EQ(both.apply({}), "");
  EXPECT_EQ(caf::get_or(both, "middleman.app-identifiers", std::vector<std::string>{}),
            (std::vector<std::string>{"analysisd.node.v2", "analysisd.registry.v1"}));
}
