#include "persistence/model.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace analysisd {

timestamp now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_timestamp(timestamp t) {
  auto secs = static_cast<std::int64_t>(t / 1000000);
  auto micros = static_cast<std::int64_t>(t % 1000000);
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  // The civil date of a day count (Howard Hinnant's civil_from_days), with
  // the digits written by hand: every document has its timestamps rendered
  // at each change, and gmtime_r (which takes glibc's time-zone lock) with
  // snprintf was a twentieth of a finalize's actor time.
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t sod = secs - days * 86400;
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    // Four digits do not hold it: as printf writes it.
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d.%06ldZ",
                  static_cast<long long>(year), static_cast<int>(month), static_cast<int>(day),
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60), static_cast<long>(micros));
    return buf;
  }
  char out[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](std::size_t at, std::size_t width, std::int64_t value) {
    for (std::size_t i = width; i-- > 0; value /= 10)
      out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, year);
  put(5, 2, month);
  put(8, 2, day);
  put(11, 2, sod / 3600);
  put(14, 2, sod / 60 % 60);
  put(17, 2, sod % 60);
  put(20, 6, micros);
  return std::string(out, sizeof(out) - 1);
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

// Writes a document's text in one pass into one string. The structure (keys
// in the order nlohmann's std::map gives them, which earlier releases wrote)
// is spelled out here; every string value that needs escaping goes through
// nlohmann's serializer, with bytes that are not UTF-8 replaced by U+FFFD: the service only
// stores valid UTF-8, but recovery trusts any record with a good checksum,
// and a throw here would kill the registry actor (it renders dormant
// analyses). Building an nlohmann object per document instead cost about 40
// allocations, and made rendering a third of the scheduler's time per
// finalize (bench/).
class doc_writer {
public:
  explicit doc_writer(std::string& out)
    : out_(out),
      escaper_(nlohmann::detail::output_adapter<char>(out),
               ' ', nlohmann::json::error_handler_t::replace) {
  }

  doc_writer& raw(const char* text) {
    out_ += text;
    return *this;
  }

  doc_writer& str(const std::string& s) {
    // Printable ASCII other than '"' and '\\' is written as it is; anything
    // else (escapes, UTF-8, bytes to replace) is nlohmann's to write.
    bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      return c >= 0x20 && c != '"' && c != '\\' && static_cast<unsigned char>(c) < 0x80;
    });
    if (plain) {
      out_ += '"';
      out_ += s;
      out_ += '"';
    } else {
      escaper_.dump(nlohmann::json(s), false, false, 0);
    }
    return *this;
  }

  doc_writer& num(std::uint64_t n) {
    out_ += std::to_string(n);
    return *this;
  }

  doc_writer& num(std::int64_t n) {
    out_ += std::to_string(n);
    return *this;
  }

  doc_writer& time(timestamp t) {
    out_ += '"';
    out_ += format_timestamp(t);
    out_ += '"';
    return *this;
  }

  doc_writer& file(const std::string& analysis_id, const file_record& f) {
    raw("{\"analysis\":").str(analysis_id).raw(",\"description\":null,\"format\":");
    if (f.format.empty())
      raw("null");
    else
      str(f.format);
    raw(",\"id\":").num(f.id).raw(",\"name\":").str(f.name);
    raw(",\"name_on_disk\":").str(name_on_disk(f)).raw(",\"size\":").num(f.size);
    return raw(",\"uploaded_at\":").time(f.uploaded_at).raw("}");
  }

private:
  std::string& out_;
  nlohmann::detail::serializer<nlohmann::json> escaper_;
};

} // namespace

std::string render_file(const std::string& analysis_id, const file_record& file) {
  std::string out;
  out.reserve(256);
  doc_writer(out).file(analysis_id, file);
  return out;
}

const char* job_state(const analysis_state& a) {
  if (a.ready)
    return "complete";
  return a.job_acquired ? "running" : "waiting";
}

std::string render_analysis(const analysis_state& a, bool with_results) {
  std::string out;
  out.reserve(768 + 256 * a.files.size() + 64 * a.subtractions.size() + a.ml.size()
              + (with_results ? a.results.size() : 0));
  doc_writer w(out);
  const auto& handle = a.user_handle.empty() ? a.user_id : a.user_handle;
  auto user = [&] { w.raw("{\"handle\":").str(handle).raw(",\"id\":").str(a.user_id).raw("}"); };
  w.raw("{\"created_at\":").time(a.created_at).raw(",\"files\":[");
  for (std::size_t i = 0; i < a.files.size(); ++i)
    w.raw(i == 0 ? "" : ",").file(a.id, a.files[i]);
  w.raw("],\"id\":").str(a.id);
  w.raw(",\"index\":{\"id\":").str(a.index.id).raw(",\"version\":").num(a.index.version);
  // The job as analysisd knows it (SPEC.md): derived from its own records.
  w.raw("},\"job\":{\"archived\":false,\"created_at\":").time(a.created_at);
  w.raw(",\"id\":").str(a.job_id).raw(",\"progress\":").raw(a.ready ? "100" : "0");
  w.raw(",\"stage\":null,\"state\":\"").raw(job_state(a)).raw("\",\"user\":");
  user();
  w.raw(",\"workflow\":").str(a.workflow).raw("},\"ml\":");
  // ml is compact JSON text that the create handler checked: spliced in.
  w.raw(a.ml.empty() ? "null" : a.ml.c_str()).raw(",\"ready\":").raw(a.ready ? "true" : "false");
  if (!a.reference.id.empty()) {
    w.raw(",\"reference\":{\"data_type\":").str(a.reference.data_type);
    w.raw(",\"id\":").str(a.reference.id).raw(",\"name\":").str(a.reference.name).raw("}");
  }
  w.raw(",\"sample\":{\"id\":").str(a.sample.id).raw(",\"name\":").str(a.sample.name);
  w.raw("},\"subtractions\":[");
  for (std::size_t i = 0; i < a.subtractions.size(); ++i) {
    w.raw(i == 0 ? "{\"id\":" : ",{\"id\":").str(a.subtractions[i].id);
    w.raw(",\"name\":").str(a.subtractions[i].name).raw("}");
  }
  w.raw("],\"updated_at\":").time(a.updated_at).raw(",\"user\":");
  user();
  w.raw(",\"workflow\":").str(a.workflow).raw("}");
  return with_results ? add_results(std::move(out), a) : out;
}

std::string add_results(std::string summary, const analysis_state& a) {
  // results is already validated compact JSON: spliced in, not re-parsed.
  summary.pop_back();
  summary += ",\"results\":";
  summary += a.ready && !a.results.empty() ? a.results : std::string{"null"};
  summary += '}';
  return summary;
}

} // namespace analysisd
