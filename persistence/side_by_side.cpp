#include "persistence/side_by_side.hpp"

#include <exception>
#include <system_error>
#include <thread>

namespace analysisd {

void side_by_side(const std::function<void()>& first, const std::function<void()>& second) {
  std::exception_ptr second_failed;
  std::thread worker;
  if (std::thread::hardware_concurrency() > 1) {
    try {
      worker = std::thread([&] {
        try {
          second();
        } catch (...) {
          second_failed = std::current_exception();
        }
      });
    } catch (const std::system_error&) { // no thread to be had: both run here
    }
  }
  if (!worker.joinable()) {
    first();
    second();
    return;
  }
  try {
    first();
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (second_failed)
    std::rethrow_exception(second_failed);
}

} // namespace analysisd
