#include "actors/read_views.hpp"

#include <openssl/crypto.h>

#include <cstdio>
#include <functional>

namespace analysisd {

std::string document_etag(std::string_view document) {
  char tag[20];
  std::snprintf(tag, sizeof(tag), "\"%016zx\"",
                static_cast<std::size_t>(std::hash<std::string_view>{}(document)));
  return tag;
}

analysis_view make_analysis_view(std::shared_ptr<const std::string> document, std::string job_id,
                                 std::int64_t epoch) {
  analysis_view v;
  v.etag = document_etag(*document);
  v.document = std::move(document);
  v.job_id = std::move(job_id);
  v.epoch = epoch;
  return v;
}

analysis_view make_analysis_view(std::string document, std::string job_id, std::int64_t epoch) {
  return make_analysis_view(std::make_shared<const std::string>(std::move(document)),
                            std::move(job_id), epoch);
}

std::optional<view_read> read_from_views(const read_views& views, const credential& cred,
                                         const std::string& id,
                                         const std::function<bool(const std::string&)>& not_modified,
                                         std::optional<std::int64_t> epoch) {
  epoch_domain::guard g{epoch_domain::instance()};
  if (!g.active())
    return std::nullopt;
  if (!cred.admin) {
    auto* job = views.jobs.find(g, cred.job_id);
    if (job == nullptr || job->key_hash.size() != 32 || cred.key_hash.size() != 32
        || CRYPTO_memcmp(job->key_hash.data(), cred.key_hash.data(), 32) != 0)
      return std::nullopt;
  }
  auto* view = views.analyses.find(g, id);
  if (view == nullptr || (epoch && view->epoch != *epoch))
    return std::nullopt;
  view_read out;
  if (!cred.admin && view->job_id != cred.job_id) {
    out.forbidden = true;
    return out;
  }
  out.etag = view->etag;
  if (!not_modified || !not_modified(out.etag))
    out.document = view->document;
  return out;
}

} // namespace analysisd
