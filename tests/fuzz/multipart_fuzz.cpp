// Multipart bodies of an upload, read two ways: whole by parse_upload_whole
// (the server's parser before bodies streamed, on RESTinio's
// enumerate_parts: whole_multipart.hpp) and in pieces by multipart_reader. The input
// is `<Content-Type value>\n<body>`. Invariants:
// - parse_upload_whole never throws; the `file` part it finds points into the
//   request's own body and stays readable for as long as the payload lives
//   (after the request handle is gone); the upload checks accept or refuse
//   it without throwing.
// - The reader's status and file bytes do not depend on how the body is cut:
//   whole, byte by byte, at cuts taken from the input's bytes, and once at a
//   point derived from them. It withholds at most max_held_back() bytes and
//   keeps at most max_header_bytes of part headers; the file bytes it hands
//   on are a piece of the body.
// - What parse_upload_whole accepts, the reader accepts with the same bytes (it
//   accepts more: what RFC 2046 allows and RESTinio's helper does not).

#include "actors/analysis_logic.hpp"
#include "fuzz_check.hpp"
#include "http/multipart_reader.hpp"
#include "http/request_parsing.hpp"
#include "request.hpp"
#include "whole_multipart.hpp"

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace analysisd;

namespace {

struct outcome {
  multipart_status status;
  std::string bytes;
};

// Reads `body` in pieces of the given lengths (the rest in one piece).
outcome read_in_pieces(const std::string& boundary, std::string_view body,
                       const std::vector<std::size_t>& lengths) {
  multipart_reader reader(boundary);
  outcome out{multipart_status::more, {}};
  auto on_bytes = [&](std::string_view bytes) {
    FUZZ_CHECK(!bytes.empty());
    out.bytes.append(bytes);
  };
  std::size_t at = 0;
  for (auto len : lengths) {
    if (at >= body.size())
      break;
    auto status = reader.feed(body.substr(at, len), on_bytes);
    at += len;
    FUZZ_CHECK(status == reader.status());
    FUZZ_CHECK(reader.held_back() <= reader.max_held_back());
    FUZZ_CHECK(reader.header_bytes() <= multipart_reader::max_header_bytes);
  }
  if (at < body.size())
    reader.feed(body.substr(at), on_bytes);
  out.status = reader.finish();
  FUZZ_CHECK(out.status != multipart_status::more);
  FUZZ_CHECK(reader.finish() == out.status);
  if (out.status != multipart_status::done)
    out.bytes.clear(); // only final once done
  return out;
}

bool same(const outcome& a, const outcome& b) {
  return a.status == b.status && a.bytes == b.bytes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  std::string content_type = nl == std::string::npos ? input : input.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);

  auto req = fuzz::make_request("/api/analyses/abcd1234/files?name=reads.fa&format=fasta",
                                content_type, body);
  auto up = fuzz::parse_upload_whole(req);
  FUZZ_CHECK(up.name == "reads.fa" && up.has_format && up.format == "fasta");
  std::string old_bytes;
  if (up.multipart_ok) {
    const char* begin = req->body().data();
    const char* end = begin + req->body().size();
    FUZZ_CHECK(up.bytes.size() <= body.size());
    FUZZ_CHECK(up.bytes.size() == 0 || (up.bytes.data() >= begin && up.bytes.data() + up.bytes.size() <= end));
    old_bytes.assign(up.bytes.data(), up.bytes.size());
    FUZZ_CHECK(body.find(old_bytes) != std::string::npos);
    req.reset(); // the payload alone keeps the bytes alive (ASan checks this read)
    FUZZ_CHECK(up.bytes.size() == 0 || std::memcmp(up.bytes.data(), old_bytes.data(), old_bytes.size()) == 0);
  }
  analysis_state a;
  a.id = "abcd1234";
  auto err = check_upload(a, std::set<std::string>{}, up);
  FUZZ_CHECK(up.multipart_ok ? !err : code_of(err) == static_cast<std::uint8_t>(errc::invalid_multipart));

  auto boundary = multipart_boundary(content_type);
  if (!boundary) {
    FUZZ_CHECK(!up.multipart_ok);
    return 0;
  }
  auto whole = read_in_pieces(*boundary, body, {});
  if (whole.status == multipart_status::done)
    FUZZ_CHECK(body.find(whole.bytes) != std::string::npos);
  if (up.multipart_ok) {
    // Only a part header block over the reader's limit may part them.
    FUZZ_CHECK(whole.status == multipart_status::done || body.size() > multipart_reader::max_header_bytes);
    if (whole.status == multipart_status::done)
      FUZZ_CHECK(whole.bytes == old_bytes);
  }

  FUZZ_CHECK(same(read_in_pieces(*boundary, body, std::vector<std::size_t>(body.size(), 1)), whole));
  // Piece lengths from the input's bytes, read backwards so that they do not
  // follow the body's own layout.
  std::vector<std::size_t> lengths;
  std::size_t sum = 0;
  for (std::size_t i = input.size(); i > 0 && sum < body.size(); --i) {
    lengths.push_back(1 + static_cast<unsigned char>(input[i - 1]) % 13);
    sum += lengths.back();
  }
  FUZZ_CHECK(same(read_in_pieces(*boundary, body, lengths), whole));
  std::size_t hash = 0;
  for (char c : input)
    hash = hash * 131 + static_cast<unsigned char>(c);
  FUZZ_CHECK(same(read_in_pieces(*boundary, body, {hash % (body.size() + 1)}), whole));
  return 0;
}
