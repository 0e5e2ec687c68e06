#pragma once

/// How much CPU this process may use, for the default sizes of its thread
/// pools: a container limited to 0.4 of a core on a 64-core host should not
/// run 32 scheduler threads and 2 HTTP threads that only take turns for it.

#include <functional>
#include <optional>
#include <string>

namespace analysisd {

struct cpu_budget {
  unsigned affinity = 1;       ///< CPUs the affinity mask allows (sched_getaffinity).
  std::optional<double> quota; ///< The cgroup's CPU quota in CPUs, if it has one.

  /// CPUs worth a thread each: the affinity's, cut to the quota rounded up;
  /// at least 1.
  unsigned usable() const;
};

/// This process's budget, detected once (the first call reads /proc); safe
/// to call from any thread.
const cpu_budget& process_cpu_budget();

/// Reads a file whole; nullopt if it cannot be read.
using file_reader = std::function<std::optional<std::string>(const std::string& path)>;

/// The CPU quota (in CPUs) of the cgroup that `proc_self_cgroup` (the text
/// of /proc/self/cgroup) names, found through the mounts `mountinfo` (the
/// text of /proc/self/mountinfo) lists: cgroup v2's `cpu.max`, or v1's
/// `cpu.cfs_quota_us` over `cpu.cfs_period_us`, the smallest along the
/// cgroup and its ancestors up to the mount (a parent's limit binds its
/// children too). nullopt when nothing limits it ("max", -1, no cpu
/// controller, unreadable files) or no mount shows the cgroup.
std::optional<double> cgroup_cpu_quota(const std::string& proc_self_cgroup,
                                       const std::string& mountinfo, const file_reader& read);

/// The HTTP threads to run when --threads is not given: 2, or 1 when only one
/// CPU is usable.
std::size_t default_http_threads(const cpu_budget& budget);

/// The actor scheduler's threads when caf.scheduler.max-threads is not
/// given: half the usable CPUs (actors never block; the rest is for HTTP),
/// at least 1.
std::size_t default_scheduler_threads(const cpu_budget& budget);

} // namespace analysisd
