#include "http/auth.hpp"

#include <gtest/gtest.h>

using namespace analysisd;

namespace {

std::string b64(const std::string& in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    auto n = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += tbl[n >> 18 & 63];
    out += tbl[n >> 12 & 63];
    out += tbl[n >> 6 & 63];
    out += tbl[n & 63];
  }
  if (in.size() - i == 1) {
    auto n = (unsigned char)in[i] << 16;
    out += tbl[n >> 18 & 63];
    out += tbl[n >> 12 & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    auto n = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += tbl[n >> 18 & 63];
    out += tbl[n >> 12 & 63];
    out += tbl[n >> 6 & 63];
    out += '=';
  }
  return out;
}

} // namespace

TEST(auth, missing_header_is_missing) {
  EXPECT_EQ(parse_job_auth(std::nullopt).result, job_auth::missing);
}

TEST(auth, valid_basic_credentials_give_the_job_and_the_key_hash) {
  auto key = std::string(64, 'a');
  auto res = parse_job_auth("Basic " + b64("job-abcd1234:" + key));
  ASSERT_EQ(res.result, job_auth::ok);
  EXPECT_EQ(res.cred.job_id, "abcd1234");
  EXPECT_EQ(res.cred.key_hash, sha256(key));
  EXPECT_FALSE(res.cred.admin);
  // The scheme is case-insensitive; a key may contain ':'.
  auto res2 = parse_job_auth("basic " + b64("job-abcd1234:a:b"));
  ASSERT_EQ(res2.result, job_auth::ok);
  EXPECT_EQ(res2.cred.key_hash, sha256("a:b"));
}

TEST(auth, malformed_headers_are_invalid) {
  auto invalid = [](const std::string& h) { return parse_job_auth(h).result == job_auth::invalid; };
  EXPECT_TRUE(invalid(""));
  EXPECT_TRUE(invalid("Basic"));
  EXPECT_TRUE(invalid("Basic "));
  EXPECT_TRUE(invalid("Bearer " + b64("job-abcd1234:key")));
  EXPECT_TRUE(invalid("Digest " + b64("job-abcd1234:key")));
  EXPECT_TRUE(invalid(b64("job-abcd1234:key")));
  EXPECT_TRUE(invalid("Basic !!!!"));
  EXPECT_TRUE(invalid("Basic " + b64("job-abcd1234:key").substr(1)));
  EXPECT_TRUE(invalid("Basic a=bc"));
  EXPECT_TRUE(invalid("Basic " + b64("job-abcd1234 key"))) << "no colon";
  EXPECT_TRUE(invalid("Basic " + b64("abcd1234:key"))) << "no job- prefix";
  EXPECT_TRUE(invalid("Basic " + b64("user-abcd1234:key")));
  EXPECT_TRUE(invalid("Basic " + b64("job-:key"))) << "empty job id";
  EXPECT_TRUE(invalid("Basic " + std::string(100000, 'A'))) << "absurdly long";
}

TEST(auth, admin_needs_the_bearer_token_whose_hash_is_known) {
  auto hash = sha256("s3cret");
  EXPECT_TRUE(is_admin(std::string("Bearer s3cret"), hash));
  EXPECT_FALSE(is_admin(std::nullopt, hash));
  EXPECT_FALSE(is_admin(std::string("Bearer s3cre"), hash));
  EXPECT_FALSE(is_admin(std::string("Bearer s3crett"), hash));
  EXPECT_FALSE(is_admin(std::string("Bearer "), hash));
  EXPECT_FALSE(is_admin(std::string("Basic s3cret"), hash));
  EXPECT_FALSE(is_admin(std::string("s3cret"), hash));
  EXPECT_FALSE(is_admin(std::string("Bearer s3cret"), "")) << "no token configured";
}

TEST(auth, base64_decodes_standard_padded_input) {
  std::string out;
  ASSERT_TRUE(decode_base64("aGVsbG8=", out));
  EXPECT_EQ(out, "hello");
  ASSERT_TRUE(decode_base64("aGk=", out));
  EXPECT_EQ(out, "hi");
  ASSERT_TRUE(decode_base64("YWJj", out));
  EXPECT_EQ(out, "abc");
  ASSERT_TRUE(decode_base64("YQ==", out));
  EXPECT_EQ(out, "a");
  ASSERT_TRUE(decode_base64(b64(std::string("\0\xFF\x10", 3)), out));
  EXPECT_EQ(out, std::string("\0\xFF\x10", 3));
  for (std::size_t n = 0; n < 40; ++n) {
    std::string in(n, 'q');
    ASSERT_TRUE(decode_base64(b64(in), out) || n == 0) << n;
    if (n) {
      EXPECT_EQ(out, in);
    }
  }
}

TEST(auth, base64_refuses_broken_input) {
  std::string out = "keep";
  EXPECT_FALSE(decode_base64("", out));
  EXPECT_FALSE(decode_base64("aGVsbG8", out)) << "missing padding";
  EXPECT_FALSE(decode_base64("aG=sbG8=", out)) << "padding in the middle";
  EXPECT_FALSE(decode_base64("a===", out));
  EXPECT_FALSE(decode_base64("aGVs*G8=", out));
  EXPECT_FALSE(decode_base64("aGVs bG8", out));
  EXPECT_FALSE(decode_base64("====", out));
  EXPECT_EQ(out, "keep");
}
