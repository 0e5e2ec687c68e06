#pragma once

/// Epoch-based reclamation (Fraser's EBR) for data that threads read without
/// locks while other threads replace it (actors/view_table.hpp). A reader
/// announces the global epoch in a slot of its own for the length of a read;
/// a writer that unlinks an object retires it, and the object is deleted
/// only once the epoch has advanced twice past its retirement, which needs
/// every reader announced before to have left.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace analysisd {

class epoch_domain {
public:
  /// How many threads can read at once (each keeps its slot until it ends).
  static constexpr std::size_t max_readers = 256;

  /// The process's domain: created at first use, never destroyed (threads
  /// may still read while static objects go).
  static epoch_domain& instance();

  /// A read-side critical section on the calling thread: objects reachable
  /// at its start stay alive until it ends. Never blocks, takes no lock.
  /// Not reentrant: one guard per thread at a time.
  class guard {
  public:
    explicit guard(epoch_domain& domain) noexcept;
    ~guard();
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;

    /// False when every reader slot was taken by other threads: the caller
    /// must then read nothing (and take its slow path).
    bool active() const noexcept {
      return slot_ != nullptr;
    }

  private:
    std::atomic<std::uint64_t>* slot_;
  };

  /// Deletes `p` with `deleter` once no reader can hold it. `p` must be
  /// unreachable for readers that start from now on. Any thread; takes the
  /// writers' mutex, and frees what it can every `collect_every` retirements.
  void retire(void* p, void (*deleter)(void*));

  /// Advances the epoch as far as the readers allow and deletes what no
  /// reader can hold any more; returns how many objects it deleted. Any
  /// thread. With no reader inside a guard, everything retired is deleted.
  std::size_t collect();

  /// Objects retired and not yet deleted.
  std::size_t pending() const;

  epoch_domain();
  epoch_domain(const epoch_domain&) = delete;
  epoch_domain& operator=(const epoch_domain&) = delete;

private:
  friend class guard;
  static constexpr std::size_t collect_every = 64;
  // The slot of the calling thread, claimed at its first read and freed when
  // it ends; null if none is free.
  std::atomic<std::uint64_t>* thread_slot() noexcept;
  bool try_advance();
  std::size_t collect_locked();

  struct alignas(64) reader_slot {
    std::atomic<std::uint64_t> epoch{0}; ///< 0: not reading.
    std::atomic<bool> owned{false};
  };
  struct retired {
    void* object;
    void (*deleter)(void*);
    std::uint64_t epoch;
  };
  std::unique_ptr<reader_slot[]> slots_;
  alignas(64) std::atomic<std::uint64_t> global_{1};
  mutable std::mutex mutex_;
  std::vector<retired> retired_;
  std::size_t since_collect_ = 0;
};

} // namespace analysisd
