#include "http/errors.hpp"

#include "actors/protocol.hpp"

#include <caf/sec.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace analysisd;

namespace {

struct expected_mapping {
  errc code;
  unsigned status;
  const char* id;
  const char* message;
};

} // namespace

TEST(errors, every_errc_maps_to_the_spec_status_id_and_message) {
  const expected_mapping table[] = {
    {errc::unauthorized, 401, "unauthorized", "Invalid authorization header"},
    {errc::not_found, 404, "not_found", "Not found"},
    {errc::forbidden, 403, "forbidden", "Insufficient rights"},
    {errc::name_required, 422, "invalid_query", "Invalid query"},
    {errc::unsupported_format, 400, "bad_request", "Unsupported analysis file format"},
    {errc::name_not_plain, 422, "invalid_query", "Invalid query"},
    {errc::file_exists, 409, "conflict", "File is already associated with analysis"},
    {errc::invalid_multipart, 400, "bad_request", "Invalid multipart body"},
    {errc::too_large, 413, "payload_too_large", "Payload too large"},
    {errc::already_finalized, 409, "conflict", "There is already a result for this analysis"},
    {errc::analysis_finalized, 409, "conflict", "Analysis is finalized"},
    {errc::analysis_exists, 409, "conflict", "Analysis already exists"},
    {errc::job_already_acquired, 400, "bad_request", "Job already acquired"},
    {errc::file_missing, 404, "not_found", "Uploaded file not found at expected location"},
    {errc::invalid_input, 422, "invalid_input", "Invalid input"},
    {errc::invalid_query, 422, "invalid_query", "Invalid query"},
    {errc::storage_full, 507, "insufficient_storage", "Insufficient storage"},
    {errc::io_error, 500, "internal_server_error", nullptr},
    {errc::read_only, 503, "service_unavailable", nullptr},
    {errc::unavailable, 503, "service_unavailable", nullptr},
    {errc::backup_running, 409, "conflict", "A backup is already running"},
    {errc::backup_not_empty, 409, "conflict", "Backup destination is not empty"},
    {errc::backup_failed, 500, "internal_server_error", "Backup failed: "},
  };
  for (auto& t : table) {
    auto h = to_http(make_error(t.code));
    SCOPED_TRACE(static_cast<int>(t.code));
    EXPECT_EQ(h.status, t.status);
    EXPECT_EQ(h.id, t.id);
    if (t.message) {
      EXPECT_EQ(h.message, t.message);
    }
    EXPECT_FALSE(h.message.empty());
    EXPECT_EQ(h.errors.empty(), t.status != 422);
  }
  // Every code from the first to the last is in the table.
  EXPECT_EQ(std::size(table), static_cast<std::size_t>(errc::backup_failed));
}

TEST(errors, query_errors_name_the_field) {
  EXPECT_EQ(nlohmann::json::parse(to_http(make_error(errc::name_required)).errors),
            nlohmann::json::parse(R"({"name":["required field"]})"));
  EXPECT_EQ(nlohmann::json::parse(to_http(make_error(errc::name_not_plain)).errors),
            nlohmann::json::parse(R"({"name":["must be a plain file name"]})"));
}

TEST(errors, invalid_input_carries_the_errors_from_the_context) {
  auto h = to_http(make_error(errc::invalid_input, R"({"results":["required field"]})"));
  EXPECT_EQ(h.status, 422u);
  EXPECT_EQ(nlohmann::json::parse(h.errors), nlohmann::json::parse(R"({"results":["required field"]})"));
  auto q = to_http(make_error(errc::invalid_query, R"({"page":["x"]})"));
  EXPECT_EQ(q.id, "invalid_query");
  EXPECT_EQ(nlohmann::json::parse(q.errors), nlohmann::json::parse(R"({"page":["x"]})"));
  EXPECT_EQ(to_http(make_error(errc::invalid_input)).errors, "{}");
}

TEST(errors, foreign_errors_are_500_but_an_actor_gone_is_503) {
  auto h = to_http(caf::make_error(caf::sec::unexpected_message));
  EXPECT_EQ(h.status, 500u);
  EXPECT_EQ(h.id, "internal_server_error");
  // The registry answers for its analysis actors, so only the registry itself
  // (shutting down) bounces a request: unavailable, retry later.
  auto down = to_http(caf::make_error(caf::sec::request_receiver_down));
  EXPECT_EQ(down.status, 503u);
  EXPECT_EQ(down.id, "service_unavailable");
  auto u = to_http(caf::error{static_cast<std::uint8_t>(200), error_category});
  EXPECT_EQ(u.status, 500u);
}

TEST(errors, render_gives_id_message_and_errors_only_for_422) {
  auto j = nlohmann::json::parse(render_error(to_http(make_error(errc::not_found))));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"id":"not_found","message":"Not found"})"));
  auto k = nlohmann::json::parse(render_error(to_http(make_error(errc::name_required))));
  EXPECT_EQ(k, nlohmann::json::parse(
                 R"({"id":"invalid_query","message":"Invalid query","errors":{"name":["required field"]}})"));
  auto body = render_error({400, "bad_request", "Say \"hi\"\n", ""});
  EXPECT_EQ(nlohmann::json::parse(body)["message"], "Say \"hi\"\n");
  EXPECT_EQ(body.find('\n'), std::string::npos) << "compact";
}

TEST(errors, reason_phrases_and_ids) {
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(507), "Insufficient Storage");
  EXPECT_EQ(reason_id(405), "method_not_allowed");
  EXPECT_EQ(reason_id(413), "payload_too_large");
  EXPECT_EQ(reason_id(503), "service_unavailable");
}

TEST(errors, a_503_worth_retrying_says_when_and_a_failed_disk_does_not) {
  EXPECT_EQ(to_http(make_error(errc::unavailable)).retry_after, retry_after_seconds);
  EXPECT_EQ(to_http(caf::make_error(caf::sec::request_receiver_down)).retry_after,
            retry_after_seconds);
  // After a failed fsync the service takes no more writes: no retry helps.
  EXPECT_EQ(to_http(make_error(errc::read_only)).retry_after, 0u);
  EXPECT_EQ(to_http(make_error(errc::not_found)).retry_after, 0u);
}
