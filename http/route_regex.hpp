#pragma once

// pcre2.h asks which code unit width its API names stand for.
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <restinio/string_view.hpp>

#include <cstddef>

namespace analysisd {

/// The regex engine of the routing table (RESTinio's express router takes
/// one as a template parameter: the same interface as its own
/// restinio/router/pcre2_regex_engine.hpp). Two differences from RESTinio's:
///  - each route's regex is compiled by PCRE2's JIT too, where the process
///    may map executable memory (the packaged unit forbids it:
///    MemoryDenyWriteExecute; pcre2_match then interprets, as before);
///  - the match data is made once per thread, not for every route tried.
/// With RESTinio's engine, pcre2_match and its match data were 4-5% of a
/// GET's CPU (bench/, "profile GET").
struct route_regex_engine {
  /// A compiled route; move-only.
  class compiled_regex_t {
  public:
    compiled_regex_t() = default;
    compiled_regex_t(restinio::string_view_t pattern, bool case_sensitive);
    compiled_regex_t(compiled_regex_t&& other) noexcept;
    compiled_regex_t& operator=(compiled_regex_t&& other) noexcept;
    compiled_regex_t(const compiled_regex_t&) = delete;
    compiled_regex_t& operator=(const compiled_regex_t&) = delete;
    ~compiled_regex_t();

    const pcre2_code* code() const { return code_; }
    /// Whether PCRE2's JIT compiled it (else pcre2_match interprets it).
    bool jit() const { return jit_; }

  private:
    pcre2_code* code_ = nullptr;
    bool jit_ = false;
  };

  struct matched_item_descriptor_t {
    PCRE2_SIZE begin;
    PCRE2_SIZE end;
  };

  /// The groups of the last match on this thread (valid until the next).
  struct match_results_t {
    match_results_t();
    matched_item_descriptor_t operator[](std::size_t i) const {
      const PCRE2_SIZE* v = pcre2_get_ovector_pointer(data);
      return {v[2 * i], v[2 * i + 1]};
    }
    std::size_t size() const { return count; }

    pcre2_match_data* data;
    std::size_t count = 0;
  };

  /// Our routes capture at most 2 parameters (3 groups with the whole match).
  static constexpr std::size_t max_capture_groups() { return 4; }

  static compiled_regex_t compile_regex(restinio::string_view_t pattern, bool case_sensitive) {
    return compiled_regex_t{pattern, case_sensitive};
  }

  /// Throws restinio::exception_t on a PCRE2 error other than no match.
  static bool try_match(restinio::string_view_t path, const compiled_regex_t& regex,
                        match_results_t& results);

  static std::size_t submatch_begin_pos(const matched_item_descriptor_t& m) {
    return static_cast<std::size_t>(m.begin);
  }
  static std::size_t submatch_end_pos(const matched_item_descriptor_t& m) {
    return static_cast<std::size_t>(m.end);
  }
};

} // namespace analysisd
