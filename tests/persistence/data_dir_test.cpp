#include "persistence/data_dir.hpp"

#include "persistence/model.hpp"

#include "tests/persistence/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

using namespace analysisd;
using namespace analysisd::test;

TEST(data_dir, the_lock_is_exclusive_names_its_holder_and_ends_with_its_holder) {
  temp_dir dir;
  std::string error;
  auto lock = data_dir_lock::acquire(dir.path(), error);
  ASSERT_TRUE(lock) << error;
  EXPECT_EQ(read_bytes(dir.path() + "/lock"), std::to_string(::getpid()) + "\n");
  // flock locks belong to the open file: a second open in this process is
  // refused just as another process would be.
  auto second = data_dir_lock::acquire(dir.path(), error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find(dir.path()), std::string::npos) << error;
  EXPECT_NE(error.find("PID " + std::to_string(::getpid())), std::string::npos) << error;
  lock.reset();
  EXPECT_TRUE(data_dir_lock::acquire(dir.path(), error)) << error;
}

TEST(data_dir, format_file_round_trips_and_refuses_what_it_does_not_know) {
  temp_dir dir;
  int format = -1;
  EXPECT_EQ(read_data_dir_format(posix_storage(), dir.path(), format), "");
  EXPECT_EQ(format, 0) << "no format file: a new data dir or one of analysisd 0.1";
  ASSERT_EQ(write_data_dir_format(posix_storage(), dir.path()), "");
  EXPECT_EQ(read_data_dir_format(posix_storage(), dir.path(), format), "");
  EXPECT_EQ(format, current_format);
  auto j = nlohmann::json::parse(read_bytes(dir.path() + "/format"));
  EXPECT_EQ(j.at("created_by"), "analysisd " ANALYSISD_VERSION);
  EXPECT_FALSE(posix_storage().exists(dir.path() + "/format.tmp"));

  for (std::string bad : {R"({"format": 3, "created_by": "analysisd 3.0"})", "garbage",
                          R"({"format": "2"})", R"({"format": 0})", ""}) {
    write_bytes(dir.path() + "/format", bad);
    format = -1;
    auto err = read_data_dir_format(posix_storage(), dir.path(), format);
    EXPECT_NE(err, "") << bad;
    EXPECT_NE(err.find("nothing was changed"), std::string::npos) << err;
    EXPECT_EQ(read_bytes(dir.path() + "/format"), bad) << "a refused format file was rewritten";
  }
}
