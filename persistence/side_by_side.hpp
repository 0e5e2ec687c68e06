#pragma once

#include <functional>

namespace analysisd {

/// Runs `first` on this thread and `second` on a thread of its own, side by
/// side, and returns once both have. Used where a start walks a million
/// analyses: two walks of independent parts take half the time on two
/// cores. Both run here, one after the other, on a machine with one core or
/// when no thread can be made. An exception of either is rethrown here once
/// both have ended (that of `first` if both threw). The two must not touch
/// the same memory unless only to read it.
void side_by_side(const std::function<void()>& first, const std::function<void()>& second);

} // namespace analysisd
