// The routing table's regex engine (http/route_regex.hpp): what RESTinio's
// express router needs of one. The routes themselves are checked over HTTP
// by the end-to-end suite.

#include "http/route_regex.hpp"

#include <restinio/exception.hpp>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using analysisd::route_regex_engine;

namespace {

// The groups of a match of `path`, whole match first; empty if none.
std::vector<std::string> groups_of(const route_regex_engine::compiled_regex_t& regex,
                                   const std::string& path) {
  route_regex_engine::match_results_t m;
  std::vector<std::string> out;
  if (!route_regex_engine::try_match(path, regex, m))
    return out;
  for (std::size_t i = 0; i < m.size(); ++i)
    out.push_back(path.substr(route_regex_engine::submatch_begin_pos(m[i]),
                              route_regex_engine::submatch_end_pos(m[i])
                                - route_regex_engine::submatch_begin_pos(m[i])));
  return out;
}

} // namespace

// The pattern RESTinio's path2regex makes of "/api/analyses/:id/files/:file_id".
TEST(route_regex, captures_the_parameters_of_a_route) {
  auto regex = route_regex_engine::compile_regex(R"(^/api/analyses/([^/]+?)/files/([^/]+?)$)",
                                                 true);
  EXPECT_EQ(groups_of(regex, "/api/analyses/abc123/files/7"),
            (std::vector<std::string>{"/api/analyses/abc123/files/7", "abc123", "7"}));
  EXPECT_TRUE(groups_of(regex, "/api/analyses/abc123/files").empty());
  EXPECT_TRUE(groups_of(regex, "/API/analyses/abc123/files/7").empty());
  EXPECT_TRUE(groups_of(regex, "/api/analyses/a/b/files/7").empty());
  // Matches one after another on one thread reuse its match data.
  EXPECT_EQ(groups_of(regex, "/api/analyses/x/files/y").at(1), "x");
  auto caseless = route_regex_engine::compile_regex("^/api/analyses$", false);
  EXPECT_EQ(groups_of(caseless, "/API/Analyses").size(), 1u);
}

// Where the process may map executable memory, as here, each route is
// compiled by PCRE2's JIT; elsewhere (MemoryDenyWriteExecute) it is
// interpreted and matches the same.
TEST(route_regex, routes_are_jit_compiled_where_pcre2_has_a_jit) {
  std::uint32_t has_jit = 0;
  pcre2_config(PCRE2_CONFIG_JIT, &has_jit);
  auto regex = route_regex_engine::compile_regex("^/healthz$", true);
  EXPECT_EQ(regex.jit(), has_jit == 1);
  EXPECT_EQ(groups_of(regex, "/healthz").size(), 1u);
}

TEST(route_regex, a_bad_pattern_throws_and_a_moved_regex_still_matches) {
  EXPECT_THROW(route_regex_engine::compile_regex("^/api/(unclosed$", true),
               restinio::exception_t);
  auto regex = route_regex_engine::compile_regex("^/a/([^/]+)$", true);
  route_regex_engine::compiled_regex_t moved{std::move(regex)};
  EXPECT_EQ(regex.code(), nullptr);
  EXPECT_EQ(groups_of(moved, "/a/b").at(1), "b");
  route_regex_engine::compiled_regex_t assigned;
  assigned = std::move(moved);
  EXPECT_EQ(groups_of(assigned, "/a/c").at(1), "c");
}
