#include "persistence/pg_connection.hpp"

#include "actors/protocol.hpp"

#include "tests/persistence/pg_helpers.hpp"
#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

pg_connection connected(const std::string& conninfo) {
  pg_connection conn{test_pg_options(conninfo)};
  auto err = conn.connect();
  EXPECT_FALSE(err) << context_of(err);
  return conn;
}

} // namespace

TEST(pg_connection, bytea_goes_both_ways_as_binary_and_integers_as_text) {
  pg_connection conn{test_pg_options(fresh_database())};
  ASSERT_FALSE(conn.connect());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id bigint PRIMARY KEY, b bytea, s text, f boolean)"));
  std::string bytes("\0\x01\xff'\\x\"", 7);
  pg_params p;
  p.integer(-5000000000).binary(bytes).null().text("t");
  auto ins = conn.exec("INSERT INTO t VALUES ($1::bigint, $2::bytea, $3, $4::boolean)", p);
  ASSERT_TRUE(ins) << context_of(ins.error());
  EXPECT_EQ(ins->affected(), 1u);
  for (auto format : {pg_format::binary, pg_format::text}) {
    auto rows = conn.exec("SELECT id, b, s, f, 7::smallint, (-7)::integer FROM t", {}, format);
    ASSERT_TRUE(rows) << context_of(rows.error());
    ASSERT_EQ(rows->rows(), 1);
    ASSERT_EQ(rows->columns(), 6);
    EXPECT_EQ(rows->int64(0, 0), -5000000000);
    if (format == pg_format::binary)
      EXPECT_EQ(rows->bytes(0, 1), bytes);
    else
      EXPECT_EQ(rows->bytes(0, 1), "\\x0001ff275c7822");
    EXPECT_TRUE(rows->is_null(0, 2));
    EXPECT_EQ(rows->bytes(0, 2), "");
    EXPECT_TRUE(rows->boolean(0, 3));
    EXPECT_EQ(rows->int64(0, 4), 7);
    EXPECT_EQ(rows->int64(0, 5), -7);
  }
}

// Text goes as UTF-8 whatever the environment or the connection string
// ask for.
TEST(pg_connection, the_client_encoding_is_utf8) {
  ::setenv("PGCLIENTENCODING", "LATIN1", 1);
  pg_connection conn{test_pg_options(fresh_database() + " client_encoding=LATIN1")};
  auto err = conn.connect();
  ::unsetenv("PGCLIENTENCODING");
  ASSERT_FALSE(err) << context_of(err);
  auto rows = conn.exec("SHOW client_encoding");
  ASSERT_TRUE(rows) << context_of(rows.error());
  EXPECT_EQ(rows->bytes(0, 0), "UTF8");
}

TEST(pg_connection, statement_error_is_io_error_and_the_connection_stays) {
  auto conn = connected(fresh_database());
  auto bad = conn.exec("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(code_of(bad.error()), static_cast<std::uint8_t>(errc::io_error));
  EXPECT_EQ(conn.last_sqlstate(), "42601");
  EXPECT_NE(context_of(bad.error()).find("postgresql 42601: syntax error"), std::string::npos)
    << context_of(bad.error());
  EXPECT_TRUE(conn.connected());
  EXPECT_TRUE(conn.exec("SELECT 1"));
  EXPECT_EQ(conn.last_sqlstate(), "");
}

TEST(pg_connection, transaction_commits_or_rolls_back_everything) {
  auto conn = connected(fresh_database());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id integer PRIMARY KEY)"));
  auto err = conn.transaction([&]() -> caf::error {
    if (auto r = conn.exec("INSERT INTO t VALUES (1)"); !r)
      return std::move(r.error());
    auto r = conn.exec("INSERT INTO t VALUES (1)"); // duplicate key
    return r ? caf::error{} : std::move(r.error());
  });
  ASSERT_TRUE(err);
  EXPECT_EQ(conn.last_sqlstate(), "23505");
  EXPECT_EQ(conn.exec("SELECT count(*) FROM t")->int64(0, 0), 0);
  EXPECT_FALSE(conn.transaction([&]() -> caf::error {
    auto r = conn.exec("INSERT INTO t VALUES (2)");
    return r ? caf::error{} : std::move(r.error());
  }));
  EXPECT_EQ(conn.exec("SELECT count(*) FROM t")->int64(0, 0), 1);
}

TEST(pg_connection, nothing_listening_is_unavailable_at_once) {
  pg_connection conn{test_pg_options("host=127.0.0.1 port=" + std::to_string(free_port())
                                     + " user=postgres dbname=postgres")};
  auto started = std::chrono::steady_clock::now();
  auto err = conn.connect();
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), static_cast<std::uint8_t>(errc::unavailable));
  EXPECT_LT(seconds_since(started), 2.0);
  EXPECT_FALSE(conn.connected());
  auto r = conn.exec("SELECT 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r.error()), static_cast<std::uint8_t>(errc::unavailable));
}

// A PostgreSQL that stops answering (frozen: its sockets stay open, as when
// it vanishes from the network) ends every call within the call timeout, and
// a new connection within the connect timeout; once it is back, a reconnect
// works.
TEST(pg_connection, frozen_server_ends_calls_within_the_timeout) {
  postgres_process pg;
  auto conn = connected(pg.conninfo());
  ASSERT_TRUE(conn.exec("SELECT 1"));
  pg.pause();
  auto started = std::chrono::steady_clock::now();
  auto r = conn.exec("SELECT 1");
  auto took = seconds_since(started);
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r.error()), static_cast<std::uint8_t>(errc::unavailable));
  EXPECT_NE(context_of(r.error()).find("no answer within 3000 ms"), std::string::npos)
    << context_of(r.error());
  EXPECT_GE(took, 2.5);
  EXPECT_LT(took, 8.0);
  EXPECT_FALSE(conn.connected());
  started = std::chrono::steady_clock::now();
  auto err = conn.connect();
  took = seconds_since(started);
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), static_cast<std::uint8_t>(errc::unavailable));
  EXPECT_LT(took, 7.0);
  pg.resume();
  ASSERT_FALSE(conn.connect());
  EXPECT_TRUE(conn.exec("SELECT 1"));
}

// A crash of PostgreSQL fails the call in flight at once, loses nothing
// committed (fsync is on), and a reconnect works after its restart.
TEST(pg_connection, crashed_server_fails_at_once_and_keeps_what_was_committed) {
  postgres_process pg;
  auto conn = connected(pg.conninfo());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id integer)"));
  ASSERT_TRUE(conn.exec("INSERT INTO t VALUES (1)"));
  pg.kill();
  auto started = std::chrono::steady_clock::now();
  auto r = conn.exec("SELECT count(*) FROM t");
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r.error()), static_cast<std::uint8_t>(errc::unavailable));
  EXPECT_LT(seconds_since(started), 2.0);
  EXPECT_TRUE(conn.connect());
  pg.restart();
  ASSERT_FALSE(conn.connect());
  auto count = conn.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(count) << context_of(count.error());
  EXPECT_EQ(count->int64(0, 0), 1);
}

// A statement text sent a second time is prepared (PostgreSQL holds it
// under the connection's name), and from then on only executed; a text sent
// once stays unnamed; one PostgreSQL refused (or skipped after an earlier
// failure) is not counted as prepared; a new connection starts anew.
TEST(pg_connection, statement_texts_sent_again_are_prepared_once_per_connection) {
  pg_connection conn{test_pg_options(fresh_database())};
  ASSERT_FALSE(conn.connect());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id bigint PRIMARY KEY)"));
  // What the server holds for this session (a statement without parameters
  // is sent unnamed and never prepared).
  auto on_server = [&] {
    auto rows = conn.exec("SELECT count(*) FROM pg_prepared_statements");
    EXPECT_TRUE(rows) << context_of(rows.error());
    return rows ? static_cast<std::size_t>(rows->int64(0, 0)) : 0u;
  };
  auto insert = [](std::int64_t id) {
    pg_params p;
    p.integer(id);
    return pg_statement{"INSERT INTO t VALUES ($1::bigint) RETURNING id", p, pg_format::text};
  };
  auto once = insert(1);
  ASSERT_TRUE(conn.exec(once.sql, once.params));
  EXPECT_EQ(conn.prepared(), 0u) << "sent once: not prepared";
  EXPECT_EQ(on_server(), 0u);
  for (std::int64_t id = 2; id <= 3; ++id) {
    auto rows = conn.exec(insert(id).sql, insert(id).params);
    ASSERT_TRUE(rows) << context_of(rows.error());
    EXPECT_EQ(rows->int64(0, 0), id);
  }
  EXPECT_EQ(conn.prepared(), 1u);
  EXPECT_EQ(on_server(), 1u);
  // The same text twice in one pipeline: the second one prepares it.
  auto count = pg_statement{"SELECT count(*) FROM t WHERE id > $1::bigint", pg_params{}, pg_format::text};
  count.params.integer(0);
  auto answers = conn.pipeline({insert(4), count, insert(5), count});
  ASSERT_TRUE(answers) << context_of(answers.error());
  EXPECT_EQ((*answers)[1].int64(0, 0), 4);
  EXPECT_EQ((*answers)[3].int64(0, 0), 5);
  EXPECT_EQ(conn.prepared(), 2u);
  EXPECT_EQ(on_server(), 2u);
  // Refused at its Parse: a text PostgreSQL cannot parse, sent twice.
  pg_params one;
  one.integer(1);
  EXPECT_FALSE(conn.exec("SELEC $1::bigint", one));
  EXPECT_FALSE(conn.exec("SELEC $1::bigint", one));
  EXPECT_EQ(conn.prepared(), 2u);
  // Skipped after an earlier failure (a key that exists): not kept either.
  auto fresh = pg_statement{"SELECT $1::bigint + 1", one, pg_format::text};
  ASSERT_TRUE(conn.pipeline({fresh}));
  EXPECT_FALSE(conn.pipeline({insert(2), fresh}));
  EXPECT_EQ(conn.prepared(), 2u);
  EXPECT_EQ(on_server(), 2u);
  auto again = conn.pipeline({fresh});
  ASSERT_TRUE(again) << context_of(again.error());
  EXPECT_EQ(again->front().int64(0, 0), 2);
  EXPECT_EQ(conn.prepared(), 3u);
  EXPECT_EQ(on_server(), 3u);
  // A new session: nothing prepared, and every text works again.
  ASSERT_FALSE(conn.connect());
  EXPECT_EQ(conn.prepared(), 0u);
  EXPECT_EQ(on_server(), 0u);
  for (std::int64_t id = 6; id <= 7; ++id)
    ASSERT_TRUE(conn.exec(insert(id).sql, insert(id).params));
  EXPECT_EQ(conn.prepared(), 1u);
  EXPECT_EQ(on_server(), 1u);
}
