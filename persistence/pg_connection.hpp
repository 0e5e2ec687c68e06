#pragma once

/// A thin RAII layer over libpq: one connection, parameterized queries with
/// text or binary parameters, transactions, and a deadline on every call.
/// Errors are values: caf::error of the analysisd category (errc in
/// actors/protocol.hpp) with "postgresql <SQLSTATE>: <message>" or
/// "postgresql: <what>" as context:
///  - errc::unavailable when PostgreSQL cannot be reached or used right now:
///    connection refused or lost, a call past its deadline, the server
///    shutting down, a statement or lock timeout, a serialization failure or
///    deadlock. The connection is closed then (connected() turns false), and
///    a caller reconnects with connect().
///  - errc::io_error for any other error of a statement (the connection stays).
/// libpq's types stay out of this header.

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct pg_conn;   // libpq's PGconn
struct pg_result; // libpq's PGresult

namespace analysisd {

/// How to reach PostgreSQL, and how long any call may take.
struct pg_options {
  /// A libpq connection string or URI (host, port, dbname, user, ...). Its
  /// `options`, `connect_timeout`, keepalive and `tcp_user_timeout` settings
  /// are replaced by what the fields below say.
  std::string conninfo;
  /// Bound on establishing a connection (DNS, TCP, startup, authentication).
  std::chrono::milliseconds connect_timeout{2000};
  /// Bound on one call (send + server work + answer). The client drops the
  /// connection when it passes; the server is also told (statement_timeout,
  /// lock_timeout), and it drops a session left idle inside a transaction
  /// after twice this long, so a vanished client does not hold row locks.
  /// TCP keepalives and tcp_user_timeout make the kernel notice a dead peer
  /// in about the same time.
  std::chrono::milliseconds call_timeout{3000};
};

/// The rows of one answer. Owns libpq's result; movable, not copyable.
class pg_rows {
public:
  pg_rows() = default;
  explicit pg_rows(::pg_result* res);

  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  /// The value's bytes: its text, or (binary results) its raw bytes, a
  /// bytea's bytes as they are. Empty for NULL.
  std::string_view bytes(int row, int column) const;
  /// An integer column (int2, int4 or int8, text or binary); 0 for NULL.
  std::int64_t int64(int row, int column) const;
  /// A boolean column (text "t"/"f" or binary); false for NULL.
  bool boolean(int row, int column) const;
  /// How many rows an INSERT, UPDATE or DELETE changed.
  std::uint64_t affected() const;

private:
  struct deleter {
    void operator()(::pg_result* res) const;
  };
  std::unique_ptr<::pg_result, deleter> res_;
};

/// The parameters of one statement ($1, $2, ...), kept alive by this object.
class pg_params {
public:
  pg_params() = default;
  /// A copy points into its own storage.
  pg_params(const pg_params& other);
  pg_params& operator=(const pg_params& other);

  /// A text parameter (PostgreSQL parses it as the placeholder's type).
  pg_params& text(std::string_view value);
  /// An integer, sent as text.
  pg_params& integer(std::int64_t value);
  /// A bytea, sent in binary: any bytes, no escaping.
  pg_params& binary(std::string_view value);
  /// NULL.
  pg_params& null();

  int size() const {
    return static_cast<int>(values_.size());
  }
  const char* const* values() const {
    return values_.data();
  }
  const int* lengths() const {
    return lengths_.data();
  }
  const int* formats() const {
    return formats_.data();
  }

private:
  std::deque<std::string> storage_; // stable addresses for values_
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

/// Whether a query's answer comes as text or binary (binary: bytea columns
/// come as their bytes; integers and booleans are decoded by pg_rows).
enum class pg_format { text = 0, binary = 1 };

/// One statement of a pipeline.
struct pg_statement {
  std::string sql;
  pg_params params;
  pg_format format = pg_format::text;
};

/// One connection to PostgreSQL. Not thread-safe: one thread at a time
/// (the thread that owns it, typically one detached actor or one worker).
class pg_connection {
public:
  explicit pg_connection(pg_options opts);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;
  /// Takes the other's connection; `other` is left closed.
  pg_connection(pg_connection&& other) noexcept;
  pg_connection& operator=(pg_connection&&) = delete;

  /// Connects (closing any previous connection), within connect_timeout.
  /// Errors: unavailable (with libpq's reason).
  caf::error connect();

  /// True while a connection is open and usable.
  bool connected() const;

  /// Closes the connection (nothing if there is none).
  void close();

  /// Runs one statement with `params`, answering in `format`, within
  /// call_timeout (with parameters: prepared when sent again, as by
  /// pipeline()). Errors: see the top of this header; unavailable also when
  /// not connected. last_sqlstate() then names the server's error code.
  caf::expected<pg_rows> exec(const std::string& sql, const pg_params& params = {},
                              pg_format format = pg_format::text);

  /// Sends `statements` together (libpq's pipeline mode) and reads their
  /// answers: one round trip for all of them, within call_timeout. They run
  /// in order; without a BEGIN among them, in one implicit transaction that
  /// ends at the pipeline's end (under READ COMMITTED each statement still
  /// sees what committed before it started; a failure rolls back the ones
  /// before it). Returns the
  /// rows of each statement, in order. Errors: as exec(), for the first
  /// statement that failed (the server skips the ones after it; inside a
  /// transaction, the transaction is then aborted: ROLLBACK it).
  ///
  /// A statement text sent a second time is prepared (up to max_prepared
  /// texts per connection) and from then on only bound and executed:
  /// PostgreSQL parses and plans it once, not at every call. A text sent
  /// once (a batch of an unusual size) stays unnamed.
  caf::expected<std::vector<pg_rows>> pipeline(const std::vector<pg_statement>& statements);

  /// The statement texts a connection keeps prepared; beyond them, texts
  /// are sent unnamed (parsed each time).
  static constexpr std::size_t max_prepared = 256;
  /// The texts sent once that a connection remembers (then it forgets them all).
  static constexpr std::size_t max_seen = 1024;

  /// How many statement texts this connection has prepared.
  std::size_t prepared() const {
    return prepared_.size();
  }

  /// How many round trips (exec, pipeline) this connection made since it was
  /// constructed (tests and benchmarks count them).
  std::uint64_t round_trips() const {
    return round_trips_;
  }

  /// The SQLSTATE of the last failed statement ("" if it failed on the
  /// client side or none failed): "23505" is a unique violation.
  const std::string& last_sqlstate() const {
    return last_sqlstate_;
  }

  /// Runs `body` inside BEGIN ... COMMIT. An error from `body` rolls back
  /// and is returned as it is. A failed COMMIT is returned too; if the
  /// connection was lost during COMMIT, the outcome is unknown: the error is
  /// unavailable with "commit outcome unknown" in its context, and the
  /// caller must not acknowledge what the transaction wrote.
  caf::error transaction(const std::function<caf::error()>& body);

private:
  caf::error fail(const std::string& what);
  /// The error of a statement PostgreSQL refused (last_sqlstate_ set):
  /// unavailable, closing the connection, if it is transient or the
  /// connection is gone; io_error otherwise.
  caf::error statement_failed(const std::string& message);

  pg_options opts_;
  ::pg_conn* conn_ = nullptr;
  std::string last_sqlstate_;
  std::uint64_t round_trips_ = 0;
  /// Statement text -> the name it is prepared under on this connection
  /// (emptied at every connect).
  std::unordered_map<std::string, std::string> prepared_;
  std::unordered_set<std::string> seen_; ///< Texts sent once, unnamed.
  std::uint64_t next_prepared_ = 0;
};

} // namespace analysisd
