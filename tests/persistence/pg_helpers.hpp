#pragma once

#include "persistence/cluster_store.hpp"
#include "persistence/pg_connection.hpp"

#include "tests/support/postgres_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace analysisd::test {

/// Options for a database of the test's PostgreSQL: 2 s to connect, 3 s per call.
inline pg_options test_pg_options(const std::string& conninfo) {
  pg_options opts;
  opts.conninfo = conninfo;
  opts.connect_timeout = std::chrono::milliseconds(2000);
  opts.call_timeout = std::chrono::milliseconds(3000);
  return opts;
}

/// A new database on the test program's shared PostgreSQL (started at the
/// first call; its start time goes to the log once).
inline std::string fresh_database() {
  auto& pg = postgres_process::shared();
  static bool logged = [&] {
    std::cerr << "private PostgreSQL on port " << pg.port() << " started in " << pg.start_seconds()
              << " s (initdb " << pg.initdb_seconds() << " s)" << std::endl;
    return true;
  }();
  (void) logged;
  return pg.create_database();
}

/// A store on `conninfo` whose schema exists.
inline std::unique_ptr<cluster_store> open_store(const std::string& conninfo) {
  auto store = std::make_unique<cluster_store>(test_pg_options(conninfo));
  auto err = store->ensure_schema();
  EXPECT_FALSE(err) << context_of(err);
  return store;
}

/// A journal entry of `rec` under the lease (shard, epoch), with its listing
/// document (`summary`, "" for none).
inline journal_entry pg_entry(std::uint32_t shard, std::int64_t epoch, std::uint64_t seq,
                              journal_record rec, std::string summary = {}) {
  journal_entry e;
  e.shard = shard;
  e.epoch = epoch;
  e.seq = seq;
  e.record = std::move(rec);
  e.summary = std::move(summary);
  return e;
}

/// Seconds since `t`.
inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace analysisd::test
