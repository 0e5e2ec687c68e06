#include "persistence/model.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace analysisd {

timestamp now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_timestamp(timestamp t) {
  auto secs = static_cast<std::time_t>(t / 1000000);
  auto micros = static_cast<long>(t % 1000000);
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, micros);
  return buf;
}

std::string random_id(std::size_t n) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
      throw std::runtime_error("RAND_bytes failed");
    for (auto b : bytes) {
      // 252 = 7 * 36: reject the tail so that every character is equally likely.
      if (b < 252 && out.size() < n)
        out.push_back(alphabet[b % 36]);
    }
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (unsigned char b : raw) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xF]);
  }
  return out;
}

bool is_valid_id(const std::string& id) {
  if (id.size() != 8)
    return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

std::string name_on_disk(const file_record& file) {
  return std::to_string(file.id) + "-" + file.name;
}

namespace {

nlohmann::json file_json(const std::string& analysis_id, const file_record& f) {
  return {{"analysis", analysis_id},
          {"description", nullptr},
          {"format", f.format.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.format)},
          {"id", f.id},
          {"name", f.name},
          {"name_on_disk", name_on_disk(f)},
          {"size", f.size},
          {"uploaded_at", format_timestamp(f.uploaded_at)}};
}

// Compact JSON that never throws: the service only stores valid UTF-8, but
// recovery trusts any record with a good checksum, and a throw here would kill
// the registry actor (it renders dormant analyses); bad bytes become U+FFFD.
std::string dump_total(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string render_file(const std::string& analysis_id, const file_record& file) {
  return dump_total(file_json(analysis_id, file));
}

std::string render_analysis(const analysis_state& a, bool with_results) {
  auto files = nlohmann::json::array();
  for (auto& f : a.files)
    files.push_back(file_json(a.id, f));
  auto subtractions = nlohmann::json::array();
  for (auto& s : a.subtractions)
    subtractions.push_back({{"id", s.id}, {"name", s.name}});
  nlohmann::json doc = {{"id", a.id},
                        {"created_at", format_timestamp(a.created_at)},
                        {"updated_at", format_timestamp(a.updated_at)},
                        {"job", {{"id", a.job_id}}},
                        {"files", std::move(files)},
                        {"workflow", a.workflow},
                        {"sample", {{"id", a.sample.id}, {"name", a.sample.name}}},
                        {"index", {{"id", a.index.id}, {"version", a.index.version}}},
                        {"user", {{"id", a.user_id}}},
                        {"subtractions", std::move(subtractions)},
                        {"ready", a.ready}};
  auto text = dump_total(doc);
  return with_results ? add_results(std::move(text), a) : text;
}

std::string add_results(std::string summary, const analysis_state& a) {
  if (!a.ready || a.results.empty())
    return summary;
  // results is already validated compact JSON: spliced in, not re-parsed.
  summary.pop_back();
  summary += ",\"results\":";
  summary += a.results;
  summary += '}';
  return summary;
}

} // namespace analysisd

#include "persistence/log.hpp"

#include <unistd.h>

namespace analysisd {

void log_line(const char* level, const std::string& message) {
  auto line = format_timestamp(now()) + " " + level + " " + message + "\n";
  auto rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void) rc; // nowhere left to report a failed write to stderr
}

} // namespace analysisd
