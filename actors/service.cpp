#include "actors/service.hpp"

#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "persistence/file_store.hpp"
#include "persistence/log.hpp"

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

} // namespace

std::string open_data_dir(storage& st, const std::string& data_dir, opened_data_dir& out) {
  // Every directory entry the state depends on is made durable before
  // anything is acknowledged: the data dir in its parent, state/ and
  // analyses/ in the data dir. Always, not only when this start made them:
  // main() makes the data dir first, and a killed process may have made any
  // of them without syncing. A parent that cannot be synced (not readable,
  // say) stops the start only when the data dir is new.
  bool fresh = !st.exists(data_dir);
  if (auto ec = st.create_dir(data_dir))
    return "cannot create " + data_dir + ": " + ec.message();
  if (auto ec = st.sync_dir(parent_dir(data_dir)); ec && fresh)
    return "cannot sync " + parent_dir(data_dir) + ": " + ec.message();
  auto state_dir = data_dir + "/state";
  for (auto& dir : {state_dir, data_dir + "/analyses"})
    if (auto ec = st.create_dir(dir))
      return "cannot create " + dir + ": " + ec.message();
  if (auto ec = st.sync_dir(data_dir))
    return "cannot sync " + data_dir + ": " + ec.message();
  if (auto err = recover(st, state_dir, out.report); !err.empty())
    return err;
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
  out.cleanup = files.cleanup(out.report.analyses);
  auto seq = out.report.next_journal_seq;
  if (auto ec = journal_writer::create(st, state_dir, seq, out.journal))
    return "cannot create " + journal_name(seq) + ": " + ec.message();
  return {};
}

caf::expected<service> start_service(caf::actor_system& sys, const service_options& opts) {
  storage* st = opts.st != nullptr ? opts.st : &posix_storage();
  opened_data_dir opened;
  if (auto err = open_data_dir(*st, opts.data_dir, opened); !err.empty())
    return make_error(errc::io_error, err);
  auto& rep = opened.report;
  for (auto& line : rep.damage)
    log_error("recovery: " + line);
  for (auto& line : opened.cleanup)
    log_warning("start-up cleanup: " + line);
  auto files = std::make_shared<const file_store>(*st, opts.data_dir);
  std::size_t live = 0;
  for (auto& [id, a] : rep.analyses)
    live += a.removed ? 0 : 1;
  char summary[200];
  std::snprintf(summary, sizeof(summary),
                "recovered %zu analyses in %.3f s (%zu from the snapshot, %zu journal records "
                "replayed, %zu skipped)",
                live, rep.seconds, rep.snapshot_analyses, rep.journal_records,
                rep.skipped_records);
  log_info(summary);
  service svc;
  svc.analyses_loaded = live;
  svc.recovery_seconds = rep.seconds;
  persistence_options popts;
  popts.state_dir = opts.data_dir + "/state";
  popts.journal = std::move(opened.journal);
  popts.rotate_bytes = opts.journal_rotate_bytes;
  popts.st = st;
  svc.journal = sys.spawn(persistence_actor_impl, popts);
  svc.registry = sys.spawn(registry_actor_impl, std::move(rep.analyses), svc.journal, files,
                           opts.actor_idle);
  // The registry builds its tables when it starts: the service is ready only
  // once it answers (a million analyses take seconds).
  caf::error not_ready;
  caf::scoped_actor self{sys};
  self->request(svc.registry, caf::infinite, list_atom::value, list_request{1, 1})
    .receive([](std::string&) {}, [&](caf::error& err) { not_ready = err; });
  if (not_ready)
    return not_ready;
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
