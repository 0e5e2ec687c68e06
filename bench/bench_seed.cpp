// bench_seed: writes COUNT acquired analyses (the README's example document,
// each with its own job and random job key) straight into a state directory
// with the production encoders, as a snapshot (--mode=snapshot) or as a
// journal only, `created` + `job_acquired` records (--mode=journal). The
// server recovers them at start-up like any other state.
//
//   bench_seed --state-dir=DIR --count=N [--mode=snapshot|journal]
//              [--prefix=c] [--keys=FILE [--keys-limit=N]]
//
// Analysis ids are the prefix and 7 base-36 digits of the index; job ids are
// 'j', the prefix and the last 6 digits (so at most 36^6 analyses); --keys
// writes "analysis_id job_id key" per line, for the load generator.

#include "actors/protocol.hpp"
#include "persistence/journal.hpp"
#include "persistence/model.hpp"
#include "persistence/snapshot.hpp"
#include "persistence/storage.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/config_option_adder.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

using namespace analysisd;

namespace {

struct seed_config : caf::actor_system_config {
  std::string state_dir;
  std::size_t count = 0;
  std::string mode = "snapshot";
  std::string prefix = "b";
  std::string keys;
  std::size_t keys_limit = 0;

  seed_config() {
    opt_group{custom_options_, "global"}
      .add(state_dir, "state-dir", "the server's <data-dir>/state (must be empty)")
      .add(count, "count", "number of analyses")
      .add(mode, "mode", "snapshot or journal")
      .add(prefix, "prefix", "first character of analysis ids")
      .add(keys, "keys", "file to write 'analysis_id job_id key' lines to")
      .add(keys_limit, "keys-limit", "write only the first N keys (default: all)");
  }
};

std::string base36(std::size_t n, std::size_t width) {
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out(width, '0');
  for (std::size_t i = width; i-- > 0; n /= 36)
    out[i] = digits[n % 36];
  return out;
}

analysis_state make_analysis(const std::string& id, const std::string& job_id,
                             const std::string& key_hash, timestamp t) {
  analysis_state a;
  a.id = id;
  a.created_at = t;
  a.updated_at = t;
  a.job_id = job_id;
  a.workflow = "pathoscope_bowtie";
  a.sample = {"kigvhuql", "Test 1"};
  a.index = {"qldihken", 0};
  a.user_id = "igboyes";
  a.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  a.job_key_hash = key_hash;
  return a;
}

} // namespace

int main(int argc, char** argv) {
  seed_config cfg;
  if (auto err = cfg.parse(argc, argv)) {
    std::cerr << "bench_seed: " << to_string(err) << "\n";
    return 2;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  if (cfg.state_dir.empty() || cfg.count == 0 || cfg.prefix.size() != 1
      || (cfg.mode != "snapshot" && cfg.mode != "journal")) {
    std::cerr << "bench_seed: needs --state-dir, --count > 0, --mode=snapshot|journal, "
                 "a one-character --prefix\n";
    return 2;
  }
  auto& st = posix_storage();
  if (auto ec = st.create_dir(cfg.state_dir)) {
    std::cerr << "bench_seed: " << cfg.state_dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::ofstream keys;
  if (!cfg.keys.empty()) {
    keys.open(cfg.keys);
    if (!keys) {
      std::cerr << "bench_seed: cannot write " << cfg.keys << "\n";
      return 1;
    }
  }
  auto started = std::chrono::steady_clock::now();
  auto t = now();
  state_map state;
  std::unique_ptr<journal_writer> journal;
  std::string frames;
  if (cfg.mode == "journal") {
    if (auto ec = journal_writer::create(st, cfg.state_dir, 1, journal)) {
      std::cerr << "bench_seed: cannot create the journal: " << ec.message() << "\n";
      return 1;
    }
  } else {
    state.reserve(cfg.count);
  }
  for (std::size_t i = 0; i < cfg.count; ++i) {
    auto digits = base36(i, 7);
    auto id = cfg.prefix + digits;
    auto job_id = "j" + cfg.prefix + digits.substr(1); // distinct job ids per prefix
    auto key = random_hex(32);
    if (keys && (cfg.keys_limit == 0 || i < cfg.keys_limit))
      keys << id << ' ' << job_id << ' ' << key << '\n';
    auto hash = sha256(key);
    if (journal) {
      journal_record created;
      created.kind = record_kind::created;
      created.analysis_id = id;
      created.analysis = make_analysis(id, job_id, "", t);
      append_frame(frames, encode_record(created));
      journal_record acquired;
      acquired.kind = record_kind::job_acquired;
      acquired.analysis_id = id;
      acquired.key_hash = hash;
      append_frame(frames, encode_record(acquired));
      if (frames.size() >= (4u << 20)) {
        if (auto ec = journal->append_durably(frames)) {
          std::cerr << "bench_seed: journal write: " << ec.message() << "\n";
          return 1;
        }
        frames.clear();
      }
    } else {
      state.emplace(id, make_analysis(id, job_id, hash, t));
    }
  }
  if (journal) {
    if (auto ec = journal->append_durably(frames)) {
      std::cerr << "bench_seed: journal write: " << ec.message() << "\n";
      return 1;
    }
  } else if (auto ec = write_snapshot(st, cfg.state_dir, state, 1)) {
    std::cerr << "bench_seed: snapshot write: " << ec.message() << "\n";
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("bench_seed: wrote %zu analyses (%s) in %.2f s\n", cfg.count, cfg.mode.c_str(),
              secs);
  return 0;
}
