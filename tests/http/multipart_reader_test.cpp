#include "http/multipart_reader.hpp"

#include "http/request_parsing.hpp"
#include "tests/fuzz/request.hpp"
#include "tests/fuzz/whole_multipart.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using namespace analysisd;

namespace analysisd {

void PrintTo(multipart_status s, std::ostream* os) {
  *os << (s == multipart_status::more ? "more" : s == multipart_status::done ? "done" : "malformed");
}

} // namespace analysisd

namespace {

const std::string curl_boundary = "------------------------d74496d66958873e";
const std::string curl_type = "multipart/form-data; boundary=" + curl_boundary;
const std::string file_headers =
  "Content-Disposition: form-data; name=\"file\"; filename=\"reads.fa\"\r\n"
  "Content-Type: application/octet-stream";

struct outcome {
  multipart_status status = multipart_status::more;
  std::string bytes;

  bool operator==(const outcome& other) const {
    return status == other.status && bytes == other.bytes;
  }
};

void PrintTo(const outcome& o, std::ostream* os) {
  PrintTo(o.status, os);
  *os << " with " << o.bytes.size() << " bytes: " << testing::PrintToString(o.bytes.substr(0, 200));
}

std::string part(const std::string& boundary, const std::string& headers, const std::string& content) {
  return "--" + boundary + "\r\n" + headers + "\r\n\r\n" + content + "\r\n";
}

std::string close(const std::string& boundary) {
  return "--" + boundary + "--\r\n";
}

std::string curl_body(const std::string& content) {
  return part(curl_boundary, file_headers, content) + close(curl_boundary);
}

// Feeds `body` cut at the increasing offsets `cuts`, then finishes.
outcome read_cut(const std::string& boundary, std::string_view body, const std::vector<std::size_t>& cuts) {
  multipart_reader reader(boundary);
  outcome out;
  bool empty_range = false;
  auto on_bytes = [&](std::string_view bytes) {
    empty_range = empty_range || bytes.empty();
    out.bytes.append(bytes);
  };
  std::size_t at = 0;
  for (auto cut : cuts) {
    reader.feed(body.substr(at, cut - at), on_bytes);
    EXPECT_LE(reader.held_back(), reader.max_held_back());
    at = cut;
  }
  reader.feed(body.substr(at), on_bytes);
  out.status = reader.finish();
  EXPECT_FALSE(empty_range) << "an empty range was handed on";
  if (out.status != multipart_status::done)
    out.bytes.clear(); // what was handed on is final only once done
  return out;
}

std::vector<std::size_t> random_cuts(std::size_t size, std::mt19937& rng) {
  std::vector<std::size_t> cuts;
  std::uniform_int_distribution<int> kind(0, 3);
  std::size_t at = 0;
  while (true) {
    // Mostly tiny pieces, to cut inside delimiters and header lines.
    std::size_t len = kind(rng) == 0 ? std::uniform_int_distribution<std::size_t>(1, 300)(rng)
                                     : std::uniform_int_distribution<std::size_t>(0, 7)(rng);
    at += len;
    if (at >= size)
      return cuts;
    cuts.push_back(at);
  }
}

// The outcome of `body` fed whole, which must be that of the body fed byte by
// byte, cut once anywhere (small bodies) and cut at random points.
outcome read(const std::string& boundary, const std::string& body) {
  auto whole = read_cut(boundary, body, {});
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < body.size(); ++i)
    every.push_back(i);
  EXPECT_EQ(read_cut(boundary, body, every), whole) << "byte by byte";
  if (body.size() <= 1500) {
    for (std::size_t i = 0; i <= body.size(); ++i)
      EXPECT_EQ(read_cut(boundary, body, {i}), whole) << "cut at " << i;
  }
  std::mt19937 rng(static_cast<unsigned>(body.size()));
  for (int round = 0; round < 20; ++round)
    EXPECT_EQ(read_cut(boundary, body, random_cuts(body.size(), rng)), whole) << "round " << round;
  return whole;
}

outcome done(std::string bytes) {
  return {multipart_status::done, std::move(bytes)};
}

const outcome malformed{multipart_status::malformed, {}};

// The whole-body parser of today's upload route.
outcome parse_upload_of(const std::string& content_type, const std::string& body) {
  auto req = fuzz::make_request("/api/analyses/abcd1234/files?name=reads.fa", content_type, body);
  auto up = fuzz::parse_upload_whole(req);
  if (!up.multipart_ok)
    return malformed;
  return done(std::string(up.bytes.data(), up.bytes.size()));
}

// Content full of starts of the delimiter that are not one.
std::string delimiter_starts(const std::string& boundary) {
  const std::string delimiter = "\r\n--" + boundary;
  std::string s = "head";
  for (std::size_t k = 1; k < delimiter.size(); ++k)
    s += delimiter.substr(0, k) + "#";
  for (std::size_t k = 1; k < delimiter.size(); ++k)
    s += delimiter.substr(0, k); // one look-alike opening the next
  s += "\r\r\n-\r\n--\r\n--" + boundary.substr(0, boundary.size() - 1) + "\r\n";
  return s + "tail\r"; // a CR right before the real delimiter
}

// The same and the whole boundary without the CRLF before it (which
// parse_upload_whole refuses, see follows_rfc_2046_where_parse_upload_does_not).
std::string look_alikes(const std::string& boundary) {
  std::string s = delimiter_starts(boundary);
  s += "#--" + boundary + "--\r\n";       // the whole boundary, no CRLF before
  s += "x\n--" + boundary + "\r\n";       // LF only
  s += "x\r--" + boundary + "\r\n";       // CR only
  return s + "tail\r";
}

} // namespace

TEST(multipart_reader, boundary_of_form_data_content_types) {
  EXPECT_EQ(multipart_boundary(curl_type), curl_boundary);
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; BOUNDARY=abc"), "abc");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=\"q b\""), "q b");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a:b?c=d\""), "a:b?c=d");
  auto longest = std::string(70, 'x');
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + longest), longest);
}

TEST(multipart_reader, other_content_types_have_no_boundary) {
  for (std::string ct : std::vector<std::string>{
         "", "application/json", "multipart/mixed; boundary=abc", "multipart/form-data",
         "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
         "multipart/form-data; boundary=\"ab \"", "multipart/form-data; boundary=\"a\\\"b\"",
         "multipart/form-data; boundary=a@b", "form-data; boundary=abc",
         "multipart/form-data; boundary=" + std::string(71, 'x')})
    EXPECT_EQ(multipart_boundary(ct), std::nullopt) << ct;
}

TEST(multipart_reader, curl_upload_gives_the_file_bytes) {
  EXPECT_EQ(read(curl_boundary, curl_body(">seq1\nACGTACGT\n")), done(">seq1\nACGTACGT\n"));
  std::string binary;
  for (int i = 0; i < 512; ++i)
    binary.push_back(static_cast<char>(i * 7 % 256));
  EXPECT_EQ(read(curl_boundary, curl_body(binary)), done(binary));
}

TEST(multipart_reader, empty_file) {
  EXPECT_EQ(read(curl_boundary, curl_body("")), done(""));
}

TEST(multipart_reader, file_part_need_not_be_first) {
  auto body = part(curl_boundary, "Content-Disposition: form-data; name=\"format\"", "fasta")
              + part(curl_boundary, file_headers, "a,b\r\n1,2")
              + part(curl_boundary, "Content-Disposition: form-data; name=\"note\"", "after")
              + close(curl_boundary);
  EXPECT_EQ(read(curl_boundary, body), done("a,b\r\n1,2"));
}

TEST(multipart_reader, first_file_part_wins) {
  auto body = part(curl_boundary, file_headers, "first") + part(curl_boundary, file_headers, "second")
              + close(curl_boundary);
  EXPECT_EQ(read(curl_boundary, body), done("first"));
}

TEST(multipart_reader, boundary_look_alikes_in_the_content_are_content) {
  for (std::string b : {curl_boundary, std::string("b"), std::string("q b"), std::string(70, '-')}) {
    auto content = look_alikes(b);
    EXPECT_EQ(read(b, part(b, file_headers, content) + close(b)), done(content)) << b;
    // Also in a skipped part and in the preamble.
    auto body = content + "\r\n" + part(b, "Content-Disposition: form-data; name=x", content)
                + part(b, file_headers, "ok") + close(b);
    EXPECT_EQ(read(b, body), done("ok")) << b;
  }
}

// RFC 2046: the boundary "MUST NOT appear inside any of the encapsulated
// parts, on a line by itself or as the prefix of any line".
TEST(multipart_reader, boundary_prefixing_a_line_in_the_content_is_malformed) {
  for (std::string after : {"x", "-", "-x", "\n", "\rx", " x", "0"})
    EXPECT_EQ(read(curl_boundary, curl_body("abc\r\n--" + curl_boundary + after + "def")), malformed)
      << after;
  EXPECT_EQ(read(curl_boundary, "--" + curl_boundary + "x\r\n" + curl_body("abc")), malformed);
  EXPECT_EQ(read(curl_boundary, part(curl_boundary, file_headers, "abc") + "--" + curl_boundary + "-\r\n"),
            malformed);
}

TEST(multipart_reader, preamble_and_epilogue_are_ignored) {
  auto body = "This is the preamble.\r\nIt has --" + curl_boundary + " in it.\r\n" + curl_body("data")
              + "This is the epilogue.\r\n--" + curl_boundary + "x\r\n";
  EXPECT_EQ(read(curl_boundary, body), done("data"));
  EXPECT_EQ(read(curl_boundary, "\r\n" + curl_body("data")), done("data"));
}

// RFC 2046 allows these; RESTinio's helper (and so parse_upload_whole) does not.
TEST(multipart_reader, transport_padding_and_a_close_without_crlf_are_accepted) {
  auto b = curl_boundary;
  auto body = "--" + b + " \t \r\n" + file_headers + "\r\n\r\ndata\r\n--" + b + "\t\r\n"
              + "Content-Disposition: form-data; name=x\r\n\r\n\r\n--" + b + "--  \r\nepilogue";
  EXPECT_EQ(read(b, body), done("data"));
  auto no_crlf = part(b, file_headers, "data") + "--" + b + "--";
  EXPECT_EQ(read(b, no_crlf), done("data"));
  EXPECT_EQ(read(b, no_crlf + " \t"), done("data"));
  EXPECT_EQ(read(b, no_crlf + "\r"), malformed);
  EXPECT_EQ(read(b, no_crlf + "x"), malformed);
}

// RFC 2046: body-part := MIME-part-headers [CRLF *OCTET]: a delimiter right
// after the headers' blank line ends a part without content.
TEST(multipart_reader, delimiter_right_after_the_headers_ends_an_empty_part) {
  auto b = curl_boundary;
  EXPECT_EQ(read(b, "--" + b + "\r\n" + file_headers + "\r\n\r\n--" + b + "--\r\n"), done(""));
  // Without the blank line, a boundary line inside the headers is malformed.
  EXPECT_EQ(read(b, "--" + b + "\r\n" + file_headers + "\r\n--" + b + "--\r\n"), malformed);
}

TEST(multipart_reader, missing_file_part_is_malformed) {
  auto b = curl_boundary;
  EXPECT_EQ(read(b, part(b, "Content-Disposition: form-data; name=\"f\"", "x") + close(b)), malformed);
  EXPECT_EQ(read(b, part(b, "Content-Disposition: form-data; name=\"File\"", "x") + close(b)), malformed);
  EXPECT_EQ(read(b, part(b, "Content-Disposition: form-data; name=\"files\"", "x") + close(b)), malformed);
}

TEST(multipart_reader, part_without_a_form_data_name_is_malformed) {
  auto b = curl_boundary;
  for (std::string headers :
       {"Content-Type: text/plain", "Content-Disposition: attachment; name=\"file\"",
        "Content-Disposition: form-data", "Content-Disposition: form-data; filename=a",
        "Content-Disposition: form-data; name=", "Content-Disposition form-data; name=file",
        "Content-Disposition: form-data; name=\"file\"; junk",
        "Content-Disposition: form-data; name=\"file\"\r\nbad header line",
        " Content-Disposition: form-data; name=\"file\"",
        "Content-Disposition: form-data; name=\"file\"\rX: y"}) {
    EXPECT_EQ(read(b, part(b, headers, "x") + close(b)), malformed) << headers;
    // After the file part too: its bytes were handed on, the body is malformed.
    EXPECT_EQ(read(b, part(b, file_headers, "x") + part(b, headers, "y") + close(b)).status,
              multipart_status::malformed)
      << headers;
  }
  EXPECT_EQ(read(b, "--" + b + "\r\n\r\nx\r\n" + curl_body("x")), malformed) << "a part without headers";
  EXPECT_EQ(read(b, "--" + b + "\r\n--" + b + "\r\n" + file_headers + "\r\n\r\nx\r\n" + close(b)), malformed)
    << "an empty part";
}

TEST(multipart_reader, first_disposition_decides) {
  auto b = curl_boundary;
  auto headers = "content-disposition: form-data; name=x\r\nContent-Disposition: form-data; name=\"file\"";
  EXPECT_EQ(read(b, part(b, headers, "x") + close(b)), malformed);
  auto upper = "CONTENT-DISPOSITION:FORM-DATA;NAME=file;FILENAME=\"a\"\r\nX-Other:\t";
  EXPECT_EQ(read(b, part(b, upper, "x") + close(b)), done("x"));
}

TEST(multipart_reader, first_boundary_cannot_close_the_body) {
  EXPECT_EQ(read(curl_boundary, close(curl_boundary)), malformed);
  EXPECT_EQ(read(curl_boundary, close(curl_boundary) + curl_body("x")), malformed);
}

TEST(multipart_reader, truncated_bodies_are_malformed) {
  auto body = part(curl_boundary, "Content-Disposition: form-data; name=x", "1") + curl_body("abc\r\ndef");
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto expected = n == body.size() - 2 ? done("abc\r\ndef") : malformed; // the close's CRLF is optional
    multipart_reader reader(curl_boundary);
    std::string got;
    reader.feed(std::string_view(body).substr(0, n), [&](std::string_view bytes) { got.append(bytes); });
    EXPECT_EQ(reader.status(), multipart_status::more) << n;
    EXPECT_EQ(reader.finish(), expected.status) << n;
  }
  EXPECT_EQ(read(curl_boundary, ""), malformed);
}

TEST(multipart_reader, garbage_is_malformed) {
  auto b = curl_boundary;
  EXPECT_EQ(read(b, "hello"), malformed);
  EXPECT_EQ(read(b, "{\"file\": 1}"), malformed);
  EXPECT_EQ(read(b, std::string(3000, '\r')), malformed);
  EXPECT_EQ(read(b, std::string(3000, '-')), malformed);
  std::string crlf_dashes;
  for (int i = 0; i < 300; ++i)
    crlf_dashes += "\r\n--";
  EXPECT_EQ(read(b, crlf_dashes), malformed);
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string noise(std::uniform_int_distribution<std::size_t>(0, 400)(rng), '\0');
    for (auto& c : noise)
      c = static_cast<char>(rng());
    EXPECT_EQ(read_cut(b, noise, random_cuts(noise.size(), rng)), malformed);
    EXPECT_EQ(read_cut(b, "--" + b + "\r\n" + noise, {}).status, multipart_status::malformed);
  }
}

TEST(multipart_reader, lf_only_line_endings_are_malformed) {
  auto b = curl_boundary;
  EXPECT_EQ(read(b, "--" + b + "\nContent-Disposition: form-data; name=file\n\nx\n--" + b + "--\n"),
            malformed);
  EXPECT_EQ(read(b, "--" + b + "\r\nContent-Disposition: form-data; name=file\n\r\nx\r\n--" + b + "--\r\n"),
            malformed);
}

TEST(multipart_reader, invalid_boundary_gives_a_malformed_reader) {
  for (std::string b : std::vector<std::string>{"", "ab ", "a\rb", std::string(71, 'x')}) {
    multipart_reader reader(b);
    EXPECT_EQ(reader.status(), multipart_status::malformed) << b;
    EXPECT_EQ(reader.feed(part(b, file_headers, "x") + close(b), [](std::string_view) { FAIL(); }),
              multipart_status::malformed);
  }
}

TEST(multipart_reader, status_is_sticky_and_the_epilogue_is_never_read) {
  multipart_reader reader(curl_boundary);
  std::string got;
  auto on_bytes = [&](std::string_view bytes) { got.append(bytes); };
  EXPECT_EQ(reader.feed(curl_body("data"), on_bytes), multipart_status::done);
  EXPECT_EQ(reader.feed(curl_body("more"), on_bytes), multipart_status::done);
  EXPECT_EQ(reader.finish(), multipart_status::done);
  EXPECT_EQ(reader.finish(), multipart_status::done);
  EXPECT_EQ(got, "data");

  multipart_reader bad(curl_boundary);
  EXPECT_EQ(bad.feed("x\r\n--" + curl_boundary + "!", on_bytes), multipart_status::malformed);
  EXPECT_EQ(bad.feed("\r\n" + curl_body("more"), on_bytes), multipart_status::malformed);
  EXPECT_EQ(bad.finish(), multipart_status::malformed);
  EXPECT_EQ(got, "data");
}

namespace {

std::string function_sink;

void append_to_function_sink(std::string_view bytes) {
  function_sink.append(bytes);
}

} // namespace

TEST(multipart_reader, feed_takes_any_callable) {
  auto body = curl_body("data");
  std::string got;
  const auto const_lambda = [&](std::string_view bytes) { got.append(bytes); };
  multipart_reader a(curl_boundary);
  EXPECT_EQ(a.feed(body, const_lambda), multipart_status::done);
  std::function<void(std::string_view)> function = [&](std::string_view bytes) { got.append(bytes); };
  multipart_reader b(curl_boundary);
  EXPECT_EQ(b.feed(body, function), multipart_status::done);
  multipart_reader c(curl_boundary);
  EXPECT_EQ(c.feed(body, append_to_function_sink), multipart_status::done);
  EXPECT_EQ(got, "datadata");
  EXPECT_EQ(function_sink, "data");
}

TEST(multipart_reader, huge_part_headers_are_malformed) {
  auto b = curl_boundary;
  auto with_block = [&](std::size_t block_size) {
    // file_headers CRLF "X-Pad: " pad CRLF CRLF is the header block.
    std::size_t fixed = file_headers.size() + 2 + 7 + 2 + 2;
    return "--" + b + "\r\n" + file_headers + "\r\nX-Pad: " + std::string(block_size - fixed, 'a')
           + "\r\n\r\ndata\r\n" + close(b);
  };
  EXPECT_EQ(read_cut(b, with_block(multipart_reader::max_header_bytes), {}), done("data"));
  EXPECT_EQ(read_cut(b, with_block(multipart_reader::max_header_bytes + 1), {}), malformed);
  // parse_upload_whole has no such limit.
  EXPECT_EQ(parse_upload_of(curl_type, with_block(multipart_reader::max_header_bytes + 1)), done("data"));

  // One endless header line, or endless short ones: the block stays bounded.
  for (std::string filler : {std::string("a"), std::string("X: y\r\n")}) {
    multipart_reader reader(b);
    reader.feed("--" + b + "\r\n", [](std::string_view) {});
    std::string piece;
    while (piece.size() < 1000)
      piece += filler;
    std::size_t fed = 0;
    while (reader.status() == multipart_status::more && fed < 1000000) {
      reader.feed(piece, [](std::string_view) {});
      fed += piece.size();
      EXPECT_LE(reader.header_bytes(), multipart_reader::max_header_bytes);
    }
    EXPECT_EQ(reader.status(), multipart_status::malformed) << filler;
    EXPECT_LE(fed, multipart_reader::max_header_bytes + piece.size());
  }
}

// The reader withholds only what may begin a delimiter and hands on the rest
// of every piece at once; it never gathers the body.
TEST(multipart_reader, memory_is_bounded_on_a_large_body) {
  const std::string b = "7MA4YWxkTrZu0gW";
  std::string content;
  std::mt19937 rng(42);
  auto tricky = look_alikes(b);
  while (content.size() < (24u << 20)) {
    if (rng() % 4 == 0) {
      content += tricky;
    } else {
      std::string noise(std::uniform_int_distribution<std::size_t>(1, 64 << 10)(rng), '\0');
      for (auto& c : noise)
        c = "\r\n-ab\x00\xff"[rng() % 7];
      content += noise;
    }
  }
  content += "end";
  const auto head = part(b, "Content-Disposition: form-data; name=x", tricky) + "--" + b + "\r\n"
                    + "Content-Disposition: form-data; name=\"file\"\r\n\r\n";
  const auto body = head + content + "\r\n" + close(b);

  multipart_reader reader(b);
  std::size_t delivered = 0;
  std::size_t calls = 0;
  bool equal = true;
  auto on_bytes = [&](std::string_view bytes) {
    ++calls;
    equal = equal && delivered + bytes.size() <= content.size()
            && std::memcmp(content.data() + delivered, bytes.data(), bytes.size()) == 0;
    delivered += bytes.size();
  };
  std::size_t at = 0;
  std::size_t pieces = 0;
  std::size_t max_held = 0;
  while (at < body.size()) {
    std::size_t len = rng() % 8 == 0 ? 1 + rng() % 7 : 1 + rng() % (256 << 10);
    len = std::min(len, body.size() - at);
    reader.feed(std::string_view(body).substr(at, len), on_bytes);
    at += len;
    ++pieces;
    max_held = std::max(max_held, reader.held_back());
    ASSERT_LE(reader.held_back(), reader.max_held_back());
    ASSERT_LE(reader.header_bytes(), multipart_reader::max_header_bytes);
    // Every content byte fed is handed on, but for those withheld.
    std::size_t content_fed = at <= head.size() ? 0 : std::min(at - head.size(), content.size());
    ASSERT_GE(delivered + reader.held_back(), content_fed) << "after piece " << pieces;
  }
  EXPECT_EQ(reader.finish(), multipart_status::done);
  EXPECT_TRUE(equal);
  EXPECT_EQ(delivered, content.size());
  EXPECT_EQ(reader.max_held_back(), b.size() + 3);
  EXPECT_GT(max_held, 0u);
  // A few ranges per piece (withheld bytes handed on, then the piece), not per byte.
  EXPECT_LE(calls, 3 * pieces);
}

namespace {

// Bodies as real clients send them, with their Content-Type.
struct sample {
  const char* what;
  std::string content_type;
  std::string body;
  std::string file;
};

std::vector<sample> valid_samples() {
  std::vector<sample> out;
  auto add = [&](const char* what, std::string b, std::string body, std::string file, std::string ct = "") {
    auto type = ct.empty() ? "multipart/form-data; boundary=" + b : ct;
    out.push_back({what, type, std::move(body), std::move(file)});
  };
  std::string fasta = ">seq1\nACGTACGT\n>seq2\nTTTT\n";
  add("curl -F file=@reads.fa", curl_boundary, curl_body(fasta), fasta);
  add("curl -F with a field first", curl_boundary,
      part(curl_boundary, "Content-Disposition: form-data; name=\"format\"", "fasta")
        + part(curl_boundary, file_headers, fasta) + close(curl_boundary),
      fasta);
  // Python requests (urllib3's encode_multipart_formdata).
  std::string rb = "8f2a6e4f0b0c4b1f9d3e2a1c7b6d5e4f";
  add("requests files={'file': ...}", rb,
      part(rb, "Content-Disposition: form-data; name=\"file\"; filename=\"reads.fa\"", fasta) + close(rb),
      fasta);
  add("requests with data= and a content type", rb,
      part(rb, "Content-Disposition: form-data; name=\"name\"", "reads.fa")
        + part(rb,
               "Content-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv",
               "a,b\r\n1,2\r\n")
        + close(rb),
      "a,b\r\n1,2\r\n");
  // aiohttp's FormData (Content-Type first, filename* too).
  std::string ab = "a3c1e0b2f4d64c1e8b7a9f0e1d2c3b4a";
  add("aiohttp FormData", ab,
      part(ab,
           "Content-Type: application/octet-stream\r\n"
           "Content-Disposition: form-data; name=\"file\"; filename=\"reads.fa\"; filename*=utf-8''reads.fa",
           fasta)
        + close(ab),
      fasta);
  add("aiohttp with Content-Length", ab,
      part(ab,
           "Content-Type: application/octet-stream\r\nContent-Length: 3\r\n"
           "Content-Disposition: form-data; name=\"file\"; filename=\"x\"",
           "abc")
        + close(ab),
      "abc");
  add("empty file", curl_boundary, curl_body(""), "");
  add("starts of the delimiter", curl_boundary, curl_body(delimiter_starts(curl_boundary)),
      delimiter_starts(curl_boundary));
  add("starts of a one-character delimiter", "b", part("b", file_headers, delimiter_starts("b")) + close("b"),
      delimiter_starts("b"));
  std::string all_bytes;
  for (int i = 0; i < 256; ++i)
    all_bytes.push_back(static_cast<char>(i));
  add("every byte value", curl_boundary, curl_body(all_bytes + all_bytes), all_bytes + all_bytes);
  add("preamble and epilogue", curl_boundary, "preamble\r\n" + curl_body("x") + "epilogue", "x");
  add("quoted boundary with a space", "q b",
      part("q b", "Content-Disposition: form-data; name=file", "x") + close("q b"), "x",
      "multipart/form-data; boundary=\"q b\"");
  add("parameters in any case", "abc",
      part("abc", "content-disposition: Form-Data; Name=\"file\"", "x\r\n") + close("abc"), "x\r\n",
      "Multipart/Form-Data; Boundary=abc");
  add("file then other parts", curl_boundary,
      part(curl_boundary, file_headers, "1") + part(curl_boundary, file_headers, "2")
        + part(curl_boundary, "Content-Disposition: form-data; name=x", "3") + close(curl_boundary),
      "1");
  std::string z70(70, 'z');
  add("a boundary of 70", z70, part(z70, file_headers, "x") + close(z70), "x");
  add("a one-character boundary", "-", part("-", file_headers, "x-\r\n-") + close("-"), "x-\r\n-");
  return out;
}

} // namespace

// The differential check: on what clients send, the reader gives the bytes
// parse_upload_whole gives.
TEST(multipart_reader, agrees_with_parse_upload_on_valid_bodies) {
  for (auto& s : valid_samples()) {
    SCOPED_TRACE(s.what);
    auto boundary = multipart_boundary(s.content_type);
    ASSERT_TRUE(boundary);
    auto old = parse_upload_of(s.content_type, s.body);
    EXPECT_EQ(old, done(s.file));
    EXPECT_EQ(read(*boundary, s.body), old);
  }
}

TEST(multipart_reader, refuses_what_parse_upload_refuses) {
  auto b = curl_boundary;
  for (std::string body : {std::string(), close(b), part(b, file_headers, "x"), curl_body("x").substr(5),
                           part(b, "Content-Disposition: form-data; name=y", "x") + close(b),
                           part(b, "Content-Type: text/plain", "x") + curl_body("y"),
                           "--" + b + "\r\n" + file_headers + "\r\n\r\nx\r\n--" + b + "!\r\n",
                           curl_body("x\r\n--" + b + "x")}) {
    EXPECT_EQ(parse_upload_of(curl_type, body), malformed) << body;
    EXPECT_EQ(read(b, body), malformed) << body;
  }
  for (std::string ct : std::vector<std::string>{"application/octet-stream", "multipart/mixed; boundary=" + b,
                         "multipart/form-data; boundary=\"" + b + " \""}) {
    EXPECT_EQ(parse_upload_of(ct, curl_body("x")), malformed) << ct;
    EXPECT_EQ(multipart_boundary(ct), std::nullopt) << ct;
  }
}

// Where RESTinio's helper and RFC 2046 differ, the reader follows the RFC:
// these bodies parse_upload_whole refuses are valid.
TEST(multipart_reader, follows_rfc_2046_where_parse_upload_does_not) {
  auto b = curl_boundary;
  std::vector<std::pair<std::string, std::string>> cases = {
    {"no CRLF after the close delimiter", part(b, file_headers, "x") + "--" + b + "--"},
    {"transport padding", "--" + b + " \r\n" + file_headers + "\r\n\r\nx\r\n--" + b + "--\t\r\n"},
    {"the boundary inside a line of content", curl_body("x --" + b + " x")},
    {"the boundary inside a line of the preamble", "x --" + b + "\r\n" + curl_body("x")},
    {"a part without content after its headers",
     "--" + b + "\r\n" + file_headers + "\r\n\r\n--" + b + "--\r\n"},
  };
  for (auto& [what, body] : cases) {
    SCOPED_TRACE(what);
    EXPECT_EQ(parse_upload_of(curl_type, body), malformed);
    auto got = read(b, body);
    EXPECT_EQ(got.status, multipart_status::done);
  }
}
