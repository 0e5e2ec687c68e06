#pragma once

// Pieces shared by the cluster end-to-end tests (kill -9 under load, a node
// joining under load, a node cut off): what the clients know about an
// analysis, counters, findings, and the check of a served document against
// what was acknowledged.

#include "tests/support/e2e.hpp"
#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace analysisd::test::cluster_load {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline long long ms_since(clock_type::time_point t) {
  return std::chrono::duration_cast<milliseconds>(clock_type::now() - t).count();
}

// What the clients know about one analysis: only what a response said.
struct tracked {
  std::string id;
  std::string auth;
  std::map<std::string, std::pair<int, std::string>> files; // acknowledged: name -> {id, bytes}
  std::set<std::string> uncertain_files;                     // upload outcome unknown
  std::optional<nlohmann::json> results;                     // acknowledged finalize
  bool finalize_uncertain = false;
  bool removed = false; // acknowledged remove
  bool remove_uncertain = false;
  std::atomic<bool> gone{false}; // a remove was sent (read by the killer thread)
  int next_file = 1;
};

struct counters {
  std::atomic<long> requests{0}, acked{0}, unavailable{0}, refused{0}, dropped{0}, hangs{0},
    groups{0}, groups_one_winner{0};
  std::atomic<long long> max_latency_ms{0};

  void latency(long long ms) {
    auto cur = max_latency_ms.load();
    while (ms > cur && !max_latency_ms.compare_exchange_weak(cur, ms)) {
    }
  }
};

// Failures found by the threads, reported (the first few in full) at the end.
class findings {
public:
  void add(const std::string& what) {
    std::lock_guard<std::mutex> g{m_};
    if (all_.size() < 40)
      all_.push_back(what);
    ++count_;
  }
  std::size_t count() {
    std::lock_guard<std::mutex> g{m_};
    return count_;
  }
  std::string text() {
    std::lock_guard<std::mutex> g{m_};
    std::string out;
    for (auto& s : all_)
      out += "  " + s + "\n";
    return out;
  }

private:
  std::mutex m_;
  std::vector<std::string> all_;
  std::size_t count_ = 0;
};

inline http_request make_request(const std::string& method, const std::string& target,
                          const std::string& auth, const std::string& body = {},
                          const std::string& content_type = "application/json") {
  http_request r{method, target, {}, body};
  if (!body.empty())
    r.headers.emplace_back("Content-Type", content_type);
  r.headers.emplace_back("Authorization", auth);
  return r;
}

inline bool unknown(int status) {
  return status == 0 || status == 503;
}

inline void check_document(findings& bad, const tracked& a, const nlohmann::json& doc,
                    const std::string& where) {
  std::map<std::string, int> listed;
  for (auto& f : doc.at("files"))
    listed[f.at("name").get<std::string>()] = f.at("id").get<int>();
  for (auto& [name, file] : a.files) {
    auto it = listed.find(name);
    if (it == listed.end())
      bad.add(where + ": analysis " + a.id + " lost acknowledged file " + name);
    else if (it->second != file.first)
      bad.add(where + ": analysis " + a.id + " file " + name + " has id "
                + std::to_string(it->second) + ", acknowledged " + std::to_string(file.first));
  }
  for (auto& [name, id] : listed)
    if (!a.files.count(name) && !a.uncertain_files.count(name))
      bad.add(where + ": analysis " + a.id + " lists file " + name + " nobody uploaded");
  if (a.results) {
    if (doc.at("ready") != true || doc.at("results") != *a.results)
      bad.add(where + ": analysis " + a.id + " lost its acknowledged results");
  } else if (!a.finalize_uncertain && doc.at("ready") != false) {
    bad.add(where + ": analysis " + a.id + " is finalized, but no finalize succeeded");
  }
}

// Sends `req` on a fresh connection to 127.0.0.1:`port` (in the calling
// thread's network namespace); status 0 when it cannot connect or no
// response came within `timeout`.
inline http_response send_once(std::uint16_t port, const http_request& req,
                               milliseconds timeout = milliseconds{5000}) {
  try {
    http_client c{port};
    c.set_timeout(timeout);
    return c.send(req);
  } catch (const std::exception&) {
    return {};
  }
}

// The end of a run: every acknowledged change of `all` is served (by
// whatever `send` sends a request to), files byte for byte. An unknown
// answer (0 or 503) is asked again until `deadline`. Returns how many
// analyses and files were verified; findings go to `bad`.
template <class Send>
long verify_acknowledged(findings& bad, const std::vector<std::shared_ptr<tracked>>& all,
                         const std::string& admin_auth, Send send,
                         clock_type::time_point deadline) {
  long verified = 0;
  auto get = [&](const std::string& target) {
    http_response r;
    do {
      r = send(make_request("GET", target, admin_auth));
      if (!unknown(r.status))
        break;
      std::this_thread::sleep_for(milliseconds(100));
    } while (clock_type::now() < deadline);
    return r;
  };
  auto describe = [](const http_response& r, const std::string& what) {
    return what + ": " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  };
  for (auto& a : all) {
    if (a->remove_uncertain)
      continue;
    auto r = get("/admin/analyses/" + a->id);
    if (a->removed) {
      if (r.status != 404)
        bad.add(describe(r, "removed analysis " + a->id + " at the end"));
      else
        ++verified;
      continue;
    }
    if (r.status != 200) {
      bad.add(describe(r, "analysis " + a->id + " at the end"));
      continue;
    }
    ++verified;
    check_document(bad, *a, r.json(), "at the end");
    for (auto& [name, file] : a->files) {
      auto f = get("/admin/analyses/" + a->id + "/files/" + std::to_string(file.first));
      if (f.status != 200 || f.body != file.second)
        bad.add(describe(f, "acknowledged file " + name + " of " + a->id + " at the end"));
      else
        ++verified;
    }
  }
  return verified;
}

} // namespace analysisd::test::cluster_load
