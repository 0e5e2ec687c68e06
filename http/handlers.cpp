#include "http/handlers.hpp"

#include "http/auth.hpp"
#include "http/errors.hpp"
#include "http/request_parsing.hpp"
#include "persistence/log.hpp"

#include <caf/all.hpp>

#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace analysisd {

/// A closure that a bridge actor runs on behalf of an asio thread.
struct bridge_job {
  std::function<void(caf::event_based_actor*)> run;
};

} // namespace analysisd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(analysisd::bridge_job)

namespace analysisd {

namespace {

using req_t = restinio::request_handle_t;
using params_t = restinio::router::route_params_t;
using status_t = restinio::request_handling_status_t;
using ctx_ptr = std::shared_ptr<http_context>;

restinio::http_status_line_t status_line(unsigned status) {
  return restinio::http_status_line_t{
    restinio::http_status_code_t{static_cast<std::uint16_t>(status)}, reason_phrase(status)};
}

// Counts a request as in flight from the moment it is taken until its answer
// is handed to RESTinio, so that a graceful shutdown can wait for it. Shared
// by every copy of a reply callback; the last copy gone ends it.
struct in_flight_token {
  explicit in_flight_token(ctx_ptr c) : ctx(std::move(c)) {
    ctx->in_flight.fetch_add(1);
  }
  ~in_flight_token() {
    ctx->in_flight.fetch_sub(1);
  }
  ctx_ptr ctx;
};

// RESTinio 0.6.16 loses pipelined requests when a response is completed
// inside the handler call: the connection then resumes reading twice and
// closes with "response_context_table is full". So a handler never completes
// a response itself: while one runs, `inline_ctx` is set and `complete` hands
// the response to a bridge actor, which completes it from its own thread, as
// for every answer that comes from the actors.
thread_local const ctx_ptr* inline_ctx = nullptr;

// What every handler holds while it runs: its request counts as in flight,
// and responses it completes go through a bridge actor.
struct handler_scope {
  explicit handler_scope(const ctx_ptr& ctx) : token(ctx), previous(inline_ctx) {
    inline_ctx = &ctx;
  }
  ~handler_scope() {
    inline_ctx = previous;
  }
  in_flight_token token;
  const ctx_ptr* previous;
};

// A response handed to a bridge: sent by the bridge, or, if the job is
// dropped (its bridge died), when the job is destroyed.
template <class Builder>
struct held_response {
  explicit held_response(Builder&& b) : builder(std::move(b)) {
  }
  held_response(const held_response&) = delete;
  held_response& operator=(const held_response&) = delete;
  ~held_response() {
    send();
  }
  void send() {
    if (sent)
      return;
    sent = true;
    try {
      builder.done();
    } catch (const std::exception& ex) {
      log_error(std::string{"cannot send a response: "} + ex.what());
    }
  }
  Builder builder;
  bool sent = false;
};

const caf::actor& next_bridge(const ctx_ptr& ctx) {
  return ctx->bridges[ctx->next_bridge.fetch_add(1) % ctx->bridges.size()];
}

template <class Builder>
void complete(Builder&& response) {
  if (inline_ctx == nullptr) {
    response.done();
    return;
  }
  const auto& ctx = *inline_ctx;
  auto token = std::make_shared<in_flight_token>(ctx);
  auto held = std::make_shared<held_response<std::decay_t<Builder>>>(std::forward<Builder>(response));
  caf::anon_send(next_bridge(ctx), bridge_job{[token, held](caf::event_based_actor*) { held->send(); }});
}

void reply_json(const req_t& req, unsigned status, std::string body) {
  complete(req->create_response(status_line(status))
             .append_header(restinio::http_field::content_type, "application/json")
             .set_body(std::move(body)));
}

void reply_error(const req_t& req, const http_error& e) {
  reply_json(req, e.status, render_error(e));
}

void reply_error(const req_t& req, const caf::error& err) {
  reply_error(req, to_http(err));
}

void reply_error(const req_t& req, unsigned status, std::string message) {
  reply_error(req, http_error{status, reason_id(status), std::move(message), {}});
}

// Runs `f`, answering 500 if it throws: an exception escaping a RESTinio
// handler would drop the connection without a response.
template <class F>
void answer_guarded(const req_t& req, F&& f) {
  try {
    f();
  } catch (const std::exception& ex) {
    log_error(std::string{"request failed: "} + ex.what());
    try {
      reply_error(req, 500, "Internal server error");
    } catch (...) {
    }
  }
}

// The answer a request is owed: if every holder of it is gone without
// answering (the bridge died with the job in its mailbox, or with the
// registry's reply outstanding), it answers 503 at once instead of leaving
// the client to RESTinio's handle timeout.
struct owed_answer {
  explicit owed_answer(req_t r) : req(std::move(r)) {
  }
  owed_answer(const owed_answer&) = delete;
  owed_answer& operator=(const owed_answer&) = delete;
  ~owed_answer() {
    if (answered.load())
      return;
    try {
      reply_error(req, 503, "Service unavailable");
    } catch (...) {
    }
  }
  /// True for the one caller that answers.
  bool claim() {
    return !answered.exchange(true);
  }
  req_t req;
  std::atomic<bool> answered{false};
};

// Sends one request to the registry through a bridge actor and answers from
// its reply: `on_ok(R&)` for a result, the error mapping otherwise. Never
// blocks the asio thread.
template <class R, class OnOk, class... Ts>
void ask(const ctx_ptr& ctx, const req_t& req, OnOk on_ok, Ts... args) {
  auto token = std::make_shared<in_flight_token>(ctx);
  auto owed = std::make_shared<owed_answer>(req);
  auto registry = ctx->registry;
  bridge_job job{[=](caf::event_based_actor* self) {
    self->request(registry, caf::infinite, args...)
      .then(
        [=](R& result) {
          if (owed->claim())
            answer_guarded(req, [&] { on_ok(result); });
          (void) token;
        },
        [=](caf::error& err) {
          if (owed->claim())
            answer_guarded(req, [&] { reply_error(req, err); });
        });
  }};
  caf::anon_send(next_bridge(ctx), std::move(job));
}

// Answers 413 (through the error mapping) for a JSON body over
// --max-json-bytes; true if it did.
bool json_too_large(const ctx_ptr& ctx, const req_t& req) {
  if (req->body().size() <= ctx->max_json_bytes)
    return false;
  reply_error(req, make_error(errc::too_large));
  return true;
}

std::optional<std::string> authorization(const req_t& req) {
  auto v = req->header().opt_value_of(restinio::http_field::authorization);
  if (!v)
    return std::nullopt;
  return std::string{v->data(), v->size()};
}

// Turns a handler body into a RESTinio handler that always answers: 503
// before recovery and while draining, 500 on an exception.
template <class F>
auto handler(ctx_ptr ctx, F f) {
  return [ctx, f](const req_t& req, params_t params) -> status_t {
    handler_scope scope{ctx};
    answer_guarded(req, [&] {
      if (!ctx->ready.load(std::memory_order_acquire)) {
        reply_error(req, 503, "Service is starting");
        return;
      }
      if (ctx->draining.load()) {
        reply_error(req, 503, "Service is shutting down");
        return;
      }
      f(ctx, req, params);
    });
    return restinio::request_accepted();
  };
}

// Job credentials, or the 401 already sent.
std::optional<credential> job_credentials(const req_t& req) {
  auto auth = parse_job_auth(authorization(req));
  if (auth.result == job_auth::missing) {
    reply_error(req, 401, "No authorization header");
    return std::nullopt;
  }
  if (auth.result == job_auth::invalid) {
    reply_error(req, 401, "Invalid authorization header");
    return std::nullopt;
  }
  return auth.cred;
}

bool admin_ok(const ctx_ptr& ctx, const req_t& req) {
  if (is_admin(authorization(req), ctx->admin_token_hash))
    return true;
  reply_error(req, 401, "Invalid authorization header");
  return false;
}

std::string param(const params_t& params, const char* name) {
  auto v = params[name];
  return std::string{v.data(), v.size()};
}

// -- job and operator actions (shared by both credential kinds) ---------------

void do_get(const ctx_ptr& ctx, const req_t& req, const credential& cred, const std::string& id) {
  ask<std::string>(
    ctx, req, [req](std::string& doc) { reply_json(req, 200, std::move(doc)); },
    get_atom::value, cred, id);
}

void do_download(const ctx_ptr& ctx, const req_t& req, const credential& cred,
                 const std::string& id, const std::string& file_id_text) {
  std::uint64_t file_id;
  if (!parse_decimal(file_id_text, 18, file_id)) {
    // Authentication still comes first: ask for the analysis, then say 404.
    ask<std::string>(
      ctx, req, [req](std::string&) { reply_error(req, 404, "Not found"); }, get_atom::value,
      cred, id);
    return;
  }
  ask<file_location>(
    ctx, req,
    [req](file_location& loc) {
      int fd = ::open(loc.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      struct stat st {};
      if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
          ::close(fd);
        reply_error(req, make_error(errc::file_missing));
        return;
      }
      std::string quoted;
      for (char c : loc.file.name) {
        if (c == '"' || c == '\\')
          quoted.push_back('\\');
        quoted.push_back(c);
      }
      restinio::file_meta_t meta{static_cast<restinio::file_size_t>(st.st_size),
                                 std::chrono::system_clock::from_time_t(st.st_mtime)};
      req->create_response(status_line(200))
        .append_header(restinio::http_field::content_type, "application/octet-stream")
        .append_header(restinio::http_field::content_disposition,
                       "attachment; filename=\"" + quoted + "\"")
        .set_body(restinio::sendfile(restinio::file_descriptor_holder_t{fd}, meta))
        .done();
    },
    download_atom::value, cred, id, file_id);
}

void do_remove(const ctx_ptr& ctx, const req_t& req, const credential& cred,
               const std::string& id) {
  ask<bool>(
    ctx, req,
    [req](bool) {
      req->create_response(status_line(204)).done();
    },
    remove_atom::value, cred, id);
}

// -- routes --------------------------------------------------------------------

void job_get(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_get(ctx, req, *cred, param(params, "id"));
}

void job_upload(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  auto cred = job_credentials(req);
  if (!cred)
    return;
  auto id = param(params, "id");
  auto upload = parse_upload(req);
  ask<file_record>(
    ctx, req,
    [req, id](file_record& file) {
      req->create_response(status_line(201))
        .append_header(restinio::http_field::content_type, "application/json")
        .append_header(restinio::http_field::location,
                       "/api/analyses/" + id + "/files/" + std::to_string(file.id))
        .set_body(render_file(id, file))
        .done();
    },
    upload_atom::value, *cred, id, std::move(upload));
}

void job_download(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_download(ctx, req, *cred, param(params, "id"), param(params, "file_id"));
}

void job_finalize(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  auto cred = job_credentials(req);
  if (!cred)
    return;
  if (json_too_large(ctx, req))
    return;
  // An invalid body travels as "" so that the actor answers 422 after
  // authentication, in SPEC.md's order.
  ask<std::string>(
    ctx, req, [req](std::string& doc) { reply_json(req, 200, std::move(doc)); },
    finalize_atom::value, *cred, param(params, "id"), extract_results(req->body()));
}

void job_remove(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_remove(ctx, req, *cred, param(params, "id"));
}

void admin_create(const ctx_ptr& ctx, const req_t& req, const params_t&) {
  if (!admin_ok(ctx, req))
    return;
  if (json_too_large(ctx, req))
    return;
  create_request create;
  if (auto err = parse_create(req->body(), create)) {
    reply_error(req, err);
    return;
  }
  ask<std::string>(
    ctx, req, [req](std::string& doc) { reply_json(req, 201, std::move(doc)); },
    create_atom::value, std::move(create));
}

void admin_list(const ctx_ptr& ctx, const req_t& req, const params_t&) {
  if (!admin_ok(ctx, req))
    return;
  list_request list;
  if (auto err = parse_list_query(req->header().query(), list)) {
    reply_error(req, err);
    return;
  }
  ask<std::string>(
    ctx, req, [req](std::string& page) { reply_json(req, 200, std::move(page)); },
    list_atom::value, list);
}

void admin_get(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (admin_ok(ctx, req))
    do_get(ctx, req, admin_credential(), param(params, "id"));
}

void admin_download(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (admin_ok(ctx, req))
    do_download(ctx, req, admin_credential(), param(params, "id"), param(params, "file_id"));
}

void admin_remove(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (admin_ok(ctx, req))
    do_remove(ctx, req, admin_credential(), param(params, "id"));
}

void admin_acquire(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (!admin_ok(ctx, req))
    return;
  if (json_too_large(ctx, req))
    return;
  if (auto err = parse_acquire(req->body())) {
    reply_error(req, err);
    return;
  }
  auto job_id = param(params, "job_id");
  ask<std::string>(
    ctx, req,
    [req, job_id](std::string& key) {
      nlohmann::json body = {{"id", job_id}, {"acquired", true}, {"key", key}};
      reply_json(req, 200, body.dump());
    },
    acquire_atom::value, job_id);
}

} // namespace

namespace {

// Runs the jobs of one bridge: sends requests and answers from the replies.
caf::behavior bridge_worker(caf::event_based_actor* self) {
  return {[=](bridge_job& job) { job.run(self); }};
}

// What a bridge slot holds: a supervisor that runs no request code itself,
// so that the slot never changes while asio threads read it. It passes each
// job to its worker and replaces the worker when it dies; the requests the
// dead worker held answer 503 (owed_answer), the next ones go to the new
// worker. Its worker goes when it goes.
caf::behavior bridge_supervisor(caf::event_based_actor* self) {
  auto worker = std::make_shared<caf::actor>(self->spawn<caf::monitored>(bridge_worker));
  self->attach_functor([worker] { caf::anon_send_exit(*worker, caf::exit_reason::user_shutdown); });
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source != *worker)
      return;
    log_error("an HTTP bridge died (" + self->system().render(dm.reason) + "); replaced");
    *worker = self->spawn<caf::monitored>(bridge_worker);
  });
  return {[=](bridge_job& job) { self->send(*worker, std::move(job)); }};
}

} // namespace

void spawn_bridges(http_context& ctx, std::size_t count) {
  for (std::size_t k = 0; k < std::max<std::size_t>(count, 1); ++k)
    ctx.bridges.push_back(ctx.system.spawn(bridge_supervisor));
}

std::unique_ptr<router_t> make_router(std::shared_ptr<http_context> ctx) {
  using namespace restinio;
  auto router = std::make_unique<router_t>();
  auto not_allowed = [ctx](std::string allow) {
    return [ctx, allow](const req_t& req, params_t) -> status_t {
      handler_scope scope{ctx};
      auto e = http_error{405, "method_not_allowed", "Method not allowed", {}};
      complete(req->create_response(status_line(405))
                 .append_header(http_field::content_type, "application/json")
                 .append_header(http_field::allow, allow)
                 .set_body(render_error(e)));
      return request_accepted();
    };
  };
  for (const char* prefix : {"/api/analyses", "/analyses"}) {
    std::string p = prefix;
    router->http_get(p + "/:id", handler(ctx, job_get));
    router->add_handler(http_method_patch(), p + "/:id", handler(ctx, job_finalize));
    router->http_delete(p + "/:id", handler(ctx, job_remove));
    router->add_handler(router::none_of_methods(http_method_get(), http_method_patch(),
                                                http_method_delete()),
                        p + "/:id", not_allowed("GET, PATCH, DELETE"));
    router->http_post(p + "/:id/files", handler(ctx, job_upload));
    router->http_put(p + "/:id/files", handler(ctx, job_upload));
    router->add_handler(router::none_of_methods(http_method_post(), http_method_put()),
                        p + "/:id/files", not_allowed("POST, PUT"));
    router->http_get(p + "/:id/files/:file_id", handler(ctx, job_download));
    router->add_handler(router::none_of_methods(http_method_get()), p + "/:id/files/:file_id",
                        not_allowed("GET"));
  }
  router->http_get("/admin/analyses", handler(ctx, admin_list));
  router->http_post("/admin/analyses", handler(ctx, admin_create));
  router->add_handler(router::none_of_methods(http_method_get(), http_method_post()),
                      "/admin/analyses", not_allowed("GET, POST"));
  router->http_get("/admin/analyses/:id", handler(ctx, admin_get));
  router->http_delete("/admin/analyses/:id", handler(ctx, admin_remove));
  router->add_handler(router::none_of_methods(http_method_get(), http_method_delete()),
                      "/admin/analyses/:id", not_allowed("GET, DELETE"));
  router->http_get("/admin/analyses/:id/files/:file_id", handler(ctx, admin_download));
  router->add_handler(router::none_of_methods(http_method_get()),
                      "/admin/analyses/:id/files/:file_id", not_allowed("GET"));
  router->add_handler(http_method_patch(), "/admin/jobs/:job_id", handler(ctx, admin_acquire));
  router->add_handler(router::none_of_methods(http_method_patch()), "/admin/jobs/:job_id",
                      not_allowed("PATCH"));
  // Readiness (SPEC.md): ok only while recovered, not draining, and taking writes.
  auto readiness = [ctx](const req_t& req, params_t) -> status_t {
    handler_scope scope{ctx};
    if (ctx->draining.load())
      reply_json(req, 503, R"({"status":"stopping"})");
    else if (!ctx->ready.load(std::memory_order_acquire))
      reply_json(req, 503, R"({"status":"starting"})");
    else if (ctx->read_only->load())
      reply_json(req, 503, R"({"status":"read_only"})");
    else
      reply_json(req, 200, R"({"status":"ok"})");
    return request_accepted();
  };
  for (const char* path : {"/readyz", "/healthz"}) {
    router->http_get(path, readiness);
    router->add_handler(router::none_of_methods(http_method_get()), path, not_allowed("GET"));
  }
  router->http_get("/livez", [ctx](const req_t& req, params_t) -> status_t {
    handler_scope scope{ctx};
    reply_json(req, 200, R"({"status":"ok"})");
    return request_accepted();
  });
  router->add_handler(router::none_of_methods(http_method_get()), "/livez", not_allowed("GET"));
  router->non_matched_request_handler([ctx](const req_t& req) -> status_t {
    handler_scope scope{ctx};
    reply_error(req, 404, "Not found");
    return request_accepted();
  });
  return router;
}

} // namespace analysisd
