#include "actors/service.hpp"

#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "persistence/backup.hpp"
#include "persistence/file_store.hpp"
#include "persistence/log.hpp"
#include "persistence/snapshot.hpp"

#include <caf/all.hpp>

#include <malloc.h>

#include <cstdio>

namespace analysisd {

namespace {

std::string parent_dir(const std::string& path) {
  auto slash = path.find_last_not_of('/') == std::string::npos
                 ? std::string::npos
                 : path.rfind('/', path.find_last_not_of('/'));
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Rewrites state read in an older format in the current one: a snapshot of
// everything, the journals it folds in deleted, then the format file. A crash
// midway leaves files that each name their own format, so the next start
// reads them and migrates again.
std::string migrate(storage& st, const std::string& data_dir, const std::string& state_dir,
                    recovery_report& rep) {
  if (auto ec = write_snapshot(st, state_dir, rep.analyses, rep.next_journal_seq))
    return "cannot write the migrated snapshot: " + ec.message();
  std::vector<std::string> names;
  if (auto ec = st.list_dir(state_dir, names))
    return "cannot list " + state_dir + ": " + ec.message();
  for (auto& name : names) {
    std::uint64_t seq;
    if (parse_journal_name(name, seq) && seq < rep.next_journal_seq)
      st.remove(state_dir + "/" + name);
  }
  if (auto ec = st.sync_dir(state_dir))
    return "cannot sync " + state_dir + ": " + ec.message();
  return write_data_dir_format(st, data_dir);
}

} // namespace

std::string open_data_dir(storage& st, const std::string& data_dir, bool repair,
                          opened_data_dir& out, std::uint64_t zeros_ahead) {
  // Every directory entry the state depends on is made durable before
  // anything is acknowledged: the data dir in its parent, state/ and
  // analyses/ in the data dir. Always, not only when this start made them:
  // main() makes the data dir first, and a killed process may have made any
  // of them without syncing. A parent that cannot be synced (not readable,
  // say) stops the start only when the data dir is new.
  // New: no format file, no state yet (main has made the directory itself).
  if (st.exists(data_dir + "/" + unfinished_backup_file_name))
    return data_dir + " is a backup that never finished (" + unfinished_backup_file_name
           + "): it may lack files; start on a finished backup";
  bool fresh = !st.exists(data_dir + "/" + format_file_name) && !st.exists(data_dir + "/state");
  if (auto ec = st.create_dir(data_dir))
    return "cannot create " + data_dir + ": " + ec.message();
  int format = 0;
  if (auto err = read_data_dir_format(st, data_dir, format); !err.empty())
    return err;
  if (auto ec = st.sync_dir(parent_dir(data_dir)); ec && fresh)
    return "cannot sync " + parent_dir(data_dir) + ": " + ec.message();
  auto state_dir = data_dir + "/state";
  for (auto& dir : {state_dir, data_dir + "/analyses"})
    if (auto ec = st.create_dir(dir))
      return "cannot create " + dir + ": " + ec.message();
  if (auto ec = st.sync_dir(data_dir))
    return "cannot sync " + data_dir + ": " + ec.message();
  if (auto err = recover(st, state_dir, out.report, repair); !err.empty())
    return err;
  auto& rep = out.report;
  if (rep.oldest_format < current_format) {
    out.migrated_from = rep.oldest_format;
    if (auto err = migrate(st, data_dir, state_dir, rep); !err.empty())
      return err;
  } else if (format < current_format) { // a new data dir (or one a crash left without its file)
    if (auto err = write_data_dir_format(st, data_dir); !err.empty())
      return err;
  }
  // What recovery read is served from now on, so it must be durable: after a
  // killed process (not a power cut) the newest journal can hold records
  // that were written but never fdatasynced. A power cut would take them back
  // after they were served, and a torn one would then stand in the middle,
  // before the journals written after this start.
  std::vector<std::string> names;
  if (auto ec = st.list_dir(state_dir, names))
    return "cannot list " + state_dir + ": " + ec.message();
  for (auto& name : names) {
    std::uint64_t seq;
    if (!parse_journal_name(name, seq))
      continue;
    if (auto ec = st.sync_file(state_dir + "/" + name))
      return "cannot sync " + state_dir + "/" + name + ": " + ec.message();
  }
  if (auto ec = st.sync_dir(state_dir))
    return "cannot sync " + state_dir + ": " + ec.message();
  file_store files{st, data_dir};
  out.cleanup = files.cleanup(rep.analyses, rep.complete);
  // What a backup interrupted by a crash left: links to files, copied nowhere yet.
  auto staging = state_dir + "/" + backup_job::staging_name;
  if (st.exists(staging)) {
    if (auto ec = st.remove_all(staging))
      out.cleanup.push_back("cannot remove " + staging + ": " + ec.message());
    else
      out.cleanup.push_back("removed " + staging + " (left by an unfinished backup)");
  }
  auto seq = rep.next_journal_seq;
  if (auto ec = journal_writer::create(st, state_dir, seq, out.journal, zeros_ahead))
    return "cannot create " + journal_name(seq) + ": " + ec.message();
  return {};
}

caf::expected<service> start_service(caf::actor_system& sys, const service_options& opts) {
  storage* st = opts.st != nullptr ? opts.st : &posix_storage();
  auto lock = opts.lock;
  if (!lock && st == &posix_storage()) {
    if (auto ec = st->create_dir(opts.data_dir))
      return make_error(errc::io_error, "cannot create " + opts.data_dir + ": " + ec.message());
    std::string error;
    lock = data_dir_lock::acquire(opts.data_dir, error);
    if (!lock)
      return make_error(errc::io_error, error);
  }
  opened_data_dir opened;
  if (auto err = open_data_dir(*st, opts.data_dir, opts.repair, opened, opts.journal_zeros_ahead);
      !err.empty())
    return make_error(errc::io_error, err);
  auto& rep = opened.report;
  for (auto& line : rep.damage)
    log_error("recovery: " + line);
  if (opened.migrated_from != 0)
    log_info("migrated the state in " + opts.data_dir + " from format "
             + std::to_string(opened.migrated_from) + " to " + std::to_string(current_format));
  for (auto& line : opened.cleanup)
    log_warning("start-up cleanup: " + line);
  auto files = std::make_shared<const file_store>(*st, opts.data_dir);
  service svc;
  svc.recovery_seconds = rep.seconds;
  svc.lock = std::move(lock);
  svc.files = files;
  persistence_options popts;
  popts.state_dir = opts.data_dir + "/state";
  popts.data_dir = opts.data_dir;
  popts.journal = std::move(opened.journal);
  popts.rotate_bytes = opts.journal_rotate_bytes;
  popts.zeros_ahead = opts.journal_zeros_ahead;
  popts.st = st;
  popts.read_only = opts.read_only;
  svc.journal = sys.spawn(persistence_actor_impl, popts);
  auto views = std::make_shared<read_views>();
  svc.views = views;
  svc.registry = sys.spawn(registry_actor_impl, std::move(rep.analyses), svc.journal, files,
                           opts.actor_idle, spawn_observer{opts.on_analysis_spawn},
                           std::move(views));
  // The registry builds its tables when it starts: the service is ready only
  // once it answers (a million analyses take a second). It counts the
  // analyses (tombstones left out) on the way, so they need no walk here.
  caf::error not_ready;
  caf::scoped_actor self{sys};
  self->request(svc.registry, caf::infinite, stats_atom::value)
    .receive(
      [&](std::uint64_t live, std::uint64_t dormant) {
        svc.analyses_loaded = static_cast<std::size_t>(live + dormant);
      },
      [&](caf::error& err) { not_ready = err; });
  if (not_ready)
    return not_ready;
  char summary[200];
  std::snprintf(summary, sizeof(summary),
                "recovered %zu analyses in %.3f s (%zu from the snapshot, %zu journal records "
                "replayed, %zu skipped)",
                svc.analyses_loaded, svc.recovery_seconds, rep.snapshot_analyses,
                rep.journal_records, rep.skipped_records);
  log_info(summary);
  // Recovery's temporary copies are gone; give their memory back.
  ::malloc_trim(0);
  return svc;
}

caf::error stop_service(caf::actor_system& sys, service& svc) {
  caf::error result;
  {
    caf::scoped_actor self{sys};
    self->request(svc.journal, caf::infinite, snapshot_atom::value)
      .receive([](bool) {}, [&](caf::error& err) { result = err; });
    self->send_exit(svc.registry, caf::exit_reason::user_shutdown);
    self->send_exit(svc.journal, caf::exit_reason::user_shutdown);
  }
  if (result)
    log_error("final snapshot failed: " + sys.render(result));
  else
    log_info("final snapshot written");
  return result;
}

} // namespace analysisd
