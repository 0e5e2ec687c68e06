#include "persistence/cluster_store.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/protocol.hpp"
#include "persistence/recovery.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>

namespace analysisd {

namespace {

// A key a text column can hold: PostgreSQL's text is UTF-8 without NUL, and
// libpq sends a text parameter as a C string (cut at its first NUL). Nothing
// is stored under any other key (creates refuse such ids and fields), so a
// lookup by one, as a client can send in its credentials, finds nothing,
// without asking: PostgreSQL would refuse it (invalid byte sequence), or
// find what the part before the NUL names.
bool storable_key(const std::string& key) {
  return key.find('\0') == std::string::npos && is_valid_utf8(key);
}


constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Serializes every node's schema creation (any constant: ours).
constexpr std::int64_t schema_lock_key = 0x616e616c79736973; // "analysis"

const char* schema_statements[] = {
  "CREATE TABLE members ("
  " incarnation text PRIMARY KEY, node text NOT NULL, http_address text NOT NULL,"
  " caf_address text NOT NULL, joined_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
  " heartbeat_at timestamptz NOT NULL)",
  "CREATE TABLE shard_leases ("
  " shard integer PRIMARY KEY, owner text, epoch bigint NOT NULL,"
  " expires_at timestamptz NOT NULL)",
  "CREATE TABLE journal ("
  " analysis_id text NOT NULL, seq bigint NOT NULL, shard integer NOT NULL,"
  " epoch bigint NOT NULL, kind smallint NOT NULL, record bytea NOT NULL,"
  " written_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
  " PRIMARY KEY (analysis_id, seq))",
  "CREATE TABLE analyses ("
  " id text PRIMARY KEY, shard integer NOT NULL, job_id text NOT NULL,"
  " created_at bigint NOT NULL, removed boolean NOT NULL DEFAULT false, summary text NOT NULL)",
  "CREATE INDEX analyses_listing ON analyses (created_at DESC, id DESC) WHERE NOT removed",
  "CREATE TABLE jobs ("
  " job_id text PRIMARY KEY, analysis_id text NOT NULL, key_hash bytea,"
  " acquired_at timestamptz)",
  "CREATE TABLE file_reservations ("
  " analysis_id text NOT NULL, file_id bigint NOT NULL, name text NOT NULL,"
  " node text NOT NULL, reserved_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
  " expires_at timestamptz NOT NULL, PRIMARY KEY (analysis_id, file_id))",
  "CREATE INDEX file_reservations_expiry ON file_reservations (expires_at)",
};

// PostgreSQL's clock as microseconds since the Unix epoch.
constexpr const char* micros = "(extract(epoch from expires_at) * 1000000)::bigint";

// "($1,$2::bigint),($3,$4::bigint)": `rows` rows of the columns' casts
// ("" for none), numbered from `first`.
std::string placeholders(std::size_t rows, const std::vector<std::string>& casts, int first = 1) {
  std::string out;
  int n = first;
  for (std::size_t r = 0; r < rows; ++r) {
    out += r == 0 ? "(" : ",(";
    for (std::size_t c = 0; c < casts.size(); ++c) {
      if (c > 0)
        out += ',';
      out += '$' + std::to_string(n++) + casts[c];
    }
    out += ')';
  }
  return out;
}

caf::error fenced(std::string what) {
  return make_error(errc::unavailable, "fenced: " + what);
}

constexpr std::size_t chunk_rows = 1000; // far below libpq's 65535 parameters

} // namespace

// -- ownership ----------------------------------------------------------------------

std::uint64_t stable_hash(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return splitmix64(h);
}

std::uint32_t shard_of(const std::string& analysis_id, std::uint32_t shards) {
  return static_cast<std::uint32_t>(stable_hash(analysis_id) % shards);
}

std::uint64_t rendezvous_weight(std::uint32_t shard, const std::string& incarnation) {
  return splitmix64(stable_hash(incarnation) ^ splitmix64(shard));
}

int rendezvous_owner(std::uint32_t shard, const std::vector<std::string>& incarnations) {
  int best = -1;
  std::uint64_t best_weight = 0;
  for (std::size_t i = 0; i < incarnations.size(); ++i) {
    auto w = rendezvous_weight(shard, incarnations[i]);
    if (best < 0 || w > best_weight
        || (w == best_weight && incarnations[i] < incarnations[static_cast<std::size_t>(best)])) {
      best = static_cast<int>(i);
      best_weight = w;
    }
  }
  return best;
}

bool is_fenced(const caf::error& err) {
  return code_of(err) == static_cast<std::uint8_t>(errc::unavailable)
         && context_of(err).compare(0, 7, "fenced:") == 0;
}

std::vector<std::uint32_t> fenced_shards(const caf::error& err) {
  std::vector<std::uint32_t> out;
  if (!is_fenced(err))
    return out;
  auto ctx = context_of(err);
  const std::string prefix = "fenced: shards ";
  if (ctx.compare(0, prefix.size(), prefix) != 0)
    return out;
  std::uint64_t n = 0;
  bool digits = false;
  for (auto i = prefix.size(); i <= ctx.size(); ++i) {
    char c = i < ctx.size() ? ctx[i] : ' ';
    if (c >= '0' && c <= '9') {
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
      digits = true;
      continue;
    }
    if (digits)
      out.push_back(static_cast<std::uint32_t>(n));
    n = 0;
    digits = false;
    if (c != ',')
      break;
  }
  return out;
}

// -- the store ---------------------------------------------------------------------

cluster_store::cluster_store(pg_options opts) : conn_(std::move(opts)) {
}

caf::error cluster_store::ready() {
  return conn_.connected() ? caf::error{} : conn_.connect();
}

caf::error cluster_store::ready_to_look_up(const std::string& analysis_id) {
  if (!storable_key(analysis_id))
    return make_error(errc::not_found, "no records of an id that is not UTF-8 text");
  return ready();
}

caf::error cluster_store::ensure_schema() {
  if (auto err = ready())
    return err;
  // Text columns hold what clients sent (names, ids, results in the
  // listing), which analysisd accepts as any UTF-8: a database of another
  // encoding would refuse some of it, once a job sent it. SQL_ASCII (what
  // initdb makes under the C locale) stores the bytes as they come.
  auto encoding = conn_.exec("SELECT current_setting('server_encoding')");
  if (!encoding)
    return std::move(encoding.error());
  if (auto e = std::string{encoding->bytes(0, 0)}; e != "UTF8" && e != "SQL_ASCII")
    return make_error(errc::io_error, "the database's encoding is " + e
                                        + ": analysisd needs a UTF8 (or SQL_ASCII) database"
                                          " (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE"
                                          " template0)");
  return conn_.transaction([&]() -> caf::error {
    pg_params lock;
    lock.integer(schema_lock_key);
    if (auto r = conn_.exec("SELECT pg_advisory_xact_lock($1::bigint)", lock); !r)
      return std::move(r.error());
    if (auto r = conn_.exec("CREATE TABLE IF NOT EXISTS analysisd_schema (version integer NOT NULL)");
        !r)
      return std::move(r.error());
    auto version = conn_.exec("SELECT coalesce(max(version), 0) FROM analysisd_schema");
    if (!version)
      return std::move(version.error());
    auto v = version->int64(0, 0);
    if (v > cluster_schema_version)
      return make_error(errc::io_error, "the database holds cluster schema " + std::to_string(v)
                                          + ", newer than this analysisd's ("
                                          + std::to_string(cluster_schema_version) + ")");
    if (v == cluster_schema_version)
      return {};
    for (auto* sql : schema_statements)
      if (auto r = conn_.exec(sql); !r)
        return std::move(r.error());
    pg_params p;
    p.integer(cluster_schema_version);
    if (auto r = conn_.exec("INSERT INTO analysisd_schema (version) VALUES ($1::integer)", p); !r)
      return std::move(r.error());
    return {};
  });
}

// -- membership ---------------------------------------------------------------------

caf::expected<std::vector<member_info>> cluster_store::heartbeat(const member_info& self,
                                                                 std::chrono::milliseconds ttl) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(self.incarnation).text(self.node).text(self.http_address).text(self.caf_address)
    .integer(ttl.count());
  auto rows = conn_.exec(
    "WITH gone AS (DELETE FROM members WHERE incarnation <> $1"
    "   AND heartbeat_at < clock_timestamp() - $5::bigint * interval '10 milliseconds'),"
    " up AS (INSERT INTO members (incarnation, node, http_address, caf_address, heartbeat_at)"
    "   VALUES ($1, $2, $3, $4, clock_timestamp())"
    "   ON CONFLICT (incarnation) DO UPDATE SET node = EXCLUDED.node,"
    "     http_address = EXCLUDED.http_address, caf_address = EXCLUDED.caf_address,"
    "     heartbeat_at = EXCLUDED.heartbeat_at"
    "   RETURNING node, incarnation, http_address, caf_address)"
    " SELECT node, incarnation, http_address, caf_address FROM members"
    "   WHERE incarnation <> $1"
    "     AND heartbeat_at > clock_timestamp() - $5::bigint * interval '1 millisecond'"
    " UNION ALL SELECT node, incarnation, http_address, caf_address FROM up"
    " ORDER BY 2",
    p);
  if (!rows)
    return std::move(rows.error());
  std::vector<member_info> out;
  for (int r = 0; r < rows->rows(); ++r)
    out.push_back({std::string(rows->bytes(r, 0)), std::string(rows->bytes(r, 1)),
                   std::string(rows->bytes(r, 2)), std::string(rows->bytes(r, 3))});
  return out;
}

caf::error cluster_store::leave(const std::string& incarnation) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(incarnation);
  auto r = conn_.exec("DELETE FROM members WHERE incarnation = $1", p);
  return r ? caf::error{} : std::move(r.error());
}

// -- shard leases ---------------------------------------------------------------------

caf::expected<shard_lease> cluster_store::acquire(std::uint32_t shard,
                                                  const std::string& incarnation,
                                                  std::chrono::milliseconds ttl) {
  if (auto err = ready())
    return err;
  shard_lease out;
  out.shard = shard;
  out.requested_at = std::chrono::steady_clock::now();
  pg_params p;
  p.integer(shard).text(incarnation).integer(ttl.count());
  // INSERT ... ON CONFLICT DO UPDATE locks the row and evaluates its WHERE
  // on the newest version: of concurrent acquires, one updates, the others
  // see its owner and get no row back. It waits for batches that hold the
  // row FOR SHARE (append_batch) to commit.
  auto rows = conn_.exec(
    std::string{"INSERT INTO shard_leases AS l (shard, owner, epoch, expires_at)"
                " VALUES ($1::integer, $2, 1, clock_timestamp() + $3::bigint * interval '1 millisecond')"
                " ON CONFLICT (shard) DO UPDATE SET"
                "   epoch = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp()"
                "                THEN l.epoch ELSE l.epoch + 1 END,"
                "   owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at"
                " WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner"
                "   OR l.expires_at <= clock_timestamp()"
                " RETURNING owner, epoch, "}
      + micros,
    p);
  if (!rows)
    return std::move(rows.error());
  if (rows->rows() == 1) {
    out.granted = true;
  } else {
    pg_params q;
    q.integer(shard);
    rows = conn_.exec(std::string{"SELECT coalesce(owner, ''), epoch, "} + micros
                        + " FROM shard_leases WHERE shard = $1::integer",
                      q);
    if (!rows)
      return std::move(rows.error());
    if (rows->rows() != 1) // deleted meanwhile: nobody holds it
      return out;
  }
  out.owner = std::string(rows->bytes(0, 0));
  out.epoch = rows->int64(0, 1);
  out.expires_at = rows->int64(0, 2);
  return out;
}

caf::expected<std::vector<shard_lease>>
cluster_store::renew_all(const std::string& incarnation, std::chrono::milliseconds ttl) {
  if (auto err = ready())
    return err;
  auto requested_at = std::chrono::steady_clock::now();
  pg_params p;
  p.text(incarnation).integer(ttl.count());
  // The rows are locked in shard order, as append_batch locks them, so the
  // two never deadlock.
  auto rows = conn_.exec(
    std::string{"UPDATE shard_leases SET expires_at = clock_timestamp() + $2::bigint * interval '1 millisecond'"
                " WHERE shard IN (SELECT shard FROM shard_leases WHERE owner = $1"
                "   AND expires_at > clock_timestamp() ORDER BY shard FOR UPDATE)"
                "   AND owner = $1 AND expires_at > clock_timestamp()"
                " RETURNING shard, epoch, "}
      + micros,
    p);
  if (!rows)
    return std::move(rows.error());
  std::vector<shard_lease> out;
  for (int r = 0; r < rows->rows(); ++r) {
    shard_lease l;
    l.shard = static_cast<std::uint32_t>(rows->int64(r, 0));
    l.granted = true;
    l.owner = incarnation;
    l.epoch = rows->int64(r, 1);
    l.expires_at = rows->int64(r, 2);
    l.requested_at = requested_at;
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(),
            [](const shard_lease& a, const shard_lease& b) { return a.shard < b.shard; });
  return out;
}

caf::expected<bool> cluster_store::release(std::uint32_t shard, const std::string& incarnation,
                                           std::int64_t epoch) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.integer(shard).text(incarnation).integer(epoch);
  auto r = conn_.exec("UPDATE shard_leases SET owner = NULL, expires_at = clock_timestamp()"
                      " WHERE shard = $1::integer AND owner = $2 AND epoch = $3::bigint",
                      p);
  if (!r)
    return std::move(r.error());
  return r->affected() == 1;
}

caf::expected<std::uint64_t> cluster_store::release_all(const std::string& incarnation) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(incarnation);
  auto r = conn_.exec("UPDATE shard_leases SET owner = NULL, expires_at = clock_timestamp()"
                      " WHERE owner = $1",
                      p);
  if (!r)
    return std::move(r.error());
  return r->affected();
}

caf::expected<std::vector<lease_holder>> cluster_store::leases() {
  if (auto err = ready())
    return err;
  auto rows = conn_.exec("SELECT shard, coalesce(owner, ''), epoch,"
                         " owner IS NOT NULL AND expires_at > clock_timestamp()"
                         " FROM shard_leases ORDER BY shard");
  if (!rows)
    return std::move(rows.error());
  std::vector<lease_holder> out;
  out.reserve(static_cast<std::size_t>(rows->rows()));
  for (int r = 0; r < rows->rows(); ++r) {
    lease_holder h;
    h.shard = static_cast<std::uint32_t>(rows->int64(r, 0));
    h.owner = std::string(rows->bytes(r, 1));
    h.epoch = rows->int64(r, 2);
    h.live = rows->boolean(r, 3);
    out.push_back(std::move(h));
  }
  return out;
}

// -- journal ------------------------------------------------------------------------------

caf::error cluster_store::append_batch(const std::string& incarnation,
                                       const std::vector<journal_entry>& batch,
                                       std::vector<std::size_t>* refused) {
  std::vector<std::size_t> ignored;
  auto& culprits = refused != nullptr ? *refused : ignored;
  culprits.clear();
  if (batch.empty())
    return {};
  if (auto err = ready())
    return err;
  // Every (shard, epoch) the batch writes under.
  std::map<std::uint32_t, std::set<std::int64_t>> epochs;
  std::vector<std::size_t> created;  // indices into batch, by kind
  std::vector<std::size_t> acquired;
  std::vector<std::size_t> files;
  std::map<std::string, std::pair<const std::string*, bool>> listing; // id -> (summary, removed)
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& e = batch[i];
    epochs[e.shard].insert(e.epoch);
    auto& rec = e.record;
    if (rec.kind == record_kind::created) {
      created.push_back(i);
      continue;
    }
    if (rec.kind == record_kind::job_acquired)
      acquired.push_back(i);
    if (rec.kind == record_kind::file_added)
      files.push_back(i);
    auto& l = listing[rec.analysis_id];
    if (!e.summary.empty())
      l.first = &e.summary;
    if (rec.kind == record_kind::removed)
      l.second = true;
  }
  std::vector<std::pair<const std::string*, std::pair<const std::string*, bool>>> updates;
  for (auto& [id, l] : listing)
    if (l.first != nullptr || l.second)
      updates.emplace_back(&id, l);
  auto chunks = [](std::size_t n) { return (n + chunk_rows - 1) / chunk_rows; };
  // Every statement goes out in one pipeline; the answers are checked
  // before COMMIT. The server runs them in order, so the fence's FOR SHARE
  // locks are taken before anything is written, as with one round trip per
  // statement; what a refused batch wrote meanwhile is rolled back.
  std::vector<pg_statement> st;
  st.reserve(2 + 2 * chunks(batch.size()) + 2 * chunks(created.size())
             + 2 * chunks(acquired.size()) + chunks(files.size()) + chunks(updates.size()));
  st.push_back({"BEGIN", {}, pg_format::text});
  // 1. The fence: this incarnation's unexpired leases of the batch's shards,
  // locked FOR SHARE (in shard order) until the commit. A takeover's UPDATE
  // waits for the commit; if it came first, its new owner or epoch is what
  // this sees.
  {
    std::string shards = "{";
    for (auto& [shard, _] : epochs)
      shards += (shards.size() > 1 ? "," : "") + std::to_string(shard);
    shards += "}";
    auto& f = st.emplace_back();
    f.sql = "SELECT shard, epoch FROM shard_leases"
            " WHERE shard = ANY($1::integer[]) AND owner = $2"
            "   AND expires_at > clock_timestamp()"
            " ORDER BY shard FOR SHARE";
    f.params.text(shards).text(incarnation);
  }
  // 2. The records. Their key (analysis_id, seq) is the second fence: a key
  // that exists is not written again and not returned.
  auto journal_from = st.size();
  for (std::size_t from = 0; from < batch.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, batch.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& e = batch[i];
      q.params.text(e.record.analysis_id).integer(static_cast<std::int64_t>(e.seq)).integer(e.shard)
        .integer(e.epoch).integer(static_cast<int>(e.record.kind)).binary(encode_record(e.record));
    }
    q.sql = "INSERT INTO journal (analysis_id, seq, shard, epoch, kind, record) VALUES "
            + placeholders(n, {"", "::bigint", "::integer", "::bigint", "::smallint", "::bytea"})
            + " ON CONFLICT DO NOTHING RETURNING analysis_id, seq";
  }
  // 3. The side tables: new analyses and jobs, acquired jobs, consumed
  // reservations, listing documents.
  auto analyses_from = st.size();
  for (std::size_t from = 0; from < created.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, created.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& e = batch[created[i]];
      auto& a = e.record.analysis;
      q.params.text(a.id).integer(e.shard).text(a.job_id).integer(a.created_at).text(e.summary);
    }
    q.sql = "INSERT INTO analyses (id, shard, job_id, created_at, summary) VALUES "
            + placeholders(n, {"", "::integer", "", "::bigint", ""})
            + " ON CONFLICT DO NOTHING RETURNING id";
  }
  auto jobs_from = st.size();
  for (std::size_t from = 0; from < created.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, created.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& a = batch[created[i]].record.analysis;
      q.params.text(a.job_id).text(a.id);
    }
    q.sql = "INSERT INTO jobs (job_id, analysis_id) VALUES " + placeholders(n, {"", ""})
            + " ON CONFLICT DO NOTHING RETURNING job_id";
  }
  // Only once: the row is locked and its key_hash checked on the newest
  // version, so of concurrent acquires exactly one updates it. Then the
  // jobs of the acquired analyses, to name them if that failed.
  auto acquired_from = st.size();
  for (std::size_t from = 0; from < acquired.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, acquired.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& rec = batch[acquired[i]].record;
      q.params.text(rec.analysis_id).binary(rec.key_hash);
    }
    q.sql = "UPDATE jobs AS j SET key_hash = v.key_hash, acquired_at = clock_timestamp()"
            " FROM (VALUES " + placeholders(n, {"", "::bytea"}) + ") AS v (analysis_id, key_hash),"
            " analyses AS a WHERE a.id = v.analysis_id AND j.job_id = a.job_id"
            " AND j.key_hash IS NULL RETURNING a.id";
  }
  auto named_from = st.size();
  for (std::size_t from = 0; from < acquired.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, acquired.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i)
      q.params.text(batch[acquired[i]].record.analysis_id);
    q.sql = "SELECT a.id, a.job_id FROM analyses AS a, (VALUES " + placeholders(n, {""})
            + ") AS v (id) WHERE a.id = v.id";
  }
  auto files_from = st.size();
  for (std::size_t from = 0; from < files.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, files.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& rec = batch[files[i]].record;
      q.params.text(rec.analysis_id).integer(static_cast<std::int64_t>(rec.file.id));
    }
    q.sql = "DELETE FROM file_reservations WHERE expires_at > clock_timestamp()"
            " AND (analysis_id, file_id) IN (VALUES " + placeholders(n, {"", "::bigint"})
            + ") RETURNING analysis_id, file_id";
  }
  for (std::size_t from = 0; from < updates.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, updates.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      q.params.text(*updates[i].first);
      if (updates[i].second.first != nullptr)
        q.params.text(*updates[i].second.first);
      else
        q.params.null();
      q.params.text(updates[i].second.second ? "true" : "false");
    }
    q.sql = "UPDATE analyses AS a SET summary = coalesce(v.summary, a.summary),"
            " removed = a.removed OR v.removed FROM (VALUES "
            + placeholders(n, {"", "::text", "::boolean"})
            + ") AS v (id, summary, removed) WHERE a.id = v.id";
  }
  // 4. No gaps: every record but an analysis's first follows one that is
  // written (before, or by this batch, whose rows these see). A record
  // sent after one that failed (its writer did not know yet) is refused.
  auto gaps_from = st.size();
  std::vector<std::size_t> followers;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].seq > 1)
      followers.push_back(i);
  for (std::size_t from = 0; from < followers.size(); from += chunk_rows) {
    auto n = std::min(chunk_rows, followers.size() - from);
    auto& q = st.emplace_back();
    for (std::size_t i = from; i < from + n; ++i) {
      auto& e = batch[followers[i]];
      q.params.text(e.record.analysis_id).integer(static_cast<std::int64_t>(e.seq));
    }
    q.sql = "SELECT v.id, v.seq FROM (VALUES " + placeholders(n, {"", "::bigint"})
            + ") AS v (id, seq) WHERE NOT EXISTS (SELECT 1 FROM journal AS j"
              " WHERE j.analysis_id = v.id AND j.seq = v.seq - 1)";
  }
  auto rollback = [&](caf::error err) {
    if (conn_.connected())
      conn_.exec("ROLLBACK"); // a failure closes the connection, which rolls back too
    return err;
  };
  auto answers = conn_.pipeline(st);
  if (!answers)
    return rollback(std::move(answers.error()));
  auto& res = *answers;
  // The fence.
  std::map<std::uint32_t, std::int64_t> current;
  for (int r = 0; r < res[1].rows(); ++r)
    current[static_cast<std::uint32_t>(res[1].int64(r, 0))] = res[1].int64(r, 1);
  std::string stale;
  std::set<std::uint32_t> stale_shards;
  for (auto& [shard, wanted] : epochs) {
    auto i = current.find(shard);
    if (i == current.end() || wanted.size() != 1 || *wanted.begin() != i->second) {
      stale += (stale.empty() ? "" : ",") + std::to_string(shard);
      stale_shards.insert(shard);
    }
  }
  if (!stale.empty()) {
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (stale_shards.count(batch[i].shard) != 0)
        culprits.push_back(i);
    return rollback(fenced("shards " + stale + " not held by this incarnation at the batch's epoch"));
  }
  // Keys written by another writer: what the statements did not return.
  auto returned = [&](std::size_t first, std::size_t last, int columns) {
    std::multiset<std::string> out;
    for (auto k = first; k < last; ++k)
      for (int r = 0; r < res[k].rows(); ++r)
        out.insert(columns == 1 ? std::string(res[k].bytes(r, 0))
                                : std::string(res[k].bytes(r, 0)) + "/" + std::string(res[k].bytes(r, 1)));
    return out;
  };
  auto missing = [&](const std::vector<std::size_t>& which, std::multiset<std::string> got,
                     const std::function<std::string(const journal_entry&)>& key) {
    std::string names;
    for (auto i : which) {
      auto k = key(batch[i]);
      auto found = got.find(k);
      if (found != got.end()) {
        got.erase(found);
        continue;
      }
      culprits.push_back(i);
      names += (names.empty() ? "" : ",") + k;
    }
    return names;
  };
  std::vector<std::size_t> all(batch.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  auto names = missing(all, returned(journal_from, analyses_from, 2), [](const journal_entry& e) {
    return e.record.analysis_id + "/" + std::to_string(e.seq);
  });
  if (!names.empty())
    return rollback(fenced("records " + names + " written by another owner"));
  {
    auto gaps = returned(gaps_from, gaps_from + chunks(followers.size()), 2);
    std::string after_gap;
    for (auto i : followers) {
      auto k = batch[i].record.analysis_id + "/" + std::to_string(batch[i].seq);
      if (gaps.count(k) != 0) {
        culprits.push_back(i);
        after_gap += (after_gap.empty() ? "" : ",") + k;
      }
    }
    if (!after_gap.empty())
      return rollback(fenced("records " + after_gap + " do not follow a written record"));
  }
  names = missing(created, returned(analyses_from, jobs_from, 1),
                  [](const journal_entry& e) { return e.record.analysis.id; });
  if (!names.empty())
    return rollback(fenced("analyses " + names + " created by another owner"));
  names = missing(created, returned(jobs_from, acquired_from, 1),
                  [](const journal_entry& e) { return e.record.analysis.job_id; });
  if (!names.empty())
    return rollback(fenced("jobs " + names + " created by another owner"));
  // A job acquired already (or twice in this batch), or no job at all.
  missing(acquired, returned(acquired_from, named_from, 1),
          [](const journal_entry& e) { return e.record.analysis_id; });
  if (!culprits.empty()) {
    std::map<std::string, std::string> job_of;
    for (auto k = named_from; k < files_from; ++k)
      for (int r = 0; r < res[k].rows(); ++r)
        job_of[std::string(res[k].bytes(r, 0))] = std::string(res[k].bytes(r, 1));
    // The error of the first; the culprits with the same error (the others
    // are refused again with theirs if the caller tries once more).
    auto& first = batch[culprits.front()].record.analysis_id;
    bool has_job = job_of.count(first) != 0;
    std::vector<std::size_t> same;
    for (auto i : culprits)
      if ((job_of.count(batch[i].record.analysis_id) != 0) == has_job)
        same.push_back(i);
    culprits = std::move(same);
    if (!has_job)
      return rollback(make_error(errc::not_found, "analysis " + first + " has no job"));
    return rollback(make_error(errc::job_already_acquired,
                               "job " + job_of[first] + " of analysis " + first + " has a key already"));
  }
  names = missing(files, returned(files_from, files_from + chunks(files.size()), 2),
                  [](const journal_entry& e) {
                    return e.record.analysis_id + "/" + std::to_string(e.record.file.id);
                  });
  if (!names.empty()) {
    auto& first = batch[culprits.front()].record;
    return rollback(make_error(errc::not_found, "reservation " + first.analysis_id + "/"
                                                  + std::to_string(first.file.id)
                                                  + " expired or missing"));
  }
  auto committed = conn_.exec("COMMIT");
  if (committed)
    return {};
  if (!conn_.connected())
    return make_error(errc::unavailable,
                      "postgresql: commit outcome unknown: " + context_of(committed.error()));
  return std::move(committed.error());
}

namespace {

const std::string records_sql
  = "SELECT seq, record FROM journal WHERE analysis_id = $1 ORDER BY seq";

// The records of `analysis_id` that records_sql answered (binary).
caf::expected<std::vector<journal_record>> decode_records(const pg_rows& rows,
                                                         const std::string& analysis_id) {
  if (rows.rows() == 0)
    return make_error(errc::not_found, "no records of " + analysis_id);
  std::vector<journal_record> out(static_cast<std::size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    auto seq = rows.int64(r, 0);
    auto bytes = rows.bytes(r, 1);
    if (seq != r + 1 || !decode_record(bytes.data(), bytes.size(), out[static_cast<std::size_t>(r)]))
      return make_error(errc::io_error, "record " + std::to_string(seq) + " of " + analysis_id
                                          + (seq != r + 1 ? " is out of sequence" : " does not decode"));
  }
  return out;
}

} // namespace

caf::expected<std::vector<journal_record>>
cluster_store::load_records(const std::string& analysis_id) {
  if (auto err = ready_to_look_up(analysis_id))
    return err;
  pg_params p;
  p.text(analysis_id);
  auto rows = conn_.exec(records_sql, p, pg_format::binary);
  if (!rows)
    return std::move(rows.error());
  return decode_records(*rows, analysis_id);
}

caf::expected<loaded_analysis> cluster_store::load_analysis(const std::string& analysis_id) {
  if (auto err = ready_to_look_up(analysis_id))
    return err;
  // The records, and the highest file id reserved: ids reserved by an
  // earlier owner and not committed are not reused (the reservation fence
  // would refuse them, and the janitor deletes their bytes once they
  // expire). One round trip: this is on the way of every request that
  // finds its analysis dormant.
  pg_params p;
  p.text(analysis_id);
  auto answers = conn_.pipeline(
    {pg_statement{records_sql, p, pg_format::binary},
     pg_statement{"SELECT max(file_id) FROM file_reservations WHERE analysis_id = $1", p,
                  pg_format::binary}});
  if (!answers)
    return std::move(answers.error());
  auto records = decode_records((*answers)[0], analysis_id);
  if (!records)
    return std::move(records.error());
  state_map state;
  loaded_analysis out;
  for (auto& rec : *records) {
    ++out.records;
    if (!apply(state, std::move(rec)) || state.size() != 1 || state.count(analysis_id) == 0)
      return make_error(errc::io_error, "record " + std::to_string(out.records) + " of "
                                          + analysis_id + " does not fit its analysis");
  }
  out.state = std::move(state.begin()->second);
  out.next_seq = out.records + 1;
  auto& reserved = (*answers)[1];
  if (reserved.rows() == 1 && !reserved.is_null(0, 0))
    out.state.next_file_id = std::max(out.state.next_file_id,
                                      static_cast<std::uint64_t>(reserved.int64(0, 0)) + 1);
  return out;
}

// -- jobs and the listing ---------------------------------------------------------------

caf::expected<job_info> cluster_store::job(const std::string& job_id) {
  if (!storable_key(job_id))
    return make_error(errc::not_found);
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(job_id);
  auto rows = conn_.exec("SELECT analysis_id, key_hash, key_hash IS NOT NULL FROM jobs"
                         " WHERE job_id = $1",
                         p, pg_format::binary);
  if (!rows)
    return std::move(rows.error());
  if (rows->rows() == 0)
    return make_error(errc::not_found);
  return job_info{job_id, std::string(rows->bytes(0, 0)), std::string(rows->bytes(0, 1)),
                  rows->boolean(0, 2)};
}

caf::expected<analysis_page> cluster_store::list(std::uint64_t page, std::uint64_t per_page) {
  if (auto err = ready())
    return err;
  constexpr std::uint64_t max = std::numeric_limits<std::int64_t>::max();
  per_page = std::min(std::max<std::uint64_t>(per_page, 1), max);
  auto skipped = std::max<std::uint64_t>(page, 1) - 1;
  auto offset = skipped > max / per_page ? max : skipped * per_page;
  pg_params p;
  p.integer(static_cast<std::int64_t>(per_page)).integer(static_cast<std::int64_t>(offset));
  auto rows = conn_.exec(
    "SELECT t.total, p.summary FROM (SELECT count(*) AS total FROM analyses WHERE NOT removed) t"
    " LEFT JOIN LATERAL (SELECT summary, created_at, id FROM analyses WHERE NOT removed"
    "   ORDER BY created_at DESC, id DESC LIMIT $1::bigint OFFSET $2::bigint) p ON true"
    " ORDER BY p.created_at DESC, p.id DESC",
    p);
  if (!rows)
    return std::move(rows.error());
  analysis_page out;
  for (int r = 0; r < rows->rows(); ++r) {
    out.total = static_cast<std::uint64_t>(rows->int64(r, 0));
    if (!rows->is_null(r, 1))
      out.summaries.emplace_back(rows->bytes(r, 1));
  }
  return out;
}

// -- file reservations --------------------------------------------------------------------

caf::error cluster_store::reserve_file(const file_reservation& res, std::chrono::milliseconds ttl) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(res.analysis_id).integer(static_cast<std::int64_t>(res.file_id)).text(res.name)
    .text(res.node).integer(ttl.count());
  auto r = conn_.exec("INSERT INTO file_reservations (analysis_id, file_id, name, node, expires_at)"
                      " VALUES ($1, $2::bigint, $3, $4,"
                      "   clock_timestamp() + $5::bigint * interval '1 millisecond')",
                      p);
  if (r)
    return {};
  if (conn_.last_sqlstate() == "23505")
    return fenced("file " + res.analysis_id + "/" + std::to_string(res.file_id)
                  + " reserved by another owner");
  return std::move(r.error());
}

caf::expected<bool> cluster_store::extend_reservation(const std::string& analysis_id,
                                                      std::uint64_t file_id,
                                                      std::chrono::milliseconds ttl) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(analysis_id).integer(static_cast<std::int64_t>(file_id)).integer(ttl.count());
  auto r = conn_.exec("UPDATE file_reservations"
                      " SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'"
                      " WHERE analysis_id = $1 AND file_id = $2::bigint"
                      "   AND expires_at > clock_timestamp()",
                      p);
  if (!r)
    return std::move(r.error());
  return r->affected() == 1;
}

caf::expected<std::vector<file_reservation>>
cluster_store::expired_reservations(std::size_t limit) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30)));
  auto rows = conn_.exec("SELECT analysis_id, file_id, name, node FROM file_reservations"
                         " WHERE expires_at <= clock_timestamp() ORDER BY expires_at LIMIT $1::bigint",
                         p);
  if (!rows)
    return std::move(rows.error());
  std::vector<file_reservation> out;
  for (int r = 0; r < rows->rows(); ++r)
    out.push_back({std::string(rows->bytes(r, 0)), static_cast<std::uint64_t>(rows->int64(r, 1)),
                   std::string(rows->bytes(r, 2)), std::string(rows->bytes(r, 3))});
  return out;
}

caf::error cluster_store::expire_reservation(const std::string& analysis_id,
                                             std::uint64_t file_id) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(analysis_id).integer(static_cast<std::int64_t>(file_id));
  auto r = conn_.exec("UPDATE file_reservations SET expires_at = clock_timestamp()"
                      " WHERE analysis_id = $1 AND file_id = $2::bigint"
                      "   AND expires_at > clock_timestamp()",
                      p);
  return r ? caf::error{} : std::move(r.error());
}

caf::error cluster_store::drop_reservation(const std::string& analysis_id, std::uint64_t file_id) {
  if (auto err = ready())
    return err;
  pg_params p;
  p.text(analysis_id).integer(static_cast<std::int64_t>(file_id));
  auto r = conn_.exec("DELETE FROM file_reservations WHERE analysis_id = $1 AND file_id = $2::bigint",
                      p);
  return r ? caf::error{} : std::move(r.error());
}

} // namespace analysisd
