#include "actors/protocol.hpp"

#include "actors/node_protocol.hpp"

#include "persistence/storage.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/all.hpp>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

namespace analysisd {

caf::error make_error(errc code) {
  return caf::error{static_cast<std::uint8_t>(code), error_category};
}

caf::error make_error(errc code, std::string context) {
  return caf::error{static_cast<std::uint8_t>(code), error_category,
                    caf::make_message(std::move(context))};
}

std::uint8_t code_of(const caf::error& err) {
  // An empty caf::error has no category to ask for.
  if (!err)
    return 0;
  return err.category() == error_category ? err.code() : 0;
}

std::string context_of(const caf::error& err) {
  if (!err)
    return {};
  auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

caf::error storage_error(const std::error_code& ec) {
  return make_error(is_disk_full(ec) ? errc::storage_full : errc::io_error, ec.message());
}

std::string sha256(const std::string& data) {
  // SHA256() fetches the algorithm from OpenSSL 3's providers on every call,
  // which took more than half of its time for a job key (bench/, GET
  // profile). Fetched once here, with a context for each thread.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx{EVP_MD_CTX_new(),
                                                                      EVP_MD_CTX_free};
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  bool ok = md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1
            && EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1
            && EVP_DigestFinal_ex(ctx.get(), digest, &size) == 1 && size == sizeof(digest);
  if (!ok)
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

credential admin_credential() {
  credential c;
  c.admin = true;
  return c;
}

credential job_credential(std::string job_id, const std::string& key) {
  credential c;
  c.job_id = std::move(job_id);
  c.key_hash = sha256(key);
  return c;
}

file_payload file_payload::from_string(std::string bytes) {
  auto owner = std::make_shared<std::string>(std::move(bytes));
  return file_payload(owner, owner->data(), owner->size());
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<named_ref>("analysisd::named_ref");
  cfg.add_message_type<index_ref>("analysisd::index_ref");
  cfg.add_message_type<file_record>("analysisd::file_record");
  cfg.add_message_type<analysis_state>("analysisd::analysis_state");
  cfg.add_message_type<journal_record>("analysisd::journal_record");
  cfg.add_message_type<credential>("analysisd::credential");
  cfg.add_message_type<create_request>("analysisd::create_request");
  cfg.add_message_type<file_payload>("analysisd::file_payload");
  cfg.add_message_type<upload_request>("analysisd::upload_request");
  cfg.add_message_type<file_location>("analysisd::file_location");
  cfg.add_message_type<list_request>("analysisd::list_request");
  cfg.add_message_type<backup_report>("analysisd::backup_report");
  cfg.add_message_type<lease_grant_reply>("analysisd::lease_grant_reply");
}

} // namespace analysisd
