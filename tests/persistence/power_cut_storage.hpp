#pragma once

// A storage that loses power (LevelDB's db/fault_injection_test.cc), in
// memory. It keeps a file system of inodes and directory entries, records
// every change made through it in one ordered log, and can say at any point
// of that log what a crashed kernel may have left on disk:
// - a file keeps the bytes of its last fsync/fdatasync; later writes and
//   truncates are lost;
// - a directory keeps the entries of its last fsync; later creates, renames,
//   links, unlinks and mkdirs in it are lost (a rename between two
//   directories is two changes, one per directory).
// The adversarial variant lets a random prefix of each file's unsynced writes
// survive (the last one possibly torn) and a random prefix of each
// directory's unsynced entry changes, as a kernel that wrote back some of its
// dirty state before the cut may.

#include "persistence/storage.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace analysisd::test {

/// What a disk holds after a restart: every directory and every file with its
/// bytes, by absolute path ("/" is the root and always exists).
struct disk_image {
  std::set<std::string> dirs;
  std::map<std::string, std::string> files;
};

/// One recorded change (or a test's mark, `note`).
struct fs_op {
  enum class kind : std::uint8_t {
    mkdir, create, write, truncate, sync, rename, link, unlink, rmdir, sync_dir, note
  };
  kind k = kind::note;
  std::string path;       ///< mkdir, create, rename/link (from), unlink, rmdir, sync_dir.
  std::string path2;      ///< rename/link (to).
  std::uint64_t inode = 0; ///< write, truncate, sync.
  std::string data;       ///< write.
  std::uint64_t size = 0; ///< truncate; write: the offset.
  int mark = 0;           ///< note.
};

enum class cut_mode {
  strict,     ///< Only what was fsynced survives.
  adversarial, ///< Also a random prefix of what was not.
  nothing_lost ///< No cut: everything written, as the live file system shows it.
};

/// The file system as inodes, each with what is current and what is durable.
/// Paths are absolute; ops are assumed valid (power_cut_storage checks them).
class fs_model {
public:
  explicit fs_model(const disk_image& base = {}) {
    nodes_.emplace_back(); // the root
    nodes_[0].dir = true;
    for (auto& d : base.dirs)
      if (d != "/")
        apply_mkdir(d);
    for (auto& [path, bytes] : base.files) {
      auto id = apply_create(path);
      nodes_[id].data = bytes;
    }
    for (auto& n : nodes_) { // a restarted disk: all of it is durable
      n.durable = n.data;
      n.durable_entries = n.entries;
      n.pending.clear();
      n.pending_entries.clear();
    }
  }

  static std::string parent(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }

  static std::string base_name(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
  }

  /// The inode at `path`, or -1.
  std::int64_t resolve(const std::string& path) const {
    std::int64_t cur = 0;
    std::size_t pos = 1;
    while (pos <= path.size() && cur >= 0) {
      auto next = path.find('/', pos);
      if (next == std::string::npos)
        next = path.size();
      if (next > pos) {
        auto& n = nodes_[static_cast<std::size_t>(cur)];
        if (!n.dir)
          return -1;
        auto i = n.entries.find(path.substr(pos, next - pos));
        cur = i == n.entries.end() ? -1 : static_cast<std::int64_t>(i->second);
      }
      pos = next + 1;
    }
    return cur;
  }

  bool is_dir(std::int64_t id) const {
    return id >= 0 && nodes_[static_cast<std::size_t>(id)].dir;
  }

  const std::string& data(std::int64_t id) const {
    return nodes_[static_cast<std::size_t>(id)].data;
  }

  std::vector<std::string> names(std::int64_t dir) const {
    std::vector<std::string> out;
    for (auto& [name, id] : nodes_[static_cast<std::size_t>(dir)].entries)
      out.push_back(name);
    return out;
  }

  std::uint64_t next_inode() const {
    return nodes_.size();
  }

  void apply(const fs_op& op) {
    using k = fs_op::kind;
    switch (op.k) {
      case k::mkdir: apply_mkdir(op.path); break;
      case k::create: apply_create(op.path); break;
      case k::write: {
        auto& n = nodes_[op.inode];
        write_into(n.data, op.size, op.data);
        n.pending.push_back({false, op.data, op.size});
        break;
      }
      case k::truncate: {
        auto& n = nodes_[op.inode];
        n.data.resize(op.size);
        n.pending.push_back({true, {}, op.size});
        break;
      }
      case k::sync: {
        auto& n = nodes_[op.inode];
        n.durable = n.data;
        n.pending.clear();
        break;
      }
      case k::sync_dir: {
        auto& n = nodes_[static_cast<std::size_t>(resolve(op.path))];
        n.durable_entries = n.entries;
        n.pending_entries.clear();
        break;
      }
      case k::rename: {
        auto id = static_cast<std::uint64_t>(resolve(op.path));
        auto from_dir = static_cast<std::size_t>(resolve(parent(op.path)));
        auto to_dir = static_cast<std::size_t>(resolve(parent(op.path2)));
        auto from = base_name(op.path), to = base_name(op.path2);
        nodes_[from_dir].entries.erase(from);
        nodes_[to_dir].entries[to] = id;
        if (from_dir == to_dir) {
          nodes_[to_dir].pending_entries.push_back({{to, id}, {from, -1}});
        } else {
          nodes_[to_dir].pending_entries.push_back({{to, id}});
          nodes_[from_dir].pending_entries.push_back({{from, -1}});
        }
        break;
      }
      case k::link: {
        auto id = static_cast<std::uint64_t>(resolve(op.path));
        add_entry(op.path2, id);
        break;
      }
      case k::unlink:
      case k::rmdir: {
        auto dir = static_cast<std::size_t>(resolve(parent(op.path)));
        auto name = base_name(op.path);
        nodes_[dir].entries.erase(name);
        nodes_[dir].pending_entries.push_back({{name, -1}});
        break;
      }
      case k::note: break;
    }
  }

  /// What the disk holds if the power is cut now. `rng` is used by
  /// cut_mode::adversarial only.
  disk_image crash(cut_mode mode, std::mt19937_64& rng) const {
    disk_image img;
    img.dirs.insert("/");
    std::map<std::uint64_t, std::string> contents; // per inode, so that links agree
    crash_dir(0, "", mode, rng, img, contents);
    return img;
  }

private:
  struct data_op {
    bool truncate;
    std::string data;   ///< A write's.
    std::uint64_t size; ///< A truncate's size, a write's offset.
  };

  /// `data` written at `offset` of `bytes`, which grow (with zeros) as needed.
  static void write_into(std::string& bytes, std::uint64_t offset, const std::string& data) {
    if (bytes.size() < offset + data.size())
      bytes.resize(offset + data.size());
    bytes.replace(offset, data.size(), data);
  }
  /// One atomic change of a directory: (name, inode or -1 for "gone").
  using entry_change = std::vector<std::pair<std::string, std::int64_t>>;

  struct node {
    bool dir = false;
    std::string data, durable;
    std::vector<data_op> pending;
    std::map<std::string, std::uint64_t> entries, durable_entries;
    std::vector<entry_change> pending_entries;
  };

  void add_entry(const std::string& path, std::uint64_t id) {
    auto dir = static_cast<std::size_t>(resolve(parent(path)));
    auto name = base_name(path);
    nodes_[dir].entries[name] = id;
    nodes_[dir].pending_entries.push_back({{name, static_cast<std::int64_t>(id)}});
  }

  std::uint64_t apply_mkdir(const std::string& path) {
    auto id = nodes_.size();
    nodes_.emplace_back();
    nodes_.back().dir = true;
    add_entry(path, id);
    return id;
  }

  std::uint64_t apply_create(const std::string& path) {
    auto id = nodes_.size();
    nodes_.emplace_back();
    add_entry(path, id);
    return id;
  }

  static std::size_t pick(std::size_t n, std::mt19937_64& rng) {
    return std::uniform_int_distribution<std::size_t>{0, n}(rng);
  }

  void crash_dir(std::uint64_t id, const std::string& path, cut_mode mode, std::mt19937_64& rng,
                 disk_image& img, std::map<std::uint64_t, std::string>& contents) const {
    auto& n = nodes_[id];
    auto entries = mode == cut_mode::nothing_lost ? n.entries : n.durable_entries;
    if (mode == cut_mode::adversarial) {
      auto keep = pick(n.pending_entries.size(), rng);
      for (std::size_t i = 0; i < keep; ++i)
        for (auto& [name, target] : n.pending_entries[i]) {
          if (target < 0)
            entries.erase(name);
          else
            entries[name] = static_cast<std::uint64_t>(target);
        }
    }
    for (auto& [name, child] : entries) {
      auto child_path = path + "/" + name;
      if (nodes_[child].dir) {
        img.dirs.insert(child_path);
        crash_dir(child, child_path, mode, rng, img, contents);
        continue;
      }
      auto i = contents.find(child);
      if (i == contents.end())
        i = contents.emplace(child, crash_file(nodes_[child], mode, rng)).first;
      img.files[child_path] = i->second;
    }
  }

  static std::string crash_file(const node& n, cut_mode mode, std::mt19937_64& rng) {
    if (mode == cut_mode::nothing_lost)
      return n.data;
    auto bytes = n.durable;
    if (mode == cut_mode::strict)
      return bytes;
    auto keep = pick(n.pending.size(), rng);
    for (std::size_t i = 0; i < keep; ++i) {
      if (n.pending[i].truncate)
        bytes.resize(n.pending[i].size);
      else
        write_into(bytes, n.pending[i].size, n.pending[i].data);
    }
    // The next write may be torn: some of its first bytes made it.
    if (keep < n.pending.size() && !n.pending[keep].truncate && pick(1, rng) == 1) {
      auto& torn = n.pending[keep];
      write_into(bytes, torn.size, torn.data.substr(0, pick(torn.data.size(), rng)));
    }
    return bytes;
  }

  std::vector<node> nodes_;
};

/// The recording storage: a file system in memory (starting from `base`,
/// all of it durable) whose every change is logged in order. Thread-safe.
/// Replay log() on fs_model(base) to any point and crash() it.
class power_cut_storage : public storage {
public:
  explicit power_cut_storage(disk_image base = {}) : base_(std::move(base)), live_(base_) {
  }

  /// Continues after `history` (changes made on `base`, some not yet
  /// durable): a process that was killed, not a power cut, and a new one
  /// that starts on what the kernel still holds. log() starts with `history`.
  power_cut_storage(disk_image base, std::vector<fs_op> history)
    : base_(std::move(base)), live_(base_), log_(std::move(history)) {
    for (auto& op : log_)
      live_.apply(op);
  }

  const disk_image& base() const {
    return base_;
  }

  /// From now on, every call waits a short random while first (now and then
  /// 1 ms), and half of the calls that made a directory entry wait 5 ms
  /// after it: racing writers interleave in ever other orders, and one may
  /// find an entry that another has made and not yet made durable.
  void jitter(std::uint64_t seed) {
    std::lock_guard<std::mutex> guard{mutex_};
    jitter_ = true;
    jitter_rng_.seed(seed);
  }

  /// The changes so far (call once the writers are done).
  std::vector<fs_op> log() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return log_;
  }

  /// Marks this point of the log (a test's acknowledgement, say).
  void note(int mark) {
    std::lock_guard<std::mutex> guard{mutex_};
    fs_op op;
    op.k = fs_op::kind::note;
    op.mark = mark;
    log_.push_back(std::move(op));
  }

  /// What the file system shows now (no power cut).
  disk_image now() const {
    std::lock_guard<std::mutex> guard{mutex_};
    std::mt19937_64 unused;
    return live_.crash(cut_mode::nothing_lost, unused);
  }

  class file : public writable_file {
  public:
    file(power_cut_storage& st, std::uint64_t inode) : st_(st), inode_(inode) {
    }
    std::error_code append(const char* data, std::size_t size) override {
      auto ec = write_at(position_, data, size);
      if (!ec)
        position_ += size;
      return ec;
    }
    std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) override {
      fs_op op;
      op.k = fs_op::kind::write;
      op.inode = inode_;
      op.data.assign(data, size);
      op.size = offset;
      return closed_ ? ebadf() : st_.record(std::move(op));
    }
    std::error_code sync() override {
      fs_op op;
      op.k = fs_op::kind::sync;
      op.inode = inode_;
      return closed_ ? ebadf() : st_.record(std::move(op));
    }
    std::error_code truncate(std::uint64_t size) override {
      fs_op op;
      op.k = fs_op::kind::truncate;
      op.inode = inode_;
      op.size = size;
      if (closed_)
        return ebadf();
      auto ec = st_.record(std::move(op));
      if (!ec)
        position_ = size;
      return ec;
    }
    std::error_code close() override {
      if (closed_)
        return ebadf();
      closed_ = true;
      return {};
    }

  private:
    static std::error_code ebadf() {
      return std::make_error_code(std::errc::bad_file_descriptor);
    }
    power_cut_storage& st_;
    std::uint64_t inode_;
    std::uint64_t position_ = 0; ///< Where append() writes.
    bool closed_ = false;
  };

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    pause();
    std::unique_lock<std::mutex> guard{mutex_};
    if (auto ec = check_new(path))
      return ec;
    auto inode = live_.next_inode();
    log_and_apply(make(fs_op::kind::create, path));
    out = std::make_unique<file>(*this, inode);
    unlock_and_pause(guard);
    return {};
  }

  std::error_code read_all(const std::string& path, std::string& out) override {
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (id < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (live_.is_dir(id))
      return errc(std::errc::is_a_directory);
    out = live_.data(id);
    return {};
  }

  std::error_code rename(const std::string& from, const std::string& to) override {
    pause();
    std::unique_lock<std::mutex> guard{mutex_};
    auto id = live_.resolve(from);
    if (id < 0 || !live_.is_dir(live_.resolve(fs_model::parent(to))))
      return errc(std::errc::no_such_file_or_directory);
    auto target = live_.resolve(to);
    if (target >= 0 && (live_.is_dir(target) || live_.is_dir(id)))
      return errc(std::errc::is_a_directory); // only files are renamed over
    if (from == to)
      return {};
    log_and_apply(make(fs_op::kind::rename, from, to));
    unlock_and_pause(guard);
    return {};
  }

  std::error_code link(const std::string& from, const std::string& to) override {
    pause();
    std::unique_lock<std::mutex> guard{mutex_};
    auto id = live_.resolve(from);
    if (id < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (live_.is_dir(id))
      return errc(std::errc::operation_not_permitted);
    if (auto ec = check_new(to))
      return ec;
    log_and_apply(make(fs_op::kind::link, from, to));
    unlock_and_pause(guard);
    return {};
  }

  std::error_code remove(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (id < 0)
      return {};
    if (live_.is_dir(id))
      return errc(std::errc::is_a_directory);
    log_and_apply(make(fs_op::kind::unlink, path));
    return {};
  }

  std::error_code remove_all(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    remove_tree(path);
    return {};
  }

  std::error_code create_dir(const std::string& path) override {
    pause();
    std::unique_lock<std::mutex> guard{mutex_};
    if (live_.resolve(path) >= 0)
      return {}; // as mkdir's EEXIST, which posix_storage takes for success
    if (!live_.is_dir(live_.resolve(fs_model::parent(path))))
      return errc(std::errc::no_such_file_or_directory);
    log_and_apply(make(fs_op::kind::mkdir, path));
    unlock_and_pause(guard);
    return {};
  }

  std::error_code sync_dir(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (id < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (!live_.is_dir(id))
      return errc(std::errc::not_a_directory);
    log_and_apply(make(fs_op::kind::sync_dir, path));
    return {};
  }

  std::error_code list_dir(const std::string& path, std::vector<std::string>& names) override {
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (id < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (!live_.is_dir(id))
      return errc(std::errc::not_a_directory);
    for (auto& name : live_.names(id))
      names.push_back(name);
    return {};
  }

  bool exists(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    return live_.resolve(path) >= 0;
  }

  bool is_directory(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    return live_.is_dir(live_.resolve(path));
  }

  // ENOENT or EISDIR unless inode `id` (of live_.resolve) is a file.
  std::error_code a_file(std::int64_t id) const {
    if (id < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (live_.is_dir(id))
      return errc(std::errc::is_a_directory);
    return {};
  }

  std::error_code truncate(const std::string& path, std::uint64_t size) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (auto ec = a_file(id))
      return ec;
    fs_op op;
    op.k = fs_op::kind::truncate;
    op.inode = static_cast<std::uint64_t>(id);
    op.size = size;
    log_and_apply(std::move(op));
    return {};
  }

  std::error_code sync_file(const std::string& path) override {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    auto id = live_.resolve(path);
    if (auto ec = a_file(id))
      return ec;
    fs_op op;
    op.k = fs_op::kind::sync;
    op.inode = static_cast<std::uint64_t>(id);
    log_and_apply(std::move(op));
    return {};
  }

private:
  static std::error_code errc(std::errc e) {
    return std::make_error_code(e);
  }

  static fs_op make(fs_op::kind k, std::string path, std::string path2 = {}) {
    fs_op op;
    op.k = k;
    op.path = std::move(path);
    op.path2 = std::move(path2);
    return op;
  }

  std::error_code check_new(const std::string& path) const {
    if (live_.resolve(path) >= 0)
      return errc(std::errc::file_exists);
    auto dir = live_.resolve(fs_model::parent(path));
    if (dir < 0)
      return errc(std::errc::no_such_file_or_directory);
    if (!live_.is_dir(dir))
      return errc(std::errc::not_a_directory);
    return {};
  }

  std::error_code record(fs_op op) {
    pause();
    std::lock_guard<std::mutex> guard{mutex_};
    log_and_apply(std::move(op));
    return {};
  }

  // Before every change a short random wait; after one that made a
  // directory entry (not yet durable), often a long one: the window in which
  // another writer may find the entry and rely on it.
  void pause(bool made_entry = false) {
    std::chrono::microseconds wait{0};
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (!jitter_)
        return;
      auto draw = jitter_rng_() % 1000;
      if (made_entry)
        wait = std::chrono::microseconds(draw < 500 ? 5000 : 0);
      else
        wait = std::chrono::microseconds(draw < 300 ? 1000 : draw % 20);
    }
    std::this_thread::sleep_for(wait);
  }

  void unlock_and_pause(std::unique_lock<std::mutex>& guard) {
    guard.unlock();
    pause(true);
  }

  void log_and_apply(fs_op op) {
    live_.apply(op);
    log_.push_back(std::move(op));
  }

  void remove_tree(const std::string& path) {
    auto id = live_.resolve(path);
    if (id < 0)
      return;
    if (!live_.is_dir(id)) {
      log_and_apply(make(fs_op::kind::unlink, path));
      return;
    }
    for (auto& name : live_.names(id))
      remove_tree(path + "/" + name);
    log_and_apply(make(fs_op::kind::rmdir, path));
  }

  mutable std::mutex mutex_;
  disk_image base_;
  fs_model live_;
  std::vector<fs_op> log_;
  bool jitter_ = false;
  std::mt19937_64 jitter_rng_;
};

} // namespace analysisd::test
