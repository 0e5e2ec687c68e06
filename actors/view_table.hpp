#pragma once

/// A table of immutable values by string key that threads read without any
/// lock while actors publish and withdraw them (DESIGN.md, "Reads"). It is
/// sharded by the key's hash; each shard is an immutable index behind an
/// atomic pointer: one block holding its count and its (hash, node) pairs
/// sorted by hash, each node holding a key and its value. A writer replaces
/// the whole index (copy on write) whenever a key comes, goes or gets a new
/// value, and retires what it replaced to the epoch domain
/// (actors/epoch_domain.hpp), which deletes it once no reader can hold it.
///
/// A GET reads here on every request, and its cost was its cache misses
/// (bench/, "profile GET"): a read loads the shard's pointer (the pointers
/// packed apart from the writers' mutexes), the index (count and pairs in
/// one block) and the node (key and value together; a key of up to 15 bytes,
/// as the ids are, lies in the node itself).

#include "actors/epoch_domain.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>

namespace analysisd {

template <class V>
class view_table {
public:
  /// `shards` is rounded up to a power of two (a shard is picked with a
  /// mask, not a division: this is on every read).
  explicit view_table(std::size_t shards = 4096)
    : count_(round_up_to_power_of_two(shards)),
      heads_(new std::atomic<index*>[count_]),
      locks_(new std::mutex[count_]) {
    for (std::size_t k = 0; k < count_; ++k)
      heads_[k].store(nullptr, std::memory_order_relaxed);
  }

  /// Only once no thread reads or writes the table any more.
  ~view_table() {
    for (std::size_t k = 0; k < count_; ++k) {
      auto* idx = heads_[k].load(std::memory_order_acquire);
      if (idx == nullptr)
        continue;
      const index& all = *idx;
      for (const item& i : all)
        delete i.entry;
      destroy_index(idx);
    }
  }

  view_table(const view_table&) = delete;
  view_table& operator=(const view_table&) = delete;

  /// The value of `key`, or null. Valid while `g` lives (`g` must be active).
  /// Lock-free: any thread, never blocks.
  const V* find(const epoch_domain::guard& g, std::string_view key) const {
    (void) g;
    auto h = hash(key);
    // Sequentially consistent (a plain load on x86), as epoch_domain's
    // reclamation argument needs.
    const index* idx = heads_[h & (count_ - 1)].load(std::memory_order_seq_cst);
    if (idx == nullptr)
      return nullptr;
    auto* i = idx->find(h, key);
    return i != nullptr ? &i->entry->value : nullptr;
  }

  /// Makes `value` the value of `key` for every read that starts after this
  /// returns. Any thread; writers of one shard take turns on its mutex.
  void publish(const std::string& key, V value) {
    std::unique_ptr<node> fresh{new node{key, std::move(value)}};
    auto h = hash(key);
    auto s = h & (count_ - 1);
    std::lock_guard<std::mutex> lock{locks_[s]};
    auto* idx = heads_[s].load(std::memory_order_relaxed);
    const index* cur = idx;
    const item* at = idx != nullptr ? cur->lower_bound(h) : nullptr;
    const item* old = idx != nullptr ? cur->find(h, key) : nullptr;
    // A copy of the index with the key's new node: one allocation and a copy
    // of pairs, however many keys the shard holds.
    auto size = idx == nullptr ? 0 : cur->count;
    auto* next = make_index(old != nullptr ? size : size + 1);
    auto* out = next->items();
    if (idx != nullptr)
      out = std::uninitialized_copy(cur->begin(), old != nullptr ? old : at, out);
    new (out++) item{h, fresh.release()};
    if (idx != nullptr)
      std::uninitialized_copy(old != nullptr ? old + 1 : at, cur->end(), out);
    heads_[s].store(next, std::memory_order_seq_cst);
    // What `old` points into may be deleted by any retire (one with no
    // reader about frees at once): read it before retiring anything.
    auto* replaced = old != nullptr ? const_cast<node*>(old->entry) : nullptr;
    if (replaced == nullptr)
      size_.fetch_add(1, std::memory_order_relaxed);
    if (idx != nullptr)
      epoch_domain::instance().retire(idx, &delete_index);
    if (replaced != nullptr)
      epoch_domain::instance().retire(replaced, &delete_node);
  }

  /// Removes `key` (nothing if absent): reads that start after this returns
  /// find nothing. Any thread.
  void withdraw(const std::string& key) {
    auto h = hash(key);
    auto s = h & (count_ - 1);
    std::lock_guard<std::mutex> lock{locks_[s]};
    auto* idx = heads_[s].load(std::memory_order_relaxed);
    if (idx == nullptr)
      return;
    const index* cur = idx;
    const item* gone = cur->find(h, key);
    if (gone == nullptr)
      return;
    index* next = nullptr;
    if (cur->count > 1) {
      next = make_index(cur->count - 1);
      std::uninitialized_copy(gone + 1, cur->end(),
                              std::uninitialized_copy(cur->begin(), gone, next->items()));
    }
    heads_[s].store(next, std::memory_order_seq_cst);
    size_.fetch_sub(1, std::memory_order_relaxed);
    // As in publish: `gone` points into `idx`, which the first retire may free.
    auto* removed = const_cast<node*>(gone->entry);
    epoch_domain::instance().retire(idx, &delete_index);
    epoch_domain::instance().retire(removed, &delete_node);
  }

  /// How many keys have a value. Any thread.
  std::size_t size() const {
    return size_.load(std::memory_order_relaxed);
  }

private:
  struct node {
    const std::string key;
    const V value;
  };
  struct item {
    std::size_t hash;
    const node* entry;
  };
  /// A count followed by that many items, sorted by hash, in one block (the
  /// items are placement-new'd into raw storage: trivially copyable pairs).
  struct index {
    std::size_t count;
    /// Where a fresh index's items are written.
    item* items() {
      return reinterpret_cast<item*>(this + 1);
    }
    const item* begin() const {
      return reinterpret_cast<const item*>(this + 1);
    }
    const item* end() const {
      return begin() + count;
    }
    const item* lower_bound(std::size_t h) const {
      return std::lower_bound(begin(), end(), h,
                              [](const item& x, std::size_t v) { return x.hash < v; });
    }
    /// The item of `key` (whose hash is `h`: keys of one hash lie side by
    /// side), or null.
    const item* find(std::size_t h, std::string_view key) const {
      for (auto i = lower_bound(h); i != end() && i->hash == h; ++i)
        if (i->entry->key == key)
          return i;
      return nullptr;
    }
  };
  static_assert(sizeof(index) % alignof(item) == 0, "the items follow the count");

  static index* make_index(std::size_t count) {
    return new (::operator new(sizeof(index) + count * sizeof(item))) index{count};
  }
  static void destroy_index(index* idx) {
    idx->~index();
    ::operator delete(idx);
  }
  static void delete_index(void* p) {
    destroy_index(static_cast<index*>(p));
  }
  static void delete_node(void* p) {
    delete static_cast<const node*>(p);
  }

  static std::size_t hash(std::string_view key) {
    return std::hash<std::string_view>{}(key);
  }

  static std::size_t round_up_to_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n)
      p <<= 1;
    return p;
  }

  const std::size_t count_; ///< A power of two.
  /// The shards' indexes (null: empty), apart from their writers' mutexes
  /// so that a read touches only the pointer's cache line.
  std::unique_ptr<std::atomic<index*>[]> heads_;
  std::unique_ptr<std::mutex[]> locks_;
  std::atomic<std::size_t> size_{0};
};

} // namespace analysisd
