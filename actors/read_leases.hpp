#pragma once

/// Read leases: how a cluster node answers a job's GET of an analysis that
/// another node owns without asking the owner each time (DESIGN.md,
/// "Scaling out", reads).
///
/// A node that forwards a job's GET asks the owner for a read lease with
/// it. The owner answers from the analysis's published view and, with the
/// document, grants the asking node (its peer link, the holder) a lease of
/// at most `lease` and never past its own mandate for the shard. The holder
/// keeps the document as a replica until the lease ends, counted from when
/// it *sent* the request (so it ends, on the holder's clock, before it ends
/// on the owner's), and answers that job's GETs from it on the connection's
/// thread.
///
/// The owner revokes before it acknowledges: an analysis actor that
/// published a change asks each holder of an unexpired grant on the
/// analysis to drop its replica, and answers the change only once each
/// holder confirmed or its lease ran out (a holder that cannot be reached is
/// waited out). A grant stays in the book until its holder confirmed, so a
/// second change made while the first one's revocation is under way waits
/// for it too. A grant reads the view and records the holder under one
/// lock that the revocation takes after the change was published, so a
/// grant either shows the change or is revoked by it; a holder that hears
/// of a revocation while a request for a lease is on its way keeps no
/// replica from that request (requests sent after it read the change).
/// A node that hands a shard off revokes its grants before it releases the
/// lease; one whose lease lapses granted nothing that outlives its mandate,
/// and nobody else can own the shard before that mandate ends in
/// PostgreSQL. So a GET answered anywhere after
/// a change was acknowledged shows it (read-your-writes across nodes).
///
/// Replicas answer only the job that owns the analysis, with the key hash
/// the owner checked; anything else (an operator, another job, a replica
/// missing or expired) is forwarded as before.

#include "actors/read_views.hpp"
#include "actors/view_table.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace analysisd {

using lease_clock = std::chrono::steady_clock;

/// A document another node owns, kept by the node that holds a read lease on it.
struct replica {
  analysis_view view;
  std::string key_hash;          ///< Of view.job_id's key, as the owner checked it.
  lease_clock::time_point until; ///< The lease's end, on this node's clock.
};

/// A lease granted by this node: who holds it and until when (this node's
/// clock, with a margin for the two clocks' rates).
struct lease_grant {
  caf::actor holder;
  lease_clock::time_point until;
};

/// The grants this node made, by analysis. Any thread.
class lease_book {
public:
  /// Calls `decide` under the lock of `id`'s stripe: it reads the view and
  /// returns how long a lease it grants (zero: none). A lease granted is
  /// recorded for `holder` (replacing one it held on `id`) before the lock
  /// is released. Returns what `decide` returned.
  std::chrono::milliseconds grant(const std::string& id, std::uint32_t shard,
                                  const caf::actor& holder,
                                  const std::function<std::chrono::milliseconds()>& decide);

  /// Whether `id` has an unexpired grant, being revoked or not.
  bool any(const std::string& id);

  /// The unexpired grants on `id`. They stay in the book until their holder
  /// confirmed the revocation (confirm) or they end, so that a change
  /// published while one is being revoked waits for it too.
  std::vector<lease_grant> pending(const std::string& id);

  /// A holder's unexpired grants on analyses of one shard.
  struct holder_grants {
    caf::actor holder;
    std::vector<std::pair<std::string, lease_clock::time_point>> grants; ///< id, end.
    lease_clock::time_point until; ///< The latest end of them.
  };

  /// The unexpired grants on analyses of `shard`, by holder (kept, as pending).
  std::vector<holder_grants> pending_shard(std::uint32_t shard);

  /// `holder` dropped its replica of `id`: forgets the grant that ends at
  /// `until`, unless it was granted again since (a later end: that replica
  /// shows a later view).
  void confirm(const std::string& id, const caf::actor& holder, lease_clock::time_point until);

  /// Forgets expired grants; returns how many grants remain.
  std::size_t sweep();

private:
  struct record {
    std::uint32_t shard = 0;
    std::vector<lease_grant> grants;
  };
  struct stripe {
    std::mutex lock;
    std::unordered_map<std::string, record> by_id;
  };
  stripe& stripe_of(const std::string& id);
  std::array<stripe, 64> stripes_;
};

/// The read-lease parts of one cluster node: replicas it holds, grants it
/// made, and the actor that revokes them.
struct read_leases {
  /// The longest lease this node grants (zero: it grants none, and asks
  /// for none).
  std::chrono::milliseconds lease{1000};
  /// Replicas this node keeps at most (a lease granted beyond them is not
  /// used): bounds their memory by what a burst of distinct analyses read
  /// within one lease could take.
  std::size_t max_replicas = 65536;
  view_table<replica> replicas{1024};
  lease_book granted;
  /// Set once, before any analysis actor or peer link starts.
  caf::actor revoker;
};

using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
/// What an owner sends a holder: drop these replicas -> true.
using invalidate_atom = caf::atom_constant<caf::atom("invalidate")>;
using lease_atom = caf::atom_constant<caf::atom("lease")>;

/// Spawns the revoker of `leases` (stored in leases->revoker by the caller):
///  - (revoke_atom, std::string id) -> true once every unexpired grant on
///    `id` was confirmed by its holder (then forgotten) or ran out;
///  - (revoke_atom, std::uint32_t shard) -> the same for every analysis of
///    `shard` (a handoff, before the lease is released).
/// It also forgets expired grants every second. Ended with an exit message.
caf::actor spawn_lease_revoker(caf::actor_system& sys, std::weak_ptr<read_leases> leases);

/// How long a revocation may take, at most: every grant ends by then.
inline std::chrono::milliseconds revoke_timeout(const read_leases& leases) {
  return 2 * leases.lease + std::chrono::milliseconds(100);
}

/// Revokes the grants on `id` before `then` runs: at once when there are
/// none (or no leases), else once the revoker answered (it always does,
/// within the longest lease). Called by an analysis actor after it
/// published a change and before it answers it.
template <class Self, class F>
void after_revoked(Self* self, const std::shared_ptr<read_leases>& leases, const std::string& id,
                   F then) {
  if (!leases || !leases->revoker || leases->lease.count() == 0) {
    then();
    return;
  }
  // Almost every change has no grant to revoke. (A grant made after this
  // look reads the view this change published.)
  if (!leases->granted.any(id)) {
    then();
    return;
  }
  // The revoker answers within the longest lease (it waits out what it
  // cannot revoke); failing that, every grant made before the change has
  // ended by this timeout. (It goes only with the node, after the node
  // left the cluster: stop_cluster_node.)
  self->request(leases->revoker, revoke_timeout(*leases), revoke_atom::value, id)
    .then([then](bool) mutable { then(); }, [then](caf::error&) mutable { then(); });
}

/// Decides a GET of `id` by `cred` from a replica this node holds: the
/// owning job with the key hash the owner checked, the lease not over.
/// nullopt: forward it.
std::optional<view_read> read_from_replicas(
  const read_leases& leases, const credential& cred, const std::string& id,
  const std::function<bool(const std::string& etag)>& not_modified = {});

} // namespace analysisd
