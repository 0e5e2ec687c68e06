#include "actors/epoch_domain.hpp"

namespace analysisd {

namespace {

// A thread's claim on a reader slot, given back when the thread ends.
struct slot_claim {
  std::atomic<bool>* owned = nullptr;
  std::atomic<std::uint64_t>* epoch = nullptr;
  bool tried = false;
  ~slot_claim() {
    if (owned != nullptr)
      owned->store(false, std::memory_order_release);
  }
};

thread_local slot_claim claim;

} // namespace

epoch_domain& epoch_domain::instance() {
  static auto* domain = new epoch_domain;
  return *domain;
}

epoch_domain::epoch_domain() : slots_(new reader_slot[max_readers]) {
}

std::atomic<std::uint64_t>* epoch_domain::thread_slot() noexcept {
  if (claim.epoch != nullptr || claim.tried)
    return claim.epoch;
  claim.tried = true;
  for (std::size_t k = 0; k < max_readers; ++k) {
    bool expected = false;
    if (slots_[k].owned.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      claim.owned = &slots_[k].owned;
      claim.epoch = &slots_[k].epoch;
      break;
    }
  }
  return claim.epoch;
}

epoch_domain::guard::guard(epoch_domain& domain) noexcept : slot_(domain.thread_slot()) {
  if (slot_ == nullptr)
    return;
  // Sequentially consistent, as the table's pointer loads and stores and the
  // writers' scan in try_advance: either a writer's scan sees this
  // announcement, or this reader's loads see what the writer unlinked before
  // it scanned. (A stale epoch only holds back more.)
  slot_->store(domain.global_.load(std::memory_order_relaxed), std::memory_order_seq_cst);
}

epoch_domain::guard::~guard() {
  if (slot_ != nullptr)
    slot_->store(0, std::memory_order_release);
}

void epoch_domain::retire(void* p, void (*deleter)(void*)) {
  std::lock_guard<std::mutex> lock{mutex_};
  retired_.push_back({p, deleter, global_.load(std::memory_order_relaxed)});
  if (++since_collect_ >= collect_every)
    collect_locked();
}

std::size_t epoch_domain::collect() {
  std::lock_guard<std::mutex> lock{mutex_};
  return collect_locked();
}

std::size_t epoch_domain::pending() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return retired_.size();
}

bool epoch_domain::try_advance() {
  auto current = global_.load(std::memory_order_seq_cst);
  for (std::size_t k = 0; k < max_readers; ++k) {
    auto e = slots_[k].epoch.load(std::memory_order_seq_cst);
    if (e != 0 && e != current)
      return false;
  }
  return global_.compare_exchange_strong(current, current + 1, std::memory_order_acq_rel);
}

std::size_t epoch_domain::collect_locked() {
  since_collect_ = 0;
  // Twice: an object retired in the current epoch is safe two epochs later.
  for (int k = 0; k < 2 && try_advance(); ++k) {
  }
  auto safe_before = global_.load(std::memory_order_acquire) - 1;
  std::size_t freed = 0;
  std::vector<retired> kept;
  for (auto& r : retired_) {
    if (r.epoch < safe_before) {
      r.deleter(r.object);
      ++freed;
    } else {
      kept.push_back(r);
    }
  }
  retired_.swap(kept);
  return freed;
}

} // namespace analysisd
