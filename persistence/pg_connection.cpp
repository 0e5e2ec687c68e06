#include "persistence/pg_connection.hpp"

#include "actors/protocol.hpp"

#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <utility>

namespace analysisd {

namespace {

using clock_type = std::chrono::steady_clock;

// Waits until the socket has one of `events` (POLLIN, POLLOUT) or an error
// that libpq will report, or the deadline passes (false). A long pipeline is
// sent waiting for POLLIN | POLLOUT: the answers are read meanwhile, so that
// neither side blocks on a full buffer.
bool wait_socket(PGconn* conn, short events, clock_type::time_point deadline) {
  int fd = PQsocket(conn);
  if (fd < 0)
    return false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (n > 0)
      return true;
    if (n < 0 && errno != EINTR)
      return false;
  }
}

std::string trimmed(const char* msg) {
  std::string s = msg == nullptr ? "" : msg;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// Server errors that say "not now" rather than "never": the caller may retry
// elsewhere or later.
bool transient(const std::string& state) {
  return state.compare(0, 2, "08") == 0    // connection exceptions
         || state.compare(0, 3, "57P") == 0 // admin/crash shutdown, cannot connect now
         || state == "57014"                // statement_timeout
         || state == "55P03"                // lock_timeout
         || state == "40001"                // serialization failure
         || state == "40P01"                // deadlock
         || state == "25P03";               // idle_in_transaction_session_timeout
}

std::uint64_t big_endian(std::string_view b) {
  std::uint64_t v = 0;
  for (unsigned char c : b)
    v = (v << 8) | c;
  return v;
}

} // namespace

// -- pg_rows ----------------------------------------------------------------------

void pg_rows::deleter::operator()(::pg_result* res) const {
  PQclear(res);
}

pg_rows::pg_rows(::pg_result* res) : res_(res) {
}

int pg_rows::rows() const {
  return res_ ? PQntuples(res_.get()) : 0;
}

int pg_rows::columns() const {
  return res_ ? PQnfields(res_.get()) : 0;
}

bool pg_rows::is_null(int row, int column) const {
  return PQgetisnull(res_.get(), row, column) == 1;
}

std::string_view pg_rows::bytes(int row, int column) const {
  if (is_null(row, column))
    return {};
  return {PQgetvalue(res_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(res_.get(), row, column))};
}

std::int64_t pg_rows::int64(int row, int column) const {
  auto b = bytes(row, column);
  if (b.empty())
    return 0;
  if (PQfformat(res_.get(), column) == 1) {
    auto v = big_endian(b);
    // Sign-extend int2 and int4.
    if (b.size() < 8 && (v >> (b.size() * 8 - 1)) != 0)
      v |= ~std::uint64_t{0} << (b.size() * 8);
    return static_cast<std::int64_t>(v);
  }
  return std::strtoll(std::string(b).c_str(), nullptr, 10);
}

bool pg_rows::boolean(int row, int column) const {
  auto b = bytes(row, column);
  if (b.empty())
    return false;
  return PQfformat(res_.get(), column) == 1 ? b[0] != 0 : b[0] == 't';
}

std::uint64_t pg_rows::affected() const {
  const char* n = res_ ? PQcmdTuples(res_.get()) : "";
  return *n == '\0' ? 0 : std::strtoull(n, nullptr, 10);
}

// -- pg_params --------------------------------------------------------------------

pg_params::pg_params(const pg_params& other)
  : storage_(other.storage_), lengths_(other.lengths_), formats_(other.formats_) {
  std::size_t next = 0;
  for (auto* v : other.values_)
    values_.push_back(v == nullptr ? nullptr : storage_[next++].data());
}

pg_params& pg_params::operator=(const pg_params& other) {
  if (this != &other) {
    pg_params copy{other};
    storage_ = std::move(copy.storage_);
    values_ = std::move(copy.values_);
    lengths_ = std::move(copy.lengths_);
    formats_ = std::move(copy.formats_);
  }
  return *this;
}

pg_params& pg_params::text(std::string_view value) {
  auto& s = storage_.emplace_back(value);
  values_.push_back(s.c_str());
  lengths_.push_back(static_cast<int>(s.size()));
  formats_.push_back(0);
  return *this;
}

pg_params& pg_params::integer(std::int64_t value) {
  return text(std::to_string(value));
}

pg_params& pg_params::binary(std::string_view value) {
  auto& s = storage_.emplace_back(value);
  values_.push_back(s.data());
  lengths_.push_back(static_cast<int>(s.size()));
  formats_.push_back(1);
  return *this;
}

pg_params& pg_params::null() {
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

// -- pg_connection ----------------------------------------------------------------

pg_connection::pg_connection(pg_options opts) : opts_(std::move(opts)) {
}

pg_connection::~pg_connection() {
  close();
}

pg_connection::pg_connection(pg_connection&& other) noexcept
  : opts_(std::move(other.opts_)), conn_(std::exchange(other.conn_, nullptr)),
    last_sqlstate_(std::move(other.last_sqlstate_)), round_trips_(other.round_trips_),
    prepared_(std::move(other.prepared_)), seen_(std::move(other.seen_)),
    next_prepared_(other.next_prepared_) {
  other.prepared_.clear();
  other.seen_.clear();
}

bool pg_connection::connected() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void pg_connection::close() {
  if (conn_ != nullptr)
    PQfinish(conn_);
  conn_ = nullptr;
}

caf::error pg_connection::fail(const std::string& what) {
  std::string msg = "postgresql: " + what;
  if (conn_ != nullptr) {
    auto reason = trimmed(PQerrorMessage(conn_));
    if (!reason.empty())
      msg += ": " + reason;
  }
  close();
  return make_error(errc::unavailable, std::move(msg));
}

caf::error pg_connection::statement_failed(const std::string& message) {
  std::string msg = "postgresql " + last_sqlstate_ + ": " + message;
  if (last_sqlstate_.empty() || transient(last_sqlstate_) || !connected()) {
    auto state = last_sqlstate_;
    close();
    last_sqlstate_ = state;
    return make_error(errc::unavailable, std::move(msg));
  }
  return make_error(errc::io_error, std::move(msg));
}

caf::error pg_connection::connect() {
  close();
  last_sqlstate_.clear();
  prepared_.clear(); // a new session has none
  seen_.clear();
  auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()); };
  auto call = opts_.call_timeout.count();
  // libpq's connect_timeout has a 2 s floor and counts per address; the
  // deadline below is the real bound.
  auto connect_s = std::to_string(std::max<std::int64_t>(2, (opts_.connect_timeout.count() + 999) / 1000));
  auto keepalive_s = std::to_string(std::max<std::int64_t>(1, call / 3000));
  auto server_options = "-c client_min_messages=warning -c statement_timeout=" + ms(opts_.call_timeout)
                        + " -c lock_timeout=" + ms(opts_.call_timeout)
                        + " -c idle_in_transaction_session_timeout=" + std::to_string(2 * call);
  auto user_timeout = ms(opts_.call_timeout);
  // The connection string first (expand_dbname), then what overrides it;
  // text goes both ways as UTF-8 whatever PGCLIENTENCODING or the
  // connection string say (analysisd checks its text is UTF-8, not more).
  const char* keys[] = {"dbname",          "connect_timeout", "keepalives",
                        "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "options",        "application_name",
                        "client_encoding", nullptr};
  const char* values[] = {opts_.conninfo.c_str(), connect_s.c_str(), "1",
                          keepalive_s.c_str(),    keepalive_s.c_str(), "3",
                          user_timeout.c_str(),   server_options.c_str(), "analysisd",
                          "UTF8",                 nullptr};
  auto deadline = clock_type::now() + opts_.connect_timeout;
  conn_ = PQconnectStartParams(keys, values, 1);
  if (conn_ == nullptr)
    return make_error(errc::unavailable, "postgresql: out of memory");
  if (PQstatus(conn_) == CONNECTION_BAD)
    return fail("cannot connect");
  auto state = PGRES_POLLING_WRITING;
  for (;;) {
    if (state == PGRES_POLLING_OK)
      break;
    if (state == PGRES_POLLING_FAILED)
      return fail("cannot connect");
    if (!wait_socket(conn_, state == PGRES_POLLING_WRITING ? POLLOUT : POLLIN, deadline))
      return fail("no connection within " + ms(opts_.connect_timeout) + " ms");
    state = PQconnectPoll(conn_);
  }
  if (PQsetnonblocking(conn_, 1) != 0)
    return fail("cannot make the connection non-blocking");
  return {};
}

caf::expected<pg_rows> pg_connection::exec(const std::string& sql, const pg_params& params,
                                           pg_format format) {
  if (params.size() > 0) { // one statement: prepared as in a pipeline
    std::vector<pg_statement> one;
    one.push_back(pg_statement{sql, params, format});
    auto answers = pipeline(one);
    if (!answers)
      return std::move(answers.error());
    return std::move(answers->front());
  }
  last_sqlstate_.clear();
  if (!connected())
    return fail("not connected");
  ++round_trips_;
  auto deadline = clock_type::now() + opts_.call_timeout;
  auto timeout = [&] {
    return fail("no answer within " + std::to_string(opts_.call_timeout.count()) + " ms");
  };
  if (PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                        static_cast<int>(format))
      == 0)
    return fail("cannot send");
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0)
      break;
    if (r < 0)
      return fail("cannot send");
    if (!wait_socket(conn_, POLLOUT, deadline))
      return timeout();
    if (PQconsumeInput(conn_) == 0)
      return fail("connection lost");
  }
  std::string error_message;
  pg_rows last;
  bool failed = false;
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      if (!wait_socket(conn_, POLLIN, deadline))
        return timeout();
      if (PQconsumeInput(conn_) == 0)
        return fail("connection lost");
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr)
      break;
    auto status = PQresultStatus(res);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      last = pg_rows{res};
    } else if (!failed) {
      failed = true;
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      last_sqlstate_ = state == nullptr ? "" : state;
      error_message = trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
      PQclear(res);
    } else {
      PQclear(res);
    }
  }
  if (!failed)
    return last;
  return statement_failed(error_message);
}

caf::expected<std::vector<pg_rows>>
pg_connection::pipeline(const std::vector<pg_statement>& statements) {
  last_sqlstate_.clear();
  if (!connected())
    return fail("not connected");
  std::vector<pg_rows> out;
  if (statements.empty())
    return out;
  ++round_trips_;
  auto deadline = clock_type::now() + opts_.call_timeout;
  auto timeout = [&] {
    return fail("no answer within " + std::to_string(opts_.call_timeout.count()) + " ms");
  };
  if (PQenterPipelineMode(conn_) == 0)
    return fail("cannot enter pipeline mode");
  // A text is prepared the second time it is sent (a text sent once, such
  // as a batch of an unusual size, is not worth a statement on the server),
  // by the statement that sends it then; the ones after it in this pipeline
  // run after its Parse and use the name at once.
  std::vector<bool> preparing(statements.size(), false);
  for (std::size_t i = 0; i < statements.size(); ++i) {
    auto& st = statements[i];
    const std::string* name = nullptr;
    if (auto known = prepared_.find(st.sql); known != prepared_.end()) {
      name = &known->second;
    } else if (seen_.count(st.sql) != 0 && prepared_.size() < max_prepared) {
      seen_.erase(st.sql);
      name = &prepared_.emplace(st.sql, "analysisd_" + std::to_string(++next_prepared_))
                .first->second;
      preparing[i] = true;
      if (PQsendPrepare(conn_, name->c_str(), st.sql.c_str(), st.params.size(), nullptr) == 0)
        return fail("cannot send");
    } else {
      if (seen_.size() >= max_seen)
        seen_.clear();
      seen_.insert(st.sql);
    }
    int sent = name != nullptr
                 ? PQsendQueryPrepared(conn_, name->c_str(), st.params.size(), st.params.values(),
                                       st.params.lengths(), st.params.formats(),
                                       static_cast<int>(st.format))
                 : PQsendQueryParams(conn_, st.sql.c_str(), st.params.size(), nullptr,
                                     st.params.values(), st.params.lengths(),
                                     st.params.formats(), static_cast<int>(st.format));
    if (sent == 0)
      return fail("cannot send");
  }
  if (PQpipelineSync(conn_) == 0)
    return fail("cannot send");
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0)
      break;
    if (r < 0)
      return fail("cannot send");
    if (!wait_socket(conn_, POLLIN | POLLOUT, deadline))
      return timeout();
    if (PQconsumeInput(conn_) == 0)
      return fail("connection lost");
  }
  // Waits for the next result (nullptr: the end of a statement's results).
  auto next = [&](PGresult*& res) -> caf::error {
    while (PQisBusy(conn_) != 0) {
      if (!wait_socket(conn_, POLLIN, deadline))
        return timeout();
      if (PQconsumeInput(conn_) == 0)
        return fail("connection lost");
    }
    res = PQgetResult(conn_);
    return {};
  };
  std::string error_message;
  bool failed = false;
  // Reads the results of one command; `ok` takes a successful one.
  auto read = [&](const std::function<void(PGresult*)>& ok) -> caf::error {
    for (;;) {
      PGresult* res = nullptr;
      if (auto err = next(res))
        return err;
      if (res == nullptr)
        return {};
      auto status = PQresultStatus(res);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        ok(res);
        continue;
      }
      if (status == PGRES_FATAL_ERROR && !failed) {
        failed = true;
        const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        last_sqlstate_ = state == nullptr ? "" : state;
        error_message = trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
      }
      PQclear(res); // or PGRES_PIPELINE_ABORTED: skipped after a failure
    }
  };
  out.resize(statements.size());
  for (std::size_t i = 0; i < statements.size(); ++i) {
    if (preparing[i]) {
      bool parsed = false;
      if (auto err = read([&](PGresult* res) {
            parsed = true;
            PQclear(res);
          }))
        return err;
      if (!parsed) { // refused or skipped: not prepared, tried again next time
        prepared_.erase(statements[i].sql);
        seen_.insert(statements[i].sql);
      }
    }
    if (auto err = read([&](PGresult* res) { out[i] = pg_rows{res}; }))
      return err;
  }
  PGresult* sync = nullptr;
  if (auto err = next(sync))
    return err;
  bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  if (sync != nullptr)
    PQclear(sync);
  if (!synced || PQexitPipelineMode(conn_) == 0)
    return fail("pipeline out of step");
  if (!failed)
    return out;
  if (last_sqlstate_ == "26000") // a statement this connection prepared is gone (a pooler?)
    prepared_.clear();
  return statement_failed(error_message);
}

caf::error pg_connection::transaction(const std::function<caf::error()>& body) {
  auto begun = exec("BEGIN");
  if (!begun)
    return std::move(begun.error());
  if (auto err = body()) {
    if (connected()) {
      auto state = last_sqlstate_;
      exec("ROLLBACK"); // a failure closes the connection, which rolls back too
      last_sqlstate_ = state;
    }
    return err;
  }
  auto committed = exec("COMMIT");
  if (committed)
    return {};
  if (!connected())
    return make_error(errc::unavailable,
                      "postgresql: commit outcome unknown: " + context_of(committed.error()));
  return std::move(committed.error());
}

} // namespace analysisd
