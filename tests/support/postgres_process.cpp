#include "tests/support/postgres_process.hpp"

#include "tests/support/http_client.hpp"

#include <boost/filesystem.hpp>
#include <libpq-fe.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace analysisd::test {

namespace fs = boost::filesystem;

namespace {

const std::string pg_bin = "/usr/lib/postgresql/15/bin";

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Who runs PostgreSQL: `postgres` when we are root, else ourselves.
struct run_as {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

run_as server_user() {
  run_as who;
  if (::geteuid() != 0)
    return who;
  passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr)
    throw std::runtime_error("tests run as root, and PostgreSQL refuses root, but there is no "
                             "`postgres` user to run it as (install Debian's postgresql package)");
  who.switch_user = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  return who;
}

void give_to(const run_as& who, const std::string& path) {
  if (who.switch_user && ::chown(path.c_str(), who.uid, who.gid) != 0)
    throw std::runtime_error("cannot chown " + path + " to postgres");
}

// In a forked child: become `who` (with PR_SET_PDEATHSIG, so that the
// server dies with the test program), send output to `log`, exec `argv`.
[[noreturn]] void exec_child(const run_as& who, const std::string& log,
                             const std::vector<std::string>& argv_s, bool die_with_parent) {
  if (who.switch_user) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)
      ::_exit(126);
  }
  // Set after setuid, which clears it.
  if (die_with_parent)
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
  }
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a program to its end; returns its exit status (-1: a signal).
int run(const run_as& who, const std::string& log, const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0)
    exec_child(who, log, argv, false);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The cluster every test copies, made by initdb once per build tree.
// Returns how long initdb took (0: the template was there).
double ensure_template(const run_as& who, const std::string& templ) {
  if (::access((pg_bin + "/initdb").c_str(), X_OK) != 0)
    throw std::runtime_error(pg_bin + "/initdb is missing: install Debian's postgresql package "
                             "(scripts/install-deps.sh)");
  // Several test programs start at once (ctest -j): one makes it.
  fs::create_directories(fs::path(templ).parent_path());
  int lock = ::open((templ + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
    throw std::runtime_error("cannot lock " + templ + ".lock: " + std::strerror(errno));
  struct unlock {
    int fd;
    ~unlock() {
      ::close(fd);
    }
  } guard{lock};
  if (fs::exists(templ + "/PG_VERSION"))
    return 0;
  auto started = clock_type::now();
  // initdb runs in /tmp, which the postgres user can reach (a build tree
  // may not be); the result is copied into the build tree as it is.
  auto work = (fs::temp_directory_path() / fs::unique_path("analysisd-initdb-%%%%-%%%%")).string();
  fs::create_directories(work);
  struct cleanup {
    std::string dir;
    ~cleanup() {
      boost::system::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove_work{work};
  give_to(who, work);
  auto log = work + "/initdb.log";
  int rc = run(who, log,
               {pg_bin + "/initdb", "-D", work + "/data", "-U", "postgres", "--auth=trust", "-E",
                "UTF8", "--locale=C.UTF-8", "--no-sync"});
  if (rc != 0)
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "):\n" + read_file(log));
  auto tmp = templ + ".tmp";
  fs::remove_all(tmp);
  // cp -a keeps the owner (postgres) and the mode (0700).
  if (run(run_as{}, log, {"/bin/cp", "-a", work + "/data", tmp}) != 0)
    throw std::runtime_error("cannot copy the new cluster to " + tmp + ": " + read_file(log));
  // initdb --no-sync: the tests crash servers, not machines.
  fs::rename(tmp, templ);
  return seconds_since(started);
}

// The state and the parent of process `pid` from /proc/<pid>/stat; nullopt
// once it is gone.
struct proc_stat {
  char state = '?';
  long ppid = 0;
};
std::optional<proc_stat> stat_of(const std::string& pid) {
  auto stat = read_file("/proc/" + pid + "/stat");
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= stat.size())
    return std::nullopt;
  proc_stat out;
  std::istringstream rest{stat.substr(close_paren + 2)};
  rest >> out.state >> out.ppid;
  return out;
}

// The direct children of `pid` (a postmaster's backends, which setsid()
// and so are not in its process group).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr)
    return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long child = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0')
      continue;
    auto stat = stat_of(e->d_name);
    if (stat && stat->ppid == pid)
      out.push_back(static_cast<pid_t>(child));
  }
  ::closedir(d);
  return out;
}

std::vector<pid_t> signal_all(pid_t pid, int sig) {
  auto kids = children_of(pid);
  ::kill(pid, sig);
  for (auto k : kids)
    ::kill(k, sig);
  return kids;
}

// Whether `pid` has exited (gone, or a zombie: it let go of everything).
bool exited(pid_t pid) {
  auto stat = stat_of(std::to_string(pid));
  return !stat || stat->state == 'Z' || stat->state == 'X';
}

} // namespace

postgres_process::postgres_process() : postgres_process(std::string{}) {}

postgres_process::postgres_process(std::string extra_address)
  : extra_address_(std::move(extra_address)) {
  auto started = clock_type::now();
  auto who = server_user();
  initdb_seconds_ = ensure_template(who, ANALYSISD_BINARY_DIR "/tests/postgres-template");
  auto base = fs::temp_directory_path() / fs::unique_path("analysisd-pg-%%%%-%%%%");
  fs::create_directories(base);
  dir_ = base.string();
  give_to(who, dir_);
  // cp -a keeps the template's owner (postgres) and its mode (0700).
  std::string log = dir_ + "/copy.log";
  if (run(run_as{}, log, {"/bin/cp", "-a", ANALYSISD_BINARY_DIR "/tests/postgres-template",
                          dir_ + "/data"})
      != 0) {
    auto why = read_file(log);
    fs::remove_all(dir_);
    throw std::runtime_error("cannot copy the template cluster: " + why);
  }
  if (!extra_address_.empty()) {
    std::ofstream hba{dir_ + "/data/pg_hba.conf", std::ios::app};
    hba << "host all all 0.0.0.0/0 trust\n";
    if (!hba)
      throw std::runtime_error("cannot extend pg_hba.conf in " + dir_);
  }
  for (int attempt = 0;; ++attempt) {
    port_ = free_port();
    launch();
    try {
      wait_ready();
      break;
    } catch (const std::runtime_error&) {
      // Another program may have taken the port between free_port and bind.
      bool port_taken = read_file(dir_ + "/server.log").find("could not") != std::string::npos;
      if (pid_ > 0) {
        signal_all(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
      }
      if (!port_taken || attempt == 4) {
        auto why = read_file(dir_ + "/server.log");
        fs::remove_all(dir_);
        throw std::runtime_error("the private PostgreSQL did not start; its log:\n" + why);
      }
    }
  }
  start_seconds_ = seconds_since(started);
}

postgres_process::~postgres_process() {
  if (::getpid() != owner_)
    return;
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    for (auto k : children_of(pid_))
      ::kill(k, SIGCONT);
    ::kill(pid_, SIGQUIT); // immediate: the directory is deleted anyway
    auto deadline = clock_type::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (clock_type::now() > deadline) {
        signal_all(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  boost::system::error_code ec;
  fs::remove_all(dir_, ec);
}

postgres_process& postgres_process::shared() {
  static postgres_process server;
  return server;
}

std::string postgres_process::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
}

std::string postgres_process::create_database() {
  static std::atomic<int> counter{0};
  auto name = "test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  PGconn* conn = PQconnectdb(conninfo().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  if (!error.empty())
    throw std::runtime_error("cannot create database " + name + ": " + error);
  return conninfo(name);
}

void postgres_process::launch() {
  auto who = server_user();
  std::vector<std::string> argv{pg_bin + "/postgres",
                                "-D", dir_ + "/data",
                                "-p", std::to_string(port_),
                                "-c", "listen_addresses=127.0.0.1" + (extra_address_.empty() ? std::string{} : "," + extra_address_),
                                "-c", "unix_socket_directories=" + dir_,
                                "-c", "fsync=on",
                                "-c", "synchronous_commit=on",
                                "-c", "shared_buffers=16MB",
                                "-c", "max_connections=50",
                                "-c", "wal_level=minimal",
                                "-c", "max_wal_senders=0",
                                "-c", "log_min_messages=warning",
                                "-c", "autovacuum=off"};
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0)
    exec_child(who, dir_ + "/server.log", argv, true);
}

void postgres_process::wait_ready() {
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  auto info = conninfo() + " connect_timeout=2";
  while (clock_type::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("postgres exited; its log:\n" + read_file(dir_ + "/server.log"));
    }
    if (PQping(info.c_str()) == PQPING_OK)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("postgres did not accept connections within 30 s");
}

void postgres_process::pause() {
  signal_all(pid_, SIGSTOP);
}

void postgres_process::resume() {
  signal_all(pid_, SIGCONT);
}

void postgres_process::kill() {
  if (pid_ <= 0)
    return;
  auto backends = signal_all(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  // A backend killed with the postmaster holds its shared memory until its
  // exit completes, and a restart before that would refuse to start
  // ("pre-existing shared memory block is still in use"). One restart under
  // load once failed without a log; this is a likely cause, not a confirmed
  // one.
  auto deadline = clock_type::now() + std::chrono::seconds(10);
  for (auto b : backends)
    while (!exited(b) && clock_type::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void postgres_process::restart() {
  if (pid_ > 0)
    throw std::logic_error("restart: the server still runs");
  launch();
  wait_ready();
}

std::vector<std::vector<std::string>> pg_rows(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb((conninfo + " connect_timeout=5").c_str());
  std::vector<std::vector<std::string>> rows;
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(res);
    } else {
      for (int r = 0; r < PQntuples(res); ++r) {
        std::vector<std::string> row;
        for (int c = 0; c < PQnfields(res); ++c)
          row.emplace_back(PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c));
        rows.push_back(std::move(row));
      }
    }
    PQclear(res);
  }
  PQfinish(conn);
  if (!error.empty())
    throw std::runtime_error("pg_rows: " + sql + ": " + error);
  return rows;
}

} // namespace analysisd::test
