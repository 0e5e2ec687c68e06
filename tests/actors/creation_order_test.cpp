#include "actors/creation_order.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace analysisd;

namespace {

std::string id_of(int i) {
  char id[9];
  std::snprintf(id, sizeof(id), "a%07d", i);
  return id;
}

// Every analysis `order` holds, newest first.
std::vector<std::string> all(const creation_order& order) {
  std::vector<std::string> ids;
  order.newest_first(0, order.size() + 1, [&](std::string id) { ids.push_back(std::move(id)); });
  return ids;
}

} // namespace

TEST(creation_order, lists_newest_first_by_time_then_id_and_pages_by_skip) {
  creation_order order;
  // Out of order, two at one time.
  order.assign({{30, id_of(3)}, {10, id_of(1)}, {20, id_of(9)}, {20, id_of(2)}});
  EXPECT_EQ(order.size(), 4u);
  EXPECT_EQ(all(order), (std::vector<std::string>{id_of(3), id_of(9), id_of(2), id_of(1)}));
  order.add(40, id_of(4));  // the usual case: the newest
  order.add(15, id_of(5));  // the clock went back: in its place
  EXPECT_EQ(all(order),
            (std::vector<std::string>{id_of(4), id_of(3), id_of(9), id_of(2), id_of(5), id_of(1)}));
  std::vector<std::string> page;
  order.newest_first(2, 2, [&](std::string id) { page.push_back(std::move(id)); });
  EXPECT_EQ(page, (std::vector<std::string>{id_of(9), id_of(2)}));
  page.clear();
  order.newest_first(6, 2, [&](std::string id) { page.push_back(std::move(id)); });
  EXPECT_TRUE(page.empty()) << "a page past the end is empty";
}

TEST(creation_order, removed_analyses_are_skipped_and_their_holes_closed) {
  creation_order order;
  std::vector<std::string> ids_made;
  for (int i = 0; i < 1000; ++i)
    ids_made.push_back(id_of(i));
  std::vector<std::pair<timestamp, std::string_view>> many;
  for (int i = 0; i < 1000; ++i)
    many.emplace_back(i / 3, ids_made[i]); // three per timestamp
  order.assign(many);
  // Every other one, in an order unlike the array's: holes, then (past a
  // quarter) closed, and searches keep finding the rest.
  for (int i = 998; i >= 0; i -= 2)
    order.remove(i / 3, id_of(i));
  order.remove(0, id_of(0));     // removed already: nothing
  order.remove(7, id_of(999));   // not there at that time: nothing
  EXPECT_EQ(order.size(), 500u);
  auto ids = all(order);
  ASSERT_EQ(ids.size(), 500u);
  for (std::size_t k = 0; k < ids.size(); ++k)
    EXPECT_EQ(ids[k], id_of(999 - 2 * static_cast<int>(k)));
  // Skipping counts analyses, not holes.
  std::vector<std::string> page;
  order.newest_first(10, 1, [&](std::string id) { page.push_back(std::move(id)); });
  EXPECT_EQ(page, std::vector<std::string>{id_of(979)});
  order.add(1000, id_of(1000));
  EXPECT_EQ(all(order).front(), id_of(1000));
}

TEST(creation_order, anything_but_an_analysis_id_is_left_out) {
  creation_order order;
  order.assign({{1, "short"}, {2, id_of(2)}});
  order.add(3, "much-too-long");
  order.remove(2, "short");
  EXPECT_EQ(all(order), std::vector<std::string>{id_of(2)});
}
