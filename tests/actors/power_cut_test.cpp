// The power-cut harness (LevelDB's db/fault_injection_test.cc, for the whole
// service): the real service runs a workload on a storage that records every
// change, then power is cut at every step of that record, and at random
// points, and each time the real start-up path recovers what a crashed
// kernel may have left on disk. Every acknowledged change must be there
// (acknowledged: its reply arrived before the cut), no file may be torn, and
// a strict cut, which keeps only what was fsynced, must need no repair.
//
// ANALYSISD_POWER_CUT_POINTS=N runs workloads until N random (adversarial)
// cut points were checked (3000 by default: two workloads, about 2 s).
// ANALYSISD_POWER_CUT_CONTEXT=N shows the N storage changes before a failing cut.

#include "actors/service.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/persistence/power_cut_storage.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

constexpr auto power_cut_timeout = std::chrono::seconds(30);
const std::string data_dir = "/data";

/// One acknowledged change.
struct change {
  enum class kind { create, acquire, upload, finalize, remove } k;
  std::string id;
  std::string job;      ///< create
  std::string key_hash; ///< acquire
  std::uint64_t file_id = 0;
  std::string name;     ///< upload
};

/// What the workloads sent, acknowledged or not, so that whatever recovery
/// finds can be checked for tearing. Thread-safe.
class sent_values {
public:
  void bytes(const std::string& id, const std::string& name, const std::string& b) {
    std::lock_guard<std::mutex> guard{mutex_};
    bytes_[{id, name}] = b;
  }
  void results(const std::string& id, const std::string& r) {
    std::lock_guard<std::mutex> guard{mutex_};
    results_[id] = r;
  }
  std::optional<std::string> bytes(const std::string& id, const std::string& name) const {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = bytes_.find({id, name});
    return i == bytes_.end() ? std::nullopt : std::optional<std::string>{i->second};
  }
  std::optional<std::string> results(const std::string& id) const {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = results_.find(id);
    return i == results_.end() ? std::nullopt : std::optional<std::string>{i->second};
  }
  void removal(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    removals_.insert(id);
  }
  bool removal_asked(const std::string& id) const {
    std::lock_guard<std::mutex> guard{mutex_};
    return removals_.count(id) != 0;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> bytes_;
  std::map<std::string, std::string> results_;
  std::set<std::string> removals_;
};

/// Drives the real service on a recording storage and notes each
/// acknowledgement in the storage's log the moment its reply arrives.
class workload {
public:
  workload(caf::actor_system& sys, power_cut_storage& st, sent_values& sent)
    : sys_(sys), st_(st), sent_(sent) {
  }

  /// Starts the service on the storage (recovery runs, recorded).
  void start(std::uint64_t rotate_bytes) {
    actors_before_ = sys_.registry().running();
    service_options opts;
    opts.data_dir = data_dir;
    opts.st = &st_;
    opts.journal_rotate_bytes = rotate_bytes;
    // Zeros ahead of a few records, not of thousands: the cut points then
    // write over zeros and grow the file as often, with small images.
    opts.journal_zeros_ahead = 1024;
    opts.actor_idle = std::chrono::milliseconds(0);
    auto svc = start_service(sys_, opts);
    ASSERT_TRUE(svc) << sys_.render(svc.error());
    svc_ = std::move(*svc);
    st_.note(0); // serving from here on
  }

  /// With `snapshot`, a clean stop (final snapshot); else the actors just end.
  void stop(bool snapshot) {
    if (!svc_)
      return;
    if (snapshot) {
      EXPECT_FALSE(stop_service(sys_, *svc_));
    } else {
      caf::scoped_actor self{sys_};
      self->send_exit(svc_->registry, caf::exit_reason::user_shutdown);
      self->send_exit(svc_->journal, caf::exit_reason::user_shutdown);
    }
    svc_.reset();
    // The storage must outlive every actor that may still touch it (a
    // syncer, a compactor, a file worker finishing after the exit).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (sys_.registry().running() > actors_before_
           && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_LE(sys_.registry().running(), actors_before_) << "actors still run after the stop";
  }

  /// The whole life of analysis `id`; `variant` picks its end.
  void lifecycle(const std::string& id, int variant) {
    create_request req = good_create(id);
    auto doc = ask<std::string>(create_atom::value, req);
    if (!doc)
      return;
    std::string job = nlohmann::json::parse(*doc)["job"]["id"];
    ack({change::kind::create, id, job, {}, 0, {}});
    auto key = ask<std::string>(acquire_atom::value, job);
    if (!key)
      return;
    ack({change::kind::acquire, id, {}, sha256(*key), 0, {}});
    auto cred = job_credential(job, *key);
    // Two first uploads race (the analysis directory is new to both).
    std::vector<std::thread> racers;
    for (auto name : {"a.fa", "b.fa"})
      racers.emplace_back([=] { put(cred, id, name); });
    for (auto& t : racers)
      t.join();
    put(cred, id, "c.fa");
    switch (variant % 4) {
      case 0:
        finalize(cred, id);
        break;
      case 1:
        remove(cred, id);
        break;
      case 2:
        finalize(admin_credential(), id);
        remove(admin_credential(), id);
        break;
      default:
        break; // left open
    }
  }

  /// `count` lifecycles on `threads` threads; ids are `prefix` + a number.
  void run(const std::string& prefix, int count, int threads) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([=] {
        for (int i = t; i < count; i += threads) {
          auto n = std::to_string(i);
          lifecycle(prefix + std::string(8 - prefix.size() - n.size(), '0') + n, i);
        }
      });
    for (auto& w : workers)
      w.join();
  }

  std::vector<change> acked() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return acked_;
  }

private:
  template <class T, class... Ts>
  std::optional<T> ask(Ts&&... xs) {
    std::optional<T> out;
    caf::scoped_actor self{sys_};
    self->request(svc_->registry, power_cut_timeout, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out = std::move(x); },
               [&](caf::error& err) { ADD_FAILURE() << "request failed: " << sys_.render(err); });
    return out;
  }

  void ack(change c) {
    std::lock_guard<std::mutex> guard{mutex_};
    acked_.push_back(std::move(c));
    st_.note(static_cast<int>(acked_.size()));
  }

  void put(const credential& cred, const std::string& id, const std::string& name) {
    auto bytes = ">" + id + "/" + name + "\n" + std::string(20 + name[0] * 3 % 50, name[0]) + "\n";
    sent_.bytes(id, name, bytes);
    auto rec = ask<file_record>(upload_atom::value, cred, id, upload(name, bytes));
    if (rec)
      ack({change::kind::upload, id, {}, {}, rec->id, name});
  }

  void finalize(const credential& cred, const std::string& id) {
    auto results = R"({"hits":")" + id + R"("})";
    sent_.results(id, results);
    if (ask<std::string>(finalize_atom::value, cred, id, results))
      ack({change::kind::finalize, id, {}, {}, 0, {}});
  }

  void remove(const credential& cred, const std::string& id) {
    sent_.removal(id);
    if (ask<bool>(remove_atom::value, cred, id))
      ack({change::kind::remove, id, {}, {}, 0, {}});
  }

  caf::actor_system& sys_;
  power_cut_storage& st_;
  sent_values& sent_;
  std::optional<service> svc_;
  std::size_t actors_before_ = 0;
  mutable std::mutex mutex_;
  std::vector<change> acked_;
};

struct expected_analysis {
  bool removed = false;
  std::string job, key_hash;
  std::map<std::uint64_t, std::string> files;
  bool finalized = false;
};

/// Recovers from `img` with the service's start-up path and checks it against
/// `base` (a state that was served before, so must stay) plus the first
/// `n_acked` changes of `acked`. Returns what is wrong, or "" if nothing;
/// `recovered` gets the state.
std::string check(const disk_image& img, bool no_repair, const state_map& base,
                  const std::vector<change>& acked, std::size_t n_acked, const sent_values& sent,
                  state_map* recovered = nullptr) {
  power_cut_storage st{img};
  opened_data_dir out;
  if (auto err = open_data_dir(st, data_dir, false, out); !err.empty())
    return "recovery failed: " + err;
  if (no_repair && !out.report.damage.empty())
    return "a strict cut needed a repair: " + out.report.damage.front();
  auto& state = out.report.analyses;
  std::map<std::string, expected_analysis> expected;
  for (auto& [id, a] : base) {
    auto& e = expected[id];
    e.removed = a.removed;
    e.job = a.job_id;
    e.key_hash = a.job_key_hash;
    for (auto& f : a.files)
      e.files[f.id] = f.name;
    e.finalized = a.ready;
  }
  for (std::size_t i = 0; i < n_acked; ++i) {
    auto& c = acked[i];
    auto& e = expected[c.id];
    switch (c.k) {
      case change::kind::create: e.job = c.job; break;
      case change::kind::acquire: e.key_hash = c.key_hash; break;
      case change::kind::upload: e.files[c.file_id] = c.name; break;
      case change::kind::finalize: e.finalized = true; break;
      case change::kind::remove: e.removed = true; break;
    }
  }
  for (auto& [id, e] : expected) {
    auto i = state.find(id);
    bool live = i != state.end() && !i->second.removed;
    if (e.removed) {
      if (live)
        return "the removed analysis " + id + " is back";
      continue;
    }
    if (!live) {
      // A removal that was asked for may be durable before its reply.
      if (i != state.end() && sent.removal_asked(id))
        continue;
      return "lost the analysis " + id;
    }
    auto& a = i->second;
    if (a.job_id != e.job)
      return "analysis " + id + " has another job";
    if (!e.key_hash.empty() && a.job_key_hash != e.key_hash)
      return "lost the acquire of " + id;
    for (auto& [file_id, name] : e.files) {
      bool found = false;
      for (auto& f : a.files)
        found = found || (f.id == file_id && f.name == name);
      if (!found)
        return "lost the upload " + id + "/" + std::to_string(file_id) + "-" + name;
    }
    if (e.finalized && !a.ready)
      return "lost the finalize of " + id;
  }
  // Nothing torn: what recovery serves, acknowledged or not, is whole.
  for (auto& [id, a] : state) {
    if (a.removed)
      continue;
    for (auto& f : a.files) {
      auto path = data_dir + "/analyses/" + id + "/" + name_on_disk(f);
      auto want = sent.bytes(id, f.name);
      std::string got;
      if (auto ec = st.read_all(path, got))
        return "the bytes of " + path + " are gone: " + ec.message();
      if (!want || got != *want || f.size != got.size())
        return "the bytes of " + path + " are torn (" + std::to_string(got.size()) + " bytes)";
    }
    if (a.ready && sent.results(id) != a.results)
      return "the results of " + id + " are not what was sent";
  }
  if (recovered)
    *recovered = std::move(state);
  return {};
}

std::string describe(const fs_op& op) {
  using k = fs_op::kind;
  switch (op.k) {
    case k::mkdir: return "mkdir " + op.path;
    case k::create: return "create " + op.path;
    case k::write: return "write " + std::to_string(op.data.size()) + " bytes at "
                          + std::to_string(op.size) + " to inode " + std::to_string(op.inode);
    case k::truncate: return "truncate inode " + std::to_string(op.inode) + " to "
                             + std::to_string(op.size);
    case k::sync: return "fsync inode " + std::to_string(op.inode);
    case k::rename: return "rename " + op.path + " " + op.path2;
    case k::link: return "link " + op.path + " " + op.path2;
    case k::unlink: return "unlink " + op.path;
    case k::rmdir: return "rmdir " + op.path;
    case k::sync_dir: return "fsync dir " + op.path;
    case k::note: return "acknowledged #" + std::to_string(op.mark);
  }
  return "?";
}

/// Tallies of one harness run.
struct tally {
  std::size_t strict = 0, adversarial = 0, failures = 0;
  std::vector<std::string> first_failures;
  std::map<std::string, std::size_t> kinds; ///< Failures by what was wrong, ids left out.

  void fail(std::string what) {
    auto kind = std::regex_replace(what.substr(0, what.find('\n')),
                                   std::regex("[a-z][0-9a-z]{7}|[0-9]+"), "#");
    ++kinds[kind.substr(kind.find("): ") == std::string::npos ? 0 : kind.find("): ") + 3)];
    if (first_failures.size() < 8)
      first_failures.push_back(std::move(what));
    ++failures;
  }
};

/// A cut point of a recorded run, kept for a cut during the recovery from it.
struct image_at {
  disk_image img;
  state_map recovered;
  std::size_t op = 0; ///< Where in the log it was cut.
};

/// One recorded run to cut everywhere.
struct recorded_run {
  disk_image base_img;      ///< The disk it started on.
  std::vector<fs_op> log;   ///< What it did (history first, for a restart after a kill).
  std::size_t first_cut = 0; ///< Cuts before this op belong to another run.
  state_map must_keep;      ///< What must survive until the service is up (the note 0)...
  state_map served;         ///< ...and what it served once it is up.
  bool base_repaired = false; ///< The base held damage, so a strict cut may still find it.
  std::vector<change> acked;
};

/// Cuts the power before every op of a run from `first_cut` on (strict and
/// adversarial) and checks each recovery against what must survive plus the
/// changes acknowledged before the cut. Returns up to `keep_images` of the
/// adversarial images (cut right after a journal write, so often with a torn
/// tail) for the round that cuts the power during recovery.
std::vector<image_at> cut_everywhere(const recorded_run& run, const sent_values& sent,
                                     std::uint64_t seed, std::size_t keep_images, tally& t) {
  auto& log = run.log;
  auto first_cut = run.first_cut;
  auto context = std::getenv("ANALYSISD_POWER_CUT_CONTEXT")
                   ? std::strtoull(std::getenv("ANALYSISD_POWER_CUT_CONTEXT"), nullptr, 10)
                   : 4;
  std::vector<image_at> kept;
  std::mt19937_64 rng{seed};
  fs_model m{run.base_img};
  std::size_t n_acked = 0;
  const state_map* must_stay = &run.must_keep;
  // The images to keep: points right after a journal write, spread evenly.
  std::vector<std::size_t> after_write;
  for (std::size_t i = 1; i <= log.size(); ++i)
    if (log[i - 1].k == fs_op::kind::write)
      after_write.push_back(i);
  std::set<std::size_t> keep_at;
  for (std::size_t j = 0; j < keep_images && !after_write.empty(); ++j)
    keep_at.insert(after_write[(j * 7919 + seed) % after_write.size()]);
  for (std::size_t i = 0; i <= log.size(); ++i) {
    for (auto mode : {cut_mode::strict, cut_mode::adversarial}) {
      if (i < first_cut)
        break;
      auto img = m.crash(mode, rng);
      state_map recovered;
      auto err = check(img, mode == cut_mode::strict && !run.base_repaired, *must_stay, run.acked,
                       n_acked, sent, &recovered);
      ++(mode == cut_mode::strict ? t.strict : t.adversarial);
      if (!err.empty()) {
        std::string ctx;
        for (auto j = i >= context ? i - context : 0; j < i; ++j)
          ctx += "\n    op " + std::to_string(j) + ": " + describe(log[j]);
        t.fail("cut before op " + std::to_string(i) + " of " + std::to_string(log.size()) + " ("
               + (mode == cut_mode::strict ? "strict" : "adversarial") + ", "
               + std::to_string(n_acked) + " acknowledged): " + err + ctx);
      } else if (mode == cut_mode::adversarial && keep_at.count(i)) {
        kept.push_back({std::move(img), std::move(recovered), i});
      }
    }
    if (i < log.size()) {
      m.apply(log[i]);
      if (log[i].k == fs_op::kind::note && i >= first_cut) { // history's notes are another run's
        if (log[i].mark == 0)
          must_stay = &run.served;
        else
          n_acked = static_cast<std::size_t>(log[i].mark);
      }
    }
  }
  return kept;
}

/// The state the service's start-up path recovers from `st`, or an error.
std::string recover_state(storage& st, state_map& out) {
  opened_data_dir opened;
  auto err = open_data_dir(st, data_dir, false, opened);
  out = std::move(opened.report.analyses);
  if (err.empty() && !opened.report.damage.empty())
    return "damage: " + opened.report.damage.front();
  return err;
}

/// The second round: the service starts again after the first run was cut
/// at `at` (a power cut, or with `killed` a kill -9: then it starts on what
/// the kernel still holds, durable or not), works a little, and is recorded.
recorded_run restart_after(caf::actor_system& sys, const power_cut_storage& first,
                           const std::vector<fs_op>& log, const image_at& at, bool killed,
                           const std::string& prefix, bool clean_stop, std::uint64_t seed,
                           sent_values& sent, tally& t) {
  recorded_run run;
  run.must_keep = run.served = at.recovered;
  std::unique_ptr<power_cut_storage> st;
  if (!killed) {
    power_cut_storage look{at.img};
    state_map unused;
    run.base_repaired = recover_state(look, unused).rfind("damage: ", 0) == 0;
    st = std::make_unique<power_cut_storage>(at.img);
  } else {
    std::vector<fs_op> history(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(at.op));
    power_cut_storage look{first.base(), history};
    if (auto err = recover_state(look, run.served); !err.empty() && err.rfind("damage: ", 0) != 0)
      t.fail("recovery after a kill at op " + std::to_string(at.op) + " failed: " + err);
    // Until it serves, the restart must keep what was durable at the kill.
    fs_model m{first.base()};
    for (auto& op : history)
      m.apply(op);
    std::mt19937_64 unused;
    power_cut_storage durable{m.crash(cut_mode::strict, unused)};
    if (auto err = recover_state(durable, run.must_keep); !err.empty())
      t.fail("recovery of what was durable at a kill at op " + std::to_string(at.op)
             + " failed: " + err);
    run.first_cut = history.size();
    st = std::make_unique<power_cut_storage>(first.base(), std::move(history));
  }
  st->jitter(seed);
  workload w{sys, *st, sent};
  w.start(600);
  w.run(prefix, 2, 1);
  w.stop(clean_stop);
  run.base_img = st->base();
  run.log = st->log();
  run.acked = w.acked();
  return run;
}

std::size_t env_points() {
  auto v = std::getenv("ANALYSISD_POWER_CUT_POINTS");
  return v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : 3000;
}

} // namespace

TEST(power_cut, no_acknowledged_change_is_lost_or_torn_at_any_cut) {
  caf::actor_system sys{test_config()};
  auto wanted = env_points();
  tally t;
  std::size_t runs = 0, ops = 0, second_round_runs = 0, second_round_ops = 0;
  auto started = std::chrono::steady_clock::now();
  for (std::uint64_t seed = 1; runs == 0 || t.adversarial < wanted; ++seed) {
    ++runs;
    sent_values sent;
    // The scripted workload: creates, acquires, racing first uploads,
    // finalizes, removes by jobs and operators, a journal that rotates and
    // compacts every few records, and the final snapshot.
    power_cut_storage st;
    st.jitter(seed);
    workload w{sys, st, sent};
    w.start(600);
    w.run("p" + std::to_string(seed % 10), 12, 3);
    w.stop(true);
    recorded_run first;
    first.base_img = st.base();
    first.log = st.log();
    first.acked = w.acked();
    ops += first.log.size();
    auto kept = cut_everywhere(first, sent, seed, 8, t);
    // Power cut during recovery, and during the work after it: start on a
    // cut image (recovery cuts a torn tail, cleans up, starts a journal),
    // work a little, and cut everywhere in that. Every other time the first
    // process was killed instead, and the power goes after the restart.
    for (std::size_t k = 0; k < kept.size(); ++k) {
      auto prefix = "r" + std::to_string(seed % 10) + std::to_string(k);
      auto second = restart_after(sys, st, first.log, kept[k], k % 2 == 1, prefix, k % 4 < 2,
                                  seed * 131 + k, sent, t);
      ++second_round_runs;
      second_round_ops += second.log.size() - second.first_cut;
      cut_everywhere(second, sent, seed * 131 + k, 0, t);
    }
    if (t.failures > 0)
      break;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("power cut: %zu workload runs (%zu storage ops) and %zu restarts (%zu ops); "
              "%zu strict and %zu adversarial cut points checked in %.1f s; %zu failed\n",
              runs, ops, second_round_runs, second_round_ops, t.strict, t.adversarial, seconds,
              t.failures);
  for (auto& [kind, n] : t.kinds)
    std::printf("  %zu x %s\n", n, kind.c_str());
  for (auto& f : t.first_failures)
    ADD_FAILURE() << f;
  EXPECT_EQ(t.failures, 0u);
}
