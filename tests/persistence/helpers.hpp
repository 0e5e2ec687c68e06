#pragma once

#include "persistence/journal.hpp"
#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace analysisd::test {

inline analysis_state sample_analysis(const std::string& id, const std::string& job = "jobjob01") {
  analysis_state a;
  a.id = id;
  a.created_at = 1507066554813000;
  a.updated_at = a.created_at;
  a.job_id = job;
  a.workflow = "pathoscope_bowtie";
  a.sample = {"kigvhuql", "Test 1"};
  a.index = {"qldihken", 3};
  a.user_id = "igboyes";
  a.subtractions = {{"yhxoynb0", "Arabidopsis Thaliana"}};
  return a;
}

inline journal_record created(const std::string& id) {
  journal_record r;
  r.kind = record_kind::created;
  r.analysis_id = id;
  r.analysis = sample_analysis(id);
  return r;
}

inline journal_record finalized(const std::string& id, const std::string& results) {
  journal_record r;
  r.kind = record_kind::finalized;
  r.analysis_id = id;
  r.results = results;
  r.at = 1507066600000000;
  return r;
}

inline journal_record file_added(const std::string& id, std::uint64_t file_id,
                                 const std::string& name) {
  journal_record r;
  r.kind = record_kind::file_added;
  r.analysis_id = id;
  r.file.id = file_id;
  r.file.name = name;
  r.file.format = "fasta";
  r.file.size = 20;
  r.file.uploaded_at = 1507066580000000;
  return r;
}

inline journal_record removed(const std::string& id) {
  journal_record r;
  r.kind = record_kind::removed;
  r.analysis_id = id;
  return r;
}

/// The bytes of a journal file holding `records`; `offsets` gets each
/// frame's start.
inline std::string journal_image(const std::vector<journal_record>& records,
                                 std::vector<std::size_t>* offsets = nullptr) {
  std::string out = journal_magic;
  for (auto& r : records) {
    if (offsets)
      offsets->push_back(out.size());
    append_frame(out, encode_record(r));
  }
  return out;
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> names;
  posix_storage().list_dir(dir, names);
  return names;
}

} // namespace analysisd::test
