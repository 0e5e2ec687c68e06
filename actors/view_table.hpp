#pragma once

/// A table of immutable values by string key that threads read without any
/// lock while actors publish and withdraw them (DESIGN.md, "Reads"). It is
/// sharded; each shard is an immutable index (key -> entry, a sorted array)
/// behind an atomic pointer, replaced whole (copy on write) when a key comes
/// or goes, and each
/// entry holds its value behind an atomic pointer, swapped when the value of
/// a key that is there already changes. What a writer replaces is retired to
/// the epoch domain (actors/epoch_domain.hpp), which deletes it once no
/// reader can hold it.

#include "actors/epoch_domain.hpp"

#include <atomic>
#include <cstddef>
#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace analysisd {

template <class V>
class view_table {
public:
  /// `shards` is rounded up to a power of two (a shard is picked with a
  /// mask, not a division: this is on every read).
  explicit view_table(std::size_t shards = 4096)
    : count_(round_up_to_power_of_two(shards)),
      shards_(new shard[count_]) {
  }

  /// Only once no thread reads or writes the table any more.
  ~view_table() {
    for (std::size_t k = 0; k < count_; ++k) {
      auto* idx = shards_[k].current.load(std::memory_order_acquire);
      if (idx == nullptr)
        continue;
      for (auto& [key, e] : idx->entries)
        delete_entry(e);
      delete idx;
    }
  }

  view_table(const view_table&) = delete;
  view_table& operator=(const view_table&) = delete;

  /// The value of `key`, or null. Valid while `g` lives (`g` must be active).
  /// Lock-free: any thread, never blocks.
  const V* find(const epoch_domain::guard& g, std::string_view key) const {
    (void) g;
    // Sequentially consistent (plain loads on x86), as epoch_domain's
    // reclamation argument needs.
    auto* idx = shard_of(key).current.load(std::memory_order_seq_cst);
    if (idx == nullptr)
      return nullptr;
    auto i = idx->find(key);
    if (i == idx->entries.end())
      return nullptr;
    return i->second->value.load(std::memory_order_seq_cst);
  }

  /// Makes `value` the value of `key` for every read that starts after this
  /// returns. Any thread; writers of one shard take turns on its mutex.
  void publish(const std::string& key, V value) {
    auto* fresh = new V(std::move(value));
    auto& s = shard_of(key);
    std::lock_guard<std::mutex> lock{s.write};
    auto* idx = s.current.load(std::memory_order_relaxed);
    if (idx != nullptr) {
      if (auto i = idx->find(key); i != idx->entries.end()) {
        auto* old = i->second->value.exchange(fresh, std::memory_order_seq_cst);
        epoch_domain::instance().retire(const_cast<V*>(old), &delete_value);
        return;
      }
    }
    auto* e = new entry{key, fresh};
    // A sorted copy with the new key: one allocation and a copy of pointers,
    // however many keys the shard holds.
    auto* next = new index;
    std::string_view k{e->key};
    if (idx == nullptr) {
      next->entries.emplace_back(k, e);
    } else {
      auto at = idx->lower_bound(k);
      next->entries.reserve(idx->entries.size() + 1);
      next->entries.insert(next->entries.end(), idx->entries.cbegin(), at);
      next->entries.emplace_back(k, e);
      next->entries.insert(next->entries.end(), at, idx->entries.cend());
    }
    s.current.store(next, std::memory_order_seq_cst);
    size_.fetch_add(1, std::memory_order_relaxed);
    if (idx != nullptr)
      epoch_domain::instance().retire(idx, &delete_index);
  }

  /// Removes `key` (nothing if absent): reads that start after this returns
  /// find nothing. Any thread.
  void withdraw(const std::string& key) {
    auto& s = shard_of(key);
    std::lock_guard<std::mutex> lock{s.write};
    auto* idx = s.current.load(std::memory_order_relaxed);
    if (idx == nullptr)
      return;
    auto i = idx->find(key);
    if (i == idx->entries.end())
      return;
    auto* e = i->second;
    index* next = nullptr;
    if (idx->entries.size() > 1) {
      next = new index;
      next->entries.reserve(idx->entries.size() - 1);
      next->entries.insert(next->entries.end(), idx->entries.cbegin(), i);
      next->entries.insert(next->entries.end(), i + 1, idx->entries.cend());
    }
    s.current.store(next, std::memory_order_seq_cst);
    size_.fetch_sub(1, std::memory_order_relaxed);
    epoch_domain::instance().retire(idx, &delete_index);
    epoch_domain::instance().retire(e, &delete_entry_erased);
  }

  /// How many keys have a value. Any thread.
  std::size_t size() const {
    return size_.load(std::memory_order_relaxed);
  }

private:
  struct entry {
    entry(std::string k, const V* v) : key(std::move(k)), value(v) {
    }
    const std::string key;
    std::atomic<const V*> value;
  };
  struct index {
    using item = std::pair<std::string_view, entry*>;
    std::vector<item> entries; ///< Sorted by key.
    typename std::vector<item>::const_iterator lower_bound(std::string_view key) const {
      return std::lower_bound(entries.cbegin(), entries.cend(), key,
                              [](const item& x, std::string_view k) { return x.first < k; });
    }
    /// The entry of `key`, or entries.end().
    typename std::vector<item>::const_iterator find(std::string_view key) const {
      auto i = lower_bound(key);
      return i != entries.cend() && i->first == key ? i : entries.cend();
    }
  };
  struct shard {
    std::atomic<index*> current{nullptr};
    std::mutex write;
  };

  static void delete_value(void* p) {
    delete static_cast<V*>(p);
  }
  static void delete_index(void* p) {
    delete static_cast<index*>(p);
  }
  static void delete_entry(entry* e) {
    delete e->value.load(std::memory_order_relaxed);
    delete e;
  }
  static void delete_entry_erased(void* p) {
    delete_entry(static_cast<entry*>(p));
  }

  static std::size_t round_up_to_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n)
      p <<= 1;
    return p;
  }

  shard& shard_of(std::string_view key) const {
    return shards_[std::hash<std::string_view>{}(key) & (count_ - 1)];
  }

  const std::size_t count_; ///< A power of two.
  std::unique_ptr<shard[]> shards_;
  std::atomic<std::size_t> size_{0};
};

} // namespace analysisd
