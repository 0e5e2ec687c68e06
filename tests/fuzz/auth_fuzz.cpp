// The Basic credential parser (and the Bearer check) on arbitrary header values.
// Invariants: never throws; an accepted credential names a job and hashes its
// key, and encoding what was decoded gives the same credential back.

#include "fuzz_check.hpp"
#include "http/auth.hpp"

#include <openssl/evp.h>
#include <strings.h>

#include <cstdint>
#include <string>

using namespace analysisd;

namespace {

std::string encode_base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string header(reinterpret_cast<const char*>(data), size);
  auto res = parse_job_auth(header);
  FUZZ_CHECK(res.result == job_auth::ok || res.result == job_auth::invalid);

  // The value after "Basic " (trimmed) as base64, whatever the scheme.
  std::string decoded;
  auto payload = header.size() > 6 ? header.substr(6) : std::string();
  while (!payload.empty() && payload.front() == ' ')
    payload.erase(0, 1);
  while (!payload.empty() && payload.back() == ' ')
    payload.pop_back();
  if (decode_base64(payload, decoded)) {
    FUZZ_CHECK(decoded.size() <= payload.size() / 4 * 3);
    // Canonical base64 of the bytes decodes to the same bytes.
    std::string again;
    FUZZ_CHECK(decode_base64(encode_base64(decoded), again) || decoded.empty());
    FUZZ_CHECK(again == decoded);
  }

  if (res.result == job_auth::ok) {
    FUZZ_CHECK(!res.cred.admin);
    FUZZ_CHECK(!res.cred.job_id.empty());
    FUZZ_CHECK(res.cred.key_hash.size() == 32);
    FUZZ_CHECK(decode_base64(payload, decoded));
    auto colon = decoded.find(':');
    FUZZ_CHECK(colon != std::string::npos);
    FUZZ_CHECK(decoded.compare(0, 4, "job-") == 0);
    FUZZ_CHECK(res.cred.job_id == decoded.substr(4, colon - 4));
    FUZZ_CHECK(res.cred.key_hash == sha256(decoded.substr(colon + 1)));
    // Round trip: the canonical header of the same user and key.
    auto again = parse_job_auth("Basic " + encode_base64(decoded));
    FUZZ_CHECK(again.result == job_auth::ok);
    FUZZ_CHECK(again.cred.job_id == res.cred.job_id);
    FUZZ_CHECK(again.cred.key_hash == res.cred.key_hash);
  }

  // The operator check on the same bytes, against the hash of a fixed token.
  static const std::string token_hash = sha256("test-admin-token");
  auto bearer = header.size() > 7 && strncasecmp(header.data(), "Bearer ", 7) == 0;
  FUZZ_CHECK(is_admin(header, token_hash) == (bearer && header.substr(7) == "test-admin-token"));
  return 0;
}
