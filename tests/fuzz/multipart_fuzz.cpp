// Multipart body handling of an upload (RESTinio's enumerate_parts under
// parse_upload). The input is `<Content-Type value>\n<body>`. Invariants:
// never throws; the `file` part found points into the request's own body and
// stays readable for as long as the payload lives (after the request handle
// is gone); the upload checks accept or refuse it without throwing.

#include "actors/analysis_logic.hpp"
#include "fuzz_check.hpp"
#include "http/request_parsing.hpp"
#include "request.hpp"

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

using namespace analysisd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  std::string content_type = nl == std::string::npos ? input : input.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);

  auto req = fuzz::make_request("/api/analyses/abcd1234/files?name=reads.fa&format=fasta",
                                content_type, body);
  auto up = parse_upload(req);
  FUZZ_CHECK(up.name == "reads.fa" && up.has_format && up.format == "fasta");
  if (up.multipart_ok) {
    const char* begin = req->body().data();
    const char* end = begin + req->body().size();
    FUZZ_CHECK(up.bytes.size() <= body.size());
    FUZZ_CHECK(up.bytes.size() == 0 || (up.bytes.data() >= begin && up.bytes.data() + up.bytes.size() <= end));
    auto copy = std::string(up.bytes.data(), up.bytes.size());
    FUZZ_CHECK(body.find(copy) != std::string::npos);
    req.reset(); // the payload alone keeps the bytes alive (ASan checks this read)
    FUZZ_CHECK(up.bytes.size() == 0 || std::memcmp(up.bytes.data(), copy.data(), copy.size()) == 0);
  }
  analysis_state a;
  a.id = "abcd1234";
  auto err = check_upload(a, std::set<std::string>{}, up);
  FUZZ_CHECK(up.multipart_ok ? !err : code_of(err) == static_cast<std::uint8_t>(errc::invalid_multipart));
  return 0;
}
