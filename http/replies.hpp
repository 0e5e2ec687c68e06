#pragma once

/// What the request handlers (http/handlers.cpp) and the body sinks
/// (http/streaming.cpp) share: answering a request from any thread, and
/// asking the registry (http/caller.hpp). Internal to http/.

#include "actors/protocol.hpp"
#include "http/auth.hpp"
#include "http/errors.hpp"
#include "http/handlers.hpp"
#include "http/request_parsing.hpp"
#include "http/request_record.hpp"
#include "persistence/log.hpp"

#include <caf/all.hpp>
#include <restinio/all.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace analysisd {

/// A closure that a bridge actor runs on behalf of an asio thread.
struct bridge_job {
  std::function<void(caf::event_based_actor*)> run;
};

} // namespace analysisd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(analysisd::bridge_job)

namespace analysisd::http_detail {

using req_t = request_ptr;
using ctx_ptr = std::shared_ptr<http_context>;

inline restinio::http_status_line_t status_line(unsigned status) {
  return restinio::http_status_line_t{
    restinio::http_status_code_t{static_cast<std::uint16_t>(status)}, reason_phrase(status)};
}

/// A response with `status`, echoing the request's id (every response is
/// made here).
inline auto respond(const req_t& req, unsigned status) {
  auto response = req->create_response(status_line(status));
  response.append_header("X-Request-Id", req->extra_data().request_id);
  return response;
}

/// Sends `response` (its body `bytes_out` long) now, and logs and counts its request.
template <class Builder>
inline void send_now(const req_t& req, Builder&& response, unsigned status,
                     std::uint64_t bytes_out) {
  finish_request(req, status, bytes_out);
  response.done();
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
// answers that come from the actors are completed from theirs.
inline thread_local const ctx_ptr* inline_ctx = nullptr;

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
  held_response(req_t r, Builder&& b, unsigned s, std::uint64_t n)
    : req(std::move(r)), builder(std::move(b)), status(s), bytes_out(n) {
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
      send_now(req, builder, status, bytes_out);
    } catch (const std::exception& ex) {
      log_error(std::string{"cannot send a response: "} + ex.what());
    }
  }
  req_t req;
  Builder builder;
  unsigned status;
  std::uint64_t bytes_out;
  bool sent = false;
};

inline const caf::actor& next_bridge(const ctx_ptr& ctx) {
  return ctx->bridges[ctx->next_bridge.fetch_add(1) % ctx->bridges.size()];
}

/// Sends `response` to `req` (its body `bytes_out` long), through a bridge
/// when called inside a handler.
template <class Builder>
inline void complete(const req_t& req, Builder&& response, unsigned status,
                     std::uint64_t bytes_out) {
  if (inline_ctx == nullptr) {
    send_now(req, response, status, bytes_out);
    return;
  }
  const auto& ctx = *inline_ctx;
  auto token = std::make_shared<in_flight_token>(ctx);
  auto held = std::make_shared<held_response<std::decay_t<Builder>>>(
    req, std::forward<Builder>(response), status, bytes_out);
  caf::anon_send(next_bridge(ctx), bridge_job{[token, held](caf::event_based_actor*) { held->send(); }});
}

/// The request's If-None-Match header lines as one list (RFC 9110 5.3:
/// several lines are one comma-separated value); nullopt without any.
inline std::optional<std::string> if_none_match_list(const req_t& req) {
  std::optional<std::string> list;
  req->header().for_each_value_of(restinio::http_field::if_none_match, [&](auto value) {
    (list ? list->append(", ") : list.emplace()).append(value.data(), value.size());
    return restinio::http_header_fields_t::continue_enumeration();
  });
  return list;
}

/// Sends the answer to a GET of a document with its ETag: 304 with no
/// content (nor a Content-Length, patch 0002) when `not_modified`, else 200
/// with `body` (`size` bytes, of `content_type`). `now`: sent on this thread
/// even inside a handler, which only a request the router got whole may do
/// (request_record::whole; patch 0003); otherwise as `complete` sends.
template <class Body>
inline void send_document(const req_t& req, std::string etag, const char* content_type,
                          bool not_modified, Body&& body, std::size_t size, bool now = false) {
  auto finish = [&](auto&& response, unsigned status, std::size_t bytes) {
    if (now)
      send_now(req, response, status, bytes);
    else
      complete(req, std::move(response), status, bytes);
  };
  if (not_modified) {
    auto response = respond(req, 304);
    response.append_header(restinio::http_field::etag, std::move(etag));
    finish(std::move(response), 304, 0);
    return;
  }
  auto response = respond(req, 200);
  response.append_header(restinio::http_field::content_type, content_type);
  response.append_header(restinio::http_field::etag, std::move(etag));
  response.set_body(std::forward<Body>(body));
  finish(std::move(response), 200, size);
}

/// Answers a GET of a document (`body`, `size` bytes, of `content_type`)
/// with its ETag: 304 when the request's If-None-Match names the ETag (RFC
/// 9110 13.1.2), else 200 with the body.
template <class Body>
inline void reply_document(const req_t& req, std::string etag, const char* content_type,
                           Body&& body, std::size_t size) {
  auto condition = if_none_match_list(req);
  bool not_modified = condition && if_none_match(*condition, etag);
  send_document(req, std::move(etag), content_type, not_modified, std::forward<Body>(body), size);
}

/// `close`: for an answer before the request's body was read, which ends
/// the connection (RESTinio closes it after a lingering read).
/// `retry_after`: seconds for a Retry-After header (0: none).
inline void reply_json(const req_t& req, unsigned status, std::string body, bool close = false,
                       unsigned retry_after = 0) {
  auto response = respond(req, status);
  response.append_header(restinio::http_field::content_type, "application/json");
  if (retry_after > 0)
    response.append_header(restinio::http_field::retry_after, std::to_string(retry_after));
  if (close)
    response.connection_close();
  auto size = body.size();
  response.set_body(std::move(body));
  complete(req, std::move(response), status, size);
}

inline void reply_error(const req_t& req, const http_error& e, bool close = false) {
  reply_json(req, e.status, render_error(e), close, e.retry_after);
}

inline void reply_error(const req_t& req, const caf::error& err, bool close = false) {
  auto e = to_http(err);
  // A 500 says nothing to the client: the log says what failed.
  if (e.status == 500)
    log_error("answering 500 to " + std::string{req->extra_data().method_text} + " "
              + std::string{req->header().path()} + " (request_id="
              + req->extra_data().request_id + "): " + caf::to_string(err));
  reply_error(req, e, close);
}

inline void reply_error(const req_t& req, unsigned status, std::string message,
                        bool close = false) {
  http_error e{status, reason_id(status), std::move(message), {}};
  if (status == 503) // starting, draining, or an answer lost: worth a retry
    e.retry_after = retry_after_seconds;
  reply_error(req, e, close);
}

// Runs `f`, answering 500 if it throws: an exception escaping a RESTinio
// handler would drop the connection without a response.
template <class F>
inline void answer_guarded(const req_t& req, F&& f) {
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
// registry's reply outstanding; or the caller went with the request
// unanswered), it answers 503 at once instead of leaving the client to
// RESTinio's handle timeout.
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

// Sends one request to the registry and answers from its reply: `on_ok(R&)`
// for a result, the error mapping otherwise. Never blocks the asio thread;
// the answer is sent from the thread of the actor that answers (ctx->calls).
template <class R, bool before_body = false, class OnOk, class... Ts>
inline void ask(const ctx_ptr& ctx, const req_t& req, OnOk on_ok, Ts... args) {
  using answer = caf::response_type<registry_actor::signatures, Ts...>;
  static_assert(answer::valid, "not a request of the registry's");
  static_assert(std::is_same<typename answer::type, caf::detail::type_list<R>>::value,
                "the registry answers this request with another type");
  auto token = std::make_shared<in_flight_token>(ctx);
  auto owed = std::make_shared<owed_answer>(req);
  ctx->calls.request(
    caf::actor_cast<caf::actor>(ctx->registry), caf::make_message(std::move(args)...),
    [req, on_ok = std::move(on_ok), token, owed](caf::message& reply) mutable {
      if (!owed->claim())
        return;
      answer_guarded(req, [&] {
        if (reply.match_elements<R>())
          on_ok(reply.get_mutable_as<R>(0));
        else if (reply.match_elements<caf::error>())
          reply_error(req, reply.get_as<caf::error>(0), before_body);
        else
          reply_error(req, caf::make_error(caf::sec::unexpected_response), before_body);
      });
    });
}

/// ask for a request whose body is not read yet: an error answer closes the
/// connection (after a lingering read).
template <class R, class OnOk, class... Ts>
inline void ask_before_body(const ctx_ptr& ctx, const req_t& req, OnOk on_ok, Ts... args) {
  ask<R, true>(ctx, req, std::move(on_ok), std::move(args)...);
}

inline std::optional<std::string> authorization(const req_t& req) {
  auto v = req->header().opt_value_of(restinio::http_field::authorization);
  if (!v)
    return std::nullopt;
  return std::string{v->data(), v->size()};
}

// Job credentials, or the 401 already sent.
inline std::optional<credential> job_credentials(const req_t& req, bool close = false) {
  auto auth = parse_job_auth(authorization(req));
  if (auth.result == job_auth::ok)
    note_job(req, auth.cred.job_id);
  if (auth.result == job_auth::missing) {
    reply_error(req, 401, "No authorization header", close);
    return std::nullopt;
  }
  if (auth.result == job_auth::invalid) {
    reply_error(req, 401, "Invalid authorization header", close);
    return std::nullopt;
  }
  return auth.cred;
}

inline bool admin_ok(const ctx_ptr& ctx, const req_t& req, bool close = false) {
  if (is_admin(authorization(req), ctx->admin_token_hash))
    return true;
  reply_error(req, 401, "Invalid authorization header", close);
  return false;
}

/// 201 with the FILE document of an upload.
inline void reply_created(const req_t& req, const std::string& analysis_id,
                          const file_record& file) {
  auto response = respond(req, 201);
  response.append_header(restinio::http_field::content_type, "application/json")
    .append_header(restinio::http_field::location,
                   "/api/analyses/" + analysis_id + "/files/" + std::to_string(file.id));
  auto body = render_file(analysis_id, file);
  auto size = body.size();
  response.set_body(std::move(body));
  complete(req, std::move(response), 201, size);
}

/// A request body read whole, with the memory it holds counted against the
/// body budget until it goes.
struct held_body {
  std::string text;
  std::unique_ptr<budget_hold> hold;
};
using body_ptr = std::shared_ptr<held_body>;

/// A body that RESTinio buffered (requests without one: empty).
inline body_ptr buffered_body(const req_t& req) {
  return std::make_shared<held_body>(held_body{req->body(), nullptr});
}

// The routes with a JSON body, once the body is read (http/handlers.cpp).
void finalize_with(const ctx_ptr& ctx, const req_t& req, const credential& cred,
                   const std::string& id, body_ptr body);
void create_with(const ctx_ptr& ctx, const req_t& req, body_ptr body);
void acquire_with(const ctx_ptr& ctx, const req_t& req, const std::string& job_id, body_ptr body);
void backup_with(const ctx_ptr& ctx, const req_t& req, body_ptr body);

} // namespace analysisd::http_detail
