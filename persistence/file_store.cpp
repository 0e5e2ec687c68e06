#include "persistence/file_store.hpp"

#include <unordered_set>

namespace analysisd {

file_store::file_store(storage& st, std::string data_dir)
  : st_(st), root_(data_dir + "/analyses"), quarantine_(data_dir + "/state/quarantine") {
}

std::string file_store::analysis_dir(const std::string& analysis_id) const {
  return root_ + "/" + analysis_id;
}

std::string file_store::file_path(const std::string& analysis_id, const file_record& file) const {
  return analysis_dir(analysis_id) + "/" + name_on_disk(file);
}

std::string file_store::partial_path(const std::string& analysis_id,
                                     const file_record& file) const {
  // The temporary name starts with '.', which no final name (digits first) does.
  return analysis_dir(analysis_id) + "/." + std::to_string(file.id) + ".partial";
}

std::error_code file_store::write(const std::string& analysis_id, const file_record& file,
                                  const char* data, std::size_t size) const {
  std::unique_ptr<writable_file> out;
  if (auto ec = begin_upload(analysis_id, file, out))
    return ec;
  if (auto ec = out->append(data, size)) {
    discard_upload(analysis_id, file, out);
    return ec;
  }
  return finish_upload(analysis_id, file, out);
}

std::error_code file_store::begin_upload(const std::string& analysis_id, const file_record& file,
                                         std::unique_ptr<writable_file>& out) const {
  auto dir = analysis_dir(analysis_id);
  // open_data_dir makes analyses/ durable at start; one that is missing now
  // is made here, and its entry in the data dir synced.
  bool new_root = !st_.exists(root_);
  if (auto ec = create_own_dir(st_, root_))
    return ec;
  if (new_root) {
    if (auto ec = st_.sync_dir(root_.substr(0, root_.rfind('/'))))
      return ec;
  }
  if (auto ec = create_own_dir(st_, dir))
    return ec;
  // Whether or not this upload made the analysis directory: when two first
  // uploads race, the second finds the directory the first has just made and
  // must not be acknowledged before its entry in analyses/ is durable.
  if (auto ec = st_.sync_dir(root_))
    return ec;
  return st_.create_exclusive(partial_path(analysis_id, file), out);
}

std::error_code file_store::finish_upload(const std::string& analysis_id, const file_record& file,
                                          std::unique_ptr<writable_file>& out) const {
  auto tmp = partial_path(analysis_id, file);
  auto final_path = file_path(analysis_id, file);
  auto fail = [&](std::error_code ec) {
    discard_upload(analysis_id, file, out);
    return ec;
  };
  if (auto ec = out->sync())
    return fail(ec);
  if (auto ec = out->close())
    return fail(ec);
  out.reset();
  if (auto ec = st_.link(tmp, final_path))
    return fail(ec);
  st_.remove(tmp);
  if (auto ec = st_.sync_dir(analysis_dir(analysis_id))) {
    st_.remove(final_path);
    return ec;
  }
  return {};
}

void file_store::discard_upload(const std::string& analysis_id, const file_record& file,
                                std::unique_ptr<writable_file>& out) const {
  out.reset();
  st_.remove(partial_path(analysis_id, file));
}

std::error_code file_store::remove(const std::string& analysis_id, const file_record& file) const {
  if (auto ec = st_.remove(file_path(analysis_id, file)))
    return ec;
  return st_.sync_dir(analysis_dir(analysis_id));
}

std::error_code file_store::remove_upload(const std::string& analysis_id, std::uint64_t file_id,
                                          const std::string& name) const {
  // The names come from PostgreSQL: they must not lead out of the analysis's
  // directory.
  auto plain = [](const std::string& n) {
    return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos
           && n.find('\0') == std::string::npos;
  };
  if (!plain(analysis_id))
    return std::make_error_code(std::errc::invalid_argument);
  file_record file;
  file.id = file_id;
  file.name = name;
  if (auto ec = st_.remove(partial_path(analysis_id, file)))
    return ec;
  // A name that is not plain was never written as a final file.
  if (plain(name))
    if (auto ec = st_.remove(file_path(analysis_id, file)))
      return ec;
  if (!st_.is_directory(analysis_dir(analysis_id)))
    return {};
  return st_.sync_dir(analysis_dir(analysis_id));
}

std::error_code file_store::remove_analysis(const std::string& analysis_id) const {
  if (auto ec = st_.remove_all(analysis_dir(analysis_id)))
    return ec;
  if (!st_.exists(root_))
    return {};
  return st_.sync_dir(root_);
}

std::string file_store::quarantine(const std::string& path, const std::string& name) const {
  auto to = quarantine_ + "/analyses-" + name + "." + std::to_string(now());
  auto state_dir = quarantine_.substr(0, quarantine_.rfind('/'));
  std::error_code ec = create_own_dir(st_, state_dir);
  if (!ec)
    ec = create_own_dir(st_, quarantine_);
  if (!ec)
    ec = st_.rename(path, to);
  if (!ec)
    ec = st_.sync_dir(quarantine_);
  if (ec)
    return "cannot move " + path + " to " + quarantine_ + ": " + ec.message();
  return "moved " + path + " to " + to;
}

std::vector<std::string> file_store::cleanup(const state_map& state, bool complete) const {
  std::vector<std::string> log;
  if (!st_.exists(root_))
    return log;
  std::vector<std::string> dirs;
  if (auto ec = st_.list_dir(root_, dirs)) {
    log.push_back("cannot list " + root_ + ": " + ec.message());
    return log;
  }
  for (auto& name : dirs) {
    auto path = root_ + "/" + name;
    auto i = state.find(name);
    if (i == state.end() || !st_.is_directory(path)) {
      // Not named by any record (not even a tombstone), or not a directory of
      // ours (a link, say): only state that was not read could explain it.
      log.push_back(quarantine(path, name) + " (no analysis names it)");
      continue;
    }
    if (i->second.removed) {
      if (auto ec = st_.remove_all(path))
        log.push_back("cannot remove " + path + ": " + ec.message());
      else
        log.push_back("removed " + path + " (the analysis was removed)");
      continue;
    }
    std::unordered_set<std::string> named;
    for (auto& f : i->second.files)
      named.insert(name_on_disk(f));
    std::vector<std::string> files;
    if (auto ec = st_.list_dir(path, files)) {
      log.push_back("cannot list " + path + ": " + ec.message());
      continue;
    }
    for (auto& f : files) {
      if (named.erase(f) == 1)
        continue;
      auto file = path + "/" + f;
      // An upload's temporary file ('.' first, as no final name) never was acknowledged.
      bool partial = !f.empty() && f[0] == '.';
      if (st_.is_directory(file)) {
        log.push_back(quarantine(file, name + "-" + f) + " (not a file of the analysis)");
      } else if (!complete && !partial) {
        log.push_back(quarantine(file, name + "-" + f)
                      + " (no record names it, but --repair set records aside)");
      } else if (auto ec = st_.remove(file)) {
        log.push_back("cannot remove " + file + ": " + ec.message());
      } else {
        log.push_back("removed " + file + " (no record names it)");
      }
    }
    for (auto& missing : named)
      log.push_back("file record " + name + "/" + missing + " has no bytes on disk");
  }
  for (auto& [id, a] : state) {
    if (a.removed || a.files.empty() || st_.exists(analysis_dir(id)))
      continue;
    for (auto& f : a.files)
      log.push_back("file record " + id + "/" + name_on_disk(f) + " has no bytes on disk");
  }
  st_.sync_dir(root_);
  return log;
}

} // namespace analysisd
