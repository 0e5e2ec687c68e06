#pragma once

#include <restinio/connection_count_limiter.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace analysisd {

using acceptor_callback = restinio::connection_count_limits::impl::acceptor_callback_iface_t;

/// One limit on parallel connections for several RESTinio servers that
/// accept from one listening socket (one server per HTTP thread: see
/// server.cpp), by the rules of RESTinio's own limiter: an accept in
/// progress holds a slot, and an acceptor that finds none free waits until
/// a connection ends. Thread-safe: a connection may end on any thread (a CAF
/// thread dropping the last handle to its request).
class connection_gate {
public:
  /// `acceptors`: how many acceptor slots may wait at once (every server's
  /// concurrent accepts); room for them is made here, so that waiting never
  /// allocates. `open`, if given, is kept equal to the connections open.
  connection_gate(std::size_t max_connections, std::size_t acceptors,
                  std::atomic<std::uint64_t>* open = nullptr);

  connection_gate(const connection_gate&) = delete;
  connection_gate& operator=(const connection_gate&) = delete;

  /// `acceptor` asks for a slot to accept on its slot `index`: true if it
  /// may accept now; if not, it is called back later on its own thread
  /// (schedule_next_accept_attempt), when a connection ends.
  bool take_slot(acceptor_callback* acceptor, std::size_t index) noexcept;
  /// An accept that was given a slot gave a connection, which now holds it.
  void connection_opened() noexcept;
  /// A connection ended.
  void connection_closed() noexcept;

private:
  bool free_slot() const {
    return accepting_ + connections_ < max_;
  }

  std::mutex mutex_;
  const std::size_t max_;
  std::atomic<std::uint64_t>* const open_;
  std::size_t accepting_ = 0;
  std::size_t connections_ = 0;
  /// Acceptor slots waiting for a free one, first come first woken.
  std::vector<std::pair<acceptor_callback*, std::size_t>> waiting_;
};

/// The executor of the connections of a server that one thread runs on an
/// io_context of its own: they need no strand. A type of its own, so that
/// such servers count their connections in a connection_gate (below).
struct single_thread_executor : restinio::default_asio_executor {
  template <class Executor>
  single_thread_executor(Executor e) : restinio::default_asio_executor(std::move(e)) {
  }
};

/// While one lives, the RESTinio servers with single_thread_executor
/// constructed on this thread count their connections in `gate`. RESTinio
/// builds a server's limiter itself, from its settings' number alone.
class gate_for_new_servers {
public:
  explicit gate_for_new_servers(std::shared_ptr<connection_gate> gate);
  ~gate_for_new_servers();
  gate_for_new_servers(const gate_for_new_servers&) = delete;
  gate_for_new_servers& operator=(const gate_for_new_servers&) = delete;

  /// The gate in effect; throws std::logic_error if none is.
  static std::shared_ptr<connection_gate> current();
};

} // namespace analysisd

namespace restinio::connection_count_limits {

/// The limiter of a server with single_thread_executor: its share of a
/// connection_gate. Its server accepts on one slot at a time.
///
/// It also mends a leak of RESTinio 0.6's own limiter: an accept whose
/// connection is gone before it is looked at (reset by the client while
/// queued: remote_endpoint fails) asks again without ever opening a
/// connection, and RESTinio's limiter lost that slot for good; enough such
/// resets stopped the server accepting. Here the slot stays with the
/// acceptor until an accept opens a connection.
template <>
class connection_count_limiter_t<analysisd::single_thread_executor> {
public:
  connection_count_limiter_t(not_null_pointer_t<impl::acceptor_callback_iface_t> acceptor,
                             max_parallel_connections_t, max_active_accepts_t accepts);

  void increment_parallel_connections() noexcept;
  void decrement_parallel_connections() noexcept;
  void accept_next(std::size_t index) noexcept;

private:
  impl::acceptor_callback_iface_t* const acceptor_;
  const std::shared_ptr<analysisd::connection_gate> gate_;
  /// The acceptor's thread's: its slot holds a place in the gate.
  bool granted_ = false;
};

} // namespace restinio::connection_count_limits
