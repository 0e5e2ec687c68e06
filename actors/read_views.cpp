#include "actors/read_views.hpp"

#include <openssl/crypto.h>

#include <algorithm>
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

namespace {

using steady = std::chrono::steady_clock;

// A view's read time is refreshed once it is this old, not on every read:
// the threads reading a hot analysis do not take turns at its cache line.
constexpr steady::duration read_granularity = std::chrono::milliseconds(10);

void note_read(const analysis_view& view) {
  if (!view.read_at)
    return;
  auto now = steady::now().time_since_epoch().count();
  if (now - view.read_at->load(std::memory_order_relaxed) >= read_granularity.count())
    view.read_at->store(now, std::memory_order_relaxed);
}

} // namespace

void note_view_reads(const std::shared_ptr<read_views>& views, const std::string& id,
                     steady::time_point& last_used) {
  if (!views)
    return;
  epoch_domain::guard g{epoch_domain::instance()};
  if (!g.active())
    return;
  auto* view = views->analyses.find(g, id);
  if (view == nullptr || !view->read_at)
    return;
  steady::time_point read{steady::duration{view->read_at->load(std::memory_order_relaxed)}};
  last_used = std::max(last_used, read);
}

bool job_view::accepts(const std::string& hash) const {
  return acquired && hash.size() == key_hash.size()
         && CRYPTO_memcmp(key_hash.data(), hash.data(), key_hash.size()) == 0;
}

job_view acquired_job(std::string analysis_id, const std::string& key_hash) {
  job_view job;
  job.analysis_id = std::move(analysis_id);
  job.acquired = key_hash.size() == job.key_hash.size();
  if (job.acquired)
    std::copy(key_hash.begin(), key_hash.end(), job.key_hash.begin());
  return job;
}

bool job_may_write(const read_views& views, const credential& cred, const std::string& id) {
  if (cred.admin)
    return false;
  epoch_domain::guard g{epoch_domain::instance()};
  if (!g.active())
    return false;
  auto* job = views.jobs.find(g, cred.job_id);
  return job != nullptr && !job->removed && job->analysis_id == id && job->accepts(cred.key_hash);
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
    if (job == nullptr || !job->accepts(cred.key_hash))
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
  note_read(*view);
  out.etag = view->etag;
  if (!not_modified || !not_modified(out.etag))
    out.document = view->document;
  return out;
}

} // namespace analysisd
