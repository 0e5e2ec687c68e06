#include "persistence/side_by_side.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

using namespace analysisd;

TEST(side_by_side, both_run_on_two_threads_at_once_when_there_are_two_cores) {
  if (std::thread::hardware_concurrency() < 2)
    GTEST_SKIP() << "one core: both run on this thread";
  // Each waits (5 s at most) for the other to have started: only two
  // threads at once get both through.
  std::atomic<int> started{0};
  auto meet = [&] {
    ++started;
    for (int i = 0; i < 5000 && started < 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return started == 2;
  };
  bool first_met = false, second_met = false;
  std::thread::id first_on, second_on;
  side_by_side(
    [&] {
      first_on = std::this_thread::get_id();
      first_met = meet();
    },
    [&] {
      second_on = std::this_thread::get_id();
      second_met = meet();
    });
  EXPECT_TRUE(first_met);
  EXPECT_TRUE(second_met);
  EXPECT_EQ(first_on, std::this_thread::get_id()) << "the first runs on the caller's thread";
  EXPECT_NE(second_on, first_on);
}

TEST(side_by_side, an_exception_is_rethrown_once_both_have_ended) {
  std::atomic<bool> first_done{false}, second_done{false};
  EXPECT_THROW(side_by_side([&] { first_done = true; },
                            [&] {
                              second_done = true;
                              throw std::runtime_error{"second"};
                            }),
               std::runtime_error);
  EXPECT_TRUE(first_done);
  EXPECT_TRUE(second_done);
  first_done = second_done = false;
  try {
    side_by_side(
      [&] {
        first_done = true;
        throw std::logic_error{"first"};
      },
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        second_done = true;
        throw std::runtime_error{"second"};
      });
    ADD_FAILURE() << "nothing thrown";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "first") << "the first's, when both threw";
  }
  EXPECT_TRUE(first_done);
  EXPECT_TRUE(second_done) << "returned before the second had ended";
}
