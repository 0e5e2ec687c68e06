#include "actors/creation_order.hpp"

#include "persistence/log.hpp"

#include <algorithm>
#include <cstring>

namespace analysisd {

std::optional<creation_order::entry> creation_order::make_entry(timestamp created_at,
                                                                std::string_view id) {
  entry e{created_at, {}};
  // Every analysis id passed is_valid_id on its way in (create, the
  // snapshot, the journal): one that did not is a bug, which costs the
  // analysis its place in listings, not the registry its life.
  if (id.size() != e.id.size()) {
    log_error("creation_order: not an analysis id, left out of listings: "
              + std::string{id.substr(0, 64)});
    return std::nullopt;
  }
  std::memcpy(e.id.data(), id.data(), e.id.size());
  return e;
}

void creation_order::assign(const std::vector<std::pair<timestamp, std::string_view>>& analyses) {
  std::vector<entry> entries;
  entries.reserve(analyses.size());
  for (auto& [at, id] : analyses)
    if (auto e = make_entry(at, id))
      entries.push_back(*e);
  std::sort(entries.begin(), entries.end());
  entries_ = std::move(entries);
  hole_.assign(entries_.size(), false);
  holes_ = 0;
}

void creation_order::add(timestamp created_at, std::string_view id) {
  auto made = make_entry(created_at, id);
  if (!made)
    return;
  auto e = *made;
  auto at = entries_.empty() || entries_.back() < e
              ? entries_.end()
              : std::upper_bound(entries_.begin(), entries_.end(), e);
  hole_.insert(hole_.begin() + (at - entries_.begin()), false);
  entries_.insert(at, e);
}

void creation_order::remove(timestamp created_at, std::string_view id) {
  auto made = make_entry(created_at, id);
  if (!made)
    return;
  auto e = *made;
  auto i = std::lower_bound(entries_.begin(), entries_.end(), e);
  auto k = static_cast<std::size_t>(i - entries_.begin());
  if (i == entries_.end() || i->at != e.at || i->id != e.id || hole_[k])
    return;
  hole_[k] = true;
  ++holes_;
  if (holes_ > 64 && holes_ > entries_.size() / 4) {
    std::size_t kept = 0;
    for (std::size_t j = 0; j < entries_.size(); ++j)
      if (!hole_[j])
        entries_[kept++] = entries_[j];
    entries_.resize(kept);
    hole_.assign(kept, false);
    holes_ = 0;
  }
}

} // namespace analysisd
