// Shows analysisd embedded in another C++ program: it starts the service in
// its own caf::actor_system on a temporary data directory and drives one
// analysis through its whole lifecycle (create, acquire, get, upload,
// download, finalize) by messaging the registry actor, removes a second
// analysis, and stops the service. No HTTP is involved. Exits non-zero on any
// unexpected answer.

#include "actors/protocol.hpp"
#include "actors/service.hpp"

#include <boost/filesystem.hpp>
#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <unistd.h>

namespace {

int failures = 0;

void fail(const std::string& what) {
  std::cerr << "FAILED: " << what << "\n";
  ++failures;
}

/// Sends one request to `registry` and returns its answer, or nothing (after
/// reporting the error) if it failed.
template <class T, class... Ts>
std::optional<T> ask(caf::actor_system& sys, const analysisd::registry_actor& registry,
                     const std::string& step, Ts&&... xs) {
  std::optional<T> result;
  caf::scoped_actor self{sys};
  self->request(registry, caf::infinite, std::forward<Ts>(xs)...)
    .receive([&](T& x) { result = std::move(x); },
             [&](caf::error& err) { fail(step + ": " + sys.render(err)); });
  return result;
}

/// Sends one request that must fail with `expected`.
template <class T, class... Ts>
void expect_error(caf::actor_system& sys, const analysisd::registry_actor& registry,
                  const std::string& step, analysisd::errc expected, Ts&&... xs) {
  caf::scoped_actor self{sys};
  self->request(registry, caf::infinite, std::forward<Ts>(xs)...)
    .receive([&](T&) { fail(step + ": succeeded, expected an error"); },
             [&](caf::error& err) {
               if (analysisd::code_of(err) != static_cast<std::uint8_t>(expected))
                 fail(step + ": unexpected error " + sys.render(err));
             });
}

analysisd::create_request example_request() {
  analysisd::create_request req;
  req.workflow = "pathoscope_bowtie";
  req.sample = {"kigvhuql", "Test 1"};
  req.index = {"qldihken", 0};
  req.user_id = "igboyes";
  req.user_handle = "Ian Boyes";
  req.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  req.reference = {"d19exr83", "Plant Viruses", "genome"};
  return req;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

int run(caf::actor_system& sys, const std::string& data_dir) {
  using namespace analysisd;
  analysisd::service_options opts;
  opts.data_dir = data_dir;
  auto svc = start_service(sys, opts);
  if (!svc) {
    std::cerr << "FAILED: start_service: " << sys.render(svc.error()) << "\n";
    return 1;
  }
  auto& registry = svc->registry;
  auto admin = admin_credential();

  // 1. An operator creates an analysis; the answer is its JSON document.
  auto created = ask<std::string>(sys, registry, "create", create_atom::value, example_request());
  if (!created)
    return stop_service(sys, *svc), 1;
  auto doc = nlohmann::json::parse(*created);
  auto id = doc.at("id").get<std::string>();
  auto job_id = doc.at("job").at("id").get<std::string>();
  std::cout << "created analysis " << id << " for job " << job_id << "\n";

  // 2. The operator acquires the job's key (once).
  auto key = ask<std::string>(sys, registry, "acquire", acquire_atom::value, job_id);
  if (!key || key->size() != 64)
    return fail("acquire: no 64-character key"), stop_service(sys, *svc), 1;
  std::cout << "acquired job " << job_id << " (key of " << key->size() << " characters)\n";
  expect_error<std::string>(sys, registry, "second acquire", errc::job_already_acquired,
                            acquire_atom::value, job_id);
  auto job = job_credential(job_id, *key);

  // 3. The job reads its analysis; a wrong key is refused.
  if (auto got = ask<std::string>(sys, registry, "get", get_atom::value, job, id)) {
    std::cout << "job reads: ready=" << nlohmann::json::parse(*got).at("ready") << "\n";
  }
  expect_error<std::string>(sys, registry, "get with a wrong key", errc::unauthorized,
                            get_atom::value, job_credential(job_id, "wrong"), id);

  // 4. The job uploads a file.
  const std::string bytes = ">seq1\nACGTACGTACGT\n>seq2\nTTTTGGGGCCCC\n";
  upload_request up;
  up.name = "results.fa";
  up.has_format = true;
  up.format = "fasta";
  up.multipart_ok = true;
  up.bytes = file_payload::from_string(bytes);
  auto file = ask<file_record>(sys, registry, "upload", upload_atom::value, job, id, up);
  if (!file)
    return stop_service(sys, *svc), 1;
  std::cout << "uploaded file " << file->id << " (" << file->name << ", " << file->size
            << " bytes)\n";
  if (file->size != bytes.size())
    fail("upload: size " + std::to_string(file->size));
  upload_request again = up;
  again.bytes = file_payload::from_string(bytes);
  expect_error<file_record>(sys, registry, "second upload of the same name", errc::file_exists,
                            upload_atom::value, job, id, again);

  // 5. The job locates the file and reads its bytes.
  if (auto loc = ask<file_location>(sys, registry, "download", download_atom::value, job, id,
                                    file->id)) {
    auto stored = read_file(loc->path);
    std::cout << "downloaded " << loc->path << " (" << stored.size() << " bytes)\n";
    if (stored != bytes)
      fail("download: the bytes differ");
  }

  // 6. The job finalizes with its results; a second finalize is a conflict.
  auto results = nlohmann::json{{"hits", 2}}.dump();
  if (auto fin = ask<std::string>(sys, registry, "finalize", finalize_atom::value, job, id,
                                  results)) {
    auto fdoc = nlohmann::json::parse(*fin);
    std::cout << "finalized: ready=" << fdoc.at("ready") << " results=" << fdoc.at("results")
              << "\n";
    if (fdoc.at("ready") != true || fdoc.at("results") != nlohmann::json{{"hits", 2}})
      fail("finalize: unexpected document " + *fin);
  }
  expect_error<std::string>(sys, registry, "second finalize", errc::already_finalized,
                            finalize_atom::value, job, id, std::string{R"({"hits":3})"});
  expect_error<bool>(sys, registry, "job removes a finalized analysis", errc::analysis_finalized,
                     remove_atom::value, job, id);

  // 7. A second analysis is created, acquired and removed by its job.
  if (auto second = ask<std::string>(sys, registry, "create second", create_atom::value,
                                     example_request())) {
    auto sdoc = nlohmann::json::parse(*second);
    auto sid = sdoc.at("id").get<std::string>();
    auto sjob = sdoc.at("job").at("id").get<std::string>();
    if (auto skey = ask<std::string>(sys, registry, "acquire second", acquire_atom::value, sjob)) {
      auto removed = ask<bool>(sys, registry, "remove second", remove_atom::value,
                               job_credential(sjob, *skey), sid);
      std::cout << "removed analysis " << sid << ": " << (removed && *removed) << "\n";
      expect_error<std::string>(sys, registry, "get removed", errc::not_found, get_atom::value,
                                admin, sid);
    }
  }

  if (auto err = stop_service(sys, *svc))
    fail("stop_service: " + sys.render(err));
  else
    std::cout << "service stopped\n";
  return failures == 0 ? 0 : 1;
}

} // namespace

int main() {
  char tmpl[] = "/tmp/analysisd-embedded-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = tmpl;
  int rc = 0;
  {
    caf::actor_system_config cfg;
    analysisd::add_message_types(cfg);
    caf::actor_system sys{cfg};
    rc = run(sys, dir + "/data");
  }
  boost::system::error_code ec;
  boost::filesystem::remove_all(dir, ec);
  std::cout << (rc == 0 ? "OK" : "FAILED") << "\n";
  return rc;
}
