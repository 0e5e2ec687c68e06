#include "http/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <strings.h>

namespace analysisd {

bool decode_base64(const std::string& in, std::string& out) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 8192)
    return false;
  std::string buf(in.size() / 4 * 3, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(in.size()));
  if (n < 0)
    return false;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t pad = 0;
  if (in[in.size() - 1] == '=')
    ++pad;
  if (in[in.size() - 2] == '=')
    ++pad;
  // '=' only as padding at the very end.
  if (in.find('=') < in.size() - pad)
    return false;
  buf.resize(static_cast<std::size_t>(n) - pad);
  out = std::move(buf);
  return true;
}

namespace {

bool starts_with_scheme(const std::string& header, const char* scheme, std::size_t len) {
  return header.size() > len && strncasecmp(header.data(), scheme, len) == 0;
}

} // namespace

job_auth parse_job_auth(const std::optional<std::string>& header) {
  job_auth res;
  if (!header) {
    res.result = job_auth::missing;
    return res;
  }
  res.result = job_auth::invalid;
  if (!starts_with_scheme(*header, "Basic ", 6))
    return res;
  auto encoded = header->substr(6);
  while (!encoded.empty() && encoded.front() == ' ')
    encoded.erase(0, 1);
  while (!encoded.empty() && encoded.back() == ' ')
    encoded.pop_back();
  std::string decoded;
  if (!decode_base64(encoded, decoded))
    return res;
  auto colon = decoded.find(':');
  if (colon == std::string::npos)
    return res;
  auto user = decoded.substr(0, colon);
  if (user.size() <= 4 || user.compare(0, 4, "job-") != 0)
    return res;
  res.result = job_auth::ok;
  res.cred = job_credential(user.substr(4), decoded.substr(colon + 1));
  return res;
}

bool is_admin(const std::optional<std::string>& header, const std::string& token_hash) {
  if (!header || !starts_with_scheme(*header, "Bearer ", 7) || token_hash.size() != 32)
    return false;
  auto given = sha256(header->substr(7));
  return CRYPTO_memcmp(given.data(), token_hash.data(), 32) == 0;
}

} // namespace analysisd
