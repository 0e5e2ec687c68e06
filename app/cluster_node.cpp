#include "app/cluster_node.hpp"

#include "actors/cluster_actor.hpp"
#include "actors/cluster_router.hpp"
#include "actors/node_facade.hpp"
#include "actors/pg_journal.hpp"
#include "persistence/cluster_store.hpp"
#include "persistence/log.hpp"
#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace analysisd {

namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
    return "analysisd";
  return name;
}

} // namespace

cluster_options make_cluster_options(const server_config& cfg) {
  cluster_options o;
  o.node_name = cfg.node_name.empty() ? host_name() : cfg.node_name;
  o.incarnation = random_hex(16);
  o.http_address = cfg.listen;
  o.caf_address = cfg.cluster_advertise.empty() ? cfg.cluster_listen : cfg.cluster_advertise;
  o.pg.conninfo = cfg.cluster_postgres;
  o.shards = static_cast<std::uint32_t>(cfg.shards);
  o.heartbeat = std::chrono::milliseconds(cfg.heartbeat_ms);
  o.member_ttl = std::chrono::milliseconds(cfg.lease_ttl_ms);
  o.lease_ttl = std::chrono::milliseconds(cfg.lease_ttl_ms);
  o.stable_after = std::chrono::milliseconds(cfg.stable_after_ms);
  o.max_handoffs = static_cast<std::uint32_t>(cfg.max_handoffs);
  o.peer_timeout = std::chrono::milliseconds(cfg.peer_timeout_ms);
  // PostgreSQL calls end well within a lease: a renewal that takes longer
  // than a third of it is a failed one.
  o.pg.call_timeout = std::max(std::chrono::milliseconds(100), o.lease_ttl / 3);
  o.pg.connect_timeout = o.pg.call_timeout;
  return o;
}

std::string start_cluster_node(caf::actor_system& sys, const server_config& cfg,
                               std::chrono::milliseconds wait, cluster_node& out) {
  out.opts = make_cluster_options(cfg);
  auto& o = out.opts;
  // A shard dropped for a handoff or a leave has its lease released after
  // these at the latest, revoked or not: every read lease granted on it
  // must have ended by then (--read-lease-ms is capped well below them).
  auto lease = std::chrono::milliseconds(cfg.read_lease_ms);
  auto release_after = std::min(o.leave_timeout, o.handoff_timeout);
  if (release_after <= lease + lease / 64 + std::chrono::milliseconds(10))
    return "--read-lease-ms must end well within the " + std::to_string(release_after.count())
           + " ms after which a node releases a shard it hands off";
  {
    cluster_store store{o.pg};
    auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto err = store.ensure_schema();
      if (!err)
        break;
      if (code_of(err) != static_cast<std::uint8_t>(errc::unavailable)
          || std::chrono::steady_clock::now() >= until)
        return "cannot use PostgreSQL (--cluster-postgres): " + context_of(err);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  out.view = std::make_shared<cluster_view>(o.shards, o.incarnation);
  out.files = std::make_shared<file_store>(posix_storage(), cfg.data_dir);
  out.views = std::make_shared<read_views>();
  out.leases = std::make_shared<read_leases>();
  out.leases->lease = lease;
  out.leases->revoker = spawn_lease_revoker(sys, out.leases);
  out.views->leases = out.leases;
  out.journal = spawn_pg_journal(sys, o.pg, o.incarnation);
  out.readers = spawn_pg_readers(sys, o.pg, 4, o.reservation_ttl);
  shard_registry_options ro;
  ro.cluster = out.view;
  ro.journal = out.journal;
  ro.readers = out.readers;
  ro.files = out.files;
  ro.views = out.views;
  ro.node_name = o.node_name;
  ro.actor_idle = std::chrono::milliseconds(cfg.actor_idle_ms);
  out.local = spawn_shard_registry(sys, ro);
  cluster_router_options co;
  co.cluster = out.view;
  co.local = out.local;
  co.readers = out.readers;
  co.files = out.files;
  co.leases = out.leases;
  co.peer_timeout = o.peer_timeout;
  // A forwarded request gets its whole peer timeout, and a little to spare.
  co.answer_within = std::max(co.answer_within, o.peer_timeout + std::chrono::milliseconds(500));
  // A reservation answered later than this is abandoned by its owner (a
  // peer may have given up on it); a reserve leaves for a peer only with
  // twice as long to spare, which a peer link's own timeout leaves too.
  auto reserve_within = std::min(std::chrono::milliseconds(1000), o.peer_timeout / 2);
  co.reserve_lead = 2 * reserve_within;
  out.router = spawn_cluster_router(sys, co);
  out.facade = spawn_node_facade(sys, out.local, out.views, out.view, out.leases,
                                 reserve_within);
  std::string host;
  std::uint16_t port = 0;
  split_listen(cfg.cluster_listen, host, port); // checked by the parser
  if (auto published = caf::io::publish(out.facade, port, host.c_str(), true); !published) {
    auto why = sys.render(published.error());
    stop_cluster_node(sys, out);
    return "cannot publish the node interface on " + cfg.cluster_listen + ": " + why;
  }
  out.cluster = spawn_cluster_actor(sys, o, out.view, out.local);
  out.janitor = spawn_blob_janitor(sys, o.pg, out.files, std::chrono::minutes(1));
  auto until = std::chrono::steady_clock::now() + o.lease_ttl;
  while (!out.view->member() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return "";
}

void stop_cluster_node(caf::actor_system& sys, cluster_node& node) {
  if (node.cluster) {
    caf::scoped_actor self{sys};
    self->request(node.cluster, std::chrono::seconds(10), leave_atom::value)
      .receive([](bool) {},
               [](caf::error& err) {
                 log_warning("leaving the cluster: " + to_string(err)
                             + "; the other nodes take this node's shards once its leases expire");
               });
  }
  for (caf::actor a : {caf::actor_cast<caf::actor>(node.cluster), node.janitor,
                       caf::actor_cast<caf::actor>(node.facade),
                       caf::actor_cast<caf::actor>(node.router),
                       caf::actor_cast<caf::actor>(node.local),
                       caf::actor_cast<caf::actor>(node.readers),
                       caf::actor_cast<caf::actor>(node.journal),
                       node.leases ? node.leases->revoker : caf::actor{}})
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  node = cluster_node{};
}

} // namespace analysisd
