#pragma once

/// An incremental reader of multipart/form-data upload bodies (RFC 7578 on
/// RFC 2046's multipart syntax). The body arrives in pieces split anywhere,
/// and the content of the `file` part is handed on as it arrives: the reader
/// never holds the body, only a few bytes that may begin a delimiter and the
/// header block of the part being read.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace analysisd {

/// The `boundary` parameter of a `multipart/form-data` Content-Type value,
/// without the leading "--" (type and subtype compared without case, the
/// value quoted or a token). nullopt when the value does not parse, names
/// another media type, has no boundary, or has one RFC 2046 does not allow
/// (1 to 70 bchars, the last not a space). Never throws but std::bad_alloc.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Where a multipart body stands.
enum class multipart_status {
  more,     ///< Feed more (or finish() at the end of the body).
  done,     ///< The close delimiter was seen and the body had a `file` part.
  malformed ///< Not a valid body, no `file` part, or truncated. Sticky.
};

/// Reads one multipart/form-data body fed in pieces and hands on the content
/// of its `file` part: the first part whose Content-Disposition is
/// `form-data` with `name="file"`. Every part must have a `form-data`
/// Content-Disposition with a name, as the whole-body parser before it
/// required (tests/fuzz/whole_multipart.hpp, its reference); the parts
/// other than the file are skipped.
///
/// It accepts every body that parser accepts, with the same file bytes,
/// except one with a part header block over `max_header_bytes`. Where
/// RESTinio's helper under that parser is stricter than RFC 2046, it
/// follows the RFC: transport padding after a boundary, no CRLF after the
/// close delimiter, the boundary inside a line (not at its start), and a
/// delimiter right after a part's headers (an empty part) are accepted.
///
/// The bytes handed on are only final once the status is `done`: a part
/// after the file, or the end of the body, may still make it `malformed`.
///
/// Memory is bounded whatever the input: besides the delimiter, the reader
/// keeps the header block of the current part (at most `max_header_bytes`,
/// more is `malformed`) and a count of the bytes withheld because they may
/// begin a delimiter (at most the boundary's size + 3). It copies no content
/// bytes; the withheld ones are equal to the delimiter's start, so they are
/// handed on from it once they turn out to be content.
///
/// Not thread-safe: one thread at a time may call a reader.
class multipart_reader {
public:
  /// The largest header block of one part (its header lines and the blank
  /// line that ends them).
  static constexpr std::size_t max_header_bytes = 16 * 1024;

  /// A reader for a body delimited by `boundary` (as multipart_boundary
  /// returns it). A boundary RFC 2046 does not allow gives a reader that is
  /// `malformed` from the start.
  explicit multipart_reader(std::string_view boundary);

  /// Reads the next piece of the body (any size, split anywhere, empty is
  /// fine) and calls `on_file_bytes(std::string_view)` for each range of the
  /// file part's content it completes, in order, never with an empty range.
  /// A range is valid only during the call: it points into `piece` or into
  /// the reader. Once `done` or `malformed`, pieces are ignored (the
  /// epilogue after the close delimiter is never read). Throws only what
  /// `on_file_bytes` throws, or std::bad_alloc. Allocates nothing for the
  /// content: only the header block buffer (once) and the parse of each
  /// part's Content-Disposition.
  template <class F>
  multipart_status feed(std::string_view piece, F&& on_file_bytes) {
    using callable = std::remove_reference_t<F>;
    if constexpr (std::is_function_v<callable>) { // a function: no object to point to
      return feed(piece, [&](std::string_view bytes) { on_file_bytes(bytes); });
    } else {
      auto call = [](void* f, std::string_view bytes) { (*static_cast<callable*>(f))(bytes); };
      auto context = const_cast<void*>(static_cast<const void*>(std::addressof(on_file_bytes)));
      return feed_piece(piece, sink{context, call});
    }
  }

  /// The end of the body: `done` if the close delimiter was seen (the CRLF
  /// after it is optional), else `malformed` (a truncated body). Feeding
  /// after finish() is ignored.
  multipart_status finish() noexcept;

  /// The status after the last feed() or finish().
  multipart_status status() const noexcept;

  /// Bytes read but not yet handed on or skipped because they may begin a
  /// delimiter: at most max_held_back().
  std::size_t held_back() const noexcept;

  /// The bound of held_back(): the boundary's size + 3 (a delimiter is
  /// CRLF, "--" and the boundary).
  std::size_t max_held_back() const noexcept;

  /// Bytes of the current part's header block held (at most
  /// max_header_bytes).
  std::size_t header_bytes() const noexcept;

private:
  // A non-owning reference to the caller's callable (no allocation).
  struct sink {
    void* context;
    void (*call)(void*, std::string_view);
  };

  enum class state : unsigned char {
    preamble,      // discarding up to the first delimiter
    delimiter_end, // just after "--boundary"
    close_dash,    // after "--boundary-"
    padding,       // transport padding after a delimiter
    padding_cr,    // CR after a delimiter, LF expected
    headers,       // a part's header block
    body,          // a part's content, up to the next delimiter
    close_padding, // transport padding after the close delimiter
    close_cr,      // CR after the close delimiter, LF expected
    done,
    malformed
  };

  multipart_status feed_piece(std::string_view piece, sink out);
  std::size_t scan_content(std::string_view piece, std::size_t i, sink out);
  std::size_t read_headers(std::string_view piece, std::size_t i);
  void end_of_headers();
  void after_delimiter(char c);

  std::string delimiter_;      // CRLF "--" boundary
  std::string header_;         // the current part's header block so far
  std::size_t header_line_ = 0; // where the current header line begins in header_
  std::size_t matched_ = 0;    // bytes of delimiter_ matched by the last ones read
  std::size_t not_content_ = 0; // of those, how many are no content (see .cpp)
  state state_ = state::preamble;
  bool in_file_ = false;       // the current part is the file part
  bool file_found_ = false;
  bool part_seen_ = false;     // a delimiter opened a part
};

} // namespace analysisd
