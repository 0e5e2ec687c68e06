#include "tests/support/e2e.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

namespace analysisd::test {

http_response send_with(http_client& c, const std::string& method, const std::string& target,
                        const std::string& auth, const std::string& body,
                        const std::string& content_type) {
  http_request r{method, target, {}, body};
  if (!content_type.empty())
    r.headers.emplace_back("Content-Type", content_type);
  if (!auth.empty())
    r.headers.emplace_back("Authorization", auth);
  return c.send(r);
}

http_response upload(http_client& c, const std::string& target, const std::string& auth,
                     const std::string& bytes, const std::string& method) {
  std::string content_type;
  auto body = multipart_body(bytes, content_type);
  return send_with(c, method, target, auth, body, content_type);
}

http_response upload_named(http_client& c, const std::string& id, const std::string& name,
                           const std::string& bytes, const std::string& auth) {
  return upload(c, "/api/analyses/" + id + "/files?name=" + name + "&format=fasta", auth, bytes);
}

void expect_error(const http_response& res, int status, const std::string& id,
                  const std::string& message, const std::string& what) {
  EXPECT_EQ(res.status, status) << what << ": " << res.body;
  nlohmann::json body;
  try {
    body = res.json();
  } catch (...) {
    ADD_FAILURE() << what << ": body is not JSON: " << res.body;
    return;
  }
  EXPECT_EQ(body.value("id", ""), id) << what << ": " << res.body;
  EXPECT_EQ(body.value("message", ""), message) << what << ": " << res.body;
}

bool is_timestamp(const nlohmann::json& v) {
  static const std::regex re{R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$)"};
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

bool is_short_id(const nlohmann::json& v) {
  static const std::regex re{R"(^[a-z0-9]{8}$)"};
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << bytes;
}

int env_int(const char* name, int fallback) {
  auto v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

const std::vector<std::string> job_route_prefixes{"/api/analyses", "/analyses"};

job_analysis create_job_analysis(server_process& server, http_client& c, const std::string& id) {
  job_analysis a;
  std::tie(a.doc, a.key) = server.create_acquired(c, id);
  a.id = a.doc.at("id").get<std::string>();
  a.job_id = a.doc.at("job").at("id").get<std::string>();
  a.auth = basic_auth(a.job_id, a.key);
  return a;
}

} // namespace analysisd::test
