// Query parsing (list paging, the upload's name and format) and file-name
// validation on arbitrary bytes. Invariants: never throws; accepted values are
// in range; an accepted file name is plain; is_valid_utf8 agrees with
// nlohmann's UTF-8 check.

#include "actors/analysis_logic.hpp"
#include "fuzz_check.hpp"
#include "http/request_parsing.hpp"
#include "request.hpp"

#include <cstdint>
#include <string>

using namespace analysisd;

namespace {

// nlohmann refuses to dump a string that is not UTF-8 (type_error 316).
bool nlohmann_utf8(const std::string& s) {
  try {
    nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

void check_errors_json(const caf::error& err, errc code) {
  FUZZ_CHECK(code_of(err) == static_cast<std::uint8_t>(code));
  nlohmann::json j;
  FUZZ_CHECK(parse_json_limited(context_of(err), j));
  FUZZ_CHECK(j.is_object() && !j.empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);

  // GET /admin/analyses?<input>
  list_request lr;
  if (auto err = parse_list_query(input, lr)) {
    check_errors_json(err, errc::invalid_query);
  } else {
    FUZZ_CHECK(lr.page >= 1 && lr.page <= 100000000);
    FUZZ_CHECK(lr.per_page >= 1 && lr.per_page <= 100);
  }

  std::uint64_t x = 0;
  if (parse_decimal(input, 9, x)) {
    FUZZ_CHECK(!input.empty() && input.size() <= 9);
    FUZZ_CHECK(input.find_first_not_of("0123456789") == std::string::npos);
    FUZZ_CHECK(std::to_string(x) == input.substr(std::min(input.find_first_not_of('0'), input.size() - 1)));
  }

  // POST /api/analyses/<id>/files?<input>: the query checks.
  auto req = fuzz::make_request("/api/analyses/abcd1234/files?" + input, "", "");
  auto up = parse_upload_query(req->header().query());
  FUZZ_CHECK(!up.multipart_ok && up.bytes.size() == 0);
  if (!check_upload_query(up)) {
    FUZZ_CHECK(is_plain_file_name(up.name));
    FUZZ_CHECK(!up.has_format || is_supported_format(up.format));
  }

  // The input itself as a file name.
  FUZZ_CHECK(is_valid_utf8(input) == nlohmann_utf8(input));
  if (is_plain_file_name(input)) {
    FUZZ_CHECK(!input.empty() && input.size() <= 255 && input != "." && input != "..");
    for (char ch : input) {
      auto c = static_cast<unsigned char>(ch);
      FUZZ_CHECK(c != '/' && c != '\\' && c >= 0x20 && c != 0x7F);
    }
    FUZZ_CHECK(is_valid_utf8(input));
  }
  return 0;
}
