// Writes the seed corpora of the fuzz targets into <dir>/<target>/ from the
// production encoders (journal records, snapshots) and real request bodies.
// Usage: fuzz_make_seeds tests/fuzz/corpus

#include "frames.hpp"
#include "memory_storage.hpp"
#include "persistence/journal.hpp"
#include "persistence/snapshot.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace analysisd;
namespace fs = std::filesystem;

namespace {

fs::path root;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream out(root / target / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string b64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

analysis_state sample_analysis(const std::string& id) {
  analysis_state a;
  a.id = id;
  a.created_at = 1507066554813000;
  a.updated_at = a.created_at;
  a.job_id = "jobjob01";
  a.workflow = "pathoscope_bowtie";
  a.sample = {"kigvhuql", "Test 1"};
  a.index = {"qldihken", 3};
  a.user_id = "igboyes";
  a.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  return a;
}

std::vector<journal_record> records(const std::string& id) {
  std::vector<journal_record> out;
  journal_record r;
  r.kind = record_kind::created;
  r.analysis_id = id;
  r.analysis = sample_analysis(id);
  out.push_back(r);
  r = {};
  r.kind = record_kind::job_acquired;
  r.analysis_id = id;
  r.key_hash = std::string(32, '\x5a');
  out.push_back(r);
  r = {};
  r.kind = record_kind::file_added;
  r.analysis_id = id;
  r.file = {1, "results.fa", "fasta", 20, 1507066580000000};
  out.push_back(r);
  r = {};
  r.kind = record_kind::finalized;
  r.analysis_id = id;
  r.results = R"({"hits":[{"id":1,"name":"x"}]})";
  r.at = 1507066600000000;
  out.push_back(r);
  r = {};
  r.kind = record_kind::removed;
  r.analysis_id = id;
  out.push_back(r);
  return out;
}

std::string u64le(std::uint64_t x) {
  std::string out;
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
  return out;
}

void auth_seeds() {
  seed("auth", "valid", "Basic " + b64("job-jobjob01:0123456789abcdef0123456789abcdef"));
  seed("auth", "lowercase_scheme", "basic " + b64("job-abc:key"));
  seed("auth", "spaces", "Basic   " + b64("job-a:") + "  ");
  seed("auth", "colon_in_key", "Basic " + b64("job-a:b:c"));
  seed("auth", "no_colon", "Basic " + b64("job-abc"));
  seed("auth", "not_a_job", "Basic " + b64("user:pass"));
  seed("auth", "empty_job", "Basic " + b64("job-:key"));
  seed("auth", "bad_padding", "Basic am9iLWE6Yg=a");
  seed("auth", "bearer", "Bearer test-admin-token");
  seed("auth", "bearer_wrong", "bearer test-admin-tokem");
}

void query_seeds() {
  seed("query", "paging", "page=2&per_page=50");
  seed("query", "paging_bad", "page=0&per_page=101&page=x");
  seed("query", "upload", "name=results.fa&format=fasta");
  seed("query", "upload_escaped", "name=%C3%A9t%C3%A9+1.txt&format=json");
  seed("query", "dot_dot", "name=%2E%2E&format=bam");
  seed("query", "slash", "name=a%2Fb");
  seed("query", "nul", "name=a%00b");
  seed("query", "bad_utf8", "name=%C0%AF");
  seed("query", "malformed", "name=%zz&");
  seed("query", "digits", "000123456");
  seed("query", "long_name", "name=" + std::string(254, 'x'));
}

std::string part(const std::string& boundary, const std::string& headers, const std::string& body) {
  return "--" + boundary + "\r\n" + headers + "\r\n\r\n" + body + "\r\n";
}

void multipart_seeds() {
  std::string b = "------------------------d74496d66958873e";
  auto ct = "multipart/form-data; boundary=" + b + "\n";
  seed("multipart", "curl_upload",
       ct + part(b, "Content-Disposition: form-data; name=\"file\"; filename=\"results.fa\"\r\n"
                    "Content-Type: application/octet-stream",
                 ">seq1\nACGTACGT\n")
         + "--" + b + "--\r\n");
  seed("multipart", "two_parts",
       ct + part(b, "Content-Disposition: form-data; name=\"other\"", "x")
         + part(b, "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"", "a,b\r\n1,2")
         + "--" + b + "--\r\n");
  seed("multipart", "quoted_boundary",
       "multipart/form-data; boundary=\"q b\"\n"
         + part("q b", "Content-Disposition: form-data; name=file", "") + "--q b--");
  seed("multipart", "no_disposition",
       ct + part(b, "Content-Type: text/plain", "x") + "--" + b + "--\r\n");
  seed("multipart", "no_file_part",
       ct + part(b, "Content-Disposition: form-data; name=\"f\"", "x") + "--" + b + "--\r\n");
  seed("multipart", "unterminated",
       ct + "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc");
  seed("multipart", "attachment",
       ct + part(b, "Content-Disposition: attachment; name=\"file\"", "x") + "--" + b + "--\r\n");
  seed("multipart", "not_multipart", "application/json\n{\"file\":1}");
  // For multipart_reader: starts of the delimiter inside the content, what
  // RFC 2046 allows and RESTinio's helper refuses, a boundary prefixing a line.
  std::string starts = "a\r";
  for (std::size_t k = 1; k < b.size() + 4; ++k)
    starts += ("\r\n--" + b).substr(0, k) + "#";
  seed("multipart", "delimiter_starts",
       ct + part(b, "Content-Disposition: form-data; name=\"file\"", starts + "\r") + "--" + b + "--\r\n");
  seed("multipart", "rfc_padding_no_final_crlf",
       ct + "preamble --" + b + "\r\n--" + b + " \t\r\nContent-Disposition: form-data; name=file\r\n\r\n"
         + "x --" + b + "\r\n--" + b + "--");
  seed("multipart", "rfc_empty_part",
       ct + "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n--" + b + "--\r\n");
  seed("multipart", "aiohttp",
       "multipart/form-data; boundary=a3c1e0b2f4d64c1e8b7a9f0e1d2c3b4a\n"
         + part("a3c1e0b2f4d64c1e8b7a9f0e1d2c3b4a",
                "Content-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"file\"; "
                "filename=\"reads.fa\"; filename*=utf-8''reads.fa",
                ">seq1\nACGT\n")
         + "--a3c1e0b2f4d64c1e8b7a9f0e1d2c3b4a--\r\n");
  seed("multipart", "boundary_prefixes_a_line",
       ct + part(b, "Content-Disposition: form-data; name=\"file\"", "x\r\n--" + b + "x") + "--" + b
         + "--\r\n");
}

void json_seeds() {
  std::string create =
    R"({"workflow":"pathoscope_bowtie","sample":{"id":"kigvhuql","name":"Test 1"},)"
    R"("index":{"id":"qldihken","version":0},"user":{"id":"igboyes"},)"
    R"("subtractions":[{"id":"yhxoynb0","name":"Arabidopsis Thaliana"}]})";
  seed("json_body", "create", create);
  seed("json_body", "create_with_id", create.substr(0, create.size() - 1) + R"(,"id":"uskrqsxm"})");
  seed("json_body", "create_bad",
       R"({"workflow":1,"sample":[],"index":{"id":"","version":1.5},"user":null,"subtractions":[1],"id":"UPPER"})");
  seed("json_body", "create_big_version",
       R"({"workflow":"w","sample":{"id":"s","name":"n"},"index":{"id":"i","version":18446744073709551615},"user":{"id":"u"}})");
  seed("json_body", "finalize", R"({"results": {"hits": [{"id": 1, "pi": 0.5, "name": "\u00e9\ud83d\ude00"}], "ok": true, "n": null}})");
  seed("json_body", "finalize_numbers", R"({"results":{"a":1e400,"b":-0.0,"c":12345678901234567890123,"d":-9223372036854775808}})");
  seed("json_body", "finalize_not_object", R"({"results":[1,2]})");
  seed("json_body", "acquire", R"({"acquired": true})");
  seed("json_body", "acquire_false", R"({"acquired": false})");
  std::string deep = "{\"results\":";
  for (int i = 0; i < 126; ++i)
    deep += "[";
  deep += "{}";
  for (int i = 0; i < 126; ++i)
    deep += "]";
  seed("json_body", "deep_127", deep + "}");
  seed("json_body", "deep_128", "[" + deep + "}]");
  seed("json_body", "bad_utf8", "{\"results\":{\"a\":\"\xC3\x28\"}}");
}

void journal_seeds() {
  std::vector<std::string> payloads;
  std::string frames;
  for (auto& r : records("abcd1234")) {
    payloads.push_back(encode_record(r));
    append_frame(frames, payloads.back());
  }
  seed("journal", "chunks_all_kinds", fuzz::join_chunks(payloads));
  seed("journal", "frames_all_kinds", frames);
  seed("journal", "record_created", payloads.front());
  seed("journal", "state", encode_state(sample_analysis("abcd1234")));
  seed("journal", "torn_frames", frames.substr(0, frames.size() - 3));
}

void snapshot_seeds() {
  fuzz::memory_storage st;
  st.dirs.insert("/s");
  state_map state;
  for (auto id : {"abcd1234", "efgh5678"})
    state[id] = sample_analysis(id);
  auto finalized = sample_analysis("done0001");
  finalized.ready = true;
  finalized.results = R"({"hits":[]})";
  finalized.files = {{1, "results.fa", "fasta", 20, 1507066580000000}};
  finalized.next_file_id = 2;
  state[finalized.id] = finalized;
  write_snapshot(st, "/s", state, 5);
  seed("snapshot", "three_analyses", st.files.at("/s/snapshot"));
  write_snapshot(st, "/s", {}, 1);
  seed("snapshot", "empty", st.files.at("/s/snapshot"));
  seed("snapshot", "chunks",
       fuzz::join_chunks({u64le(3) + u64le(2), encode_state(sample_analysis("abcd1234")),
                          encode_state(finalized)}));
}

std::string tagged(char tag, const std::string& bytes) {
  return std::string(1, tag) + bytes;
}

void recovery_seeds() {
  auto recs = records("abcd1234");
  std::vector<std::string> chunks;
  // A snapshot that folds in journal 1, then journals 2 and 3.
  chunks.push_back(tagged(0, u64le(2) + u64le(1)));
  chunks.push_back(tagged(0, encode_state(sample_analysis("snap0001"))));
  chunks.push_back(tagged(1, encode_record(recs[0])));
  for (auto& r : records("jour0002"))
    chunks.push_back(tagged(2, encode_record(r)));
  chunks.push_back(tagged(3, encode_record(recs[1])));
  seed("recovery", "snapshot_and_journals", fuzz::join_chunks(chunks));

  chunks.clear();
  for (std::size_t i = 0; i < 4; ++i)
    chunks.push_back(tagged(1, encode_record(recs[i])));
  chunks.push_back(tagged(1 | 8, "\x10\x00\x00\x00torn")); // a torn frame at the tail
  seed("recovery", "torn_tail", fuzz::join_chunks(chunks));

  chunks.clear();
  chunks.push_back(tagged(1, encode_record(recs[0])));
  chunks.push_back(tagged(1 | 8, "garbage in the middle"));
  chunks.push_back(tagged(2, encode_record(recs[1])));
  chunks.push_back(tagged(3 | 16 | 8, "no magic"));
  seed("recovery", "damage_then_later_journals", fuzz::join_chunks(chunks));

  chunks.clear();
  chunks.push_back(tagged(0 | 8, "damaged snapshot"));
  chunks.push_back(tagged(1, encode_record(recs[0])));
  seed("recovery", "damaged_snapshot", fuzz::join_chunks(chunks));
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  auth_seeds();
  query_seeds();
  multipart_seeds();
  json_seeds();
  journal_seeds();
  snapshot_seeds();
  recovery_seeds();
  return 0;
}
