#include "actors/read_views.hpp"

#include <cstdio>
#include <functional>

namespace analysisd {

std::string document_etag(std::string_view document) {
  char tag[20];
  std::snprintf(tag, sizeof(tag), "\"%016zx\"",
                static_cast<std::size_t>(std::hash<std::string_view>{}(document)));
  return tag;
}

analysis_view make_analysis_view(std::string document, std::string job_id) {
  analysis_view v;
  v.etag = document_etag(document);
  v.document = std::move(document);
  v.job_id = std::move(job_id);
  return v;
}

} // namespace analysisd
