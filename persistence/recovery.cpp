#include "persistence/recovery.hpp"

#include "persistence/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <unordered_set>

namespace analysisd {

bool apply(state_map& state, journal_record&& rec) {
  if (rec.kind == record_kind::created) {
    if (!is_valid_id(rec.analysis.id) || state.count(rec.analysis.id) != 0)
      return false;
    auto id = rec.analysis.id;
    state.emplace(std::move(id), std::move(rec.analysis));
    return true;
  }
  auto i = state.find(rec.analysis_id);
  return i != state.end() && apply(i->second, std::move(rec));
}

bool apply(analysis_state& a, journal_record&& rec) {
  if (rec.analysis_id != a.id || (a.removed && rec.kind != record_kind::job_acquired))
    return false;
  switch (rec.kind) {
    case record_kind::job_acquired:
      a.job_key_hash = std::move(rec.key_hash);
      a.job_acquired = true;
      return true;
    case record_kind::file_added:
      a.next_file_id = std::max(a.next_file_id, rec.file.id + 1);
      a.files.push_back(std::move(rec.file));
      return true;
    case record_kind::finalized:
      a.ready = true;
      a.results = std::move(rec.results);
      a.updated_at = rec.at;
      return true;
    case record_kind::removed: {
      analysis_state tombstone;
      tombstone.id = a.id;
      tombstone.created_at = a.created_at;
      tombstone.job_id = a.job_id;
      tombstone.job_key_hash = a.job_key_hash;
      tombstone.job_acquired = a.job_acquired;
      tombstone.removed = true;
      a = std::move(tombstone);
      return true;
    }
    case record_kind::created:
      return false;
  }
  return false;
}

namespace {

std::vector<std::uint64_t> list_journals(storage& st, const std::string& state_dir,
                                         std::string& error) {
  std::vector<std::string> names;
  std::vector<std::uint64_t> seqs;
  if (auto ec = st.list_dir(state_dir, names)) {
    error = "cannot list " + state_dir + ": " + ec.message();
    return seqs;
  }
  for (auto& name : names) {
    std::uint64_t seq;
    if (parse_journal_name(name, seq))
      seqs.push_back(seq);
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

// Moves bytes that recovery could not use out of the way, keeping them for an
// operator. Returns false (and reports it) if they could not be kept.
bool quarantine(storage& st, const std::string& state_dir, const std::string& name,
                const char* data, std::size_t size, std::vector<std::string>& damage) {
  auto dir = state_dir + "/quarantine";
  auto path = dir + "/" + name + "." + std::to_string(now());
  std::unique_ptr<writable_file> file;
  std::error_code ec = create_own_dir(st, dir);
  if (!ec)
    ec = st.create_exclusive(path, file);
  if (!ec)
    ec = file->append(data, size);
  if (!ec)
    ec = file->sync();
  if (!ec)
    ec = st.sync_dir(dir);
  if (ec) {
    damage.push_back("could not keep the dropped bytes in " + path + ": " + ec.message());
    return false;
  }
  damage.push_back("dropped bytes kept in " + path);
  return true;
}

// Moves a whole state file into the quarantine (with --repair).
std::string move_to_quarantine(storage& st, const std::string& state_dir, const std::string& name,
                               std::vector<std::string>& damage) {
  auto dir = state_dir + "/quarantine";
  auto to = dir + "/" + name + "." + std::to_string(now());
  std::error_code ec = create_own_dir(st, dir);
  if (!ec)
    ec = st.rename(state_dir + "/" + name, to);
  if (!ec)
    ec = st.sync_dir(dir);
  if (ec)
    return "cannot move " + name + " to " + dir + ": " + ec.message();
  damage.push_back(name + ": moved to " + to);
  return {};
}

const char* repair_advice =
  "; nothing was changed. Keep a copy of the data dir, then start once with --repair: it "
  "moves the damaged part (and every later journal) to state/quarantine/ and starts with what "
  "precedes it";

enum class replay_mode {
  compact, ///< Any damage is an error (the journals were read whole at start).
  start,   ///< A torn tail of the newest journal is cut; other damage is an error.
  repair,  ///< As start, but other damage is cut too and later journals quarantined.
};

// Replays the journals in `seqs`: each record goes to `take`, which says
// whether it fit (counted in `out`).
std::string replay(storage& st, const std::string& state_dir, const std::vector<std::uint64_t>& seqs,
                   replay_mode mode, recovery_report& out,
                   const std::function<bool(journal_record&&)>& take) {
  for (std::size_t k = 0; k < seqs.size(); ++k) {
    auto name = journal_name(seqs[k]);
    auto path = state_dir + "/" + name;
    bool newest = k + 1 == seqs.size();
    std::string bytes;
    if (auto ec = st.read_all(path, bytes))
      return "cannot read " + path + ": " + ec.message();
    scan_result res;
    int format = 0;
    switch (read_magic(bytes, "ANJRNL", format)) {
      case magic_kind::newer:
        return path + " has format " + std::to_string(format)
               + ", newer than this analysisd reads (1 to " + std::to_string(current_format)
               + "): run the newer analysisd; nothing was changed";
      case magic_kind::partial:
        // A journal is created with its magic and fsynced before any record
        // is written to it: a cut magic means nothing in it was acknowledged.
        res.damage = "journal magic cut short";
        res.torn_tail = true;
        break;
      case magic_kind::foreign:
        res.damage = "journal does not start with a journal magic";
        break;
      case magic_kind::known:
        out.oldest_format = std::min(out.oldest_format, format);
        // Only the newest journal, still open when the process ended, may
        // end with the zeros its writer keeps ahead (journal_writer); the
        // last that a compaction reads may be that of a stopped server (an
        // offline backup).
        res = scan_frames(
          bytes.data() + journal_magic.size(), bytes.size() - journal_magic.size(),
          [&](const char* data, std::size_t size) {
            journal_record rec;
            if (!decode_record(data, size, rec, format))
              return false;
            if (take(std::move(rec)))
              ++out.journal_records;
            else
              ++out.skipped_records;
            return true;
          },
          newest);
        res.valid_bytes += journal_magic.size();
        break;
    }
    if (res.zero_tail && mode != replay_mode::compact) {
      // Cut off, durably, before a newer journal is created (as seal() does).
      if (auto ec = st.truncate(path, res.valid_bytes))
        return "cannot cut the zeros off " + path + ": " + ec.message();
      if (auto ec = st.sync_file(path))
        return "cannot sync " + path + ": " + ec.message();
    }
    if (res.damage.empty())
      continue;
    auto valid = std::min(res.valid_bytes, bytes.size());
    auto what = name + ": " + res.damage;
    bool torn = newest && res.torn_tail;
    if (mode == replay_mode::compact)
      return what;
    if (!torn && mode != replay_mode::repair)
      return what + " (" + std::to_string(bytes.size() - valid) + " bytes after offset "
             + std::to_string(valid) + ", and " + std::to_string(seqs.size() - k - 1)
             + " later journals)" + repair_advice;
    out.complete = out.complete && torn;
    out.damage.push_back(what + (torn ? " (a write cut short by a crash)" : "") + "; dropped "
                         + std::to_string(bytes.size() - valid) + " bytes after offset "
                         + std::to_string(valid));
    // Bytes a crash cut short were never acknowledged: they go even if they
    // cannot be kept. What --repair drops may have been: it stays unless kept.
    // The zeros a newest journal ends with (its zeros ahead) are not kept.
    std::size_t kept = bytes.size() - valid;
    if (newest) {
      auto last = bytes.find_last_not_of('\0');
      kept = last == std::string::npos || last < valid ? 0 : last + 1 - valid;
    }
    if (kept > 0 && !quarantine(st, state_dir, name, bytes.data() + valid, kept, out.damage)
        && !torn)
      return "cannot keep the damaged part of " + path + " in the quarantine; nothing was cut";
    if (valid < journal_magic.size()) {
      if (auto ec = st.remove(path))
        return "cannot remove " + path + ": " + ec.message();
    } else if (auto ec = st.truncate(path, valid)) {
      return "cannot cut " + path + ": " + ec.message();
    } else if (auto ec = st.sync_file(path)) {
      // A cut that a power cut undoes brings the damage back, and the next
      // recovery would then take the journals written after this one for
      // damage's aftermath.
      return "cannot sync " + path + ": " + ec.message();
    }
    for (auto j = k + 1; j < seqs.size(); ++j)
      if (auto err = move_to_quarantine(st, state_dir, journal_name(seqs[j]), out.damage);
          !err.empty())
        return err;
    if (auto ec = st.sync_dir(state_dir))
      return "cannot sync " + state_dir + ": " + ec.message();
    return {};
  }
  return {};
}

} // namespace

std::string recover(storage& st, const std::string& state_dir, recovery_report& out,
                    bool repair) {
  auto start = std::chrono::steady_clock::now();
  out = recovery_report{};
  if (auto ec = st.create_dir(state_dir))
    return "cannot create " + state_dir + ": " + ec.message();
  std::uint64_t snapshot_next = 1;
  int snapshot_format = 0;
  if (auto err = load_snapshot(st, state_dir, out.analyses, snapshot_next, &snapshot_format,
                               /*two_threads=*/true);
      !err.empty()) {
    // A snapshot is written whole and renamed into place: damage to it is
    // the disk's, and a newer format is another build's.
    bool newer = snapshot_format > current_format;
    if (!repair || newer)
      return state_dir + "/" + snapshot_file_name + ": " + err
             + (newer ? std::string{": run the newer analysisd; nothing was changed"}
                      : repair_advice);
    out.complete = false;
    out.damage.push_back(std::string{snapshot_file_name} + ": " + err);
    if (auto moved = move_to_quarantine(st, state_dir, snapshot_file_name, out.damage);
        !moved.empty())
      return moved;
    out.analyses.clear();
    snapshot_next = 1;
  }
  if (snapshot_format != 0)
    out.oldest_format = snapshot_format;
  out.snapshot_analyses = out.analyses.size();
  std::string error;
  auto seqs = list_journals(st, state_dir, error);
  if (!error.empty())
    return error;
  std::vector<std::uint64_t> todo;
  for (auto seq : seqs)
    if (seq >= snapshot_next)
      todo.push_back(seq);
  if (auto err = replay(st, state_dir, todo, repair ? replay_mode::repair : replay_mode::start, out,
                       [&](journal_record&& rec) { return apply(out.analyses, std::move(rec)); });
      !err.empty())
    return err;
  // Journals the snapshot already holds are left over from a crash between
  // writing the snapshot and deleting them, and a temporary snapshot from a
  // crash while writing one: garbage, once the state was read whole.
  for (auto seq : seqs)
    if (seq < snapshot_next)
      st.remove(state_dir + "/" + journal_name(seq));
  st.remove(state_dir + "/" + snapshot_file_name + ".tmp");
  out.next_journal_seq = std::max(snapshot_next, todo.empty() ? std::uint64_t{1} : todo.back() + 1);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {};
}

std::string compact(storage& st, const std::string& state_dir, std::uint64_t upto) {
  // Only the analyses that the journals change are decoded and kept; the
  // others go into the new snapshot as the frames they were (a million
  // analyses would otherwise be held twice while the server runs). So the
  // journals are read twice: for the ids they name, then to apply them.
  std::string error;
  auto seqs = list_journals(st, state_dir, error);
  if (!error.empty())
    return error;
  snapshot_split split;
  if (auto err = read_snapshot(st, state_dir, split); !err.empty())
    return err;
  std::vector<std::uint64_t> todo;
  for (auto seq : seqs)
    if (seq >= split.next_journal_seq && seq < upto)
      todo.push_back(seq);
  recovery_report rep;
  std::unordered_set<std::string> named;
  if (auto err = replay(st, state_dir, todo, replay_mode::compact, rep,
                        [&](journal_record&& rec) {
                          named.insert(rec.kind == record_kind::created ? rec.analysis.id
                                                                        : rec.analysis_id);
                          return true;
                        });
      !err.empty())
    return "journal damaged while compacting: " + err;
  if (auto err = split_snapshot(split, [&](const std::string& id) { return named.count(id) != 0; });
      !err.empty())
    return err;
  named = {};
  if (auto err = replay(st, state_dir, todo, replay_mode::compact, rep,
                        [&](journal_record&& rec) { return apply(split.kept, std::move(rec)); });
      !err.empty())
    return "journal damaged while compacting: " + err;
  if (auto ec = write_split_snapshot(st, state_dir, split, std::max(upto, split.next_journal_seq)))
    return "cannot write the snapshot: " + ec.message();
  for (auto seq : seqs)
    if (seq < upto)
      st.remove(state_dir + "/" + journal_name(seq));
  if (auto ec = st.sync_dir(state_dir))
    return "cannot sync " + state_dir + ": " + ec.message();
  return {};
}

} // namespace analysisd
