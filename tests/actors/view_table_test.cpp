// The lock-free view table and its epoch-based reclamation: values are found
// while published, gone once withdrawn, and every value replaced or
// withdrawn is deleted once no reader can hold it, also while readers and
// writers run at once.

#include "actors/epoch_domain.hpp"
#include "actors/read_views.hpp"
#include "actors/view_table.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;

namespace {

// A value that counts its live copies, and checks that no reader ever sees
// one that was deleted (its `alive` is cleared by the destructor).
std::atomic<long> live_values{0};

struct counted {
  explicit counted(std::string k, long v) : key(std::move(k)), version(v) {
    ++live_values;
  }
  counted(counted&& o) noexcept : key(std::move(o.key)), version(o.version) {
    ++live_values;
  }
  counted(const counted&) = delete;
  ~counted() {
    alive.store(false);
    --live_values;
  }
  std::string key;
  long version;
  std::atomic<bool> alive{true};
};

// Frees everything retired (no reader is inside a guard when called).
void collect_all() {
  for (int k = 0; k < 4 && epoch_domain::instance().pending() > 0; ++k)
    epoch_domain::instance().collect();
}

} // namespace

TEST(view_table, a_published_value_is_found_until_withdrawn) {
  view_table<std::string> t{8};
  t.publish("a", "one");
  t.publish("b", "two");
  {
    epoch_domain::guard g{epoch_domain::instance()};
    ASSERT_TRUE(g.active());
    ASSERT_NE(t.find(g, "a"), nullptr);
    EXPECT_EQ(*t.find(g, "a"), "one");
    EXPECT_EQ(*t.find(g, "b"), "two");
    EXPECT_EQ(t.find(g, "c"), nullptr);
  }
  t.publish("a", "uno");
  t.withdraw("b");
  t.withdraw("nothing");
  epoch_domain::guard g{epoch_domain::instance()};
  EXPECT_EQ(*t.find(g, "a"), "uno");
  EXPECT_EQ(t.find(g, "b"), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

// A shard count that is not a power of two is rounded up to one; every key
// lands in a shard that exists, and is found there.
TEST(view_table, any_shard_count_holds_every_key) {
  for (std::size_t shards : {0u, 1u, 3u, 1000u}) {
    view_table<std::string> t{shards};
    for (int i = 0; i < 500; ++i)
      t.publish("key" + std::to_string(i), std::to_string(i));
    epoch_domain::guard g{epoch_domain::instance()};
    for (int i = 0; i < 500; ++i) {
      auto* v = t.find(g, "key" + std::to_string(i));
      ASSERT_NE(v, nullptr) << shards << " shards, key" << i;
      EXPECT_EQ(*v, std::to_string(i));
    }
    EXPECT_EQ(t.size(), 500u);
  }
}

// One shard holding many keys: each replace and withdraw copies the shard's
// index, and must keep every other key in it. No reader is inside a guard,
// so what a writer retires may be freed by its very next retire (under ASan
// a read of a freed index shows here).
TEST(view_table, replaces_and_withdraws_in_one_crowded_shard_keep_every_other_key) {
  constexpr int keys = 300;
  view_table<std::string> t{1};
  auto key = [](int i) { return "key" + std::to_string(i); };
  for (int i = 0; i < keys; ++i)
    t.publish(key(i), "v" + std::to_string(i));
  for (int i = 0; i < keys; i += 3)
    t.publish(key(i), "w" + std::to_string(i));
  for (int i = 1; i < keys; i += 2)
    t.withdraw(key(i));
  epoch_domain::guard g{epoch_domain::instance()};
  ASSERT_TRUE(g.active());
  for (int i = 0; i < keys; ++i) {
    auto* v = t.find(g, key(i));
    if (i % 2 == 1) {
      EXPECT_EQ(v, nullptr) << key(i);
      continue;
    }
    ASSERT_NE(v, nullptr) << key(i);
    EXPECT_EQ(*v, (i % 3 == 0 ? "w" : "v") + std::to_string(i));
  }
  EXPECT_EQ(t.size(), static_cast<std::size_t>(keys / 2));
}

TEST(view_table, replaced_and_withdrawn_values_are_deleted_once_no_reader_holds_them) {
  collect_all();
  auto before = live_values.load();
  view_table<counted> t{4};
  t.publish("a", counted{"a", 1});
  t.publish("b", counted{"b", 1});
  EXPECT_EQ(live_values.load(), before + 2);
  {
    // A reader holds version 1 of "a": replacing and withdrawing it must
    // not delete it while the guard lives.
    epoch_domain::guard g{epoch_domain::instance()};
    auto* held = t.find(g, "a");
    ASSERT_NE(held, nullptr);
    t.publish("a", counted{"a", 2});
    t.withdraw("a");
    epoch_domain::instance().collect();
    epoch_domain::instance().collect();
    EXPECT_TRUE(held->alive.load());
    EXPECT_EQ(held->version, 1);
    EXPECT_EQ(t.find(g, "a"), nullptr);
  }
  collect_all();
  EXPECT_EQ(live_values.load(), before + 1) << "versions 1 and 2 of a are deleted, b stays";
  EXPECT_EQ(epoch_domain::instance().pending(), 0u);
}

TEST(view_table, destroying_the_table_deletes_its_values) {
  collect_all();
  auto before = live_values.load();
  {
    view_table<counted> t{2};
    for (int k = 0; k < 10; ++k)
      t.publish("k" + std::to_string(k), counted{"k", k});
  }
  collect_all();
  EXPECT_EQ(live_values.load(), before);
}

// A bulk load builds each shard's index once: it adds keys to what is
// published, replaces the values of keys it gives again (their old values
// deleted once no reader holds them), and of a key given twice keeps the
// last value (the other is deleted at once: no reader ever saw it).
TEST(view_table, publish_all_merges_into_what_is_published_and_the_last_value_wins) {
  collect_all();
  auto before = live_values.load();
  {
    view_table<counted> t{4};
    auto key = [](int i) { return "k" + std::to_string(i); };
    for (int i = 0; i < 100; ++i)
      t.publish(key(i), counted{key(i), 1});
    t.publish_all([&](auto&& give) {
      for (int i = 50; i < 150; ++i)
        give(key(i), counted{key(i), 2});
      give(key(149), counted{key(149), 3});
      give(key(7), counted{key(7), 4});
    });
    EXPECT_EQ(t.size(), 150u);
    {
      epoch_domain::guard g{epoch_domain::instance()};
      ASSERT_TRUE(g.active());
      for (int i = 0; i < 150; ++i) {
        auto* v = t.find(g, key(i));
        ASSERT_NE(v, nullptr) << key(i);
        EXPECT_EQ(v->key, key(i));
        long want = i == 7 ? 4 : i == 149 ? 3 : i < 50 ? 1 : 2;
        EXPECT_EQ(v->version, want) << key(i);
      }
      EXPECT_EQ(t.find(g, key(150)), nullptr);
    }
    collect_all();
    EXPECT_EQ(live_values.load(), before + 150) << "every replaced or superseded value is deleted";
    t.publish_all([](auto&&) {});
    EXPECT_EQ(t.size(), 150u);
  }
  collect_all();
  EXPECT_EQ(live_values.load(), before);
}

TEST(view_table, copy_of_reads_without_a_guard) {
  view_table<std::string> t{2};
  EXPECT_EQ(t.copy_of("a"), std::nullopt);
  t.publish("a", "one");
  EXPECT_EQ(t.copy_of("a"), std::optional<std::string>{"one"});
  t.withdraw("a");
  EXPECT_EQ(t.copy_of("a"), std::nullopt);
}

// What the head of a write needs: the acquired job of that very analysis,
// its key, and the analysis not removed. Anything else asks the actors.
TEST(read_views, job_may_write_only_with_the_key_of_the_acquired_job_of_that_analysis) {
  read_views views;
  const std::string key(32, 'k');
  credential cred{false, "job1", key};
  EXPECT_FALSE(job_may_write(views, cred, "an1")) << "unknown job";
  job_view waiting;
  waiting.analysis_id = "an1";
  views.jobs.publish("job1", waiting);
  EXPECT_FALSE(job_may_write(views, cred, "an1")) << "not acquired";
  EXPECT_FALSE(waiting.accepts(std::string(32, '\0'))) << "no key before the acquire";
  views.jobs.publish("job1", acquired_job("an1", key));
  EXPECT_TRUE(job_may_write(views, cred, "an1"));
  EXPECT_FALSE(job_may_write(views, cred, "an2")) << "another analysis";
  EXPECT_FALSE(job_may_write(views, credential{false, "job1", std::string(32, 'x')}, "an1"));
  EXPECT_FALSE(job_may_write(views, credential{false, "job1", key.substr(1)}, "an1"));
  EXPECT_FALSE(job_may_write(views, credential{true, "", ""}, "an1")) << "not a job";
  auto removed = acquired_job("an1", key);
  removed.removed = true;
  views.jobs.publish("job1", removed);
  EXPECT_FALSE(job_may_write(views, cred, "an1")) << "analysis removed";
  EXPECT_TRUE(removed.accepts(key)) << "its key still authenticates";
  EXPECT_FALSE(acquired_job("an1", "short").acquired);
}

TEST(view_table, concurrent_readers_see_only_whole_live_values) {
  collect_all();
  auto before = live_values.load();
  constexpr int keys = 16, writers = 2, readers = 3, rounds = 3000;
  {
    view_table<counted> t{4}; // few shards: writers replace indexes often
    std::atomic<bool> stop{false};
    std::atomic<long> bad{0}, seen{0};
    std::vector<std::thread> threads;
    for (int r = 0; r < readers; ++r) {
      threads.emplace_back([&, r] {
        long k = r;
        while (!stop.load(std::memory_order_relaxed)) {
          auto key = "k" + std::to_string(k++ % keys);
          epoch_domain::guard g{epoch_domain::instance()};
          if (!g.active()) {
            ++bad;
            return;
          }
          if (auto* v = t.find(g, key)) {
            // A deleted value would show alive false (or garbage under ASan).
            if (!v->alive.load() || v->key != key || v->version < 0)
              ++bad;
            ++seen;
          }
        }
      });
    }
    std::vector<std::thread> writing;
    for (int w = 0; w < writers; ++w) {
      writing.emplace_back([&, w] {
        for (int i = 0; i < rounds; ++i) {
          auto key = "k" + std::to_string((i * writers + w) % keys);
          if (i % 5 == 4)
            t.withdraw(key);
          else
            t.publish(key, counted{key, i});
        }
      });
    }
    for (auto& th : writing)
      th.join();
    stop.store(true);
    for (auto& th : threads)
      th.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(seen.load(), 0);
  }
  collect_all();
  EXPECT_EQ(live_values.load(), before) << "every value replaced, withdrawn or left is deleted";
  EXPECT_EQ(epoch_domain::instance().pending(), 0u);
}

TEST(epoch_domain, a_reader_inside_a_guard_holds_back_what_was_retired_after_it_began) {
  collect_all();
  auto& d = epoch_domain::instance();
  std::atomic<int> deleted{0};
  static std::atomic<int>* counter = nullptr;
  counter = &deleted;
  auto count = [](void*) { ++*counter; };
  std::atomic<bool> inside{false}, leave{false};
  std::thread reader([&] {
    epoch_domain::guard g{d};
    inside.store(true);
    while (!leave.load())
      std::this_thread::yield();
  });
  while (!inside.load())
    std::this_thread::yield();
  int object = 0;
  d.retire(&object, count);
  for (int k = 0; k < 5; ++k)
    d.collect();
  EXPECT_EQ(deleted.load(), 0) << "deleted under a reader's feet";
  leave.store(true);
  reader.join();
  collect_all();
  EXPECT_EQ(deleted.load(), 1);
}

TEST(read_views, document_etag_is_a_quoted_tag_that_follows_the_bytes) {
  auto a = document_etag(R"({"id":"a"})");
  EXPECT_EQ(a.size(), 18u);
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_EQ(document_etag(R"({"id":"a"})"), a);
  EXPECT_NE(document_etag(R"({"id":"b"})"), a);
  EXPECT_NE(document_etag(""), a);
  auto v = make_analysis_view(R"({"id":"a"})", "jobjobjo");
  EXPECT_EQ(v.etag, a);
  EXPECT_EQ(v.job_id, "jobjobjo");
  ASSERT_TRUE(v.document);
  EXPECT_EQ(*v.document, R"({"id":"a"})");
}
