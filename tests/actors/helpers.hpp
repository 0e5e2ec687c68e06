#pragma once

// What the actor tests share.

#include "actors/protocol.hpp"

#include <string>

namespace analysisd::test {

/// A valid create request with the seed document's fields.
inline create_request good_create(std::string id = {}) {
  create_request r;
  r.id = std::move(id);
  r.workflow = "pathoscope_bowtie";
  r.sample = {"kigvhuql", "Test 1"};
  r.index = {"qldihken", 0};
  r.user_id = "igboyes";
  r.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  return r;
}

} // namespace analysisd::test
