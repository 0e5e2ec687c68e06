#include "http/route_regex.hpp"

#include <restinio/exception.hpp>

#include <array>
#include <memory>
#include <string>
#include <utility>

namespace analysisd {

namespace {

struct match_data_free {
  void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};

pcre2_match_data* thread_match_data() {
  thread_local std::unique_ptr<pcre2_match_data, match_data_free> data{
    pcre2_match_data_create(static_cast<uint32_t>(route_regex_engine::max_capture_groups()),
                            nullptr)};
  if (!data)
    throw restinio::exception_t{"out of memory for a route's match data"};
  return data.get();
}

} // namespace

route_regex_engine::compiled_regex_t::compiled_regex_t(restinio::string_view_t pattern,
                                                       bool case_sensitive) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                        case_sensitive ? 0u : PCRE2_CASELESS, &error, &offset, nullptr);
  if (code_ == nullptr) {
    std::array<PCRE2_UCHAR, 256> text{};
    pcre2_get_error_message(error, text.data(), text.size());
    throw restinio::exception_t{"cannot compile the route regex \"" + std::string{pattern}
                                + "\": " + reinterpret_cast<const char*>(text.data())};
  }
  // Fails without harm where executable memory is refused: pcre2_match
  // then interprets the pattern.
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
}

route_regex_engine::compiled_regex_t::compiled_regex_t(compiled_regex_t&& other) noexcept
  : code_(std::exchange(other.code_, nullptr)), jit_(other.jit_) {}

route_regex_engine::compiled_regex_t&
route_regex_engine::compiled_regex_t::operator=(compiled_regex_t&& other) noexcept {
  if (this != &other) {
    if (code_ != nullptr)
      pcre2_code_free(code_);
    code_ = std::exchange(other.code_, nullptr);
    jit_ = other.jit_;
  }
  return *this;
}

route_regex_engine::compiled_regex_t::~compiled_regex_t() {
  if (code_ != nullptr)
    pcre2_code_free(code_);
}

route_regex_engine::match_results_t::match_results_t() : data(thread_match_data()) {}

bool route_regex_engine::try_match(restinio::string_view_t path, const compiled_regex_t& regex,
                                   match_results_t& results) {
  int rc = pcre2_match(regex.code(), reinterpret_cast<PCRE2_SPTR>(path.data()), path.size(), 0,
                       0, results.data, nullptr);
  if (rc > 0) {
    results.count = static_cast<std::size_t>(rc);
    return true;
  }
  if (rc == PCRE2_ERROR_NOMATCH)
    return false;
  // 0: more groups than the match data holds, which the router checks
  // when it adds a route.
  throw restinio::exception_t{"route match failed: PCRE2 error " + std::to_string(rc)};
}

} // namespace analysisd
