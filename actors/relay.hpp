#pragma once

#include <caf/error.hpp>
#include <caf/result.hpp>

#include <chrono>

namespace analysisd {

/// The registry answers every request a facade relays to it (the HTTP handle
/// timeout applies to it as well); this only bounds what a lost answer would
/// hold.
constexpr auto registry_timeout = std::chrono::minutes(10);

/// Asks `dest` and answers the request `self` is handling with what `dest`
/// answers (or its error, or request_timeout after `timeout`).
///
/// Not a delegation: the answer comes from `self`. A facade published through
/// CAF's middleman relays, so that no handle of an actor behind it (the
/// registry's analysis actors) reaches a peer: the middleman keeps every
/// local actor it ever sent to a peer alive for as long as the process runs,
/// and the actor system would then never shut down. Call it on `self`'s
/// thread, from a message handler.
template <class R, class Self, class Dest, class Timeout, class... Ts>
caf::result<R> relay(Self* self, const Dest& dest, Timeout timeout, Ts&&... xs) {
  auto rp = self->template make_response_promise<R>();
  self->request(dest, timeout, std::forward<Ts>(xs)...)
    .then([rp](R& x) mutable { rp.deliver(std::move(x)); },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

} // namespace analysisd
