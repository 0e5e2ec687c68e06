// Unit: the metrics' own pieces: the lock-free histogram's buckets, the
// request counters by route, method and status (exact under concurrency),
// and the text exposition.

#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using namespace analysisd;

TEST(int_histogram, buckets_are_upper_inclusive_and_cumulative) {
  int_histogram h{{10, 100, 1000}, 1};
  for (std::uint64_t v : {0, 10, 11, 100, 101, 5000})
    h.observe(v);
  auto r = h.read();
  ASSERT_EQ(r.bounds, (std::vector<double>{10, 100, 1000}));
  EXPECT_EQ(r.cumulative, (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(r.sum, 5222);
}

TEST(int_histogram, durations_are_exported_in_seconds) {
  int_histogram h{{1000000, 1000000000}, 1e9};
  h.observe(std::chrono::milliseconds(2));
  auto r = h.read();
  EXPECT_DOUBLE_EQ(r.bounds[0], 0.001);
  EXPECT_EQ(r.cumulative, (std::vector<std::uint64_t>{0, 1, 1}));
  EXPECT_DOUBLE_EQ(r.sum, 0.002);
}

TEST(service_metrics, requests_are_counted_exactly_from_many_threads) {
  service_metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i)
        // 30 statuses per route and method: more than the lock-free slots hold.
        m.request_done(http_route::api_analysis, http_method_label::get,
                       static_cast<unsigned>(200 + (i + t) % 30), std::chrono::microseconds(i));
    });
  for (auto& t : threads)
    t.join();
  auto text = m.render(std::nullopt);
  std::uint64_t total = 0;
  for (int s = 200; s < 230; ++s) {
    auto key = "analysisd_http_requests_total{method=\"GET\",route=\"/api/analyses/{analysis_id}\","
               "status=\"" + std::to_string(s) + "\"} ";
    auto at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key << "\n" << text;
    total += std::stoull(text.substr(at + key.size()));
  }
  EXPECT_EQ(total, 40000u);
  EXPECT_NE(text.find("analysisd_http_request_duration_seconds_count{route=\"/api/analyses/"
                      "{analysis_id}\"} 40000"),
            std::string::npos)
    << text;
}

TEST(service_metrics, render_has_the_families_and_the_process_metrics) {
  service_metrics m;
  m.request_done(http_route::unmatched, http_method_label::other, 0, std::chrono::seconds(1));
  m.journal_fsync.observe(std::chrono::milliseconds(1));
  auto text = m.render(registry_counts{2, 5});
  for (const char* s :
       {"analysisd_http_requests_total{method=\"other\",route=\"unmatched\",status=\"none\"} 1",
        "# TYPE analysisd_journal_fsync_duration_seconds histogram",
        "analysisd_journal_fsync_duration_seconds_count 1", "analysisd_analyses 7",
        "analysisd_analysis_actors 2", "analysisd_dormant_analyses 5",
        "# TYPE process_cpu_seconds_total counter", "process_resident_memory_bytes ",
        "process_open_fds ", "process_start_time_seconds ", "analysisd_log_lines_dropped_total 0"})
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
  // Without the registry's answer, its gauges are left out.
  EXPECT_EQ(m.render(std::nullopt).find("analysisd_analyses "), std::string::npos);
}

TEST(service_metrics, route_patterns_hold_no_ids) {
  for (auto r = 0; r < static_cast<int>(http_route::count_); ++r) {
    std::string p = route_pattern(static_cast<http_route>(r));
    EXPECT_TRUE(p == "unmatched" || p[0] == '/') << p;
  }
  EXPECT_STREQ(route_pattern(http_route::api_files), "/api/analyses/{analysis_id}/files");
}
