#include "app/cpu_budget.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace analysisd;

namespace {

// A file system of a few cgroup files, and the paths read from it.
struct cgroup_files {
  std::map<std::string, std::string> files;
  std::vector<std::string> asked;

  file_reader reader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      asked.push_back(path);
      auto i = files.find(path);
      if (i == files.end())
        return std::nullopt;
      return i->second;
    };
  }
};

// This host's kind: cgroup v1 controllers each on its own mount, and an
// empty unified line.
const char* hybrid_mounts =
  "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
  "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
  "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";

const char* unified_mounts =
  "25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
  "rw,nsdelegate,memory_recursiveprot\n"
  "26 22 0:23 / /proc rw,nosuid - proc proc rw\n";

} // namespace

TEST(cpu_budget, a_cgroup_v1_quota_is_quota_over_period) {
  cgroup_files fs;
  fs.files["/sys/fs/cgroup/cpu/bench/node1/cpu.cfs_quota_us"] = "40000\n";
  fs.files["/sys/fs/cgroup/cpu/bench/node1/cpu.cfs_period_us"] = "100000\n";
  fs.files["/sys/fs/cgroup/cpu/bench/cpu.cfs_quota_us"] = "-1\n";
  fs.files["/sys/fs/cgroup/cpu/bench/cpu.cfs_period_us"] = "100000\n";
  auto q = cgroup_cpu_quota("4:memory:/x\n1:cpu:/bench/node1\n0::/\n", hybrid_mounts, fs.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 0.4);
  // The memory hierarchy's path was not taken for the cpu controller's.
  for (auto& path : fs.asked)
    EXPECT_EQ(path.find("/x"), std::string::npos) << path;
}

TEST(cpu_budget, an_ancestors_smaller_quota_binds_its_children) {
  cgroup_files fs;
  fs.files["/sys/fs/cgroup/kubepods/pod1/c1/cpu.max"] = "max 100000\n";
  fs.files["/sys/fs/cgroup/kubepods/pod1/cpu.max"] = "150000 100000\n";
  fs.files["/sys/fs/cgroup/kubepods/cpu.max"] = "800000 100000\n";
  fs.files["/sys/fs/cgroup/cpu.max"] = "max 100000\n"; // the root has none
  auto q = cgroup_cpu_quota("0::/kubepods/pod1/c1\n", unified_mounts, fs.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 1.5);
}

TEST(cpu_budget, no_limit_anywhere_is_no_quota) {
  cgroup_files fs;
  fs.files["/sys/fs/cgroup/user.slice/cpu.max"] = "max 100000\n";
  EXPECT_FALSE(cgroup_cpu_quota("0::/user.slice\n", unified_mounts, fs.reader()));
  // v1 with the cpu controller at -1, and a v1 host whose cpu controller is
  // not mounted at all.
  cgroup_files v1;
  v1.files["/sys/fs/cgroup/cpu/cpu.cfs_quota_us"] = "-1\n";
  v1.files["/sys/fs/cgroup/cpu/cpu.cfs_period_us"] = "100000\n";
  EXPECT_FALSE(cgroup_cpu_quota("1:cpu:/\n0::/\n", hybrid_mounts, v1.reader()));
  EXPECT_FALSE(cgroup_cpu_quota("1:cpu:/\n", "26 22 0:23 / /proc rw - proc proc rw\n", v1.reader()));
  // Unreadable or malformed files count as no limit.
  cgroup_files bad;
  bad.files["/sys/fs/cgroup/a/cpu.max"] = "garbage";
  bad.files["/sys/fs/cgroup/cpu.max"] = "0 100000";
  EXPECT_FALSE(cgroup_cpu_quota("0::/a\n", unified_mounts, bad.reader()));
  EXPECT_FALSE(cgroup_cpu_quota("", unified_mounts, bad.reader()));
  EXPECT_FALSE(cgroup_cpu_quota("nonsense\n", unified_mounts, bad.reader()));
}

TEST(cpu_budget, a_container_sees_its_own_cgroup_at_the_mount) {
  // Docker without a cgroup namespace: the mount's root is the container's
  // cgroup, which /proc/self/cgroup names in full.
  const char* docker_v1 =
    "700 690 0:40 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n";
  cgroup_files fs;
  fs.files["/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"] = "200000";
  fs.files["/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us"] = "100000";
  auto q = cgroup_cpu_quota("3:cpu,cpuacct:/docker/abc\n", docker_v1, fs.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 2.0);
  // With a cgroup namespace (v2's default): "/" at a mount of "/".
  cgroup_files ns;
  ns.files["/sys/fs/cgroup/cpu.max"] = "50000 100000";
  q = cgroup_cpu_quota("0::/\n", unified_mounts, ns.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 0.5);
}

TEST(cpu_budget, a_mount_of_a_subtree_shows_only_the_cgroups_below_its_root) {
  // The mount shows /docker/abc; the process sits below it, in /docker/abc/w.
  const char* mounts = "700 690 0:40 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n";
  cgroup_files fs;
  fs.files["/sys/fs/cgroup/w/cpu.max"] = "max 100000";
  fs.files["/sys/fs/cgroup/cpu.max"] = "300000 100000";
  auto q = cgroup_cpu_quota("0::/docker/abc/w\n", mounts, fs.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 3.0);
  // A cgroup outside what the mount shows, whose name only starts like its
  // root, or outside the cgroup namespace: the mount's files belong to
  // another cgroup, so nothing is read and nothing is known.
  for (const char* outside : {"0::/other\n", "0::/docker/abcd\n", "0::/../sibling\n"}) {
    fs.asked.clear();
    EXPECT_FALSE(cgroup_cpu_quota(outside, mounts, fs.reader())) << outside;
    EXPECT_TRUE(fs.asked.empty()) << outside;
  }
  const char* root_mount = "25 22 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  fs.asked.clear();
  EXPECT_FALSE(cgroup_cpu_quota("0::/../sibling\n", root_mount, fs.reader()));
  EXPECT_TRUE(fs.asked.empty());
}

TEST(cpu_budget, mount_points_with_escaped_spaces_are_found) {
  const char* mounts = "31 30 0:28 / /mnt/cg\\040cpu rw - cgroup cgroup rw,cpu\n";
  cgroup_files fs;
  fs.files["/mnt/cg cpu/cpu.cfs_quota_us"] = "25000";
  fs.files["/mnt/cg cpu/cpu.cfs_period_us"] = "100000";
  auto q = cgroup_cpu_quota("1:cpu:/\n", mounts, fs.reader());
  ASSERT_TRUE(q);
  EXPECT_DOUBLE_EQ(*q, 0.25);
}

TEST(cpu_budget, a_fraction_of_a_cpu_gets_one_thread_of_each_kind_and_more_cpus_get_more) {
  cpu_budget host{2, std::nullopt};
  EXPECT_EQ(host.usable(), 2u);
  EXPECT_EQ(default_http_threads(host), 2u);
  EXPECT_EQ(default_scheduler_threads(host), 1u);

  cpu_budget fraction{64, 0.4}; // a small container on a big host
  EXPECT_EQ(fraction.usable(), 1u);
  EXPECT_EQ(default_http_threads(fraction), 1u);
  EXPECT_EQ(default_scheduler_threads(fraction), 1u);

  cpu_budget big{64, 8.5};
  EXPECT_EQ(big.usable(), 9u);
  EXPECT_EQ(default_http_threads(big), 2u);
  EXPECT_EQ(default_scheduler_threads(big), 4u);

  cpu_budget pinned{1, 4.0}; // affinity of one CPU under a larger quota
  EXPECT_EQ(pinned.usable(), 1u);
  EXPECT_EQ(default_http_threads(pinned), 1u);

  cpu_budget broken{0, std::nullopt};
  EXPECT_EQ(broken.usable(), 1u);
}
