#pragma once

// The operator's command line, in the server's binary:
//
//   analysisd admin [--url URL] [--config FILE] [--data-dir DIR]
//                   [--admin-token-file FILE] [--pretty] COMMAND ...
//   analysisd backup [--config FILE] [--data-dir DIR] --to DEST
//
// `admin` speaks HTTP (libcurl) to a running server with the admin token
// taken from the server's own sources; `backup` copies the data dir of a
// stopped server.

#include <ostream>
#include <string>
#include <vector>

namespace analysisd {

/// Runs `analysisd admin ARGS...` (`args` without "analysisd admin") with
/// `environment` (`NAME=VALUE` entries). Writes the server's JSON (or the
/// key, for acquire) to `out` and messages to `err`. Returns the exit code:
/// 0 for a 2xx answer, 1 for an HTTP error (the server's message on `err`)
/// or no answer at all, 2 for a usage error.
int run_admin(const std::vector<std::string>& args, const std::vector<std::string>& environment,
              std::ostream& out, std::ostream& err);

/// Runs `analysisd backup ARGS...`: a backup of a data dir whose server is
/// stopped (its lock must be free). Exit codes as run_admin's.
int run_offline_backup(const std::vector<std::string>& args,
                       const std::vector<std::string>& environment, std::ostream& out,
                       std::ostream& err);

} // namespace analysisd
