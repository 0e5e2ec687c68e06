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
#include <optional>
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

  /// A copy of the value of `key`, or nullopt: for a writer, which needs no
  /// guard (it reads under the shard's mutex, so no other writer replaces
  /// what it reads meanwhile). Any thread.
  std::optional<V> copy_of(const std::string& key) const {
    auto h = hash(key);
    auto s = h & (count_ - 1);
    std::lock_guard<std::mutex> lock{locks_[s]};
    const index* idx = heads_[s].load(std::memory_order_relaxed);
    auto* i = idx != nullptr ? idx->find(h, key) : nullptr;
    if (i == nullptr)
      return std::nullopt;
    return i->entry->value;
  }

  /// Publishes every (key, value) that `each` passes to the function it is
  /// given, as that many publish() calls would (the last value given for a
  /// key wins), but building each shard's index once: for loading many keys
  /// at once, where publish() would copy a shard's index per key. Any thread.
  template <class Each>
  void publish_all(Each&& each) {
    std::vector<item> fresh;
    each([&](const std::string& key, V value) {
      std::unique_ptr<node> n{new node{key, std::move(value)}};
      fresh.push_back(item{hash(key), n.get()});
      n.release();
    });
    // By shard, then by hash; in the order given among equal hashes.
    std::stable_sort(fresh.begin(), fresh.end(), [this](const item& a, const item& b) {
      auto sa = a.hash & (count_ - 1), sb = b.hash & (count_ - 1);
      return sa != sb ? sa < sb : a.hash < b.hash;
    });
    for (auto from = fresh.begin(); from != fresh.end();) {
      auto s = from->hash & (count_ - 1);
      auto to = std::find_if(from, fresh.end(),
                             [&](const item& i) { return (i.hash & (count_ - 1)) != s; });
      merge_into(s, from, to);
      from = to;
    }
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

  /// Publishes the fresh nodes [from, to) of shard `s`, sorted by hash (in
  /// the order given among equal hashes), into its index.
  template <class It>
  void merge_into(std::size_t s, It from, It to) {
    std::lock_guard<std::mutex> lock{locks_[s]};
    auto* idx = heads_[s].load(std::memory_order_relaxed);
    const index* cur = idx;
    const std::size_t before = idx != nullptr ? cur->count : 0;
    // The shard's items, then the fresh ones, merged by hash (both runs are
    // sorted; the merge is stable): of the items of one key, the last is the
    // newest.
    struct candidate {
      item it;
      bool published; ///< In the shard's index now.
    };
    std::vector<candidate> all;
    all.reserve(before + static_cast<std::size_t>(to - from));
    if (idx != nullptr)
      for (const item& i : *cur)
        all.push_back({i, true});
    for (auto i = from; i != to; ++i)
      all.push_back({*i, false});
    std::inplace_merge(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(before), all.end(),
                       [](const candidate& a, const candidate& b) { return a.it.hash < b.it.hash; });
    // Keeps the newest item of each key; the nodes of the others are
    // retired (published) or deleted (never published).
    std::vector<const node*> replaced, unpublished;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
      bool superseded = false;
      for (std::size_t j = i + 1; !superseded && j < all.size() && all[j].it.hash == all[i].it.hash;
           ++j)
        superseded = all[j].it.entry->key == all[i].it.entry->key;
      if (!superseded)
        all[kept++] = all[i];
      else
        (all[i].published ? replaced : unpublished).push_back(all[i].it.entry);
    }
    auto* next = make_index(kept);
    for (std::size_t i = 0; i < kept; ++i)
      new (next->items() + i) item{all[i].it};
    heads_[s].store(next, std::memory_order_seq_cst);
    // Every key the shard had keeps an item.
    size_.fetch_add(kept - before, std::memory_order_relaxed);
    for (auto* n : unpublished)
      delete n;
    if (idx != nullptr)
      epoch_domain::instance().retire(idx, &delete_index);
    for (auto* n : replaced)
      epoch_domain::instance().retire(const_cast<node*>(n), &delete_node);
  }

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
