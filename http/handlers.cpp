#include "http/handlers.hpp"

#include "actors/read_leases.hpp"
#include "http/openapi.hpp"
#include "http/replies.hpp"
#include "http/request_parsing.hpp"

#include <caf/all.hpp>

#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace analysisd {

namespace {

using namespace http_detail;
using params_t = restinio::router::route_params_t;
using status_t = restinio::request_handling_status_t;

// Turns a handler body into a RESTinio handler that always answers: 503
// before recovery and while draining, 500 on an exception.
template <class F>
auto handler(ctx_ptr ctx, http_route route, F f) {
  return [ctx, route, f](const req_t& req, params_t params) -> status_t {
    req->extra_data().route = route;
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

std::string param(const params_t& params, const char* name) {
  auto v = params[name];
  return std::string{v.data(), v.size()};
}


// -- job and operator actions (shared by both credential kinds) ---------------

// Answers a GET from the analysis's published view, on this thread, when
// the views decide it: the job's credentials published and matching (else
// the actors say 401), the analysis's view there (else they say 404 or
// serve it), then 403 for another job's analysis, or the document. In a
// cluster, a node that does not serve the analysis answers its job from a
// replica under a read lease instead. False: the actors decide. Published
// before acknowledged (and replicas revoked before), a view never shows
// less than a change the client saw answered.
bool answer_from_view(const ctx_ptr& ctx, const req_t& req, const credential& cred,
                      const std::string& id) {
  if (!ctx->views || !req->extra_data().whole)
    return false;
  auto condition = if_none_match_list(req);
  bool not_modified = false;
  auto decide = [&](const std::string& etag) {
    not_modified = condition && if_none_match(*condition, etag);
    return not_modified;
  };
  // A node that does not serve the analysis answers only from a replica it
  // holds under a read lease; its own views may be left over from a lease
  // that lapsed, until its actors go.
  std::optional<std::int64_t> epoch;
  if (ctx->cluster)
    epoch = ctx->cluster->serving(shard_of(id, ctx->cluster->shards()));
  std::optional<view_read> read;
  if (ctx->cluster && !epoch) {
    if (ctx->views->leases)
      read = read_from_replicas(*ctx->views->leases, cred, id, decide);
    if (!read)
      return false;
    metrics().reads_from_replicas.fetch_add(1, std::memory_order_relaxed);
  } else {
    read = read_from_views(*ctx->views, cred, id, decide, epoch);
    if (!read)
      return false;
    metrics().reads_from_views.fetch_add(1, std::memory_order_relaxed);
  }
  if (read->forbidden) {
    auto body = render_error(to_http(make_error(errc::forbidden)));
    auto size = body.size();
    auto response = respond(req, 403);
    response.append_header(restinio::http_field::content_type, "application/json");
    response.set_body(std::move(body));
    send_now(req, response, 403, size);
    return true;
  }
  // The view's document itself goes out, not a copy: RESTinio holds it
  // until it is written.
  auto size = read->document ? read->document->size() : 0;
  send_document(req, std::move(read->etag), "application/json", not_modified,
                std::move(read->document), size, true);
  return true;
}

// The document with its ETag; 304 when If-None-Match names it (only once the
// request is authenticated and authorized, as any answer).
void do_get(const ctx_ptr& ctx, const req_t& req, const credential& cred, const std::string& id) {
  if (answer_from_view(ctx, req, cred, id))
    return;
  metrics().reads_from_actors.fetch_add(1, std::memory_order_relaxed);
  ask<std::string>(
    ctx, req,
    [req](std::string& doc) {
      auto etag = document_etag(doc);
      auto size = doc.size();
      reply_document(req, std::move(etag), "application/json", std::move(doc), size);
    },
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
      auto size = static_cast<std::uint64_t>(st.st_size);
      auto response = respond(req, 200);
      response.append_header(restinio::http_field::content_type, "application/octet-stream")
        .append_header(restinio::http_field::content_disposition,
                       "attachment; filename=\"" + quoted + "\"")
        .set_body(restinio::sendfile(restinio::file_descriptor_holder_t{fd}, meta));
      metrics().download_bytes.fetch_add(size, std::memory_order_relaxed);
      send_now(req, response, 200, size);
    },
    download_atom::value, cred, id, file_id);
}

void do_remove(const ctx_ptr& ctx, const req_t& req, const credential& cred,
               const std::string& id) {
  ask<bool>(
    ctx, req,
    [req](bool) {
      send_now(req, respond(req, 204), 204, 0);
    },
    remove_atom::value, cred, id);
}

// The metrics text, with the registry's counts once it runs.
void reply_metrics(const ctx_ptr& ctx, const req_t& req) {
  auto send = [req](const std::optional<registry_counts>& counts) {
    auto body = metrics().render(counts);
    auto size = body.size();
    auto response = respond(req, 200);
    response.append_header(restinio::http_field::content_type,
                           "text/plain; version=0.0.4; charset=utf-8");
    response.set_body(std::move(body));
    complete(req, std::move(response), 200, size);
  };
  if (!ctx->ready.load(std::memory_order_acquire)) {
    send(std::nullopt);
    return;
  }
  auto token = std::make_shared<in_flight_token>(ctx);
  auto owed = std::make_shared<owed_answer>(req);
  auto registry = ctx->registry;
  caf::anon_send(next_bridge(ctx), bridge_job{[=](caf::event_based_actor* self) {
    self->request(registry, std::chrono::seconds(5), stats_atom::value)
      .then(
        [=](std::uint64_t live, std::uint64_t dormant) {
          if (owed->claim())
            answer_guarded(req, [&] { send(registry_counts{live, dormant}); });
          (void) token;
        },
        [=](caf::error&) {
          if (owed->claim())
            answer_guarded(req, [&] { send(std::nullopt); });
        });
  }});
}

// -- routes --------------------------------------------------------------------

void job_get(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_get(ctx, req, *cred, param(params, "id"));
}

// Uploads with a body stream (http/streaming.cpp); this one has none, and
// gets its error after the checks that come before the body's.
void job_upload(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  auto cred = job_credentials(req);
  if (!cred)
    return;
  auto id = param(params, "id");
  auto upload = parse_upload_query(req->header().query());
  ask<file_record>(
    ctx, req,
    [req, id](file_record& file) { reply_created(req, id, file); },
    upload_atom::value, *cred, id, std::move(upload));
}

void job_download(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_download(ctx, req, *cred, param(params, "id"), param(params, "file_id"));
}

void job_finalize(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    finalize_with(ctx, req, *cred, param(params, "id"), buffered_body(req));
}

void job_remove(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (auto cred = job_credentials(req))
    do_remove(ctx, req, *cred, param(params, "id"));
}

void admin_create(const ctx_ptr& ctx, const req_t& req, const params_t&) {
  if (admin_ok(ctx, req))
    create_with(ctx, req, buffered_body(req));
}

void admin_acquire(const ctx_ptr& ctx, const req_t& req, const params_t& params) {
  if (admin_ok(ctx, req))
    acquire_with(ctx, req, param(params, "job_id"), buffered_body(req));
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

void admin_backup(const ctx_ptr& ctx, const req_t& req, const params_t&) {
  if (admin_ok(ctx, req))
    backup_with(ctx, req, buffered_body(req));
}

} // namespace

namespace http_detail {

// A finalize body is validated and compacted off the asio threads when it is
// large (a bridge actor's thread parses it, in one SAX pass).
constexpr std::size_t inline_parse_bytes = 64u << 10;

void finalize_with(const ctx_ptr& ctx, const req_t& req, const credential& cred,
                   const std::string& id, body_ptr body) {
  auto send = [ctx, req, cred, id, body] {
    // An invalid body travels as "" so that the actor answers 422 after
    // authentication, in SPEC.md's order.
    auto results = extract_results(body->text);
    body->text = std::string{};
    body->hold.reset();
    ask<std::string>(
      ctx, req, [req](std::string& doc) { reply_json(req, 200, std::move(doc)); },
      finalize_atom::value, cred, id, std::move(results));
  };
  if (body->text.size() <= inline_parse_bytes) {
    send();
    return;
  }
  auto token = std::make_shared<in_flight_token>(ctx);
  caf::anon_send(next_bridge(ctx), bridge_job{[token, req, send](caf::event_based_actor*) {
                   answer_guarded(req, send);
                 }});
}

void create_with(const ctx_ptr& ctx, const req_t& req, body_ptr body) {
  create_request create;
  auto err = parse_create(body->text, create);
  body.reset();
  if (err) {
    reply_error(req, err);
    return;
  }
  ask<std::string>(
    ctx, req, [req](std::string& doc) { reply_json(req, 201, std::move(doc)); },
    create_atom::value, std::move(create));
}

void acquire_with(const ctx_ptr& ctx, const req_t& req, const std::string& job_id,
                  body_ptr body) {
  auto err = parse_acquire(body->text);
  body.reset();
  if (err) {
    reply_error(req, err);
    return;
  }
  ask<std::string>(
    ctx, req,
    [req, job_id](std::string& key) {
      nlohmann::json answer = {{"id", job_id}, {"acquired", true}, {"key", key}};
      reply_json(req, 200, answer.dump());
    },
    acquire_atom::value, job_id);
}

// A backup is the journal's to make (it pins the state between two batches);
// the answer comes when the backup is whole, fsynced, in its directory.
void backup_with(const ctx_ptr& ctx, const req_t& req, body_ptr body) {
  std::string path;
  auto err = parse_backup(body->text, path);
  body.reset();
  if (err) {
    reply_error(req, err);
    return;
  }
  if (!ctx->journal) {
    reply_json(req, 409,
               R"({"id":"conflict","message":"A cluster has no data dir to back up: back up its PostgreSQL database and shared volume"})");
    return;
  }
  auto token = std::make_shared<in_flight_token>(ctx);
  auto owed = std::make_shared<owed_answer>(req);
  auto journal = ctx->journal;
  caf::anon_send(next_bridge(ctx), bridge_job{[=](caf::event_based_actor* self) {
                   self->request(journal, caf::infinite, backup_atom::value, path)
                     .then(
                       [=](backup_report& r) {
                         if (!owed->claim())
                           return;
                         nlohmann::json answer = {
                           {"path", r.path},         {"analyses", r.analyses},
                           {"files", r.files},       {"bytes", r.bytes},
                           {"linked", r.linked},     {"copied", r.copied},
                           {"missing", r.missing},   {"journal", r.journal_seq},
                           {"admin_token", r.admin_token}, {"seconds", r.seconds}};
                         answer_guarded(req, [&] { reply_json(req, 201, answer.dump()); });
                         (void) token;
                       },
                       [=](caf::error& err) {
                         if (owed->claim())
                           answer_guarded(req, [&] { reply_error(req, err); });
                       });
                 }});
}

} // namespace http_detail

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

namespace {

// Paths match as SPEC.md writes them, as aiohttp (Virtool's own server)
// matches them and as decide_head matches the routes with a body: case
// and all, without a trailing slash. RESTinio's default matched
// /API/Analyses/x/ as /api/analyses/x, with a regex that ignored case,
// which cost a GET more than its authentication's hash.
restinio::path2regex::options_t exact_paths() {
  return restinio::path2regex::options_t{}.sensitive(true).strict(true);
}

// 404 for a request that no route matched.
auto not_found(const ctx_ptr& ctx) {
  return [ctx](const req_t& req) -> restinio::request_handling_status_t {
    req->extra_data().route = http_route::unmatched;
    handler_scope scope{ctx};
    reply_error(req, 404, "Not found");
    return restinio::request_accepted();
  };
}

} // namespace

std::unique_ptr<router_t> make_router(std::shared_ptr<http_context> ctx) {
  using namespace restinio;
  auto router = std::make_unique<router_t>();
  const auto exact = exact_paths();
  auto not_allowed = [ctx](http_route route, std::string allow) {
    return [ctx, route, allow](const req_t& req, params_t) -> status_t {
      req->extra_data().route = route;
      handler_scope scope{ctx};
      auto e = http_error{405, "method_not_allowed", "Method not allowed", {}};
      auto body = render_error(e);
      auto size = body.size();
      auto response = respond(req, 405);
      response.append_header(http_field::content_type, "application/json")
        .append_header(http_field::allow, allow)
        .set_body(std::move(body));
      complete(req, std::move(response), 405, size);
      return request_accepted();
    };
  };
  struct job_routes {
    const char* prefix;
    http_route analysis, files, file;
  };
  for (auto [prefix, analysis, files, file] :
       {job_routes{"/api/analyses", http_route::api_analysis, http_route::api_files,
                   http_route::api_file},
        job_routes{"/analyses", http_route::analysis, http_route::files, http_route::file}}) {
    std::string p = prefix;
    router->http_get(p + "/:id", exact, handler(ctx, analysis, job_get));
    router->add_handler(http_method_patch(), p + "/:id", exact,
                        handler(ctx, analysis, job_finalize));
    router->http_delete(p + "/:id", exact, handler(ctx, analysis, job_remove));
    router->add_handler(router::none_of_methods(http_method_get(), http_method_patch(),
                                                http_method_delete()),
                        p + "/:id", exact, not_allowed(analysis, "GET, PATCH, DELETE"));
    router->http_post(p + "/:id/files", exact, handler(ctx, files, job_upload));
    router->http_put(p + "/:id/files", exact, handler(ctx, files, job_upload));
    router->add_handler(router::none_of_methods(http_method_post(), http_method_put()),
                        p + "/:id/files", exact, not_allowed(files, "POST, PUT"));
    router->http_get(p + "/:id/files/:file_id", exact, handler(ctx, file, job_download));
    router->add_handler(router::none_of_methods(http_method_get()), p + "/:id/files/:file_id",
                        exact, not_allowed(file, "GET"));
  }
  const auto analyses = http_route::admin_analyses;
  router->http_get("/admin/analyses", exact, handler(ctx, analyses, admin_list));
  router->http_post("/admin/analyses", exact, handler(ctx, analyses, admin_create));
  router->add_handler(router::none_of_methods(http_method_get(), http_method_post()),
                      "/admin/analyses", exact, not_allowed(analyses, "GET, POST"));
  const auto analysis = http_route::admin_analysis;
  router->http_get("/admin/analyses/:id", exact, handler(ctx, analysis, admin_get));
  router->http_delete("/admin/analyses/:id", exact, handler(ctx, analysis, admin_remove));
  router->add_handler(router::none_of_methods(http_method_get(), http_method_delete()),
                      "/admin/analyses/:id", exact, not_allowed(analysis, "GET, DELETE"));
  const auto file = http_route::admin_file;
  router->http_get("/admin/analyses/:id/files/:file_id", exact,
                   handler(ctx, file, admin_download));
  router->add_handler(router::none_of_methods(http_method_get()),
                      "/admin/analyses/:id/files/:file_id", exact, not_allowed(file, "GET"));
  const auto job = http_route::admin_job;
  router->add_handler(http_method_patch(), "/admin/jobs/:job_id", exact,
                      handler(ctx, job, admin_acquire));
  router->add_handler(router::none_of_methods(http_method_patch()), "/admin/jobs/:job_id", exact,
                      not_allowed(job, "PATCH"));
  const auto backup = http_route::admin_backup;
  router->http_post("/admin/backup", exact, handler(ctx, backup, admin_backup));
  router->add_handler(router::none_of_methods(http_method_post()), "/admin/backup", exact,
                      not_allowed(backup, "POST"));
  // Metrics for the operator's Prometheus, with the admin token; even
  // while starting (without the registry's counts then).
  router->http_get("/metrics", exact, [ctx](const req_t& req, params_t) -> status_t {
    req->extra_data().route = http_route::metrics;
    handler_scope scope{ctx};
    answer_guarded(req, [&] {
      if (admin_ok(ctx, req))
        reply_metrics(ctx, req);
    });
    return request_accepted();
  });
  router->add_handler(router::none_of_methods(http_method_get()), "/metrics", exact,
                      not_allowed(http_route::metrics, "GET"));
  // Readiness (SPEC.md): ok only while recovered, not draining, and taking writes.
  auto readiness = [ctx](http_route route) {
    return [ctx, route](const req_t& req, params_t) -> status_t {
      req->extra_data().route = route;
      handler_scope scope{ctx};
      if (ctx->draining.load())
        reply_json(req, 503, R"({"status":"stopping"})");
      else if (!ctx->ready.load(std::memory_order_acquire))
        reply_json(req, 503, R"({"status":"starting"})");
      else if (ctx->read_only->load())
        reply_json(req, 503, R"({"status":"read_only"})");
      else if (ctx->cluster && !ctx->cluster->member())
        reply_json(req, 503, R"({"status":"unavailable"})");
      else
        reply_json(req, 200, R"({"status":"ok"})");
      return request_accepted();
    };
  };
  for (auto [path, route] : {std::pair{"/readyz", http_route::readyz},
                             std::pair{"/healthz", http_route::healthz}}) {
    router->http_get(path, exact, readiness(route));
    router->add_handler(router::none_of_methods(http_method_get()), path, exact,
                        not_allowed(route, "GET"));
  }
  router->http_get("/livez", exact, [ctx](const req_t& req, params_t) -> status_t {
    req->extra_data().route = http_route::livez;
    handler_scope scope{ctx};
    reply_json(req, 200, R"({"status":"ok"})");
    return request_accepted();
  });
  router->add_handler(router::none_of_methods(http_method_get()), "/livez", exact,
                      not_allowed(http_route::livez, "GET"));
  router->http_get("/openapi.yaml", exact, [ctx](const req_t& req, params_t) -> status_t {
    req->extra_data().route = http_route::openapi;
    handler_scope scope{ctx};
    reply_openapi(req);
    return request_accepted();
  });
  router->add_handler(router::none_of_methods(http_method_get()), "/openapi.yaml", exact,
                      not_allowed(http_route::openapi, "GET"));
  router->non_matched_request_handler(not_found(ctx));
  return router;
}

std::unique_ptr<router_t> make_metrics_router(std::shared_ptr<http_context> ctx) {
  using namespace restinio;
  auto router = std::make_unique<router_t>();
  const auto exact = exact_paths();
  router->http_get("/metrics", exact, [ctx](const req_t& req, params_t) -> status_t {
    req->extra_data().route = http_route::metrics;
    handler_scope scope{ctx};
    answer_guarded(req, [&] { reply_metrics(ctx, req); });
    return request_accepted();
  });
  router->non_matched_request_handler(not_found(ctx));
  return router;
}

} // namespace analysisd
