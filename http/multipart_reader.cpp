#include "http/multipart_reader.hpp"

// Not <restinio/helpers/multipart_body.hpp>: it defines non-inline functions
// (try_parse_part) and request_parsing.cpp already includes it. The header
// lines are split here with the grammar of its part parser instead.
#include <restinio/helpers/http_field_parsers/content-disposition.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>

#include <cstring>

namespace analysisd {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_caseless(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 2046: bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" /
// "," / "-" / "." / "/" / ":" / "=" / "?"
bool is_bcharnospace(char c) {
  return is_alnum(c) || std::strchr("'()+_,-./:=?", c) != nullptr;
}

// boundary := 0*69<bchars> bcharsnospace, bchars := bcharsnospace / " ".
// The scan in scan_content relies on this: no CR inside a delimiter but its
// first byte.
bool valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || !is_bcharnospace(b.back()))
    return false;
  for (char c : b)
    if (c != ' ' && !is_bcharnospace(c))
      return false;
  return true;
}

// RFC 7230 tchar, as RESTinio's token_p takes it.
bool is_token_char(char c) {
  return is_alnum(c) || (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

bool is_lwsp(char c) {
  return c == ' ' || c == '\t';
}

// One header line (without its CRLF) as RESTinio's multipart part parser
// reads it: token ':' OWS value, the value anything but CR and LF. False if
// the line is not such a field.
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
  std::size_t i = 0;
  while (i < line.size() && is_token_char(line[i]))
    ++i;
  if (i == 0 || i == line.size() || line[i] != ':')
    return false;
  name = line.substr(0, i);
  ++i;
  while (i < line.size() && is_lwsp(line[i]))
    ++i;
  value = line.substr(i);
  return value.find_first_of("\r\n") == std::string_view::npos;
}

} // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  namespace hfp = restinio::http_field_parsers;
  auto parsed = hfp::content_type_value_t::try_parse(content_type);
  if (!parsed || !equal_caseless(parsed->media_type.type, "multipart")
      || !equal_caseless(parsed->media_type.subtype, "form-data"))
    return std::nullopt;
  auto boundary = hfp::find_first(parsed->media_type.parameters, "boundary");
  if (!boundary || !valid_boundary(*boundary))
    return std::nullopt;
  return std::string(boundary->data(), boundary->size());
}

multipart_reader::multipart_reader(std::string_view boundary) {
  if (!valid_boundary(boundary)) {
    state_ = state::malformed;
    return;
  }
  delimiter_.reserve(4 + boundary.size());
  delimiter_.append("\r\n--").append(boundary.data(), boundary.size());
  // The first boundary may open the body without a CRLF before it (RFC
  // 2046's dash-boundary): read as if the body began after a line break.
  matched_ = 2;
  not_content_ = 2;
}

multipart_status multipart_reader::status() const noexcept {
  switch (state_) {
  case state::done:
    return multipart_status::done;
  case state::malformed:
    return multipart_status::malformed;
  default:
    return multipart_status::more;
  }
}

std::size_t multipart_reader::held_back() const noexcept {
  return matched_;
}

std::size_t multipart_reader::max_held_back() const noexcept {
  return delimiter_.empty() ? 0 : delimiter_.size() - 1;
}

std::size_t multipart_reader::header_bytes() const noexcept {
  return header_.size();
}

multipart_status multipart_reader::finish() noexcept {
  // RFC 2046: close-delimiter transport-padding [CRLF epilogue]; RESTinio's
  // helper wants the CRLF.
  if (state_ == state::close_padding)
    state_ = state::done;
  else if (state_ != state::done)
    state_ = state::malformed;
  return status();
}

multipart_status multipart_reader::feed_piece(std::string_view piece, sink out) {
  std::size_t i = 0;
  while (i < piece.size() && state_ != state::done && state_ != state::malformed) {
    switch (state_) {
    case state::preamble:
    case state::body:
      i = scan_content(piece, i, out);
      break;
    case state::headers:
      i = read_headers(piece, i);
      break;
    default:
      after_delimiter(piece[i++]);
      break;
    }
  }
  return status();
}

// The delimiter is CRLF "--" boundary and a boundary has no CR, so a CR
// starts the only possible match: a failed match rules out every byte it
// covered, and the bytes of a match still open at the end of a piece are
// the delimiter's first matched_ bytes (no need to keep them).
std::size_t multipart_reader::scan_content(std::string_view piece, std::size_t i, sink out) {
  const bool deliver = state_ == state::body && in_file_;
  auto emit = [&](const char* p, std::size_t n) {
    if (deliver && n > 0)
      out.call(out.context, std::string_view(p, n));
  };
  const std::size_t n = piece.size();
  const std::size_t d = delimiter_.size();
  const std::size_t run = i; // this piece's content not yet handed on starts here
  auto found = [&](std::size_t end) {
    matched_ = 0;
    not_content_ = 0;
    if (state_ == state::body)
      in_file_ = false;
    state_ = state::delimiter_end;
    return end;
  };
  if (matched_ > 0) {
    const std::size_t held = matched_;
    while (i < n && matched_ < d && piece[i] == delimiter_[matched_]) {
      ++i;
      ++matched_;
    }
    if (matched_ == d)
      return found(i);
    if (i == n)
      return n;
    emit(delimiter_.data() + not_content_, held - not_content_);
    matched_ = 0;
    not_content_ = 0;
    // piece[run, i) matched bytes after the CR: content, and no CR among them.
  }
  while (i < n) {
    auto cr = static_cast<const char*>(std::memchr(piece.data() + i, '\r', n - i));
    if (cr == nullptr)
      break;
    const std::size_t k = static_cast<std::size_t>(cr - piece.data());
    std::size_t m = 1;
    while (m < d && k + m < n && piece[k + m] == delimiter_[m])
      ++m;
    if (m == d) {
      emit(piece.data() + run, k - run);
      return found(k + d);
    }
    if (k + m == n) {
      emit(piece.data() + run, k - run);
      matched_ = m;
      return n;
    }
    i = k + m;
  }
  emit(piece.data() + run, n - run);
  return n;
}

std::size_t multipart_reader::read_headers(std::string_view piece, std::size_t i) {
  const std::size_t n = piece.size();
  while (i < n) {
    auto lf = static_cast<const char*>(std::memchr(piece.data() + i, '\n', n - i));
    const std::size_t end = lf == nullptr ? n : static_cast<std::size_t>(lf - piece.data()) + 1;
    if (end - i > max_header_bytes - header_.size()) {
      state_ = state::malformed;
      return n;
    }
    if (header_.capacity() < max_header_bytes)
      header_.reserve(max_header_bytes); // once: no growth beyond the cap
    header_.append(piece.data() + i, end - i);
    i = end;
    if (lf == nullptr)
      break;
    // A header line ends with CRLF; RESTinio's part parser refuses a bare LF
    // and so does RFC 2046.
    const std::size_t line_end = header_.size() - 1;
    if (line_end == header_line_ || header_[line_end - 1] != '\r') {
      state_ = state::malformed;
      return n;
    }
    std::string_view line(header_.data() + header_line_, line_end - 1 - header_line_);
    if (line.empty()) {
      end_of_headers();
      return i;
    }
    // RFC 2046: a line that begins with the boundary is a boundary line, and
    // a part ended by one before its blank line has no valid header block
    // (RESTinio's helper refuses it too).
    if (line.substr(0, delimiter_.size() - 2) == std::string_view(delimiter_).substr(2)) {
      state_ = state::malformed;
      return n;
    }
    header_line_ = header_.size();
  }
  return i;
}

void multipart_reader::end_of_headers() {
  namespace hfp = restinio::http_field_parsers;
  // Decided as find_file_part does: every part has a form-data
  // Content-Disposition (its first one) with a name; the first part named
  // `file` is the file.
  std::optional<std::string_view> disposition;
  std::string_view block(header_.data(), header_.size() - 2);
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    std::string_view name;
    std::string_view value;
    if (!split_field(block.substr(0, eol), name, value)) {
      state_ = state::malformed;
      return;
    }
    if (!disposition && equal_caseless(name, "content-disposition"))
      disposition = value;
    block.remove_prefix(eol + 2);
  }
  if (!disposition) {
    state_ = state::malformed;
    return;
  }
  auto parsed = hfp::content_disposition_value_t::try_parse(*disposition);
  if (!parsed || parsed->value != "form-data") {
    state_ = state::malformed;
    return;
  }
  auto name = hfp::find_first(parsed->parameters, "name");
  if (!name) {
    state_ = state::malformed;
    return;
  }
  if (!file_found_ && *name == "file") {
    file_found_ = true;
    in_file_ = true;
  }
  header_.clear();
  header_line_ = 0;
  state_ = state::body;
  // RFC 2046: body-part := MIME-part-headers [CRLF *OCTET]. The blank line's
  // CRLF may be the next delimiter's, which ends a part with no content;
  // RESTinio's helper refuses such a part. These two bytes are no content.
  matched_ = 2;
  not_content_ = 2;
}

// RFC 2046: delimiter transport-padding CRLF before a part, close-delimiter
// transport-padding [CRLF epilogue] at the end; transport-padding is LWSP
// that receivers must accept (RESTinio's helper does not). Any other byte
// after a line that begins with the boundary makes the body malformed: "the
// boundary delimiter MUST NOT appear inside any of the encapsulated parts
// ... as the prefix of any line".
void multipart_reader::after_delimiter(char c) {
  auto fail = [&] { state_ = state::malformed; };
  switch (state_) {
  case state::delimiter_end:
    if (c == '-')
      state_ = state::close_dash;
    else if (is_lwsp(c))
      state_ = state::padding;
    else if (c == '\r')
      state_ = state::padding_cr;
    else
      fail();
    break;
  case state::close_dash:
    // A body needs one part (the first boundary cannot close it), and an
    // upload its file part.
    if (c == '-' && part_seen_ && file_found_)
      state_ = state::close_padding;
    else
      fail();
    break;
  case state::padding:
    if (c == '\r')
      state_ = state::padding_cr;
    else if (!is_lwsp(c))
      fail();
    break;
  case state::padding_cr:
    if (c == '\n') {
      part_seen_ = true;
      state_ = state::headers;
    } else {
      fail();
    }
    break;
  case state::close_padding:
    if (c == '\r')
      state_ = state::close_cr;
    else if (!is_lwsp(c))
      fail();
    break;
  case state::close_cr:
    if (c == '\n')
      state_ = state::done;
    else
      fail();
    break;
  default:
    fail();
    break;
  }
}

} // namespace analysisd
