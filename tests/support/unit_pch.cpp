// The unit suites compile against this library only for its precompiled
// header (tests/CMakeLists.txt); it has no code of its own.
