#pragma once

#include "actors/protocol.hpp"

#include <optional>
#include <string>

namespace analysisd {

/// What a job's Authorization header said.
struct job_auth {
  enum outcome { ok, missing, invalid } result = missing;
  credential cred; ///< Set when ok: the job id and the SHA-256 of its key.
};

/// Parses `Basic base64("job-<job_id>:<key>")`. `header` is the header's
/// value, or nullopt when the request has none. Never throws.
job_auth parse_job_auth(const std::optional<std::string>& header);

/// True if `header` is `Bearer <token>` with the token whose SHA-256 is
/// `token_hash`; compared in constant time. Never throws.
bool is_admin(const std::optional<std::string>& header, const std::string& token_hash);

/// Decodes standard base64 (with padding); false on any invalid input.
bool decode_base64(const std::string& in, std::string& out);

} // namespace analysisd
