// extract_results reads a finalize body in one SAX pass. These tests hold it
// to the DOM path it replaced (parse_json_limited, find, dump): the same
// bodies are refused and the same results kept, compared as values, since the
// SAX pass keeps the client's key order and number text where the DOM sorted
// the keys and rendered the numbers again. And a large body is read without a
// DOM.

#include "http/request_parsing.hpp"

#include "actors/analysis_logic.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <string_view>

using namespace analysisd;

namespace {

// Bytes asked of operator new on this thread while `counting`.
thread_local bool counting = false;
thread_local std::size_t counted_bytes = 0;

} // namespace

// Every operator new of this test program goes through here (the default
// new[], nothrow new and sized delete forward to these), so that a test can
// count what one call allocates on its own thread: a sum of requests, not a
// reading of the heap, so other threads and the allocator's caching cannot
// move it. Not inlined: GCC would see free() meet operator new and warn.
[[gnu::noinline]] void* operator new(std::size_t size) {
  if (counting)
    counted_bytes += size;
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc();
}

[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}

[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

// The DOM path that extract_results replaced.
std::string dom_results(const std::string& body) {
  nlohmann::json j;
  if (!parse_json_body(body, j) || !j.is_object())
    return {};
  auto i = j.find("results");
  if (i == j.end() || !i->is_object())
    return {};
  return i->dump();
}

// The same decision as the DOM path and, when accepted, the same value; and
// the text is a fixed point (compact, escaped canonically).
void expect_same_as_dom(const std::string& body) {
  auto sax = extract_results(body);
  auto dom = dom_results(body);
  ASSERT_EQ(sax.empty(), dom.empty()) << "body: " << body << "\nsax: " << sax << "\ndom: " << dom;
  if (sax.empty())
    return;
  EXPECT_EQ(nlohmann::json::parse(sax), nlohmann::json::parse(dom)) << body;
  EXPECT_EQ(extract_results("{\"results\":" + sax + "}"), sax) << body;
}

// Random JSON text written by hand, not by a serializer: whitespace, escapes,
// duplicate keys, number spellings and `results` where a client might put
// them; some bodies are then damaged.
class body_generator {
public:
  explicit body_generator(std::uint32_t seed) : rng_(seed) {}

  std::string body() {
    std::string s;
    if (chance(10))
      value(s, 0);
    else
      top_object(s);
    if (chance(20))
      damage(s);
    return s;
  }

private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  template <std::size_t n>
  const char* one_of(const char* const (&xs)[n]) {
    return xs[pick(static_cast<int>(n))];
  }

  void space(std::string& s) {
    static const char* const spaces[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    s += one_of(spaces);
  }

  void string(std::string& s) {
    static const char* const pieces[] = {
      "a", "b", "results", "Z9", " ", "~", "\x7f", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n",
      "\\r", "\\t", "\\u0000", "\\u001f", "\\u001F", "\\u007f", "\\u0022", "\\u005c", "\\u00e9",
      "\\uD83D\\uDE00", "\\ud83d\\ude00", "\\uffff", "\xc3\xa9", "\xf0\x9f\x98\x80",
      "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xe2\x82\xac"};
    s += '"';
    for (int n = pick(5); n > 0; --n)
      s += one_of(pieces);
    s += '"';
  }

  void key(std::string& s, bool top) {
    static const char* const keys[] = {R"("a")", R"("b")", R"("a")", R"("results")",
                                       R"("\u0072esults")", R"("")"};
    if (chance(top ? 45 : 10))
      s += top && chance(90) ? R"("results")" : R"("\u0072esults")";
    else if (chance(60))
      s += one_of(keys);
    else
      string(s);
  }

  void number(std::string& s) {
    static const char* const numbers[] = {
      "0", "-0", "7", "-12", "1.5", "-0.0", "2.50", "1e2", "1E+2", "1e-2", "0.1", "1e-400",
      "1e308", "-1e308", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
      "-9223372036854775809", "18446744073709551615", "18446744073709551616",
      "123456789012345678901234567890", "3.141592653589793238462643383279", "4.9e-324"};
    static const char* const overflowing[] = {"1e400", "-1e400", "1e309"};
    s += chance(2) ? one_of(overflowing) : one_of(numbers);
  }

  void value(std::string& s, int depth) {
    if (chance(3)) {
      deep(s);
      return;
    }
    if (depth >= 5 || chance(45)) {
      static const char* const literals[] = {"true", "false", "null"};
      auto what = pick(5);
      if (what == 0)
        string(s);
      else if (what == 1)
        number(s);
      else
        s += one_of(literals);
      return;
    }
    container(s, depth, chance(50));
  }

  void container(std::string& s, int depth, bool is_object) {
    s += is_object ? '{' : '[';
    space(s);
    for (int n = pick(5), i = 0; i < n; ++i) {
      if (i > 0)
        s += ',';
      space(s);
      if (is_object) {
        key(s, false);
        space(s);
        s += ':';
        space(s);
      }
      value(s, depth + 1);
      space(s);
    }
    s += is_object ? '}' : ']';
  }

  // A nesting close to max_json_depth (in all, with whatever is around it).
  void deep(std::string& s) {
    int levels = max_json_depth - 6 + pick(8);
    bool filled = chance(50);
    std::string close;
    for (int i = 0; i < levels; ++i) {
      bool is_object = pick(2) == 0;
      s += is_object ? (i + 1 < levels || filled ? "{\"k\":" : "{") : "[";
      close.insert(close.begin(), is_object ? '}' : ']');
    }
    if (filled)
      s += "1";
    s += close;
  }

  void top_object(std::string& s) {
    space(s);
    s += '{';
    for (int n = pick(5), i = 0; i < n; ++i) {
      if (i > 0)
        s += ',';
      space(s);
      auto at = s.size();
      key(s, true);
      bool is_results = s.find("esults", at) != std::string::npos;
      space(s);
      s += ':';
      space(s);
      if (is_results && chance(75))
        container(s, 1, true);
      else
        value(s, 1);
      space(s);
    }
    s += '}';
    space(s);
  }

  void damage(std::string& s) {
    static const char bytes[] = {'\xff', '\xc0', '\x80', '\xed', '\0', '"', ',', '}', ']', '\\', 'x'};
    auto at = static_cast<std::size_t>(pick(static_cast<int>(s.size()) + 1));
    auto how = pick(4);
    if (how == 0)
      s.resize(at);
    else if (how == 1)
      s.insert(at, 1, bytes[pick(sizeof bytes)]);
    else if (how == 2 && at < s.size())
      s.erase(at, 1);
    else
      s += pick(2) ? " x" : " {}";
  }

  std::mt19937 rng_;
};

// `levels` containers, taking their kinds in turn from `kinds` ("{", "[" or
// both), the innermost holding `inner` ("" for nothing).
std::string nest(int levels, const std::string& inner, std::string_view kinds = "{[") {
  std::string open, close;
  for (int i = 0; i < levels; ++i) {
    if (kinds[static_cast<std::size_t>(i) % kinds.size()] == '{') {
      open += i + 1 == levels && inner.empty() ? "{" : "{\"k\":";
      close.insert(close.begin(), '}');
    } else {
      open += "[";
      close.insert(close.begin(), ']');
    }
  }
  return open + inner + close;
}

} // namespace

TEST(finalize_body, agrees_with_the_dom_on_generated_bodies) {
  body_generator gen(20240611);
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 600; ++i) {
    auto body = gen.body();
    expect_same_as_dom(body);
    (dom_results(body).empty() ? refused : accepted)++;
  }
  // Both outcomes are well exercised.
  EXPECT_GT(accepted, 150);
  EXPECT_GT(refused, 150);
}

TEST(finalize_body, keeps_the_client_key_order_and_number_text) {
  auto body = R"({"results": {"b": 1.50, "a": [1e2, -0, 12345678901234567890123],)"
              R"( "c": {"z": null, "y": true}}})";
  EXPECT_EQ(extract_results(body),
            R"({"b":1.50,"a":[1e2,0,12345678901234567890123],"c":{"z":null,"y":true}})");
  expect_same_as_dom(body);
}

TEST(finalize_body, depth_limit_is_the_dom_one_exactly) {
  // The body's own object and results are two of the containers.
  // max_json_depth containers may nest if the innermost is empty; anything
  // inside that one is too deep.
  for (std::string_view kinds : {"{", "[", "{[", "[{"}) {
    auto results = [&](int levels, const std::string& inner) {
      return "{\"k\":" + nest(levels - 2, inner, kinds) + "}";
    };
    auto body = [&](int levels, const std::string& inner) {
      return "{\"results\":" + results(levels, inner) + "}";
    };
    EXPECT_EQ(extract_results(body(max_json_depth, "")), results(max_json_depth, ""));
    EXPECT_EQ(extract_results(body(max_json_depth + 1, "")), "");
    EXPECT_EQ(extract_results(body(max_json_depth - 1, "1")), results(max_json_depth - 1, "1"));
    EXPECT_EQ(extract_results(body(max_json_depth, "1")), "");
    EXPECT_EQ(extract_results(body(max_json_depth, "\"s\"")), "");
    for (int levels = max_json_depth - 3; levels <= max_json_depth + 3; ++levels) {
      for (auto inner : {"", "1", "\"s\"", "[]", "{}"}) {
        expect_same_as_dom(body(levels, inner));
        // Outside results too: what is not copied is still checked.
        expect_same_as_dom("{\"results\":{},\"x\":" + nest(levels - 1, inner, kinds) + "}");
      }
    }
  }
}

TEST(finalize_body, invalid_utf8_is_refused_wherever_it_is) {
  for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80",
                          "\x80", "\xf0\x9f\x98"}) {
    for (auto body : {"{\"results\":{\"s\":\"" + bad + "\"}}", "{\"results\":{\"" + bad + "\":1}}",
                      "{\"results\":{},\"x\":\"" + bad + "\"}", "{\"results\":{}," + bad + "}"}) {
      EXPECT_EQ(extract_results(body), "") << body;
      expect_same_as_dom(body);
    }
  }
  // A byte order mark is what the lexer skips in both paths.
  expect_same_as_dom("\xef\xbb\xbf{\"results\":{}}");
}

TEST(finalize_body, strings_are_escaped_as_dump_escapes_them) {
  EXPECT_EQ(extract_results(R"({"results":{"s":"\u0000"}})"), R"({"s":"\u0000"})");
  EXPECT_EQ(extract_results(R"({"results":{"s":"\ud83d\ude00 \u00e9 \/"}})"),
            "{\"s\":\"\xf0\x9f\x98\x80 \xc3\xa9 /\"}");
  EXPECT_EQ(extract_results(R"({"results":{"s":"\ud800"}})"), "");
  EXPECT_EQ(extract_results(R"({"results":{"s":"\ude00x"}})"), "");
  // Every character below 0x80 spelled as \u00XX, as a value and as a key:
  // byte for byte what the DOM's dump() wrote (one member, so no order).
  for (int c = 0; c < 0x80; ++c) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\u%04x", c);
    for (auto body : {std::string(R"({"results":{"s":"x)") + hex + "y\"}}",
                      std::string(R"({"results":{")") + hex + "\":\"" + hex + "\"}}"}) {
      EXPECT_EQ(extract_results(body), dom_results(body)) << body;
    }
  }
}

TEST(finalize_body, the_last_top_level_results_counts) {
  EXPECT_EQ(extract_results(R"({"results":{"a":1},"results":{"b":2}})"), R"({"b":2})");
  EXPECT_EQ(extract_results(R"({"results":{"a":1},"results":1})"), "");
  EXPECT_EQ(extract_results(R"({"results":1,"results":{}})"), "{}");
  EXPECT_EQ(extract_results(R"({"results":{"a":1},"\u0072esults":[]})"), "");
  // Only the top level's: a nested one is data.
  EXPECT_EQ(extract_results(R"({"x":{"results":{}}})"), "");
  EXPECT_EQ(extract_results(R"({"results":{"results":{"a":1}},"y":{"results":{}}})"),
            R"({"results":{"a":1}})");
  // Inside results duplicates stay as given; a reader that takes the last one
  // (nlohmann does) sees what the DOM kept.
  EXPECT_EQ(extract_results(R"({"results":{"a":1,"b":0,"a":2}})"), R"({"a":1,"b":0,"a":2})");
  for (auto body : {R"({"results":{"a":1},"results":{"b":2}})", R"({"results":{"a":1},"results":1})",
                    R"({"results":1,"results":{}})", R"({"results":{"a":1,"b":0,"a":2}})"})
    expect_same_as_dom(body);
}

TEST(finalize_body, results_that_are_not_an_object_are_refused) {
  for (auto body : {R"({"results":[]})", R"({"results":[{}]})", R"({"results":null})",
                    R"({"results":"{}"})", R"({"results":0})", R"({"results":true})", R"({})",
                    R"({"result":{}})", R"([{"results":{}}])", R"("results")", "{\"results\":{}}x",
                    R"({"results":{})", "", " "}) {
    EXPECT_EQ(extract_results(body), "") << body;
    expect_same_as_dom(body);
  }
}

TEST(finalize_body, huge_numbers_keep_their_text_or_are_refused_as_before) {
  auto body = R"({"results":{"big":123456789012345678901234567890,"u":18446744073709551615,)"
              R"("i":-9223372036854775808,"over":18446744073709551616,"f":1e308,)"
              R"("tiny":1e-400,"z":-0,"fz":-0.0}})";
  EXPECT_EQ(extract_results(body),
            R"({"big":123456789012345678901234567890,"u":18446744073709551615,)"
            R"("i":-9223372036854775808,"over":18446744073709551616,"f":1e308,)"
            R"("tiny":1e-400,"z":0,"fz":-0.0})");
  expect_same_as_dom(body);
  // Out of a double's range: the parser refuses it, in results or not.
  for (auto over : {R"({"results":{"a":1e400}})", R"({"results":{"a":[-1e400]}})",
                    R"({"results":{},"x":1e309})"}) {
    EXPECT_EQ(extract_results(over), "") << over;
    expect_same_as_dom(over);
  }
}

TEST(finalize_body, reads_only_the_view_it_is_given) {
  std::string buffer = R"({"results":{"a":1}}{"results":{"b":2}})";
  std::string_view first(buffer.data(), buffer.find("}{") + 1);
  EXPECT_EQ(extract_results(first), R"({"a":1})");
  EXPECT_EQ(extract_results(buffer), "");
}

namespace {

// `{"results":<results>,"x":[<item>,<item>,...]}` of at least `size` bytes.
std::string padded_body(const std::string& results, const std::string& item, std::size_t size) {
  std::string body = "{\"results\":" + results + ",\"x\":[";
  body.reserve(size + item.size() + 4);
  while (body.size() < size)
    body += item + ",";
  return body + item + "]}";
}

// Bytes that operator new was asked for on this thread during f().
template <class F>
std::size_t bytes_allocated_by(F f) {
  counted_bytes = 0;
  counting = true;
  f();
  counting = false;
  return counted_bytes;
}

} // namespace

TEST(finalize_body, a_16_mib_body_is_read_in_a_few_kib) {
  auto body = padded_body(R"({"hits":[1,2]})", R"({"n":1})", std::size_t{16} << 20);
  std::string results;
  auto bytes = bytes_allocated_by([&] { results = extract_results(body); });
  EXPECT_EQ(results, R"({"hits":[1,2]})");
  EXPECT_LT(bytes, std::size_t{64} << 10);

  // The counter sees allocations: the DOM path on a sixteenth of a body.
  auto small = padded_body("{}", "1", std::size_t{1} << 20);
  auto dom_bytes = bytes_allocated_by([&] { results = dom_results(small); });
  EXPECT_EQ(results, "{}");
  EXPECT_GT(dom_bytes, std::size_t{8} << 20);
  std::printf("16 MiB body: %zu bytes allocated; the DOM path on 1 MiB: %zu\n", bytes, dom_bytes);
}

// nlohmann 3.11's lexer keeps every character it read since the start of the
// last string or number (token_string, for its error messages): a long run of
// nothing but brackets, commas, literals and blanks costs a byte per byte
// there, up to twice that as the vector grows. Bounded by the body, still far
// from the DOM, but not O(depth); the public API has no way around it.
TEST(finalize_body, a_16_mib_run_of_brackets_costs_the_lexer_a_copy_of_it) {
  auto body = padded_body("{}", "{}", std::size_t{16} << 20);
  std::string results;
  auto bytes = bytes_allocated_by([&] { results = extract_results(body); });
  EXPECT_EQ(results, "{}");
  EXPECT_LT(bytes, 2 * body.size() + (std::size_t{64} << 10));
  std::printf("16 MiB of [{},{},...]: %zu bytes allocated\n", bytes);
}

// nlohmann's lexer stops at a NUL byte: a body that goes on after one is not
// JSON, whatever follows (found by the fuzzer: valid JSON, a NUL, invalid UTF-8).
TEST(finalize_body, a_nul_byte_anywhere_refuses_the_body) {
  using namespace std::string_literals;
  EXPECT_EQ(analysisd::extract_results("{\"results\":{\"a\":0e4}}\0%`0\x01\xe5*i"s), "");
  EXPECT_EQ(analysisd::extract_results("{\"results\":{\"a\":1}}\0"s), "");
  EXPECT_EQ(analysisd::extract_results("{\"results\":{\"a\":1}}"s), "{\"a\":1}");
  nlohmann::json j;
  EXPECT_FALSE(analysisd::parse_json_limited("{}\0{}"s, j));
}
