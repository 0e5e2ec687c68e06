// Request heads first (SPEC.md): every request with a body is decided when
// its head is complete, through the RESTinio patch in third_party/restinio.
// A request that is refused is answered before its body is read; an upload's
// body streams to its file; a JSON body is read into memory only once the
// request is authenticated, and only up to its limit.

#include "http/handlers.hpp"

#include "http/multipart_reader.hpp"
#include "http/replies.hpp"
#include "http/request_parsing.hpp"

#include <caf/all.hpp>

#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace analysisd {

namespace {

using namespace http_detail;
using decision = restinio::request_head_decision_t;
using control_t = restinio::body_reading_control_t;

using chunk_atom = caf::atom_constant<caf::atom("chunk")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using discard_atom = caf::atom_constant<caf::atom("discard")>;

// -- routes whose body matters ---------------------------------------------------

enum class body_route { upload, finalize, create, acquire, backup, other };

struct matched_route {
  body_route route = body_route::other;
  std::string id; ///< The analysis id, or the job id of an acquire.
  http_route label = http_route::unmatched; ///< For the log and the metrics.
};

// The routes of make_router that take a body, matched the way the router
// matches them (whole segments, no trailing slash); anything else is `other`.
matched_route match_body_route(restinio::http_method_id_t method, restinio::string_view_t path) {
  std::vector<restinio::string_view_t> seg;
  std::size_t at = 0;
  if (path.empty() || path[0] != '/')
    return {};
  while (at < path.size()) {
    auto next = path.find('/', at + 1);
    auto end = next == restinio::string_view_t::npos ? path.size() : next;
    seg.push_back(path.substr(at + 1, end - at - 1));
    if (seg.back().empty())
      return {};
    at = end;
  }
  // /api/analyses/... and /analyses/... serve the same job routes.
  std::size_t base = !seg.empty() && seg[0] == "api" ? 1 : 0;
  auto rest = seg.size() - base;
  if (seg.size() > base && seg[base] == "analyses") {
    const bool api = base == 1;
    if (rest == 3 && seg[base + 2] == "files"
        && (method == restinio::http_method_post() || method == restinio::http_method_put()))
      return {body_route::upload, std::string{seg[base + 1]},
              api ? http_route::api_files : http_route::files};
    if (rest == 2 && method == restinio::http_method_patch())
      return {body_route::finalize, std::string{seg[base + 1]},
              api ? http_route::api_analysis : http_route::analysis};
    return {};
  }
  if (seg.size() == 2 && seg[0] == "admin" && seg[1] == "analyses"
      && method == restinio::http_method_post())
    return {body_route::create, {}, http_route::admin_analyses};
  if (seg.size() == 3 && seg[0] == "admin" && seg[1] == "jobs"
      && method == restinio::http_method_patch())
    return {body_route::acquire, std::string{seg[2]}, http_route::admin_job};
  if (seg.size() == 2 && seg[0] == "admin" && seg[1] == "backup"
      && method == restinio::http_method_post())
    return {body_route::backup, {}, http_route::admin_backup};
  return {};
}

// The declared body size, if the request says (not for a chunked body).
std::optional<std::uint64_t> declared_length(const req_t& req) {
  auto v = req->header().opt_value_of("Content-Length");
  std::uint64_t n = 0;
  if (!v || !parse_decimal(*v, 19, n))
    return std::nullopt;
  return n;
}

// -- uploads -----------------------------------------------------------------------

// One message to an upload's writer: file bytes, in order, each range either
// in a read buffer the connection lent (no copy) or copied.
struct upload_chunk {
  struct range {
    bool lent;        ///< In `buffer`, else in `copied`.
    std::size_t from; ///< Offset in its storage.
    std::size_t size;
  };
  std::vector<char> buffer; ///< A lent read buffer, or empty.
  std::string copied;
  std::vector<range> ranges;

  // The bytes this message holds in memory (a lent buffer counts whole).
  std::size_t held() const {
    return buffer.size() + copied.size();
  }
};

} // namespace
} // namespace analysisd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(analysisd::upload_chunk)

namespace analysisd {
namespace {

// What an upload's sink and its writer share. The sink runs on the
// connection's HTTP thread, the writer on its own thread; they meet only in
// the atomics, and in `out` and `error`, which belong to the writer.
struct upload_job {
  upload_job(ctx_ptr c, std::string analysis, file_record f, control_t ctl)
    : ctx(std::move(c)), analysis_id(std::move(analysis)), file(std::move(f)),
      control(std::move(ctl)) {
  }

  const ctx_ptr ctx;
  const std::string analysis_id;
  const file_record file;
  const control_t control;
  std::unique_ptr<writable_file> out; ///< The writer's.
  std::error_code error;              ///< The writer's: the first write error.
  std::size_t unsynced = 0;           ///< The writer's: bytes written since the last writeback.
  std::atomic<std::size_t> in_flight{0}; ///< Bytes handed to the writer, not yet written.
  std::atomic<bool> paused{false};       ///< The sink stopped reading.

  ~upload_job() {
    for (const auto& b : spares)
      ctx->budget->give_back(b.size());
  }

  // The sink gives the connection a read buffer in place of one it keeps:
  // a spare one if there is one (its bytes now count as the connection's
  // read buffer, no longer against the budget), else an empty one, which
  // RESTinio allocates.
  std::vector<char> take_spare() {
    std::vector<char> b;
    {
      std::lock_guard<std::mutex> guard{spare_mutex};
      if (spares.empty())
        return b;
      b.swap(spares.back());
      spares.pop_back();
    }
    ctx->budget->give_back(b.size());
    return b;
  }

  // The writer is done with a lent buffer: it is kept as a spare (still
  // counted against the budget), unless there are as many spares as buffers
  // may be in flight; -> the bytes freed.
  std::size_t keep_spare(std::vector<char>& b) {
    std::lock_guard<std::mutex> guard{spare_mutex};
    if (b.empty() || spares.size() * ctx->read_buffer_bytes >= ctx->upload_buffer_bytes)
      return b.size();
    spares.push_back(std::move(b));
    return 0;
  }

  // Reading goes on once the writer is at most this far behind.
  std::size_t resume_below() const {
    return ctx->upload_buffer_bytes / 2;
  }

  // The reading was paused: resume it once (writer and budget may both try).
  void wake() {
    if (paused.exchange(false))
      control.resume();
  }

private:
  std::mutex spare_mutex;
  std::vector<std::vector<char>> spares; ///< Lent buffers kept for reuse.
};

// Whether [p, p + n) lies in [begin, begin + size).
bool within(const char* p, std::size_t n, const char* begin, std::size_t size) {
  std::less_equal<const char*> le;
  return le(begin, p) && le(p + n, begin + size);
}

// How many bytes an upload writes before it starts their writeback.
constexpr std::size_t writeback_bytes = 8u << 20;

// Writes the bytes of one upload, one message at a time, on its own thread
// (blocking I/O must not stall a scheduler or asio thread).
caf::behavior upload_writer(caf::event_based_actor* self, std::shared_ptr<upload_job> job) {
  if (auto ec = job->ctx->files->begin_upload(job->analysis_id, job->file, job->out))
    job->error = ec;
  return {
    [=](chunk_atom, upload_chunk& chunk) {
      for (const auto& r : chunk.ranges) {
        if (job->error)
          break;
        const char* base = r.lent ? chunk.buffer.data() : chunk.copied.data();
        job->error = job->out->append(base + r.from, r.size);
        job->unsynced += r.size;
      }
      // The disk writes while the body still arrives, so that the fsync at
      // its end waits only for the last few MiB (the kernel would start
      // only at its dirty-page threshold, gigabytes later).
      if (!job->error && job->unsynced >= writeback_bytes) {
        job->out->start_writeback();
        job->unsynced = 0;
      }
      const auto held = chunk.held();
      const auto freed = chunk.copied.size() + job->keep_spare(chunk.buffer);
      job->ctx->budget->give_back(freed);
      if (job->in_flight.fetch_sub(held) - held <= job->resume_below())
        job->wake();
    },
    [=](close_atom) -> caf::result<bool> {
      self->quit();
      if (!job->error)
        job->error = job->ctx->files->finish_upload(job->analysis_id, job->file, job->out);
      else
        job->ctx->files->discard_upload(job->analysis_id, job->file, job->out);
      if (job->error) {
        log_warning("writing " + job->analysis_id + "/" + name_on_disk(job->file)
                    + " failed: " + job->error.message());
        return storage_error(job->error);
      }
      return true;
    },
    [=](discard_atom) {
      self->quit();
      job->ctx->files->discard_upload(job->analysis_id, job->file, job->out);
    },
  };
}

// The body of an upload: reserved (SPEC.md's checks 1-5 and the declared
// size) before a byte is read, then its `file` part streamed to the file
// through at most upload_buffer_bytes in memory, then recorded.
class upload_sink : public restinio::body_sink_t,
                    public std::enable_shared_from_this<upload_sink> {
public:
  upload_sink(ctx_ptr ctx, req_t req, control_t control, credential cred, std::string id,
              std::optional<std::string> boundary)
    : ctx_(std::move(ctx)), token_(ctx_), req_(std::move(req)), control_(std::move(control)),
      cred_(std::move(cred)), id_(std::move(id)), boundary_(std::move(boundary)),
      reader_(boundary_.value_or("-")) {
  }

  ~upload_sink() override {
    std::lock_guard<std::mutex> guard{ctx_->open_uploads->mutex};
    ctx_->open_uploads->sinks.erase(this);
  }

  // Asks the registry for the reservation; the body is read once it is made.
  void reserve(upload_request up) {
    auto self = shared_from_this();
    ask_before_body<file_record>(
      ctx_, req_, [self](file_record& file) { self->reserved(std::move(file)); },
      reserve_atom::value, cred_, id_, std::move(up));
  }

  bool on_body_data(restinio::string_view_t data) override {
    if (failed_)
      return false;
    received_ += data.size();
    req_->extra_data().bytes_in.fetch_add(data.size(), std::memory_order_relaxed);
    metrics().upload_bytes.fetch_add(data.size(), std::memory_order_relaxed);
    if (received_ > ctx_->max_body_bytes)
      return fail(make_error(errc::too_large));
    if (!boundary_)
      return fail(make_error(errc::invalid_multipart));
    // The file's bytes stay where they are until this read's buffer is
    // offered (on_read_buffer); the few that the reader withheld as a
    // possible delimiter, and hands on from its own memory, are copied now.
    reader_.feed({data.data(), data.size()}, [&](std::string_view bytes) {
      if (within(bytes.data(), bytes.size(), data.data(), data.size())) {
        pending_.push_back({bytes.data(), 0, bytes.size()});
      } else {
        pending_.push_back({nullptr, withheld_.size(), bytes.size()});
        withheld_.append(bytes.data(), bytes.size());
      }
    });
    if (reader_.status() == multipart_status::malformed)
      return fail(make_error(errc::invalid_multipart));
    return !should_pause();
  }

  void on_read_buffer(std::vector<char>& buffer) override {
    flush(buffer);
  }

  void on_body_complete() override {
    if (failed_) {
      // Answered already; the body ended before the answer went out, so
      // RESTinio will not call on_body_aborted.
      release();
      return;
    }
    // (Every read's bytes were flushed when its buffer was offered.)
    if (!boundary_ || reader_.finish() != multipart_status::done) {
      // Answered once the name is free again: a retry must not find it
      // taken (in a cluster, the abandon travels to the analysis's owner,
      // and the retry may come through another node).
      auto req = req_;
      release([req] { reply_error(req, make_error(errc::invalid_multipart)); });
      return;
    }
    {
      std::lock_guard<std::mutex> guard{mutex_};
      done_ = true;
    }
    auto self = shared_from_this();
    auto file = job_->file;
    file.size = written_;
    // The writer answers once the bytes are durable under their final name;
    // the sink (and so the request) stays in flight until then.
    bridge_job job{[self, file](caf::event_based_actor* bridge) {
      bridge->request(self->writer_, caf::infinite, close_atom::value)
        .then(
          [self, file](bool) {
            auto req = self->req_;
            auto id = self->id_;
            ask<file_record>(
              self->ctx_, req, [req, id](file_record& f) { reply_created(req, id, f); },
              commit_atom::value, self->cred_, id, file);
          },
          [self](caf::error& err) {
            auto req = self->req_;
            self->abandon([req, err] { reply_error(req, err); });
          });
    }};
    caf::anon_send(next_bridge(ctx_), std::move(job));
  }

  void on_body_aborted() noexcept override {
    try {
      release();
    } catch (const std::exception& ex) {
      log_error(std::string{"cannot abandon an upload: "} + ex.what());
    }
  }

private:
  // The reservation is made (on the answering actor's thread): read the body, unless the
  // connection went meanwhile.
  void reserved(file_record file) {
    std::lock_guard<std::mutex> guard{mutex_};
    job_ = std::make_shared<upload_job>(ctx_, id_, std::move(file), control_);
    writer_ = ctx_->system.spawn<caf::detached>(upload_writer, job_);
    if (aborted_) {
      done_ = true;
      drop(std::move(after_release_));
      return;
    }
    control_.resume();
  }

  // Hands the file bytes of this read to the writer. When they fill a good
  // part of the read `buffer`, the sink keeps that buffer (the bytes are
  // written from it, not copied) and gives the connection a spare one for
  // its next read; otherwise they are copied.
  void flush(std::vector<char>& buffer) {
    if (failed_ || pending_.empty()) {
      // Answered already (the bytes will be dropped), or no file bytes.
      pending_.clear();
      withheld_.clear();
      return;
    }
    // RESTinio's pieces are all in `buffer`; one that were not is copied.
    auto in_buffer = [&](const piece& p) {
      return p.at && within(p.at, p.size, buffer.data(), buffer.size());
    };
    std::size_t lendable = 0;
    for (const auto& p : pending_)
      lendable += in_buffer(p) ? p.size : 0;
    const bool lend = lendable >= buffer.size() / 4;
    upload_chunk chunk;
    for (const auto& p : pending_) {
      written_ += p.size;
      if (lend && in_buffer(p)) {
        chunk.ranges.push_back({true, static_cast<std::size_t>(p.at - buffer.data()), p.size});
      } else {
        chunk.ranges.push_back({false, chunk.copied.size(), p.size});
        chunk.copied.append(p.at ? p.at : withheld_.data() + p.from, p.size);
      }
    }
    pending_.clear();
    withheld_.clear();
    if (lend) {
      chunk.buffer.swap(buffer);
      buffer = job_->take_spare();
    }
    const auto held = chunk.held();
    ctx_->budget->take(held);
    job_->in_flight.fetch_add(held);
    caf::anon_send(writer_, chunk_atom::value, std::move(chunk));
  }

  // Pauses reading while the writer is behind or the budget is used up; the
  // writer or the budget resumes it.
  bool should_pause() {
    auto job = job_;
    // This read's bytes are not counted yet: they may take a whole buffer.
    auto ready = [&] {
      auto in_flight = job->in_flight.load();
      return (in_flight == 0 || in_flight + ctx_->read_buffer_bytes <= ctx_->upload_buffer_bytes)
             && !ctx_->budget->exhausted();
    };
    if (ready())
      return false;
    job->paused.store(true);
    // The writer may have caught up between the check and the flag.
    if (ready() && job->paused.exchange(false))
      return false;
    if (ctx_->budget->exhausted())
      ctx_->budget->when_available([job] { job->wake(); });
    return true;
  }

  // Answers an error before the body ended, once the bytes are dropped and
  // the name is free again (a retry must not find it taken); the connection
  // then closes after a lingering read.
  bool fail(const caf::error& err) {
    failed_ = true;
    auto req = req_;
    release([req, err] { reply_error(req, err, true); });
    return false;
  }

  // The upload will not be committed: its bytes and its name go, once (now,
  // or when the reservation arrives). `then` runs once the name is free (at
  // once if this call frees nothing).
  void release(std::function<void()> then = {}) {
    std::unique_lock<std::mutex> guard{mutex_};
    aborted_ = true;
    if (job_ && !done_) {
      done_ = true;
      drop(std::move(then));
      return;
    }
    if (!job_ && then) { // the reservation is on its way: after its drop
      after_release_ = std::move(then);
      return;
    }
    guard.unlock();
    if (then)
      then();
  }

  // The bytes go, then the name (mutex_ held, a reservation made). The
  // writer's handle goes too: a detached actor's thread ends only with its
  // last handle, and a stop's abort_open_uploads may leave this sink held by
  // a connection that is never destroyed.
  void drop(std::function<void()> then = {}) {
    caf::anon_send(writer_, discard_atom::value);
    writer_ = nullptr;
    abandon(std::move(then));
  }

  // Frees the reserved name; `then` (if any) runs once the registry did.
  void abandon(std::function<void()> then = {}) {
    auto token = std::make_shared<in_flight_token>(ctx_);
    auto registry = ctx_->registry;
    auto cred = cred_;
    auto id = id_;
    auto file = job_->file;
    caf::anon_send(
      next_bridge(ctx_),
      bridge_job{[token, registry, cred, id, file, then](caf::event_based_actor* self) {
        auto done = [then] {
          if (then)
            then();
        };
        self->request(registry, caf::infinite, abandon_atom::value, cred, id, file)
          .then([done](bool) { done(); }, [done](caf::error&) { done(); });
      }});
  }

  const ctx_ptr ctx_;
  // A request is in flight (a graceful stop waits for it) from its head to
  // its answer: the sink lives that long.
  in_flight_token token_;
  const req_t req_;
  const control_t control_;
  const credential cred_;
  const std::string id_;
  const std::optional<std::string> boundary_;
  multipart_reader reader_;
  // File bytes of this read, not yet handed on: in the read buffer (`at`),
  // or copied into withheld_ (at `from`).
  struct piece {
    const char* at;
    std::size_t from;
    std::size_t size;
  };
  std::vector<piece> pending_;
  std::string withheld_;
  std::uint64_t received_ = 0;
  std::uint64_t written_ = 0;
  bool failed_ = false;
  std::mutex mutex_; ///< Orders the reservation (an actor's thread) and an abort.
  bool aborted_ = false; ///< No commit will come: a reservation arriving now is dropped.
  /// What release() was asked to run once the name is free, while the
  /// reservation was still on its way.
  std::function<void()> after_release_;
  bool done_ = false;    ///< Committed or dropped.
  std::shared_ptr<upload_job> job_;
  caf::actor writer_;
};

// -- JSON bodies ---------------------------------------------------------------------

// A JSON body collected once its request is authenticated, up to
// --max-json-bytes, against the body budget; then handed to its route. For
// the routes that ignore their body, the bytes are counted and dropped, and
// the router answers the request.
class json_sink : public restinio::body_sink_t, public std::enable_shared_from_this<json_sink> {
public:
  json_sink(ctx_ptr ctx, const router_t& router, req_t req, control_t control,
            matched_route route, credential cred, std::optional<std::uint64_t> length)
    : ctx_(std::move(ctx)), token_(ctx_), router_(router), req_(std::move(req)),
      control_(std::move(control)), route_(std::move(route)), cred_(std::move(cred)),
      length_(length), body_(std::make_shared<held_body>(
        held_body{{}, std::make_unique<budget_hold>(*ctx_->budget)})) {
  }

  // A finalize reads its body only once the job may finalize this analysis:
  // decided here when the views show it (a single-node service publishes
  // every job), else by the registry, and the body is read once it agrees.
  decision authorize() {
    if (ctx_->views && job_may_write(*ctx_->views, cred_, route_.id)) {
      metrics().heads_from_views.fetch_add(1, std::memory_order_relaxed);
      if (!too_large())
        return decision::stream(shared_from_this(), true);
      answer_too_large();
      return decision::refuse();
    }
    metrics().heads_from_actors.fetch_add(1, std::memory_order_relaxed);
    auto self = shared_from_this();
    ask_before_body<bool>(
      ctx_, req_,
      [self](bool) {
        if (self->too_large())
          self->answer_too_large();
        else
          self->control_.resume();
      },
      authorize_atom::value, cred_, route_.id);
    return decision::stream(self, false);
  }

  bool on_body_data(restinio::string_view_t data) override {
    if (failed_)
      return false;
    received_ += data.size();
    req_->extra_data().bytes_in.fetch_add(data.size(), std::memory_order_relaxed);
    if (received_ > ctx_->max_json_bytes) {
      failed_ = true;
      handler_scope scope{ctx_};
      reply_error(req_, make_error(errc::too_large), true);
      return false;
    }
    if (route_.route != body_route::other) {
      body_->hold->take(data.size());
      body_->text.append(data.data(), data.size());
    }
    if (!ctx_->budget->exhausted())
      return true;
    auto control = control_;
    ctx_->budget->when_available([control] { control.resume(); });
    return false;
  }

  void on_body_complete() override {
    if (failed_)
      return;
    handler_scope scope{ctx_};
    answer_guarded(req_, [&] {
      switch (route_.route) {
        case body_route::finalize:
          finalize_with(ctx_, req_, cred_, route_.id, std::move(body_));
          break;
        case body_route::create:
          create_with(ctx_, req_, std::move(body_));
          break;
        case body_route::acquire:
          acquire_with(ctx_, req_, route_.id, std::move(body_));
          break;
        case body_route::backup:
          backup_with(ctx_, req_, std::move(body_));
          break;
        default:
          (void) router_(req_);
      }
    });
  }

  void on_body_aborted() noexcept override {
  }

private:
  // Authenticated: now the declared size may be refused.
  bool too_large() const {
    return length_ && *length_ > ctx_->max_json_bytes;
  }
  void answer_too_large() {
    reply_error(req_, make_error(errc::too_large), true);
  }

  const ctx_ptr ctx_;
  in_flight_token token_; ///< As upload_sink's.
  const router_t& router_;
  const req_t req_;
  const control_t control_;
  const matched_route route_;
  const credential cred_;
  const std::optional<std::uint64_t> length_;
  body_ptr body_;
  std::uint64_t received_ = 0;
  bool failed_ = false;
};

} // namespace

decision decide_head(const ctx_ptr& ctx, const router_t& router, const req_t& req,
                     control_t control) {
  begin_request(req);
  handler_scope scope{ctx};
  auto refused = [&](unsigned status, std::string message) {
    reply_error(req, status, std::move(message), true);
    return decision::refuse();
  };
  try {
    auto route = match_body_route(req->header().method(), req->header().path());
    req->extra_data().route = route.label;
    if (!ctx->ready.load(std::memory_order_acquire))
      return refused(503, "Service is starting");
    if (ctx->draining.load())
      return refused(503, "Service is shutting down");
    auto length = declared_length(req);
    switch (route.route) {
      case body_route::upload: {
        auto cred = job_credentials(req, true);
        if (!cred)
          return decision::refuse();
        auto up = parse_upload_query(req->header().query());
        up.multipart_ok = true; // checked while the body streams
        up.too_large = length && *length > ctx->max_body_bytes;
        auto type = req->header().opt_value_of(restinio::http_field::content_type);
        auto boundary = type ? multipart_boundary({type->data(), type->size()}) : std::nullopt;
        auto sink = std::make_shared<upload_sink>(ctx, req, control, *cred, route.id, boundary);
        {
          std::lock_guard<std::mutex> guard{ctx->open_uploads->mutex};
          ctx->open_uploads->sinks.emplace(sink.get(), sink);
        }
        sink->reserve(std::move(up));
        return decision::stream(sink, false);
      }
      case body_route::finalize: {
        auto cred = job_credentials(req, true);
        if (!cred)
          return decision::refuse();
        return std::make_shared<json_sink>(ctx, router, req, control, route, *cred, length)
          ->authorize();
      }
      case body_route::create:
      case body_route::acquire:
      case body_route::backup:
        if (!admin_ok(ctx, req, true))
          return decision::refuse();
        break;
      case body_route::other:
        break;
    }
    if (length && *length > ctx->max_json_bytes) {
      reply_error(req, make_error(errc::too_large), true);
      return decision::refuse();
    }
    return decision::stream(
      std::make_shared<json_sink>(ctx, router, req, control, route, credential{}, length), true);
  } catch (const std::exception& ex) {
    log_error(std::string{"deciding a request head failed: "} + ex.what());
    return refused(500, "Internal server error");
  }
}

void abort_open_uploads(http_context& ctx) {
  std::vector<std::shared_ptr<restinio::body_sink_t>> open;
  {
    std::lock_guard<std::mutex> guard{ctx.open_uploads->mutex};
    for (auto& [key, sink] : ctx.open_uploads->sinks)
      if (auto live = sink.lock())
        open.push_back(std::move(live));
  }
  if (!open.empty())
    log_warning("stopping: " + std::to_string(open.size())
                + " uploads never finished; their bytes are dropped");
  for (auto& sink : open)
    sink->on_body_aborted(); // idempotent: a sink that ended ignores it
}

} // namespace analysisd
