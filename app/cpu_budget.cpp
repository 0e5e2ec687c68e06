#include "app/cpu_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

namespace analysisd {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string::size_type from = 0;
  for (;;) {
    auto at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos)
      return out;
    from = at + 1;
  }
}

bool octal(char c) {
  return c >= '0' && c <= '7';
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out.push_back(static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A cgroup file system that holds the cpu controller: it shows the cgroup
// `root` (as this process's cgroup namespace names it) at `point`.
struct cpu_mount {
  bool v2 = false;
  std::string root;
  std::string point;
};

std::vector<cpu_mount> cpu_mounts(const std::string& mountinfo) {
  std::vector<cpu_mount> out;
  std::istringstream in{mountinfo};
  for (std::string line; std::getline(in, line);) {
    // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
    // Fields are separated by one space; spaces inside them are escaped.
    auto f = split(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 4)
      continue;
    auto& type = dash[1];
    cpu_mount m;
    m.root = unescape(f[3]);
    m.point = unescape(f[4]);
    if (type == "cgroup2") {
      m.v2 = true;
      out.push_back(m);
    } else if (type == "cgroup") {
      auto opts = split(dash[3], ',');
      if (std::find(opts.begin(), opts.end(), "cpu") != opts.end())
        out.push_back(m);
    }
  }
  return out;
}

// The quota in one cgroup directory; nullopt: none, or unreadable.
std::optional<double> quota_in(const std::string& dir, bool v2, const file_reader& read) {
  if (v2) {
    auto max = read(dir + "/cpu.max"); // "QUOTA PERIOD", QUOTA "max" for none
    if (!max)
      return std::nullopt;
    std::istringstream in{*max};
    std::string quota;
    double period = 0;
    if (!(in >> quota >> period) || quota == "max" || period <= 0)
      return std::nullopt;
    char* end = nullptr;
    double q = std::strtod(quota.c_str(), &end);
    if (end == quota.c_str() || q <= 0)
      return std::nullopt;
    return q / period;
  }
  auto quota = read(dir + "/cpu.cfs_quota_us"); // -1 for none
  auto period = read(dir + "/cpu.cfs_period_us");
  if (!quota || !period)
    return std::nullopt;
  double q = std::strtod(quota->c_str(), nullptr);
  double p = std::strtod(period->c_str(), nullptr);
  if (q <= 0 || p <= 0)
    return std::nullopt;
  return q / p;
}

// Where the cgroup `path` is below the mount's root `root`: "" for the root
// itself, "/a/b" below it; nullopt when the mount does not show it (outside
// the root, or outside this process's cgroup namespace, "/..").
std::optional<std::string> below(const std::string& path, const std::string& root) {
  if (path.empty() || path[0] != '/' || path == "/.." || path.compare(0, 4, "/../") == 0)
    return std::nullopt;
  if (root == "/")
    return path == "/" ? std::string{} : path;
  if (path == root)
    return std::string{};
  if (path.compare(0, root.size(), root) == 0 && path.size() > root.size() && path[root.size()] == '/')
    return path.substr(root.size());
  return std::nullopt;
}

std::optional<double> smaller(std::optional<double> a, std::optional<double> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::min(*a, *b);
}

// procfs and cgroupfs files report a size of 0, so they are read to their
// end rather than by their size.
std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

} // namespace

unsigned cpu_budget::usable() const {
  auto n = std::max(1u, affinity);
  if (quota)
    n = std::min(n, static_cast<unsigned>(std::max(1.0, std::ceil(*quota))));
  return n;
}

std::optional<double> cgroup_cpu_quota(const std::string& proc_self_cgroup,
                                       const std::string& mountinfo, const file_reader& read) {
  auto mounts = cpu_mounts(mountinfo);
  std::optional<double> result;
  std::istringstream in{proc_self_cgroup};
  for (std::string line; std::getline(in, line);) {
    // HIERARCHY:CONTROLLERS:PATH, "0::PATH" for cgroup v2
    auto first = line.find(':');
    auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos)
      continue;
    auto controllers = split(line.substr(first + 1, second - first - 1), ',');
    auto path = line.substr(second + 1);
    bool v2 = line.compare(0, first, "0") == 0 && controllers == std::vector<std::string>{""};
    if (!v2 && std::find(controllers.begin(), controllers.end(), "cpu") == controllers.end())
      continue;
    for (auto& m : mounts) {
      if (m.v2 != v2)
        continue;
      auto rel = below(path, m.root);
      if (!rel)
        continue;
      // The cgroup's directory, then its ancestors up to the mount's root.
      std::string dir = m.point + *rel;
      for (;;) {
        result = smaller(result, quota_in(dir, v2, read));
        if (dir.size() <= m.point.size())
          break;
        dir.erase(dir.rfind('/'));
      }
    }
  }
  return result;
}

const cpu_budget& process_cpu_budget() {
  static const cpu_budget budget = [] {
    cpu_budget b;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof(set), &set) == 0)
      b.affinity = static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
    else // more CPUs than a cpu_set_t holds (EINVAL): count the online ones
      b.affinity = std::max(1u, std::thread::hardware_concurrency());
    auto cgroup = read_whole("/proc/self/cgroup");
    auto mountinfo = read_whole("/proc/self/mountinfo");
    if (cgroup && mountinfo)
      b.quota = cgroup_cpu_quota(*cgroup, *mountinfo, read_whole);
    return b;
  }();
  return budget;
}

std::size_t default_http_threads(const cpu_budget& budget) {
  return std::min<std::size_t>(2, budget.usable());
}

std::size_t default_scheduler_threads(const cpu_budget& budget) {
  return std::max<std::size_t>(1, budget.usable() / 2);
}

} // namespace analysisd
