// End-to-end: what an operator watches (issue 12): the Prometheus metrics at
// GET /metrics (admin token), the access log (one line per request, text or
// JSON, never a secret), X-Request-Id, and strict --log-level/--log-format.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

// One sample of the text exposition, by `name{label="value",...}` with the
// labels sorted; their values.
using samples = std::map<std::string, double>;

samples parse_metrics(const std::string& text) {
  samples out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::string name;
    std::map<std::string, std::string> labels;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key, value;
        while (line[i] != '=')
          key += line[i++];
        i += 2; // ="
        while (line[i] != '"') {
          if (line[i] == '\\')
            ++i;
          value += line[i++];
        }
        ++i;
        if (line[i] == ',')
          ++i;
        labels[key] = value;
      }
      ++i;
    }
    std::string key = name;
    if (!labels.empty()) {
      key += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        key += (first ? "" : ",") + k + "=\"" + v + "\"";
        first = false;
      }
      key += '}';
    }
    out[key] = std::stod(line.substr(i + 1));
  }
  return out;
}

std::string requests(const std::string& method, const std::string& route, const std::string& status) {
  return "analysisd_http_requests_total{method=\"" + method + "\",route=\"" + route
         + "\",status=\"" + status + "\"}";
}

double value(const samples& s, const std::string& key) {
  auto i = s.find(key);
  return i == s.end() ? -1 : i->second;
}

// The scripted workload; what it sent, for the checks.
struct workload {
  job_analysis job;
  std::string file_id;
  std::vector<std::string> response_ids; ///< X-Request-Id of each response.
  int sent = 0;                          ///< Requests, the /healthz of the start excluded.
};

http_response sent(workload& w, http_response res) {
  ++w.sent;
  w.response_ids.push_back(res.header("x-request-id"));
  return res;
}

workload run_workload(server_process& server, http_client& c) {
  workload w;
  w.job = create_job_analysis(server, c); // POST /admin/analyses, PATCH /admin/jobs/...
  w.sent += 2;
  auto base = "/api/analyses/" + w.job.id;
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(sent(w, c.get(base, w.job.auth)).status, 200);
  auto up = sent(w, upload_named(c, w.job.id, "reads.fa", "ACGTACGT", w.job.auth));
  EXPECT_EQ(up.status, 201) << up.body;
  w.file_id = std::to_string(up.json().at("id").get<long long>());
  auto down = sent(w, c.get(base + "/files/" + w.file_id, w.job.auth));
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, "ACGTACGT");
  EXPECT_EQ(sent(w, c.patch(base, R"({"results":{"a":1}})", w.job.auth)).status, 200);
  // 401s: at the router, and at the head of a request with a body.
  EXPECT_EQ(sent(w, c.get(base)).status, 401);
  EXPECT_EQ(sent(w, c.get(base, basic_auth(w.job.job_id, "wrong-key"))).status, 401);
  // A key where the job id goes: refused, and so never logged as a job id.
  EXPECT_EQ(sent(w, c.get(base, basic_auth(w.job.key, w.job.key))).status, 401);
  EXPECT_EQ(sent(w, c.get("/admin/analyses", bearer("not-the-token"))).status, 401);
  EXPECT_EQ(sent(w, upload_named(c, w.job.id, "more.fa", "ACGT", "")).status, 401);
  EXPECT_EQ(sent(w, c.get("/no/such/route")).status, 404);
  return w;
}

// The access-log lines of a JSON log, but for the /healthz polls of the start.
std::vector<nlohmann::json> access_lines(const std::string& log) {
  std::vector<nlohmann::json> out;
  std::istringstream in{log};
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (...) {
      ADD_FAILURE() << "not a JSON line: " << line;
      continue;
    }
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("msg")) << line;
    if (j.value("msg", "") == "request" && j.value("route", "") != "/healthz")
      out.push_back(j);
  }
  return out;
}

} // namespace

TEST(e2e_observability, metrics_count_requests_by_route_pattern_after_a_workload) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto w = run_workload(server, c);

  // The admin token is required, as on /admin routes.
  expect_error(c.get("/metrics"), 401, "unauthorized", "Invalid authorization header");
  expect_error(c.get("/metrics", bearer("wrong")), 401, "unauthorized",
               "Invalid authorization header");
  auto res = c.get("/metrics", bearer(server.admin_token()));
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  auto m = parse_metrics(res.body);

  const std::string analysis = "/api/analyses/{analysis_id}";
  EXPECT_EQ(value(m, requests("POST", "/admin/analyses", "201")), 1);
  EXPECT_EQ(value(m, requests("PATCH", "/admin/jobs/{job_id}", "200")), 1);
  EXPECT_EQ(value(m, requests("GET", analysis, "200")), 3);
  EXPECT_EQ(value(m, requests("GET", analysis, "401")), 3);
  EXPECT_EQ(value(m, requests("PATCH", analysis, "200")), 1);
  EXPECT_EQ(value(m, requests("POST", analysis + "/files", "201")), 1);
  EXPECT_EQ(value(m, requests("POST", analysis + "/files", "401")), 1);
  EXPECT_EQ(value(m, requests("GET", analysis + "/files/{file_id}", "200")), 1);
  EXPECT_EQ(value(m, requests("GET", "/admin/analyses", "401")), 1);
  EXPECT_EQ(value(m, requests("GET", "unmatched", "404")), 1);
  EXPECT_EQ(value(m, requests("GET", "/metrics", "401")), 2);
  // Duration histograms by route: their counts match the counters.
  EXPECT_EQ(value(m, "analysisd_http_request_duration_seconds_count{route=\"" + analysis + "\"}"), 7);
  EXPECT_EQ(value(m, "analysisd_http_request_duration_seconds_bucket{le=\"+Inf\",route=\"" + analysis
                       + "\"}"),
            7);
  EXPECT_EQ(value(m, "analysisd_http_requests_in_flight"), 1); // this scrape
  EXPECT_EQ(value(m, "analysisd_upload_bytes_received_total") > 8, true);
  EXPECT_EQ(value(m, "analysisd_download_bytes_sent_total"), 8);
  // The journal: create, acquire, upload, finalize at least.
  EXPECT_GE(value(m, "analysisd_journal_append_duration_seconds_count"), 4);
  EXPECT_GE(value(m, "analysisd_journal_fsync_duration_seconds_count"), 1);
  EXPECT_GE(value(m, "analysisd_journal_batch_records_count"), 1);
  EXPECT_GT(value(m, "analysisd_journal_written_bytes_total"), 0);
  EXPECT_GE(value(m, "analysisd_recovery_duration_seconds"), 0);
  EXPECT_EQ(value(m, "analysisd_analyses"), 1);
  EXPECT_EQ(value(m, "analysisd_analysis_actors") + value(m, "analysisd_dormant_analyses"), 1);
  EXPECT_GE(value(m, "analysisd_snapshot_duration_seconds_count"), 0);
  // Process metrics.
  EXPECT_GT(value(m, "process_cpu_seconds_total"), 0);
  EXPECT_GT(value(m, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value(m, "process_open_fds"), 3);
  EXPECT_GT(value(m, "process_start_time_seconds"), 1.7e9);
  // No raw path (and so no id) in any label.
  for (const auto& id : {w.job.id, w.job.job_id})
    EXPECT_EQ(res.body.find(id), std::string::npos) << id << " in:\n" << res.body;
  std::regex route_label{"route=\"([^\"]*)\""};
  for (std::sregex_iterator i{res.body.begin(), res.body.end(), route_label}, end; i != end; ++i) {
    auto route = (*i)[1].str();
    EXPECT_TRUE(route == "unmatched" || route.find('{') != std::string::npos
                || route == "/metrics" || route == "/healthz" || route == "/readyz"
                || route == "/livez" || route == "/admin/analyses")
      << route;
  }
  // The scrape before is counted by the next one.
  auto again = parse_metrics(c.get("/metrics", bearer(server.admin_token())).body);
  EXPECT_EQ(value(again, requests("GET", "/metrics", "200")), 1);
}

TEST(e2e_observability, json_access_log_has_one_line_per_request_and_no_secret) {
  temp_dir dir;
  server_process server{dir.path() + "/data", {"--log-format", "json"}};
  http_client c{server.port()};
  auto w = run_workload(server, c);
  // A request id of the client's is used; a bad one is replaced.
  http_request req;
  req.target = "/livez";
  req.headers = {{"X-Request-Id", "client-id.42:x_y"}};
  EXPECT_EQ(sent(w, c.send(req)).header("x-request-id"), "client-id.42:x_y");
  req.headers = {{"X-Request-Id", "has space"}};
  auto replaced = sent(w, c.send(req)).header("x-request-id");
  EXPECT_TRUE(std::regex_match(replaced, std::regex{"[0-9a-f]{32}"})) << replaced;
  req.headers = {{"X-Request-Id", std::string(200, 'a')}};
  EXPECT_NE(sent(w, c.send(req)).header("x-request-id"), std::string(200, 'a'));
  // Refused at its head, before its body: the id is echoed too.
  http_request early;
  early.method = "POST";
  early.target = "/api/analyses/" + w.job.id + "/files?name=x.fa";
  early.headers = {{"X-Request-Id", "early-refusal-1"},
                   {"Content-Type", "multipart/form-data; boundary=b"}};
  early.body = std::string(1 << 16, 'x');
  auto refused = sent(w, c.send(early));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("x-request-id"), "early-refusal-1");
  ASSERT_EQ(server.stop(), 0);

  auto log = server.log();
  auto lines = access_lines(log);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(w.sent)) << log;
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& l : lines) {
    for (const char* key : {"method", "route", "request_id", "job_id"})
      EXPECT_TRUE(l.at(key).is_string()) << key << " in " << l;
    for (const char* key : {"status", "bytes_in", "bytes_out"})
      EXPECT_TRUE(l.at(key).is_number_unsigned()) << key << " in " << l;
    EXPECT_TRUE(l.at("duration_ms").is_number()) << l;
    EXPECT_EQ(l.at("level"), "info");
    by_id[l.at("request_id").get<std::string>()] = l;
  }
  // Every response's id names its line.
  for (const auto& id : w.response_ids)
    EXPECT_EQ(by_id.count(id), 1u) << id;
  auto up = by_id.at(w.response_ids[3]); // the upload
  EXPECT_EQ(up.at("method"), "POST");
  EXPECT_EQ(up.at("route"), "/api/analyses/{analysis_id}/files");
  EXPECT_EQ(up.at("status"), 201);
  EXPECT_EQ(up.at("job_id"), w.job.job_id);
  EXPECT_GT(up.at("bytes_in").get<std::uint64_t>(), 8u);
  auto down = by_id.at(w.response_ids[4]);
  EXPECT_EQ(down.at("route"), "/api/analyses/{analysis_id}/files/{file_id}");
  EXPECT_EQ(down.at("bytes_out"), 8);
  EXPECT_EQ(by_id.at("early-refusal-1").at("status"), 401);
  auto wrong_key = by_id.at(w.response_ids[7]);
  EXPECT_EQ(wrong_key.at("status"), 401);
  EXPECT_EQ(wrong_key.at("job_id"), "-"); // not authenticated: not a job's
  EXPECT_EQ(by_id.at("client-id.42:x_y").at("route"), "/livez");
  // No secret anywhere: the job key, the admin token, the credentials.
  for (const auto& secret : {w.job.key, server.admin_token(), w.job.auth.substr(6)})
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  // And no raw path with an id.
  EXPECT_EQ(log.find("/api/analyses/" + w.job.id), std::string::npos);
}

TEST(e2e_observability, text_access_log_and_start_line) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto w = run_workload(server, c);
  ASSERT_EQ(server.stop(), 0);
  auto log = server.log();
  std::regex line{R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info request method=(\S+) route=(\S+) )"
                  R"(status=(\d+) bytes_in=(\d+) bytes_out=(\d+) duration_ms=[0-9.]+ )"
                  R"(request_id=([0-9a-f]{32}) job_id=(\S+)$)"};
  std::istringstream in{log};
  std::string l;
  int count = 0;
  bool job_seen = false;
  while (std::getline(in, l)) {
    std::smatch m;
    if (l.find(" info request ") == std::string::npos)
      continue;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    if (m[2] == "/healthz")
      continue;
    ++count;
    job_seen = job_seen || m[7] == w.job.job_id;
  }
  EXPECT_EQ(count, w.sent) << log;
  EXPECT_TRUE(job_seen) << log;
  EXPECT_EQ(log.find(w.job.key), std::string::npos);
  EXPECT_EQ(log.find(server.admin_token()), std::string::npos);
  // The start names the version, the PID, the data dir and the limits.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex{"info starting version=(\\S+) .*pid=(\\d+) "
                                                    "data_dir=(\\S+) .*max_body_bytes=\\d+"}))
    << log;
  EXPECT_EQ(m[1], ANALYSISD_VERSION);
  EXPECT_EQ(m[3], server.data_dir());
}

TEST(e2e_observability, access_log_off_leaves_only_the_other_lines) {
  temp_dir dir;
  server_process server{dir.path() + "/data", {"--access-log", "off"}};
  http_client c{server.port()};
  EXPECT_EQ(c.get("/livez").status, 200);
  ASSERT_EQ(server.stop(), 0);
  EXPECT_EQ(server.log().find(" info request "), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("ready: serving"), std::string::npos) << server.log();
}

// A message that carries what someone gave (here a backup path with a
// newline, which a file name may hold) stays one line in the text log.
TEST(e2e_observability, a_newline_in_a_logged_value_cannot_forge_a_text_line) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto path = dir.path() + "/backup\nFORGED error injected";
  auto body = nlohmann::json{{"path", path}}.dump();
  auto res = send_with(c, "POST", "/admin/backup", bearer(server.admin_token()), body,
                       "application/json");
  EXPECT_EQ(res.status, 201) << res.body;
  ASSERT_EQ(server.stop(), 0);
  auto log = server.log();
  // The whole message goes as a JSON string.
  EXPECT_NE(log.find("info \"backup to " + dir.path() + "/backup\\nFORGED"), std::string::npos)
    << log;
  EXPECT_EQ(log.find("\nFORGED"), std::string::npos) << log;
}

TEST(e2e_observability, bad_log_level_format_or_access_log_exits_2) {
  temp_dir dir;
  for (auto args : std::vector<std::vector<std::string>>{{"--log-level", "loud"},
                                                         {"--log-level", "WARN"},
                                                         {"--log-format", "xml"},
                                                         {"--access-log", "maybe"}}) {
    std::string out;
    EXPECT_EQ(run_binary_once(dir.path() + "/data", args, out), 2) << args[0] << ": " << out;
    EXPECT_NE(out.find(args[0]), std::string::npos) << out;
    EXPECT_NE(out.find("'" + args[1] + "'"), std::string::npos) << out;
  }
}

TEST(e2e_observability, log_level_warning_hides_info_lines) {
  temp_dir dir;
  server_process server{dir.path() + "/data", {"--log-level", "warning"}};
  http_client c{server.port()};
  EXPECT_EQ(c.get("/livez").status, 200);
  ASSERT_EQ(server.stop(), 0);
  EXPECT_EQ(server.log().find(" info "), std::string::npos) << server.log();
}

TEST(e2e_observability, metrics_listen_serves_metrics_without_credentials_on_its_own_address) {
  temp_dir dir;
  auto port = free_port();
  server_process server{dir.path() + "/data",
                        {"--metrics-listen", "127.0.0.1:" + std::to_string(port)}};
  http_client c{server.port()};
  EXPECT_EQ(c.get("/livez").status, 200);
  EXPECT_EQ(c.get("/metrics").status, 401); // the main address still wants the token
  http_client m{port};
  auto res = m.get("/metrics");
  ASSERT_EQ(res.status, 200) << res.body;
  auto s = parse_metrics(res.body);
  EXPECT_EQ(value(s, requests("GET", "/livez", "200")), 1);
  EXPECT_EQ(value(s, requests("GET", "/metrics", "401")), 1);
  EXPECT_EQ(value(s, "analysisd_analyses"), 0);
  EXPECT_EQ(value(s, "analysisd_http_connections_limit"), 512);
  // Connections open on the main address, counted as they come and go (the
  // metrics address's own are not).
  auto connections = [&] {
    return value(parse_metrics(m.get("/metrics").body), "analysisd_http_connections");
  };
  auto reaches = [&](double n) {
    for (int k = 0; k < 100 && connections() != n; ++k)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return connections() == n;
  };
  // Only c's is open once the server saw its readiness probes' close (which
  // may come a little later on a busy machine).
  EXPECT_TRUE(reaches(1)) << connections();
  auto before = connections();
  std::vector<int> more;
  for (int k = 0; k < 3; ++k)
    more.push_back(connect_loopback(server.port()));
  EXPECT_TRUE(reaches(before + 3)) << connections();
  for (int fd : more)
    ::close(fd);
  EXPECT_TRUE(reaches(before)) << connections();
  // Those of the metrics address are not counted.
  for (int k = 0; k < 3; ++k)
    more[k] = connect_loopback(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(connections(), before);
  for (int fd : more)
    ::close(fd);
  EXPECT_EQ(m.get("/admin/analyses", bearer(server.admin_token())).status, 404);
  EXPECT_EQ(server.stop(), 0);
  std::string out;
  EXPECT_EQ(run_binary_once(dir.path() + "/data", {"--metrics-listen", "nowhere"}, out), 2) << out;
  EXPECT_NE(out.find("--metrics-listen"), std::string::npos) << out;
}

TEST(e2e_observability, restinio_messages_are_logged_at_debug) {
  temp_dir dir;
  server_process server{dir.path() + "/data", {"--log-level", "debug"}};
  ASSERT_EQ(server.stop(), 0);
  // RESTinio's info messages (server started/closed) are our debug lines.
  EXPECT_TRUE(std::regex_search(server.log(), std::regex{"debug restinio detail=\"server started on "}))
    << server.log();
  temp_dir quiet;
  server_process info{quiet.path() + "/data"};
  ASSERT_EQ(info.stop(), 0);
  EXPECT_EQ(info.log().find("restinio"), std::string::npos) << info.log();
}
