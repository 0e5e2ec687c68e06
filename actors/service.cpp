#include "actors/service.hpp"

#include "actors/persistence_actor.hpp"
#include "actors/registry_actor.hpp"
#include "persistence/file_store.hpp"
#include "persistence/log.hpp"

#include <caf/all.hpp>

#include <malloc.h>

#include <cstdio>

namespace analysisd {

caf::expected<service> start_service(caf::actor_system& sys, const service_options& opts) {
  storage* st = opts.st != nullptr ? opts.st : &posix_storage();
  if (auto ec = st->create_dir(opts.data_dir))
    return make_error(errc::io_error, "cannot create " + opts.data_dir + ": " + ec.message());
  auto state_dir = opts.data_dir + "/state";
  recovery_report rep;
  if (auto err = recover(*st, state_dir, rep); !err.empty())
    return make_error(errc::io_error, err);
  for (auto& line : rep.damage)
    log_error("recovery: " + line);
  auto files = std::make_shared<const file_store>(*st, opts.data_dir);
  for (auto& line : files->cleanup(rep.analyses))
    log_warning("start-up cleanup: " + line);
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
  popts.state_dir = state_dir;
  std::unique_ptr<journal_writer> journal;
  if (auto ec = journal_writer::create(*st, state_dir, rep.next_journal_seq, journal))
    return make_error(errc::io_error,
                      "cannot create " + journal_name(rep.next_journal_seq) + ": " + ec.message());
  popts.journal = std::move(journal);
  popts.rotate_bytes = opts.journal_rotate_bytes;
  popts.st = st;
  svc.journal = sys.spawn(persistence_actor_impl, popts);
  svc.registry = sys.spawn(registry_actor_impl, std::move(rep.analyses), svc.journal, files,
                           opts.actor_idle, spawn_observer{opts.on_analysis_spawn});
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
