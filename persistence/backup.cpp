#include "persistence/backup.hpp"

#include "persistence/data_dir.hpp"
#include "persistence/journal.hpp"
#include "persistence/recovery.hpp"
#include "persistence/snapshot.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace analysisd {

namespace {

std::string without_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  return p;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr)
    return {};
  return buf;
}

backup_error io_fault(const std::string& what, const std::error_code& ec) {
  return {is_disk_full(ec) ? backup_fault::disk_full : backup_fault::failed,
          what + ": " + ec.message()};
}

std::error_code errno_code() {
  return {errno, std::generic_category()};
}

// Copies the bytes of `from` into the new file `to` (mode 0600) and fsyncs
// it: written under a temporary name ('.' first, which no final name has)
// and renamed, so that `to` is whole or absent. (The caller syncs the
// directory.)
std::error_code copy_file(const std::string& from, const std::string& final_name) {
  auto slash = final_name.rfind('/');
  const auto to = final_name.substr(0, slash + 1) + ".copy-" + final_name.substr(slash + 1);
  int in = ::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return errno_code();
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    auto ec = errno_code();
    ::close(in);
    return ec;
  }
  std::error_code ec;
  std::vector<char> buf(1u << 20);
  while (!ec) {
    auto n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ec = errno_code();
      break;
    }
    if (n == 0)
      break;
    for (ssize_t done = 0; done < n && !ec;) {
      auto w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        ec = errno_code();
      else
        done += w;
    }
  }
  if (!ec && ::fsync(out) != 0)
    ec = errno_code();
  ::close(in);
  if (::close(out) != 0 && !ec)
    ec = errno_code();
  if (!ec && ::rename(to.c_str(), final_name.c_str()) != 0)
    ec = errno_code();
  if (ec)
    ::unlink(to.c_str());
  return ec;
}

} // namespace

backup_job::backup_job(std::string data_dir, std::string dest, storage& st)
  : st_(st), data_dir_(without_trailing_slashes(std::move(data_dir))),
    dest_(without_trailing_slashes(std::move(dest))), started_(std::chrono::steady_clock::now()) {
}

backup_job::~backup_job() {
  if (!done_)
    abandon();
}

backup_error backup_job::open() {
  auto bad = [](std::string m) { return backup_error{backup_fault::bad_path, std::move(m)}; };
  if (dest_.empty() || dest_.front() != '/')
    return bad("must be an absolute path");
  if (dest_ == "/")
    return {backup_fault::not_empty, "Backup destination is not empty"};
  auto parent = real_path(parent_of(dest_));
  if (parent.empty())
    return bad("its parent directory " + parent_of(dest_) + " cannot be used: "
               + std::strerror(errno));
  auto data = real_path(data_dir_);
  if (data.empty())
    return {backup_fault::failed, "cannot resolve the data dir " + data_dir_ + ": "
                                    + std::strerror(errno)};
  auto name = dest_.substr(dest_.rfind('/') + 1);
  auto resolved = (parent == "/" ? "" : parent) + "/" + name;
  if (name != "." && name != ".." && st_.exists(resolved) && !real_path(resolved).empty())
    resolved = real_path(resolved); // an existing link to a directory counts as its target
  if (name == "." || name == ".." || resolved == data || resolved.rfind(data + "/", 0) == 0)
    return bad("must be outside the data dir " + data_dir_);
  if (::mkdir(dest_.c_str(), 0700) == 0) {
    created_dest_ = true;
  } else if (errno == EEXIST) {
    struct stat s {};
    if (::stat(dest_.c_str(), &s) != 0 || !S_ISDIR(s.st_mode))
      return bad("exists and is not a directory");
    std::vector<std::string> names;
    if (auto ec = st_.list_dir(dest_, names))
      return bad("cannot be listed: " + ec.message());
    if (!names.empty())
      return {backup_fault::not_empty, "Backup destination is not empty"};
  } else {
    return bad("cannot be created: " + std::string{std::strerror(errno)});
  }
  opened_ = true;
  // Until the backup is whole and durable, it says so: a server refuses to
  // start on it (a crash or a stop may interrupt it).
  auto marker = dest_ + "/" + unfinished_backup_file_name;
  if (auto ec = write_new_file(st_, marker, "a backup in progress, or one that never finished\n"))
    return io_fault("cannot write " + marker, ec);
  if (auto ec = st_.sync_dir(dest_))
    return io_fault("cannot sync " + dest_, ec);
  // A hard link from the data dir tells whether the destination is on its
  // file system (a bind mount of the same one is not: links give EXDEV).
  auto probe = dest_ + "/.link-probe";
  if (::link((data_dir_ + "/" + format_file_name).c_str(), probe.c_str()) == 0) {
    ::unlink(probe.c_str());
    pin_root_ = dest_;
  } else if (errno == EACCES || errno == EROFS || errno == EPERM) {
    // EPERM: a file system without hard links, or protected_hardlinks; a
    // copy then tells whether the destination is writable at all.
    int err = errno;
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      abandon();
      opened_ = false;
      return bad("is not writable: " + std::string{std::strerror(err)});
    }
    ::close(fd);
    ::unlink(probe.c_str());
    staging_ = true;
  } else {
    staging_ = true; // EXDEV, EMLINK, ...: copies
  }
  if (staging_) {
    pin_root_ = data_dir_ + "/state/" + staging_name;
    st_.remove_all(pin_root_);
    if (auto ec = st_.create_dir(pin_root_))
      return io_fault("cannot create " + pin_root_, ec);
  }
  for (auto& dir : {pin_root_ + "/state", pin_root_ + "/analyses"})
    if (auto ec = st_.create_dir(dir))
      return io_fault("cannot create " + dir, ec);
  return {};
}

backup_error backup_job::link_or_copy(const std::string& from, const std::string& to,
                                      bool& copied) {
  copied = false;
  auto ec = st_.link(from, to);
  if (!ec)
    return {};
  if (ec.value() == ENOENT && !st_.exists(from))
    return {backup_fault::none, "gone"}; // deleted meanwhile: not named by the pinned state
  if (ec.value() != EXDEV && ec.value() != EPERM && ec.value() != EMLINK)
    return io_fault("cannot link " + from + " to " + to, ec);
  copied = true;
  if (auto cec = copy_file(from, to))
    return io_fault("cannot copy " + from + " to " + to, cec);
  return {};
}

backup_error backup_job::pin(std::uint64_t upto) {
  upto_ = upto;
  bool copied = false;
  auto state = data_dir_ + "/state";
  std::vector<std::string> names;
  if (auto ec = st_.list_dir(state, names))
    return io_fault("cannot list " + state, ec);
  for (auto& name : names) {
    std::uint64_t seq = 0;
    bool wanted = name == snapshot_file_name || (parse_journal_name(name, seq) && seq < upto);
    if (!wanted)
      continue;
    if (auto err = link_or_copy(state + "/" + name, pin_root_ + "/state/" + name, copied))
      return err;
  }
  auto analyses = data_dir_ + "/analyses";
  std::vector<std::string> ids;
  if (st_.exists(analyses)) {
    if (auto ec = st_.list_dir(analyses, ids))
      return io_fault("cannot list " + analyses, ec);
  }
  for (auto& id : ids) {
    auto from_dir = analyses + "/" + id;
    if (!st_.is_directory(from_dir))
      continue;
    std::vector<std::string> files;
    if (auto ec = st_.list_dir(from_dir, files)) {
      if (ec.value() == ENOENT)
        continue; // removed meanwhile: its removal was recorded before the pin
      return io_fault("cannot list " + from_dir, ec);
    }
    auto to_dir = pin_root_ + "/analyses/" + id;
    bool made = false;
    for (auto& f : files) {
      // Final names start with the file id; temporary ones with '.'.
      if (f.empty() || f[0] < '0' || f[0] > '9')
        continue;
      if (!made) {
        if (auto ec = st_.create_dir(to_dir))
          return io_fault("cannot create " + to_dir, ec);
        made = true;
      }
      if (auto err = link_or_copy(from_dir + "/" + f, to_dir + "/" + f, copied))
        return err;
      if (copied)
        copied_.insert(id + "/" + f);
    }
  }
  return {};
}

backup_error backup_job::finish(backup_report& out) {
  auto err = finish_steps(out);
  if (err)
    abandon();
  else
    done_ = true;
  return err;
}

backup_error backup_job::finish_steps(backup_report& out) {
  out = backup_report{};
  out.path = dest_;
  out.journal_seq = upto_;
  // Every journal of the pin folded into one snapshot. compact() never
  // writes to a file in place (a new snapshot is renamed over the old name,
  // journals are unlinked), so the links to the data dir's inodes are safe.
  auto pinned_state = pin_root_ + "/state";
  if (auto e = compact(st_, pinned_state, upto_); !e.empty())
    return {backup_fault::failed, "cannot fold the journals into a snapshot: " + e};
  state_map state;
  std::uint64_t next = 0;
  if (auto e = load_snapshot(st_, pinned_state, state, next); !e.empty())
    return {backup_fault::failed, "cannot read the backup's snapshot: " + e};
  auto pinned_files = pin_root_ + "/analyses";
  auto dest_files = dest_ + "/analyses";
  std::vector<std::string> ids;
  if (auto ec = st_.list_dir(pinned_files, ids))
    return io_fault("cannot list " + pinned_files, ec);
  // Pinned, but not named by the snapshot: analyses removed or files whose
  // record was not yet durable at the pin. They go.
  for (auto& id : ids) {
    auto i = state.find(id);
    auto dir = pinned_files + "/" + id;
    if (i == state.end() || i->second.removed) {
      if (auto ec = st_.remove_all(dir))
        return io_fault("cannot remove " + dir, ec);
      continue;
    }
    std::unordered_set<std::string> named;
    for (auto& f : i->second.files)
      named.insert(name_on_disk(f));
    std::vector<std::string> files;
    if (auto ec = st_.list_dir(dir, files))
      return io_fault("cannot list " + dir, ec);
    for (auto& f : files)
      if (named.count(f) == 0)
        if (auto ec = st_.remove(dir + "/" + f))
          return io_fault("cannot remove " + dir + "/" + f, ec);
  }
  if (staging_) {
    for (auto& dir : {dest_ + "/state", dest_files})
      if (auto ec = st_.create_dir(dir))
        return io_fault("cannot create " + dir, ec);
    auto snap = std::string{"/state/"} + snapshot_file_name;
    if (auto ec = copy_file(pin_root_ + snap, dest_ + snap))
      return io_fault("cannot copy the snapshot to " + dest_ + snap, ec);
  }
  for (auto& [id, a] : state) {
    if (a.removed)
      continue;
    ++out.analyses;
    if (a.files.empty())
      continue;
    auto pinned_dir = pinned_files + "/" + id;
    auto dest_dir = dest_files + "/" + id;
    if (staging_ && st_.exists(pinned_dir))
      if (auto ec = st_.create_dir(dest_dir))
        return io_fault("cannot create " + dest_dir, ec);
    for (auto& f : a.files) {
      auto name = name_on_disk(f);
      if (!st_.exists(pinned_dir + "/" + name)) {
        ++out.missing; // the data dir lacks these bytes too (its start-up logged it)
        continue;
      }
      ++out.files;
      out.bytes += f.size;
      out.copied += staging_ || copied_.count(id + "/" + name) != 0 ? 1 : 0;
      if (staging_) {
        if (auto ec = copy_file(pinned_dir + "/" + name, dest_dir + "/" + name))
          return io_fault("cannot copy " + pinned_dir + "/" + name, ec);
      }
    }
    if (st_.exists(dest_dir))
      if (auto ec = st_.sync_dir(dest_dir))
        return io_fault("cannot sync " + dest_dir, ec);
  }
  // Counted over the files the snapshot names (not those pinned and dropped).
  out.linked = out.files - out.copied;
  if (staging_)
    st_.remove_all(pin_root_);
  auto token = data_dir_ + "/admin-token";
  if (st_.exists(token)) {
    if (auto ec = copy_file(token, dest_ + "/admin-token"))
      return io_fault("cannot copy " + token, ec);
    out.admin_token = true;
  }
  if (auto e = write_data_dir_format(st_, dest_); !e.empty())
    return {backup_fault::failed, e};
  for (auto& dir : {dest_files, dest_ + "/state", dest_, parent_of(dest_)})
    if (auto ec = st_.sync_dir(dir))
      return io_fault("cannot sync " + dir, ec);
  // Whole and durable: the marker goes last.
  auto marker = dest_ + "/" + unfinished_backup_file_name;
  if (auto ec = st_.remove(marker))
    return io_fault("cannot remove " + marker, ec);
  if (auto ec = st_.sync_dir(dest_))
    return io_fault("cannot sync " + dest_, ec);
  out.seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return {};
}

void backup_job::abandon() {
  if (done_ || !opened_)
    return;
  if (staging_)
    st_.remove_all(data_dir_ + "/state/" + staging_name);
  if (created_dest_) {
    st_.remove_all(dest_);
  } else {
    std::vector<std::string> names;
    st_.list_dir(dest_, names);
    for (auto& n : names)
      st_.remove_all(dest_ + "/" + n);
  }
  opened_ = false;
}

std::uint64_t backup_job::next_journal_seq(storage& st, const std::string& data_dir,
                                           std::string& error) {
  auto state = data_dir + "/state";
  std::vector<std::string> names;
  if (auto ec = st.list_dir(state, names)) {
    error = "cannot list " + state + ": " + ec.message();
    return 0;
  }
  std::uint64_t next = 1;
  for (auto& name : names) {
    std::uint64_t seq = 0;
    if (parse_journal_name(name, seq))
      next = std::max(next, seq + 1);
  }
  state_map ignored;
  std::uint64_t snapshot_next = 1;
  if (auto e = load_snapshot(st, state, ignored, snapshot_next); !e.empty()) {
    error = state + "/" + snapshot_file_name + ": " + e;
    return 0;
  }
  return std::max(next, snapshot_next);
}

} // namespace analysisd
