#pragma once

#include "persistence/model.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace analysisd {

/// The analyses in the order they were created (created_at, then id), for
/// listing them newest first. A sorted array of 16-byte entries: a tree
/// node per analysis took 80 bytes of heap for each of a million analyses
/// (bench/, RSS per analysis). Ids are analysis ids (is_valid_id: exactly 8
/// characters); any other is logged as an error and left out. A removal
/// marks its entry a hole, which readers skip; the holes are closed once
/// they are a quarter of the array, so a removal costs a search and,
/// amortized, a constant. An analysis created earlier than the newest one
/// (the clock went back) is inserted in place: a copy of the entries after
/// it.
class creation_order {
public:
  /// Replaces the contents with `analyses` (created_at and id each), in any order.
  void assign(const std::vector<std::pair<timestamp, std::string_view>>& analyses);
  void add(timestamp created_at, std::string_view id);
  /// Nothing if the analysis is not there.
  void remove(timestamp created_at, std::string_view id);
  /// Analyses held (holes not counted).
  std::size_t size() const {
    return entries_.size() - holes_;
  }
  /// Calls `f(id)` for up to `count` analyses, newest first, after skipping
  /// the `skip` newest.
  template <class F>
  void newest_first(std::size_t skip, std::size_t count, F&& f) const {
    for (auto k = entries_.size(); k > 0 && count > 0; --k) {
      if (hole_[k - 1])
        continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      f(std::string(entries_[k - 1].id.data(), entries_[k - 1].id.size()));
      --count;
    }
  }

private:
  struct entry {
    timestamp at;
    std::array<char, 8> id;
    bool operator<(const entry& other) const {
      return at != other.at ? at < other.at : id_order(id) < id_order(other.id);
    }
    /// The id as a number that orders as its characters do (ids are ASCII),
    /// first character highest: one comparison, not eight (a sort of a
    /// million at start-up). Compilers make this one load and a byte swap.
    static std::uint64_t id_order(const std::array<char, 8>& id) {
      std::uint64_t x = 0;
      for (char c : id)
        x = (x << 8) | static_cast<unsigned char>(c);
      return x;
    }
  };
  /// Nothing (and an error logged) if `id` is not an analysis id.
  static std::optional<entry> make_entry(timestamp created_at, std::string_view id);

  std::vector<entry> entries_; ///< Sorted, holes included (they keep their key).
  std::vector<bool> hole_;     ///< One per entry.
  std::size_t holes_ = 0;
};

} // namespace analysisd
